"""Events joined to the layers: each event takes its place's geometry, and everything else about
where it happened (country, province, GBAO, Wakhan, distances) is derived from that geometry,
never typed into the event files.

The spatial work is vectorised (one spatial join or tree query per layer for all events), so the
join stays fast for tens of thousands of events.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geo.events import Citation, Event, PartialDate
from geo.frontier import SIDES, Frontier, Stretch, stretch_ids
from geo.layers import Layer

# Layers the derived attributes come from; a layers directory without them cannot be joined.
REQUIRED_LAYERS = ("countries", "provinces", "gbao", "wakhan", "frontier", "posts")

COLUMNS = (
    "id", "document", "title", "summary", "status", "start", "end", "reported", "as_of", "planned_for",
    "date_basis", "date_precision", "date_label", "date_first", "date_last", "actors", "event_type", "place",
    "place_name", "place_aliases", "location_precision", "amount_usd", "amount_note", "troops",
    "citations", "citations_label",
    "lon", "lat", "country", "country_id", "province", "province_id", "in_gbao", "in_wakhan",
    "frontier_km", "frontier_along_km", "frontier_side", "frontier_stretch", "nearest_post", "nearest_post_km",
    "geometry",
)
# The CSV export's geometry modes, each with the one line a command's --help gives it.
CSV_GEOMETRIES = {
    "wkt": "each event's own geometry as WKT in a 'wkt' column; a place whose WKT would not fit a "
           "spreadsheet cell (over 32,767 characters, as a province's outline) gets its layer feature "
           "reference there instead (e.g. provinces:badakhshan), with a note on standard error",
    "ref": "the place's layer feature reference (e.g. provinces:badakhshan) in a 'geometry_ref' column, "
           "its geometry being that feature of layers/<layer>.geojson",
    "latlon": "no geometry column: only the lon/lat of a point inside the place",
}
# The GeoJSON export's geometry modes (geo.join.events_to_geojson), with their --help lines.
GEOJSON_GEOMETRIES = {
    "point": "each event as the point the map draws its symbol at, its 'place' property naming the "
             "layer feature it stands on (e.g. countries:afghanistan)",
    "ref": "those points, and each area or line place the events stand on written once, as a "
           "FeatureCollection in the top-level 'places' member (feature ids are the 'place' values)",
    "full": "each event with its place's whole geometry: every country-wide event repeats the "
            "country's whole outline",
}
# The most characters a spreadsheet cell holds (Excel's limit; LibreOffice's is larger).
SPREADSHEET_CELL_LIMIT = 32_767
# A text cell starting with one of these is run as a formula by a spreadsheet: it gets a leading
# apostrophe, which spreadsheets read as "text" (OWASP's CSV-injection advice).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TRUNCATION_MARKER = " [… truncated]"
COORDINATE_DECIMALS = 6  # ~11 cm: more is wasted bytes
# An event known only to a whole country could have happened anywhere in it: its distances (taken
# from the country's nearest edge) say nothing and read as "0 km". The popup gives none for it
# (geo/web/panj-map.js), and so do the table and the exports.
COUNTRY_WIDE = "country"
DISTANCE_COLUMNS = ("frontier_km", "frontier_along_km", "frontier_stretch", "nearest_post", "nearest_post_km")
_DATE_COLUMNS = ("date_first", "date_last")

_GEOD = pyproj.Geod(ellps="WGS84")


class JoinError(ValueError):
    """Events cannot be joined to these layers; the message says which layer or reference is missing."""


def join_events(events: Sequence[Event], layers: dict[str, Layer],
                place_aliases: Mapping[str, Sequence[str]] | None = None,
                stretches: Sequence[Stretch] = ()) -> gpd.GeoDataFrame:
    """One row per event (EPSG:4326) with its place's geometry and the derived attributes,
    sorted by ``date_first`` then ``id``. Columns are ``COLUMNS``; ``place_aliases`` (place
    reference -> other spellings, ``geo.aliases``) fills ``place_aliases``, "; "-separated;
    ``stretches`` (``geo.frontier.load_stretches``) name ``frontier_stretch``, missing without them."""
    missing = [layer_id for layer_id in REQUIRED_LAYERS if layer_id not in layers]
    if missing:
        raise JoinError(f"the layers lack {', '.join(missing)}, needed to derive event attributes")
    features = _feature_table(layers)
    refs = [event.place for event in events]
    unknown = sorted(set(refs) - set(features.index))
    if unknown:
        raise JoinError(f"unknown place reference(s): {', '.join(unknown)}")

    frame = gpd.GeoDataFrame(
        [flatten(event) for event in events],
        columns=[name for name in COLUMNS if name != "geometry"],
        geometry=features.geometry.loc[refs].to_numpy(),
        crs="EPSG:4326",
    )
    frame["place_name"] = features["name"].loc[refs].to_numpy()
    frame["place_aliases"] = ["; ".join((place_aliases or {}).get(ref, ())) or None for ref in refs]
    frame["amount_usd"] = pd.array(frame["amount_usd"], dtype="Float64")
    frame["troops"] = pd.array(frame["troops"], dtype="Int64")
    # Everything derived depends on the place alone: worked out once per place, however many events it holds.
    of_place, places = pd.factorize(pd.Index(refs, dtype=object))
    by_place = place_attributes(features.geometry.loc[list(places)].to_numpy(), layers, stretches)
    for column in PLACE_COLUMNS:
        frame[column] = by_place[column].iloc[of_place].set_axis(frame.index)

    frame = frame.sort_values(["date_first", "id"], kind="stable").reset_index(drop=True)
    return frame[list(COLUMNS)]


# The columns ``place_attributes`` derives from a place's geometry, in the order it gives them.
PLACE_COLUMNS = ("lon", "lat", "country_id", "country", "province_id", "province", "in_gbao", "in_wakhan",
                 "frontier_km", "frontier_along_km", "nearest_post", "nearest_post_km", "frontier_stretch",
                 "frontier_side")


def place_attributes(geometries: np.ndarray, layers: Mapping[str, Layer],
                     stretches: Sequence[Stretch] = ()) -> pd.DataFrame:
    """What the join derives from where each place of ``geometries`` lies (``PLACE_COLUMNS``, a
    row per geometry, a RangeIndex): the point standing in for it (``lon``/``lat``), the country,
    province, GBAO and Wakhan holding it, its distances to the frontier and the nearest post, and
    the frontier's stretch and bank. ``layers`` holds ``REQUIRED_LAYERS``."""
    frame = pd.DataFrame(index=pd.RangeIndex(len(geometries)))
    # A point inside the place (on it, for a line): areas keep their shape, this stands in for them.
    points = shapely.point_on_surface(geometries)
    frame["lon"] = shapely.get_x(points)
    frame["lat"] = shapely.get_y(points)

    frame["country_id"], frame["country"] = _containing(points, layers["countries"].frame)
    frame["province_id"], frame["province"] = _containing(points, layers["provinces"].frame)
    frame["in_gbao"] = _covered_by(points, layers["gbao"].frame)
    frame["in_wakhan"] = _covered_by(points, layers["wakhan"].frame)

    frontier = layers["frontier"].frame.geometry.union_all()
    local_crs = _local_crs(frontier)
    frame["frontier_km"], frame["frontier_along_km"] = Frontier(frontier).nearest(frame["lon"].to_numpy(),
                                                                                  frame["lat"].to_numpy())
    frame["nearest_post"], frame["nearest_post_km"] = _nearest_feature(points, layers["posts"].frame, local_crs)

    # A place that is an area (or a line) is its own region: its attributes come from the whole of
    # it, not from the point standing in for it (Afghanistan is not "in Ghor").
    extended = shapely.get_dimensions(geometries) > 0
    if extended.any():
        by_place = _extent_attributes(geometries[extended], layers, frontier, local_crs)
        for column in by_place.columns:
            frame.loc[extended, column] = by_place[column].to_numpy()
        # An area or a line has no one nearest point: nowhere along the frontier (docs/DATA.md).
        frame.loc[extended, "frontier_along_km"] = np.nan
    frame["frontier_stretch"] = stretch_ids(frame["frontier_along_km"].to_numpy(dtype=float), stretches)
    # The bank an event is on is the country holding it, when that is one of the two the frontier divides.
    frame["frontier_side"] = frame["country_id"].where(frame["country_id"].isin(SIDES), None).astype(object)
    # Metres are the most the geometry can tell; more digits only look precise.
    frame[["frontier_km", "frontier_along_km", "nearest_post_km"]] = (
        frame[["frontier_km", "frontier_along_km", "nearest_post_km"]].round(3))
    frame["nearest_post_km"] = _to_post_precision(frame["nearest_post_km"], frame["nearest_post"], layers["posts"].frame)
    frame[["lon", "lat"]] = frame[["lon", "lat"]].round(COORDINATE_DECIMALS)
    return frame[list(PLACE_COLUMNS)]


