"""Workshop scenes: named views of the map that tell the article's story one step at a time.

A scene is data (``layers/scenes.json``), so a new scene needs no code. Each one fixes the
filters, the visible layers, the basemap and the map's extent:

    {"id": "gbao-unrest", "title": "...", "caption": "one line the presenter reads out",
     "layers": ["countries", "gbao", "frontier", "places"], "basemap": "none",
     "filters": {"date_from": "2021-11", "date_to": "2022-05", "actors": [...],
                 "event_types": ["unrest", "security-operation"], "statuses": ["occurred", "ongoing"],
                 "regions": ["gbao"], "text": "...", "within_km": 25, "sides": ["afghanistan"],
                 "stretches": ["panj"], "fatalities_min": 1, "fatalities_max": 100},
     "size_by": "fatalities",
     "extent": {"around": ["gbao:gbao"], "buffer_km": 25},
     "play": {"from": "2021-11", "to": "2022-06", "step": "month", "mode": "this"}}

``basemap`` defaults to ``"none"`` (works offline); an omitted filter means "all". ``within_km``,
``sides`` and ``stretches`` are the frontier filters (``geo.filters``): at most that many km from the
frontier, on those banks (``tajikistan``, ``afghanistan``), on those stretches
(``layers/frontier-stretches.json``). ``fatalities_min`` and ``fatalities_max`` bound the fatalities an
event reports (whole numbers; an event reporting none is outside a range that is set), and
``size_by``, optional, sizes the symbols by them (``geo.fatalities``). Dates take the
event model's forms (``2022``, ``2022-05``, ``2022-05-18``): ``date_from`` starts on the first day
the form allows and ``date_to`` ends on the last. ``extent`` is either ``[west, south, east,
north]`` in degrees, or the features to frame, ``{"around": [<layer>:<feature>, ...], "buffer_km":
n}``, resolved against the loaded layers when the scene is shown, so the view follows the geometry.
``play``, optional, is a playback of the scene's events (``geo.playback``): from the period holding
``from`` to the one holding ``to``, a ``step`` (day, week, month, year) at a time, ``mode`` "this"
(each period's events, the default) or "upto" (everything up to each period); ``panj export
--all-scenes`` writes it as a video beside the scene's still, and the page opens it paused at its
first period (``geo.pagestate.scene_playback``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.ops import unary_union

from geo.events import STATUSES
from geo.fatalities import SIZE_BY, check_count
from geo.filters import (
    REGION_ALIASES,
    FilterState,
    KnownIds,
    ViewState,
    check_bbox,
    from_query_params,
    range_end,
    range_start,
)
from geo.frontier import SIDES
from geo.layers import ID_PATTERN, LAYERS_DIR, Layer, resolve
from geo.placement import Bounds
from geo.playback import MODES, STEPS, Playback, check_length
from geo.problems import Problem, ProblemsError, item_label

SCENES_NAME = "scenes.json"

SCENE_REQUIRED = ("id", "title", "caption", "layers", "extent")
SCENE_OPTIONAL = ("basemap", "filters", "play", "size_by")
PLAY_REQUIRED = ("from", "to", "step")
PLAY_OPTIONAL = ("mode",)
FILTER_FIELDS = ("date_from", "date_to", "actors", "event_types", "statuses", "regions", "text", "within_km",
                 "sides", "stretches", "fatalities_min", "fatalities_max")
DEFAULT_BASEMAP = "none"
KEY_SCENE = "scene"  # ?scene=ID opens that scene; the rest of the query string overrides it

_Report = Callable[[str, str], None]  # records a problem: (field, reason)

_KM_PER_DEGREE_LATITUDE = 111.32

# What people changed, in the order the notice names them: (FilterState field, label).
_FILTER_LABELS = (
    ("date_from", "start date"),
    ("date_to", "end date"),
    ("actors", "actors"),
    ("event_types", "event types"),
    ("statuses", "statuses"),
    ("regions", "regions"),
    ("text", "search text"),
    ("within_km", "distance to the frontier"),
    ("sides", "banks"),
    ("stretches", "frontier stretches"),
    ("fatalities_min", "fatalities (at least)"),
    ("fatalities_max", "fatalities (at most)"),
)


class ScenesError(ProblemsError):
    """The scenes file failed validation; ``problems`` holds every problem found."""

    subject = "the scenes"


@dataclass(frozen=True)
class AroundFeatures:
    """An extent given by the features it must show, widened by a margin."""

    refs: tuple[str, ...]  # "<layer>:<feature>"
    buffer_km: float


@dataclass(frozen=True)
class Scene:
    """One validated scene: what it shows and where. ``filters`` is what the page's filters become."""

    id: str
    title: str
    caption: str  # one line the presenter can read out
    layers: tuple[str, ...]  # visible layers, in drawing order
    basemap: str
    filters: FilterState
    extent: Bounds | AroundFeatures
    play: Playback | None = None  # a playback of the scene's events, for a video
    size_by: str | None = None  # geo.fatalities.SIZE_BY: the symbols sized by fatalities

    def view_state(self) -> ViewState:
        """The page state the scene sets besides the filters (no event selected yet)."""
        return ViewState(visible_layers=self.layers, basemap=self.basemap, size_by=self.size_by)

    def url_base(self) -> tuple[FilterState, ViewState]:
        """What a ``?scene=ID`` link means before its overrides (``geo.filters.to_query_params``'s base)."""
        return self.filters, self.view_state()

    def bounds(self, layers: Mapping[str, Layer]) -> Bounds:
        """The scene's extent in degrees, with feature references resolved against ``layers``."""
        if not isinstance(self.extent, AroundFeatures):
            return self.extent
        shapes = unary_union([resolve(layers, ref)[1].geometry for ref in self.extent.refs])
        west, south, east, north = shapes.bounds
        # Degrees per km at the extent's middle latitude: close enough to frame a view, and no
        # projection to choose for an area that may straddle UTM zones.
        dlat = self.extent.buffer_km / _KM_PER_DEGREE_LATITUDE
        dlon = dlat / max(math.cos(math.radians((south + north) / 2)), 0.01)
        return (max(west - dlon, -180.0), max(south - dlat, -90.0), min(east + dlon, 180.0), min(north + dlat, 90.0))


