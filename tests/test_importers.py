"""geo.importers: ACLED's CSV export, GeoJSON and Panj's own events format read into the event
model, and every bad input reported at once with its row, field and reason
(fixtures in tests/fixtures/imports)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from geo.cli import main
from geo.events import PartialDate, load_vocabulary
from geo.importers import (
    Existing,
    MappingError,
    detect_format,
    load_acled_mapping,
    places_layer_id,
    read_file,
)
from geo.join import join_events
from geo.layers import LAYERS_DIR, load_layers
from geo.store import open_store

IMPORTS = Path(__file__).parent / "fixtures" / "imports"
NAME = "Imported test"
PLACES = places_layer_id("imported-test")


def read(name: str, **options: object):
    return read_file(IMPORTS / name, dataset_name=NAME, **options)  # type: ignore[arg-type]


def by_id(imported) -> dict:
    return {event.event.id: event for event in imported.events}


def test_acled_export_maps_dates_precisions_actors_and_types() -> None:
    imported = read("acled.csv")
    assert imported.ok and imported.format == "acled"
    events = by_id(imported)
    assert list(events) == ["tjk101", "tjk102", "afg201", "afg202"]

    clash = events["tjk101"]  # time_precision 1, geo_precision 1
    assert clash.event.start == PartialDate(2022, 5, 18) and clash.event.end is None
    assert clash.event.status == "occurred" and clash.event.event_type == "offensive"
    assert clash.event.actors == ("tajik-government", "unidentified-armed-group-tajikistan", "pamiri-ethnic-group-tajikistan")
    assert clash.event.place == f"{PLACES}:rushon" and clash.event.location_precision == "locality"
    assert imported.places["rushon"].geometry.coords[0] == (71.56, 37.954)
    assert clash.event.summary.startswith("Clashes between government forces")  # notes
    assert clash.event.citations[0].source == "Asia-Plus" and clash.event.citations[0].paragraph == 2  # its row
    assert clash.properties["fatalities"] == 8 and clash.properties["admin2"] == "Rushon"
    assert "notes" not in clash.properties and "latitude" not in clash.properties

    week = events["tjk102"].event  # "18 May 2022" at time_precision 2: the week around it
    assert (week.start, week.end) == (PartialDate(2022, 5, 15), PartialDate(2022, 5, 21))
    assert week.event_type == "unrest"

    province = events["afg201"].event  # precision 3 for both: the month, and the province
    assert province.start == PartialDate(2021, 11)
    assert province.place == "provinces:badakhshan" and province.location_precision == "province"
    assert province.actors == ("isis-k", "taliban")

    arrests = events["afg202"].event  # associated actors are ';'-separated; notes empty: the title stands in
    assert arrests.actors == ("taliban", "civilians-afghanistan", "women-afghanistan", "teachers-afghanistan")
    assert arrests.event_type == "security-operation" and arrests.location_precision == "district"
    assert arrests.summary == arrests.title == "Arrests in Kunduz"

    assert imported.actors["women-afghanistan"].name == "Women (Afghanistan)"
    assert {line.field for line in imported.flagged} == {"actors"}  # each own actor said once


def test_an_older_export_with_its_own_columns_and_types() -> None:
    imported = read("acled-2017.csv")
    assert imported.ok, imported.lines
    first, second = imported.events
    assert first.event.start == PartialDate(2017, 8, 3) and first.event.event_type == "offensive"
    assert first.event.actors[0] == "taliban"
    assert second.event.start == PartialDate(2017, 8) and second.event.event_type == "unrest"
    assert "event_id_no_cnty" in first.properties


@pytest.mark.parametrize("written", ["2022-05-18", "18 May 2022", "18-May-2022", "18-05-2022", "18/05/2022"])
def test_acled_date_forms(written: str, tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text((IMPORTS / "acled.csv").read_text(encoding="utf-8").replace("2022-05-18", written, 1), encoding="utf-8")
    imported = read_file(path, dataset_name=NAME)
    assert imported.ok
    assert imported.events[0].event.start == PartialDate(2022, 5, 18)


@pytest.mark.parametrize(
    ("fixture", "row", "field", "reason"),
    [
        ("missing-column.csv", 1, "latitude", "missing column 'latitude' (the file has 'lat', 'lon', not ACLED's)"),
        ("bad-date.csv", 2, "event_date", "'May the 18th' is not a date"),
        ("swapped.csv", 2, "latitude", "look swapped"),
        ("out-of-range.csv", 2, "latitude", "97.9540 is outside -90 to 90"),
        ("latin-1.csv", None, None, "not UTF-8: byte 0xfc at line 2"),
        ("empty.csv", None, None, "the file is empty"),
        ("header-only.csv", None, None, "the file has a header but no rows"),
        ("bad.geojson", 1, "geometry", "'LineString' is not one of Point, Polygon, MultiPolygon"),
        ("bad.geojson", 2, "geometry", "coordinates must be longitude (-180 to 180)"),
        ("bad-article.json", None, "document.id", "must be lower-case letters, digits and hyphens"),
        ("bad-article.json", 1, "place", "unknown place reference 'posts:nowhere'"),
    ],
)
def test_each_bad_input_names_row_field_and_reason(fixture: str, row: int | None, field: str | None, reason: str) -> None:
    imported = read(fixture)
    assert not imported.ok
    assert any(line.row == row and line.field == field and reason in line.reason for line in imported.rejected), imported.rejected


def test_every_problem_of_every_row_at_once() -> None:
    imported = read("many-problems.csv")
    assert [(line.row, line.field) for line in imported.rejected] == [
        (2, "event_date"), (3, "time_precision"), (4, "event_type"), (5, "longitude")]
    assert imported.events == [] and not imported.ok


def test_geojson_rows_go_through_the_event_model() -> None:
    imported = read("bad.geojson")  # the model's own checks and messages, as for the article's events
    assert [(line.row, line.field, line.reason) for line in imported.rejected if line.row == 3] == [
        (3, "status", "missing required field"),
        (3, "start", "invalid date '2022-02-30': day 30 does not exist in February 2022"),
        (3, "event_type", "unknown event type 'picnic'"),
    ]


def test_a_point_outside_the_region_is_flagged_not_refused() -> None:
    imported = read("outside-region.csv")
    assert imported.ok
    outside = [line for line in imported.flagged if line.field == "latitude"]
    assert [line.row for line in outside] == [2] and "outside the region's countries" in outside[0].reason


def test_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    refused = read("acled.csv", max_bytes=100)
    assert not refused.ok and "over the import limit of 0.0 MB" in refused.rejected[0].reason
    monkeypatch.setenv("PANJ_IMPORT_MAX_MB", "0.0001")
    assert "over the import limit" in read("acled.csv").rejected[0].reason
    monkeypatch.setenv("PANJ_IMPORT_MAX_MB", "lots")
    with pytest.raises(ValueError, match="PANJ_IMPORT_MAX_MB"):
        read("acled.csv")


def test_geojson_points_polygons_and_layer_places() -> None:
    imported = read("events.geojson")
    assert imported.ok and imported.format == "geojson"
    events = by_id(imported)
    market = events["ishkashim-market"]  # the feature's id; the place is its point
    assert market.event.place == f"{PLACES}:ishkashim-bridge"
    assert market.properties == {"place_name": "Ishkashim bridge", "observer": "team B"}
    patrols = events["shugnan-patrols"].event  # a polygon is the event's area
    assert imported.places[patrols.place.split(":")[1]].geometry.geom_type == "Polygon"
    assert patrols.actors == ("border-troops-of-tajikistan",)  # a name, kept as the dataset's own actor
    assert events["khorugh-statement"].event.place == "places:khorugh"  # no geometry: a layer's feature


def test_geojson_with_acleds_names_is_mapped_like_a_row() -> None:
    imported = read("acled-properties.geojson")
    assert imported.ok
    event = imported.events[0].event
    assert event.id == "tjk301" and event.event_type == "unrest"
    assert event.actors == ("protesters-tajikistan", "tajik-interior-ministry")
    assert imported.events[0].properties["fatalities"] == 1


def test_panj_format_keeps_its_document() -> None:
    imported = read("second-article.json")
    assert imported.ok and imported.format == "panj"
    assert imported.document["id"] == "second-article"
    assert [event.event.document for event in imported.events] == ["second-article"] * 2


def test_what_a_store_holds_is_not_imported_again() -> None:
    existing = Existing(event_ids={"tjk101": "ACLED 2022"}, documents={"second-article": "Second"},
                        datasets={"imported-test": "Imported test"})
    acled = read("acled.csv", existing=existing)
    assert (2, "id", "event 'tjk101' is already in dataset 'ACLED 2022'") in [
        (line.row, line.field, line.reason) for line in acled.rejected]
    assert any(line.row is None and "already dataset 'Imported test'" in line.reason for line in acled.rejected)
    article = read_file(IMPORTS / "second-article.json", dataset_name="Other", existing=existing)
    assert [(line.field, line.reason) for line in article.rejected] == [
        ("document.id", "document 'second-article' is already dataset 'Second'")]


def test_report_csv_lists_accepted_and_rejected_rows_spreadsheet_safe(tmp_path: Path) -> None:
    path = tmp_path / "formula.csv"
    rows = (IMPORTS / "bad-date.csv").read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([rows[0] + ",=HYPERLINK(1)", *(row + "," for row in rows[1:])]) + "\n", encoding="utf-8")
    imported = read_file(path, dataset_name=NAME)
    table = list(csv.reader(io.StringIO(imported.report_csv())))
    assert table[0] == ["row", "outcome", "event_id", "field", "reason"]
    assert ["1", "flagged", "", "'=hyperlink(1)", "column '=hyperlink(1)' is not one of ACLED's: kept as a property"] in table
    assert ["2", "rejected", "tjk101", "event_date", "'May the 18th' is not a date (e.g. 2022-05-18 or 18 May 2022)"] in table
    assert [row[:3] for row in table if row[1] == "accepted"] == [["3", "accepted", "tjk102"], ["4", "accepted", "afg201"],
                                                               ["5", "accepted", "afg202"]]


def test_format_is_told_by_the_file() -> None:
    assert detect_format(IMPORTS / "acled.csv", "") == "acled"
    assert detect_format(IMPORTS / "events.geojson", (IMPORTS / "events.geojson").read_text()) == "geojson"
    assert detect_format(IMPORTS / "second-article.json", (IMPORTS / "second-article.json").read_text()) == "panj"


def test_the_acled_mapping_is_checked(tmp_path: Path) -> None:
    vocabulary = load_vocabulary()
    mapping = json.loads((Path(__file__).parents[1] / "layers" / "import-acled.json").read_text())
    mapping["actors"].append({"pattern": "(unclosed", "actor": "taliban"})
    mapping["actors"].append({"pattern": "Aliens", "actor": "martians"})
    mapping["event_types"].append({"acled_event_type": "Battles", "acled_sub_event_type": None, "event_type": "duel"})
    (tmp_path / "import-acled.json").write_text(json.dumps(mapping))
    with pytest.raises(MappingError) as raised:
        load_acled_mapping(tmp_path, vocabulary)
    assert [problem.field for problem in raised.value.problems] == ["pattern", "actor", "event_type"]


@pytest.mark.parametrize("name", ["acled.csv", "ucdp-ged.csv"])
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])  # Excel writes little-endian
def test_excels_unicode_text_is_read(name: str, encoding: str, tmp_path: Path) -> None:
    """Excel's "Unicode text": UTF-16 with its byte order mark, the cells separated by tabs."""
    with (IMPORTS / name).open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(rows)
    path = tmp_path / "unicode.txt"
    path.write_bytes(("\ufeff" + out.getvalue()).encode(encoding))  # the byte order mark first
    as_text, as_utf8 = read_file(path, dataset_name=NAME), read(name)
    assert as_text.ok and as_text.format == as_utf8.format
    assert [(event.row, event.entry) for event in as_text.events] == [(event.row, event.entry) for event in as_utf8.events]


