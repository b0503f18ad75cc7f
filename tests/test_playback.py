"""geo/playback.py: the periods of a playback and which events each shows, whole or partial.
Every expectation is written out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from geo import playback

D = dt.date


@pytest.mark.parametrize(("start", "end", "step", "expected"), [
    (D(2021, 8, 1), D(2021, 10, 31), "month", [
        (D(2021, 8, 1), D(2021, 8, 31), "August 2021"), (D(2021, 9, 1), D(2021, 9, 30), "September 2021"),
        (D(2021, 10, 1), D(2021, 10, 31), "October 2021")]),
    # Mid-month ends still give whole months; December runs into January.
    (D(2021, 12, 15), D(2022, 2, 3), "month", [
        (D(2021, 12, 1), D(2021, 12, 31), "December 2021"), (D(2022, 1, 1), D(2022, 1, 31), "January 2022"),
        (D(2022, 2, 1), D(2022, 2, 28), "February 2022")]),
    (D(2024, 2, 10), D(2024, 2, 10), "month", [(D(2024, 2, 1), D(2024, 2, 29), "February 2024")]),
    (D(2021, 6, 30), D(2022, 1, 1), "year", [
        (D(2021, 1, 1), D(2021, 12, 31), "2021"), (D(2022, 1, 1), D(2022, 12, 31), "2022")]),
    # 18 May 2022 was a Wednesday: its week began on Monday 16 May.
    (D(2022, 5, 18), D(2022, 5, 24), "week", [
        (D(2022, 5, 16), D(2022, 5, 22), "Week of 16 May 2022"), (D(2022, 5, 23), D(2022, 5, 29), "Week of 23 May 2022")]),
    (D(2022, 2, 28), D(2022, 3, 1), "day", [
        (D(2022, 2, 28), D(2022, 2, 28), "28 February 2022"), (D(2022, 3, 1), D(2022, 3, 1), "1 March 2022")]),
])
def test_periods(start, end, step, expected) -> None:
    assert [(p.first, p.last, p.label) for p in playback.periods(start, end, step)] == expected


def test_periods_refuses_an_end_before_the_start_and_an_unknown_step() -> None:
    with pytest.raises(ValueError, match="before the start"):
        playback.periods(D(2022, 2, 1), D(2022, 1, 1), "month")
    with pytest.raises(ValueError, match="unknown step 'fortnight'"):
        playback.periods(D(2022, 1, 1), D(2022, 2, 1), "fortnight")


# Events as (first day, last day): a day, a month-only date, a year-only date, a day-exact span
# across three months, and one from long before (an ongoing event since 1991).
EVENTS = {
    "day": (D(2022, 5, 18), D(2022, 5, 18)),
    "month": (D(2021, 11, 1), D(2021, 11, 30)),
    "year": (D(2022, 1, 1), D(2022, 12, 31)),
    "span": (D(2021, 9, 10), D(2021, 11, 5)),
    "since-1991": (D(1991, 1, 1), D(2022, 6, 30)),
}
NOVEMBER_2021 = playback.Period(D(2021, 11, 1), D(2021, 11, 30), "November 2021")
MAY_2022 = playback.Period(D(2022, 5, 1), D(2022, 5, 31), "May 2022")
YEAR_2022 = playback.Period(D(2022, 1, 1), D(2022, 12, 31), "2022")


@pytest.mark.parametrize(("period", "mode", "shown", "partial"), [
    (NOVEMBER_2021, "this", {"month", "span", "since-1991"}, {"span", "since-1991"}),
    (MAY_2022, "this", {"day", "year", "since-1991"}, {"year", "since-1991"}),
    (YEAR_2022, "this", {"day", "year", "since-1991"}, {"since-1991"}),
    # Cumulative: everything begun by the period's end; partial while its days run on past it.
    (NOVEMBER_2021, "upto", {"month", "span", "since-1991"}, {"since-1991"}),
    (MAY_2022, "upto", {"day", "month", "year", "span", "since-1991"}, {"year", "since-1991"}),
    (YEAR_2022, "upto", {"day", "month", "year", "span", "since-1991"}, set()),
])
def test_shown_and_partial(period, mode, shown, partial) -> None:
    names = list(EVENTS)
    firsts, lasts = [EVENTS[n][0] for n in names], [EVENTS[n][1] for n in names]
    shown_mask = playback.shown_in(period, mode, firsts, lasts)
    partial_mask = playback.partial_in(period, mode, firsts, lasts)
    assert {n for n, s in zip(names, shown_mask) if s} == shown
    assert {n for n, p in zip(names, partial_mask) if p} == partial


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown mode 'all'"):
        playback.shown_in(MAY_2022, "all", [D(2022, 5, 1)], [D(2022, 5, 1)])
