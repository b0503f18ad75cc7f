"""A synthetic GeoJSON of a few hundred events with faults planted at known rows, streamed into a
SQLite store (``Store.import_file``, chunks of a few rows): the report names each fault's row, field
and reason, and the store holds every other row as the file gives it. The expectations are written
out by hand from the planted faults, not worked out by the importer's code; ``parse_event``'s own
reasons for fields missing, unknown or renamed are checked the same way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo import importers
from geo.bench.synthetic import write_events_file
from geo.events import load_vocabulary, parse_event
from geo.layers import LAYERS_DIR
from geo.problems import Problem
from geo.store import open_store

COUNT = 240
NAME = "Mixed"


def planted(path: Path) -> list[dict]:
    """The synthetic features of ``path`` with one fault (or one good variant) at each row below."""
    features = json.loads(path.read_text(encoding="utf-8"))["features"]

    def properties(row: int) -> dict:
        return features[row - 1]["properties"]

    properties(10)["start"] = "2020-13-45"
    properties(15)["start"], properties(15)["end"] = "2021-05-01", "2021-04-01"
    features[19]["geometry"] = {"type": "Point", "coordinates": [500.0, 37.0]}
    features[24]["geometry"] = {"type": "Point", "coordinates": [37.5, 69.0]}  # latitude and longitude swapped
    properties(30)["actors"] = ["Nobody Known"]
    properties(40)["id"] = properties(1)["id"]
    properties(60)["citations"] = [{**properties(60)["citations"][0], "page": 3}]
    properties(70)["citations"] = [{"paragraph": 1, "source": "A source"}]
    properties(80)["citations"][0]["source_date"] = "2020-02-30"
    properties(90)["citations"][0]["source_date"] = "2020-02-03"
    properties(100)["status"] = "rumoured"
    return features


def point_row(features: list[dict], start: int) -> int:
    """The first row from ``start`` whose feature is a point (its own place), to plant a geometry fault."""
    return next(row for row in range(start, len(features) + 1) if features[row - 1]["geometry"] is not None)


@pytest.fixture
def mixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[dict]]:
    source = tmp_path / "synthetic.geojson"
    write_events_file(source, COUNT)
    features = planted(source)
    # The geometry faults need point features: move them onto the first points at or after rows 20 and 25.
    for wanted in (20, 25):
        row = point_row(features, wanted)
        if row != wanted:
            features[wanted - 1]["geometry"], features[row - 1]["geometry"] = (features[row - 1]["geometry"],
                                                                               features[wanted - 1]["geometry"])
            features[row - 1]["geometry"] = json.loads(source.read_text(encoding="utf-8"))["features"][row - 1]["geometry"]
    assert all(features[row - 1]["geometry"] is not None for row in (20, 25))
    path = tmp_path / "mixed.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    monkeypatch.setattr(importers, "_CHUNK_ROWS", 7)  # many chunks, a fault near several of their edges
    return path, features


REJECTED = {  # row -> (field, the reason's start), written from the planted faults
    10: ("start", "invalid date '2020-13-45'"),
    15: ("end", "2021-04-01 is before start 2021-05-01"),
    20: ("geometry", "coordinates must be longitude (-180 to 180), latitude (-90 to 90)"),
    25: ("latitude", "latitude 69.0 and longitude 37.5 look swapped"),
    40: ("id", "duplicate event id 'synthetic-000001' (also feature 1)"),
    60: ("citations[1].page", "unknown field"),
    70: ("citations[1].source_date", "missing required field"),
    80: ("citations[1].source_date", "'2020-02-30' is not a date YYYY-MM-DD (or null)"),
    100: ("status", "'rumoured' is not one of occurred, ongoing, planned, announced"),
}


def test_a_mixed_file_stores_every_good_row_as_given_and_reports_each_fault(
        mixed: tuple[Path, list[dict]], tmp_path: Path) -> None:
    path, features = mixed
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    with open_store(url) as store:
        imported, dataset = store.import_file(NAME, path, source_file=path.name, licence="test", by="test",
                                              file_format="geojson", keep_good=True)
    assert dataset is not None and dataset.row_count == COUNT - len(REJECTED)
    rejected = {line.row: (line.field, line.reason) for line in imported.rejected}
    assert rejected.keys() == REJECTED.keys()
    for row, (field, reason) in REJECTED.items():
        assert rejected[row][0] == field and rejected[row][1].startswith(reason), (row, rejected[row])
    flagged = [(line.row, line.field) for line in imported.flagged]
    assert (30, "actors") in flagged

    with open_store(url) as store, store._transaction(write=False) as session:
        stored = {event_id: (row, json.loads(entry), json.loads(properties)) for event_id, row, entry, properties
                  in session.query("SELECT id, row_number, entry, properties FROM panj_events")}
        actors = session.query("SELECT id, name FROM panj_actors")
        searched = session.query("SELECT count(*) FROM panj_search")[0][0]
    kept_rows = [row for row in range(1, COUNT + 1) if row not in REJECTED]
    assert sorted(row for row, _, _ in stored.values()) == kept_rows
    assert searched == len(kept_rows)
    assert actors == [("nobody-known", "Nobody Known")]
    for row in kept_rows:
        given = features[row - 1]["properties"]
        _, entry, properties = stored[given["id"]]
        for name in ("title", "summary", "status", "event_type", "location_precision", "start", "citations"):
            assert entry.get(name) == given.get(name), (row, name)
        assert entry["actors"] == (["nobody-known"] if row == 30 else given["actors"])
        if "place" in given:
            assert entry["place"] == given["place"]
        else:  # a point of its own: a place of the dataset's, under the name the file gives it
            assert entry["place"].startswith(importers.places_layer_id(dataset.id) + ":")
            assert properties["place_name"] == given["place_name"]
    assert stored["synthetic-000090"][1]["citations"][0]["source_date"] == "2020-02-03"


GOOD = {"id": "e-1", "title": "A title", "summary": "A summary", "status": "occurred", "start": "2021-03",
        "actors": ["taliban"], "event_type": "statement", "place": "countries:afg", "location_precision": "country",
        "citations": [{"paragraph": 2, "source": "A source", "source_date": None}]}


@pytest.mark.parametrize(("change", "expected"), [
    ({}, []),
    ({"colour": "red"}, [("colour", "unknown field")]),
    ({"title": None}, [("title", "must be a non-empty string")]),
    ({"date_basis": "reported"}, [("date_basis", "removed: give 'start' for the event's own date, or 'reported' when "
                                                 "only a report's date is known")]),
    ({"citations": None, "citation": {"paragraph": 1}},
     [("citation", "renamed: write 'citations', a list of {paragraph, source, source_date, url}")]),
    ({"citations": [{"paragraph": 1, "source": "S", "source_date": "2021-02-28", "page": 1}]},
     [("citations[1].page", "unknown field")]),
    ({"citations": [{"paragraph": 0, "source": " ", "source_date": "2021-2-28"}]},
     [("citations[1].paragraph", "must be a paragraph number (1 or more)"),
      ("citations[1].source", "must be a non-empty string"),
      ("citations[1].source_date", "'2021-2-28' is not a date YYYY-MM-DD (or null)")]),
])
def test_an_entry_is_refused_for_each_field_missing_unknown_or_renamed(change: dict, expected: list) -> None:
    # None in ``change`` leaves the field out, except for the title, which is given as null.
    entry = {name: value for name, value in {**GOOD, **change}.items() if value is not None or name == "title"}
    problems: list[Problem] = []
    event = parse_event(entry, path=Path("f.json"), item="event 1", document_id="doc",
                        vocabulary=load_vocabulary(LAYERS_DIR), place_refs={"countries:afg"}, problems=problems)
    assert [(problem.field, problem.reason) for problem in problems] == expected
    assert (event is None) == bool(expected)
    if event is not None:
        assert (event.id, event.start.iso(), event.citations[0].paragraph) == ("e-1", "2021-03", 2)
