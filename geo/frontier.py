"""The frontier as an axis: where along it, in km from its western end, the point of the frontier
nearest each event lies, and which named stretch (``layers/frontier-stretches.json``) that is
(docs/DATA.md, "Frontier stretches").

Vectorised for a million points: the nearest coarse vertices of the densified line come from one
k-d tree query in a local equidistant projection, the nearest point on the segments around them
from numpy, and both distances (to the frontier and along it) are measured on the WGS84 ellipsoid.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.spatial import cKDTree

from geo.layers import ID_PATTERN, LAYERS_DIR
from geo.problems import Problem, ProblemsError, check_fields, item_label, read_json

STRETCHES_NAME = "frontier-stretches.json"
# The countries an event's frontier side may be: the two the frontier divides.
SIDES = ("tajikistan", "afghanistan")
SIDE_NAMES = {"tajikistan": "Tajik bank", "afghanistan": "Afghan bank"}  # as the filters name them
# A stretch's km are written to 0.1 km (scripts/frontier_stretches.py); more would claim more than
# the cited coordinates (given to the arc second, ~30 m, or the arc minute, ~1.8 km) can tell.
KM_DECIMALS = 1
# A cited end further than this from the frontier is not on it: a wrong coordinate, not a rounding.
_ENDS_AT_MAX_KM = 5.0

_GEOD = pyproj.Geod(ellps="WGS84")
# The densified frontier's longest segment, 0.002° (at most 222 m; the km along a segment are its
# geodesic length shared out evenly); the nearest point is looked for on the _SPAN segments either
# side of a point's _NEIGHBOURS nearest coarse vertices (every _SPAN-th vertex: at most 1.8 km apart).
_STEP_DEGREES = 0.002
_SPAN = 8
_NEIGHBOURS = 3
_CHUNK = 8192  # the candidates of a chunk stay within the processor cache
_STRETCH_FIELDS = ("id", "name", "from_km", "to_km")
_ENDS_AT_FIELDS = ("name", "lon", "lat", "source", "url")


class StretchError(ProblemsError):
    """The frontier stretches file failed validation; ``problems`` lists every problem found."""

    subject = "the frontier stretches"


@dataclass(frozen=True)
class Stretch:
    """A named reach of the frontier, from ``from_km`` to ``to_km`` along it."""

    id: str
    name: str
    from_km: float
    to_km: float


class Frontier:
    """The frontier line oriented west to east, densified (``_STEP_DEGREES``), with the geodesic km
    along it at each vertex and its vertices in a local equidistant projection."""

    def __init__(self, line: shapely.Geometry):
        merged = shapely.line_merge(line) if line.geom_type == "MultiLineString" else line
        if merged.geom_type != "LineString":
            raise ValueError(f"the frontier must be one connected line, not a {merged.geom_type}")
        # Edges straight in degrees, as GeoJSON draws them: short ones stay so in any projection.
        coords = shapely.get_coordinates(shapely.segmentize(merged, _STEP_DEGREES))
        # Measured from the western end, whichever way the layer's line runs.
        coords = coords[::-1] if coords[0, 0] > coords[-1, 0] else coords
        centre = merged.centroid
        # Near-true distances across the region: used to find each point's nearest point; the
        # distances themselves are measured on the ellipsoid.
        local = pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={centre.y:.6f} +lon_0={centre.x:.6f} "
                                      "+datum=WGS84 +units=m +no_defs")
        self._to_local = pyproj.Transformer.from_crs("EPSG:4326", local, always_xy=True)
        self._from_local = pyproj.Transformer.from_crs(local, "EPSG:4326", always_xy=True)
        x, y = self._to_local.transform(coords[:, 0], coords[:, 1])
        self._local = np.column_stack([x, y])
        self.coords = coords
        _, _, metres = _GEOD.inv(self.coords[:-1, 0], self.coords[:-1, 1], self.coords[1:, 0], self.coords[1:, 1])
        self._segment_km = np.asarray(metres) / 1000.0
        self.vertex_km = np.concatenate([[0.0], np.cumsum(self._segment_km)])
        self.length_km = float(self.vertex_km[-1])
        # Every _SPAN-th vertex: a k-d tree of a thin line is slow for points far from it, and an
        # eighth of the vertices makes it several times faster; the fine segments are then searched
        # around the coarse vertices found.
        self._coarse_tree = cKDTree(self._local[::_SPAN])
        self._local_x, self._local_y = self._local[:, 0].copy(), self._local[:, 1].copy()

    def nearest(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per point (``lon``, ``lat`` in degrees): the geodesic km to the nearest point of the
        frontier, and the km along the frontier from its western end to that point."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        # Events share places (a dataset of a million has some thousands): each place is measured once.
        places, inverse = np.unique(np.column_stack([lon, lat]), axis=0, return_inverse=True)
        to_frontier, along = self._measure(places[:, 0], places[:, 1])
        return to_frontier[inverse.ravel()], along[inverse.ravel()]

    def _measure(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._to_local.transform(lon, lat)
        probes = np.column_stack([x, y])
        segment, share = np.empty(len(lon), dtype=np.int64), np.empty(len(lon))
        for first in range(0, len(lon), _CHUNK):  # bounded memory: 2 * _SPAN * _NEIGHBOURS segments a point
            part = slice(first, first + _CHUNK)
            segment[part], share[part] = self._nearest_segment(probes[part])
        nearest = self._local[segment] + share[:, np.newaxis] * (self._local[segment + 1] - self._local[segment])
        near_lon, near_lat = self._from_local.transform(nearest[:, 0], nearest[:, 1])
        _, _, to_frontier = _GEOD.inv(lon, lat, near_lon, near_lat)
        # A densified segment is at most 222 m long: its share of the geodesic length is exact to centimetres.
        return np.asarray(to_frontier) / 1000.0, self.vertex_km[segment] + share * self._segment_km[segment]

    def _nearest_segment(self, probes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The nearest segment to each probe (local metres) among the ``_SPAN`` segments either side
        of its ``_NEIGHBOURS`` nearest coarse vertices, and the share of that segment from its
        start to the nearest point."""
        _, coarse = self._coarse_tree.query(probes, k=_NEIGHBOURS)
        last = len(self._local) - 2
        offsets = np.arange(-_SPAN, _SPAN)
        candidates = np.clip((coarse * _SPAN)[:, :, np.newaxis] + offsets, 0, last).reshape(len(probes), -1)
        # x and y apart: plain products of 2-d arrays are several times faster than einsum over a third axis.
        start_x, start_y = self._local_x[candidates], self._local_y[candidates]
        step_x, step_y = self._local_x[candidates + 1] - start_x, self._local_y[candidates + 1] - start_y
        offset_x, offset_y = probes[:, :1] - start_x, probes[:, 1:] - start_y
        squared = step_x * step_x + step_y * step_y
        # A segment of no length (a repeated vertex) is its start point, not a NaN that argmin would pick.
        share = np.clip(np.divide(offset_x * step_x + offset_y * step_y, squared, out=np.zeros_like(squared),
                                  where=squared > 0), 0.0, 1.0)
        gap_x, gap_y = offset_x - share * step_x, offset_y - share * step_y
        best = np.argmin(gap_x * gap_x + gap_y * gap_y, axis=1)
        rows = np.arange(len(probes))
        return candidates[rows, best], share[rows, best]

    def area_reach(self, places: Mapping[str, shapely.Geometry], stretches: Sequence[Stretch] = ()) -> AreaReach:
        """How far each of ``places`` (place reference -> area or line, in degrees) lies from each
        ``PIECE_KM`` piece of the frontier (cut at the ``stretches``' ends too)."""
        ends = [km for stretch in stretches for km in (stretch.from_km, stretch.to_km)]
        cuts = np.unique(np.clip(np.concatenate([np.arange(0.0, self.length_km, PIECE_KM), np.asarray(ends, float),
                                                 [self.length_km]]), 0.0, self.length_km))
        pieces = self._pieces(cuts)
        km = np.zeros((len(places), len(pieces)), dtype=np.float32)
        for row, geometry in enumerate(places.values()):
            km[row] = self._distances_to_pieces(geometry, pieces)
        return AreaReach(places=tuple(places), piece_from_km=cuts[:-1], piece_to_km=cuts[1:], km=km)

    def _pieces(self, cuts: np.ndarray) -> np.ndarray:
        """The frontier between consecutive km of ``cuts``, as lines in the local projection."""
        segment = np.clip(np.searchsorted(self.vertex_km, cuts, side="right") - 1, 0, len(self._local) - 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.clip(np.nan_to_num((cuts - self.vertex_km[segment]) / self._segment_km[segment]), 0.0, 1.0)
        points = self._local[segment] + share[:, np.newaxis] * (self._local[segment + 1] - self._local[segment])
        return np.array([shapely.linestrings(np.vstack([points[index], self._local[segment[index] + 1:segment[index + 1] + 1],
                                                        points[index + 1]]))
                         for index in range(len(cuts) - 1)], dtype=object)

    def _distances_to_pieces(self, place: shapely.Geometry, pieces: np.ndarray) -> np.ndarray:
        """The geodesic km from ``place`` (degrees) to each of ``pieces`` (local lines), to the metre;
        0 where they meet. The nearest edge of the place to each piece comes from one tree query."""
        place = shapely.segmentize(place, _AREA_EDGE_DEGREES)
        local = shapely.transform(place, lambda coords: np.column_stack(self._to_local.transform(coords[:, 0],
                                                                                              coords[:, 1])))
        # A polygon's edges are its rings; a line's, itself.
        outline = shapely.boundary(local) if shapely.get_dimensions(local) == 2 else local
        coords, part = shapely.get_coordinates(shapely.get_parts(outline), return_index=True)
        joined = part[:-1] == part[1:]
        edges = shapely.linestrings(np.stack([coords[:-1][joined], coords[1:][joined]], axis=1))
        source, nearest = shapely.STRtree(edges).query_nearest(pieces, all_matches=False)
        nearest = nearest[np.argsort(source)]  # one edge per piece, in the pieces' order
        ends = shapely.get_coordinates(shapely.shortest_line(pieces, edges[nearest])).reshape(-1, 2, 2)
        lon, lat = self._from_local.transform(ends[:, :, 0].ravel(), ends[:, :, 1].ravel())
        lon, lat = np.asarray(lon).reshape(-1, 2), np.asarray(lat).reshape(-1, 2)
        _, _, metres = _GEOD.inv(lon[:, 0], lat[:, 0], lon[:, 1], lat[:, 1])
        shapely.prepare(local)
        km = np.round(np.asarray(metres) / 1000.0, 3)
        return np.where(shapely.intersects(local, pieces), 0.0, km)

def stretch_ids(along_km: np.ndarray, stretches: Sequence[Stretch]) -> np.ndarray:
    """The id of the stretch each km lies on (a km on the border of two goes to the eastern one,
    the last stretch keeps its eastern end); None for NaN."""
    along_km = np.asarray(along_km, dtype=float)
    ids = np.full(len(along_km), None, dtype=object)
    if not stretches:
        return ids
    starts = np.array([stretch.from_km for stretch in stretches])
    known = ~np.isnan(along_km)
    position = np.clip(np.searchsorted(starts, along_km[known], side="right") - 1, 0, len(stretches) - 1)
    ids[known] = np.array([stretch.id for stretch in stretches], dtype=object)[position]
    return ids


def stretch_ranges(raw: dict[str, Any], frontier: Frontier) -> dict[str, Any]:
    """``raw`` (the stretches file's content) with each stretch's ``from_km``/``to_km`` computed:
    a stretch ends where its ``ends_at`` coordinate projects onto the frontier, the last at the
    frontier's eastern end, and each begins where the one before it ends, the first at 0."""
    stretches = raw["stretches"]
    ends = [frontier.length_km if "ends_at" not in stretch
            else float(frontier.nearest(np.array([stretch["ends_at"]["lon"]]), np.array([stretch["ends_at"]["lat"]]))[1][0])
            for stretch in stretches]
    starts = [0.0, *ends[:-1]]
    updated = []
    for stretch, start, end in zip(stretches, starts, ends, strict=True):
        updated.append({**stretch, "from_km": round(start, KM_DECIMALS), "to_km": round(end, KM_DECIMALS)})
    return {**raw, "stretches": updated}


def load_stretches(frontier: Frontier, layers_dir: Path = LAYERS_DIR) -> list[Stretch]:
    """The stretches of ``layers_dir/frontier-stretches.json``, west to east, checked against
    ``frontier``; StretchError lists every problem of the file at once."""
    path = Path(layers_dir) / STRETCHES_NAME
    problems: list[Problem] = []
    raw = read_json(path, problems)
    if raw is None:
        raise StretchError(problems)
    if not isinstance(raw, dict) or not isinstance(raw.get("stretches"), list) or not raw["stretches"]:
        raise StretchError([Problem(path, "file", None, 'expected an object with a non-empty "stretches" list')])
    check_fields(path, "file", raw, ("stretches",), ("about",), problems)
    entries = raw["stretches"]
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        item = item_label("stretch", entry, position)
        if not isinstance(entry, dict):
            problems.append(Problem(path, item, None, "not an object"))
            continue
        _check_stretch(path, item, entry, last=position == len(entries), problems=problems)
        if isinstance(entry.get("id"), str):
            if entry["id"] in seen:
                problems.append(Problem(path, item, "id", "duplicate stretch id"))
            seen.add(entry["id"])
    if not problems:
        _check_ranges(path, raw, frontier, problems)
    if problems:
        raise StretchError(problems)
    return [Stretch(id=entry["id"], name=entry["name"], from_km=float(entry["from_km"]), to_km=float(entry["to_km"]))
            for entry in entries]


def _check_stretch(path: Path, item: str, entry: dict[str, Any], *, last: bool, problems: list[Problem]) -> None:
    def bad(name: str, reason: str) -> None:
        problems.append(Problem(path, item, name, reason))

    check_fields(path, item, entry, _STRETCH_FIELDS, ("ends_at",), problems)
    if "id" in entry and (not isinstance(entry["id"], str) or not ID_PATTERN.fullmatch(entry["id"])):
        bad("id", "must be lower-case letters, digits and hyphens")
    if "name" in entry and (not isinstance(entry["name"], str) or not entry["name"].strip()):
        bad("name", "must be a non-empty string")
    for name in ("from_km", "to_km"):
        if name in entry and not _is_number(entry[name]):
            bad(name, "must be a number of km")
    if last and "ends_at" in entry:
        bad("ends_at", "the last stretch ends at the frontier's eastern end: it takes no ends_at")
    elif not last and "ends_at" not in entry:
        bad("ends_at", "missing: every stretch but the last ends at a cited coordinate")
    elif not last:
        ends_at = entry["ends_at"]
        if not isinstance(ends_at, dict):
            bad("ends_at", "must be an object")
            return
        for name in _ENDS_AT_FIELDS:
            if name not in ends_at:
                bad(f"ends_at.{name}", "missing required field")
        for name in sorted(set(ends_at) - set(_ENDS_AT_FIELDS)):
            bad(f"ends_at.{name}", "unknown field")
        for name in ("name", "source"):
            if name in ends_at and (not isinstance(ends_at[name], str) or not ends_at[name].strip()):
                bad(f"ends_at.{name}", "must be a non-empty string")
        if "url" in ends_at and (not isinstance(ends_at["url"], str) or not ends_at["url"].startswith(("https://", "http://"))):
            bad("ends_at.url", "must be an http(s) address")
        for name, limit in (("lon", 180), ("lat", 90)):
            if name in ends_at and (not _is_number(ends_at[name]) or abs(ends_at[name]) > limit):
                bad(f"ends_at.{name}", f"must be a number of degrees within ±{limit}")


def _check_ranges(path: Path, raw: dict[str, Any], frontier: Frontier, problems: list[Problem]) -> None:
    """The km as written against the km the cited coordinates give (``stretch_ranges``)."""
    computed = stretch_ranges(raw, frontier)["stretches"]
    for position, (entry, expected) in enumerate(zip(raw["stretches"], computed, strict=True), start=1):
        item = item_label("stretch", entry, position)
        if "ends_at" in entry:
            ends_at = entry["ends_at"]
            off_km, _ = frontier.nearest(np.array([ends_at["lon"]]), np.array([ends_at["lat"]]))
            if off_km[0] > _ENDS_AT_MAX_KM:
                problems.append(Problem(path, item, "ends_at", f"({ends_at['lon']}, {ends_at['lat']}) lies "
                                        f"{off_km[0]:.1f} km from the frontier, more than {_ENDS_AT_MAX_KM:g} km"))
        for name in ("from_km", "to_km"):
            if not math.isclose(entry[name], expected[name], abs_tol=0.5 * 10 ** -KM_DECIMALS):
                problems.append(Problem(path, item, name, f"{entry[name]} km, but the cited coordinates give "
                                        f"{expected[name]} km: run scripts/frontier_stretches.py"))
        if expected["to_km"] <= expected["from_km"]:
            problems.append(Problem(path, item, "ends_at", "ends no further east than the stretch before it"))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# --- places that are areas or lines ----------------------------------------------------------------

# The frontier is cut into pieces this long (and at every stretch's ends) to measure how far an area
# lies from each part of it: every whole-km segment and every stretch is then a run of whole pieces.
PIECE_KM = 1.0
_AREA_EDGE_DEGREES = 0.01  # an area's edges straight in degrees, as GeoJSON draws them (~1 km)


@dataclass(frozen=True, eq=False)
class AreaReach:
    """How far each area (or line) place lies from each piece of the frontier: ``km[i, j]`` is the
    geodesic km from ``places[i]`` (a place reference) to the nearest point of the piece from
    ``piece_from_km[j]`` to ``piece_to_km[j]`` along the frontier, 0 where they meet. Computed once
    per snapshot (``Frontier.area_reach``); every part of the frontier asked later (a stretch, a
    trends segment) is measured from it (docs/ARCHITECTURE.md, "Events on an area")."""

    places: tuple[str, ...]
    piece_from_km: np.ndarray
    piece_to_km: np.ndarray
    km: np.ndarray  # (places, pieces), float32

    def place_rows(self, places: Sequence[str] | np.ndarray) -> np.ndarray:
        """Per place reference of ``places``, its row of ``km``; -1 for a place not measured (a point)."""
        if not self.places or not len(places):
            return np.full(len(places), -1, dtype=np.int64)
        return np.asarray(pd.Index(self.places).get_indexer(pd.Index(np.asarray(places, dtype=object))))

    def to_parts(self, from_km: np.ndarray, to_km: np.ndarray) -> np.ndarray:
        """(places, parts): the km from each place to each part of the frontier (``from_km`` to
        ``to_km`` along it), the nearest of the pieces that overlap the part."""
        parts = np.full((len(self.places), len(from_km)), np.inf, dtype=np.float32)
        for column, (start, end) in enumerate(zip(from_km, to_km, strict=True)):
            overlapping = (self.piece_from_km < end) & (self.piece_to_km > start)
            if overlapping.any() and len(self.places):
                parts[:, column] = self.km[:, overlapping].min(axis=1)
        return parts

    def nearest_stretches(self, stretches: Sequence[Stretch]) -> dict[str, tuple[str, ...]]:
        """Place reference -> the stretches nearest it: every stretch it touches when it touches
        the frontier, else the one (or those, at the same distance) holding its nearest point."""
        if not stretches:
            return {}
        parts = self.to_parts(np.array([stretch.from_km for stretch in stretches]),
                              np.array([stretch.to_km for stretch in stretches]))
        ids = [stretch.id for stretch in stretches]
        return {place: tuple(stretch_id for stretch_id, km in zip(ids, row, strict=True) if km <= row.min())
                for place, row in zip(self.places, parts, strict=True)}

