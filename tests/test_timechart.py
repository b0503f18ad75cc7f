"""geo/timechart.py: bins, counts per bin, the brush's dates, From/To text and the term counts.
Every expectation is written out by hand."""

from __future__ import annotations

import datetime as dt

import jsonschema
import pandas as pd
import pytest
from altair.vegalite.v6.schema.core import load_schema
from snapshots import load_joined_events

from geo import timechart as tc
from geo.fatalities import Sums

D = dt.date


def _events(*spans: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"date_first": [D.fromisoformat(first) for first, _ in spans],
                         "date_last": [D.fromisoformat(last) for _, last in spans]})


def _ms(day: str) -> float:
    return dt.datetime.fromisoformat(day).replace(tzinfo=dt.timezone.utc).timestamp() * 1000


@pytest.mark.parametrize(("first", "last", "unit", "texts"), [
    (D(2021, 8, 1), D(2022, 6, 30), "month", ["2021-08", "2021-09", "2021-10", "2021-11", "2021-12", "2022-01",
                                               "2022-02", "2022-03", "2022-04", "2022-05", "2022-06"]),
    (D(2022, 5, 18), D(2022, 5, 18), "month", ["2022-05"]),  # one day: one month
    (D(2019, 1, 15), D(2022, 12, 1), "month", None),  # 48 months: still months
    (D(2019, 1, 15), D(2023, 1, 1), "year", ["2019", "2020", "2021", "2022", "2023"]),  # 49 months
    (D(1991, 1, 1), D(2022, 6, 30), "year", None),
])
def test_time_bins(first, last, unit, texts) -> None:
    bins = tc.time_bins(first, last)
    assert {time_bin.unit for time_bin in bins} == {unit}
    if texts is not None:
        assert [time_bin.text for time_bin in bins] == texts
    assert bins[0].first <= first and bins[-1].last >= last


def test_year_and_month_bins_run_from_first_to_last_day() -> None:
    (february,) = tc.time_bins(D(2024, 2, 10), D(2024, 2, 11))
    assert (february.first, february.last, february.following) == (D(2024, 2, 1), D(2024, 2, 29), D(2024, 3, 1))
    december = tc.time_bins(D(2021, 12, 5), D(2022, 1, 5))[0]
    assert (december.last, december.following) == (D(2021, 12, 31), D(2022, 1, 1))
    year = tc.time_bins(D(2000, 3, 1), D(2010, 1, 1))[0]
    assert (year.first, year.last, year.following, year.text) == (D(2000, 1, 1), D(2000, 12, 31), D(2001, 1, 1), "2000")


def test_a_year_date_counts_partly_in_each_of_its_months() -> None:
    bins = tc.time_bins(D(2022, 1, 1), D(2022, 12, 31))
    counts = tc.bin_counts(_events(("2022-01-01", "2022-12-31")), bins)
    assert list(counts["exact"]) == [0] * 12
    assert list(counts["partial"]) == [1] * 12
    assert list(counts["label"])[:2] == ["Jan 2022", "Feb 2022"]


@pytest.mark.parametrize(("spans", "exact", "partial"), [
    # Months May, June, July 2022.
    ([("2022-05-11", "2022-05-11")], [1, 0, 0], [0, 0, 0]),  # a day
    ([("2022-05-01", "2022-05-31")], [1, 0, 0], [0, 0, 0]),  # "May 2022": the whole month, exactly in it
    ([("2022-05-24", "2022-06-01")], [0, 0, 0], [1, 1, 0]),  # across a month's end: partly in both
    ([("2016-01-01", "2022-06-30")], [0, 0, 0], [1, 1, 0]),  # from long before
    ([("2022-05-11", "2022-05-11"), ("2022-06-01", "2022-06-30"), ("2022-01-01", "2022-12-31")],
     [1, 1, 0], [1, 1, 1]),
])
def test_exact_and_partial_counts(spans, exact, partial) -> None:
    bins = tc.time_bins(D(2022, 5, 1), D(2022, 7, 31))
    counts = tc.bin_counts(_events(*spans), bins)
    assert list(counts["first"]) == ["2022-05-01", "2022-06-01", "2022-07-01"]
    assert list(counts["following"]) == ["2022-06-01", "2022-07-01", "2022-08-01"]
    assert (list(counts["exact"]), list(counts["partial"])) == (exact, partial)


