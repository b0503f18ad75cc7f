"""Names on the map: which layers' features are labelled, at what rank and from which zoom, and
the river names along the frontier. Hand-edited data, ``layers/labels.json`` (optional: without
it the map has no labels); see docs/ARCHITECTURE.md, "Labels".

Python computes where a label may go (a point's own position, a pole of inaccessibility inside an
area, points along a river's stretch of line); the browser (``geo/web/panj-labels.js``) places
them after every zoom and move, highest rank first, so that no two overlap. Page and export run
the same code: ``MapLabels`` is part of the base map.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from folium.template import Template
from shapely.geometry import box
from shapely.ops import linemerge, polylabel

from geo.layers import ID_PATTERN, LAYERS_DIR, Layer
from geo.markup import DataElement
from geo.problems import Problem, ProblemsError, check_fields, item_label, read_json

LABELS_NAME = "labels.json"
MAX_ZOOM = 20
MAX_RIVER_LABELS = 10
# An area is labelled at its pole of inaccessibility, and also at the pole of each piece of it a
# grid cell holds, so a country whose middle is off the view (Afghanistan at the frontier) is still
# named where it is seen; pieces smaller than MIN_CELL_SHARE of their cell are too thin to hold a name.
CELL_DEGREES = 2.0
MIN_CELL_SHARE = 0.25
POLE_TOLERANCE = 0.01  # degrees, ~1 km: plenty for where a name goes
RIVER_SPAN = 0.15  # degrees along the line either side of a river label: its direction on screen
_DECIMALS = 4


class LabelsError(ProblemsError):
    """``labels.json`` failed validation; ``problems`` lists every problem found."""

    subject = "the map labels"


@dataclass(frozen=True)
class Rank:
    """A kind of label: earlier ranks win where labels would overlap. ``size`` multiplies the
    map's label font size; the label is shown from ``min_zoom`` up; ``off_view`` names a point just
    outside the view at the map's edge, with an arrow towards it."""

    id: str
    size: float
    min_zoom: float
    off_view: bool = False  # a point just outside the view is named at the map's edge, with an arrow


@dataclass(frozen=True)
class LayerLabels:
    """A layer whose features are named: at ``rank``, or at the rank ``rank_by_kind`` gives for a
    feature's ``kind`` property; the text is ``text_field`` (default: the manifest's label field)."""

    layer: str
    rank: str
    rank_by_kind: Mapping[str, str]
    text_field: str | None


@dataclass(frozen=True)
class RiverLabels:
    """A river's name along a line layer's stretch between longitudes ``west`` and ``east``, at
    ``labels`` places evenly along it; ``source`` says where the stretch's ends come from."""

    layer: str
    name: str
    west: float
    east: float
    labels: int
    source: str


@dataclass(frozen=True)
class LabelRules:
    ranks: tuple[Rank, ...]
    layers: tuple[LayerLabels, ...]
    rivers: tuple[RiverLabels, ...]

    def rank_ids(self) -> tuple[str, ...]:
        return tuple(rank.id for rank in self.ranks)


NO_LABELS = LabelRules((), (), ())


def load_label_rules(layers_dir: Path = LAYERS_DIR, layers: Mapping[str, Layer] | None = None) -> LabelRules:
    """The rules of ``labels.json`` in ``layers_dir`` (none without the file). With ``layers``,
    the layers, kinds and text fields it names are checked against them too. Raises LabelsError
    listing every problem."""
    path = Path(layers_dir) / LABELS_NAME
    if not path.exists():
        return NO_LABELS
    problems: list[Problem] = []
    raw = read_json(path, problems)
    if raw is None:
        raise LabelsError(problems)
    if not isinstance(raw, dict):
        raise LabelsError([Problem(path, "file", None, 'expected an object with "ranks", "layers" and "rivers"')])
    check_fields(path, "file", raw, ("ranks", "layers"), ("rivers",), problems)
    ranks = _ranks(path, raw.get("ranks", []), problems)
    # Every rank named, valid or not: a rank with a bad size is one problem, not one per use.
    listed = raw["ranks"] if isinstance(raw.get("ranks"), list) else []
    rank_ids = {entry["id"] for entry in listed if isinstance(entry, dict) and isinstance(entry.get("id"), str)}
    rules = LabelRules(
        ranks=tuple(ranks),
        layers=tuple(_layer_entries(path, raw.get("layers", []), rank_ids, layers, problems)),
        rivers=tuple(_river_entries(path, raw.get("rivers", []), rank_ids, layers, problems)),
    )
    if problems:
        raise LabelsError(problems)
    return rules


