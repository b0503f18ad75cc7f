"""Playing events through time: the periods of a step (day, week, month, year) and which events
show in one of them.

The rule, shared by the page's playback (its browser copy is ``PanjPlayback`` in
``geo/web/panj-map.js``) and the exported video, reads each event's ``date_first``/``date_last``
(the first and last day its dates allow, ``geo.join``):

- mode ``this`` ("this period"): an event shows in every period its days touch, so a span shows
  in each period it covers and a date known only to a month or a year shows over all of it;
- mode ``upto`` ("up to this period"): an event shows from the period its first day falls in on;
- it is *partial* (drawn lighter, like the histogram's light bars) where its days reach beyond
  the period: past either end in ``this`` mode, past the period's end in ``upto`` mode;
- *faded* (``this`` mode only): shown in one of the ``fade`` periods before, not in this one.

Weeks start on Monday (ISO 8601) and are named by that day: "week of 2 May 2022".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from geo.filters import range_start

Step = Literal["day", "week", "month", "year"]
Mode = Literal["this", "upto"]
STEPS: tuple[Step, ...] = ("day", "week", "month", "year")
MODES: dict[Mode, str] = {"this": "this period", "upto": "up to this period"}
FADE_MAX = 2  # periods before the current one whose events may stay, faded


@dataclass(frozen=True)
class Period:
    """One period of a playback: the days ``first``..``last`` of one ``step``."""

    step: Step
    first: dt.date
    last: dt.date

    @property
    def label(self) -> str:
        """What the map shows large: "11 May 2022", "week of 2 May 2022", "May 2022", "2022"."""
        day = f"{self.first.day} {self.first:%B %Y}"
        return {"day": day, "week": f"week of {day}", "month": f"{self.first:%B %Y}",
                "year": f"{self.first:%Y}"}[self.step]

    @property
    def text(self) -> str:
        """The period in a URL: ``2022``, ``2022-05``, or its (first) day ``2022-05-02``."""
        return {"year": f"{self.first:%Y}", "month": f"{self.first:%Y-%m}"}.get(self.step, self.first.isoformat())


def check_step(step: str) -> Step:
    """``step`` if it is one of ``STEPS``; ValueError naming the choices otherwise."""
    if step not in STEPS:
        raise ValueError(f"step {step!r} is not one of {', '.join(STEPS)}")
    return step  # type: ignore[return-value]


def check_mode(mode: str) -> Mode:
    """``mode`` if it is one of ``MODES``; ValueError naming the choices otherwise."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not one of {', '.join(MODES)}")
    return mode  # type: ignore[return-value]


def period_of(day: dt.date, step: str) -> Period:
    """The period of ``step`` holding ``day``."""
    step = check_step(step)
    if step == "day":
        return Period(step, day, day)
    if step == "week":
        first = day - dt.timedelta(days=day.weekday())
        return Period(step, first, first + dt.timedelta(days=6))
    if step == "month":
        first = day.replace(day=1)
        following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return Period(step, first, following - dt.timedelta(days=1))
    return Period(step, dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))


def shift(period: Period, count: int) -> Period:
    """The period ``count`` steps after ``period`` (before it when negative)."""
    if period.step in ("day", "week"):
        days = count * (1 if period.step == "day" else 7)
        return period_of(period.first + dt.timedelta(days=days), period.step)
    if period.step == "month":
        months = period.first.year * 12 + period.first.month - 1 + count
        return period_of(dt.date(months // 12, months % 12 + 1, 1), period.step)
    return period_of(dt.date(period.first.year + count, 1, 1), period.step)


def periods(start: dt.date, end: dt.date, step: str) -> list[Period]:
    """The periods of ``step`` from the one holding ``start`` to the one holding ``end`` (none when
    ``end`` is before ``start``)."""
    found: list[Period] = []
    period = period_of(start, step)
    while period.first <= end:
        found.append(period)
        period = shift(period, 1)
    return found


def parse_period(text: str, step: str) -> Period:
    """The period of ``step`` a URL's text names: a year, a month or a day (``2022``, ``2022-05``,
    ``2022-05-11``), taken as the period holding its first day. ValueError says what is wrong."""
    try:
        return period_of(range_start(text.strip()), step)
    except ValueError as error:
        raise ValueError(f"period {text!r} is not a date: {error} (e.g. 2022, 2022-05, 2022-05-02)") from None


def clamp(period: Period, first: dt.date, last: dt.date) -> Period:
    """``period`` moved into the periods of its step that hold ``first``..``last`` (the date
    filter's range, or the shown events' dates)."""
    low, high = period_of(first, period.step), period_of(max(first, last), period.step)
    return low if period.first < low.first else high if period.first > high.first else period


def _days(values: Sequence[dt.date] | np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype="datetime64[D]")


def shown_in(period: Period, mode: str, date_first: Sequence[dt.date] | np.ndarray,
             date_last: Sequence[dt.date] | np.ndarray) -> np.ndarray:
    """Per event (``date_first``/``date_last``, one pair each), whether it shows in ``period`` in
    ``mode`` (see the module's docstring)."""
    mode = check_mode(mode)
    first, last = _days(date_first), _days(date_last)
    period_first, period_last = np.datetime64(period.first, "D"), np.datetime64(period.last, "D")
    if mode == "upto":
        return first <= period_last
    return (first <= period_last) & (last >= period_first)


def partial_in(period: Period, mode: str, date_first: Sequence[dt.date] | np.ndarray,
               date_last: Sequence[dt.date] | np.ndarray) -> np.ndarray:
    """Per event, whether it shows in ``period`` with days beyond it: drawn lighter."""
    first, last = _days(date_first), _days(date_last)
    period_first, period_last = np.datetime64(period.first, "D"), np.datetime64(period.last, "D")
    beyond = last > period_last
    if check_mode(mode) == "this":
        beyond = beyond | (first < period_first)
    return shown_in(period, mode, first, last) & beyond


def faded_in(period: Period, mode: str, fade: int, date_first: Sequence[dt.date] | np.ndarray,
             date_last: Sequence[dt.date] | np.ndarray) -> np.ndarray:
    """Per event, whether it stays faded in ``period``: shown in one of the ``fade`` periods before
    it and not in it; never in ``upto`` mode, which keeps every earlier event anyway."""
    first, last = _days(date_first), _days(date_last)
    if check_mode(mode) == "upto" or fade <= 0:
        return np.zeros(len(first), dtype=bool)
    earlier = shown_in(Period(period.step, shift(period, -min(fade, FADE_MAX)).first,
                              period.first - dt.timedelta(days=1)), "this", first, last)
    return earlier & ~shown_in(period, mode, first, last)


MAX_PERIODS = 500  # frames of one video: at a month a step, over 40 years


@dataclass(frozen=True)
class Playback:
    """What an exported playback plays (a video, a scene's ``play``): from the period holding
    ``first`` to the one holding ``last``, a ``step`` at a time, in ``mode``."""

    first: dt.date
    last: dt.date
    step: Step
    mode: Mode = "this"

    def periods(self) -> list[Period]:
        return periods(self.first, self.last, self.step)


def check_length(first: dt.date, last: dt.date, step: str) -> int:
    """How many periods a playback from ``first`` to ``last`` has; ValueError when ``last`` is
    before ``first`` or there are more than ``MAX_PERIODS``."""
    if last < first:
        raise ValueError(f"the end {last.isoformat()} is before the start {first.isoformat()}")
    count = len(periods(first, last, step))
    if count > MAX_PERIODS:
        raise ValueError(f"more than {MAX_PERIODS} periods of a {step}: choose a longer step or a shorter range")
    return count
