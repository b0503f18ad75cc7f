"""What the reader has chosen to see: the filter state, the rest of the page state, their
query-string round trip, and applying the filters to the joined events.

Dates. Events carry partial dates ("2022", "May 2022", "11 May 2022"), which the join turns into
the interval of days they allow, ``[date_first, date_last]``. An event passes a date range when
that interval *overlaps* the range: "May 2022" is inside 20 May–10 June 2022 (it may have
happened on 20–31 May) and outside 1–30 June 2022. Either end of the range may be open (None).

Regions. A region id is one of
- ``gbao`` / ``wakhan``: the event's place lies in GBAO / the Wakhan corridor (the join's flags);
- ``country:<id>``: the place lies in that country (a ``countries`` feature id);
- ``province:<id>``: the place lies in that province (a ``provinces`` feature id).
An event passes when it lies in any of the selected regions. The region filter reads the join's
feature-id columns ``country_id`` and ``province_id`` (``geo.join``). ``province:gbao`` is the same
area as ``gbao``: it is offered once, as ``gbao`` (``REGION_ALIASES``).

Status. An event passes when its ``status`` (``occurred``, ``ongoing``, ``planned``, ``announced``:
``geo.events.STATUSES``) is one of the chosen ones.

The frontier (``geo.frontier``). "Within N km": an event passes when its ``frontier_km`` (the
distance from its place, a point or the whole of an area, to the frontier) is at most N. An event
known only to a whole country has no distance that means anything (``geo.join.distances_apply``)
and is outside every "within N km" filter, however large N. Bank side: the event's
``frontier_side`` (``tajikistan`` or ``afghanistan``, ``geo.frontier.SIDES``) is one of the chosen
ones; an event in neither country has no side and passes none. Stretch: the event's
``frontier_stretch`` (a stretch id of ``layers/frontier-stretches.json``) is one of the chosen;
an event on an area (or a line) has no one nearest frontier point and passes when one of the chosen
is a stretch nearest its area (``area_stretches``: every stretch it touches, when it touches the
frontier; docs/ARCHITECTURE.md, "Events on an area"); an event known only to a whole country passes none.
A km range along the frontier (``along_km``, what the frontier strip's brush sets: ``geo.strip``) keeps an
event whose ``frontier_along_km`` lies in it, ends included; one on an area has none and passes none.

Fatalities (``geo.fatalities``). An event passes a range ``fatalities_min``..``fatalities_max``
(either end open) when the fatalities it reports lie in it; an event reporting none (no value, not
0) passes no range that is set, however wide.

Search. An event matches when every word of the text is in its title, summary, place name or one
of the place's other spellings (``layers/aliases.json``, via the join's ``place_aliases``), in any
order, ignoring case and accents: "aivaj post" finds the Ayvoj border post (``geo.searchtext``).
The store answers for the events it holds (``StoredText``); the rest are searched here.

Query string. ``to_query_params`` writes what differs from a base view. Without a base (no
scene) that is what differs from "show everything" for filters, and always the visible layers and
the basemap, so a copied URL reopens the same view. With a base (a workshop scene) it is only what
differs from the scene, and a filter the scene sets but the reader cleared is written as a "no
filter" token: ``actor=all``, ``type=all``, ``status=all``, ``region=all``, ``side=all``,
``stretch=all``, ``from=any``, ``to=any``, ``within=any``, ``along=any``, ``fatalities_min=any``,
``fatalities_max=any``, an empty ``q=`` and ``layers=none``; ``size=none`` where the scene sizes
the symbols by fatalities and the reader turned it off.
``from_query_params`` reads a query string on top of a default state: a key that is absent takes
the default's value, so ``?scene=ID&basemap=none`` is the scene with one override. ``all`` is
reserved: no actor, event type or stretch may take it as its id (``KnownIds``); region ids are
``gbao``, ``wakhan`` or prefixed, so cannot collide. ``bbox`` (W,S,E,N) is the map's extent, which
the map itself keeps up to date in the URL as the reader pans; ``event`` and ``bbox`` are written
whenever set. ``from_query_params`` never raises: unknown or malformed values
are dropped with a notice and the default's value kept. Keys it does not know are left alone
(other features of the page own them).
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo import fatalities, searchtext
from geo.events import RESERVED_ID, STATUSES, PartialDate
from geo.frontier import SIDES
from geo.join import distances_apply

if TYPE_CHECKING:
    from geo.store import StoredMatches

REGION_GBAO = "gbao"
REGION_WAKHAN = "wakhan"
_REGION_FLAGS = {REGION_GBAO: "in_gbao", REGION_WAKHAN: "in_wakhan"}
# Region ids that name the same area as another: the provinces layer's GBAO is the gbao region, so
# it is offered once, as "gbao", and "province:gbao" (as links once wrote it) reads as "gbao".
REGION_ALIASES = {"province:gbao": REGION_GBAO}
# prefix -> the join's column of feature ids and the layer those ids come from
_REGION_PREFIXES = {"country": ("country_id", "countries"), "province": ("province_id", "provinces")}

NO_LAYERS = "none"  # ?layers=none: every layer hidden (an empty list cannot be written in a URL)
# "No filter" where the default (a scene) has one: ?actor=all, ?type=all, ?region=all ...
ALL = RESERVED_ID
ANY_DATE = "any"  # ... and ?from=any, ?to=any: the date range open at that end
ANY_DISTANCE = "any"  # ... and ?within=any: any distance from the frontier
ANY_COUNT = "any"  # ... and ?fatalities_min=any: that end of the fatalities range open

# Query-string keys.
KEY_FROM, KEY_TO, KEY_ACTOR, KEY_TYPE, KEY_REGION, KEY_TEXT = "from", "to", "actor", "type", "region", "q"
KEY_STATUS = "status"
KEY_WITHIN, KEY_SIDE, KEY_STRETCH = "within", "side", "stretch"  # the frontier filters
KEY_FATALITIES_MIN, KEY_FATALITIES_MAX = "fatalities_min", "fatalities_max"  # the fatalities range
KEY_SIZE = "size"  # ?size=fatalities: symbols sized by fatalities (``ViewState.size_by``)
NO_SIZE = "none"  # ?size=none: ordinary symbols where the default (a scene) sizes them
KEY_ALONG = "along"  # ?along=100-250: km along the frontier, west to east (the strip's brush)
KEY_LAYERS, KEY_BASEMAP, KEY_EVENT = "layers", "basemap", "event"
KEY_BBOX = "bbox"  # the map's view, W,S,E,N in degrees: the map writes it as the reader pans
BBOX_DECIMALS = 4  # ~10 m: more would only lengthen links
# The smallest extent the page opens or writes, on each axis (~1 km): below it a map shows nothing
# an event's precision supports. geo/web/panj-map.js widens a smaller view to this when it writes it.
MIN_EXTENT_DEGREES = 0.01

_MAX_TEXT = 200  # a search longer than this is not a search
_SEARCHED_COLUMNS = ("title", "summary", "place_name", "place_aliases")
SEARCHES_KEPT = 32  # searches an EventIndex remembers the rows of (one bit per event each)


@dataclass(frozen=True)
class FilterState:
    """Which events to show. ``None`` for a set means "all"; an empty text matches everything."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actors: frozenset[str] | None = None
    event_types: frozenset[str] | None = None
    regions: frozenset[str] | None = None
    text: str = ""
    statuses: frozenset[str] | None = None  # of geo.events.STATUSES
    within_km: float | None = None  # at most this far from the frontier (frontier_km); None: any distance
    sides: frozenset[str] | None = None  # banks, of geo.frontier.SIDES
    stretches: frozenset[str] | None = None  # frontier stretch ids (layers/frontier-stretches.json)
    along_km: tuple[float, float] | None = None  # from, to km along the frontier (frontier_along_km); None: anywhere
    fatalities_min: int | None = None  # at least this many fatalities reported; None: open
    fatalities_max: int | None = None  # at most this many; None: open

    @property
    def is_default(self) -> bool:
        return self == FilterState()


