"""The layers' lines and outlines simplified for the zooms at which they are seen, all layers at
once so that shared borders still meet (docs/ARCHITECTURE.md, "The map in the browser").

Drawing a layer at full detail costs the browser every vertex at every zoom: fetching, parsing,
projecting and drawing the ``countries`` and ``provinces`` files (some 60,000 vertices) was most of
the map's paint. Leaflet then simplifies each path to a pixel anyway. Here each detail level is
made once per snapshot for zooms up to ``DETAIL_ZOOMS[i]``, with a tolerance of ``HALF_PIXEL`` of
a pixel at that zoom (Web Mercator), so what is drawn does not visibly change.

Simplifying each polygon on its own would pull neighbours' borders apart (gaps and overlaps along
a shared border). So the vertices are simplified as a topology, as TopoJSON does: every line and
ring of every layer is cut into arcs at its junctions (vertices where the linework branches or
ends), each distinct arc is simplified once (Douglas-Peucker, its ends kept), and every feature
keeps exactly the vertices its arcs kept. Two features sharing a border share its arcs, so they
keep the same vertices there, and so do the ``frontier`` line and the countries it divides. Points
are never simplified; the full-detail geometry stays what exports draw.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from geo.layers import Layer

# The zoom up to which each level is drawn, coarse to fine; above the last, the full detail.
DETAIL_ZOOMS = (4, 5, 6, 7, 8, 9)
HALF_PIXEL = 0.5  # the tolerance, in pixels at the level's zoom: below what the eye can tell
_TILE_PIXELS = 256
_SIMPLIFIED_KINDS = ("LineString", "MultiLineString", "Polygon", "MultiPolygon")


def tolerance(zoom: int) -> float:
    """The simplification tolerance of the level drawn up to ``zoom``, in Web Mercator radians
    (the unit of ``_mercator``): ``HALF_PIXEL`` of a pixel at that zoom."""
    return HALF_PIXEL * 2 * math.pi / (_TILE_PIXELS * 2 ** zoom)


@dataclass
class _Sequence:
    """One line or ring of a feature: its vertex numbers (a ring's last equals its first)."""

    layer: str
    feature: int
    path: tuple[int, ...]  # (part, ring) within the feature's geometry; (part,) for a line
    vertices: np.ndarray  # coordinates as read, then (``simplified_geometries``) vertex numbers
    ring: bool


def simplified_geometries(layers: Mapping[str, Layer]) -> dict[int, dict[str, list[dict[str, Any] | None]]]:
    """For each zoom of ``DETAIL_ZOOMS``, each layer's features' geometries (GeoJSON, in the order
    of ``Layer.features``) simplified for that zoom; a feature left as it is (a point, or nothing
    to drop) is None. A layer missing from a level has nothing to simplify there (points only, or
    no vertex dropped), and the map draws the next finer level instead."""
    sequences, coordinates = _sequences(layers)
    if not sequences:
        return {zoom: {} for zoom in DETAIL_ZOOMS}
    # A complex number per vertex: numpy orders complex numbers by real, then imaginary part, so
    # the distinct vertices come out sorted by longitude, then latitude, as Mercator keeps them.
    keys, vertex_ids = np.unique(coordinates[:, 0] + 1j * coordinates[:, 1], return_inverse=True)
    points = np.stack([keys.real, keys.imag], axis=1)
    start = 0
    finer: dict[tuple[str, int], int] = {}  # each feature's vertex count at the next finer level
    for sequence in sequences:
        size = len(sequence.vertices)
        sequence.vertices = vertex_ids[start: start + size]
        start += size
        finer[(sequence.layer, sequence.feature)] = finer.get((sequence.layer, sequence.feature), 0) + size
    arcs = _arcs(sequences, len(points))
    projected = _mercator(points)
    lines = shapely.linestrings(projected[np.concatenate(arcs)],
                                indices=np.repeat(np.arange(len(arcs)), [len(arc) for arc in arcs]))
    projected_keys = projected[:, 0] + 1j * projected[:, 1]
    levels: dict[int, dict[str, list[dict[str, Any] | None]]] = {}
    for zoom in reversed(DETAIL_ZOOMS):
        keep = np.zeros(len(points), dtype=bool)
        for arc in arcs:  # every arc's ends (the junctions) stay
            keep[arc[0]] = keep[arc[-1]] = True
        # Douglas-Peucker keeps a subset of each arc's own vertices, found again by value.
        kept = shapely.get_coordinates(shapely.simplify(lines, tolerance(zoom), preserve_topology=False))
        keep[np.searchsorted(projected_keys, kept[:, 0] + 1j * kept[:, 1])] = True
        levels[zoom] = _level(layers, sequences, points, keep, finer)
    return {zoom: levels[zoom] for zoom in DETAIL_ZOOMS}


def _sequences(layers: Mapping[str, Layer]) -> tuple[list[_Sequence], np.ndarray]:
    sequences: list[_Sequence] = []
    parts: list[np.ndarray] = []
    for layer_id, layer in layers.items():
        for number, feature in enumerate(layer.features):
            geometry = feature["geometry"]
            kind = geometry["type"]
            if kind not in _SIMPLIFIED_KINDS:
                continue
            coordinates = geometry["coordinates"]
            multi = [coordinates] if kind in ("LineString", "Polygon") else coordinates
            for part, member in enumerate(multi):
                lines = [member] if kind.endswith("LineString") else member
                for position, line in enumerate(lines):
                    array = np.asarray(line, dtype=float)[:, :2]
                    path = (part,) if kind.endswith("LineString") else (part, position)
                    sequences.append(_Sequence(layer_id, number, path, array, kind.endswith("Polygon")))
                    parts.append(array)
    return sequences, (np.concatenate(parts) if parts else np.empty((0, 2)))


def _arcs(sequences: list[_Sequence], count: int) -> list[np.ndarray]:
    """The distinct arcs of all sequences, as vertex-number arrays cut at the junctions: a vertex
    whose distinct neighbours are not exactly two, an end of a line, and, on a ring with no junction
    at all, its least vertex (the same for any ring of the same vertices, wherever it starts)."""
    edges = np.concatenate([np.stack([s.vertices[:-1], s.vertices[1:]], axis=1) for s in sequences])
    edges = edges[edges[:, 0] != edges[:, 1]]
    edges = np.unique(np.sort(edges, axis=1), axis=0)
    degree = np.bincount(edges.ravel(), minlength=count)
    junction = degree != 2
    for sequence in sequences:
        if not sequence.ring:
            junction[sequence.vertices[[0, -1]]] = True
    for sequence in sequences:
        if sequence.ring and not junction[sequence.vertices].any():
            junction[sequence.vertices.min()] = True
    arcs: dict[tuple[int, ...], np.ndarray] = {}
    for sequence in sequences:
        vertices = sequence.vertices
        if sequence.ring:  # start at a junction, so every arc runs from one junction to the next
            first = int(np.flatnonzero(junction[vertices[:-1]])[0])
            vertices = np.concatenate([vertices[first:-1], vertices[:first + 1]])
        cuts = np.flatnonzero(junction[vertices])
        for begin, end in zip(cuts[:-1], cuts[1:]):
            arc = vertices[begin: end + 1]
            if arc[0] == arc[-1] and len(arc) > 3:  # a closed arc: two halves, each with two ends
                middle = len(arc) // 2
                pieces = [arc[: middle + 1], arc[middle:]]
            else:
                pieces = [arc]
            for piece in pieces:
                key = tuple(piece.tolist())
                backwards = key[::-1]
                arcs.setdefault(min(key, backwards), np.asarray(min(key, backwards)))
    return list(arcs.values())


def _mercator(points: np.ndarray) -> np.ndarray:
    """Longitude/latitude (degrees) in Web Mercator radians: a pixel is the same size everywhere."""
    latitude = np.radians(np.clip(points[:, 1], -85.0511, 85.0511))
    return np.stack([np.radians(points[:, 0]), np.log(np.tan(np.pi / 4 + latitude / 2))], axis=1)


def _level(layers: Mapping[str, Layer], sequences: list[_Sequence], points: np.ndarray, keep: np.ndarray,
           finer: dict[tuple[str, int], int]) -> dict[str, list[dict[str, Any] | None]]:
    """One level's geometries from the vertices kept. ``finer`` holds each feature's vertex count at
    the next finer level (updated here): a layer none of whose features drops a vertex against it is
    left out."""
    rebuilt: dict[tuple[str, int], dict[tuple[int, ...], list[list[float]]]] = {}
    for sequence in sequences:
        vertices = sequence.vertices[:-1] if sequence.ring else sequence.vertices
        kept = vertices[keep[vertices]]
        if sequence.ring:
            if len(kept) < 3:  # too small to see at this zoom: left out (a hole, an islet)
                continue
            kept = np.append(kept, kept[0])
        rebuilt.setdefault((sequence.layer, sequence.feature), {})[sequence.path] = points[kept].tolist()
    level: dict[str, list[dict[str, Any] | None]] = {}
    for layer_id, layer in layers.items():
        geometries: list[dict[str, Any] | None] = []
        dropped = False
        for number, feature in enumerate(layer.features):
            paths = rebuilt.get((layer_id, number))
            kind = feature["geometry"]["type"]
            geometry = None if kind not in _SIMPLIFIED_KINDS else _geometry(kind, paths)
            if geometry is None:  # a point, or a feature with nothing left: drawn as it is
                geometries.append(None)
                continue
            size = sum(len(line) for line in (paths or {}).values())
            dropped = dropped or size < finer[(layer_id, number)]
            finer[(layer_id, number)] = size
            geometries.append(geometry)
        if dropped:
            level[layer_id] = geometries
    return level


def _geometry(kind: str, paths: dict[tuple[int, ...], list[list[float]]] | None) -> dict[str, Any] | None:
    if not paths:
        return None
    if kind in ("LineString", "MultiLineString"):
        lines = [paths[key] for key in sorted(paths)]
        return {"type": "LineString", "coordinates": lines[0]} if kind == "LineString" else \
            {"type": "MultiLineString", "coordinates": lines}
    polygons: dict[int, list[list[list[float]]]] = {}
    for (part, ring), line in sorted(paths.items()):
        if ring == 0 or part in polygons:  # a hole whose outer ring was left out goes with it
            polygons.setdefault(part, []).append(line)
    if not polygons:
        return None
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": polygons[0]} if 0 in polygons else None
    return {"type": "MultiPolygon", "coordinates": [polygons[part] for part in sorted(polygons)]}