def _to_post_precision(km: pd.Series, posts_of: pd.Series, posts: gpd.GeoDataFrame) -> pd.Series:
    """Distances to a post rounded to what its place allows: a post placed to about 3 km (its
    ``location_precision_m``) to the km, one placed to about 30 km to 10 km (the power of ten
    below its precision); a post stating none keeps the metres."""
    if "location_precision_m" not in posts:
        return km
    precision_km = posts["location_precision_m"].astype(float) / 1000
    steps = 10.0 ** np.floor(np.log10(precision_km.where(precision_km > 0)))
    step = posts_of.map(steps).astype(float).to_numpy()
    stated = np.isfinite(step) & km.notna().to_numpy()
    rounded = km.to_numpy(dtype=float, na_value=np.nan).copy()
    rounded[stated] = np.round(rounded[stated] / step[stated]) * step[stated]
    return pd.Series(rounded, index=km.index)


def distances_apply(frame: pd.DataFrame) -> np.ndarray:
    """Per row of ``frame`` (joined events), whether its distances mean anything: False for an event
    whose location is known only to the whole country (``COUNTRY_WIDE``)."""
    return frame["location_precision"].to_numpy() != COUNTRY_WIDE


# --- exports -------------------------------------------------------------------------------------

def events_to_geojson(frame: gpd.GeoDataFrame, geometry: str = "full",
                      points: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection, one feature per event, every column but the geometry as
    properties (dates as ISO strings, actors as a list; ``place`` names the layer feature the event
    stands on). Its geometry as ``GEOJSON_GEOMETRIES`` says: "full", the place's own (point, line or
    area); "point", the event's symbol point, ``points`` (lons, lats), one per row, as
    ``geo.placement.symbol_points`` gives; "ref", that point, and each area or line place the
    events stand on once, in the collection's ``places`` member (a FeatureCollection, ids the
    place references)."""
    if geometry not in GEOJSON_GEOMETRIES:
        raise ValueError(f"geometry must be one of {', '.join(GEOJSON_GEOMETRIES)}, not {geometry!r}")
    if geometry == "full":
        shapes = frame.geometry.to_numpy()
    elif points is None:
        raise ValueError(f"geometry {geometry!r} needs the events' symbol points")
    else:
        shapes = shapely.points(*points)
    geometries = shapely.to_geojson(_rounded(shapes))
    features = [
        {"type": "Feature", "id": properties["id"], "geometry": json.loads(shape), "properties": properties}
        for properties, shape in zip(_plain_records(frame), geometries, strict=True)
    ]
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if geometry == "ref":
        collection["places"] = _places_collection(frame)
    return collection


def _places_collection(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """The area and line places of ``frame``'s events, each once, as a FeatureCollection (a point
    place is its events' own point)."""
    places = frame.drop_duplicates("place")
    places = places[shapely.get_dimensions(places.geometry.to_numpy()) > 0]
    geometries = shapely.to_geojson(_rounded(places.geometry.to_numpy()))
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": place, "geometry": json.loads(shape), "properties": {"place": place, "name": name}}
        for place, name, shape in zip(places["place"], places["place_name"], geometries, strict=True)
    ]}


