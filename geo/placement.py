"""Where the map stands things: the view it opens on, and the one point each event's symbol is
drawn at (docs/ARCHITECTURE.md, "The snapshot").

An event placed on a point is drawn there. An event known only to an area (a district, a province,
a whole country) is drawn at a point inside the part of that area within the frontier's bounds, so
a country-wide event stands where the story is, not at the country's middle hundreds of kilometres
away; the popup and the dashed outline say the place is the whole area. The snapshot computes these
points once per store revision and everything else (the browser's events file, "Fit to events",
what a figure's frame holds) reads them from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from geo.layers import Layer

AREA_COLUMN = "is_area"  # geo.compact's column: the event's place is an area or a line

HOME_LAYER = "frontier"  # the map opens on this layer's bounds
HOME_PADDING = 0.15  # fraction of the home bounds added on every side
HOME_MIN_SPAN = 1.0  # degrees on each axis: a frontier along one parallel still opens on an area
# "Fit to events": the map fits bounds exactly, so the margin that keeps edge symbols whole is in
# the bounds; a lone event (or a tight cluster) opens about zoom 10, not at street level.
EVENTS_PADDING = 0.1  # fraction of the events' extent added on every side
EVENTS_MIN_SPAN = 1.0  # degrees, on each axis

Bounds = tuple[float, float, float, float]  # west, south, east, north in degrees


def frontier_box(layers: Mapping[str, Layer]) -> Bounds:
    """The frontier layer's bounds (every layer's without one), padded by ``HOME_PADDING``: where
    area events' symbols stand."""
    return home_bounds(layers)


def home_bounds(layers: Mapping[str, Layer], events: pd.DataFrame | None = None) -> Bounds:
    """The view the map opens on: the frontier's bounds widened to take in the events known to a
    place (Kabul, Dushanbe), padded. Area events need no room of their own: their symbols stand
    inside the frontier's bounds (``symbol_points``)."""
    frames = [layers[HOME_LAYER].frame] if HOME_LAYER in layers else [layer.frame for layer in layers.values()]
    west, south, east, north = shapely.total_bounds(pd.concat([frame.geometry for frame in frames]).to_numpy())
    if events is not None and not events.empty:
        placed = events[~area_rows(events)]
        if not placed.empty:
            west, east = min(west, float(placed["lon"].min())), max(east, float(placed["lon"].max()))
            south, north = min(south, float(placed["lat"].min())), max(north, float(placed["lat"].max()))
    return _padded(west, south, east, north)


def _padded(west: float, south: float, east: float, north: float) -> Bounds:
    pad_x = max((east - west) * HOME_PADDING, (HOME_MIN_SPAN - (east - west)) / 2)
    pad_y = max((north - south) * HOME_PADDING, (HOME_MIN_SPAN - (north - south)) / 2)
    return (west - pad_x, south - pad_y, east + pad_x, north + pad_y)


def area_rows(events: pd.DataFrame) -> np.ndarray:
    """Which events are known only to an area (their geometry is neither a point nor missing; the
    snapshot's compact rows say so in ``is_area``, geo.compact)."""
    if AREA_COLUMN in events:
        return events[AREA_COLUMN].to_numpy(dtype=bool)
    if "geometry" not in events:
        return np.zeros(len(events), dtype=bool)
    kinds = shapely.get_type_id(events.geometry.to_numpy())
    return (kinds >= 0) & ~np.isin(kinds, [int(shapely.GeometryType.POINT), int(shapely.GeometryType.MULTIPOINT)])


def symbol_points(events: pd.DataFrame, box: Bounds) -> tuple[np.ndarray, np.ndarray]:
    """(lons, lats), one per row of ``events`` (joined events, ``geo.join``): where the map draws the
    event's symbol. A point place's own point; for an area place, a point inside the part of the
    area within ``box`` (``frontier_box``), or the area's own representative point when none of it
    lies there. Each area is worked out once, however many events it holds."""
    lons = events["lon"].to_numpy(dtype=float).copy()
    lats = events["lat"].to_numpy(dtype=float).copy()
    rows = np.flatnonzero(area_rows(events))
    if not len(rows):
        return lons, lats
    places = events["place"].to_numpy()[rows]
    _, first, inverse = np.unique(places, return_index=True, return_inverse=True)
    geometries = events.geometry.to_numpy()[rows][first]
    inside = shapely.intersection(geometries, shapely.box(*box))
    chosen = np.where(shapely.is_empty(inside), geometries, inside)
    points = shapely.point_on_surface(chosen)
    lons[rows], lats[rows] = shapely.get_x(points)[inverse], shapely.get_y(points)[inverse]
    return lons, lats


@dataclass(frozen=True)
class SymbolPoints:
    """Where the snapshot's events' symbols are drawn, held only for the events drawn elsewhere than
    at their own ``lon``/``lat`` (those on an area: a tenth of them in the benchmark's events), so a
    million events' symbols cost about 2 bytes an event, not a second copy of their coordinates."""

    rows: np.ndarray  # ascending positions of those events (int32)
    lon: np.ndarray  # their symbols' points
    lat: np.ndarray

    @classmethod
    def of(cls, own_lons: np.ndarray, own_lats: np.ndarray, lons: np.ndarray, lats: np.ndarray) -> SymbolPoints:
        """The points ``lons``/``lats`` (``symbol_points``, one per event) of events whose own
        coordinates are ``own_lons``/``own_lats``."""
        rows = np.flatnonzero((lons != own_lons) | (lats != own_lats))
        return cls(rows.astype(np.int32), lons[rows], lats[rows])

    def at(self, own_lons: np.ndarray, own_lats: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lons, lats) of the symbols of the events at positions ``rows``, whose own coordinates
        (every event's) are ``own_lons``/``own_lats``."""
        rows = np.asarray(rows, dtype=np.intp)
        lons, lats = np.asarray(own_lons[rows], dtype=float), np.asarray(own_lats[rows], dtype=float)
        if len(self.rows) and len(rows):
            at = np.minimum(np.searchsorted(self.rows, rows), len(self.rows) - 1)
            moved = self.rows[at] == rows
            lons[moved], lats[moved] = self.lon[at[moved]], self.lat[at[moved]]
        return lons, lats


def events_bounds(lons: np.ndarray, lats: np.ndarray) -> Bounds | None:
    """Bounds of these symbol points with a margin (``EVENTS_PADDING``, at least ``EVENTS_MIN_SPAN``
    degrees across), or None without points."""
    if not len(lons):
        return None
    west, east = float(np.min(lons)), float(np.max(lons))
    south, north = float(np.min(lats)), float(np.max(lats))
    pad_x = max((east - west) * EVENTS_PADDING, (EVENTS_MIN_SPAN - (east - west)) / 2)
    pad_y = max((north - south) * EVENTS_PADDING, (EVENTS_MIN_SPAN - (north - south)) / 2)
    # Clamped to what the map shows and a URL's bbox accepts.
    return (max(west - pad_x, -180.0), max(south - pad_y, -85.0), min(east + pad_x, 180.0), min(north + pad_y, 85.0))
