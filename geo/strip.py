"""The frontier strip: the frontier as a horizontal axis, west (0 km) to east, and time down it,
each event near the frontier a symbol at its km along and its first day, the Tajik bank's band
above the Afghan bank's (docs/ARCHITECTURE.md, "The frontier strip").

This module holds what Python decides: the places marked on the axis (``layers/strip-places.json``,
their km computed through ``geo.frontier``), which events the strip draws (``strip_mask``), the
strip's column file the page's browser reads beside the events file (``strip_file``), and the
figure's data for ``panj export --kind strip`` (``figure_data``). The drawing is
``geo/web/panj-strip.js``, shared by the page and the figure.
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo.eventdata import PUBLISHED_GZIP_LEVEL, STYLE_COLUMNS, style_combinations
from geo.events import Vocabulary
from geo.frontier import SIDE_NAMES, SIDES, Frontier
from geo.layers import ID_PATTERN, LAYERS_DIR, Layer, parse_ref
from geo.problems import Problem, ProblemsError, check_fields, item_label, read_json

PLACES_NAME = "strip-places.json"
STRIP_FILE = "strip.bin.gz"
# The strip's distance when the page's "within km" filter is empty: that of the change along the
# frontier (ui/trends_panel.py, panj trends), so the two read the same events.
DEFAULT_WITHIN_KM = 25.0
# A side's code in STRIP_FILE: 0 for an event on neither bank.
SIDE_CODES = {side: code for code, side in enumerate(SIDES, start=1)}
# An area's mark spans the frontier's vertices this close to it (degrees; about 3 km).
AREA_REACH_DEGREES = 0.03
# A cited coordinate or a feature further than this from the frontier is not a place along it.
PLACE_MAX_KM = 40.0
_ENDS = ("west", "east")
_PLACE_FIELDS = ("id", "name")
_PLACE_OPTIONAL = ("ref", "end", "lon", "lat", "source", "url")


class StripPlacesError(ProblemsError):
    """The strip's places file failed validation; ``problems`` lists every problem found."""

    subject = "the frontier strip's places"


@dataclass(frozen=True)
class StripPlace:
    """A place marked on the strip's axis: a point (``from_km == to_km``) or an area's span."""

    id: str
    name: str
    from_km: float
    to_km: float
    source: str  # the layer feature's reference, the citation, or which end of the frontier
    cited: bool = False  # whether ``source`` cites a coordinate from outside the layers (a figure credits it)

    def browser(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "from": round(self.from_km, 1), "to": round(self.to_km, 1)}


def load_places(frontier: Frontier, layers: Mapping[str, Layer],
                layers_dir: Path = LAYERS_DIR) -> tuple[StripPlace, ...]:
    """The places of ``layers_dir/strip-places.json`` with their km along ``frontier``, west to
    east, none when the directory has no such file; StripPlacesError lists every problem of the
    file at once (a reference to no feature of ``layers``, a coordinate far from the frontier, a
    missing citation)."""
    path = Path(layers_dir) / PLACES_NAME
    if not path.exists():  # optional: the strip then marks only its km
        return ()
    problems: list[Problem] = []
    raw = read_json(path, problems)
    if raw is None:
        raise StripPlacesError(problems)
    if not isinstance(raw, dict) or not isinstance(raw.get("places"), list) or not raw["places"]:
        raise StripPlacesError([Problem(path, "file", None, 'expected an object with a non-empty "places" list')])
    check_fields(path, "file", raw, ("places",), ("about",), problems)
    places: list[StripPlace] = []
    seen: set[str] = set()
    for position, entry in enumerate(raw["places"], start=1):
        item = item_label("place", entry, position)
        if not isinstance(entry, dict):
            problems.append(Problem(path, item, None, "not an object"))
            continue
        place = _place(path, item, entry, frontier, layers, problems)
        if place is not None:
            if place.id in seen:
                problems.append(Problem(path, item, "id", "duplicate place id"))
            seen.add(place.id)
            places.append(place)
    if problems:
        raise StripPlacesError(problems)
    return tuple(sorted(places, key=lambda place: (place.from_km, place.to_km)))