@dataclass(frozen=True)
class ViewState:
    """The rest of what the page shows: layers, basemap and the selected event."""

    visible_layers: tuple[str, ...]
    basemap: str
    selected_event: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north; None: the home view
    size_by: str | None = None  # geo.fatalities.SIZE_BY: symbols sized by fatalities; None: ordinary symbols


@dataclass(frozen=True)
class KnownIds:
    """The ids a query string may name; anything else is reported and ignored."""

    actors: frozenset[str] = field(default_factory=frozenset)
    event_types: frozenset[str] = field(default_factory=frozenset)
    regions: frozenset[str] = field(default_factory=frozenset)
    layers: tuple[str, ...] = ()  # in drawing order
    basemaps: frozenset[str] = field(default_factory=frozenset)
    events: Collection[str] = field(default_factory=frozenset)
    statuses: frozenset[str] = frozenset(STATUSES)
    sides: frozenset[str] = frozenset(SIDES)
    stretches: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        # ?actor=all means "every actor", so an actor (event type, region, stretch) called "all" could
        # never be chosen by a link: refuse it where the ids meet the query string.
        for key, ids in ((KEY_ACTOR, self.actors), (KEY_TYPE, self.event_types), (KEY_REGION, self.regions),
                         (KEY_STRETCH, self.stretches)):
            if ALL in ids:
                raise ValueError(f"the id {ALL!r} is reserved: '?{key}={ALL}' means no filter; rename that {key}")


# --- applying ------------------------------------------------------------------------------------

# The filters of a FilterState, by name: the sidebar's charts each leave one out (``EventIndex.mask``).
PART_DATES, PART_ACTORS, PART_TYPES, PART_STATUSES, PART_REGIONS, PART_TEXT = (
    "dates", "actors", "event_types", "statuses", "regions", "text")
PART_WITHIN, PART_SIDES, PART_STRETCHES, PART_ALONG = "within_km", "sides", "stretches", "along_km"
PART_FATALITIES = "fatalities"
_LIST_COLUMNS = ("actors",)  # columns holding several terms per event


@dataclass(frozen=True)
class StoredText:
    """The rows of an ``EventIndex`` whose text a store holds and searches, read at store
    ``revision``; ``search`` answers a search text for them (``geo.store.Store.search`` with the
    layers' places: the snapshot's). The index searches its other rows in memory."""

    rows: np.ndarray  # boolean, over the frame's rows
    revision: int
    search: Callable[[str], StoredMatches]
    # The frame's rows by their rows in the store's search table, for an answer giving those
    # (StoredMatches.rows); None: ``search`` answers with ids only.
    search_rows: SearchRows | None = None


