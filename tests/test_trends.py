"""geo.trends and ``panj trends``: events per frontier segment and period, and their change levels.

Every expected count, mean and level below is worked out by hand from the small tables here, with
ACLED Trendfinder's thresholds (docs/DATA.md, "Change along the frontier")."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from geo.cli import main
from geo.frontier import AreaReach, Stretch
from geo.trends import COLUMNS, TrendsTables, change_levels, period_starts, trends

STRETCHES = [Stretch("west", "West", 0.0, 40.0), Stretch("east", "East", 40.0, 100.0)]


def _events(rows: list[tuple[float, float, str, str]]) -> pd.DataFrame:
    """(frontier_km, frontier_along_km, first day, location_precision) per event."""
    return pd.DataFrame({
        "frontier_km": [row[0] for row in rows],
        "frontier_along_km": [row[1] for row in rows],
        "date_first": [dt.date.fromisoformat(row[2]) for row in rows],
        "location_precision": [row[3] for row in rows],
    })


# Segment 0-50: one event a month January to April 2022, ten in May, none in June.
# Segment 50-100: one in June at 60 km and one at 100 km, the frontier's eastern end.
# Not counted: 30 km from the frontier, on an area (no km along), known only to a country.
EVENTS = _events(
    [(1.0, 10.0, f"2022-0{month}-15", "exact") for month in (1, 2, 3, 4)]
    + [(2.0, 49.9, "2022-05-01", "locality")] * 10
    + [(0.0, 60.0, "2022-06-30", "exact"), (5.0, 100.0, "2022-06-01", "exact")]
    + [(30.0, 20.0, "2022-05-10", "exact"), (0.0, float("nan"), "2022-05-10", "province"),
       (0.0, 20.0, "2022-05-10", "country")]
)

# (segment_from_km, period, events, mean_4, change_4, level); every mean_long is empty (6 months < 12).
EXPECTED_MONTHS = [
    (0.0, "2022-01", 1, None, None, None),
    (0.0, "2022-02", 1, None, None, None),
    (0.0, "2022-03", 1, None, None, None),
    (0.0, "2022-04", 1, None, None, None),
    (0.0, "2022-05", 10, 1.0, 900.0, "large-increase"),
    (0.0, "2022-06", 0, 3.25, -100.0, "large-decrease"),
    (50.0, "2022-01", 0, None, None, None),
    (50.0, "2022-02", 0, None, None, None),
    (50.0, "2022-03", 0, None, None, None),
    (50.0, "2022-04", 0, None, None, None),
    (50.0, "2022-05", 0, 0.0, None, "limited"),
    (50.0, "2022-06", 2, 0.0, None, "limited"),
]


def _none(value: object) -> object:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def test_monthly_counts_means_and_levels() -> None:
    table = trends(EVENTS, STRETCHES, length_km=100.0, within_km=25.0, segment_km=50.0, period="month")
    assert tuple(table.columns) == COLUMNS
    got = [(row.segment_from_km, row.period, row.events, _none(row.mean_4), _none(row.change_4), _none(row.level))
           for row in table.itertuples()]
    assert got == EXPECTED_MONTHS
    assert table["mean_long"].isna().all()
    assert table.groupby("segment_from_km")["segment_to_km"].first().to_dict() == {0.0: 50.0, 50.0: 100.0}
    # each segment's stretch is the one at its midpoint: 25 km west, 75 km east
    assert table.groupby("segment_from_km")["stretch"].first().to_dict() == {0.0: "west", 50.0: "east"}


def test_the_last_segment_is_shorter() -> None:
    table = trends(EVENTS, STRETCHES, length_km=100.0, within_km=25.0, segment_km=40.0, period="month")
    assert sorted(set(zip(table["segment_from_km"], table["segment_to_km"], strict=True))) == [
        (0.0, 40.0), (40.0, 80.0), (80.0, 100.0)]
    assert table["events"].sum() == 16  # all counted events: 4 + 10 + 2


def test_a_year_before_gives_mean_long() -> None:
    # One event a month through 2021 at 10 km, then three in January 2022: the 12 months before
    # January 2022 average 1, as do the 4 before it; +200 % is a large increase.
    rows = [(0.0, 10.0, f"2021-{month:02d}-01", "exact") for month in range(1, 13)]
    rows += [(0.0, 10.0, "2022-01-20", "exact")] * 3
    table = trends(_events(rows), STRETCHES, length_km=100.0, within_km=25.0, segment_km=100.0, period="month")
    january = table[table["period"] == "2022-01"].iloc[0]
    assert (january["events"], january["mean_4"], january["mean_long"], january["change_4"]) == (3, 1.0, 1.0, 200.0)
    assert january["level"] == "limited"  # a mean of 1 and 3 events: too little to call a change
    assert table[table["period"] == "2021-12"]["mean_long"].isna().all()  # its year reaches before January 2021


def test_weeks_are_labelled_by_their_monday() -> None:
    # Sunday 2 January 2022 is in the ISO week of Monday 27 December 2021; Monday 3 January starts the next.
    rows = [(0.0, 10.0, "2022-01-02", "exact"), (0.0, 10.0, "2022-01-03", "exact"), (0.0, 10.0, "2022-01-09", "exact")]
    table = trends(_events(rows), STRETCHES, length_km=100.0, within_km=25.0, segment_km=100.0, period="week")
    assert list(zip(table["period"], table["events"], strict=True)) == [("2021-12-27", 1), ("2022-01-03", 2)]


def test_the_span_sets_the_periods() -> None:
    table = trends(EVENTS, STRETCHES, length_km=100.0, within_km=25.0, segment_km=100.0, period="month",
                   span=(dt.date(2021, 12, 1), dt.date(2022, 2, 28)))
    assert list(zip(table["period"], table["events"], strict=True)) == [("2021-12", 0), ("2022-01", 1), ("2022-02", 1)]


def test_no_event_counted_gives_only_the_header() -> None:
    far = _events([(30.0, 20.0, "2022-05-10", "exact")])
    table = trends(far, STRETCHES, length_km=100.0, within_km=25.0, segment_km=50.0, period="month")
    assert table.empty and tuple(table.columns) == COLUMNS


@pytest.mark.parametrize(("day", "month", "monday"), [
    ("2022-05-11", "2022-05-01", "2022-05-09"),  # a Wednesday
    ("2022-05-09", "2022-05-01", "2022-05-09"),  # a Monday
    ("2022-05-01", "2022-05-01", "2022-04-25"),  # a Sunday
    ("2020-02-29", "2020-02-01", "2020-02-24"),  # a Saturday, leap day
])
def test_period_starts(day: str, month: str, monday: str) -> None:
    days = np.array([day], dtype="datetime64[D]")
    assert str(period_starts(days, "month")[0]) == month
    assert str(period_starts(days, "week")[0]) == monday


# (events, mean_4, level) by ACLED's thresholds; change_4 is (events - mean) / mean in per cent.
LEVEL_TABLE = [
    (13, 10.0, "large-increase"),     # +30 %
    (12.5, 10.0, "large-increase"),   # +25 %: "25 % or more"
    (12, 10.0, "moderate-increase"),  # +20 %
    (11, 10.0, "moderate-increase"),  # +10 %
    (21, 20.0, "limited"),            # +5 %
    (16, 20.0, "limited"),            # -20 %
    (15, 20.0, "large-decrease"),     # -25 %
    (0, 3.0, "large-decrease"),       # -100 %
    (5, 2.0, "limited"),              # +150 %, but a low baseline: mean 2 or less, 5 events or fewer
    (6, 2.0, "large-increase"),       # +200 %, six events: no longer a low baseline
    (6, 0.0, "large-increase"),       # from nothing
    (0, 0.0, "limited"),
    (4, float("nan"), None),          # no norm
]


@pytest.mark.parametrize(("events", "mean_4", "level"), LEVEL_TABLE)
def test_change_levels(events: float, mean_4: float, level: str | None) -> None:
    change = (events - mean_4) / mean_4 * 100 if mean_4 else float("nan")
    assert change_levels(np.array([events]), np.array([mean_4]), np.array([change])).tolist() == [level]


SMALL_LAYERS = Path(__file__).parent / "fixtures" / "layers_small"
# The small fixture's events within 60 km of its frontier (37°N; distances as tests/test_join.py's
# DERIVED table has them): the Ayvoj post (11.1 km, at 68.6°E: ~98 km along), dated 2022, so
# counted in January 2022; the Shaymak post (55.5 km, at 74.0°E: ~578 km along), running from 2016
# to June 2022, counted once, in January 2016 where it starts. Kabul is 274 km away. The areas count
# in every segment within 60 km of them (89.0 km a degree along 37°N; the first segment ends at
# 67.5 + 300 / 89.0 = 70.87°E): the line itself (December 2021) in all three; GBAO (from 71°E,
# November 2021) in all three, 11.6 km from the first; the Wakhan (from 71.5°E, 2016) in all three,
# 56.1 km from the first.
EXPECTED_SMALL = {
    ("0.0", "2022-01"): 1, ("0.0", "2021-12"): 1, ("0.0", "2021-11"): 1, ("0.0", "2016-01"): 1,
    ("300.0", "2016-01"): 2, ("300.0", "2021-12"): 1, ("300.0", "2021-11"): 1,
    ("600.0", "2016-01"): 1, ("600.0", "2021-12"): 1, ("600.0", "2021-11"): 1,
}


def test_panj_trends_writes_the_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "trends.csv"
    assert main(["trends", "--within-km", "60", "--segment-km", "300", "--period", "month", "--out", str(out),
                 "--layers-dir", str(SMALL_LAYERS)]) == 0
    assert "trends.csv" in capsys.readouterr().out
    # The header issue 23 names, word for word.
    assert out.read_text(encoding="utf-8").splitlines()[0] == (
        "segment_from_km,segment_to_km,stretch,period,events,mean_4,mean_long,change_4,level")
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == COLUMNS
    # The small fixture's frontier runs 67.5-75°E along 37°N (667.6 km: 0-300, 300-600, 600-667.6).
    assert sorted({(row["segment_from_km"], row["segment_to_km"]) for row in rows}, key=lambda pair: float(pair[0])) == [
        ("0.0", "300.0"), ("300.0", "600.0"), ("600.0", "667.6")]
    assert {row["stretch"] for row in rows if row["segment_from_km"] == "0.0"} == {"west"}
    counted = {(row["segment_from_km"], row["period"]): int(row["events"]) for row in rows if int(row["events"])}
    assert counted == EXPECTED_SMALL


def test_panj_trends_refuses_bad_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trends", "--segment-km", "0", "--layers-dir", str(SMALL_LAYERS)]) == 2
    assert "--segment-km" in capsys.readouterr().err
    assert main(["trends", "--period", "day", "--layers-dir", str(SMALL_LAYERS)]) == 2


# --- events on an area, on the shipped data ----------------------------------------------------------

LAYERS = Path(__file__).parent.parent / "layers"
# The article's events on the Afghan bank within 25 km of the frontier are two, both on provinces and
# both reported in June 2022: the Taliban reasserting control in Takhar and in Badakhshan.
AFGHAN_AREAS = {"provinces:takhar": "2022-06", "provinces:badakhshan": "2022-06"}
_GEOD = pyproj.Geod(ellps="WGS84")
_TO_UTM = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:32642", always_xy=True)


def _utm(geometry: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geometry, lambda coords: np.column_stack(_TO_UTM.transform(coords[:, 0], coords[:, 1])))


def _segment_distances(place: str, segment_km: float) -> dict[float, float]:
    """Segment's first km -> km from the place to that part of the frontier layer's line: the line
    cut at every ``segment_km`` of geodesic length from its western end (pyproj), measured with
    shapely in UTM zone 42N, from the layer files alone."""
    line = shapely.line_merge(shapely.union_all([shapely.geometry.shape(feature["geometry"]) for feature in
                                                 json.loads((LAYERS / "frontier.geojson").read_text())["features"]]))
    coords = shapely.get_coordinates(shapely.segmentize(line, 0.002))
    coords = coords[::-1] if coords[0, 0] > coords[-1, 0] else coords
    _, _, metres = _GEOD.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    km = np.concatenate([[0.0], np.cumsum(metres) / 1000])
    layer, feature_id = place.split(":")
    shape = _utm(shapely.union_all([shapely.geometry.shape(feature["geometry"]) for feature in
                                    json.loads((LAYERS / f"{layer}.geojson").read_text())["features"]
                                    if feature["properties"]["id"] == feature_id]))
    distances = {}
    for start in np.arange(0.0, km[-1], segment_km):
        end = min(start + segment_km, km[-1])
        cut = [np.column_stack([np.interp(at, km, coords[:, 0]), np.interp(at, km, coords[:, 1])])
               for at in (start, end)]
        inside = coords[(km > start) & (km < end)]
        section = _utm(shapely.LineString(np.vstack([cut[0], inside, cut[1]])))
        distances[float(start)] = shape.distance(section) / 1000
    return distances


def test_an_area_event_counts_in_every_segment_within_the_distance_of_its_area(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PANJ_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PANJ_DATABASE_URL", raising=False)
    expected: dict[tuple[float, str], int] = {}
    for place, month in AFGHAN_AREAS.items():
        for start, km in _segment_distances(place, 100.0).items():
            assert abs(km - 25.0) > 1.0, (place, start, km)  # no segment the two measures could disagree on
            if km <= 25.0:
                expected[(start, month)] = expected.get((start, month), 0) + 1
    assert main(["trends", "--side", "afghanistan", "--within-km", "25", "--segment-km", "100"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {(float(row["segment_from_km"]), row["period"]): int(row["events"])
            for row in rows if int(row["events"])} == expected
    # Takhar meets the Panj west of Badakhshan; Badakhshan reaches the China tripoint.
    assert expected[(1300.0, "2022-06")] == 1 and max(expected.values()) == 2


# A hand-made reach: area "near" is 10 km from the frontier's first 50 km and 30 km from the rest;
# area "far" is 80 km from all of it.
REACH = AreaReach(places=("near", "far"), piece_from_km=np.array([0.0, 50.0]), piece_to_km=np.array([50.0, 100.0]),
                  km=np.array([[10.0, 30.0], [80.0, 80.0]], dtype=np.float32))


@pytest.mark.parametrize(("within_km", "counted"), [
    (5.0, {}),
    (25.0, {0.0: 1}),                    # "near" reaches the first segment only
    (30.0, {0.0: 1, 50.0: 1}),           # ... and the second at exactly 30 km
    (100.0, {0.0: 2, 50.0: 2}),          # "far" too; never the country-wide event on "near"
])
def test_an_area_event_counts_in_each_segment_its_area_reaches(within_km: float, counted: dict[float, int]) -> None:
    events = pd.DataFrame({
        "frontier_km": [10.0, 80.0, 10.0], "frontier_along_km": [float("nan")] * 3,
        "date_first": [dt.date(2022, 5, 1)] * 3, "location_precision": ["region", "region", "country"],
        "place": ["near", "far", "near"],
    })
    table = trends(events, STRETCHES, length_km=100.0, within_km=within_km, segment_km=50.0, period="month",
                   span=(dt.date(2022, 5, 1), dt.date(2022, 5, 31)), areas=REACH)
    assert {row.segment_from_km: row.events for row in table.itertuples() if row.events} == counted
    # Without the reach no area event is counted.
    assert trends(events, STRETCHES, length_km=100.0, within_km=within_km, segment_km=50.0, period="month",
                  span=(dt.date(2022, 5, 1), dt.date(2022, 5, 31)))["events"].sum() == 0


def test_a_snapshots_tables_are_counted_once_per_events_and_choice_and_bounded() -> None:
    tables, counted = TrendsTables(kept=2), []

    def count(name: str):
        return lambda: counted.append(name) or pd.DataFrame({"name": [name]})

    first, second = pd.DataFrame(index=[0, 1, 2]), pd.DataFrame(index=[0, 2])
    month = (50.0, 25.0, "month", (None, None))
    assert tables.get(first, month, count("a"))["name"].tolist() == ["a"]
    assert tables.get(pd.DataFrame(index=[0, 1, 2]), month, count("again"))["name"].tolist() == ["a"]  # kept
    tables.get(second, month, count("b"))  # other events
    tables.get(first, (50.0, 25.0, "week", (None, None)), count("c"))  # another choice; "a" the oldest: dropped
    tables.get(first, month, count("a2"))
    assert counted == ["a", "b", "c", "a2"]