def _entries(path: Path, value: Any, name: str, problems: list[Problem]) -> list[Any]:
    if not isinstance(value, list):
        problems.append(Problem(path, "file", name, "must be a list"))
        return []
    return value


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _ranks(path: Path, value: Any, problems: list[Problem]) -> list[Rank]:
    ranks: list[Rank] = []
    seen: set[str] = set()
    for position, entry in enumerate(_entries(path, value, "ranks", problems), start=1):
        rank_id = entry.get("id") if isinstance(entry, dict) else None
        item = item_label("rank", entry, position)
        if not isinstance(entry, dict):
            problems.append(Problem(path, item, None, "not an object"))
            continue
        before = len(problems)
        check_fields(path, item, entry, ("id", "size", "min_zoom"), ("off_view",), problems)
        if "id" in entry and (not isinstance(rank_id, str) or not ID_PATTERN.fullmatch(rank_id)):
            problems.append(Problem(path, item, "id", "must be lower-case letters, digits and hyphens"))
        elif rank_id in seen:
            problems.append(Problem(path, item, "id", "duplicate rank id"))
        size, min_zoom = entry.get("size"), entry.get("min_zoom")
        if "size" in entry and not (_number(size) and 0.5 <= size <= 3):
            problems.append(Problem(path, item, "size", "must be a number from 0.5 to 3 (times the label font size)"))
        if "min_zoom" in entry and not (_number(min_zoom) and 0 <= min_zoom <= MAX_ZOOM):
            problems.append(Problem(path, item, "min_zoom", f"must be a number from 0 to {MAX_ZOOM}"))
        off_view = entry.get("off_view", False)
        if not isinstance(off_view, bool):
            problems.append(Problem(path, item, "off_view", "must be true or false"))
        if isinstance(rank_id, str):
            seen.add(rank_id)
        if len(problems) == before:
            ranks.append(Rank(rank_id, float(size), float(min_zoom), off_view))
    return ranks


def _check_rank(path: Path, item: str, field: str, value: Any, rank_ids: set[str], problems: list[Problem]) -> None:
    if value not in rank_ids:
        problems.append(Problem(path, item, field, f"unknown rank {value!r}; expected one of {', '.join(sorted(rank_ids))}"))


def _layer_entries(
    path: Path, value: Any, rank_ids: set[str], layers: Mapping[str, Layer] | None, problems: list[Problem],
) -> list[LayerLabels]:
    entries: list[LayerLabels] = []
    seen: set[str] = set()
    for position, entry in enumerate(_entries(path, value, "layers", problems), start=1):
        layer_id = entry.get("layer") if isinstance(entry, dict) else None
        item = item_label("layer", entry, position, key="layer")
        if not isinstance(entry, dict):
            problems.append(Problem(path, item, None, "not an object"))
            continue
        before = len(problems)
        check_fields(path, item, entry, ("layer", "rank"), ("rank_by_kind", "text_field"), problems)
        layer = _check_layer(path, item, entry, layers, ("Point", "Polygon"), problems)
        if layer_id in seen:
            problems.append(Problem(path, item, "layer", "labelled twice"))
        if isinstance(layer_id, str):
            seen.add(layer_id)
        if "rank" in entry:
            _check_rank(path, item, "rank", entry["rank"], rank_ids, problems)
        by_kind = entry.get("rank_by_kind", {})
        if not isinstance(by_kind, dict):
            problems.append(Problem(path, item, "rank_by_kind", "must be an object {kind: rank}"))
            by_kind = {}
        for kind, rank in by_kind.items():
            _check_rank(path, item, f"rank_by_kind.{kind}", rank, rank_ids, problems)
        if by_kind and layer is not None and "kind" not in layer.frame.columns:
            problems.append(Problem(path, item, "rank_by_kind", "the layer's features have no 'kind' property"))
        text_field = entry.get("text_field")
        if "text_field" in entry and (not isinstance(text_field, str) or not text_field.strip()):
            problems.append(Problem(path, item, "text_field", "must be a non-empty string"))
        elif text_field is not None and layer is not None and text_field not in layer.frame.columns:
            problems.append(Problem(path, item, "text_field", f"the layer's features have no {text_field!r} property"))
        if len(problems) == before:
            entries.append(LayerLabels(layer_id, entry["rank"], dict(by_kind), text_field))
    return entries


