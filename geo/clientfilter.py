"""Filters the browser applies itself: what a filter change sends the map instead of a mask of the
rows shown (docs/ARCHITECTURE.md, "Events in the browser"; docs/performance.md, "What a filter
change sends").

At a million events the mask of the shown rows is 95 to 150 KB on its own, over issue 21's budget
for a whole filter change. The browser already holds, or fetches once per page, what most filters
read: each row's style in ``events.bin.gz`` names its event type, actors and status, ``dates.bin.gz`` its
first and last day, and ``terms.bin.gz`` (``BrowserFilters.file``, published with them) its dataset, country,
province and whether it lies in GBAO or the Wakhan. For a filter state that reads nothing else,
``BrowserFilters.terms`` gives the terms chosen (a small JSON value) and the runtime
(``geo/web/panj-map.js``, ``termRows``) picks the rows with the same rule as ``geo.filters``:

- event types, statuses: the row's term is one of those chosen; actors: the row names any of them;
- dates: the row's ``[date_first, date_last]`` overlaps the range (``date_last >= from``,
  ``date_first <= to``, in days);
- regions: the row lies in any region chosen (GBAO or Wakhan by its flag, a country or province by
  its code; a region no row lies in adds nothing);
- datasets: the rows the page keeps (the datasets ticked) are whole datasets, sent as their codes.

Anything else goes as a mask, as before: a search (the store answers it), the frontier's filters
(``strip.bin.gz`` holds its km as 32-bit floats, which would move rows at a bound's edge), the
fatalities range, a set of rows that is not a union of datasets, dates that are not whole days.
"""

from __future__ import annotations

import datetime as dt
import gzip
from functools import cached_property
from typing import Any

import numpy as np

from geo import filters, searchtext
from geo.filters import EventIndex, FilterState

TERMS_FILE = "terms.bin.gz"
# The term columns terms.bin.gz holds, each a Uint16 per row: 0 where the row has none, else 1 + the
# row's code in EventIndex.terms(column).
CODE_COLUMNS = ("dataset", "country_id", "province_id")
_MAX_CODE = 0xFFFF - 1  # the last code a Uint16 column can hold, 1 added
# Regions named by a flag of the row (terms.bin.gz's last column, a Uint8 of bits).
REGION_FLAGS = {filters.REGION_GBAO: 1, filters.REGION_WAKHAN: 2}
_REGION_COLUMNS = {"country": "country_id", "province": "province_id"}
# As the events file's: at a million events level 6 took about 3 s on the shared cores, level 1 a
# tenth of it for a file an eighth larger (1.3 MB of random provinces), fetched once if at all.
_GZIP_LEVEL = 1
_EPOCH = dt.date(1970, 1, 1)


class BrowserFilters:
    """Which filter states the browser can apply to ``index``'s rows (the snapshot's events, in the
    rows of the published files), and their terms. Worked out once per snapshot
    (``Snapshot.browser_filters``); ``terms`` is cheap on every run."""

    def __init__(self, index: EventIndex) -> None:
        self.index = index

    @cached_property
    def dates_exact(self) -> bool:
        """Whether ``dates.bin.gz``'s days are the index's dates exactly: every date known and a whole day."""
        for values in (self.index.date_first, self.index.date_last):
            if np.isnat(values).any() or (values.astype("datetime64[D]") != values).any():
                return False
        return True

    @cached_property
    def coded(self) -> frozenset[str]:
        """The ``CODE_COLUMNS`` the frame has, each with few enough terms for ``terms.bin.gz``."""
        return frozenset(column for column in CODE_COLUMNS if column in self.index.frame.columns
                         and len(self.index.terms(column)[1]) <= _MAX_CODE)

    @cached_property
    def flagged(self) -> bool:
        """Whether the frame carries the GBAO and Wakhan flags."""
        return all(f"in_{region}" in self.index.frame.columns for region in REGION_FLAGS)

    def file(self) -> bytes:
        """``TERMS_FILE``: gzip of a Uint16 column per ``CODE_COLUMNS`` (little-endian; all 0 for a
        column left out of ``coded``) and then a Uint8 column of the rows' ``REGION_FLAGS``."""
        count = len(self.index.frame)
        parts = []
        for column in CODE_COLUMNS:
            codes = np.zeros(count, dtype="<u2")
            if column in self.coded:
                # Widened first: a categorical's own codes may be 8-bit. -1 (none) becomes 0.
                codes[:] = self.index.terms(column)[0].astype(np.int64) + 1
            parts.append(codes.tobytes())
        flags = np.zeros(count, dtype=np.uint8)
        if self.flagged:
            for region, bit in REGION_FLAGS.items():
                flags[self.index.masks(FilterState(regions=frozenset({region})))[filters.PART_REGIONS]] |= bit
        parts.append(flags.tobytes())
        return gzip.compress(b"".join(parts), compresslevel=_GZIP_LEVEL, mtime=0)

    def terms(self, state: FilterState, within: np.ndarray | None = None) -> dict[str, Any] | None:
        """The terms of ``state`` among the rows ``within`` (None: all) for the browser to apply, or
        None when it cannot apply them exactly (the module docstring): then the page sends a mask."""
        if searchtext.words(state.text) or state.within_km is not None or state.sides is not None \
                or state.stretches is not None or state.along_km is not None \
                or state.fatalities_min is not None or state.fatalities_max is not None:
            return None
        terms: dict[str, Any] = {}
        for key, chosen in (("types", state.event_types), ("actors", state.actors), ("statuses", state.statuses)):
            if chosen is not None:
                terms[key] = sorted(chosen)
        if state.date_from is not None or state.date_to is not None:
            if not self.dates_exact:
                return None
            terms["days"] = [None if day is None else (day - _EPOCH).days for day in (state.date_from, state.date_to)]
        if state.regions is not None:
            regions = self._regions(state.regions)
            if regions is None:
                return None
            terms["regions"] = regions
        if within is not None:
            datasets = self._datasets(within)
            if datasets is None:
                return None
            terms["datasets"] = datasets
        return terms

    def _regions(self, regions: frozenset[str]) -> dict[str, Any] | None:
        """The regions as the row's flags and codes it may have; None when ``terms.bin.gz`` lacks a column."""
        found: dict[str, Any] = {"flags": 0, "country_id": [], "province_id": []}
        for region in sorted(regions):
            if region in REGION_FLAGS:
                if not self.flagged:
                    return None
                found["flags"] |= REGION_FLAGS[region]
                continue
            prefix, _, value = region.partition(":")
            column = _REGION_COLUMNS.get(prefix)
            if column is None or not value:
                continue  # no row lies in it (EventIndex's rule)
            if column not in self.coded:
                return None
            _, values = self.index.terms(column)
            if value in values:
                found[column].append(values.index(value) + 1)
        return found

    @cached_property
    def _dataset_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Each row's dataset code (1 added) and the rows of each code: worked out once, not per run."""
        codes = self.index.terms("dataset")[0].astype(np.int64) + 1
        return codes, np.bincount(codes, minlength=len(self.index.terms("dataset")[1]) + 1)

    def _datasets(self, within: np.ndarray) -> list[int] | None:
        """The dataset codes (1 added) whose rows ``within`` keeps, when it keeps whole datasets; else None."""
        if "dataset" not in self.coded:
            return None
        codes, every = self._dataset_rows
        kept = np.bincount(codes[within], minlength=len(every))
        if ((kept != 0) & (kept != every)).any():
            return None
        return [int(code) for code in np.flatnonzero(kept)]
