"""UCDP's GED and Candidate CSV read into the event model (geo.importers), and updated by UCDP's
``id`` (``panj import --update``).

The fixtures (tests/fixtures/imports/ucdp-*.csv) are synthetic rows written in UCDP's published
49-column layout for places on the Tajik-Afghan border: no text comes from real UCDP rows. The
expectations below are worked out by hand from those rows and from the codebook's meaning of each
code (docs/ARCHITECTURE.md, "Formats"), not from the code under test."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from geo.cli import main
from geo.importers import detect_format, places_layer_id, read_file
from geo.store import open_store

IMPORTS = Path(__file__).parent / "fixtures" / "imports"
GED = IMPORTS / "ucdp-ged.csv"
NAME = "UCDP border"
PLACES = places_layer_id("ucdp-border")

# id -> (start, end, location precision, place, actors, best, low, high, citation), by hand from ucdp-ged.csv
GED_EXPECTED = {
    "900001": ("2022-06-10", None, "locality", f"{PLACES}:ishkashim-town", ("government-of-afghanistan", "nrf"),
               3, 2, 5, "Synthetic wire report, 11 June 2022"),
    "900002": ("2022-05-16", "2022-05-18", "district", f"{PLACES}:rushon-village", ("tajik-government", "civilians"),
               8, 8, 25, "Synthetic radio report, 19 May 2022"),
    "900003": ("2020-03", None, "province", "provinces:badakhshan", ("isis-k", "taliban"),
               6, 4, 6, "Synthetic monthly summary, April 2020"),
    "900004": ("2019", None, "country", f"{PLACES}:afghanistan", ("government-of-afghanistan", "taliban"),
               1, 1, 1, "UCDP GED event 900004"),  # no source_article: the dataset's own event cited
}


def read(path: Path, **options: object):
    return read_file(path, dataset_name=NAME, **options)  # type: ignore[arg-type]


def summary(imported) -> dict[str, tuple]:
    return {event.event.id: (
        str(event.event.start), None if event.event.end is None else str(event.event.end),
        event.event.location_precision, event.event.place, event.event.actors,
        event.properties["fatalities"], event.properties["fatalities_low"], event.properties["fatalities_high"],
        event.event.citations[0].source) for event in imported.events}


def test_a_ged_file_becomes_spans_fatalities_and_citations() -> None:
    imported = read(GED)
    assert imported.ok and imported.format == "ucdp" and not imported.rejected
    assert summary(imported) == GED_EXPECTED
    assert [event.row for event in imported.events] == [2, 3, 4, 5]  # the header is row 1
    assert imported.document["publisher"] == "UCDP (Uppsala Conflict Data Program)"
    # Each of the dataset's own actors is flagged once, at the first row naming it.
    assert [(line.row, line.field, line.reason.split(" is not")[0]) for line in imported.flagged] == [
        (2, "actors", "actor 'Government of Afghanistan'"), (3, "actors", "actor 'Civilians'")]
    rushon = next(event for event in imported.events if event.event.id == "900002")
    assert rushon.event.event_type == "offensive" and rushon.event.title == "One-sided violence in Rushon village"
    # The cells the event holds are not repeated; the rest stay as the file gave them.
    assert {"best", "low", "high", "latitude", "longitude", "geom_wkt", "date_start"}.isdisjoint(rushon.properties)
    assert rushon.properties["where_description"] == "around Rushon" and rushon.properties["relid"] == "TJK-2022-3-901-1"


def test_a_candidate_file_without_a_header_is_read_by_the_layout() -> None:
    imported = read(IMPORTS / "ucdp-candidate.csv")
    assert imported.ok and imported.format == "ucdp"
    assert summary(imported) == {
        "900101": ("2024-02-26", "2024-03-03", "district", f"{PLACES}:shighnan-district",
                   ("government-of-afghanistan", "nrf"), 2, 2, 4, "Synthetic agency report, 3 March 2024"),
        "900102": ("2024-04-08", None, "locality", f"{PLACES}:kalaikhum-town", ("tajik-government", "civilians"),
                   1, 1, 1, "Synthetic local report, 9 April 2024"),
    }
    assert [event.row for event in imported.events] == [1, 2]  # no header: the first row is row 1
    assert imported.events[0].properties["code_status"] == "Check-Deaths"


def test_the_format_is_told_by_the_header_or_the_layout() -> None:
    assert detect_format(GED, GED.read_text(encoding="utf-8")) == "ucdp"
    assert detect_format(IMPORTS / "ucdp-candidate.csv", (IMPORTS / "ucdp-candidate.csv").read_text()) == "ucdp"
    assert detect_format(IMPORTS / "acled.csv", (IMPORTS / "acled.csv").read_text()) == "acled"
    assert read(GED, file_format="ucdp").ok


def _one_row(tmp_path: Path, **cells: str) -> Path:
    """ucdp-ged.csv's first row (Ishkashim) with ``cells`` changed."""
    with GED.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerow(dict(rows[0], **cells))
    path = tmp_path / "one.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