def apply_filters(frame: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    """The rows of the joined events ``frame`` that pass ``state``, in their original order, with
    their index labels."""
    return frame[EventIndex(frame).mask(state)]


class EventIndex:
    """The joined events ``frame`` as the filters read it: dates as datetime64 arrays, terms as
    integer codes (a categorical column's own). Each part is computed the first time a filter needs
    it and kept, so the page, which holds one index per loaded data (``Snapshot.index``), filters
    100,000 events with a few array operations per run (docs/ARCHITECTURE.md, "Filtering 100,000
    events"). A search asks the store for the rows of ``stored`` and looks in the folded text of the
    others, folded once; the rows a search matched are kept for the last ``SEARCHES_KEPT`` searches.
    Masks are numpy boolean arrays over the frame's rows, in its order.

    ``searched_text``, when given, returns for some of the frame's rows what a search looks in
    (title, summary, place name, other spellings): the snapshot's frame holds no text, so the rows
    searched in memory have theirs read on the first search.

    ``area_stretches`` (place reference -> stretch ids, ``geo.frontier.AreaReach.nearest_stretches``)
    are the stretches an event on that area lies on, for the stretch filter."""

    def __init__(self, frame: pd.DataFrame, stored: StoredText | None = None,
                 searched_text: Callable[[pd.DataFrame], list[tuple[str, ...]]] | None = None,
                 area_stretches: Mapping[str, Collection[str]] | None = None) -> None:
        self.frame = frame
        self.stored = stored
        self._searched_text = searched_text
        self._area_stretches = area_stretches or {}
        self._terms: dict[str, tuple[np.ndarray, list[Any]]] = {}
        self._searches: OrderedDict[tuple[int, tuple[str, ...]], np.ndarray] = OrderedDict()
        self._searches_lock = threading.Lock()  # sessions are threads sharing the page's index

    def prepare(self) -> None:
        """Compute every part but the searched text now (the page does it once per loaded data,
        before any reader asks); the text waits for the first search."""
        for column in ("actors", "event_type", "status", "dataset", "frontier_side", "frontier_stretch",
                       *(column for column, _ in _REGION_PREFIXES.values())):
            if column in self.frame.columns:
                self.terms(column)
        for part in ("date_first", "date_last", "ids"):
            getattr(self, part)
        if "frontier_km" in self.frame.columns:
            _ = self.distances_apply
        _ = self.area_stretches
        _ = self.fatalities

    @cached_property
    def date_first(self) -> np.ndarray:
        return _datetimes(self.frame["date_first"])

    @cached_property
    def date_last(self) -> np.ndarray:
        return _datetimes(self.frame["date_last"])

    @cached_property
    def distances_apply(self) -> np.ndarray:
        """Per event, whether its distances mean anything (``geo.join.distances_apply``)."""
        return distances_apply(self.frame)

    @property
    def frontier_km(self) -> np.ndarray:
        """Each event's distance to the frontier in km, NaN where it has none that means anything
        (an event known only to a whole country: ``distances_apply``). Made on each call from the
        frame's column, a few milliseconds at a million events, rather than kept: a second copy of
        that column would be 8 bytes an event."""
        km = self.frame["frontier_km"].to_numpy(dtype=float, na_value=np.nan)
        return np.where(self.distances_apply, km, np.nan)

    @cached_property
    def area_stretches(self) -> tuple[np.ndarray, list[frozenset[str]]]:
        """Per row, the index of its area's stretches in the list (-1: none: a point, a place not on
        the frontier or an event known only to a whole country), and the sets of stretches."""
        codes = np.full(len(self.frame), -1, dtype=np.int32)  # a few sets: 4 bytes an event, not 8
        if not self._area_stretches or "place" not in self.frame.columns:
            return codes, []
        sets = sorted({frozenset(ids) for ids in self._area_stretches.values()}, key=sorted)
        number = {ids: position for position, ids in enumerate(sets)}
        by_place = {place: number[frozenset(ids)] for place, ids in self._area_stretches.items()}
        on_area = self.frame["frontier_along_km"].isna().to_numpy() & self.distances_apply
        rows = np.flatnonzero(on_area)
        codes[rows] = pd.Series(self.frame["place"].to_numpy(dtype=object)[rows]).map(by_place).fillna(-1).to_numpy(
            dtype=np.int32)
        return codes, sets

    def on_stretches(self, wanted: Collection[str]) -> np.ndarray:
        """The events lying on any of the stretches ``wanted``: a point's nearest frontier point, an
        area's nearest stretches (``area_stretches``)."""
        codes, sets = self.area_stretches
        hits = np.array([bool(ids & set(wanted)) for ids in sets] + [False], dtype=bool)
        return self.naming("frontier_stretch", wanted) | hits[codes]

    @cached_property
    def fatalities(self) -> np.ndarray:
        """Each event's reported fatalities, NaN where it reports none (or the frame has no such column)."""
        if fatalities.COLUMN not in self.frame.columns:
            return np.full(len(self.frame), np.nan)
        return self.frame[fatalities.COLUMN].to_numpy(dtype=float, na_value=np.nan)

    @cached_property
    def reports_fatalities(self) -> bool:
        """Whether any event reports fatalities: asked several times in each run of the page, worked
        out once per snapshot."""
        return bool(np.isfinite(self.fatalities).any())

    @cached_property
    def frontier_along_km(self) -> np.ndarray:
        """Each event's km along the frontier, NaN where it has none (an event on an area)."""
        return self.frame["frontier_along_km"].to_numpy(dtype=float, na_value=np.nan)

    @cached_property
    def searched(self) -> pd.Series:
        """What a search looks in for each event searched in memory (every one without ``stored``,
        else those the store does not hold), by row position: title, summary, place name and the
        place's other spellings, folded (``geo.searchtext``)."""
        positions = np.arange(len(self.frame)) if self.stored is None else np.flatnonzero(~self.stored.rows)
        rows = self.frame.iloc[positions]
        if self._searched_text is not None:
            texts = self._searched_text(rows)
        else:
            columns = [rows[column].tolist() if column in rows.columns else [None] * len(rows)
                       for column in _SEARCHED_COLUMNS]
            if len(rows) and not any(column in rows.columns for column in _SEARCHED_COLUMNS):
                # The snapshot's compact rows hold no text: a search of them goes through Snapshot.index.
                raise ValueError(f"a search needs the events' text ({', '.join(_SEARCHED_COLUMNS)}); these rows have "
                                 "none: search through the snapshot's index")
            texts = list(zip(*columns)) if columns else [()] * len(rows)
        return pd.Series([searchtext.searched_text(fields) for fields in texts], index=positions, dtype="str")

    @cached_property
    def ids(self) -> EventIds:
        """The events' ids, each found at its row's position without a Python object per event."""
        return EventIds(self.frame["id"])

    def position(self, event_id: str) -> int | None:
        """The row position of the event ``event_id``, None when no row has it."""
        return self.ids.position(event_id)

    def terms(self, column: str) -> tuple[np.ndarray, list[Any]]:
        """``column``'s terms as (codes, terms): per row, the index of its value in ``terms``, -1
        where it is missing. A categorical column's own codes; for ``_LIST_COLUMNS`` (several
        terms per row) the values are the rows' sets of terms (tuples), each once."""
        if column not in self._terms:
            series = self.frame[column]
            if isinstance(series.dtype, pd.CategoricalDtype):
                # The column's own codes, read-only, not a copy of them per index.
                codes, uniques = series.array.codes, list(series.cat.categories)
            else:
                values = [tuple(value) for value in series] if column in _LIST_COLUMNS else series
                codes, found = pd.factorize(pd.Series(values, dtype=object) if column in _LIST_COLUMNS else values)
                uniques = list(found)
            self._terms[column] = (codes, uniques)
        return self._terms[column]

    def _hits(self, column: str, wanted: Collection[str]) -> np.ndarray:
        """Per term of ``column`` (per set of terms, for ``_LIST_COLUMNS``), whether it names any of ``wanted``."""
        _, terms = self.terms(column)
        if column in _LIST_COLUMNS:
            return np.array([any(term in wanted for term in terms_of) for terms_of in terms], dtype=bool)
        return np.array([term in wanted for term in terms], dtype=bool)

    def dates(self, mask: np.ndarray, *, with_fatalities: bool = False) -> pd.DataFrame:
        """The ``date_first`` and ``date_last`` of the events in ``mask``, as datetime64 columns
        (and, ``with_fatalities``, their ``fatalities``: NaN where none is reported)."""
        columns = {"date_first": self.date_first[mask], "date_last": self.date_last[mask]}
        if with_fatalities:
            columns[fatalities.COLUMN] = self.fatalities[mask]
        return pd.DataFrame(columns)

    def naming(self, column: str, wanted: Collection[str]) -> np.ndarray:
        """The events naming any of ``wanted`` in ``column``."""
        codes, _ = self.terms(column)
        hits = np.append(self._hits(column, wanted), False)  # code -1 (missing) reads the last: False
        return hits[codes]

    def counts(self, column: str, mask: np.ndarray) -> dict[str, int]:
        """Per term of ``column``, how many of the events in ``mask`` name it (terms no event names
        are left out)."""
        codes, terms = self.terms(column)
        chosen = codes[mask]
        counted = np.bincount(chosen[chosen >= 0], minlength=len(terms))
        if column not in _LIST_COLUMNS:
            return {terms[code]: int(count) for code, count in enumerate(counted) if count}
        per_term: dict[str, int] = {}
        for terms_of, count in zip(terms, counted, strict=True):
            for term in terms_of if count else ():
                per_term[term] = per_term.get(term, 0) + int(count)
        return per_term

    def fatality_sums(self, column: str, mask: np.ndarray) -> dict[str, fatalities.Sums]:
        """Per term of ``column``, the fatalities of the events in ``mask`` naming it (terms no
        event names are left out), as ``counts`` counts them."""
        codes, terms = self.terms(column)
        chosen, values = codes[mask], self.fatalities[mask]
        named = chosen >= 0
        chosen, values = chosen[named], values[named]
        reported = ~np.isnan(values)
        events = np.bincount(chosen, minlength=len(terms))
        reporting = np.bincount(chosen[reported], minlength=len(terms))
        total = np.bincount(chosen[reported], weights=values[reported], minlength=len(terms))
        per_term: dict[str, fatalities.Sums] = {}
        for terms_of, *sums in zip(terms if column in _LIST_COLUMNS else [(term,) for term in terms],
                                   events, reporting, total, strict=True):
            for term in terms_of if sums[0] else ():
                was = per_term.get(term, fatalities.Sums(0, 0, 0))
                per_term[term] = fatalities.Sums(was.events + int(sums[0]), was.reporting + int(sums[1]),
                                                 was.total + round(sums[2]))
        return per_term

    def masks(self, state: FilterState) -> dict[str, np.ndarray]:
        """One mask per filter ``state`` sets (``PART_DATES``, ``PART_ACTORS``, ...); a filter it leaves open has none."""
        masks: dict[str, np.ndarray] = {}
        if state.date_from is not None or state.date_to is not None:
            keep = np.ones(len(self.frame), dtype=bool)
            if state.date_from is not None:
                keep &= self.date_last >= np.datetime64(state.date_from)
            if state.date_to is not None:
                keep &= self.date_first <= np.datetime64(state.date_to)
            masks[PART_DATES] = keep
        if state.actors is not None:
            masks[PART_ACTORS] = self.naming("actors", state.actors)
        if state.event_types is not None:
            masks[PART_TYPES] = self.naming("event_type", state.event_types)
        if state.statuses is not None:
            masks[PART_STATUSES] = self.naming("status", state.statuses)
        if state.regions is not None:
            masks[PART_REGIONS] = self._in_regions(state.regions)
        if state.within_km is not None:
            masks[PART_WITHIN] = self.frontier_km <= state.within_km  # NaN (no distance) compares False
        if state.sides is not None:
            masks[PART_SIDES] = self.naming("frontier_side", state.sides)
        if state.stretches is not None:
            masks[PART_STRETCHES] = self.on_stretches(state.stretches)
        if state.fatalities_min is not None or state.fatalities_max is not None:
            # NaN (none reported) compares False with either bound: outside every range set.
            keep = ~np.isnan(self.fatalities)
            if state.fatalities_min is not None:
                keep &= self.fatalities >= state.fatalities_min
            if state.fatalities_max is not None:
                keep &= self.fatalities <= state.fatalities_max
            masks[PART_FATALITIES] = keep
        if state.along_km is not None:
            along = self.frontier_along_km  # NaN (none) compares False
            masks[PART_ALONG] = (along >= state.along_km[0]) & (along <= state.along_km[1])
        if searchtext.words(state.text):
            masks[PART_TEXT] = self.matching(state.text)
        return masks

    def matching(self, text: str) -> np.ndarray:
        """The events the search ``text`` (at least one word) matches: the store's answer for the
        rows it holds, the folded text for the others. Kept per (store revision, words) for the
        last ``SEARCHES_KEPT`` searches; an answer read at another revision than the rows' (the
        store moved on, and the page will read it anew) is not kept."""
        words = searchtext.words(text)
        key = (-1 if self.stored is None else self.stored.revision, tuple(sorted(words)))
        with self._searches_lock:
            kept = self._searches.get(key)
            if kept is not None:
                self._searches.move_to_end(key)
                return np.unpackbits(kept, count=len(self.frame)).astype(bool)
        hit = np.zeros(len(self.frame), dtype=bool)
        searched = self.searched
        if len(searched):
            keep = np.ones(len(searched), dtype=bool)
            for word in words:
                keep &= searched.str.contains(word, regex=False).to_numpy(dtype=bool)
            hit[searched.index.to_numpy()[keep]] = True
        current = True
        if self.stored is not None and self.stored.rows.any():
            found = self.stored.search(text)
            if found.rows is not None:
                if self.stored.search_rows is None:
                    raise ValueError("the store answered with its search table's rows, and this index was given "
                                     "no SearchRows to find them by")
                rows = self.stored.search_rows.positions_of(found.rows)
            else:
                rows = self.ids.positions_of(found.event_ids)
            rows = rows[rows >= 0]
            hit[rows[self.stored.rows[rows]]] = True
            current = found.revision == self.stored.revision
        if current:
            with self._searches_lock:
                self._searches[key] = np.packbits(hit)
                while len(self._searches) > SEARCHES_KEPT:
                    self._searches.popitem(last=False)
        return hit

    def mask(self, state: FilterState, *, within: np.ndarray | None = None, leave_out: str | None = None,
             masks: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        """The events that pass ``state`` (every filter but ``leave_out``) among ``within`` (all
        when None). ``masks``: ``self.masks(state)`` when the caller has them already."""
        keep = np.ones(len(self.frame), dtype=bool) if within is None else within.copy()
        for part, part_mask in (self.masks(state) if masks is None else masks).items():
            if part != leave_out:
                keep &= part_mask
        return keep

    def _in_regions(self, regions: frozenset[str]) -> np.ndarray:
        hit = np.zeros(len(self.frame), dtype=bool)
        for region in regions:
            if region in _REGION_FLAGS:
                hit |= self.frame[_REGION_FLAGS[region]].fillna(False).astype(bool).to_numpy()
                continue
            prefix, _, value = region.partition(":")
            if prefix in _REGION_PREFIXES and value:
                column = _REGION_PREFIXES[prefix][0]
                if column not in self.frame.columns:
                    raise ValueError(f"filtering by region {region!r} needs a {column!r} column, as geo.join gives")
                hit |= self.naming(column, {value})
        return hit


def _datetimes(column: pd.Series) -> np.ndarray:
    """``column``'s dates as a datetime64 array: the column's own values when it holds them so
    (the snapshot's compact frame, ``geo.compact``), not a copy per index."""
    if isinstance(column.dtype, np.dtype) and column.dtype.kind == "M":
        return column.to_numpy()
    return pd.to_datetime(column).to_numpy()


class EventIds(Collection[str]):
    """A column of event ids as a collection, each id's row found through the sorted hashes of
    them all: 8 bytes an event (the hash's low 32 bits, and the row as 4 bytes) where a dictionary
    would hold a Python string and an entry. Ids whose hashes meet are told apart by the ids
    themselves (at a million ids, a few lookups in ten thousand)."""

    def __init__(self, ids: pd.Series) -> None:
        self._ids = ids
        hashes = _hashes(ids.to_numpy(dtype=object))
        order = np.argsort(hashes, kind="stable")
        self._hashes = hashes[order]
        self._order = order.astype(np.int32 if len(order) <= np.iinfo(np.int32).max else np.int64)

    def position(self, event_id: str) -> int | None:
        """The row of ``event_id``, None when no row has it."""
        key = _hashes(np.array([event_id], dtype=object))[0]
        low, high = np.searchsorted(self._hashes, key, "left"), np.searchsorted(self._hashes, key, "right")
        for position in self._order[low:high]:  # one, but for a collision of two ids' hashes
            if self._ids.iat[position] == event_id:
                return int(position)
        return None

    def positions_of(self, event_ids: Sequence[str]) -> np.ndarray:
        """The rows of ``event_ids`` at once, -1 for an id no row has."""
        if not len(event_ids) or not len(self._hashes):
            return np.full(len(event_ids), -1, dtype=np.int64)
        wanted = np.asarray(event_ids, dtype=object)
        keys = _hashes(wanted)
        # Looked up in the hashes' order: numpy's binary search starts each key where the one before
        # ended, so the sort and the look-ups take under half the time of keys in the store's order
        # (docs/performance.md, "The server's part of a search").
        by_hash = np.argsort(keys)
        at = np.empty(len(keys), dtype=np.int64)
        at[by_hash] = np.searchsorted(self._hashes, keys[by_hash], "left")
        at = np.minimum(at, len(self._hashes) - 1)
        rows = np.where(self._hashes[at] == keys, self._order[at], -1).astype(np.int64)
        found = np.flatnonzero(rows >= 0)
        # Compared as Arrow strings: no Python string made for each id of the frame's own.
        held = pa.array(self._ids.iloc[rows[found]])
        same = pc.equal(held, pa.array(wanted[found], type=held.type)).to_numpy(zero_copy_only=False)
        for index in found[~same]:  # two ids with one hash: look the other one up
            position = self.position(str(wanted[index]))
            rows[index] = -1 if position is None else position
        return rows

    def __contains__(self, event_id: object) -> bool:
        return isinstance(event_id, str) and self.position(event_id) is not None

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids.tolist())


class SearchRows:
    """The frame's rows by their rows in the store's search table (``geo.store.Store.search`` with
    ``rows_at``): those numbers sorted, and the frame's row of each; 8 bytes an event, and a
    search's 140,000 rows at a million events found with one binary search each, where their ids
    would be hashed and compared as strings (docs/performance.md, "Search by row")."""

    def __init__(self, search_rows: np.ndarray) -> None:
        """``search_rows``: each of the frame's rows' number in the search table, -1 for none."""
        held = np.flatnonzero(search_rows >= 0)
        order = np.argsort(search_rows[held], kind="stable")
        numbers = search_rows[held][order]
        small = not len(numbers) or numbers[-1] <= np.iinfo(np.int32).max
        self._numbers = numbers.astype(np.int32 if small else np.int64)
        self._positions = held[order].astype(np.int32 if len(search_rows) <= np.iinfo(np.int32).max else np.int64)

    def positions_of(self, numbers: np.ndarray) -> np.ndarray:
        """The frame's rows of the search table's rows ``numbers``, -1 for one no row has."""
        if not len(numbers) or not len(self._numbers):
            return np.full(len(numbers), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._numbers, numbers), len(self._numbers) - 1)
        return np.where(self._numbers[at] == numbers, self._positions[at], -1).astype(np.int64)


