"""Fatalities as a channel of the map (docs/ARCHITECTURE.md, "Fatalities"): the column the
snapshot keeps, the sums the page, the table and a figure state, and the symbol scale the map's
runtime (geo/web/panj-map.js) draws with.

An event's fatalities are its dataset's own count (ACLED's ``fatalities``, UCDP GED's ``best``),
kept by the import as the event's ``fatalities`` property. An event whose source gives none has
no value (NaN in the column), which is not 0: it is counted apart as "none reported", never summed
as zero, and drawn at the ordinary size with a dotted ring rather than at the smallest size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

COLUMN = "fatalities"  # the joined events' column: a float, NaN where none is reported
# UCDP GED's low and high estimates beside its best (COLUMN), kept as the event's properties of
# these names. The snapshot does not hold them: ``geo.compact.details`` reads them from the store
# for the rows asked, so the popup and the exports give them with the count.
RANGE_COLUMNS = ("fatalities_low", "fatalities_high")
DETAIL_COLUMNS = (COLUMN, *RANGE_COLUMNS)  # what details adds: whole numbers, NA where none is reported
SIZE_BY = "fatalities"  # the one channel symbols can be sized by (?size=fatalities, a scene's "size_by")
# The symbol scale: area proportional to the count, so the radius grows with its square root. The
# largest count drawn at the map's zoom (one symbol, or a group's sum) gets MAX_RADIUS; a count
# whose radius would fall below MIN_RADIUS (0 among them) is drawn at MIN_RADIUS; a group is never
# drawn smaller than its ordinary size, which holds its count.
MAX_RADIUS = 24.0  # px
MIN_RADIUS = 3.0  # px


@dataclass(frozen=True)
class Sums:
    """The fatalities of some events: ``total`` reported, by ``reporting`` events, and how many of
    ``events`` report none."""

    events: int
    reporting: int
    total: int

    @property
    def unreported(self) -> int:
        return self.events - self.reporting


def column_of(event_ids: pd.Series, properties: Mapping[str, Mapping[str, Any]]) -> pd.Series:
    """Each event's reported fatalities (its ``fatalities`` property, a whole number) as floats
    in the order of ``event_ids``, NaN where the event's properties give none."""
    counts = {event_id: float(found) for event_id, props in properties.items()
              if (found := props.get(COLUMN)) is not None}
    return event_ids.map(counts).astype(float)


def carried(frame: pd.DataFrame) -> bool:
    """Whether any event of ``frame`` reports fatalities (the page offers sizing and the range only then)."""
    return COLUMN in frame.columns and bool(frame[COLUMN].notna().any())


def sums(frame: pd.DataFrame) -> Sums:
    """The fatalities of the events of ``frame`` (joined or compact rows)."""
    return sums_of(frame[COLUMN].to_numpy(dtype=float) if COLUMN in frame.columns else np.full(len(frame), np.nan))


def sums_of(values: np.ndarray) -> Sums:
    """The fatalities of events whose counts are ``values`` (floats, NaN where none is reported)."""
    reported = ~np.isnan(values)
    return Sums(events=len(values), reporting=int(reported.sum()), total=int(values[reported].sum()))


def sums_text(counted: Sums) -> str:
    """The sums in words: "1,234 fatalities reported (12 events with none reported)"; "none
    reporting fatalities" when no event reports a count ("0 fatalities reported" would read as a
    reported zero)."""
    if counted.events and not counted.reporting:
        return "none reporting fatalities"
    text = f"{_counted(counted.total)} reported"
    if counted.unreported:
        events = "event" if counted.unreported == 1 else "events"
        text += f" ({counted.unreported:,} {events} with none reported)"
    return text


def check_count(value: float) -> int:
    """``value`` as a bound of the fatalities range (a whole number, 0 or more); ValueError says why not."""
    if isinstance(value, bool) or not float(value).is_integer() or value < 0:
        raise ValueError("the fatalities must be a whole number, 0 or more")
    return int(value)


def parse_count(text: str) -> int:
    """A fatalities bound as a URL or the command line gives it ("10"); ValueError says what is wrong."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError("expected a whole number of fatalities") from None
    return check_count(value)


def range_text(low: int | None, high: int | None) -> str:
    """The range in words for a figure's subtitle: "5–20 fatalities", "at least 1 fatality"; "" for none."""
    if low is None and high is None:
        return ""
    if high is None:
        return f"at least {_counted(low)}"
    if low is None or low == 0:
        return f"at most {_counted(high)}"
    return _counted(low) if low == high else f"{low:,}–{high:,} fatalities"


def _counted(count: int) -> str:
    return f"{count:,} {'fatality' if count == 1 else 'fatalities'}"
