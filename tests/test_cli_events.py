"""``panj events``: the joined events as GeoJSON or CSV on standard output."""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geo.cli import main
from geo.layers import LAYERS_DIR

ROOT = Path(__file__).resolve().parents[1]
SMALL_LAYERS = Path(__file__).parent / "fixtures" / "layers_small"
IMPORTS = Path(__file__).parent / "fixtures" / "imports"
SMALL_EVENT_COUNT = 6


def test_geojson_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "--layers-dir", str(SMALL_LAYERS)]) == 0
    collection = json.loads(capsys.readouterr().out)
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == SMALL_EVENT_COUNT


@pytest.mark.parametrize(("option", "has_wkt"), [([], True), (["--csv-geometry", "wkt"], True), (["--csv-geometry", "latlon"], False)])
def test_csv(capsys: pytest.CaptureFixture[str], option: list[str], has_wkt: bool) -> None:
    assert main(["events", "--format", "csv", "--layers-dir", str(SMALL_LAYERS), *option]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == SMALL_EVENT_COUNT
    assert {"lon", "lat"} <= set(rows[0])
    assert ("wkt" in rows[0]) is has_wkt


@pytest.mark.parametrize(
    "argv",
    [
        ["events", "--bogus"],
        ["events", "--format", "kml"],
        ["events", "--csv-geometry", "latlon"],  # CSV option without --format csv
        ["events", "--format", "csv", "--csv-geometry", "xy"],
    ],
)
def test_bad_option_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "usage: panj events" in capsys.readouterr().err


def test_invalid_data_exits_1_names_the_problem_and_logs_it(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, tmp_path: Path,
) -> None:
    broken = tmp_path / "layers"
    broken.mkdir()
    for source in SMALL_LAYERS.glob("*.*"):
        (broken / source.name).write_bytes(source.read_bytes())
    (broken / "events").mkdir()
    bad = Path(__file__).parent / "fixtures" / "events" / "unknown-actor" / "events" / "unknown-actor.json"
    (broken / "events" / "unknown-actor.json").write_bytes(bad.read_bytes())
    assert main(["events", "--layers-dir", str(broken)]) == 1
    problem = "unknown-actor.json: event 'good-event', field 'actors': unknown actor 'martians'"
    assert problem in capsys.readouterr().err
    assert any(record.levelname == "ERROR" and problem in record.getMessage() for record in caplog.records)


@pytest.mark.skipif(not (LAYERS_DIR / "manifest.json").exists(), reason="the derived layers are not built yet")
def test_module_entry_point_on_the_article() -> None:
    """The real command, as a user runs it: one feature per article event."""
    result = subprocess.run(
        [sys.executable, "-m", "geo", "events"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    events = json.loads((LAYERS_DIR / "events" / "edm-v19-i92.json").read_text(encoding="utf-8"))["events"]
    features = json.loads(result.stdout)["features"]
    assert len(features) == len(events)
    assert {feature["id"] for feature in features} == {event["id"] for event in events}


def test_csv_says_which_cells_it_replaced(capsys: pytest.CaptureFixture[str]) -> None:
    # Afghanistan's outline as WKT is far over a spreadsheet's 32,767-character cell: the shipped
    # country-wide events get their place reference instead, and stderr says so.
    assert main(["events", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert max(len(cell) for row in rows for cell in row.values() if cell) <= 32_767
    assert "countries:afghanistan" in {row["wkt"] for row in rows}
    assert "note:" in captured.err and "countries:afghanistan" in captured.err


def test_old_region_id_reads_as_its_replacement(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # ?region=province:gbao links predate GBAO being offered once, as "gbao": still a known region
    # (the run then stops at the missing browser, 1, not at the option, 2).
    argv = ["export", "--out", str(tmp_path / "map.png"), "--region", "province:gbao", "--browser", "/nonexistent"]
    assert main(argv) == 1
    assert "unknown region" not in capsys.readouterr().err


# --- read commands never write ---------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "status"), [
    (["events", "--layers-dir", str(SMALL_LAYERS)], 0),
    (["events", "--help"], 0),
    (["export", "--help"], 0),
    (["export", "--out", "{tmp}/map.png", "--browser", "/nonexistent"], 1),  # stops at the missing browser
    (["datasets"], 0),
    (["datasets", "--trash"], 0),
    (["datasets", "--log"], 0),
])
def test_read_commands_leave_an_empty_data_directory_empty(
    argv: list[str], status: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("PANJ_DATA_DIR", str(data))
    assert main([part.format(tmp=tmp_path) for part in argv]) == status
    assert list(data.iterdir()) == []


def test_events_of_another_data_directory_leave_the_store_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    from geo.store import open_store

    other = tmp_path / "other"
    shutil.copytree(LAYERS_DIR, other)
    (other / "events" / "edm-v19-i92.json").unlink()
    shutil.copy(IMPORTS / "second-article.json", other / "events" / "second-article.json")
    assert main(["import", str(IMPORTS / "events.geojson"), "--name", "Field notes"]) == 0  # loads layers/events too

    def store_state() -> tuple:
        with open_store() as store:
            return store.datasets(), store.revision(), store.log()

    before = store_state()
    assert [(dataset.name, dataset.shipped) for dataset in before[0]] == [("Field notes", False), ("edm-v19-i92", True)]
    capsys.readouterr()
    assert main(["events", "--layers-dir", str(other), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert sorted({row["dataset"] for row in rows}) == ["Field notes", "second-article"]
    assert store_state() == before


def test_a_bug_is_logged_with_its_traceback_not_reported_as_bad_data(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:
    import geo.compactread

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(geo.compactread, "read_compact", broken)  # the read every command goes through
    assert main(["events", "--layers-dir", str(SMALL_LAYERS)]) == 1
    err = capsys.readouterr().err
    assert "unexpected KeyError (a bug in Panj" in err and "cannot read" not in err
    [record] = [record for record in caplog.records if record.levelname == "ERROR"]
    assert record.exc_info is not None and record.exc_info[0] is KeyError


# --- geometry and distances of the article's events ------------------------------------------------

# The article's events placed on a whole country (location_precision "country" in
# layers/events/edm-v19-i92.json), and the country each stands on.
COUNTRY_WIDE = {
    "taliban-takeover": "countries:afghanistan", "taliban-claims-calm": "countries:afghanistan",
    "isisk-contests-taliban": "countries:afghanistan", "taliban-accuse-tajikistan": "countries:afghanistan",
    "hekmatyar-threat": "countries:afghanistan", "isisk-rockets-into-tajikistan": "countries:tajikistan",
    "russia-security-assistance": "countries:tajikistan", "us-security-funding": "countries:tajikistan",
    "china-assists-tajikistan": "countries:tajikistan", "russia-201st-stationed": "countries:tajikistan",
    "russia-201st-strength": "countries:tajikistan",
    "tajikistan-demands-inclusive-government": "countries:tajikistan", "tajikistan-backs-massoud": "countries:tajikistan",
}
# Events on a province, a region or a post: their distances apply.
PLACED = ("gbao-protests", "resistance-baghlan", "us-funds-ayvoj-post", "chuianzoda-kabul-mission")
AREA_PLACES = {"countries:afghanistan", "countries:tajikistan", "gbao:gbao", "frontier:frontier",
               "provinces:baghlan", "provinces:panjshir", "provinces:badakhshan", "provinces:takhar"}
# Each country's extent, rounded outwards (W, S, E, N): a symbol point lies inside its country's.
COUNTRY_BOXES = {"countries:afghanistan": (60.4, 29.3, 75.0, 38.5), "countries:tajikistan": (67.3, 36.6, 75.2, 41.1)}
MAX_BYTES_PER_EVENT = 2048
DISTANCES = ("frontier_km", "nearest_post", "nearest_post_km")

article = pytest.mark.skipif(not (LAYERS_DIR / "manifest.json").exists(), reason="the derived layers are not built yet")


def _events(capsys: pytest.CaptureFixture[str], *options: str) -> tuple[str, dict]:
    assert main(["events", *options]) == 0
    text = capsys.readouterr().out
    return text, json.loads(text)


@article
def test_points_by_default_keep_the_file_proportional_to_its_events(capsys: pytest.CaptureFixture[str]) -> None:
    text, collection = _events(capsys)
    features = {feature["id"]: feature for feature in collection["features"]}
    assert len(text.encode("utf-8")) / len(features) < MAX_BYTES_PER_EVENT
    assert {feature["geometry"]["type"] for feature in features.values()} == {"Point"}
    assert "places" not in collection
    for event_id, place in COUNTRY_WIDE.items():
        assert features[event_id]["properties"]["place"] == place
        west, south, east, north = COUNTRY_BOXES[place]
        lon, lat = features[event_id]["geometry"]["coordinates"]
        assert west <= lon <= east and south <= lat <= north, (event_id, lon, lat)


@article
def test_ref_writes_each_area_once_beside_the_points(capsys: pytest.CaptureFixture[str]) -> None:
    text, collection = _events(capsys, "--geometry", "ref")
    assert {feature["geometry"]["type"] for feature in collection["features"]} == {"Point"}
    places = collection["places"]["features"]
    assert sorted(place["id"] for place in places) == sorted(AREA_PLACES)
    kinds = {place["id"]: place["geometry"]["type"] for place in places}
    assert kinds["countries:afghanistan"] in {"Polygon", "MultiPolygon"}
    assert kinds["frontier:frontier"] in {"LineString", "MultiLineString"}
    assert {feature["properties"]["place"] for feature in collection["features"]} >= AREA_PLACES


@article
def test_full_gives_each_event_its_area(capsys: pytest.CaptureFixture[str]) -> None:
    _, collection = _events(capsys, "--geometry", "full")
    kinds = {feature["id"]: feature["geometry"]["type"] for feature in collection["features"]}
    assert {kinds[event_id] for event_id in COUNTRY_WIDE} <= {"Polygon", "MultiPolygon"}
    assert kinds["us-funds-ayvoj-post"] == "Point"


@article
@pytest.mark.parametrize("geometry", ["point", "full"])
def test_a_country_wide_event_has_no_distances_in_geojson(capsys: pytest.CaptureFixture[str], geometry: str) -> None:
    _, collection = _events(capsys, "--geometry", geometry)
    properties = {feature["id"]: feature["properties"] for feature in collection["features"]}
    for event_id in COUNTRY_WIDE:
        assert [properties[event_id][column] for column in DISTANCES] == [None, None, None], event_id
    for event_id in PLACED:
        assert isinstance(properties[event_id]["frontier_km"], float), event_id
        assert properties[event_id]["nearest_post"], event_id


@article
def test_a_country_wide_event_has_no_distances_in_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "--format", "csv", "--csv-geometry", "latlon"]) == 0
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    for event_id in COUNTRY_WIDE:
        assert [rows[event_id][column] for column in DISTANCES] == ["", "", ""], event_id
    for event_id in PLACED:
        assert float(rows[event_id]["frontier_km"]) >= 0 and rows[event_id]["nearest_post"], event_id


@pytest.mark.parametrize("argv", [
    ["events", "--geometry", "outline"],
    ["events", "--format", "csv", "--geometry", "point"],  # GeoJSON option with CSV
])
def test_bad_geometry_option_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "usage: panj events" in capsys.readouterr().err


# The small fixture's frontier runs along 37°N from 67.5°E (fixtures/layers_small/frontier.geojson),
# so a point's km along it is the arc of that parallel from 67.5°E to the point's meridian:
# N(φ)·cos φ·Δλ, N the WGS84 prime-vertical radius. Its stretches split at 70°E.
_A, _E2 = 6_378_137.0, 0.00669437999014
_PARALLEL_KM_PER_DEGREE = (_A / (1 - _E2 * math.sin(math.radians(37)) ** 2) ** 0.5
                           * math.cos(math.radians(37)) * math.pi / 180 / 1000)
# event -> (frontier_side, on a point): sides as tests/test_join.py's DERIVED table has the countries.
FRONTIER_FIELDS = {
    "post-ayvoj": ("tajikistan", True), "post-shaymak": ("tajikistan", True),
    "kabul-meeting": ("afghanistan", True), "gbao-area": ("tajikistan", False),
}


@pytest.mark.parametrize("output", ["csv", "geojson"])
def test_frontier_fields_in_both_formats(capsys: pytest.CaptureFixture[str], output: str) -> None:
    assert main(["events", "--format", output, "--layers-dir", str(SMALL_LAYERS)]) == 0
    text = capsys.readouterr().out
    if output == "csv":
        rows = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    else:
        rows = {feature["id"]: feature["properties"] for feature in json.loads(text)["features"]}
    for event_id, (side, on_point) in FRONTIER_FIELDS.items():
        row = rows[event_id]
        assert row["frontier_side"] == side
        if not on_point:
            assert row["frontier_along_km"] in ("", None) and row["frontier_stretch"] in ("", None)
            continue
        lon = float(row["lon"])
        assert float(row["frontier_along_km"]) == pytest.approx((lon - 67.5) * _PARALLEL_KM_PER_DEGREE, abs=0.5)
        assert row["frontier_stretch"] == ("west" if lon < 70 else "east")
