"""What the page says when a search finds no event: which filter hides the events the words match,
or a place on the map of that name (by its name or another spelling, ``layers/aliases.json``) and
the events nearest it, so a reader who typed "Khorog" learns what would show something.

Plain values in, plain sentences out: the page escapes them (``geo.markup.markdown_text``) and
tests/test_search.py table-tests them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo import filters
from geo.aliases import fold
from geo.layers import Layer

NEAREST = 3  # places named, and places of nearby events listed, at most
EARTH_KM = 6371.0088  # mean radius, as for a great-circle distance between two points

PART_DATASETS = "datasets"  # the datasets the reader left unticked (the page's dataset choice)
# The filters a search can be hidden by, as the sentence names them.
FILTER_NAMES = {
    filters.PART_DATES: "date", filters.PART_ACTORS: "actor", filters.PART_TYPES: "event type",
    filters.PART_STATUSES: "status", filters.PART_REGIONS: "region", PART_DATASETS: "dataset",
    filters.PART_WITHIN: "distance to the frontier", filters.PART_SIDES: "bank",
    filters.PART_STRETCHES: "frontier stretch",
}


@dataclass(frozen=True)
class Place:
    """A feature of a layer, as a search finds it: ``ref`` "<layer>:<feature>", its name on the
    map, its other spellings and its geometry (EPSG:4326)."""

    ref: str
    name: str
    spellings: tuple[str, ...]
    geometry: BaseGeometry


@dataclass(frozen=True)
class Nearby:
    """The shown events of one place near a searched place: ``km`` from it (0 when the event's
    area holds it, ``holds``)."""

    place_name: str
    count: int
    km: float
    holds: bool


def gazetteer(layers: Mapping[str, Layer], aliases: Mapping[str, Sequence[str]]) -> tuple[Place, ...]:
    """Every named feature of ``layers``, with its other spellings from ``aliases`` (``geo.aliases``)."""
    places = []
    for layer_id, layer in layers.items():
        if layer.spec.label_field not in layer.frame:
            continue
        names = layer.frame[layer.spec.label_field]
        for feature_id, name, geometry in zip(layer.frame.index, names, layer.frame.geometry):
            if isinstance(name, str) and name.strip() and geometry is not None and not geometry.is_empty:
                ref = f"{layer_id}:{feature_id}"
                places.append(Place(ref, name, tuple(aliases.get(ref, ())), geometry))
    return tuple(places)


def places_named(text: str, places: Sequence[Place]) -> list[tuple[Place, str]]:
    """The places whose name, or one of whose other spellings, holds every word of ``text`` (as the
    events' search compares: accents and case aside), each with the spelling that did; one place
    per name (a region drawn on two layers is named once)."""
    words = fold(text).split()
    found: list[tuple[Place, str]] = []
    names: set[str] = set()
    if not words:
        return found
    for place in places:
        spelling = next((candidate for candidate in (place.name, *place.spellings)
                         if all(word in fold(candidate) for word in words)), None)
        if spelling is not None and place.name not in names:
            names.add(place.name)
            found.append((place, spelling))
    return found


def hidden_counts(index: filters.EventIndex, state: filters.FilterState, within: np.ndarray | None,
                  masks: Mapping[str, np.ndarray]) -> tuple[dict[str, int], int]:
    """For a search that shows nothing: per filter (``FILTER_NAMES``; ``PART_DATASETS`` when only
    the datasets ``within`` are shown, None: all), how many events the words and every other
    filter show, so that filter alone hides them; and how many the words match with no filter at all."""
    hidden = {part: int(index.mask(state, within=within, masks=masks, leave_out=part).sum())
              for part in FILTER_NAMES if part in masks}
    if within is not None:
        hidden[PART_DATASETS] = int((index.mask(state, masks=masks) & ~within).sum())
    return hidden, int(index.mask(filters.FilterState(text=state.text)).sum())


def nearest(place: Place, candidates: pd.DataFrame, limit: int = NEAREST) -> list[Nearby]:
    """The places of ``candidates`` (joined events, ``geo.join``: ``place``, ``place_name``,
    ``geometry``) nearest ``place``, by place: areas that hold it first, smaller areas before larger,
    then by distance; at most ``limit``. One vectorised pass over the distinct places."""
    firsts = candidates.drop_duplicates("place")
    geometries = firsts.geometry.to_numpy()
    usable = ~(shapely.is_missing(geometries) | shapely.is_empty(geometries))
    firsts, geometries = firsts[usable], geometries[usable]
    if not len(firsts):
        return []
    counts = candidates["place"].value_counts()
    point = shapely.point_on_surface(place.geometry)
    kinds = shapely.get_type_id(geometries)
    holds = shapely.covers(geometries, point) & ~np.isin(kinds, [int(shapely.GeometryType.POINT),
                                                                  int(shapely.GeometryType.MULTIPOINT)])
    # The nearest point of each place's geometry: the start of the shortest line from it to the point.
    starts = shapely.get_point(shapely.shortest_line(geometries, point), 0)
    rows = sorted(
        (not held, shapely.area(geometry) if held else 0.0, 0.0 if held else _km(point, start), str(name),
         int(counts[ref]))
        for held, geometry, start, name, ref in zip(holds, geometries, starts, firsts["place_name"], firsts["place"]))
    return [Nearby(place_name=name, count=count, km=km, holds=not far) for far, _, km, name, count in rows[:limit]]


def no_match_help(text: str, *, hidden: Mapping[str, int], matching: int, places: Sequence[tuple[Place, str]],
                  nearby: Mapping[str, Sequence[Nearby]]) -> list[str]:
    """Sentences saying what would show events for ``text``, which shows none: the filters that
    hide the events it matches (``hidden``, ``matching``: ``hidden_counts``), else the places named
    so (``places_named``) with the events ``nearby`` each (by the place's ref, ``nearest``)."""
    quoted = f"“{text.strip()}”"
    lines = [f"{_events(count)} {'matches' if count == 1 else 'match'} {quoted} but the {FILTER_NAMES[part]} "
             f"filter hides {'it' if count == 1 else 'them'}."
             for part, count in hidden.items() if count]
    if not lines and matching:
        lines.append(f"{_events(matching)} {'matches' if matching == 1 else 'match'} {quoted} but the filters "
                     f"together hide {'it' if matching == 1 else 'them'}.")
    if lines:
        return lines
    for place, spelling in places[:NEAREST]:
        named = (f"{quoted} is another spelling of {place.name}, a place on the map"
                 if fold(spelling) != fold(place.name) else f"{place.name} is a place on the map")
        near = nearby.get(place.ref, ())
        if not near:
            lines.append(f"{named}; no event shown is near it.")
            continue
        listed = "; ".join(
            f"{entry.place_name} ({_events(entry.count)}, "
            f"{'its area holds ' + place.name if entry.holds else f'{entry.km:,.0f} km from ' + place.name})"
            for entry in near)
        lines.append(f"{named}, but no event is placed there. The events nearest it: {listed}. Search for one of "
                     "those names, or clear the search, to see them.")
    if not lines:
        lines.append(f"No event and no place on the map matches {quoted}: try another spelling or fewer words.")
    return lines


def _events(count: int) -> str:
    return f"{count:,} event" if count == 1 else f"{count:,} events"


def _km(a: shapely.Point, b: shapely.Point) -> float:
    """Great-circle distance in km between two lon/lat points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a.x, a.y, b.x, b.y))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(min(1.0, h)))
