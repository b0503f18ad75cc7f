"""Rows that contradict themselves (issue 24, section 6): where a row of a coordinates file stands
when its own country or admin1 names another area than its point falls in (``--trust``), a row
known only to its province on the admin1 area it names, what the report says of each, and what
the page is told of a date known only to the week. Fixture: tests/fixtures/imports/acled-frontier.csv;
every expectation is written by hand from its rows and the shipped layers' names and
layers/aliases.json."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from geo.cli import main
from geo.importers import places_layer_id, read_file
from geo.layers import LAYERS_DIR
from geo.store import joined_events, open_store
from tests.test_importers_ucdp import _one_row

FRONTIER = Path(__file__).parent / "fixtures" / "imports" / "acled-frontier.csv"
NAME = "Frontier test"
POINT = places_layer_id("frontier-test")

# Each row of acled-frontier.csv: (its id, the row's own country / admin1 / geo_precision and where
# its point lies, as notes), then where it stands and its location precision when the reader
# trusts the point, and when the reader trusts the row.
WHERE = [
    # Afghanistan, Badakhshan, precision 1; the point is across the river in GBAO.
    ("afc1", (f"{POINT}:ishkashim", "locality"), ("provinces:badakhshan", "province")),
    # Tajikistan, Gorno-Badakhshan (an alias of GBAO), precision 1; the point is in Khorugh: agrees.
    ("afc2", (f"{POINT}:khorugh", "locality"), (f"{POINT}:khorugh", "locality")),
    # Afghanistan, Badakhshan, precision 3; the point is Fayzabad, in Badakhshan.
    ("afc3", ("provinces:badakhshan", "province"), ("provinces:badakhshan", "province")),
    # Afghanistan, Takhar, precision 3; the point is Fayzabad: the row's province, either way.
    ("afc4", ("provinces:takhar", "province"), ("provinces:takhar", "province")),
    # Tajikistan, "Kuhistoni Badakhshon" (aliases.json's spelling of GBAO), precision 3.
    ("afc5", ("provinces:gbao", "province"), ("provinces:gbao", "province")),
    # Afghanistan, "Nowhere", precision 3: no area of that name, the point (Fayzabad) is kept.
    ("afc6", (f"{POINT}:fayzabad", "province"), (f"{POINT}:fayzabad", "province")),
    # Afghanistan, no admin1, precision 1; the point is in GBAO: nothing to stand on but the point.
    ("afc7", (f"{POINT}:ishkoshim", "locality"), (f"{POINT}:ishkoshim", "locality")),
    # Tajikistan with Afghanistan's Badakhshan, precision 1; the point is Khorugh: the names
    # disagree with each other, so the point stays.
    ("afc8", (f"{POINT}:khorugh", "locality"), (f"{POINT}:khorugh", "locality")),
    # Tajikistan, "Gorno-Badakhshan Autonomous Region" (the layer's own name), precision 3.
    ("afc9", ("provinces:gbao", "province"), ("provinces:gbao", "province")),
]

FALLS_GBAO = "falls in Gorno-Badakhshan Autonomous Region, Tajikistan, N km from the frontier"
NOWHERE = ("admin1 'Nowhere' is no province of the provinces layer nor one of its spellings in aliases.json: "
           "the row stays where its point falls")
TAKHAR = ("the row says country 'Afghanistan', admin1 'Takhar', but its point (37.1166, 70.58) falls in Badakhshan, "
          "Afghanistan, N km from the frontier: it stands on Takhar, the admin1 it names (known only to its province)")
# The report's flagged lines (row, field, reason; the distance to the frontier written N) and its
# count of rows per rule, by trust.
REPORT = {
    "point": (
        [(2, "country", "the row says country 'Afghanistan', admin1 'Badakhshan', but its point (36.727, 71.612) "
                        f"{FALLS_GBAO}: it stays where its point falls (trusting the point)"),
         (5, "admin1", TAKHAR),
         (7, "admin1", NOWHERE),
         (8, "country", f"the row says country 'Afghanistan', but its point (36.727, 71.612) {FALLS_GBAO}: it stays "
                        "where its point falls (trusting the point)"),
         (9, "admin1", "the row says country 'Tajikistan', admin1 'Badakhshan', but its point (37.4897, 71.553) "
                       f"{FALLS_GBAO}: it stays where its point falls (trusting the point)")],
        "Rows placed where the point falls: 1; where the point falls although the row's own country or admin1 "
        "names another area (trusting the point): 3; on the admin1 area the row names, the row being known only "
        "to its province: 4; where the point falls, the row's admin1 naming no area it can stand on: 1.",
    ),
    "row": (
        [(2, "country", "the row says country 'Afghanistan', admin1 'Badakhshan', but its point (36.727, 71.612) "
                        f"{FALLS_GBAO}: it stands on Badakhshan, the admin1 it names (trusting the row)"),
         (5, "admin1", TAKHAR),
         (7, "admin1", NOWHERE),
         (8, "country", f"the row says country 'Afghanistan', but its point (36.727, 71.612) {FALLS_GBAO}: it stays "
                        "where its point falls (its admin1 cannot be placed)"),
         (8, "admin1", "admin1 is empty: there is no area to stand on, so the row stays where its point falls"),
         (9, "admin1", "the row says country 'Tajikistan', admin1 'Badakhshan', but its point (37.4897, 71.553) "
                       f"{FALLS_GBAO}: it stays where its point falls (its admin1 cannot be placed)"),
         (9, "admin1", "admin1 'Badakhshan' is Badakhshan, a province of Afghanistan, not of the row's country "
                       "'Tajikistan': the row stays where its point falls")],
        "Rows placed where the point falls: 1; on the admin1 area the row names, the row being known only to its "
        "province: 4; on the admin1 area the row names rather than where its point falls (trusting the row): 1; "
        "where the point falls, the row's admin1 naming no area it can stand on: 3.",
    ),
}


def _without_km(reason: str) -> str:
    return re.sub(r"\d+\.\d km from the frontier", "N km from the frontier", reason)


@pytest.mark.parametrize("trust", ["point", "row"])
def test_where_each_row_stands(trust: str) -> None:
    imported = read_file(FRONTIER, dataset_name=NAME, trust=trust)
    assert imported.ok
    column = 1 if trust == "point" else 2
    assert {event.event.id: (event.event.place, event.event.location_precision) for event in imported.events} == {
        row[0]: row[column] for row in WHERE}


@pytest.mark.parametrize("trust", ["point", "row"])
def test_the_report_flags_each_disagreement_and_counts_each_rule(trust: str) -> None:
    imported = read_file(FRONTIER, dataset_name=NAME, trust=trust)
    lines, counts = REPORT[trust]
    assert [(line.row, line.field, _without_km(line.reason)) for line in imported.flagged] == lines
    assert imported.placement_text() == counts


def test_the_report_csv_ends_with_the_counts() -> None:
    table = list(csv.reader(io.StringIO(read_file(FRONTIER, dataset_name=NAME, trust="row").report_csv())))
    assert [row for row in table if row[1] == "placed"] == table[-4:] == [
        ["", "placed", "", "point", "1 where the point falls"],
        ["", "placed", "", "admin1", "4 on the admin1 area the row names, the row being known only to its province"],
        ["", "placed", "", "row", "1 on the admin1 area the row names rather than where its point falls (trusting the row)"],
        ["", "placed", "", "unmatched", "3 where the point falls, the row's admin1 naming no area it can stand on"],
    ]


def test_the_default_trusts_the_point() -> None:
    assert [event.entry for event in read_file(FRONTIER, dataset_name=NAME).events] == \
           [event.entry for event in read_file(FRONTIER, dataset_name=NAME, trust="point").events]
    with pytest.raises(ValueError, match="trust must be one of point, row, not 'names'"):
        read_file(FRONTIER, dataset_name=NAME, trust="names")


# A UCDP row (ucdp-ged.csv's Ishkashim row, its point in Afghan Badakhshan) with the cells given:
# where it stands, its precision and the lines flagged for adm_1 (by hand).
@pytest.mark.parametrize(("cells", "trust", "place", "precision", "flagged"), [
    # Known to the province (where_prec 4), by a name no layer has: keeps its point.
    ({"where_prec": "4", "adm_1": "Nowhere province"}, "point", "ishkashim-town", "province",
     ["adm_1 'Nowhere province' is no province of the provinces layer nor one of its spellings in aliases.json: "
      "the row stays where its point falls"]),
    # Known to the province, which it names with the word "province".
    ({"where_prec": "4", "adm_1": "Takhar province"}, "point", "provinces:takhar", "province",
     ["the row says country 'Afghanistan', adm_1 'Takhar province', but its point (36.705, 71.585) falls in "
      "Badakhshan, Afghanistan, N km from the frontier: it stands on Takhar, the adm_1 it names (known only to "
      "its province)"]),
    # Says Tajikistan, Gorno-Badakhshan, across the river from its point; trusting the row.
    ({"country": "Tajikistan", "adm_1": "Gorno-Badakhshan"}, "row", "provinces:gbao", "province", []),
])
def test_a_ucdp_row_stands_by_the_same_rules(tmp_path: Path, cells: dict[str, str], trust: str, place: str,
                                             precision: str, flagged: list[str]) -> None:
    imported = read_file(_one_row(tmp_path, **cells), dataset_name=NAME, trust=trust)
    assert imported.ok
    event = imported.events[0].event
    expected_place = place if ":" in place else f"{POINT}:{place}"
    assert (event.place, event.location_precision) == (expected_place, precision)
    assert [_without_km(line.reason) for line in imported.flagged if line.field == "adm_1"] == flagged


# Where the page puts each row (geo.store.joined_events: the country, province and GBAO the join
# derives from where the row stands) and what its date precision is called, by trust.
JOINED = {
    "point": {"afc1": ("tajikistan", "gbao", True), "afc3": ("afghanistan", "badakhshan", False),
              "afc4": ("afghanistan", "takhar", False), "afc7": ("tajikistan", "gbao", True)},
    "row": {"afc1": ("afghanistan", "badakhshan", False), "afc3": ("afghanistan", "badakhshan", False),
            "afc4": ("afghanistan", "takhar", False), "afc7": ("tajikistan", "gbao", True)},
}
# time_precision 1, 2, 3 (afc1, afc2, afc3): ACLED's day, week and month.
DATE_PRECISIONS = {"afc1": "day", "afc2": "week", "afc3": "month"}


@pytest.mark.parametrize("trust", ["point", "row"])
def test_panj_import_trust(trust: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(FRONTIER), "--name", NAME, "--trust", trust]) == 0
    assert REPORT[trust][1] in capsys.readouterr().err
    with open_store() as store:
        frame, _ = joined_events(store, LAYERS_DIR, [NAME])
    frame = frame.set_index("id")
    assert {event_id: (frame.loc[event_id, "country_id"], frame.loc[event_id, "province_id"],
                       bool(frame.loc[event_id, "in_gbao"])) for event_id in JOINED[trust]} == JOINED[trust]
    assert {event_id: frame.loc[event_id, "date_precision"] for event_id in DATE_PRECISIONS} == DATE_PRECISIONS


def test_panj_import_refuses_another_trust(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(FRONTIER), "--name", NAME, "--trust", "names"]) == 2
    assert "--trust: invalid choice: 'names' (choose from 'point', 'row')" in capsys.readouterr().err