# The codebook's where_prec codes, and the Panj precision each is stated to become in docs/ARCHITECTURE.md.
@pytest.mark.parametrize("where_prec, precision", [
    ("1", "locality"),  # the place's own coordinates
    ("2", "district"),  # a limited area around a named place
    ("3", "district"),  # a second-order division's centroid
    ("4", "province"),  # a first-order division's centroid
    ("5", "region"),  # larger than a province, smaller than the country
    ("6", "country"),  # the country's centroid
    ("7", "region"),  # water or international airspace
])
def test_where_prec_maps_to_panj_location_precision(tmp_path: Path, where_prec: str, precision: str) -> None:
    imported = read(_one_row(tmp_path, where_prec=where_prec))
    assert imported.ok
    assert imported.events[0].event.location_precision == precision
    # A province-level row stands on the province its centroid falls in (Ishkashim is in Badakhshan).
    expected_place = "provinces:badakhshan" if precision == "province" else f"{PLACES}:ishkashim-town"
    assert imported.events[0].event.place == expected_place


# The codebook's date_prec codes with UCDP's date_start/date_end, and the Panj dates they are stated to give.
@pytest.mark.parametrize("date_prec, start, end, expected", [
    ("1", "2022-06-10", "2022-06-10", ("2022-06-10", None)),  # the day
    ("2", "2022-06-10", "2022-06-13", ("2022-06-10", "2022-06-13")),  # two to six days: a span of days
    ("3", "2022-06-06", "2022-06-12", ("2022-06-06", "2022-06-12")),  # a week: its seven days
    ("4", "2022-06-01", "2022-06-30", ("2022-06", None)),  # a month
    ("4", "2022-06-01", "2022-07-31", ("2022-06", "2022-07")),  # two months
    ("5", "2022-01-01", "2022-12-31", ("2022", None)),  # a year
    ("1", "2022-06-10 00:00:00.000", "2022-06-10 00:00:00.000", ("2022-06-10", None)),  # the GED's CSV form
])
def test_date_prec_and_the_span_give_panj_dates(tmp_path: Path, date_prec: str, start: str, end: str,
                                                expected: tuple[str, str | None]) -> None:
    imported = read(_one_row(tmp_path, date_prec=date_prec, date_start=start, date_end=end))
    assert imported.ok
    entry = imported.events[0].entry
    assert (entry["start"], entry.get("end")) == expected


def test_every_bad_row_is_reported_with_row_field_and_reason() -> None:
    imported = read(IMPORTS / "ucdp-bad.csv")
    assert not imported.ok and [event.event.id for event in imported.events] == ["900001"]
    assert [(line.row, line.field, line.reason) for line in imported.rejected] == [
        (3, "type_of_violence", "'4' is not 1 (state-based), 2 (non-state) or 3 (one-sided)"),
        (3, "where_prec", "'9' is not one of UCDP's location precisions, 1 to 7"),
        (3, "date_end", "2022-05-19 is before date_start 2022-05-20"),
        (3, "best", "'two' is not a whole number of 0 or more"),
        (4, "side_b", "empty"),
        (4, "date_prec", "'6' is not one of UCDP's date precisions, 1 to 5"),
        (4, "date_start", "'20 May 2022' is not a date (e.g. 2021-07-22 or 2021-07-22 00:00:00.000)"),
        (4, "latitude", "'north' is not a number"),
        (5, None, "has 4 cells, the header 49"),
    ]
    table = list(csv.reader(io.StringIO(imported.report_csv())))
    assert ["3", "rejected", "900011", "where_prec", "'9' is not one of UCDP's location precisions, 1 to 7"] in table
    # The accepted row says what its date_prec means (the codebook's 1: the exact day).
    assert ["2", "accepted", "900001", "date_prec", "date_prec 1: known to the day"] in table