def _hashes(ids: np.ndarray) -> np.ndarray:
    """The low 32 bits of pandas' hash of each id (an object array of strings). Hashed one by one,
    not through their distinct values first (``categorize``): the ids are distinct, and that is
    five times faster for the same hashes."""
    return pd.util.hash_array(ids, categorize=False).astype(np.uint32)


class ShownIds(Collection[str]):
    """The ids of the events in ``mask``, as a collection: ``in`` is one dictionary look-up."""

    def __init__(self, index: EventIndex, mask: np.ndarray) -> None:
        self.index, self.mask = index, mask

    def __contains__(self, event_id: object) -> bool:
        position = self.index.position(event_id) if isinstance(event_id, str) else None
        return position is not None and bool(self.mask[position])

    def __len__(self) -> int:
        return int(self.mask.sum())

    def __iter__(self) -> Iterator[str]:
        return iter(self.index.frame["id"].to_numpy()[self.mask])


def region_choices(frame: pd.DataFrame, layers: Mapping[str, Any]) -> dict[str, str]:
    """Region id -> label for the regions the joined events lie in: GBAO and Wakhan
    first, then countries, then provinces, each by name ("Badakhshan (province)").

    The one list of regions: the page's region filter and URLs, scenes, the command line's
    ``--region`` and the figure title all use it."""
    choices = {region: (layers[region].spec.title if region in layers else region.title()) for region in _REGION_FLAGS}
    for prefix, (column, layer_id) in _REGION_PREFIXES.items():
        names = layers[layer_id].frame["name"]
        found = sorted((names.get(value, value), value) for value in frame[column].dropna().unique())
        for name, value in found:
            if f"{prefix}:{value}" not in REGION_ALIASES:
                choices[f"{prefix}:{value}"] = f"{name} ({'country' if prefix == 'country' else 'province'})"
    return choices