def _place(path: Path, item: str, entry: dict[str, Any], frontier: Frontier, layers: Mapping[str, Layer],
           problems: list[Problem]) -> StripPlace | None:
    def bad(name: str | None, reason: str) -> None:
        problems.append(Problem(path, item, name, reason))

    before = len(problems)
    check_fields(path, item, entry, _PLACE_FIELDS, _PLACE_OPTIONAL, problems)
    if "id" in entry and (not isinstance(entry["id"], str) or not ID_PATTERN.fullmatch(entry["id"])):
        bad("id", "must be lower-case letters, digits and hyphens")
    if "name" in entry and (not isinstance(entry["name"], str) or not entry["name"].strip()):
        bad("name", "must be a non-empty string")
    kinds = [kind for kind in ("ref", "end", "lon") if kind in entry]
    if len(kinds) != 1:
        bad(None, "give exactly one of ref (a layer feature), end (west or east) or lon/lat with source and url")
    if len(problems) > before:
        return None
    if "end" in entry:
        if entry["end"] not in _ENDS:
            bad("end", "must be west or east")
            return None
        km = 0.0 if entry["end"] == "west" else frontier.length_km
        return StripPlace(entry["id"], entry["name"], km, km, f"the frontier layer's {entry['end']}ern end")
    if "ref" in entry:
        for name in ("lon", "lat", "source", "url"):
            if name in entry:
                bad(name, "a layer feature's place is the feature's: leave this out")
        try:
            layer_id, feature_id = parse_ref(entry["ref"]) if isinstance(entry["ref"], str) else ("", "")
        except ValueError as error:
            bad("ref", str(error))
            return None
        if layer_id not in layers or feature_id not in layers[layer_id].frame.index:
            bad("ref", f"{entry['ref']!r} is not a feature of the layers ({', '.join(layers)})")
            return None
        geometry = layers[layer_id].frame.geometry[feature_id]
        span = _span(frontier, geometry)
        if span is None:
            bad("ref", f"{entry['ref']!r} lies more than {PLACE_MAX_KM:g} km from the frontier")
            return None
        return StripPlace(entry["id"], entry["name"], span[0], span[1], entry["ref"])
    for name in ("lat", "source", "url"):
        if name not in entry:
            bad(name, "missing: a cited coordinate gives lon, lat, source and url")
    for name, limit in (("lon", 180), ("lat", 90)):
        value = entry.get(name)
        if name in entry and (not isinstance(value, int | float) or isinstance(value, bool)
                              or not math.isfinite(value) or abs(value) > limit):
            bad(name, f"must be a number of degrees within ±{limit}")
    if "source" in entry and (not isinstance(entry["source"], str) or not entry["source"].strip()):
        bad("source", "must be a non-empty string")
    if "url" in entry and (not isinstance(entry["url"], str) or not entry["url"].startswith(("https://", "http://"))):
        bad("url", "must be an http(s) address")
    if len(problems) > before:
        return None
    span = _span(frontier, shapely.Point(entry["lon"], entry["lat"]))
    if span is None:
        bad("lon", f"({entry['lon']}, {entry['lat']}) lies more than {PLACE_MAX_KM:g} km from the frontier")
        return None
    return StripPlace(entry["id"], entry["name"], span[0], span[1], entry["source"], cited=True)


def _span(frontier: Frontier, geometry: shapely.Geometry) -> tuple[float, float] | None:
    """The km along ``frontier`` of a point's nearest frontier point, or the km of the frontier's
    vertices within ``AREA_REACH_DEGREES`` of an area; None when it is far from the frontier."""
    if geometry.geom_type == "Point":
        to_km, along = frontier.nearest(np.array([geometry.x]), np.array([geometry.y]))
        return None if to_km[0] > PLACE_MAX_KM else (float(along[0]), float(along[0]))
    near = shapely.dwithin(geometry, shapely.points(frontier.coords), AREA_REACH_DEGREES)
    if not near.any():
        return None
    km = frontier.vertex_km[near]
    return float(km.min()), float(km.max())


