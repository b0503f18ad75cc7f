"""geo/labels.py: layers/labels.json's validation, the anchors computed from the layers, ranks
from a place's kind, and the label data reaching the page as JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import shapely
from shapely.geometry import Point
from snapshots import snapshot_of

from geo import assets, labels, mapview
from geo.layers import LAYERS_DIR, load_layers
from geo.placement import home_bounds


@pytest.fixture(scope="module")
def layers():
    return load_layers()


@pytest.fixture(scope="module")
def drawn(layers):
    return labels.map_labels(labels.load_label_rules(layers=layers), layers)


def test_shipped_rules_load_against_the_layers(layers) -> None:
    rules = labels.load_label_rules(LAYERS_DIR, layers)
    assert rules.rank_ids()[0] == "country"
    assert {rule.layer for rule in rules.layers} >= {"countries", "places", "posts"}
    assert {river.name for river in rules.rivers} >= {"Panj", "Amu Darya"}
    assert all("68.3147" in river.source for river in rules.rivers if river.name in ("Panj", "Amu Darya"))


def test_without_the_file_there_are_no_labels(tmp_path: Path, layers) -> None:
    assert labels.load_label_rules(tmp_path, layers) == labels.NO_LABELS


def test_every_problem_is_reported_at_once(tmp_path: Path, layers) -> None:
    (tmp_path / labels.LABELS_NAME).write_text(json.dumps({
        "ranks": [{"id": "town", "size": 9, "min_zoom": 5}, {"id": "town", "size": 1, "min_zoom": -1},
                  {"id": "river", "size": 1, "min_zoom": 6, "colour": "blue", "off_view": "yes"}],
        "layers": [{"layer": "places", "rank": "city", "rank_by_kind": {"capital": "capitol"}},
                   {"layer": "nowhere", "rank": "town"}, {"layer": "frontier", "rank": "town"},
                   {"layer": "posts", "rank": "town", "text_field": "nickname"}],
        "rivers": [{"layer": "frontier", "name": "Panj", "west": 72, "east": 68, "labels": 0, "source": ""},
                   {"layer": "places", "name": "", "west": 60, "east": 200, "labels": 1}],
        "colours": {},
    }), encoding="utf-8")
    with pytest.raises(labels.LabelsError) as caught:
        labels.load_label_rules(tmp_path, layers)
    found = {(problem.item, problem.field) for problem in caught.value.problems}
    assert found == {
        ("file", "colours"),
        ("rank 'town'", "size"), ("rank 'town'", "id"), ("rank 'town'", "min_zoom"), ("rank 'river'", "colour"), ("rank 'river'", "off_view"),
        ("layer 'places'", "rank"), ("layer 'places'", "rank_by_kind.capital"),
        ("layer 'nowhere'", "layer"), ("layer 'frontier'", "layer"), ("layer 'posts'", "text_field"),
        ("river 'Panj'", "east"), ("river 'Panj'", "labels"), ("river 'Panj'", "source"),
        ("river #2", "layer"), ("river #2", "name"), ("river #2", "east"), ("river #2", "source"),
    }
    assert str(tmp_path / labels.LABELS_NAME) in str(caught.value)


def test_ranks_come_from_the_kind(drawn) -> None:
    rank = {(label["layer"], label["feature"]): label["rank"] for label in drawn}
    assert rank["places", "dushanbe"] == rank["places", "kabul"] == "capital"
    assert rank["places", "khorugh"] == "town"
    assert rank["places", "panjshir-valley"] == rank["places", "andarab-valley"] == "valley"
    assert rank["posts", "ayvoj"] == rank["posts", "shaymak"] == "post"
    assert rank["countries", "afghanistan"] == "country"
    order = labels.load_label_rules().rank_ids()
    assert [order.index(label["rank"]) for label in drawn] == sorted(order.index(label["rank"]) for label in drawn)


def test_anchors_lie_inside_their_features(drawn, layers) -> None:
    for label in drawn:
        if label["kind"] == "line":
            continue
        geometry = layers[label["layer"]].frame.geometry[label["feature"]]
        for anchor in label["anchors"]:
            lat, lon = anchor["at"]
            assert geometry.distance(Point(lon, lat)) < 1e-3, (label["text"], anchor)
            if label["kind"] == "area":
                (south, west), (north, east) = anchor["extent"]
                assert west <= lon <= east and south <= lat <= north


def test_a_country_off_its_middle_is_named_where_it_is_seen(drawn, layers) -> None:
    # Afghanistan's pole is in the middle of the country, far south of the frontier: one of its
    # anchors is inside the view the map opens on.
    west, south, east, north = home_bounds(layers)
    afghanistan = next(label for label in drawn if label["feature"] == "afghanistan")
    assert not (south <= afghanistan["anchors"][0]["at"][0] <= north)
    assert any(west <= lon <= east and south <= lat <= north for lat, lon in (a["at"] for a in afghanistan["anchors"][1:]))


def test_river_names_follow_their_stretch_of_the_frontier(drawn, layers) -> None:
    frontier = shapely.union_all(layers["frontier"].frame.geometry.to_numpy())
    rivers = {river.name: river for river in labels.load_label_rules().rivers}
    names = [label for label in drawn if label["kind"] == "line"]
    assert [label["text"] for label in names].count("Panj") == rivers["Panj"].labels
    for label in names:
        river = rivers[label["text"]]
        for anchor in label["anchors"]:
            lat, lon = anchor["at"]
            assert river.west <= lon <= river.east
            assert frontier.distance(Point(lon, lat)) < 1e-4  # on the line, to the 4 decimals sent
            assert len(anchor["along"]) == 2


def test_labels_reach_the_map_as_a_static_json_file() -> None:
    snapshot = snapshot_of()
    html = mapview.standalone_html(mapview.build_base_map(snapshot.map_layers, snapshot.vocabulary,
                                                          basemaps=snapshot.basemaps, data=snapshot.map_data()))
    [url] = re.findall(r'new PanjLabels\(window\.panjMap, "([^"]+)"\);', html)
    assert re.fullmatch(r"/app/static/vendor/data/[0-9a-f]{16}/labels\.json", url) and "panj-map-bundle.js" in html
    data = json.loads(assets.local_file(url).read_text(encoding="utf-8"))
    assert "Khorugh" in [label["text"] for label in data["labels"]]
    assert "Khorugh" not in html  # the base map, sent on every rerun, carries only the address