def range_start(text: str) -> dt.date:
    """The first day a partial date (``2022``, ``2022-05``, ``2022-05-18``) allows: where a range
    starting at it begins. ValueError says what is wrong with ``text``."""
    return PartialDate.parse(text).first_day


def range_end(text: str) -> dt.date:
    """The last day a partial date allows: ``2022-02`` as the end of a range is 28 February."""
    return PartialDate.parse(text).last_day


def date_span(frame: pd.DataFrame) -> tuple[dt.date, dt.date] | None:
    """The first and last day any event allows, or None without events."""
    if frame.empty:
        return None
    # The joined frame's dates are dates; the snapshot's, datetime64 (geo.compact).
    return pd.Timestamp(frame["date_first"].min()).date(), pd.Timestamp(frame["date_last"].max()).date()


# --- query string --------------------------------------------------------------------------------

def to_query_params(
    state: FilterState, view: ViewState, base: tuple[FilterState, ViewState] | None = None
) -> dict[str, str | list[str]]:
    """The query string for ``state`` and ``view``; sets are written sorted, so equal states give equal URLs.

    ``base`` is the view a URL is read on top of (a scene's): only what differs from it is written,
    with the "no filter" tokens where the base filters and ``state`` does not. Without a base the
    filters are written against "show everything", and the layers and basemap always.
    """
    base_state, base_view = base if base is not None else (FilterState(), None)
    params: dict[str, str | list[str]] = {}
    for key, date, base_date in ((KEY_FROM, state.date_from, base_state.date_from),
                                 (KEY_TO, state.date_to, base_state.date_to)):
        if date != base_date:
            params[key] = date.isoformat() if date is not None else ANY_DATE
    for key, values, base_values in ((KEY_ACTOR, state.actors, base_state.actors),
                                     (KEY_TYPE, state.event_types, base_state.event_types),
                                     (KEY_STATUS, state.statuses, base_state.statuses),
                                     (KEY_REGION, state.regions, base_state.regions),
                                     (KEY_SIDE, state.sides, base_state.sides),
                                     (KEY_STRETCH, state.stretches, base_state.stretches)):
        if values != base_values:
            params[key] = sorted(values) if values is not None else ALL
    if state.within_km != base_state.within_km:
        params[KEY_WITHIN] = format_km(state.within_km) if state.within_km is not None else ANY_DISTANCE
    if state.along_km != base_state.along_km:
        params[KEY_ALONG] = format_along(state.along_km) if state.along_km is not None else ANY_DISTANCE
    for key, count, base_count in ((KEY_FATALITIES_MIN, state.fatalities_min, base_state.fatalities_min),
                                   (KEY_FATALITIES_MAX, state.fatalities_max, base_state.fatalities_max)):
        if count != base_count:
            params[key] = str(count) if count is not None else ANY_COUNT
    if state.text.strip() != base_state.text.strip():
        params[KEY_TEXT] = state.text.strip()  # empty when the reader cleared the base's search
    if base_view is None or set(view.visible_layers) != set(base_view.visible_layers):
        params[KEY_LAYERS] = list(view.visible_layers) if view.visible_layers else NO_LAYERS
    if base_view is None or view.basemap != base_view.basemap:
        params[KEY_BASEMAP] = view.basemap
    if view.size_by != (base_view.size_by if base_view is not None else None):
        params[KEY_SIZE] = view.size_by or NO_SIZE
    if view.selected_event is not None:
        params[KEY_EVENT] = view.selected_event
    if view.bbox is not None:
        params[KEY_BBOX] = format_bbox(view.bbox)
    return params