# --- the events it draws -----------------------------------------------------------------------

def side_codes(events: pd.DataFrame) -> np.ndarray:
    """Each event's bank as ``SIDE_CODES`` gives it (0: neither)."""
    # Through the distinct values: the snapshot's column is categorical, and comparing a million
    # strings a run cost about 80 ms (docs/performance.md, "A run at a million events").
    codes, sides = pd.factorize(events["frontier_side"])
    lookup = np.array([SIDE_CODES.get(side, 0) for side in sides] + [0], dtype=np.uint8)  # code -1 (none): 0
    return lookup[codes]


def strip_mask(events: pd.DataFrame, frontier_km: np.ndarray, within_km: float) -> np.ndarray:
    """Which of ``events`` the strip draws: on either bank, with a km along the frontier (a point,
    not a whole area) and at most ``within_km`` from it. ``frontier_km`` is the distance as the
    filters read it (``geo.filters.EventIndex.frontier_km``: none for an event known only to its
    country), so the strip and the "within km" filter agree."""
    along = events["frontier_along_km"].to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        return (side_codes(events) > 0) & np.isfinite(along) & (np.asarray(frontier_km) <= within_km)


def strip_file(events: pd.DataFrame, frontier_km: np.ndarray) -> bytes:
    """``STRIP_FILE``: per row of the events file, its km along the frontier and its distance to
    it (Float32, NaN for none) and its bank (Uint8, ``SIDE_CODES``), gzipped; the page's browser
    applies the strip's distance to the rows the map's mask shows (geo/web/panj-strip.js)."""
    along = events["frontier_along_km"].to_numpy(dtype=float, na_value=np.nan).astype("<f4")
    km = np.asarray(frontier_km, dtype="<f4")
    sides = side_codes(events)
    return gzip.compress(along.tobytes() + km.tobytes() + sides.tobytes(), compresslevel=PUBLISHED_GZIP_LEVEL, mtime=0)


def read_strip_file(content: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The columns of a ``STRIP_FILE``: km along, km to the frontier, bank codes."""
    raw = gzip.decompress(content)
    count = len(raw) // 9
    along = np.frombuffer(raw, dtype="<f4", count=count)
    km = np.frombuffer(raw, dtype="<f4", count=count, offset=4 * count)
    return along, km, np.frombuffer(raw, dtype=np.uint8, count=count, offset=8 * count)


# --- the figure's data ---------------------------------------------------------------------------

def figure_data(events: pd.DataFrame, vocabulary: Vocabulary, places: tuple[StripPlace, ...], length_km: float,
                within_km: float) -> dict[str, Any]:
    """What geo/web/panj-strip.js draws a figure from: ``events`` (those ``strip_mask`` keeps) as
    columns, each with a style (type, actors, status, precision, as the map's events file codes
    them), the vocabulary's colours and shapes, the places and the axis."""
    style_codes, combinations = style_combinations([events[name].astype(object) for name in STYLE_COLUMNS])
    styles = [[kind, list(actors), status, precision, 0] for kind, actors, status, precision in combinations]
    days = pd.to_datetime(events["date_first"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    return {
        "lengthKm": round(length_km, 1), "withinKm": within_km,
        "places": [place.browser() for place in places],
        "sides": [{"code": code, "name": SIDE_NAMES[side]} for side, code in SIDE_CODES.items()],
        "styles": styles,
        "vocabulary": {
            "actors": {t.id: {"name": t.name, "colour": t.colour} for t in vocabulary.actors.values()},
            "event_types": {t.id: {"name": t.name, "symbol": t.symbol} for t in vocabulary.event_types.values()},
        },
        "events": {
            "along": [round(float(km), 2) for km in events["frontier_along_km"].to_numpy(dtype=float)],
            "side": side_codes(events).tolist(),
            "day": days.tolist(),
            "style": style_codes.tolist(),
        },
    }
