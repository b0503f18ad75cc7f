"""The events table under the map: one row per shown event, with names instead of ids, and the
orders it can be sorted in across every shown row (docs/ARCHITECTURE.md, "The paged table").

A sort never needs the rows' text at the time of sorting: each column's order over all the
snapshot's events is computed once, the first time a reader sorts by it, and kept on the snapshot
(``SortOrders``, a bounded few columns). The titles' order is worked out with the snapshot's build
instead (``text_order`` of the titles read with the events: ``Snapshot.title_order``), since the
snapshot holds no title to sort by later. Sorting the shown rows is then one pass over that order
with the filters' mask; only the page's 50 rows are ever turned into text (``events_table``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo import fatalities, searchtext
from geo.events import Vocabulary
from geo.filters import EventIndex
from geo.join import distances_apply

# The columns the table sorts by (id -> the column's heading), in the table's order; "date" by the
# first day a date allows, as the page always listed them.
SORT_COLUMNS: dict[str, str] = {
    "date": "Date", "title": "Title", "status": "Status", "type": "Type", "actors": "Actors",
    "fatalities": "Fatalities", "place": "Place", "region": "Region", "frontier": "Frontier (km)", "source": "Source",
}
# Shown, and offered as a sort, only where some event of the snapshot reports fatalities.
FATALITIES_SORT = "fatalities"
DEFAULT_SORT = "date"
HEADING_SORTS = {"From": "date", **{heading: column for column, heading in SORT_COLUMNS.items()}}  # heading -> sort
KEPT_ORDERS = 4  # columns whose order a snapshot keeps: 4 bytes an event each


def events_table(shown: pd.DataFrame, vocabulary: Vocabulary, *, with_fatalities: bool = False) -> pd.DataFrame:
    """The table's columns for ``shown`` (joined events, ``geo.join``). "Frontier (km)" is missing
    (NA) for a country-wide event, whose distances do not apply (``geo.join.distances_apply``).
    ``with_fatalities`` adds "Fatalities", each event's reported count, missing (NA, not 0) where
    it reports none (``geo.fatalities``)."""
    columns = {
        "Date": shown["date_label"],
        "From": shown["date_first"],
        "Title": shown["title"],
        "Status": _status_names(shown),
        "Type": _type_names(shown, vocabulary),
        "Actors": _actor_names(shown, vocabulary),
    }
    if with_fatalities:
        columns["Fatalities"] = _fatalities(shown)
    return pd.DataFrame({
        **columns,
        "Place": shown["place_name"],
        "Region": _region_names(shown),
        "Frontier (km)": _frontier_km(shown).round(1),
        "Source": _source_names(shown),
    })


def sort_columns(with_fatalities: bool) -> list[str]:
    """The ``SORT_COLUMNS`` ids the table offers: "fatalities" only ``with_fatalities``."""
    return [column for column in SORT_COLUMNS if with_fatalities or column != FATALITIES_SORT]


def _fatalities(shown: pd.DataFrame) -> pd.Series:
    values = shown[fatalities.COLUMN] if fatalities.COLUMN in shown.columns else pd.Series(np.nan, index=shown.index)
    return values.astype("Float64").round().astype("Int64")


def _status_names(shown: pd.DataFrame) -> pd.Series:
    return shown["status"].str.capitalize()


def _type_names(shown: pd.DataFrame, vocabulary: Vocabulary) -> pd.Series:
    types = vocabulary.event_types
    return shown["event_type"].map(lambda term_id: types[term_id].name if term_id in types else term_id)


def _actor_names(shown: pd.DataFrame, vocabulary: Vocabulary) -> pd.Series:
    actors = vocabulary.actors
    return shown["actors"].map(lambda ids: ", ".join(actors[i].name if i in actors else i for i in ids))


def _region_names(shown: pd.DataFrame) -> list[str]:
    return [", ".join(part for part in (province, country) if isinstance(part, str))
            for province, country in zip(shown["province"], shown["country"])]


def _frontier_km(shown: pd.DataFrame) -> pd.Series:
    return shown["frontier_km"].where(distances_apply(shown))


def _source_names(shown: pd.DataFrame) -> list[str]:
    return [f"{document}: {citations}" for document, citations in zip(shown["document"], shown["citations_label"])]


# --- sorting -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SortOrder:
    """Every event of a snapshot in one column's order: ``rows`` (positions in ``Snapshot.events``)
    ascending by the column's value, ties in date order, and the ``missing`` events without a value
    last."""

    rows: np.ndarray
    missing: int

    def of(self, shown: np.ndarray, descending: bool = False) -> np.ndarray:
        """The positions of the ``shown`` events (a mask over the snapshot's events) in this order,
        or backwards when ``descending``; the events without a value stay last either way."""
        rows = self.rows[shown[self.rows]]
        if not descending:
            return rows
        valued = len(rows) - int(shown[self.rows[len(self.rows) - self.missing:]].sum())
        return np.concatenate([rows[:valued][::-1], rows[valued:]])


class SortOrders:
    """A snapshot's column orders, computed on first use and kept for the ``KEPT_ORDERS`` columns
    used last (sessions are threads: one computes a column while the others wait)."""

    def __init__(self, kept: int = KEPT_ORDERS) -> None:
        self.kept = kept
        self._orders: OrderedDict[str, SortOrder] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, column: str, compute: Callable[[], SortOrder]) -> SortOrder:
        with self._lock:
            if column not in self._orders:
                self._orders[column] = compute()
                while len(self._orders) > self.kept:
                    self._orders.popitem(last=False)
            self._orders.move_to_end(column)
            return self._orders[column]


class Sortable(Protocol):
    """What ``sort_order`` reads of a snapshot (``geo.snapshot.Snapshot``, which keeps the orders)."""

    events: pd.DataFrame
    vocabulary: Vocabulary
    sort_orders: SortOrders
    title_order: SortOrder  # worked out with the snapshot (text_order of the titles)

    @property
    def index(self) -> EventIndex: ...

    def details(self, rows: pd.DataFrame) -> pd.DataFrame: ...

    def place_names(self, places: Iterable[str]) -> Mapping[str, str]: ...


def sort_order(snapshot: Sortable, column: str) -> SortOrder:
    """The snapshot's events in the order of the table's ``column`` (a ``SORT_COLUMNS`` id):
    dates by their first day; distances as the table shows them (to 0.1 km), a country-wide
    event's missing; fatalities by the count reported, an event reporting none missing; every
    other column by the text the table shows, accents and case ignored, an empty text missing.
    ValueError for an unknown column."""
    if column not in SORT_COLUMNS:
        raise ValueError(f"cannot sort the table by {column!r}: the columns are {', '.join(SORT_COLUMNS)}")
    if column == "title":
        return snapshot.title_order
    return snapshot.sort_orders.get(column, lambda: _compute(snapshot, column))


def text_order(texts: pa.Array | pa.ChunkedArray) -> SortOrder:
    """The order of events whose text is ``texts`` (one string per event in the events' order,
    null: none) as ``sort_order`` defines a text column's (``_by_text``): by each text folded, the
    events without one (null, or folded to nothing) last, ties in the events' order. Worked out by
    Arrow, whose sort is stable and compares UTF-8 bytes, which is the code points' order that
    Python compares strings in."""
    folded = pc.fill_null(searchtext.folded_column(texts), "")
    missing = pc.equal(folded, "")
    rows = pc.sort_indices(pa.table({"missing": missing, "text": folded}),
                           sort_keys=[("missing", "ascending"), ("text", "ascending")])
    return SortOrder(rows=rows.to_numpy().astype(np.int32), missing=int(pc.sum(missing).as_py() or 0))


TEXT_SLICE = 20_000  # rows whose text one read brings in, while a text column's order is computed


def _with_text(snapshot: Sortable, columns: Sequence[str]) -> pd.DataFrame:
    """``columns`` of every event: the snapshot's compact rows hold no text, so it is read through
    ``details`` a slice at a time, only these columns kept (once per snapshot and column)."""
    events = snapshot.events
    if all(column in events.columns for column in columns):
        return events[list(columns)]
    parts = [snapshot.details(events.iloc[start: start + TEXT_SLICE])[list(columns)]
             for start in range(0, len(events), TEXT_SLICE)]
    return pd.concat(parts) if parts else pd.DataFrame(columns=list(columns))


def _compute(snapshot: Sortable, column: str) -> SortOrder:
    events = snapshot.events
    if column == "date":
        return _ascending(snapshot.index.date_first, np.zeros(len(events), dtype=bool))
    if column == FATALITIES_SORT:
        counts = snapshot.index.fatalities
        return _ascending(np.nan_to_num(counts), np.isnan(counts))
    if column == "frontier":
        distances = _frontier_km(events).round(1).to_numpy(dtype=float, na_value=np.nan)  # as shown
        return _ascending(np.nan_to_num(distances), np.isnan(distances))
    if column == "status":
        return _by_text(*pd.factorize(_status_names(events)))
    if column == "type":
        codes, terms = pd.factorize(events["event_type"])
        return _by_text(codes, _type_names(pd.DataFrame({"event_type": terms}), snapshot.vocabulary))
    if column == "actors":
        # The index's codes of the actor sets (a categorical's own); factorizing tuples fails in pandas 3.
        codes, lists = snapshot.index.terms("actors")
        return _by_text(codes, _actor_names(pd.DataFrame({"actors": list(lists)}), snapshot.vocabulary))
    if column == "place":  # each place named once
        codes, places = pd.factorize(events["place"])
        names = snapshot.place_names(list(places))
        return _by_text(codes, [names.get(place) for place in places])
    if column == "region":
        codes, pairs = _pairs(events, "province", "country")
        return _by_text(codes, _region_names(pairs))
    codes, pairs = _pairs(_with_text(snapshot, ["document", "citations_label"]), "document", "citations_label")
    return _by_text(codes, _source_names(pairs))


def _pairs(events: pd.DataFrame, first: str, second: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes of the distinct (``first``, ``second``) values per event, and those pairs as a frame."""
    frame = events[[first, second]].astype(object).where(events[[first, second]].notna(), None)
    codes, pairs = pd.factorize(pd.Series(list(zip(frame[first], frame[second])), dtype=object))
    return codes, pd.DataFrame(list(pairs), columns=[first, second])


def _by_text(codes: np.ndarray, texts: Sequence[object]) -> SortOrder:
    """The order of events whose values are ``texts[code]`` (code -1: no value), by each text
    folded (``geo.aliases.fold``): texts alike but for accents and case rank alike. Folded and
    ranked by Arrow (``searchtext.folded_column``; equal texts one rank, in the code points' order)."""
    values = pa.array([text if isinstance(text, str) else None for text in texts], pa.string())
    folded = pc.fill_null(searchtext.folded_column(values), "")
    ranks = pc.rank(folded, sort_keys="ascending", tiebreaker="dense").to_numpy() if len(folded) else np.empty(0)
    ranks = np.append(ranks.astype(np.int64), len(folded) + 1)  # code -1: last
    missing = np.append(pc.equal(folded, "").to_numpy(zero_copy_only=False), True)
    return _ascending(ranks[codes], missing[codes])


def _ascending(keys: np.ndarray, missing: np.ndarray) -> SortOrder:
    """Positions by ``keys`` (a stable sort: the events' date order breaks ties), ``missing`` last."""
    order = np.lexsort((keys, missing)).astype(np.int32)  # the last key sorts first
    return SortOrder(rows=order, missing=int(missing.sum()))