def _check_layer(
    path: Path, item: str, entry: dict[str, Any], layers: Mapping[str, Layer] | None, kinds: tuple[str, ...],
    problems: list[Problem],
) -> Layer | None:
    """The entry's layer when ``layers`` has it; records why not otherwise."""
    layer_id = entry.get("layer")
    if "layer" not in entry:
        return None
    if not isinstance(layer_id, str) or not ID_PATTERN.fullmatch(layer_id):
        problems.append(Problem(path, item, "layer", "must be a layer id"))
        return None
    if layers is None:
        return None
    if layer_id not in layers:
        problems.append(Problem(path, item, "layer", f"no layer {layer_id!r} in the manifest"))
        return None
    if layers[layer_id].spec.geometry not in kinds:
        problems.append(Problem(path, item, "layer", f"a {layers[layer_id].spec.geometry} layer; expected {' or '.join(kinds)}"))
        return None
    return layers[layer_id]


def _river_entries(
    path: Path, value: Any, rank_ids: set[str], layers: Mapping[str, Layer] | None, problems: list[Problem],
) -> list[RiverLabels]:
    if value and "river" not in rank_ids:
        problems.append(Problem(path, "file", "ranks", "river names need a rank 'river'"))
    rivers: list[RiverLabels] = []
    for position, entry in enumerate(_entries(path, value, "rivers", problems), start=1):
        name = entry.get("name") if isinstance(entry, dict) else None
        item = f"river {name!r}" if isinstance(name, str) and name.strip() else f"river #{position}"
        if not isinstance(entry, dict):
            problems.append(Problem(path, item, None, "not an object"))
            continue
        before = len(problems)
        check_fields(path, item, entry, ("layer", "name", "west", "east", "labels", "source"), (), problems)
        _check_layer(path, item, entry, layers, ("LineString",), problems)
        for field in ("name", "source"):
            if field in entry and (not isinstance(entry[field], str) or not entry[field].strip()):
                problems.append(Problem(path, item, field, "must be a non-empty string"))
        west, east = entry.get("west"), entry.get("east")
        for field, degrees in (("west", west), ("east", east)):
            if field in entry and not (_number(degrees) and -180 <= degrees <= 180):
                problems.append(Problem(path, item, field, "must be a longitude from -180 to 180"))
        if _number(west) and _number(east) and west >= east:
            problems.append(Problem(path, item, "east", "must be east of 'west'"))
        count = entry.get("labels")
        if "labels" in entry and not (isinstance(count, int) and not isinstance(count, bool)
                                      and 1 <= count <= MAX_RIVER_LABELS):
            problems.append(Problem(path, item, "labels", f"must be a whole number from 1 to {MAX_RIVER_LABELS}"))
        if len(problems) == before:
            rivers.append(RiverLabels(entry["layer"], name, float(west), float(east), count, entry["source"]))
    return rivers


# --- anchors -------------------------------------------------------------------------------------

def _latlon(point: shapely.Point) -> list[float]:
    return [round(point.y, _DECIMALS), round(point.x, _DECIMALS)]


def _largest_polygon(geometry: shapely.Geometry) -> shapely.Polygon | None:
    polygons = [part for part in getattr(geometry, "geoms", [geometry]) if part.geom_type == "Polygon" and not part.is_empty]
    return max(polygons, key=lambda polygon: polygon.area, default=None)


def _area_anchor(polygon: shapely.Polygon) -> dict[str, Any]:
    west, south, east, north = polygon.bounds
    pole = polylabel(polygon, POLE_TOLERANCE)
    return {"at": _latlon(pole), "extent": [[round(south, _DECIMALS), round(west, _DECIMALS)],
                                            [round(north, _DECIMALS), round(east, _DECIMALS)]]}


def area_anchors(geometry: shapely.Geometry) -> list[dict[str, Any]]:
    """Where an area's name may go, best first: the pole of inaccessibility of its largest part,
    then that of each grid cell's piece of it, larger pieces first. Each anchor is ``{"at": [lat,
    lon], "extent": [[south, west], [north, east]]}``, the extent of the part it is inside."""
    whole = _largest_polygon(geometry)
    if whole is None:
        return []
    pieces: list[shapely.Polygon] = []
    west, south, east, north = geometry.bounds
    cell_area = CELL_DEGREES * CELL_DEGREES
    for x in range(math.floor(west / CELL_DEGREES), math.ceil(east / CELL_DEGREES)):
        for y in range(math.floor(south / CELL_DEGREES), math.ceil(north / CELL_DEGREES)):
            cell = box(x * CELL_DEGREES, y * CELL_DEGREES, (x + 1) * CELL_DEGREES, (y + 1) * CELL_DEGREES)
            piece = _largest_polygon(geometry.intersection(cell))
            if piece is not None and piece.area >= MIN_CELL_SHARE * cell_area:
                pieces.append(piece)
    pieces.sort(key=lambda piece: -piece.area)
    return [_area_anchor(whole)] + [_area_anchor(piece) for piece in pieces]


