"""Time playback: the periods a playback steps through and which events each one shows.

Pure rules over dates, shared by whatever plays events through time (the page, presenter view, the
video export). An event's days are ``date_first``..``date_last`` (``geo.join``): a span covers
every period it reaches, and one known only to a month or a year covers all of that month or year.
An event is *partial* in a period its days reach beyond, as the histogram counts it light
(``geo.timechart.bin_counts``), and is drawn lighter there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Step = Literal["day", "week", "month", "year"]
Mode = Literal["this", "upto"]
STEPS: tuple[Step, ...] = ("day", "week", "month", "year")
MODES: tuple[Mode, ...] = ("this", "upto")
MODE_LABELS = {"this": "this period", "upto": "up to this period"}


@dataclass(frozen=True)
class Period:
    """One step of a playback: its first and last day and the text a frame shows for it."""

    first: dt.date
    last: dt.date
    label: str


def _month_after(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def period_of(day: dt.date, step: Step) -> Period:
    """The calendar period of ``step`` holding ``day`` (a week runs Monday to Sunday)."""
    if step == "day":
        return Period(day, day, f"{day.day} {day:%B %Y}")
    if step == "week":
        first = day - dt.timedelta(days=day.weekday())
        last = first + dt.timedelta(days=6)
        return Period(first, last, f"Week of {first.day} {first:%B %Y}")
    if step == "month":
        first = day.replace(day=1)
        return Period(first, _month_after(first) - dt.timedelta(days=1), f"{first:%B %Y}")
    if step == "year":
        return Period(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), str(day.year))
    raise ValueError(f"unknown step {step!r}; expected one of {', '.join(STEPS)}")


def periods(start: dt.date, end: dt.date, step: Step) -> list[Period]:
    """The whole calendar periods of ``step`` from the one holding ``start`` to the one holding
    ``end``, in order. ValueError when ``end`` is before ``start`` or the step is unknown."""
    if end < start:
        raise ValueError(f"the end {end.isoformat()} is before the start {start.isoformat()}")
    found = [period_of(start, step)]
    while found[-1].last < end:
        found.append(period_of(found[-1].last + dt.timedelta(days=1), step))
    return found


def _days(values: object) -> np.ndarray:
    return pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[D]")


def shown_in(period: Period, mode: Mode, date_first: object, date_last: object) -> np.ndarray:
    """Which events (one per element of the ``date_first``/``date_last`` sequences) a period shows:
    in "this" mode those whose days touch the period; in "upto" (cumulative) mode those whose first
    day is not after its end."""
    first, last = _days(date_first), _days(date_last)
    period_first, period_last = np.datetime64(period.first, "D"), np.datetime64(period.last, "D")
    if mode == "this":
        return (first <= period_last) & (last >= period_first)
    if mode == "upto":
        return first <= period_last
    raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")


def partial_in(period: Period, mode: Mode, date_first: object, date_last: object) -> np.ndarray:
    """Which of the events a period shows are partial there: their days reach beyond what the
    period shows (the period itself; in "upto" mode, everything up to its end)."""
    first, last = _days(date_first), _days(date_last)
    period_first, period_last = np.datetime64(period.first, "D"), np.datetime64(period.last, "D")
    beyond = last > period_last
    if mode == "this":
        beyond = beyond | (first < period_first)
    return shown_in(period, mode, date_first, date_last) & beyond


MAX_PERIODS = 500  # frames of one video: at a month a step, over 40 years


@dataclass(frozen=True)
class Playback:
    """What a playback plays: from the period holding ``first`` to the one holding ``last``, a
    ``step`` at a time, in ``mode``."""

    first: dt.date
    last: dt.date
    step: Step
    mode: Mode = "this"

    def periods(self) -> list[Period]:
        return periods(self.first, self.last, self.step)


def check_length(first: dt.date, last: dt.date, step: Step) -> int:
    """How many periods a playback has; ValueError when more than ``MAX_PERIODS``."""
    count = len(periods(first, last, step))
    if count > MAX_PERIODS:
        raise ValueError(f"more than {MAX_PERIODS} periods of a {step}: choose a longer step or a shorter range")
    return count
