"""Stepping through the shown events one at a time, in date order, for workshop presentations.

Step order is ``date_first``, then ``date_last``, then ``id``: the earlier first possible day
comes first; on a tie the shorter span does ("11 May 2022" before "May 2022"); the id breaks any
remaining tie, so the order never depends on how the frame happens to be sorted.

The page keeps the current event's id; when the filters hide it, the events around its date
take its place (``locate``, ``step``), found through the unfiltered events.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

ORDER_COLUMNS = ("date_first", "date_last", "id")
HERE_KM = 1.0  # symbols this close stand at one spot: grouped at every zoom a step shows
KM_PER_DEGREE = 111.195  # of latitude, on the mean sphere

_Key = tuple[dt.date, dt.date, str]


def ordered_ids(frame: pd.DataFrame) -> list[str]:
    """The frame's event ids in step order."""
    return [event_id for _, event_id in _ordered(frame)]


def locate(frame: pd.DataFrame, current_id: str | None, *, unfiltered: pd.DataFrame | None = None) -> str | None:
    """The event to show as current.

    ``current_id`` itself when the frame holds it; when the filters hid it (it is in
    ``unfiltered``), the first shown event at or after its date, wrapping to the first; with no
    usable current id, the first event. None when the frame is empty.
    """
    order = _ordered(frame)
    if not order:
        return None
    if any(event_id == current_id for _, event_id in order):
        return current_id
    key = _key_of(current_id, unfiltered)
    later = [event_id for event_key, event_id in order if key is not None and event_key >= key]
    return later[0] if later else order[0][1]


def step(
    frame: pd.DataFrame, current_id: str | None, direction: int, *, unfiltered: pd.DataFrame | None = None
) -> str | None:
    """The id of the event after (``direction=+1``) or before (``-1``) the current one.

    Wraps at both ends: next after the last is the first, previous before the first is the last.
    With no current id (or one found nowhere), next gives the first and previous the last. A
    current event the filters hid (found in ``unfiltered``) steps to the first shown event after
    its date, or to the last one before it. None when the frame is empty.
    """
    if direction not in (1, -1):
        raise ValueError(f"direction must be +1 or -1, not {direction!r}")
    order = _ordered(frame)
    if not order:
        return None
    ids = [event_id for _, event_id in order]
    if current_id in ids:
        return ids[(ids.index(current_id) + direction) % len(ids)]
    key = _key_of(current_id, unfiltered)
    if key is None:
        return ids[0] if direction == 1 else ids[-1]
    if direction == 1:
        after = [event_id for event_key, event_id in order if event_key > key]
        return after[0] if after else ids[0]
    before = [event_id for event_key, event_id in order if event_key < key]
    return before[-1] if before else ids[-1]


def caption(row: pd.Series | dict[str, Any]) -> dict[str, str]:
    """What the presenter shows for one event: title, date label and summary, as plain text.

    Plain text on purpose: the page escapes it where it reaches HTML.
    """
    return {"title": str(row["title"]), "date_label": str(row["date_label"]), "summary": str(row["summary"])}


def here(frame: pd.DataFrame, lons: np.ndarray, lats: np.ndarray, event_id: str, *, km: float = HERE_KM) -> list[str]:
    """The events of ``frame`` whose symbols (``lons``, ``lats``, one per row) stand within ``km``
    of ``event_id``'s, that one included, in step order: what the map draws as one group at any
    zoom a step shows. Empty when the frame does not hold ``event_id``."""
    ids = frame["id"].to_numpy()
    at = np.flatnonzero(ids == event_id)
    if not len(at):
        return []
    lon, lat = lons[at[0]], lats[at[0]]
    # Degrees to km on the mean sphere: ample for a kilometre's closeness.
    dx = (lons - lon) * math.cos(math.radians(lat)) * KM_PER_DEGREE
    dy = (lats - lat) * KM_PER_DEGREE
    return ordered_ids(frame[np.hypot(dx, dy) <= km])


def place_note(place_name: str, precision: str, *, is_area: bool, here_ids: Sequence[str], event_id: str) -> str:
    """The caption's line about where an event is: "Country-wide: Afghanistan, outlined on the map"
    for an event known only to a country (another area: "Area-wide: ..."), and its place in the
    group the map draws it in ("2 of 12 here", ``here_ids`` in step order); empty for an event
    of its own place."""
    parts = []
    if is_area:
        parts.append(f"{'Country' if precision == 'country' else 'Area'}-wide: {place_name}, outlined on the map")
    if len(here_ids) > 1 and event_id in here_ids:
        parts.append(f"{list(here_ids).index(event_id) + 1} of {len(here_ids)} here")
    return " · ".join(parts)


def _ordered(frame: pd.DataFrame) -> list[tuple[_Key, str]]:
    keys = zip(*(frame[column] for column in ORDER_COLUMNS))
    return sorted((key, key[2]) for key in keys)


def _key_of(event_id: str | None, unfiltered: pd.DataFrame | None) -> _Key | None:
    if event_id is None or unfiltered is None:
        return None
    match = unfiltered[unfiltered["id"] == event_id]
    if match.empty:
        return None
    row = match.iloc[0]
    return tuple(row[column] for column in ORDER_COLUMNS)  # type: ignore[return-value]
