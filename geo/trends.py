"""Change along the frontier: events per segment of the frontier and per period, against the
periods before, with a change level by ACLED Trendfinder's thresholds (docs/DATA.md, "Change along
the frontier").

Pure: it reads joined events' columns (``frontier_km``, ``frontier_along_km``, ``date_first``,
``location_precision``, and ``place`` for the events on an area) and writes a table; ``panj trends`` (``geo.cli``) reads and writes files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from geo.frontier import AreaReach, Stretch, stretch_ids
from geo.join import distances_apply
from geo.kept import Kept

PERIODS = ("month", "week")
KEPT_TABLES = 16  # tables a snapshot's TrendsTables remembers (a few KB each)
COLUMNS = ("segment_from_km", "segment_to_km", "stretch", "period", "events", "mean_4", "mean_long", "change_4",
           "level")
LEVELS = ("large-increase", "moderate-increase", "limited", "large-decrease")
SHORT_NORM = 4  # periods before, for mean_4 and change_4
LONG_NORM = {"month": 12, "week": 52}  # a year before, for mean_long
# ACLED Trendfinder's thresholds, in per cent of the norm.
LARGE_CHANGE = 25.0
MODERATE_CHANGE = 10.0
# A norm this low, with this few events in the period, is too little to call a change (ACLED's "low
# baseline activity": two events or fewer on average and five or fewer in the period).
LOW_MEAN = 2.0
LOW_EVENTS = 5


def period_starts(days: np.ndarray, period: str) -> np.ndarray:
    """The first day (``datetime64[D]``) of the month, or the ISO week's Monday, holding each day."""
    days = np.asarray(days, dtype="datetime64[D]")
    if period == "month":
        return days.astype("datetime64[M]").astype("datetime64[D]")
    if period == "week":
        # 1970-01-01, day 0, was a Thursday: three days after its week's Monday.
        return days - ((days.astype(np.int64) + 3) % 7).astype("timedelta64[D]")
    raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")


def period_label(start: np.datetime64, period: str) -> str:
    """``YYYY-MM`` for a month, the Monday's ``YYYY-MM-DD`` for a week."""
    return str(start.astype("datetime64[M]")) if period == "month" else str(start.astype("datetime64[D]"))