def river_anchors(line: shapely.Geometry, west: float, east: float, count: int) -> list[list[dict[str, Any]]]:
    """For each of ``count`` labels along the part of ``line`` between longitudes ``west`` and
    ``east`` (its longest stretch), the places it may go, best first: the middle of its share of
    the stretch, then a little either way. Each is ``{"at": [lat, lon], "along": [[lat, lon], [lat,
    lon]]}``: the point and two points on the line either side, which give the name's direction."""
    clipped = line.intersection(box(west, -90, east, 90))
    if clipped.is_empty:
        return []
    merged = linemerge(clipped) if clipped.geom_type == "MultiLineString" else clipped
    stretch = max(getattr(merged, "geoms", [merged]), key=lambda part: part.length)
    share = stretch.length / count
    labels = []
    for index in range(count):
        middle = (index + 0.5) * share
        spots = []
        for shift in (0.0, -0.25, 0.25):
            at = middle + shift * share
            spots.append({"at": _latlon(stretch.interpolate(at)),
                          "along": [_latlon(stretch.interpolate(max(at - RIVER_SPAN, 0))),
                                    _latlon(stretch.interpolate(min(at + RIVER_SPAN, stretch.length)))]})
        labels.append(spots)
    return labels


def _symbol_radius(style: Mapping[str, Any]) -> float:
    # A point layer's circle, outline included: its name starts just beyond it.
    return float(style.get("radius") or 0) + float(style.get("weight") or 0) / 2


def map_labels(rules: LabelRules, layers: Mapping[str, Layer]) -> list[dict[str, Any]]:
    """Every label the rules give for ``layers``, in rank order (file order within a rank): ``{layer,
    feature, text, rank, kind ("point", "area" or "line"), anchors}`` and, for points, the symbol's
    ``radius`` in pixels. Rules about layers not in ``layers`` are skipped (another data directory
    may have fewer layers)."""
    labels: list[dict[str, Any]] = []
    for rule in rules.layers:
        if rule.layer not in layers:
            continue
        spec, frame = layers[rule.layer].spec, layers[rule.layer].frame
        field = rule.text_field or spec.label_field
        for feature_id, row in frame.iterrows():
            text = row.get(field)
            if not isinstance(text, str) or not text.strip():
                continue
            kind = row.get("kind")
            label: dict[str, Any] = {"layer": rule.layer, "feature": feature_id, "text": text,
                                     "rank": rule.rank_by_kind.get(kind, rule.rank) if isinstance(kind, str) else rule.rank}
            if spec.geometry == "Point":
                label.update(kind="point", radius=_symbol_radius(spec.style),
                             anchors=[{"at": _latlon(row.geometry.representative_point())}])
            else:
                label.update(kind="area", anchors=area_anchors(row.geometry))
            if label["anchors"]:
                labels.append(label)
    for river in rules.rivers:
        if river.layer not in layers:
            continue
        frame = layers[river.layer].frame
        line = shapely.union_all(frame.geometry.to_numpy())
        for spots in river_anchors(line, river.west, river.east, river.labels):
            labels.append({"layer": river.layer, "feature": None, "text": river.name, "rank": "river",
                           "kind": "line", "anchors": spots})
    order = {rank_id: position for position, rank_id in enumerate(rules.rank_ids())}
    return sorted(labels, key=lambda label: order[label["rank"]])


def label_data(layers: Mapping[str, Layer], layers_dir: Path = LAYERS_DIR) -> dict[str, Any]:
    """What the browser's labels runtime is given: the ranks and every label (``map_labels``)."""
    rules = load_label_rules(layers_dir)
    return {"ranks": [{"id": rank.id, "size": rank.size, "minZoom": rank.min_zoom, "offView": rank.off_view}
                      for rank in rules.ranks],
            "labels": map_labels(rules, layers)}


def label_file(layers: Mapping[str, Layer], layers_dir: Path = LAYERS_DIR) -> bytes:
    """``label_data`` as the static JSON file the map fetches (named ``LABELS_NAME``, published with the
    snapshot's other files: the base map is sent again on every rerun of the page, its labels need not be)."""
    return json.dumps(label_data(layers, layers_dir), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class MapLabels(DataElement):
    """The map's names, fetched from their static file and placed by ``geo/web/panj-labels.js``
    after every zoom and move; sets ``window.panjMap.labels()`` (the drawn labels: text, rank,
    layer, screen box)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        new PanjLabels(window.panjMap, {{ this.url|tojson }});
        {% endmacro %}
    """)

    def __init__(self, url: str):
        super().__init__()
        self._name = "PanjLabels"
        self.url = url
