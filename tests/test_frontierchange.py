"""The frontier cut into the trends table's segments (geo.frontierchange), against hand values and
an independent geodesic measure (pyproj.Geod on the layer's own coordinates)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from geo.frontier import Frontier
from geo.frontierchange import LevelStyleError, cut, latest_segments, load_level_styles, point_at, segment_geometries
from geo.layers import LAYERS_DIR

GEOD = pyproj.Geod(ellps="WGS84")
# On the equator a degree of longitude is the WGS84 semi-major axis times pi / 180: 111.319491 km.
EQUATOR_KM_PER_DEGREE = 6378.137 * np.pi / 180.0


@pytest.fixture(scope="module")
def layer_line() -> shapely.LineString:
    return gpd.read_file(LAYERS_DIR / "frontier.geojson").geometry.union_all()


@pytest.fixture(scope="module")
def frontier(layer_line) -> Frontier:
    return Frontier(layer_line)


@pytest.mark.parametrize("km, lon", [(0.0, 0.0), (100.0, 100.0 / EQUATOR_KM_PER_DEGREE),
                                     (250.0, 250.0 / EQUATOR_KM_PER_DEGREE), (333.958, 3.0)])
def test_a_point_on_the_equator_lies_at_its_km(km: float, lon: float) -> None:
    # Written east to west: measured from the western end all the same.
    equator = Frontier(shapely.LineString([(3.0, 0.0), (1.0, 0.0), (0.0, 0.0)]))
    at_lon, at_lat = point_at(equator, km)
    assert at_lon == pytest.approx(lon, abs=1e-5) and at_lat == pytest.approx(0.0, abs=1e-12)


def test_the_segments_lengths_sum_to_the_frontiers(frontier, layer_line) -> None:
    pieces = [cut(frontier, start, min(start + 50.0, frontier.length_km)) for start in np.arange(0, frontier.length_km, 50)]
    lengths = [GEOD.line_length(piece[:, 0], piece[:, 1]) / 1000.0 for piece in pieces]
    assert len(pieces) == 27  # 1,344 km in 50 km segments: 26 whole and one of 44 km
    assert lengths[:-1] == pytest.approx([50.0] * 26, abs=0.01)
    # The layer's own length, measured independently of Frontier's densified line.
    assert sum(lengths) == pytest.approx(GEOD.geometry_length(layer_line) / 1000.0, abs=0.01)


@pytest.mark.parametrize("km", [50.0, 400.0, 777.7, 1300.0])
def test_a_cut_point_lies_on_the_line_at_its_km(frontier, layer_line, km: float) -> None:
    lon, lat = point_at(frontier, km)
    # Independently: walk the layer's coordinates west to east, summing geodesic edges, to the edge
    # holding that km, and go forward along it.
    coords = shapely.get_coordinates(layer_line)
    coords = coords[::-1] if coords[0, 0] > coords[-1, 0] else coords
    _, _, edges = GEOD.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    before = np.concatenate([[0.0], np.cumsum(edges)]) / 1000.0
    edge = int(np.searchsorted(before, km, side="right") - 1)
    azimuth, _, _ = GEOD.inv(coords[edge, 0], coords[edge, 1], coords[edge + 1, 0], coords[edge + 1, 1])
    expected_lon, expected_lat, _ = GEOD.fwd(coords[edge, 0], coords[edge, 1], azimuth, (km - before[edge]) * 1000.0)
    _, _, apart = GEOD.inv(lon, lat, expected_lon, expected_lat)
    assert apart < 5.0  # metres


def test_a_drawn_segment_starts_and_ends_at_its_cut_points(frontier) -> None:
    geometries = segment_geometries(frontier, 100.0)
    assert len(geometries) == 14
    for number, geometry in enumerate(geometries):
        start, end = number * 100.0, min(number * 100.0 + 100.0, frontier.length_km)
        assert geometry["coordinates"][0] == pytest.approx(list(point_at(frontier, start)), abs=1e-5)
        assert geometry["coordinates"][-1] == pytest.approx(list(point_at(frontier, end)), abs=1e-5)
    assert segment_geometries(frontier, 100.0) is geometries  # cut once


def test_the_latest_period_gives_each_segment_its_level(frontier) -> None:
    starts = np.arange(0.0, frontier.length_km, 500.0)  # 0, 500, 1000: three segments
    table = pd.DataFrame({
        "segment_from_km": np.tile(starts, 2), "segment_to_km": np.tile(np.minimum(starts + 500, 1344.0), 2),
        "stretch": ["amu-darya", "panj", "pamir"] * 2, "period": ["2022-04"] * 3 + ["2022-05"] * 3,
        "events": [1, 2, 3, 9, 0, 4], "mean_4": [np.nan] * 3 + [2.5, np.nan, 10.0],
        "change_4": [np.nan] * 3 + [260.0, np.nan, -60.0], "level": [None] * 3 + ["large-increase", None, "large-decrease"],
    })
    collection = latest_segments(frontier, table, 500.0)
    properties = [feature["properties"] for feature in collection["features"]]
    assert [(p["from_km"], p["period"], p["events"], p["level"]) for p in properties] == [
        (0.0, "2022-05", 9, "large-increase"), (500.0, "2022-05", 0, None), (1000.0, "2022-05", 4, "large-decrease")]
    assert properties[1]["change_4"] is None and properties[2]["change_4"] == -60.0


def test_the_level_styles_name_every_level_once(tmp_path: Path) -> None:
    assert [style.id for style in load_level_styles()] == ["large-increase", "moderate-increase", "limited",
                                                          "large-decrease"]
    (tmp_path / "trend-levels.json").write_text(json.dumps({"levels": [
        {"id": "large-increase", "label": "Up", "colour": "red"},
        {"id": "sideways", "label": "", "colour": "#123456"}]}), encoding="utf-8")
    with pytest.raises(LevelStyleError) as raised:
        load_level_styles(tmp_path)
    text = str(raised.value)
    assert "level 'large-increase', field 'colour': must be #rrggbb" in text
    assert "level 'sideways', field 'id': not a change level" in text
    assert "level 'sideways', field 'label': must be a non-empty string" in text


def test_a_broken_level_styles_file_is_the_pages_one_explanation(tmp_path) -> None:
    import shutil

    from geo.snapshot import DataError, build_snapshot

    broken = tmp_path / "layers"
    shutil.copytree(LAYERS_DIR, broken)
    (broken / "trend-levels.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="trend-levels.json"):
        build_snapshot(broken, None)