def test_a_row_whose_country_disagrees_with_its_point_is_flagged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """AFG201 says Afghanistan, Badakhshan, but its point is moved over the Panj into Tajik
    Ishkashim (GBAO); the flag's distance is the one the page shows (geo.join's frontier_km)."""
    text = (IMPORTS / "acled.csv").read_text(encoding="utf-8").replace("37.1166,70.5800,3", "36.7270,71.6120,1")
    (tmp_path / "across.csv").write_text(text, encoding="utf-8")
    monkeypatch.delenv("PANJ_DATABASE_URL", raising=False)
    monkeypatch.setenv("PANJ_DATA_DIR", str(tmp_path / "data"))
    assert main(["import", str(tmp_path / "across.csv"), "--name", NAME, "--report", str(tmp_path / "report.csv")]) == 0
    with (tmp_path / "report.csv").open(encoding="utf-8", newline="") as file:
        flagged = [row for row in csv.DictReader(file) if row["field"] == "country"]
    assert [(row["row"], row["outcome"], row["event_id"]) for row in flagged] == [("4", "flagged", "afg201")]
    with open_store() as store:
        stored = store.events([NAME], shipped=False)
    layers = load_layers(LAYERS_DIR)
    frame = join_events(stored.events, {**layers, **stored.places}).set_index("id")
    assert (frame.loc["afg201", "country_id"], frame.loc["afg201", "province_id"]) == ("tajikistan", "gbao")
    assert flagged[0]["reason"] == ("the row says country 'Afghanistan', admin1 'Badakhshan', but its point (36.727, "
                                    "71.612) falls in Gorno-Badakhshan Autonomous Region, Tajikistan, "
                                    f"{frame.loc['afg201', 'frontier_km']:.1f} km from the frontier: it stays where "
                                    "its point falls (trusting the point)")