def parse_km(text: str) -> float:
    """A distance in km as a URL or a scene gives it ("25", "7.5"); ValueError says what is wrong."""
    try:
        km = float(text)
    except ValueError:
        raise ValueError("expected a number of km") from None
    return check_km(km)


def check_km(km: float) -> float:
    """``km`` if it can bound a distance to the frontier (finite, 0 or more), else ValueError saying why."""
    if not math.isfinite(km) or km < 0:
        raise ValueError("the km must be a finite number, 0 or more")
    return km


def format_km(km: float) -> str:
    """The shortest text ``parse_km`` reads back as ``km``: 25, not 25.0."""
    return f"{km:g}" if float(f"{km:g}") == km else repr(km)


def parse_along(text: str) -> tuple[float, float]:
    """A km range along the frontier as ``FROM-TO`` ("100-250", "0-42.5"), west to east;
    ValueError says what is wrong."""
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError("expected FROM-TO in km along the frontier, e.g. 100-250")
    return check_along(parse_km(start.strip()), parse_km(end.strip()))


def check_along(start: float, end: float) -> tuple[float, float]:
    """(start, end) if both are km (``check_km``) and start is not east of end, else ValueError."""
    start, end = check_km(start), check_km(end)
    if start > end:
        raise ValueError(f"the range starts at {format_km(start)} km, east of its end at {format_km(end)} km")
    return start, end


