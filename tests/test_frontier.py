"""geo.frontier: km along the frontier, the bank and the named stretch of each event.

Expected km along come from another method than the module's: the frontier and the points
projected to an equidistant conic fitted to the region, and shapely's ``line.project``. The
places' coordinates are those of layers/places.geojson and layers/posts.geojson (GeoNames and the
article's posts) and of the Wikipedia infoboxes layers/frontier-stretches.json cites.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from geo.bench import synthetic
from geo.cli import main
from geo.events import load_vocabulary, parse_event
from geo.frontier import STRETCHES_NAME, Frontier, Stretch, StretchError, load_stretches, stretch_ids
from geo.join import join_events
from geo.layers import LAYERS_DIR, Layer, feature_refs, load_layers

# Standard parallels a sixth in from the frontier's 36.5-38.5°N: scale errors of a few in 10,000.
EQUIDISTANT = "+proj=eqdc +lat_1=36.8 +lat_2=38.2 +lat_0=37.5 +lon_0=71.3 +datum=WGS84 +units=m +no_defs"
TOLERANCE_KM = 2.0


@pytest.fixture(scope="module")
def layers():
    return load_layers(LAYERS_DIR)


@pytest.fixture(scope="module")
def frontier(layers) -> Frontier:
    return Frontier(layers["frontier"].frame.geometry.union_all())


def _projected_along_km(line: shapely.Geometry, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    to_conic = pyproj.Transformer.from_crs("EPSG:4326", EQUIDISTANT, always_xy=True)
    coords = shapely.get_coordinates(line)
    if coords[0, 0] > coords[-1, 0]:  # west to east, as the module orients it
        coords = coords[::-1]
    conic_line = shapely.linestrings(*to_conic.transform(coords[:, 0], coords[:, 1]))
    return conic_line.project(shapely.points(*to_conic.transform(lon, lat))) / 1000.0


def test_the_line_runs_west_to_east_about_1344_km(frontier: Frontier) -> None:
    assert frontier.coords[0, 0] < frontier.coords[-1, 0]
    assert frontier.length_km == pytest.approx(1344, abs=5)


# (place, lon, lat): towns of layers/places.geojson, the posts, and the cited river points.
PLACES = [
    ("Shahritus", 68.13849, 37.26206),
    ("Khorugh", 71.55304, 37.48974),
    ("Ishkashim", 71.61331, 36.72484),
    ("Faizabad", 70.58002, 37.11664),
    ("Panj-Vakhsh confluence", 68.31222, 37.10972),
    ("Pamir-Wakhan confluence", 72.66139, 37.0175),
    ("Zorkul, the Pamir's outflow", 73.5725, 37.45111),
    ("Dushanbe", 68.77905, 38.53575),
]


@pytest.mark.parametrize(("place", "lon", "lat"), PLACES, ids=[place for place, _, _ in PLACES])
def test_along_km_matches_an_independent_projection(frontier: Frontier, layers, place: str, lon: float, lat: float) -> None:
    line = layers["frontier"].frame.geometry.union_all()
    expected = _projected_along_km(line, np.array([lon]), np.array([lat]))[0]
    _, along = frontier.nearest(np.array([lon]), np.array([lat]))
    assert along[0] == pytest.approx(expected, abs=TOLERANCE_KM)


def test_along_km_of_many_points_matches_the_projection(frontier: Frontier, layers) -> None:
    rng = np.random.default_rng(23)
    lon, lat = rng.uniform(67.5, 75.0, 2000), rng.uniform(36.0, 38.5, 2000)
    expected = _projected_along_km(layers["frontier"].frame.geometry.union_all(), lon, lat)
    _, along = frontier.nearest(lon, lat)
    # A point halfway between two bends has two nearest points: the projection may pick the other.
    assert np.mean(np.abs(along - expected) <= TOLERANCE_KM) >= 0.99


# The stretch each place's nearest frontier point lies on, read off the map: Shahritus lies west of
# the Panj-Vakhsh confluence (68.31°E), Khorugh and Ishkashim on the Panj, the Pamir's outflow from
# Zorkul on the Pamir, the Shaymak post beyond the lake.
STRETCH_OF = [
    ("Shahritus", 68.13849, 37.26206, "amu-darya"),
    ("Khorugh", 71.55304, 37.48974, "panj"),
    ("Ishkashim", 71.61331, 36.72484, "panj"),
    ("Zorkul, the Pamir's outflow", 73.5725, 37.45111, "pamir"),
    ("Shaymak post", 74.716794, 37.41196, "zorkul-east"),
]


@pytest.mark.parametrize(("place", "lon", "lat", "stretch"), STRETCH_OF, ids=[row[0] for row in STRETCH_OF])
def test_stretch_of_known_places(frontier: Frontier, place: str, lon: float, lat: float, stretch: str) -> None:
    _, along = frontier.nearest(np.array([lon]), np.array([lat]))
    assert stretch_ids(along, load_stretches(frontier)).tolist() == [stretch]


def test_stretch_of_no_km_is_none(frontier: Frontier) -> None:
    assert stretch_ids(np.array([np.nan, 0.0]), load_stretches(frontier)).tolist() == [None, "amu-darya"]


def _write(folder: Path, raw: dict) -> Path:
    (folder / STRETCHES_NAME).write_text(json.dumps(raw), encoding="utf-8")
    return folder


def _shipped() -> dict:
    return json.loads((LAYERS_DIR / STRETCHES_NAME).read_text(encoding="utf-8"))


def test_every_problem_of_the_file_at_once(frontier: Frontier, tmp_path: Path) -> None:
    raw = _shipped()
    raw["stretches"][0]["to_km"] = 90.0  # typed by hand
    del raw["stretches"][1]["ends_at"]["url"]
    raw["stretches"][2]["id"] = "Pamir"
    raw["stretches"][3]["ends_at"] = raw["stretches"][2]["ends_at"]
    with pytest.raises(StretchError) as caught:
        load_stretches(frontier, _write(tmp_path, raw))
    found = {(problem.item, problem.field) for problem in caught.value.problems}
    assert found == {("stretch 'panj'", "ends_at.url"), ("stretch 'Pamir'", "id"),
                     ("stretch 'zorkul-east'", "ends_at")}


def test_km_not_from_the_cited_coordinates_are_refused(frontier: Frontier, tmp_path: Path) -> None:
    raw = _shipped()
    raw["stretches"][0]["to_km"] = 90.0
    raw["stretches"][1]["ends_at"]["lat"] = 38.5  # Dushanbe's latitude: far from the frontier
    with pytest.raises(StretchError) as caught:
        load_stretches(frontier, _write(tmp_path, raw))
    found = {(problem.item, problem.field) for problem in caught.value.problems}
    assert ("stretch 'amu-darya'", "to_km") in found
    assert ("stretch 'panj'", "ends_at") in found


def test_a_missing_file_is_a_problem(frontier: Frontier, tmp_path: Path) -> None:
    with pytest.raises(StretchError, match="file not found"):
        load_stretches(frontier, tmp_path)


def test_the_shipped_file_is_valid_and_covers_the_frontier(frontier: Frontier) -> None:
    stretches = load_stretches(frontier)
    assert [stretch.id for stretch in stretches] == ["amu-darya", "panj", "pamir", "zorkul-east"]
    assert stretches[0].from_km == 0
    assert stretches[-1].to_km == pytest.approx(frontier.length_km, abs=0.05)
    assert all(before.to_km == after.from_km for before, after in zip(stretches, stretches[1:], strict=False))


def test_a_frontier_drawn_east_to_west_is_measured_from_the_west(frontier: Frontier, layers) -> None:
    line = layers["frontier"].frame.geometry.union_all()
    reversed_frontier = Frontier(line.reverse())
    lon, lat = np.array([71.55304]), np.array([37.48974])
    assert reversed_frontier.nearest(lon, lat)[1][0] == pytest.approx(frontier.nearest(lon, lat)[1][0], abs=0.01)


# (place, frontier_side, has a km along): towns on each bank (GeoNames, layers/places.geojson),
# Termez across the Amu Darya in Uzbekistan (GeoNames 37.22417°N 67.27833°E), and two areas.
SIDES = [
    ("places:khorugh", "tajikistan", True),
    ("places:dushanbe", "tajikistan", True),
    ("places:faizabad", "afghanistan", True),
    ("places:kabul", "afghanistan", True),
    ("extra:termez", None, True),
    ("gbao:gbao", "tajikistan", False),
    ("countries:afghanistan", "afghanistan", False),
]


def test_the_join_gives_each_event_its_bank_and_stretch(layers, frontier: Frontier) -> None:
    termez = gpd.GeoDataFrame({"name": ["Termez"]}, geometry=[shapely.Point(67.27833, 37.22417)],
                              crs="EPSG:4326", index=["termez"])
    all_layers = {**layers, "extra": Layer(spec=layers["places"].spec, frame=termez, features=[])}
    vocabulary = load_vocabulary(LAYERS_DIR)
    events = []
    for number, (place, _, _) in enumerate(SIDES):
        problems: list = []
        events.append(parse_event(
            {"id": f"e{number}", "title": "T", "summary": "S", "status": "occurred", "start": "2022-05-11",
             "actors": ["taliban"], "event_type": "offensive", "place": place, "location_precision": "locality",
             "citations": [{"paragraph": 1, "source": "none cited", "source_date": None}]},
            path=Path("test.json"), item=f"event {number}", document_id="doc", vocabulary=vocabulary,
            place_refs=feature_refs(all_layers), problems=problems))
        assert problems == []
    joined = join_events(events, all_layers, stretches=load_stretches(frontier)).set_index("place")
    for place, side, placed in SIDES:
        row = joined.loc[place]
        assert (pd.isna(row["frontier_side"]) if side is None else row["frontier_side"] == side), place
        assert pd.notna(row["frontier_along_km"]) == placed, place
        assert pd.notna(row["frontier_stretch"]) == placed, place


def test_a_repeated_vertex_is_no_nearest_point_of_its_own() -> None:
    # 68.5°E on 37°N lies 0.5° of longitude east of the repeated vertex (68°E): about 44.5 km along
    # the parallel (0.5 × 89.0 km), 133.5 km from 67°E; the segments are short enough to be the parallel.
    line = shapely.segmentize(shapely.LineString([(67, 37), (68, 37), (68, 37), (69, 37)]), 0.01)
    to_frontier, along = Frontier(line).nearest(np.array([68.5, 68.0]), np.array([37.0, 37.1]))
    assert np.isfinite(to_frontier).all() and np.isfinite(along).all()
    assert along[0] == pytest.approx(133.5, abs=0.2)
    assert to_frontier[1] == pytest.approx(11.1, abs=0.1)  # 0.1° of latitude


@pytest.mark.usefixtures("static_dir")
def test_imported_events_carry_the_frontier_fields(tmp_path: Path, layers) -> None:
    # Synthetic events imported into a store (geo.bench.synthetic: own points in both countries),
    # read back through the snapshot as the page and panj events read them.
    events = synthetic.joined_events(200, workdir=tmp_path).snapshot.events
    points = events[~events["is_area"] & (events["dataset"] == synthetic.DATASET_NAME)]
    assert len(points) > 50
    lon, lat = points["lon"].to_numpy(dtype=float), points["lat"].to_numpy(dtype=float)
    expected = _projected_along_km(layers["frontier"].frame.geometry.union_all(), lon, lat)
    along = points["frontier_along_km"].to_numpy(dtype=float)
    assert np.mean(np.abs(along - expected) <= TOLERANCE_KM) >= 0.99
    sides = points["frontier_side"].astype(object).where(points["frontier_side"].notna(), None).tolist()
    countries = points["country_id"].astype(object).tolist()
    assert sides == [country if country in ("tajikistan", "afghanistan") else None for country in countries]
    assert points["frontier_stretch"].notna().all()


# The article's events placed on a point (layers/events/): the two posts, Dushanbe, Kabul and the
# Panjshir and Andarab valleys; every other event stands on an area and has no km along.
ARTICLE_POINTS = {"us-funds-ayvoj-post", "china-shaymak-post", "majlisi-oli-russian-grant",
                  "chuianzoda-kabul-mission", "nrf-offensive-panjshir-valley", "nrf-offensive-andarab-valley"}


def test_panj_events_gives_each_point_its_km_along_and_bank(tmp_path: Path, monkeypatch, capsys, layers) -> None:
    # What ``panj events`` writes for the shipped article, checked against the equidistant conic's
    # projection onto the frontier layer's line and the countries layer's polygons.
    monkeypatch.setenv("PANJ_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PANJ_DATABASE_URL", raising=False)
    assert main(["events", "--format", "csv", "--csv-geometry", "latlon"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    points = [row for row in rows if row["frontier_along_km"] not in ("", None)]
    assert {row["id"] for row in points} == ARTICLE_POINTS
    lon, lat = np.array([float(row["lon"]) for row in points]), np.array([float(row["lat"]) for row in points])
    expected = _projected_along_km(layers["frontier"].frame.geometry.union_all(), lon, lat)
    assert [float(row["frontier_along_km"]) for row in points] == pytest.approx(list(expected), abs=TOLERANCE_KM)
    countries = layers["countries"].frame
    for row, x, y in zip(points, lon, lat, strict=True):
        holding = set(countries[countries.geometry.covers(shapely.Point(x, y))]["id"]) & {"tajikistan", "afghanistan"}
        assert {row["frontier_side"]} == holding, row["id"]


# A frontier along 37°N from 67°E to 75°E: 89.0 km a degree of longitude there (the WGS84 37th
# parallel, as tests/test_app_trends.py has it) and 11.1 km a tenth of a degree of latitude; the km
# below are read off those, with half a km's slack for rounding and the great circle's bulge.
PARALLEL = Frontier(shapely.LineString([(67.0, 37.0), (75.0, 37.0)]))
KM_PER_DEGREE = 89.0


@pytest.mark.parametrize(("place", "parts", "expected_km"), [
    # A box north of the line from 71°E to 72°E, touching it: 0 along 356-445 km, else the km along to 71°E or 72°E.
    (shapely.box(71.0, 37.0, 72.0, 38.0), [(0.0, 100.0), (300.0, 400.0), (400.0, 500.0), (600.0, 712.0)],
     [4 * KM_PER_DEGREE - 100, 0.0, 0.0, 600 - 5 * KM_PER_DEGREE]),
    # The same box 0.1° (11.1 km) north of the line: that far from the part beside it.
    (shapely.box(71.0, 37.1, 72.0, 38.0), [(400.0, 420.0)], [11.1]),
    # A line crossing the frontier at 70°E, and an area holding the whole line: 0 where they meet.
    (shapely.LineString([(70.0, 36.5), (70.0, 37.5)]), [(260.0, 270.0), (0.0, 200.0)],
     [0.0, 3 * KM_PER_DEGREE - 200]),
    (shapely.box(66.0, 36.0, 76.0, 38.0), [(0.0, 1.0), (700.0, 712.0)], [0.0, 0.0]),
])
def test_an_areas_distance_to_each_part_of_the_frontier(place, parts, expected_km) -> None:
    reach = PARALLEL.area_reach({"place": place})
    assert reach.place_rows(["place", "elsewhere"]).tolist() == [0, -1]
    got = reach.to_parts(np.array([part[0] for part in parts]), np.array([part[1] for part in parts]))[0]
    assert got == pytest.approx(expected_km, abs=0.5)


def test_an_area_lies_on_the_stretches_nearest_it() -> None:
    stretches = [Stretch("west", "West", 0.0, 267.0), Stretch("middle", "Middle", 267.0, 445.0),
                 Stretch("east", "East", 445.0, PARALLEL.length_km)]
    reach = PARALLEL.area_reach({"touching": shapely.box(71.0, 37.0, 73.0, 38.0),  # 356-534 km: middle and east
                                 "north": shapely.box(67.5, 37.3, 68.0, 38.0),  # 33 km north of the west
                                 "line": shapely.LineString([(67.0, 37.0), (75.0, 37.0)])}, stretches)
    assert reach.nearest_stretches(stretches) == {"touching": ("middle", "east"), "north": ("west",),
                                                  "line": ("west", "middle", "east")}
