"""The layers simplified for the zooms they are seen at (geo.outlines, published by
geo.mapview.layer_files): fewer vertices at coarser levels, borders that still meet, the frontier
about as long, and the full detail unchanged for figures."""

from __future__ import annotations

import json

import pytest
import shapely

from geo import mapview, outlines
from geo.layers import LAYERS_DIR, load_layers

# How much of the frontier's length each level keeps at least: Douglas-Peucker cuts across a river's
# meanders narrower than half a pixel (some 4 km at zoom 4, 120 m at zoom 9), which add length but
# no visible line. Measured (planar, in degrees): 0.825 at zoom 4, 0.864, 0.909, 0.943, 0.967,
# 0.982 at zoom 9.
FRONTIER_LENGTH_KEPT = {4: 0.80, 5: 0.85, 6: 0.90, 7: 0.93, 8: 0.96, 9: 0.97}
OUTLINED = ("countries", "provinces", "gbao", "wakhan", "frontier")
# Neighbours whose full-detail outlines share a border, from the layer files themselves.
NEIGHBOURS = [("provinces", "badakhshan", "provinces", "takhar"), ("provinces", "takhar", "provinces", "kunduz"),
              ("provinces", "badakhshan", "provinces", "gbao"), ("countries", "tajikistan", "countries", "afghanistan"),
              ("gbao", "gbao", "countries", "afghanistan"), ("wakhan", "wakhan", "countries", "tajikistan")]


def _features(content: bytes) -> dict[str, dict]:
    return {feature["properties"]["id"]: feature for feature in json.loads(content)["features"]}


def _vertices(feature: dict) -> set[tuple[float, float]]:
    geometry = shapely.from_geojson(json.dumps(feature["geometry"]))
    return {tuple(point) for point in shapely.get_coordinates(geometry).tolist()}


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return mapview.layer_files(load_layers())


@pytest.fixture(scope="module")
def full() -> dict[str, dict[str, dict]]:
    """Each layer's features as its own file holds them (the expectation, independent of the code)."""
    return {layer: _features((LAYERS_DIR / f"{layer}.geojson").read_bytes()) for layer in OUTLINED}


def _level(files: dict[str, bytes], layer: str, zoom: int) -> dict[str, dict]:
    return _features(files[mapview.level_file_name(layer, zoom)])


def test_every_line_and_outline_layer_has_each_level_and_points_have_none(files) -> None:
    for zoom in outlines.DETAIL_ZOOMS:
        for layer in OUTLINED:
            assert mapview.level_file_name(layer, zoom) in files
        for layer in ("places", "posts"):
            assert mapview.level_file_name(layer, zoom) not in files


@pytest.mark.parametrize("layer", OUTLINED)
def test_vertex_counts_fall_with_the_level_and_are_the_full_ones(files, full, layer) -> None:
    full_vertices = set().union(*(_vertices(feature) for feature in full[layer].values()))
    counts = []
    for zoom in outlines.DETAIL_ZOOMS:
        kept = set().union(*(_vertices(feature) for feature in _level(files, layer, zoom).values()))
        assert kept <= full_vertices  # no vertex moved or made up
        counts.append(len(kept))
    assert counts == sorted(counts) and counts[0] < counts[-1] < len(full_vertices)
    assert counts[0] * 4 < len(full_vertices)


@pytest.mark.parametrize(("layer_a", "id_a", "layer_b", "id_b"), NEIGHBOURS)
def test_a_shared_border_keeps_the_same_vertices_on_both_sides(files, full, layer_a, id_a, layer_b, id_b) -> None:
    shared = _vertices(full[layer_a][id_a]) & _vertices(full[layer_b][id_b])
    assert len(shared) > 20  # they are neighbours
    for zoom in outlines.DETAIL_ZOOMS:
        a = _vertices(_level(files, layer_a, zoom)[id_a]) & shared
        b = _vertices(_level(files, layer_b, zoom)[id_b]) & shared
        assert a == b and len(a) < len(shared)


def test_the_frontier_keeps_its_ends_and_most_of_its_length_and_the_countries_follow_it(files, full) -> None:
    line = shapely.from_geojson(json.dumps(full["frontier"]["frontier"]["geometry"]))
    ends = {tuple(shapely.get_coordinates(line)[index]) for index in (0, -1)}
    for zoom in outlines.DETAIL_ZOOMS:
        simplified = _level(files, "frontier", zoom)["frontier"]
        level_line = shapely.from_geojson(json.dumps(simplified["geometry"]))
        assert ends <= _vertices(simplified)
        assert FRONTIER_LENGTH_KEPT[zoom] <= level_line.length / line.length <= 1
        for country in ("tajikistan", "afghanistan"):
            on_frontier = _vertices(_level(files, "countries", zoom)[country]) & _vertices(full["frontier"]["frontier"])
            assert on_frontier == _vertices(simplified)


def test_the_full_detail_files_are_the_layers_own_geometry(files, full) -> None:
    for layer in OUTLINED:
        published = _features(files[f"{layer}.geojson"])
        assert {fid: feature["geometry"] for fid, feature in published.items()} == \
            {fid: feature["geometry"] for fid, feature in full[layer].items()}


def test_every_level_keeps_every_feature_with_its_label(files, full) -> None:
    for layer in OUTLINED:
        for zoom in outlines.DETAIL_ZOOMS:
            level = _level(files, layer, zoom)
            assert {fid: feature["properties"] for fid, feature in level.items()} == \
                {fid: _features(files[f"{layer}.geojson"])[fid]["properties"] for fid in full[layer]}
            assert not any(shapely.from_geojson(json.dumps(feature["geometry"])).is_empty for feature in level.values())


def test_a_tolerance_is_half_a_pixel_at_its_zoom() -> None:
    # At zoom z the world (2 pi radians of Web Mercator) is 256 * 2**z pixels wide.
    assert outlines.tolerance(0) == pytest.approx(0.5 * 2 * 3.141592653589793 / 256)
    assert outlines.tolerance(8) == pytest.approx(outlines.tolerance(0) / 256)