def events_to_csv(frame: gpd.GeoDataFrame, geometry: str = "wkt", notes: list[str] | None = None) -> str:
    """CSV text, one row per event, that a spreadsheet opens without running anything.

    Every row has ``lon``/``lat`` (the representative point); ``geometry`` adds a geometry column
    as ``CSV_GEOMETRIES`` says. Actors are ``;``-separated; ``citations`` is JSON text. Text cells that a spreadsheet would run
    as a formula start with an apostrophe; numbers (a negative longitude, a distance) stay numbers,
    as a spreadsheet reads a number as a value, never as a formula. No cell is longer than
    ``SPREADSHEET_CELL_LIMIT``: a longer text is cut and ends with ``TRUNCATION_MARKER``. What was
    replaced or cut is appended to ``notes``, one line each, for the caller to show.
    """
    if geometry not in CSV_GEOMETRIES:
        raise ValueError(f"geometry must be one of {', '.join(CSV_GEOMETRIES)}, not {geometry!r}")
    notes = [] if notes is None else notes
    table = pd.DataFrame(_plain_columns(frame))
    for column in table.columns:  # whole numbers (troops, fatalities) stay whole beside a missing one, not 3.0
        if column in frame.columns and pd.api.types.is_integer_dtype(frame[column].dtype):
            table[column] = table[column].astype("Int64")
    table["actors"] = table["actors"].map(";".join)
    # A list of objects has no spreadsheet form: JSON text keeps every field (citations_label reads easier).
    table["citations"] = table["citations"].map(lambda citations: json.dumps(citations, ensure_ascii=False))
    if geometry == "wkt":
        table["wkt"] = _wkt_cells(frame, notes)
    elif geometry == "ref":
        table["geometry_ref"] = frame["place"].to_numpy()
    for column in table.columns:
        if not pd.api.types.is_numeric_dtype(table[column]):  # numbers are never run: left as they are
            table[column] = _spreadsheet_cells(table[column], column, notes)
    # CRLF line ends (RFC 4180): the csv writer then quotes a cell holding either \r or \n, which
    # with bare \n line ends it would leave unquoted for \r, splitting the row in a reader.
    return table.to_csv(index=False, lineterminator="\r\n")