def differs_from_scene(scene: Scene, state: FilterState, view: ViewState) -> list[str]:
    """What the reader changed since applying ``scene``, as labels for a notice ("actors", "layers").

    Empty when the page still shows the scene. Panning, zooming and the selected event do not
    count: moving around a scene and stepping through its events is what it is for.
    """
    changed = [label for name, label in _FILTER_LABELS if getattr(state, name) != getattr(scene.filters, name)]
    if set(view.visible_layers) != set(scene.layers):
        changed.append("layers")
    if view.basemap != scene.basemap:
        changed.append("basemap")
    if view.size_by != scene.size_by:
        changed.append("symbol sizes")
    return changed


def open_from_query(
    params: Mapping[str, Sequence[str]], scenes: Mapping[str, Scene], known: KnownIds, default_view: ViewState
) -> tuple[Scene | None, FilterState, ViewState, list[str]]:
    """The scene ``?scene=ID`` names, the page state to open with, and notices.

    ``?scene=ID`` means the scene with the rest of the query string as overrides: a page-state key
    in the URL replaces the scene's value, an absent one keeps it (``?scene=russia&basemap=street``
    is the scene on a street map). Without a (known) scene the URL is read against the page's
    defaults (``default_view``, no filters).
    """
    wanted = list(params.get(KEY_SCENE, ()))
    scene = scenes.get(wanted[0]) if len(wanted) == 1 else None
    base_state, base_view = scene.url_base() if scene is not None else (FilterState(), default_view)
    state, view, notices = from_query_params(params, known, base_view, base_state)
    if wanted and scene is None:
        notices.append(f"Ignored unknown scene {', '.join(map(repr, wanted))}.")
    return scene, state, view, notices


