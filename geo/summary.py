"""The view in words: what a screen reader announces when the filters change, what the page writes
under the map and what a figure carries as its text alternative (docs/ARCHITECTURE.md,
"Accessibility"). Pure: computed from the shown events and the vocabulary."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.events import Vocabulary
from geo.filters import date_span
from geo.placement import AREA_COLUMN

MAX_TYPES = 4  # event types named one by one; the rest are counted together
MIN_AT_ONE_PLACE = 2  # "most at (or in) X" only when at least this many events share X


def view_summary(shown: pd.DataFrame, total: int, vocabulary: Vocabulary, region_names: Mapping[str, str],
                 regions: frozenset[str] | None, place_names: Callable[[Iterable[str]], Mapping[str, str]]) -> str:
    """"Showing 5 of 30 events in Gorno-Badakhshan (GBAO), Nov 2021 to Jun 2022. By type: 3 unrest
    or protest; 2 internal security operation. Most in Gorno-Badakhshan Autonomous Region (5)." ``shown``: the joined events the
    filters show (``event_type``, ``place``, ``is_area``, ``date_first``, ``date_last``: the snapshot's compact
    rows will do); ``total``: the events they were chosen from; ``regions``: the region filter's
    choice (None: any); ``place_names``: place references -> names (``Snapshot.place_names``)."""
    noun = "event" if total == 1 else "events"
    text = f"Showing {len(shown)} of {total} {noun}"
    if regions:
        text += " in " + ", ".join(sorted(region_names.get(region, region) for region in regions))
    span = date_span(shown)
    if span is None:
        return text + "."
    first, last = (day.strftime("%b %Y") for day in span)
    text += f", {first}" if first == last else f", {first} to {last}"
    text += ". By type: " + _types(shown["event_type"], vocabulary)
    most, tied = _most_at_one_place(shown["place"])
    if most >= MIN_AT_ONE_PLACE:
        # On a tie, the name first in alphabetical order, so the sentence is stable.
        names = place_names(tied)
        name, ref = min((names.get(ref, ref), ref) for ref in tied)
        # An area holds its events, a point has them at it: "most in Tajikistan", "most at Khorugh".
        on_area = AREA_COLUMN in shown.columns and bool(shown.loc[shown["place"] == ref, AREA_COLUMN].any())
        text += f". Most {'in' if on_area else 'at'} {name} ({most})"
    return text + "."


def _most_at_one_place(places: pd.Series) -> tuple[int, list[str]]:
    """The most events at one place of ``places`` (each event's place reference, or none) and the
    places holding that many. Counted by Arrow: pandas' value_counts, and the index of every place
    its boolean selection hashes, took three times as long at a million events (docs/performance.md,
    "The server's part of a search")."""
    counted = pc.value_counts(pa.array(places, from_pandas=True))
    counted = counted.filter(counted.field("values").is_valid())
    counts = counted.field("counts").to_numpy()
    most = int(counts.max()) if len(counts) else 0
    return most, [str(ref) for ref in counted.field("values").filter(pa.array(counts == most)).to_pylist()]


def _types(event_types: pd.Series, vocabulary: Vocabulary) -> str:
    """"3 unrest or protest; 2 internal security operation", most first, then in vocabulary order."""
    counted = {term: count for term, count in event_types.value_counts().items() if count}  # a categorical's unused terms count 0
    order = {term: position for position, term in enumerate(vocabulary.event_types)}
    ranked = sorted(counted, key=lambda term: (-counted[term], order.get(term, len(order)), term))
    names = [f"{counted[term]} {_name(term, vocabulary)}" for term in ranked[:MAX_TYPES]]
    rest = sum(counted[term] for term in ranked[MAX_TYPES:])
    if rest:
        names.append(f"{rest} more of {len(ranked) - MAX_TYPES} other types")
    return "; ".join(names)  # a type's name may hold a comma


def _name(term: str, vocabulary: Vocabulary) -> str:
    """A type's name as it reads inside a sentence: lower case, except a word that is a proper name."""
    name = vocabulary.event_types[term].name if term in vocabulary.event_types else term
    return name[:1].lower() + name[1:]
