"""geo.playback: the periods of a step and which events show in one (tables written by hand)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from geo import playback
from geo.playback import Period

D = dt.date


@pytest.mark.parametrize(("day", "step", "first", "last", "label", "text"), [
    (D(2022, 5, 11), "day", D(2022, 5, 11), D(2022, 5, 11), "11 May 2022", "2022-05-11"),
    (D(2022, 5, 4), "week", D(2022, 5, 2), D(2022, 5, 8), "week of 2 May 2022", "2022-05-02"),
    (D(2022, 5, 2), "week", D(2022, 5, 2), D(2022, 5, 8), "week of 2 May 2022", "2022-05-02"),
    (D(2022, 1, 1), "week", D(2021, 12, 27), D(2022, 1, 2), "week of 27 December 2021", "2021-12-27"),
    (D(2022, 5, 31), "month", D(2022, 5, 1), D(2022, 5, 31), "May 2022", "2022-05"),
    (D(2024, 2, 10), "month", D(2024, 2, 1), D(2024, 2, 29), "February 2024", "2024-02"),
    (D(2021, 12, 25), "month", D(2021, 12, 1), D(2021, 12, 31), "December 2021", "2021-12"),
    (D(2022, 7, 1), "year", D(2022, 1, 1), D(2022, 12, 31), "2022", "2022"),
])
def test_period_of_a_day(day, step, first, last, label, text) -> None:
    period = playback.period_of(day, step)
    assert (period.first, period.last, period.label, period.text) == (first, last, label, text)


@pytest.mark.parametrize(("start", "end", "step", "firsts"), [
    (D(2021, 11, 15), D(2022, 2, 1), "month", [D(2021, 11, 1), D(2021, 12, 1), D(2022, 1, 1), D(2022, 2, 1)]),
    (D(2022, 5, 1), D(2022, 5, 17), "week", [D(2022, 4, 25), D(2022, 5, 2), D(2022, 5, 9), D(2022, 5, 16)]),
    (D(2022, 2, 27), D(2022, 3, 1), "day", [D(2022, 2, 27), D(2022, 2, 28), D(2022, 3, 1)]),
    (D(2019, 6, 1), D(2021, 1, 1), "year", [D(2019, 1, 1), D(2020, 1, 1), D(2021, 1, 1)]),
    (D(2022, 5, 10), D(2022, 5, 10), "month", [D(2022, 5, 1)]),
    (D(2022, 5, 10), D(2022, 4, 10), "month", []),
])
def test_periods_between_two_dates(start, end, step, firsts) -> None:
    assert [period.first for period in playback.periods(start, end, step)] == firsts


@pytest.mark.parametrize(("text", "step", "first"), [
    ("2022-05", "month", D(2022, 5, 1)),
    ("2022", "month", D(2022, 1, 1)),
    ("2022-05-04", "week", D(2022, 5, 2)),
    ("2022-05-04", "year", D(2022, 1, 1)),
    (" 2021-08 ", "day", D(2021, 8, 1)),
])
def test_a_urls_period(text, step, first) -> None:
    assert playback.parse_period(text, step).first == first


@pytest.mark.parametrize(("text", "step", "message"), [
    ("May", "month", "period 'May' is not a date"),
    ("2022-13", "month", "period '2022-13' is not a date"),
    ("2022-05", "fortnight", "step 'fortnight' is not one of day, week, month, year"),
])
def test_a_bad_period_says_why(text, step, message) -> None:
    with pytest.raises(ValueError, match=message):
        playback.parse_period(text, step)


@pytest.mark.parametrize(("period", "first", "last", "expected"), [
    ("2021-06", D(2021, 8, 1), D(2022, 6, 30), D(2021, 8, 1)),
    ("2023-01", D(2021, 8, 1), D(2022, 6, 30), D(2022, 6, 1)),
    ("2022-02", D(2021, 8, 1), D(2022, 6, 30), D(2022, 2, 1)),
    ("2021-08", D(2021, 8, 20), D(2022, 6, 30), D(2021, 8, 1)),
])
def test_clamped_into_the_range(period, first, last, expected) -> None:
    assert playback.clamp(playback.parse_period(period, "month"), first, last).first == expected


# Events by hand: (date_first, date_last).
EVENTS = {
    "day in May": (D(2022, 5, 11), D(2022, 5, 11)),
    "month May": (D(2022, 5, 1), D(2022, 5, 31)),
    "year 2022": (D(2022, 1, 1), D(2022, 12, 31)),
    "span Apr-Jun": (D(2022, 4, 20), D(2022, 6, 3)),
    "day in April": (D(2022, 4, 2), D(2022, 4, 2)),
    "day in June": (D(2022, 6, 9), D(2022, 6, 9)),
}
FIRSTS = [first for first, _ in EVENTS.values()]
LASTS = [last for _, last in EVENTS.values()]


@pytest.mark.parametrize(("step", "period", "mode", "shown", "partial"), [
    ("month", "2022-05", "this", {"day in May", "month May", "year 2022", "span Apr-Jun"},
     {"year 2022", "span Apr-Jun"}),
    ("month", "2022-04", "this", {"year 2022", "span Apr-Jun", "day in April"}, {"year 2022", "span Apr-Jun"}),
    ("month", "2022-05", "upto", {"day in May", "month May", "year 2022", "span Apr-Jun", "day in April"},
     {"year 2022", "span Apr-Jun"}),
    ("month", "2022-06", "upto", set(EVENTS), {"year 2022"}),
    ("month", "2021-12", "upto", set(), set()),
    ("week", "2022-05-09", "this", {"day in May", "month May", "year 2022", "span Apr-Jun"},
     {"month May", "year 2022", "span Apr-Jun"}),
    ("week", "2022-05-02", "this", {"month May", "year 2022", "span Apr-Jun"},
     {"month May", "year 2022", "span Apr-Jun"}),
    ("day", "2022-05-11", "this", {"day in May", "month May", "year 2022", "span Apr-Jun"},
     {"month May", "year 2022", "span Apr-Jun"}),
    ("year", "2022", "this", set(EVENTS), set()),
    ("year", "2021", "this", set(), set()),
])
def test_which_events_show(step, period, mode, shown, partial) -> None:
    at = playback.parse_period(period, step)
    names = np.array(list(EVENTS))
    assert set(names[playback.shown_in(at, mode, FIRSTS, LASTS)]) == shown
    assert set(names[playback.partial_in(at, mode, FIRSTS, LASTS)]) == partial


@pytest.mark.parametrize(("period", "mode", "fade", "faded"), [
    ("2022-06", "this", 1, {"month May", "day in May"}),
    ("2022-06", "this", 2, {"month May", "day in May", "day in April"}),
    ("2022-06", "this", 0, set()),
    ("2022-06", "upto", 2, set()),
    ("2022-05", "this", 1, {"day in April"}),
])
def test_what_stays_faded(period, mode, fade, faded) -> None:
    names = np.array(list(EVENTS))
    assert set(names[playback.faded_in(playback.parse_period(period, "month"), mode, fade, FIRSTS, LASTS)]) == faded


def test_shown_in_reads_datetime64_too() -> None:
    at = Period("month", D(2022, 5, 1), D(2022, 5, 31))
    first = np.array(["2022-04-30", "2022-05-31"], dtype="datetime64[D]")
    assert playback.shown_in(at, "this", first, first).tolist() == [False, True]


def test_a_bad_mode_says_why() -> None:
    with pytest.raises(ValueError, match="mode 'all' is not one of this, upto"):
        playback.shown_in(Period("year", D(2022, 1, 1), D(2022, 12, 31)), "all", FIRSTS, LASTS)


# Events as (first day, last day): a day, a month-only date, a year-only date, a day-exact span
# across three months, and one from long before (an ongoing event since 1991).
SPAN_EVENTS = {
    "day": (D(2022, 5, 18), D(2022, 5, 18)),
    "month": (D(2021, 11, 1), D(2021, 11, 30)),
    "year": (D(2022, 1, 1), D(2022, 12, 31)),
    "span": (D(2021, 9, 10), D(2021, 11, 5)),
    "since-1991": (D(1991, 1, 1), D(2022, 6, 30)),
}
NOVEMBER_2021 = playback.Period("month", D(2021, 11, 1), D(2021, 11, 30))
MAY_2022 = playback.Period("month", D(2022, 5, 1), D(2022, 5, 31))
YEAR_2022 = playback.Period("year", D(2022, 1, 1), D(2022, 12, 31))


@pytest.mark.parametrize(("period", "mode", "shown", "partial"), [
    (NOVEMBER_2021, "this", {"month", "span", "since-1991"}, {"span", "since-1991"}),
    (MAY_2022, "this", {"day", "year", "since-1991"}, {"year", "since-1991"}),
    (YEAR_2022, "this", {"day", "year", "since-1991"}, {"since-1991"}),
    # Cumulative: everything begun by the period's end; partial while its days run on past it.
    (NOVEMBER_2021, "upto", {"month", "span", "since-1991"}, {"since-1991"}),
    (MAY_2022, "upto", {"day", "month", "year", "span", "since-1991"}, {"year", "since-1991"}),
    (YEAR_2022, "upto", {"day", "month", "year", "span", "since-1991"}, set()),
])
def test_shown_and_partial_over_spans_and_partial_dates(period, mode, shown, partial) -> None:
    names = list(SPAN_EVENTS)
    firsts, lasts = [SPAN_EVENTS[n][0] for n in names], [SPAN_EVENTS[n][1] for n in names]
    assert {n for n, s in zip(names, playback.shown_in(period, mode, firsts, lasts)) if s} == shown
    assert {n for n, p in zip(names, playback.partial_in(period, mode, firsts, lasts)) if p} == partial


@pytest.mark.parametrize(("first", "last", "step", "expected"), [
    (D(2021, 8, 1), D(2022, 6, 30), "month", 11),  # August 2021 to June 2022
    (D(2021, 12, 15), D(2022, 2, 3), "month", 3),
    (D(2022, 5, 18), D(2022, 5, 24), "week", 2),  # Monday 16 May, Monday 23 May
])
def test_check_length_counts_the_periods(first, last, step, expected) -> None:
    assert playback.check_length(first, last, step) == expected
    assert len(playback.Playback(first, last, step).periods()) == expected


def test_check_length_refuses_a_reversed_range_and_too_many_periods() -> None:
    with pytest.raises(ValueError, match="before the start"):
        playback.check_length(D(2022, 2, 1), D(2022, 1, 1), "month")
    with pytest.raises(ValueError, match="more than 500 periods"):
        playback.check_length(D(1900, 1, 1), D(2022, 1, 1), "month")