def test_year_bins_count_a_month_exactly_and_a_span_partly() -> None:
    bins = tc.time_bins(D(2016, 1, 1), D(2022, 6, 30))
    counts = tc.bin_counts(_events(("2021-08-01", "2021-08-31"), ("2016-01-01", "2022-06-30")), bins)
    assert list(counts["label"]) == ["2016", "2017", "2018", "2019", "2020", "2021", "2022"]
    assert list(counts["exact"]) == [0, 0, 0, 0, 0, 1, 0]
    assert list(counts["partial"]) == [1, 1, 1, 1, 1, 1, 1]


MONTHS = tc.time_bins(D(2021, 11, 1), D(2022, 2, 28))  # Nov, Dec, Jan, Feb
YEARS = tc.time_bins(D(2016, 1, 1), D(2022, 6, 30))


@pytest.mark.parametrize(("bins", "brush", "expected"), [
    (MONTHS, ("2021-11-10", "2021-11-20"), ("2021-11", "2021-11")),  # inside one bar
    (MONTHS, ("2021-11-20", "2022-01-03"), ("2021-11", "2022-01")),  # touches three bars
    (MONTHS, ("2022-01-03", "2021-11-20"), ("2021-11", "2022-01")),  # dragged right to left
    (MONTHS, ("2021-12-01", "2022-01-01"), ("2021-12", "2021-12")),  # edge to edge: December only
    (MONTHS, ("2021-01-01", "2030-01-01"), ("2021-11", "2022-02")),  # beyond both ends
    (YEARS, ("2020-06-01", "2021-02-01"), ("2020", "2021")),
    (MONTHS, ("2023-01-01", "2023-02-01"), None),  # over no bar
])
def test_brush_range(bins, brush, expected) -> None:
    touched = tc.brush_range([_ms(day) for day in brush], bins)
    assert (None if touched is None else (touched[0].text, touched[1].text)) == expected