def format_along(along: tuple[float, float]) -> str:
    """The text ``parse_along`` reads back as ``along``."""
    return f"{format_km(along[0])}-{format_km(along[1])}"


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """``W,S,E,N`` in degrees -> (west, south, east, north); ValueError says what is wrong."""
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"expected four numbers W,S,E,N, got {text!r}") from None
    return check_bbox(west, south, east, north)


def check_bbox(west: float, south: float, east: float, north: float) -> tuple[float, float, float, float]:
    """The extent if the map can show it, else ValueError saying why. Every extent the reader or
    the data gives (URL, command line, scenes) passes here."""
    if not all(math.isfinite(value) for value in (west, south, east, north)):
        raise ValueError("the numbers must be finite")
    if not -180 <= west < east <= 180:
        raise ValueError("need -180 <= W < E <= 180 (longitudes)")
    if not -85 <= south < north <= 85:
        raise ValueError("need -85 <= S < N <= 85 (latitudes the map can show)")
    # The tolerance forgives the binary rounding of decimal degrees (37.01 - 37 < 0.01).
    if min(east - west, north - south) < MIN_EXTENT_DEGREES - 1e-9:
        raise ValueError(f"the extent is smaller than {MIN_EXTENT_DEGREES:g}° across; "
                         "no map of the frontier is drawn that close")
    return west, south, east, north


def format_bbox(bbox: tuple[float, float, float, float]) -> str:
    """The ``W,S,E,N`` form ``parse_bbox`` reads, rounded as the map writes it."""
    return ",".join(f"{value:.{BBOX_DECIMALS}f}".rstrip("0").rstrip(".") for value in bbox)


def from_query_params(
    params: Mapping[str, str | Iterable[str]],
    known: KnownIds,
    default_view: ViewState,
    default_state: FilterState = FilterState(),
) -> tuple[FilterState, ViewState, list[str]]:
    """Read a query string on top of ``default_state`` and ``default_view``: an absent key keeps the
    default's value, and so does an unknown or malformed one, dropped with a notice."""
    # Commas split lists (?actor=a,b), not the search text or the bbox's four numbers.
    values = {key: _as_list(value, split=key not in (KEY_TEXT, KEY_BBOX)) for key, value in params.items()}
    if KEY_REGION in values:
        values[KEY_REGION] = [REGION_ALIASES.get(region, region) for region in values[KEY_REGION]]
    notices: list[str] = []

    date_from = _date_param(values, KEY_FROM, default_state.date_from, range_start, notices)
    date_to = _date_param(values, KEY_TO, default_state.date_to, range_end, notices)
    if date_from and date_to and date_from > date_to:
        notices.append(f"Ignored the dates: '{KEY_FROM}' ({date_from}) is after '{KEY_TO}' ({date_to}).")
        date_from, date_to = default_state.date_from, default_state.date_to

    state = FilterState(
        date_from=date_from,
        date_to=date_to,
        actors=_id_set(values, KEY_ACTOR, known.actors, default_state.actors, "actor", notices),
        event_types=_id_set(values, KEY_TYPE, known.event_types, default_state.event_types, "event type", notices),
        regions=_id_set(values, KEY_REGION, known.regions, default_state.regions, "region", notices),
        text=_text_param(values, default_state.text, notices),
        statuses=_id_set(values, KEY_STATUS, known.statuses, default_state.statuses, "status", notices),
        within_km=_km_param(values, default_state.within_km, notices),
        along_km=_along_param(values, default_state.along_km, notices),
        sides=_id_set(values, KEY_SIDE, known.sides, default_state.sides, "bank side", notices),
        stretches=_id_set(values, KEY_STRETCH, known.stretches, default_state.stretches, "frontier stretch id",
                          notices),
        fatalities_min=_count_param(values, KEY_FATALITIES_MIN, default_state.fatalities_min, notices),
        fatalities_max=_count_param(values, KEY_FATALITIES_MAX, default_state.fatalities_max, notices),
    )
    if state.fatalities_min is not None and state.fatalities_max is not None \
            and state.fatalities_min > state.fatalities_max:
        notices.append(f"Ignored the fatalities range: '{KEY_FATALITIES_MIN}' ({state.fatalities_min}) is more "
                       f"than '{KEY_FATALITIES_MAX}' ({state.fatalities_max}).")
        state = replace(state, fatalities_min=default_state.fatalities_min,
                        fatalities_max=default_state.fatalities_max)

    view = default_view
    if KEY_LAYERS in values:
        layers = _layers_param(values[KEY_LAYERS], known.layers, view.visible_layers, notices)
        view = replace(view, visible_layers=layers)
    basemap = _known_single(values, KEY_BASEMAP, known.basemaps, "basemap", notices)
    if basemap is not None:
        view = replace(view, basemap=basemap)
    size = _known_single(values, KEY_SIZE, (fatalities.SIZE_BY, NO_SIZE), "symbol size", notices)
    if size is not None:
        view = replace(view, size_by=None if size == NO_SIZE else size)
    bbox = _single(values, KEY_BBOX, notices)
    if bbox is not None:
        try:
            view = replace(view, bbox=parse_bbox(bbox))
        except ValueError as error:
            notices.append(f"Ignored '{KEY_BBOX}={bbox}': {error}.")
    event = _known_single(values, KEY_EVENT, known.events, "event", notices)
    if event is not None:
        view = replace(view, selected_event=event)
    return state, view, notices