def _wkt_cells(frame: gpd.GeoDataFrame, notes: list[str]) -> list[str]:
    """Each event's geometry as WKT, or its place's feature reference where the WKT would not fit a cell."""
    cells = shapely.to_wkt(frame.geometry.to_numpy(), rounding_precision=COORDINATE_DECIMALS).tolist()
    too_long = sorted({place for place, cell in zip(frame["place"], cells, strict=True) if len(cell) > SPREADSHEET_CELL_LIMIT})
    if too_long:
        notes.append(
            f"wkt: {len(too_long)} place{'s' if len(too_long) != 1 else ''} ({', '.join(too_long)}) have a WKT "
            f"longer than a spreadsheet cell holds ({SPREADSHEET_CELL_LIMIT:,} characters): their rows give "
            "the layer feature reference instead; the GeoJSON export has every geometry"
        )
    return [place if len(cell) > SPREADSHEET_CELL_LIMIT else cell
            for place, cell in zip(frame["place"], cells, strict=True)]


def _spreadsheet_cells(column: pd.Series, name: str, notes: list[str]) -> list[Any]:
    """The column's text cells made inert and short enough for a spreadsheet; other cells as they are."""
    cells = []
    cut = 0
    for value in column.tolist():
        if isinstance(value, str):
            if value.startswith(FORMULA_STARTS):
                value = "'" + value
            if len(value) > SPREADSHEET_CELL_LIMIT:
                value = value[: SPREADSHEET_CELL_LIMIT - len(TRUNCATION_MARKER)] + TRUNCATION_MARKER
                cut += 1
        cells.append(value)
    if cut:
        notes.append(f"{name}: {cut} cell{'s' if cut != 1 else ''} longer than {SPREADSHEET_CELL_LIMIT:,} "
                     f"characters cut, ending with {TRUNCATION_MARKER.strip()!r}")
    return cells