def load_scenes(
    layers_dir: Path = LAYERS_DIR,
    *,
    layer_ids: Sequence[str],
    actor_ids: Collection[str],
    event_type_ids: Collection[str],
    region_ids: Collection[str],
    basemap_ids: Collection[str],
    feature_refs: Collection[str],
    stretch_ids: Collection[str] = (),
) -> list[Scene]:
    """Read and validate ``scenes.json``; raises ScenesError listing every problem of every scene.

    ``layer_ids`` are the manifest's layers in drawing order; ``region_ids`` the regions the page
    offers (``geo.filters.region_choices``); ``feature_refs`` the valid ``<layer>:<feature>``
    references (``geo.layers.feature_refs``); ``stretch_ids`` the frontier's stretches
    (``geo.frontier.load_stretches``).
    """
    path = Path(layers_dir) / SCENES_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenesError([Problem(path, "file", None, "file not found")]) from None
    except json.JSONDecodeError as error:
        reason = f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
        raise ScenesError([Problem(path, "file", None, reason)]) from None
    if not isinstance(raw, dict) or set(raw) != {"scenes"} or not isinstance(raw["scenes"], list) or not raw["scenes"]:
        raise ScenesError([Problem(path, "file", None, 'expected an object with exactly a non-empty "scenes" list')])

    known = _Known(
        layers=tuple(layer_ids),
        actors=frozenset(actor_ids),
        event_types=frozenset(event_type_ids),
        regions=frozenset(region_ids),
        basemaps=frozenset(basemap_ids),
        refs=frozenset(feature_refs),
        stretches=frozenset(stretch_ids),
    )
    problems: list[Problem] = []
    scenes: list[Scene] = []
    seen: set[str] = set()
    for position, entry in enumerate(raw["scenes"], start=1):
        scene = _parse_scene(path, position, entry, known, problems)
        if scene is None:
            continue
        if scene.id in seen:
            problems.append(Problem(path, f"scene {scene.id!r}", "id", "duplicate scene id"))
            continue
        seen.add(scene.id)
        scenes.append(scene)
    if problems:
        raise ScenesError(problems)
    return scenes


@dataclass(frozen=True)
class _Known:
    layers: tuple[str, ...]
    actors: frozenset[str]
    event_types: frozenset[str]
    regions: frozenset[str]
    basemaps: frozenset[str]
    refs: frozenset[str]
    stretches: frozenset[str]


def _parse_scene(path: Path, position: int, entry: Any, known: _Known, problems: list[Problem]) -> Scene | None:
    """The scene, or None after recording every problem found in it."""
    scene_id = entry.get("id") if isinstance(entry, dict) else None
    item = item_label("scene", entry, position)
    if not isinstance(entry, dict):
        problems.append(Problem(path, item, None, "not an object"))
        return None
    before = len(problems)

    def bad(field: str, reason: str) -> None:
        problems.append(Problem(path, item, field, reason))

    for name in SCENE_REQUIRED:
        if name not in entry:
            bad(name, "missing required field")
    for name in sorted(set(entry) - set(SCENE_REQUIRED) - set(SCENE_OPTIONAL)):
        bad(name, "unknown field")

    if "id" in entry and (not isinstance(scene_id, str) or not ID_PATTERN.fullmatch(scene_id)):
        bad("id", "must be lower-case letters, digits and hyphens")
    for name in ("title", "caption"):
        value = entry.get(name)
        if name in entry and (not isinstance(value, str) or not value.strip()):
            bad(name, "must be a non-empty string")
        elif isinstance(value, str) and "\n" in value:
            bad(name, "must be one line")

    layers = _id_list(entry, "layers", set(known.layers), "layer", bad)
    basemap = entry.get("basemap", DEFAULT_BASEMAP)
    if basemap not in known.basemaps:
        bad("basemap", f"unknown basemap {basemap!r} (expected one of {', '.join(sorted(known.basemaps))})")
    filters = _filters(entry.get("filters", {}), known, bad)
    extent = _extent(entry["extent"], known.refs, bad) if "extent" in entry else None
    play = _play(entry["play"], bad) if "play" in entry else None
    size_by = entry.get("size_by")
    if "size_by" in entry and size_by != SIZE_BY:
        bad("size_by", f"unknown symbol size {size_by!r} (expected {SIZE_BY!r})")

    if len(problems) > before:
        return None
    return Scene(
        id=scene_id,
        title=entry["title"].strip(),
        caption=entry["caption"].strip(),
        layers=tuple(layer for layer in known.layers if layer in set(layers)),
        basemap=basemap,
        filters=filters,
        extent=extent,  # type: ignore[arg-type]  # present and valid: no problem was recorded
        play=play,
        size_by=size_by,
    )