def test_the_report_says_what_each_rows_date_precision_means() -> None:
    """ACLED's codebook: time_precision 1 the day, 2 a week, 3 a month; acled.csv's rows have 1, 2, 3, 1."""
    table = list(csv.reader(io.StringIO(read("acled.csv").report_csv())))
    assert [row[2:] for row in table if row[1] == "accepted"] == [
        ["tjk101", "time_precision", "time_precision 1: known to the day"],
        ["tjk102", "time_precision", "time_precision 2: within a week of ACLED's date: stored as the seven days around it"],
        ["afg201", "time_precision", "time_precision 3: known to the month"],
        ["afg202", "time_precision", "time_precision 1: known to the day"],
    ]


# A GeoJSON point's coordinates as a file may write them, and what the import makes of each: accepted
# with that point, flagged outside the region, or refused with the reason's start (Ishkashim's
# bridge is at 71.611, 36.7125; 10, 10 is in Africa).
_POINT_FORMS = [
    ([71.611, 36.7125], "accepted", (71.611, 36.7125), None),
    ([71, 37], "accepted", (71.0, 37.0), None),
    ([71.611, 36.7125, 2400], "accepted", (71.611, 36.7125), None),
    ([10, 10], "flagged", (10.0, 10.0), "(10.0, 10.0) falls outside the region's countries (in the sea, or another country)"),
    ([36.7125, 71.611], "rejected", None, "latitude 71.611 and longitude 36.7125 look swapped"),
    ([200, 36.7], "rejected", None, "coordinates must be longitude (-180 to 180), latitude (-90 to 90)"),
    ([71.611, -95], "rejected", None, "coordinates must be longitude (-180 to 180), latitude (-90 to 90)"),
]