# --- helpers -------------------------------------------------------------------------------------

def flatten(event: Event) -> dict[str, Any]:
    """The columns of ``event`` that come from the event itself (``COLUMNS`` less its place's):
    what the join puts in its row, and what ``geo.compact.details`` reads back for a row."""
    first, last = _date_interval(event)
    return {
        "id": event.id,
        "document": event.document,
        "title": event.title,
        "summary": event.summary,
        "status": event.status,
        "start": _iso(event.start),
        "end": _iso(event.end),
        "reported": _iso(event.reported),
        "as_of": _iso(event.as_of),
        "planned_for": _iso(event.planned_for),
        "date_basis": event.date_basis,
        "date_precision": event.anchor.precision,
        "date_label": date_label(event),
        "date_first": first,
        "date_last": last,
        "actors": event.actors,
        "event_type": event.event_type,
        "place": event.place,
        "location_precision": event.location_precision,
        "amount_usd": event.amount_usd,
        "amount_note": event.amount_note,
        "troops": event.troops,
        "citations": [_citation_record(citation) for citation in event.citations],
        "citations_label": citations_label(event.citations),
    }


def _date_interval(event: Event) -> tuple[dt.date, dt.date]:
    """The days the event's dates allow (docs/ARCHITECTURE.md, "Joined events"): its own span; an
    ongoing event from its start (or report) through the last day of ``as_of``, true until then
    as far as the source knows; otherwise the days of its one date."""
    if event.status == "ongoing" and event.as_of is not None:
        return event.anchor.first_day, event.as_of.last_day
    return event.anchor.first_day, (event.end or event.anchor).last_day


def date_label(event: Event) -> str:
    """The event's dates as a reader should take them: "11 May 2022", "May 2022 – June 2022",
    "reported 1 September 2021", "since 1991 (as of June 2022)", "planned for 2022 (reported
    1 September 2021)"."""
    if event.start is not None:
        when = event.start.label if event.end is None else f"{event.start.label} – {event.end.label}"
    else:
        assert event.reported is not None  # parse_event: exactly one of start and reported
        when = f"reported {event.reported.label}"
    if event.status == "ongoing" and event.as_of is not None:
        if event.start is not None:
            return f"since {event.start.label} (as of {event.as_of.label})"
        return f"ongoing as of {event.as_of.label}" if event.reported == event.as_of else f"{when} (as of {event.as_of.label})"
    if event.planned_for is not None:
        return f"{event.status} for {event.planned_for.label} ({when})"
    return when


def citations_label(citations: Sequence[Citation]) -> str:
    """"¶3 US Embassy Tajikistan (2021-09-01); ¶4 none cited": the citations on one line."""
    return "; ".join(
        f"¶{citation.paragraph} {citation.source}" + (f" ({citation.source_date.isoformat()})" if citation.source_date else "")
        for citation in citations
    )


def _citation_record(citation: Citation) -> dict[str, Any]:
    return {"paragraph": citation.paragraph, "source": citation.source,
            "source_date": citation.source_date.isoformat() if citation.source_date else None, "url": citation.url}


def _iso(date: PartialDate | None) -> str | None:
    return date.iso() if date is not None else None


def _feature_table(layers: dict[str, Layer]) -> gpd.GeoDataFrame:
    """Every feature of every layer, indexed by its ``<layer>:<feature>`` reference."""
    parts = []
    for layer_id, layer in layers.items():
        part = layer.frame[["name", "geometry"]].copy()
        part.index = [f"{layer_id}:{feature_id}" for feature_id in layer.frame.index]
        parts.append(part)
    return gpd.GeoDataFrame(pd.concat(parts), geometry="geometry", crs="EPSG:4326")