def _id_list(raw: dict[str, Any], field: str, known: Collection[str], what: str, bad: _Report) -> list[str]:
    """The ids of a list field, each checked against ``known``; problems go to ``bad``."""
    if field not in raw:
        return []
    values = raw[field]
    if not isinstance(values, list) or not values or not all(isinstance(value, str) for value in values):
        bad(field, f"must be a non-empty list of {what} ids")
        return []
    for value in values:
        if value not in known:
            bad(field, f"unknown {what} {value!r}")
    if len(set(values)) != len(values):
        bad(field, f"lists a {what} twice")
    return values


def _filters(raw: Any, known: _Known, bad: _Report) -> FilterState:
    if not isinstance(raw, dict):
        bad("filters", "must be an object")
        return FilterState()
    for name in sorted(set(raw) - set(FILTER_FIELDS)):
        bad(f"filters.{name}", "unknown field")

    def field_bad(name: str, reason: str) -> None:
        bad(f"filters.{name}", reason)

    date_from = _date(raw, "date_from", range_start, field_bad)
    date_to = _date(raw, "date_to", range_end, field_bad)
    if date_from and date_to and date_from > date_to:
        field_bad("date_to", f"{raw['date_to']} is before date_from {raw['date_from']}")
    text = raw.get("text", "")
    if not isinstance(text, str):
        field_bad("text", "must be a string")
    if isinstance(raw.get("regions"), list):  # an old region id reads as the one that replaced it
        raw = {**raw, "regions": [REGION_ALIASES.get(region, region) if isinstance(region, str) else region
                                  for region in raw["regions"]]}
    id_sets = {
        name: frozenset(_id_list(raw, name, ids, what, field_bad)) if name in raw else None
        for name, ids, what in (
            ("actors", known.actors, "actor"),
            ("event_types", known.event_types, "event type"),
            ("statuses", frozenset(STATUSES), "status"),
            ("regions", known.regions, "region"),
            ("sides", frozenset(SIDES), "bank side"),
            ("stretches", known.stretches, "frontier stretch"),
        )
    }
    # Stripped as the page strips its search box, so an untouched scene never reads as changed.
    text = text.strip() if isinstance(text, str) else ""
    within_km = raw.get("within_km")
    if "within_km" in raw and not (_finite(within_km) and within_km >= 0):
        field_bad("within_km", f"must be a number of km, 0 or more, got {within_km!r}")
        within_km = None
    counts = {name: _count(raw, name, field_bad) for name in ("fatalities_min", "fatalities_max")}
    if None not in counts.values() and counts["fatalities_min"] > counts["fatalities_max"]:
        field_bad("fatalities_max", f"{counts['fatalities_max']} is less than fatalities_min {counts['fatalities_min']}")
    return FilterState(date_from=date_from, date_to=date_to, text=text,
                       within_km=None if within_km is None else float(within_km), **id_sets, **counts)