def _as_list(value: str | Iterable[str], *, split: bool) -> list[str]:
    raw = [value] if isinstance(value, str) else [str(item) for item in value]
    if not split:
        return raw
    # Both ?actor=a&actor=b and ?actor=a,b are accepted.
    return [part.strip() for item in raw for part in item.split(",") if part.strip()]


def _single(values: dict[str, list[str]], key: str, notices: list[str]) -> str | None:
    items = values.get(key)
    if not items:
        return None
    if len(items) > 1:
        notices.append(f"Ignored '{key}': expected one value, got {len(items)}.")
        return None
    return items[0]


def _known_single(
    values: dict[str, list[str]], key: str, known: Collection[str], what: str, notices: list[str]
) -> str | None:
    """The one value of ``key`` if it is a known id; otherwise None, with a notice."""
    value = _single(values, key, notices)
    if value is not None and value not in known:
        notices.append(f"Ignored unknown {what} {value!r}.")
        return None
    return value


def _date_param(
    values: dict[str, list[str]], key: str, default: dt.date | None, read: Callable[[str], dt.date],
    notices: list[str],
) -> dt.date | None:
    """``read`` (``range_start`` or ``range_end``) of the key's date, None for ``any``, else ``default``."""
    text = _single(values, key, notices)
    if text is None:
        return default
    if text == ANY_DATE:
        return None
    try:
        return read(text)
    except ValueError as error:
        notices.append(f"Ignored '{key}={text}': {error}.")
        return default


def _id_set(
    values: dict[str, list[str]], key: str, known: frozenset[str], default: frozenset[str] | None, what: str,
    notices: list[str],
) -> frozenset[str] | None:
    items = values.get(key)
    if not items:
        return default
    if items == [ALL]:
        return None
    unknown = [item for item in items if item not in known]
    if unknown:
        notices.append(f"Ignored unknown {what}(s): {', '.join(repr(item) for item in unknown)}.")
    chosen = frozenset(item for item in items if item in known)
    # A filter whose every value was unknown would hide everything: keep the default instead.
    return chosen or default


def _km_param(values: dict[str, list[str]], default: float | None, notices: list[str]) -> float | None:
    """``within``'s km, None for ``any``, else ``default`` (with a notice when malformed)."""
    text = _single(values, KEY_WITHIN, notices)
    if text is None:
        return default
    if text == ANY_DISTANCE:
        return None
    try:
        return parse_km(text)
    except ValueError as error:
        notices.append(f"Ignored '{KEY_WITHIN}={text}': {error}.")
        return default


def _count_param(values: dict[str, list[str]], key: str, default: int | None, notices: list[str]) -> int | None:
    """A bound of the fatalities range, None for ``any``, else ``default`` (with a notice when malformed)."""
    text = _single(values, key, notices)
    if text is None:
        return default
    if text == ANY_COUNT:
        return None
    try:
        return fatalities.parse_count(text)
    except ValueError as error:
        notices.append(f"Ignored '{key}={text}': {error}.")
        return default


def _along_param(values: dict[str, list[str]], default: tuple[float, float] | None,
                 notices: list[str]) -> tuple[float, float] | None:
    """``along``'s km range, None for ``any``, else ``default`` (with a notice when malformed)."""
    text = _single(values, KEY_ALONG, notices)
    if text is None:
        return default
    if text == ANY_DISTANCE:
        return None
    try:
        return parse_along(text)
    except ValueError as error:
        notices.append(f"Ignored '{KEY_ALONG}={text}': {error}.")
        return default


def _text_param(values: dict[str, list[str]], default: str, notices: list[str]) -> str:
    items = values.get(KEY_TEXT)
    if items is None:
        return default
    text = " ".join(items).strip()  # an empty ?q= clears the default's search
    if len(text) > _MAX_TEXT:
        notices.append(f"Ignored the search text: longer than {_MAX_TEXT} characters.")
        return default
    return text


def _layers_param(
    items: list[str], known: tuple[str, ...], default: tuple[str, ...], notices: list[str]
) -> tuple[str, ...]:
    if items == [NO_LAYERS]:
        return ()
    unknown = [item for item in items if item not in known]
    if unknown:
        notices.append(f"Ignored unknown layer(s): {', '.join(repr(item) for item in unknown)}.")
    wanted = set(items)
    # Only unknown layers is a broken link, not a request for an empty map: keep the default.
    return tuple(layer for layer in known if layer in wanted) or default