def _containing(points: np.ndarray, areas: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Feature id and name of the area containing each point: missing (NA) outside every area, or
    on a boundary between two; the first area in layer order where areas overlap."""
    probes = gpd.GeoDataFrame(geometry=points, crs="EPSG:4326")
    candidates = gpd.GeoDataFrame({"feature_id": areas.index, "name": areas["name"].to_numpy()},
                                  geometry=areas.geometry.to_numpy(), crs=areas.crs)
    joined = gpd.sjoin(probes, candidates, how="left", predicate="within")
    first = joined.groupby(level=0)[["feature_id", "name"]].first().reindex(probes.index)
    return first["feature_id"].to_numpy(), first["name"].to_numpy()


def _covered_by(points: np.ndarray, areas: gpd.GeoDataFrame) -> np.ndarray:
    area = areas.geometry.union_all()
    shapely.prepare(area)
    return shapely.covers(area, points)


def _local_crs(geometry: shapely.Geometry) -> pyproj.CRS:
    """Azimuthal equidistant projection centred on ``geometry``: near-true distances across the
    region, used only to pick the nearest point; the distance itself is then measured geodesically."""
    centre = geometry.centroid
    return pyproj.CRS.from_proj4(
        f"+proj=aeqd +lat_0={centre.y:.6f} +lon_0={centre.x:.6f} +datum=WGS84 +units=m +no_defs"
    )


def _to_crs(geometries: np.ndarray, crs: pyproj.CRS) -> np.ndarray:
    return gpd.GeoSeries(geometries, crs="EPSG:4326").to_crs(crs).to_numpy()


def _geodesic_km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    _, _, metres = _GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(metres, dtype=float) / 1000.0


def _nearest_feature(points: np.ndarray, features: gpd.GeoDataFrame, local_crs: pyproj.CRS) -> tuple[np.ndarray, np.ndarray]:
    """Id of the nearest point feature to each point, and its geodesic distance in km."""
    if len(points) == 0:
        return np.empty(0, dtype=object), np.empty(0)
    tree = shapely.STRtree(_to_crs(features.geometry.to_numpy(), local_crs))
    source, nearest = tree.query_nearest(_to_crs(points, local_crs), all_matches=False)
    order = np.argsort(source)
    nearest = nearest[order]
    feature_points = features.geometry.to_numpy()[nearest]
    km = _geodesic_km(shapely.get_x(points), shapely.get_y(points), shapely.get_x(feature_points), shapely.get_y(feature_points))
    return features.index.to_numpy()[nearest].astype(object), km


# An area lies in a region when at least this share of it (of its length, for a line) does: the
# layers come from different sources, so an area's edge rarely follows its region's exactly.
_WITHIN_SHARE = 0.95
_SEGMENT_DEGREES = 0.01  # ~1 km


def _extent_attributes(extents: np.ndarray, layers: dict[str, Layer], frontier: shapely.Geometry,
                       local_crs: pyproj.CRS) -> pd.DataFrame:
    """The derived columns of area (or line) places, one row per place of ``extents``: the country
    and province holding nearly all of it (missing when none does, or two do, as for a line along a
    boundary), whether GBAO or the Wakhan holds it, and the distances from its nearest point."""
    attributes = pd.DataFrame(index=range(len(extents)))
    attributes["country_id"], attributes["country"] = _holding(extents, layers["countries"].frame)
    attributes["province_id"], attributes["province"] = _holding(extents, layers["provinces"].frame)
    for column, layer_id in (("in_gbao", "gbao"), ("in_wakhan", "wakhan")):
        attributes[column] = pd.notna(_holding(extents, layers[layer_id].frame)[0])
    # Edges are straight in degrees (as GeoJSON draws them), not in the projection that finds the
    # nearest points: short edges keep the two alike.
    extents = shapely.segmentize(extents, _SEGMENT_DEGREES)
    attributes["frontier_km"] = _extent_distance_km(extents, np.full(len(extents), frontier), local_crs)
    posts = layers["posts"].frame.geometry.to_numpy()
    # The nearest post to each area; a tie (two posts inside a country) goes to the first in layer order.
    local_distances = shapely.distance(_to_crs(extents, local_crs)[:, np.newaxis], _to_crs(posts, local_crs)[np.newaxis, :])
    nearest = np.argmin(local_distances, axis=1)
    attributes["nearest_post"] = layers["posts"].frame.index.to_numpy()[nearest].astype(object)
    attributes["nearest_post_km"] = _extent_distance_km(extents, posts[nearest], local_crs)
    return attributes


def _holding(extents: np.ndarray, areas: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Feature id and name of the one area holding at least ``_WITHIN_SHARE`` of each extent, else NA.
    Measured in degrees, as the layers' edges are drawn: a projection would bend long edges away
    from shared boundaries, and the share only has to tell "nearly all" from "part"."""
    candidates = areas.geometry.to_numpy()
    extent_index, area_index = shapely.STRtree(candidates).query(extents, predicate="intersects")
    dimensions = shapely.get_dimensions(extents[extent_index])
    # An area smaller than the share of an extent cannot hold it: skip the costly intersection.
    big_enough = (dimensions < 2) | (shapely.area(candidates[area_index]) >= _WITHIN_SHARE * shapely.area(extents[extent_index]))
    extent_index, area_index, dimensions = extent_index[big_enough], area_index[big_enough], dimensions[big_enough]
    pieces = shapely.intersection(extents[extent_index], candidates[area_index])
    # Measured as the extent is (area or length): areas that only touch share an edge, no area.
    share = _size(pieces, dimensions) / _size(extents[extent_index], dimensions)
    ids = pd.Series(pd.NA, index=range(len(extents)), dtype=object)
    names = ids.copy()
    held = share >= _WITHIN_SHARE
    holders = pd.Series(area_index[held]).groupby(extent_index[held])
    for extent, holder_rows in holders:
        if len(holder_rows) == 1:
            ids[extent] = areas.index[holder_rows.iloc[0]]
            names[extent] = areas["name"].iloc[holder_rows.iloc[0]]
    return ids.to_numpy(), names.to_numpy()


def _size(geometries: np.ndarray, dimensions: np.ndarray) -> np.ndarray:
    """Area where ``dimensions`` is 2, length where it is 1."""
    return np.where(dimensions == 2, shapely.area(geometries), shapely.length(geometries))


def _extent_distance_km(extents: np.ndarray, targets: np.ndarray, local_crs: pyproj.CRS) -> np.ndarray:
    """Geodesic km between the nearest points of each extent and its target (the nearest points
    found in ``local_crs``); 0 where they touch or overlap."""
    local_ends = shapely.get_coordinates(shapely.shortest_line(_to_crs(extents, local_crs), _to_crs(targets, local_crs)))
    ends = gpd.GeoSeries(shapely.points(local_ends), crs=local_crs).to_crs("EPSG:4326").to_numpy()
    lon, lat = shapely.get_x(ends).reshape(-1, 2), shapely.get_y(ends).reshape(-1, 2)
    km = _geodesic_km(lon[:, 0], lat[:, 0], lon[:, 1], lat[:, 1])
    return np.where(shapely.intersects(extents, targets), 0.0, km)


def _rounded(geometries: np.ndarray) -> np.ndarray:
    return shapely.transform(geometries, lambda coords: np.round(coords, COORDINATE_DECIMALS))


def _plain_columns(frame: gpd.GeoDataFrame) -> dict[str, list[Any]]:
    """The non-geometry columns as JSON-ready Python values, converted a column at a time
    (exports of tens of thousands of rows stay fast): NA as None, dates as ISO strings, actors as
    lists, and no distances (None) for a country-wide event (``distances_apply``)."""
    columns = {}
    applies = distances_apply(frame)
    for name in frame.columns.drop("geometry"):
        values = frame[name].to_numpy(dtype=object, na_value=None).tolist()
        if name in DISTANCE_COLUMNS:
            values = [value if kept else None for value, kept in zip(values, applies, strict=True)]
        if name == "actors":
            values = [list(actors) for actors in values]
        elif name in _DATE_COLUMNS:
            values = [None if value is None else value.isoformat() for value in values]
        columns[name] = values
    return columns


def _plain_records(frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    columns = _plain_columns(frame)
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