def _count(raw: dict[str, Any], name: str, bad: _Report) -> int | None:
    """A bound of the fatalities range (a whole number, 0 or more); None when absent or bad."""
    if name not in raw:
        return None
    value = raw[name]
    try:
        return check_count(value) if _is_number(value) else check_count(float("nan"))
    except ValueError as error:
        bad(name, f"{error}, got {value!r}")
        return None


def _date(raw: dict[str, Any], name: str, read: Callable[[str], dt.date], bad: _Report) -> dt.date | None:
    """``read`` (``range_start`` or ``range_end``) of the field's date; None when absent or bad."""
    if name not in raw:
        return None
    try:
        return read(raw[name])
    except ValueError as error:
        bad(name, f"invalid date {raw[name]!r}: {error}")
        return None


def _play(raw: Any, bad: _Report) -> Playback | None:
    """The scene's playback, or None after recording every problem of it."""
    if not isinstance(raw, dict):
        bad("play", 'must be an object: {"from": DATE, "to": DATE, "step": "month", "mode": "this"}')
        return None
    found = []

    def field_bad(name: str, reason: str) -> None:
        found.append(name)
        bad(f"play.{name}", reason)

    for name in PLAY_REQUIRED:
        if name not in raw:
            field_bad(name, "missing required field")
    for name in sorted(set(raw) - set(PLAY_REQUIRED) - set(PLAY_OPTIONAL)):
        field_bad(name, "unknown field")
    first = _date(raw, "from", range_start, field_bad)
    last = _date(raw, "to", range_end, field_bad)
    step, mode = raw.get("step"), raw.get("mode", "this")
    if "step" in raw and step not in STEPS:
        field_bad("step", f"unknown step {step!r} (expected one of {', '.join(STEPS)})")
    if mode not in MODES:
        field_bad("mode", f"unknown mode {mode!r} (expected one of {', '.join(MODES)})")
    if first and last and first > last:
        field_bad("to", f"{raw['to']} is before from {raw['from']}")
    if found:
        return None
    try:
        check_length(first, last, step)
    except ValueError as error:
        field_bad("step", str(error))
        return None
    return Playback(first, last, step, mode)


def _extent(raw: Any, refs: frozenset[str], bad: _Report) -> Bounds | AroundFeatures | None:
    if isinstance(raw, list):
        return _bounds(raw, bad)
    if isinstance(raw, dict):
        return _around(raw, refs, bad)
    bad("extent", 'must be [west, south, east, north] or {"around": [...], "buffer_km": n}')
    return None


def _bounds(raw: list[Any], bad: _Report) -> Bounds | None:
    if len(raw) != 4 or not all(_is_number(value) for value in raw):
        bad("extent", "must be four numbers: west, south, east, north")
        return None
    try:
        return check_bbox(*(float(value) for value in raw))
    except ValueError as error:
        bad("extent", f"{error}, got {raw}")
        return None


def _around(raw: dict[str, Any], refs: frozenset[str], bad: _Report) -> AroundFeatures | None:
    for name in sorted(set(raw) - {"around", "buffer_km"}):
        bad(f"extent.{name}", "unknown field")
    around = raw.get("around")
    if not isinstance(around, list) or not around or not all(isinstance(ref, str) for ref in around):
        bad("extent.around", "must be a non-empty list of <layer>:<feature> references")
        return None
    for ref in around:
        if ref not in refs:
            bad("extent.around", f"unknown feature reference {ref!r}")
    buffer_km = raw.get("buffer_km", 0)
    if not _finite(buffer_km) or buffer_km < 0:
        bad("extent.buffer_km", "must be a number of kilometres, 0 or more")
        return None
    return AroundFeatures(refs=tuple(around), buffer_km=float(buffer_km))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)  # JSON true is no number


def _finite(value: Any) -> bool:
    return _is_number(value) and math.isfinite(value)