@pytest.mark.parametrize(("coordinates", "outcome", "point", "reason"), _POINT_FORMS)
def test_each_form_of_a_geojson_point(coordinates: list, outcome: str, point: tuple | None, reason: str | None,
                                      tmp_path: Path) -> None:
    # The point comes second, after a plain one, so the chunk's points are made together.
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": where},
                 "properties": {"id": f"point-{number}", "title": "A meeting", "summary": "A meeting at the bridge.",
                                "status": "occurred", "start": "2022-04", "actors": ["taliban"],
                                "event_type": "diplomacy", "location_precision": "locality", "place_name": "Bridge",
                                "citations": [{"paragraph": 1, "source": "Field notes", "source_date": None}]}}
                for number, where in ((1, [71.6, 36.7]), (2, coordinates))]
    path = tmp_path / "points.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    imported = read_file(path, dataset_name=NAME)
    lines = [(line.outcome, line.field, line.reason) for line in imported.lines if line.row == 2]
    events = {event.entry["id"]: event for event in imported.events}
    if outcome == "rejected":
        assert "point-2" not in events
        assert len(lines) == 1 and lines[0][:2] == ("rejected", "geometry" if "coordinates" in reason else "latitude")
        assert lines[0][2].startswith(reason), lines
        return
    place = imported.places[events["point-2"].entry["place"].split(":", 1)[1]]
    assert (place.geometry.x, place.geometry.y) == point
    assert lines == ([] if outcome == "accepted" else [("flagged", "latitude", reason)])
