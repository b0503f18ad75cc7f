"""The frontier cut into the segments of a trends table (``geo.trends``), each drawn in the colour of
its latest change level: the page's and the figure's "Change along the frontier" layer
(docs/DATA.md, "Change along the frontier").

Pure: the cut follows ``geo.frontier.Frontier``'s own km along the line (each densified edge's
geodesic length shared out evenly along it), so a segment holds exactly the events ``geo.trends``
counts in it. The level styles are ``layers/trend-levels.json``.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo.frontier import Frontier
from geo.layers import LAYERS_DIR
from geo.problems import Problem, ProblemsError, check_fields, item_label, read_json
from geo.trends import LEVELS

STYLES_NAME = "trend-levels.json"
# The drawn line keeps every bend of more than this many degrees (about 50 m): finer than a pixel at
# the zooms the whole frontier is seen at, and a tenth of the vertices of the densified line.
DRAWN_TOLERANCE_DEGREES = 0.0005
_COORD_DECIMALS = 5  # about a metre
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_CUTS_KEPT = 8  # frontier cuts kept (per frontier line and segment length): a reader tries a few lengths


class LevelStyleError(ProblemsError):
    """The trend levels' styles file failed validation; ``problems`` lists every problem found."""

    subject = "the trend level styles"


@dataclass(frozen=True)
class LevelStyle:
    """How one change level is drawn and named in the legend."""

    id: str
    label: str
    colour: str


def load_level_styles(layers_dir: Path = LAYERS_DIR) -> tuple[LevelStyle, ...]:
    """The styles of ``layers_dir/trend-levels.json``, one per level of ``geo.trends.LEVELS`` in
    that order; LevelStyleError lists every problem of the file at once."""
    path = Path(layers_dir) / STYLES_NAME
    problems: list[Problem] = []
    raw = read_json(path, problems)
    if raw is None:
        raise LevelStyleError(problems)
    if not isinstance(raw, dict) or not isinstance(raw.get("levels"), list):
        raise LevelStyleError([Problem(path, "file", None, 'expected an object with a "levels" list')])
    check_fields(path, "file", raw, ("levels",), ("about",), problems)
    styles: dict[str, LevelStyle] = {}
    for position, entry in enumerate(raw["levels"], start=1):
        item, found = item_label("level", entry, position), len(problems)
        if not isinstance(entry, dict):
            problems.append(Problem(path, item, None, "not an object"))
            continue
        check_fields(path, item, entry, ("id", "label", "colour"), (), problems)
        if "id" in entry and entry["id"] not in LEVELS:
            problems.append(Problem(path, item, "id", f"not a change level; expected one of {', '.join(LEVELS)}"))
        elif entry.get("id") in styles:
            problems.append(Problem(path, item, "id", "duplicate level"))
        if "label" in entry and (not isinstance(entry["label"], str) or not entry["label"].strip()):
            problems.append(Problem(path, item, "label", "must be a non-empty string"))
        if "colour" in entry and (not isinstance(entry["colour"], str) or not _COLOUR.fullmatch(entry["colour"])):
            problems.append(Problem(path, item, "colour", "must be #rrggbb"))
        if len(problems) == found:
            styles[entry["id"]] = LevelStyle(entry["id"], entry["label"], entry["colour"].lower())
    for level in LEVELS:
        if not problems and level not in styles:
            problems.append(Problem(path, "file", "levels", f"no style for the level {level}"))
    if problems:
        raise LevelStyleError(problems)
    return tuple(styles[level] for level in LEVELS)


def point_at(frontier: Frontier, km: float) -> tuple[float, float]:
    """The (lon, lat) of the frontier point ``km`` along it from its western end (clamped to the line)."""
    km = min(max(float(km), 0.0), frontier.length_km)
    edge = int(np.clip(np.searchsorted(frontier.vertex_km, km, side="right") - 1, 0, len(frontier.coords) - 2))
    length = frontier.vertex_km[edge + 1] - frontier.vertex_km[edge]
    share = 0.0 if length <= 0 else (km - frontier.vertex_km[edge]) / length
    start, end = frontier.coords[edge], frontier.coords[edge + 1]
    lon, lat = start + share * (end - start)
    return float(lon), float(lat)


def cut(frontier: Frontier, from_km: float, to_km: float) -> np.ndarray:
    """The part of the frontier line from ``from_km`` to ``to_km`` along it: the two cut points and
    every vertex between them, (lon, lat) rows west to east."""
    if not 0.0 <= from_km < to_km:
        raise ValueError(f"a segment runs from 0 km or more to further east, not {from_km} to {to_km} km")
    inner = (frontier.vertex_km > from_km) & (frontier.vertex_km < to_km)
    return np.vstack([point_at(frontier, from_km), frontier.coords[inner], point_at(frontier, to_km)])


_cuts_lock = threading.Lock()
_cuts: OrderedDict[tuple[bytes, float], tuple[dict[str, Any], ...]] = OrderedDict()


def segment_geometries(frontier: Frontier, segment_km: float) -> tuple[dict[str, Any], ...]:
    """The frontier cut every ``segment_km`` from its western end (the last piece shorter), as
    GeoJSON LineStrings simplified for drawing (``DRAWN_TOLERANCE_DEGREES``; the cut points kept).
    Made once per frontier line and length (a bounded cache): a filter change does not cut again."""
    if not segment_km > 0:
        raise ValueError(f"segment_km must be more than 0, not {segment_km}")
    key = (hashlib.sha256(np.ascontiguousarray(frontier.coords).tobytes()).digest(), float(segment_km))
    with _cuts_lock:
        if key in _cuts:
            _cuts.move_to_end(key)
            return _cuts[key]
    starts = np.arange(0.0, frontier.length_km, segment_km)
    pieces = []
    for start in starts:
        line = shapely.simplify(shapely.LineString(cut(frontier, start, min(start + segment_km, frontier.length_km))),
                                DRAWN_TOLERANCE_DEGREES)
        pieces.append({"type": "LineString",
                       "coordinates": np.round(shapely.get_coordinates(line), _COORD_DECIMALS).tolist()})
    made = tuple(pieces)
    with _cuts_lock:
        _cuts[key] = made
        while len(_cuts) > _CUTS_KEPT:
            _cuts.popitem(last=False)
    return made


def latest_segments(frontier: Frontier, table: pd.DataFrame, segment_km: float) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the frontier's segments in the latest period of ``table``
    (``geo.trends.trends`` with this ``segment_km``), west to east: each with its km, stretch,
    period, events, mean of the 4 periods before, change in per cent and level (None where there is
    no norm). No feature when the table is empty."""
    if table.empty:
        return {"type": "FeatureCollection", "features": []}
    latest = table[table["period"] == table["period"].max()].sort_values("segment_from_km")
    geometries = segment_geometries(frontier, segment_km)
    if len(latest) != len(geometries):
        raise ValueError(f"the table has {len(latest)} segments in its latest period, but the frontier of "
                         f"{frontier.length_km:.1f} km has {len(geometries)} of {segment_km:g} km")
    features = []
    for geometry, row in zip(geometries, latest.itertuples(index=False), strict=True):
        features.append({"type": "Feature", "geometry": geometry, "properties": {
            "from_km": float(row.segment_from_km), "to_km": float(row.segment_to_km), "stretch": row.stretch,
            "period": row.period, "events": int(row.events),
            "mean_4": None if pd.isna(row.mean_4) else float(row.mean_4),
            "change_4": None if pd.isna(row.change_4) else float(row.change_4),
            "level": row.level if isinstance(row.level, str) else None,
        }})
    return {"type": "FeatureCollection", "features": features}