def trends(events: pd.DataFrame, stretches: Sequence[Stretch], *, length_km: float, within_km: float,
           segment_km: float, period: str, span: tuple[dt.date | None, dt.date | None] = (None, None),
           areas: AreaReach | None = None) -> pd.DataFrame:
    """The ``COLUMNS`` table: a row per segment of ``segment_km`` along the frontier (west to east,
    the last one shorter, ending at ``length_km``) and per period from the one holding ``span``'s
    first day (else the earliest counted event's start) to the one holding its last day (else the
    latest start). ``events`` counts the events within ``within_km`` of the frontier whose nearest
    frontier point lies in the segment, each in the period of its first day. An event on an area (or
    a line: no km along the frontier) counts in every segment within ``within_km`` of its area, as
    ``areas`` measures it (docs/ARCHITECTURE.md, "Events on an area"; not counted without
    ``areas``); an event known only to a country is not counted."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    if not (within_km >= 0 and segment_km > 0 and length_km > 0):
        raise ValueError("within_km must be 0 or more, segment_km and length_km more than 0")
    along = events["frontier_along_km"].to_numpy(dtype=float, na_value=np.nan)
    applies = distances_apply(events)
    counted = ~np.isnan(along) & (events["frontier_km"].to_numpy(dtype=float, na_value=np.nan) <= within_km) & applies
    # The area of each event on one, as a row of ``areas``; -1 for the others.
    area_row = np.full(len(events), -1, dtype=np.int64)
    on_area = np.flatnonzero(np.isnan(along) & applies) if areas is not None else np.empty(0, dtype=np.int64)
    if len(on_area):
        area_row[on_area] = areas.place_rows(events["place"].to_numpy(dtype=object)[on_area])
    edges = np.arange(0.0, length_km, segment_km)
    segment_to = np.minimum(edges + segment_km, length_km)
    reached = None
    if (area_row >= 0).any():
        # Per area and segment: whether the area lies within the distance of that part of the frontier.
        reached = areas.to_parts(edges, segment_to) <= within_km
        area_row[area_row >= 0] = np.where(reached.any(axis=1)[area_row[area_row >= 0]], area_row[area_row >= 0], -1)
    relevant = np.flatnonzero(counted | (area_row >= 0))
    counted, area_row = counted[relevant], area_row[relevant]
    starts = np.asarray(pd.to_datetime(events["date_first"].to_numpy()[relevant]).to_numpy(), dtype="datetime64[D]")
    first, last = span
    first_day = np.datetime64(first, "D") if first is not None else (starts.min() if len(starts) else None)
    last_day = np.datetime64(last, "D") if last is not None else (starts.max() if len(starts) else None)
    if first_day is None or last_day is None or first_day > last_day:
        return pd.DataFrame({name: [] for name in COLUMNS})
    step = np.timedelta64(7, "D") if period == "week" else None
    first_period, last_period = period_starts(np.array([first_day, last_day]), period)
    if period == "month":
        periods = np.arange(first_period.astype("datetime64[M]"), last_period.astype("datetime64[M]") + 1).astype("datetime64[D]")
    else:
        periods = np.arange(first_period, last_period + step, step)

    column = np.searchsorted(periods, period_starts(starts, period))
    inside = (column < len(periods)) & (periods[np.clip(column, 0, len(periods) - 1)] == period_starts(starts, period))
    counts = np.zeros((len(edges), len(periods)), dtype=np.int64)
    points = counted & inside
    segment = np.clip((along[relevant][points] // segment_km).astype(np.int64), 0, len(edges) - 1)
    np.add.at(counts, (segment, column[points]), 1)
    if reached is not None:
        per_area = np.zeros((reached.shape[0], len(periods)), dtype=np.int64)
        placed = (area_row >= 0) & inside
        np.add.at(per_area, (area_row[placed], column[placed]), 1)
        counts += reached.T.astype(np.int64) @ per_area

    mean_4 = _trailing_mean(counts, SHORT_NORM)
    mean_long = _trailing_mean(counts, LONG_NORM[period])
    with np.errstate(divide="ignore", invalid="ignore"):
        change_4 = np.where(mean_4 > 0, (counts - mean_4) / mean_4 * 100.0, np.nan)
    levels = change_levels(counts, mean_4, change_4)
    # The stretch a segment's midpoint lies on: the one holding most of it when it crosses one border.
    names = stretch_ids((edges + segment_to) / 2.0, stretches)
    rows, columns = np.indices(counts.shape)
    rows, columns = rows.ravel(), columns.ravel()
    return pd.DataFrame({
        "segment_from_km": np.round(edges[rows], 1),
        "segment_to_km": np.round(segment_to[rows], 1),
        "stretch": names[rows],
        "period": [period_label(periods[index], period) for index in columns],
        "events": counts.ravel(),
        "mean_4": np.round(mean_4.ravel(), 2),
        "mean_long": np.round(mean_long.ravel(), 2),
        "change_4": np.round(change_4.ravel(), 1),
        "level": levels.ravel(),
    }, columns=list(COLUMNS))


def _trailing_mean(counts: np.ndarray, window: int) -> np.ndarray:
    """Per cell, the mean of the ``window`` periods before it; NaN where some of them lie before the
    table's first period (the data says nothing of them: they are not zeros)."""
    before = np.cumsum(np.pad(counts, ((0, 0), (1, 0))), axis=1, dtype=float)
    means = np.full(counts.shape, np.nan)
    if counts.shape[1] > window:
        means[:, window:] = (before[:, window:-1] - before[:, :-window - 1]) / window
    return means


def change_levels(events: np.ndarray, mean_4: np.ndarray, change_4: np.ndarray) -> np.ndarray:
    """ACLED Trendfinder's level of each period against its norm (``mean_4``): ``LEVELS``, or None
    where there is no norm. A norm of at most ``LOW_MEAN`` with at most ``LOW_EVENTS`` events is
    limited whatever the change; a norm of 0 with more events is a large increase."""
    events, mean_4, change_4 = np.asarray(events), np.asarray(mean_4, dtype=float), np.asarray(change_4, dtype=float)
    levels = np.full(events.shape, None, dtype=object)
    normed = ~np.isnan(mean_4)
    low = normed & (mean_4 <= LOW_MEAN) & (events <= LOW_EVENTS)
    rising_from_nothing = normed & ~low & (mean_4 == 0)
    measured = normed & ~low & (mean_4 > 0)
    levels[low] = "limited"
    levels[rising_from_nothing] = "large-increase"
    change = np.where(measured, change_4, 0.0)
    levels[measured & (change >= LARGE_CHANGE)] = "large-increase"
    levels[measured & (change >= MODERATE_CHANGE) & (change < LARGE_CHANGE)] = "moderate-increase"
    levels[measured & (change <= -LARGE_CHANGE)] = "large-decrease"
    levels[measured & (change > -LARGE_CHANGE) & (change < MODERATE_CHANGE)] = "limited"
    return levels


class TrendsTables:
    """A snapshot's trends tables, kept for the ``kept`` asked for last: each new session, and every
    rerun that shows the same events (a sort, a panel opened), finds the table its filters and
    choice give already counted (docs/performance.md, "First load"). Sessions are threads; two
    asking for a table not yet kept may both count it. A table handed out is shared: read it only."""

    def __init__(self, kept: int = KEPT_TABLES) -> None:
        self._tables = Kept(kept)

    def get(self, events: pd.DataFrame, choice: tuple, count: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The table of ``events`` (rows of the snapshot's events, by their index labels) by
        ``choice`` (whatever else the table depends on, hashable), counted by ``count`` when not
        kept."""
        return self._tables.get((hashlib.sha256(events.index.to_numpy().tobytes()).digest(), choice), count)