def test_a_missing_column_and_a_best_outside_low_and_high(tmp_path: Path) -> None:
    text = GED.read_text(encoding="utf-8").replace(",best,", ",most,", 1)
    (tmp_path / "renamed.csv").write_text(text, encoding="utf-8")
    refused = read(tmp_path / "renamed.csv")
    assert [(line.row, line.field) for line in refused.rejected] == [(1, "best")]
    assert refused.rejected[0].reason.startswith("missing column 'best' (UCDP GED's columns: id, relid, year,")
    flagged = read(_one_row(tmp_path, best="9", low="2", high="5"))
    assert flagged.ok and [(line.row, line.field, line.reason) for line in flagged.flagged if line.field == "best"] == [
        (2, "best", "the best estimate 9 is not between low 2 and high 5")]


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("PANJ_DATABASE_URL", raising=False)
    monkeypatch.setenv("PANJ_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_an_update_matches_rows_by_ucdps_id(data_dir: Path, tmp_path: Path, capsys) -> None:
    assert main(["import", str(GED), "--name", NAME, "--format", "ucdp"]) == 0
    with GED.open(encoding="utf-8", newline="") as file:
        rows = {row["id"]: row for row in csv.DictReader(file)}
    header = list(rows["900001"])
    revised = dict(rows["900001"], best="4", high="6")  # UCDP gives no revision time: a changed row replaces
    new = dict(rows["900002"], id="900005", date_start="2022-05-25", date_end="2022-05-25", date_prec="1")
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows([revised, rows["900003"], new])
    update = tmp_path / "ged-update.csv"
    update.write_text(out.getvalue(), encoding="utf-8")
    deletions = tmp_path / "deleted.csv"
    deletions.write_text("id\n900004\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(update), "--update", NAME, "--deletions", str(deletions)]) == 0
    assert "1 added, 1 revised, 1 unchanged, 1 deleted, 0 rejected; 4 events" in capsys.readouterr().out
    with open_store() as store:
        stored = store.events([NAME], shipped=False)
    # id -> (start, end, best, high), by hand: 900001 revised, 900002 kept, 900003 unchanged, 900005 new.
    assert {event.id: (str(event.start), None if event.end is None else str(event.end),
                       stored.properties[event.id]["fatalities"], stored.properties[event.id]["fatalities_high"])
            for event in stored.events} == {
        "900001": ("2022-06-10", None, 4, 6),
        "900002": ("2022-05-16", "2022-05-18", 8, 25),
        "900003": ("2020-03", None, 6, 6),
        "900005": ("2022-05-25", None, 8, 25),
    }


# The Ishkashim row's point lies in Badakhshan, Afghanistan. (country, adm_1) the row says -> the
# field flagged (None: no flag), by hand from the layers' names and layers/aliases.json.
@pytest.mark.parametrize("country, adm_1, field", [
    ("Afghanistan", "Badakhshan province", None),  # where the point is
    ("Afghanistan", "", None),
    ("Afghanistan", "Nowhere province", None),  # a name the layers lack contradicts nothing
    ("Tajikistan", "Gorno-Badakhshan", "country"),  # GBAO's alias, across the river
    ("Afghanistan", "Takhar province", "adm_1"),  # the right country, the neighbouring province
])
def test_a_row_naming_another_area_than_its_point_is_flagged(tmp_path: Path, country: str, adm_1: str,
                                                            field: str | None) -> None:
    imported = read(_one_row(tmp_path, country=country, adm_1=adm_1))
    assert imported.ok  # flagged, still imported
    lines = [line for line in imported.flagged if line.field in ("country", "adm_1")]
    assert [(line.row, line.field) for line in lines] == ([] if field is None else [(2, field)])
    if field is not None:
        said = ", ".join(f"{name} {text!r}" for name, text in (("country", country), ("adm_1", adm_1)))
        assert lines[0].reason.startswith(f"the row says {said}, but its point (36.705, 71.585) falls in Badakhshan, "
                                          "Afghanistan, ")
        assert lines[0].reason.endswith(" km from the frontier: it stays where its point falls (trusting the point)")
