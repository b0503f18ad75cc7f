"""Facts about the committed layers, checked with plain json + shapely + pyproj.

These tests read ``layers/*.geojson`` directly (not through ``geo.build``) so they run
without the build extra. Distances use a local azimuthal equidistant projection centred
on the thing measured, or pyproj's geodesic on WGS84.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import Point, shape

LAYERS = Path(__file__).resolve().parent.parent / "layers"
GEOD = Geod(ellps="WGS84")
ID_RE = re.compile(r"^[a-z0-9-]+$")

REQUIRED_IDS = {
    "frontier": {"frontier"},
    "gbao": {"gbao"},
    "wakhan": {"wakhan"},
    "posts": {"ayvoj", "shaymak"},
    "countries": {"tajikistan", "afghanistan", "uzbekistan", "kyrgyzstan", "china", "pakistan"},
    "provinces": {"badakhshan", "takhar", "kunduz", "panjshir", "baghlan", "khatlon", "gbao"},
    "places": {
        "dushanbe", "kabul", "khorugh", "murghob", "ishkashim", "shahritus", "faizabad",
        "taloqan", "kunduz", "panjshir-valley", "andarab-valley",
    },
}
DRAWING_ORDER = ["countries", "provinces", "gbao", "wakhan", "frontier", "places", "posts"]


@cache
def layer(layer_id: str) -> dict:
    return json.loads((LAYERS / f"{layer_id}.geojson").read_text(encoding="utf-8"))


@cache
def geom(layer_id: str, feature_id: str):
    for feat in layer(layer_id)["features"]:
        if feat["properties"]["id"] == feature_id:
            return shape(feat["geometry"])
    raise KeyError(f"{layer_id}:{feature_id}")


def aeqd(lon: float, lat: float):
    """A function projecting geometries to metres around (lon, lat)."""
    tr = Transformer.from_crs("EPSG:4326", f"+proj=aeqd +lon_0={lon} +lat_0={lat} +datum=WGS84", always_xy=True)
    return lambda g: shapely.transform(g, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def area_km2(g) -> float:
    return abs(GEOD.geometry_area_perimeter(g)[0]) / 1e6


def distance_km(point: Point, other) -> float:
    """Geodesic distance from a point to a geometry (exact in an AEQD centred on the point)."""
    project = aeqd(point.x, point.y)
    return project(point).distance(project(other)) / 1000


# ------------------------------------------------------------------ frontier


def test_frontier_length_is_osm_resolution():
    length_km = GEOD.geometry_length(geom("frontier", "frontier")) / 1000
    # 1,357 km (843 miles) is the published length; Natural Earth's ~1,170 km would fail.
    assert 1357 * 0.97 <= length_km <= 1357 * 1.03, length_km
    assert layer("frontier")["features"][0]["properties"]["length_km"] == pytest.approx(length_km, abs=0.1)


def test_frontier_is_the_shared_edge_of_the_two_countries():
    frontier = geom("frontier", "frontier")
    project = aeqd(*frontier.centroid.coords[0])
    tj = project(geom("countries", "tajikistan").boundary)
    af = project(geom("countries", "afghanistan").boundary)
    vertices = shapely.points(shapely.get_coordinates(project(frontier)))
    assert max(shapely.distance(vertices, tj)) < 1.0  # metres
    assert max(shapely.distance(vertices, af)) < 1.0


# ------------------------------------------------------------------ GBAO


def test_gbao_area():
    assert 64_100 * 0.97 <= area_km2(geom("gbao", "gbao")) <= 64_100 * 1.03


def test_gbao_equals_the_provinces_gbao():
    assert shapely.equals_exact(geom("gbao", "gbao"), geom("provinces", "gbao"), tolerance=0)


def test_gbao_afghan_edge_is_the_frontier():
    frontier = geom("frontier", "frontier")
    gbao = geom("gbao", "gbao")
    project = aeqd(72.0, 37.5)
    dist = shapely.distance(shapely.points(shapely.get_coordinates(project(frontier))), project(gbao.boundary))
    on_gbao = [i for i, d in enumerate(dist) if d < 100]
    stretch = dist[on_gbao[0]: on_gbao[-1] + 1]
    # No gap: every frontier vertex between the first and last on GBAO is on GBAO too.
    assert max(stretch) < 100, max(stretch)
    stretch_line = shapely.LineString(shapely.get_coordinates(frontier)[on_gbao[0]: on_gbao[-1] + 1])
    # GBAO holds most of the frontier (the rest is Khatlon's, west of the Panj bend).
    assert 800 < GEOD.geometry_length(stretch_line) / 1000 < 1200


# ------------------------------------------------------------------ Wakhan


def wakhan_edges():
    """(Tajik-facing edge, Pakistan-facing edge) of the Wakhan, in metres around its centre."""
    wakhan = geom("wakhan", "wakhan")
    project = aeqd(*wakhan.centroid.coords[0])
    boundary = project(wakhan.boundary)
    tajik = boundary.intersection(project(geom("frontier", "frontier")).buffer(100))
    pakistan = boundary.intersection(project(geom("countries", "pakistan")).buffer(5_000))
    return tajik, pakistan


def test_wakhan_area():
    assert 9_500 <= area_km2(geom("wakhan", "wakhan")) <= 12_000


def test_wakhan_narrowest_width():
    tajik, pakistan = wakhan_edges()
    assert not tajik.is_empty and not pakistan.is_empty
    assert 12_000 <= tajik.distance(pakistan) <= 20_000, tajik.distance(pakistan)


def test_wakhan_tajik_edge_is_the_frontier():
    wakhan = geom("wakhan", "wakhan")
    frontier = geom("frontier", "frontier")
    project = aeqd(*wakhan.centroid.coords[0])
    cut_lon = layer("wakhan")["features"][0]["properties"]["cut_lon"]
    east = shapely.get_coordinates(frontier)
    east = east[east[:, 0] >= cut_lon]
    dist = shapely.distance(shapely.points(shapely.get_coordinates(project(shapely.multipoints(east)))), project(wakhan.boundary))
    assert max(dist) < 100, max(dist)
    tajik, _ = wakhan_edges()
    frontier_east_km = GEOD.geometry_length(shapely.LineString(east)) / 1000
    assert tajik.length / 1000 == pytest.approx(frontier_east_km, rel=0.02)


def test_wakhan_does_not_overlap_gbao():
    assert area_km2(geom("wakhan", "wakhan").intersection(geom("gbao", "gbao"))) < 1.0


# ------------------------------------------------------------------ posts


@pytest.mark.parametrize("post_id", ["ayvoj", "shaymak"])
def test_posts_in_tajikistan_near_frontier(post_id):
    post = geom("posts", post_id)
    assert geom("countries", "tajikistan").contains(post)
    assert distance_km(post, geom("frontier", "frontier")) <= 40


def test_shaymak_in_gbao_and_ayvoj_in_khatlon():
    assert geom("gbao", "gbao").contains(geom("posts", "shaymak"))
    assert geom("provinces", "khatlon").contains(geom("posts", "ayvoj"))


def test_posts_cite_their_locations():
    for feat in layer("posts")["features"]:
        props = feat["properties"]
        assert props["location_sources"] and all(isinstance(s, str) and s for s in props["location_sources"])
        assert props["location_precision_m"] >= 1000
        assert props["spellings"]
    posts = {feat["properties"]["id"]: feat["properties"] for feat in layer("posts")["features"]}
    # What the article says of each post, each fact with its citations: the US *plans* to help fund
    # Ayvoj, reported 1 September 2021, for 2022 (paragraph 3); China built the post near Shaymak
    # (paragraph 4, two reports). Nothing it does not say: no funder of Shaymak, no building date.
    [ayvoj] = posts["ayvoj"]["facts"]
    assert (ayvoj["status"], ayvoj["reported"], ayvoj["planned_for"]) == ("planned", "2021-09-01", "2022")
    assert [citation["paragraph"] for citation in ayvoj["citations"]] == [3]
    [shaymak] = posts["shaymak"]["facts"]
    assert shaymak["status"] == "occurred" and "since" not in shaymak
    assert sorted(c["source_date"] for c in shaymak["citations"]) == ["2021-10-29", "2021-12-07"]
    assert not {"funded_by", "built_by", "since"} & (set(posts["ayvoj"]) | set(posts["shaymak"]))
    # The map draws a planned facility hollow, and its name says so.
    assert (posts["ayvoj"]["status"], posts["ayvoj"]["name"]) == ("planned", "Ayvoj border guard facility (planned)")
    assert posts["shaymak"]["status"] == "built"


def test_ayvoj_is_where_the_confluence_page_puts_ayvadzh():
    # The Degree Confluence Project's page for 37 N 68 E: "3.7 km (2.3 miles) NW of Ayvadzh".
    azimuth, _, metres = GEOD.inv(68.0, 37.0, *geom("posts", "ayvoj").coords[0])
    assert metres == pytest.approx(3700, abs=50)
    assert azimuth == pytest.approx(135, abs=11.25)  # south-east, to a 16-point compass's precision


# ------------------------------------------------------------------ places


def test_places_fall_in_their_countries():
    for feat in layer("places")["features"]:
        props = feat["properties"]
        assert props["kind"] in {"capital", "town", "valley"}
        assert geom("countries", props["country"]).contains(shape(feat["geometry"])), props["id"]


def test_valley_places_sit_in_their_provinces():
    assert geom("provinces", "panjshir").contains(geom("places", "panjshir-valley"))
    assert geom("provinces", "baghlan").contains(geom("places", "andarab-valley"))
    assert geom("provinces", "badakhshan").contains(geom("places", "faizabad"))


# ------------------------------------------------------------------ all layers


def layer_ids() -> list[str]:
    return sorted(p.stem for p in LAYERS.glob("*.geojson"))


@pytest.mark.parametrize("layer_id", sorted(REQUIRED_IDS))
def test_required_feature_ids(layer_id):
    ids = [f["properties"]["id"] for f in layer(layer_id)["features"]]
    assert REQUIRED_IDS[layer_id] <= set(ids)


@pytest.mark.parametrize("layer_id", layer_ids())
def test_features_have_unique_ids_and_names(layer_id):
    data = layer(layer_id)
    assert data["type"] == "FeatureCollection"
    ids = [f["properties"]["id"] for f in data["features"]]
    assert len(ids) == len(set(ids))
    assert all(ID_RE.match(i) for i in ids)
    assert all(isinstance(f["properties"]["name"], str) and f["properties"]["name"] for f in data["features"])


def _numbers(coords):
    if isinstance(coords, (int, float)):
        yield coords
    else:
        for c in coords:
            yield from _numbers(c)


@pytest.mark.parametrize("layer_id", layer_ids())
def test_coordinates_have_at_most_six_decimals(layer_id):
    for feat in layer(layer_id)["features"]:
        numbers = list(_numbers(feat["geometry"]["coordinates"]))
        assert all(round(x, 6) == x for x in numbers)
        assert all(-180 <= x <= 180 for x in numbers[0::2]) and all(-90 <= y <= 90 for y in numbers[1::2])


@pytest.mark.parametrize("layer_id", layer_ids())
def test_geometries_valid_and_right_hand_wound(layer_id):
    for feat in layer(layer_id)["features"]:
        g = shape(feat["geometry"])
        assert shapely.is_valid(g), (layer_id, feat["properties"]["id"], shapely.is_valid_reason(g))
        for poly in shapely.get_parts(g):
            if poly.geom_type != "Polygon":
                continue
            assert poly.exterior.is_ccw
            assert not any(ring.is_ccw for ring in poly.interiors)


def test_provinces_tile_each_country():
    for country in ("tajikistan", "afghanistan"):
        parts = [shape(f["geometry"]) for f in layer("provinces")["features"] if f["properties"]["country"] == country]
        union_km2 = area_km2(shapely.union_all(parts))
        assert union_km2 == pytest.approx(area_km2(geom("countries", country)), rel=1e-3)
        assert sum(area_km2(p) for p in parts) == pytest.approx(union_km2, rel=1e-3)  # no overlaps


# ------------------------------------------------------------------ manifest


def test_manifest_lists_every_layer_in_drawing_order():
    manifest = json.loads((LAYERS / "manifest.json").read_text(encoding="utf-8"))
    ids = [entry["id"] for entry in manifest["layers"]]
    assert ids == DRAWING_ORDER
    assert set(ids) == set(layer_ids())
    fields = {"id", "title", "geometry", "group", "visible", "style", "label_field", "source", "license", "attribution", "derivation"}
    for entry in manifest["layers"]:
        assert fields <= entry.keys(), entry["id"]
        assert entry["geometry"] in {"Point", "LineString", "Polygon"}
        assert entry["group"] in {"mission", "context"}
        kinds = {f["geometry"]["type"].removeprefix("Multi") for f in layer(entry["id"])["features"]}
        assert kinds == {entry["geometry"]}, entry["id"]
    frontier = manifest["layers"][ids.index("frontier")]
    assert frontier["style"]["weight"] == 3 and frontier["visible"]