@pytest.mark.parametrize(("text", "end", "expected"), [
    ("2021", False, D(2021, 1, 1)),
    ("2021", True, D(2021, 12, 31)),
    ("2021-11", False, D(2021, 11, 1)),
    ("2022-02", True, D(2022, 2, 28)),
    ("2024-02", True, D(2024, 2, 29)),
    (" 2021-11-05 ", True, D(2021, 11, 5)),
    ("", False, None),
    ("  ", True, None),
])
def test_read_range_end(text, end, expected) -> None:
    assert tc.read_range_end(text, end=end) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("2021-13", "From '2021-13' is not a date: month 13 does not exist"),
    ("2021-02-30", "From '2021-02-30' is not a date: day 30 does not exist in February 2021"),
    ("May 2022", "From 'May 2022' is not a date: not of the form YYYY, YYYY-MM or YYYY-MM-DD"),
    ("21", "From '21' is not a date: not of the form YYYY, YYYY-MM or YYYY-MM-DD"),
])
def test_read_range_end_says_what_is_wrong(text, message) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(")):
        tc.read_range_end(text, end=False)


@pytest.mark.parametrize(("from_text", "to_text", "expected", "errors"), [
    ("2021-11", "2022-05", (D(2021, 11, 1), D(2022, 5, 31)), 0),
    ("", "2022", (None, D(2022, 12, 31)), 0),
    ("2022-13", "2022", (None, D(2022, 12, 31)), 1),  # an unreadable end is left open
    ("2022-06", "2022-05", (None, None), 1),  # From after To: no date filter
    ("2022-05", "2022-05", (D(2022, 5, 1), D(2022, 5, 31)), 0),  # one month
    ("x", "y", (None, None), 2),
])
def test_read_range(from_text, to_text, expected, errors) -> None:
    first, last, problems = tc.read_range(from_text, to_text)
    assert ((first, last), len(problems)) == (expected, errors), problems


@pytest.mark.parametrize(("day", "end", "expected"), [
    (D(2021, 1, 1), False, "2021"),
    (D(2021, 12, 31), True, "2021"),
    (D(2021, 11, 1), False, "2021-11"),
    (D(2022, 2, 28), True, "2022-02"),
    (D(2021, 12, 31), False, "2021-12-31"),  # as a From, the last day is only itself
    (D(2021, 1, 1), True, "2021-01-01"),
    (D(2022, 5, 18), False, "2022-05-18"),
    (None, False, ""),
])
def test_range_text(day, end, expected) -> None:
    assert tc.range_text(day, end=end) == expected


NAMES = {"taliban": "Taliban (Islamic Emirate)", "russia": "Russia", "china": "China",
         "armed": "Armed groups in GBAO (called an organised criminal group by the Interior Ministry)"}


@pytest.mark.parametrize(("counted", "chosen", "ids", "events", "tops"), [
    # Most first, ties in vocabulary order; a two-line name takes two lines.
    ({"russia": 2, "taliban": 1, "china": 1}, [], ["russia", "taliban", "china"], [2, 1, 1], [0, 1, 3]),
    # A chosen term no event names stays, so its bar can be clicked off.
    ({"russia": 1}, ["china"], ["russia", "china"], [1, 0], [0, 1]),
    ({"russia": 2, "armed": 1, "martians": 5}, [], ["russia", "armed"], [2, 1], [0, 1]),  # only the vocabulary's
    ({}, [], [], [], []),
])
def test_term_counts(counted, chosen, ids, events, tops) -> None:
    counts = tc.term_counts(counted, NAMES, chosen)
    assert list(counts["id"]) == ids
    assert list(counts["events"]) == events
    assert list(counts["top"]) == tops
    assert list(counts["chosen"]) == [term in chosen for term in ids]


def test_term_labels_wrap_at_word_boundaries() -> None:
    counts = tc.term_counts({"taliban": 1, "armed": 1}, NAMES, [])
    assert list(counts["label"]) == [
        "Taliban (Islamic\nEmirate)", "Armed groups in GBAO\n(called an organised\ncriminal group by the\nInterior Ministry)"]
    assert list(counts["lines"]) == [2, 4]


def _every_chart() -> list[dict]:
    """The histogram bare and with a range and a period (and fatalities), the bars bare and with a
    term chosen and fatalities."""
    bins = tc.time_bins(D(2022, 4, 1), D(2022, 6, 30))
    events = _events(("2022-04-01", "2022-05-31"), ("2022-05-11", "2022-05-11")).assign(fatalities=[None, 3.0])
    return [
        tc.histogram_chart(tc.bin_counts(events[["date_first", "date_last"]], bins), None),
        tc.histogram_chart(tc.bin_counts(events, bins), (D(2022, 5, 1), D(2022, 5, 15)),
                           (D(2022, 5, 1), D(2022, 5, 31), "May 2022")),
        tc.term_chart(tc.term_counts({"russia": 5}, NAMES, [])),
        tc.term_chart(tc.term_counts({"russia": 5, "taliban": 2}, NAMES, ["china"],
                                     {"russia": Sums(5, 2, 7), "taliban": Sums(2, 0, 0)}), "actor"),
    ]


def _references(spec) -> list[str]:
    """The names of the datasets anything in ``spec`` reads."""
    if isinstance(spec, dict):
        own = [spec["name"]] if set(spec) == {"name"} else []
        return own + [name for value in spec.values() for name in _references(value)]
    return [name for value in spec for name in _references(value)] if isinstance(spec, list) else []


@pytest.mark.parametrize("spec", _every_chart())
def test_charts_are_valid_vega_lite_with_their_data(spec) -> None:
    # The page hands Streamlit the specifications unchecked (docs/performance.md, "First load"):
    # here they are checked against the Vega-Lite schema Altair ships.
    jsonschema.validate(spec, load_schema())
    read = {name for name in _references({key: value for key, value in spec.items() if key != "datasets"})}
    assert read and read == set(spec["datasets"])  # every dataset read, none missing
    (selection,) = spec["params"]
    assert [layer.get("name") for layer in spec["layer"]][-1:] == selection["views"]  # the top layer selects
    assert "config" not in spec  # no theme's: Streamlit's own applies


def test_charts_carry_their_selections() -> None:
    bins = tc.time_bins(D(2021, 11, 1), D(2022, 2, 28))
    spec = tc.histogram_chart(tc.bin_counts(_events(("2021-11-05", "2021-11-05")), bins),
                              (D(2021, 12, 1), D(2022, 1, 31)))
    (brush,) = spec["params"]
    assert brush["name"] == tc.BRUSH and brush["select"]["encodings"] == ["x"]
    # The brush starts empty, whatever the range: Streamlit would not hear it cleared.
    assert "value" not in brush
    terms = tc.term_chart(tc.term_counts({"russia": 1}, NAMES, []))
    assert [param["name"] for param in terms["params"]] == [tc.PICK]


@pytest.mark.parametrize(("shown", "shaded"), [
    # From the first day's start to the end of the last day.
    ((D(2021, 12, 1), D(2022, 1, 31)), ("2021-12-01", "2022-02-01")),
    ((D(2021, 11, 5), D(2021, 11, 5)), ("2021-11-05", "2021-11-06")),
])
def test_the_histogram_shades_the_chosen_days(shown, shaded) -> None:
    bins = tc.time_bins(D(2021, 11, 1), D(2022, 2, 28))
    counts = tc.bin_counts(_events(("2021-11-05", "2021-11-05")), bins)
    spec = tc.histogram_chart(counts, shown)
    (layer,) = [layer for layer in spec["layer"] if layer.get("name") == tc.CHOSEN_MARK]
    assert layer["mark"]["aria"] is False and "params" not in layer
    assert spec["datasets"][layer["data"]["name"]] == [{"first": shaded[0], "following": shaded[1]}]
    assert not [layer for layer in tc.histogram_chart(counts, None)["layer"]
                if layer.get("name") == tc.CHOSEN_MARK]


def _counted_bin_by_bin(events: pd.DataFrame, bins) -> tuple[list[int], list[int]]:
    """The histogram's counts as first defined, bin by bin (what the array version must keep)."""
    exact, partial = [], []
    for time_bin in bins:
        touching = [(first, last) for first, last in zip(events["date_first"], events["date_last"])
                    if not (first > time_bin.last or last < time_bin.first)]
        within = sum(first >= time_bin.first and last <= time_bin.last for first, last in touching)
        exact.append(within)
        partial.append(len(touching) - within)
    return exact, partial


@pytest.mark.parametrize(("first", "last"), [
    (D(1991, 1, 1), D(2022, 6, 30)),  # years: the whole article
    (D(2021, 8, 1), D(2022, 6, 30)),  # months: some events reach in from before and run on after
    (D(2022, 5, 1), D(2022, 5, 31)),  # one month
])
def test_bin_counts_keep_their_definition_on_the_article(first, last) -> None:
    events = load_joined_events()
    bins = tc.time_bins(first, last)
    counts = tc.bin_counts(events, bins)
    assert (list(counts["exact"]), list(counts["partial"])) == _counted_bin_by_bin(events, bins)
    # The page passes datetime64 columns: the same counts.
    as_datetimes = pd.DataFrame({"date_first": pd.to_datetime(events["date_first"]),
                                 "date_last": pd.to_datetime(events["date_last"])})
    assert tc.bin_counts(as_datetimes, bins).equals(counts)


def test_bin_counts_at_the_edges() -> None:
    bins = tc.time_bins(D(2022, 5, 1), D(2022, 7, 31))
    events = _events(("2022-04-01", "2022-04-30"),  # before every bin: nowhere
                     ("2022-08-01", "2022-08-01"),  # after every bin: nowhere
                     ("2022-07-31", "2022-08-02"),  # from the last bin's last day on: partly in it
                     ("2022-04-30", "2022-05-01"),  # into the first bin's first day: partly in it
                     ("2022-05-31", "2022-05-31"))  # a bin's last day: exactly in it
    counts = tc.bin_counts(events, bins)
    assert (list(counts["exact"]), list(counts["partial"])) == ([1, 0, 0], [1, 0, 1])
    assert (list(counts["exact"]), list(counts["partial"])) == _counted_bin_by_bin(events, bins)
    assert list(tc.bin_counts(_events(), bins)["exact"]) == [0, 0, 0]


@pytest.mark.parametrize(("first", "last", "period", "framed"), [
    # Month bins: the bar of May, whole.
    (D(2021, 11, 1), D(2022, 6, 30), (D(2022, 5, 1), D(2022, 5, 31), "May 2022"), ("2022-05-01", "2022-06-01")),
    # A week across two months: both their bars.
    (D(2021, 11, 1), D(2022, 6, 30), (D(2022, 5, 30), D(2022, 6, 5), "30 May 2022"), ("2022-05-01", "2022-07-01")),
    # Year bins: a month's period frames its year's bar.
    (D(1991, 1, 1), D(2022, 6, 30), (D(2021, 9, 1), D(2021, 9, 30), "Sep 2021"), ("2021-01-01", "2022-01-01")),
])
def test_the_histogram_frames_the_bars_of_the_playbacks_period(first, last, period, framed) -> None:
    counts = tc.bin_counts(_events(("2022-05-11", "2022-05-11")), tc.time_bins(first, last))
    assert len(tc.histogram_chart(counts, None)["layer"]) == 2  # bars, columns
    spec = tc.histogram_chart(counts, None, period)
    frame = spec["layer"][1]
    assert frame["name"] == tc.PERIOD_MARK and frame["mark"]["stroke"] == tc.PERIOD_COLOUR
    rows = spec["datasets"][frame["data"]["name"]]
    assert rows == [{"first": framed[0], "following": framed[1], "label": period[2]}]


def test_a_period_outside_the_bins_is_not_framed() -> None:
    counts = tc.bin_counts(_events(), tc.time_bins(D(2021, 11, 1), D(2022, 6, 30)))
    spec = tc.histogram_chart(counts, None, (D(2023, 1, 1), D(2023, 1, 31), "Jan 2023"))
    assert len(spec["layer"]) == 2


def test_each_bin_is_a_named_button_over_the_bars() -> None:
    bins = tc.time_bins(D(2022, 4, 1), D(2022, 6, 30))
    counts = tc.bin_counts(_events(("2022-05-11", "2022-05-11"), ("2022-05-20", "2022-05-21"),
                                   ("2022-04-01", "2022-05-31")), bins)
    spec = tc.histogram_chart(counts, (D(2022, 5, 1), D(2022, 5, 15)))
    columns = spec["layer"][-1]
    # On top, carrying the brush, a button per bin named by its counts; the bars under it are silent.
    assert columns["mark"]["ariaRole"] == tc.KEY_ROLE and columns["encoding"]["description"]["field"] == "name"
    assert [param["name"] for param in spec["params"]] == [tc.BRUSH] and spec["params"][0]["views"] == [columns["name"]]
    assert spec["layer"][0]["mark"]["aria"] is False
    rows = spec["datasets"][columns["data"]["name"]]
    assert [row["name"] for row in rows] == [
        "Apr 2022: 0 events dated within the month, 1 reaching beyond it",
        "May 2022: 2 events dated within the month, 1 reaching beyond it, chosen",
        "Jun 2022: 0 events dated within the month, 0 reaching beyond it",
    ]


def test_each_term_row_is_a_named_button() -> None:
    counts = tc.term_counts({"russia": 5, "china": 1}, NAMES, ["china"])
    assert list(counts["name"]) == ["Russia: 5 events", "China: 1 event, chosen"]
    spec = tc.term_chart(counts, "actor")
    targets = spec["layer"][-1]
    assert targets["mark"]["ariaRole"] == tc.KEY_ROLE and targets["encoding"]["description"]["field"] == "name"
    assert all(layer["mark"]["aria"] is False for layer in spec["layer"][:-1])


def test_the_histogram_says_its_span_the_events_within_one_bin_and_the_fullest() -> None:
    # Two events within March 2021, one within May, one from March into June (within no month).
    events = pd.DataFrame({"date_first": pd.to_datetime(["2021-03-02", "2021-03-20", "2021-05-05", "2021-03-10"]),
                           "date_last": pd.to_datetime(["2021-03-02", "2021-03-21", "2021-05-05", "2021-06-01"])})
    _, counts = tc.histogram_counts(events)
    assert tc.histogram_summary(counts) == "From Mar 2021 to Jun 2021: 3 events dated within one month, most in Mar 2021 (2)."
    # Only the spanning event: no bin holds one whole, so none is the fullest.
    _, spanning = tc.histogram_counts(events.iloc[[3]])
    assert tc.histogram_summary(spanning) == "From Mar 2021 to Jun 2021: 0 events dated within one month."
