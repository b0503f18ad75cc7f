"""The layer manifest and its GeoJSON files: loading, validation and look-up.

Read on request, never cached here: the snapshot (``geo.snapshot``) holds the layers the page and
the command line draw, one set per data directory and store revision.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import shape
from shapely.validation import explain_validity

from geo.problems import Problem, ProblemsError, check_fields, item_label, read_json

LAYERS_DIR = Path(__file__).resolve().parent.parent / "layers"
MANIFEST_NAME = "manifest.json"

GEOMETRY_KINDS = ("Point", "LineString", "Polygon")
REQUIRED_FIELDS = (
    "id", "title", "geometry", "group", "visible", "style", "label_field",
    "source", "license", "attribution", "derivation",
)
TEXT_FIELDS = ("title", "label_field", "source", "license", "attribution", "derivation")
GROUPS = ("mission", "context")
# Layer and feature ids appear in references (posts:ayvoj), URLs and file names.
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class LayerError(ProblemsError):
    """The manifest or a layer file failed validation; ``problems`` holds every problem found,
    each naming the file, the layer or feature, the field and the reason."""

    subject = "the layers"


@dataclass(frozen=True)
class LayerSpec:
    """One manifest entry: what a layer is, how it looks, and where its geometry comes from."""

    id: str
    title: str
    geometry: str
    group: str
    visible: bool
    style: dict[str, Any]
    label_field: str
    source: str
    license: str
    attribution: str
    derivation: str

    @property
    def file_name(self) -> str:
        return f"{self.id}.geojson"


@dataclass(frozen=True)
class Layer:
    spec: LayerSpec
    frame: gpd.GeoDataFrame  # one row per feature, indexed by feature id, EPSG:4326
    features: list[dict[str, Any]] = field(repr=False)  # the GeoJSON features as stored


def load_manifest(layers_dir: Path = LAYERS_DIR) -> list[LayerSpec]:
    """Read and validate the manifest; raises LayerError listing every problem of every entry."""
    path = Path(layers_dir) / MANIFEST_NAME
    problems: list[Problem] = []
    raw = read_json(path, problems)
    if raw is None:
        raise LayerError(problems)
    if not isinstance(raw, dict) or set(raw) != {"layers"} or not isinstance(raw["layers"], list) or not raw["layers"]:
        raise LayerError([Problem(path, "file", None, 'expected an object with exactly a non-empty "layers" list')])
    specs: list[LayerSpec] = []
    seen: set[str] = set()
    for position, entry in enumerate(raw["layers"], start=1):
        item = item_label("layer", entry, position)
        if not isinstance(entry, dict):
            problems.append(Problem(path, item, None, "not an object"))
            continue
        before = len(problems)
        _check_manifest_entry(path, item, entry, problems)
        layer_id = entry.get("id")
        if isinstance(layer_id, str):
            if layer_id in seen:
                problems.append(Problem(path, item, "id", "duplicate layer id"))
            seen.add(layer_id)
        if len(problems) == before:
            specs.append(LayerSpec(**{name: entry[name] for name in REQUIRED_FIELDS}))
    if problems:
        raise LayerError(problems)
    return specs


def _check_manifest_entry(path: Path, item: str, entry: dict[str, Any], problems: list[Problem]) -> None:
    def bad(name: str, reason: str) -> None:
        problems.append(Problem(path, item, name, reason))

    check_fields(path, item, entry, REQUIRED_FIELDS, (), problems)
    if "id" in entry and (not isinstance(entry["id"], str) or not ID_PATTERN.fullmatch(entry["id"])):
        bad("id", "must be lower-case letters, digits and hyphens")
    if "geometry" in entry and entry["geometry"] not in GEOMETRY_KINDS:
        bad("geometry", f"{entry['geometry']!r} is not one of {', '.join(GEOMETRY_KINDS)}")
    if "group" in entry and entry["group"] not in GROUPS:
        bad("group", f"{entry['group']!r} is not one of {', '.join(GROUPS)}")
    if "visible" in entry and not isinstance(entry["visible"], bool):
        bad("visible", "must be true or false")
    if "style" in entry and not isinstance(entry["style"], dict):
        bad("style", "must be an object of Leaflet path options")
    for name in TEXT_FIELDS:
        if name in entry and (not isinstance(entry[name], str) or not entry[name].strip()):
            bad(name, "must be a non-empty string")


def load_layer(spec: LayerSpec, layers_dir: Path = LAYERS_DIR) -> Layer:
    """Read one layer's GeoJSON and check every feature against its manifest entry; raises
    LayerError listing every problem of every feature."""
    problems: list[Problem] = []
    layer = _read_layer(spec, Path(layers_dir), problems)
    if layer is None:
        raise LayerError(problems)
    return layer


def _read_layer(spec: LayerSpec, layers_dir: Path, problems: list[Problem]) -> Layer | None:
    """The layer, or None after recording every problem found in its file."""
    path = layers_dir / spec.file_name
    before = len(problems)
    raw = read_json(path, problems)
    if raw is None:
        return None
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection" or not isinstance(raw.get("features"), list):
        problems.append(Problem(path, "file", None, 'not a GeoJSON FeatureCollection (an object with "type" and a "features" list)'))
        return None
    positions: dict[str, int] = {}  # feature id -> 1-based position of the feature that has it
    geometries = [
        _check_feature(path, spec, position, feature, positions, problems)
        for position, feature in enumerate(raw["features"], start=1)
    ]
    if len(problems) > before:
        return None
    rows = [feature["properties"] for feature in raw["features"]]
    # Without problems every feature has its own id, recorded in file order.
    frame = gpd.GeoDataFrame(rows, geometry=geometries, crs="EPSG:4326", index=list(positions))
    frame.index.name = "feature_id"
    return Layer(spec=spec, frame=frame, features=raw["features"])


def _check_feature(
    path: Path, spec: LayerSpec, position: int, feature: Any, positions: dict[str, int], problems: list[Problem]
) -> shapely.Geometry | None:
    """The feature's geometry, after recording every problem of the feature (None if it has none usable)."""
    properties = feature.get("properties") if isinstance(feature, dict) else None
    item = item_label("feature", properties, position)

    def bad(name: str | None, reason: str) -> None:
        problems.append(Problem(path, item, name, reason))

    if not isinstance(feature, dict):
        bad(None, "not a GeoJSON Feature object")
        return None
    if not isinstance(properties, dict):
        bad("properties", "must be an object")
    else:
        feature_id = properties.get("id")
        if not isinstance(feature_id, str) or not ID_PATTERN.fullmatch(feature_id):
            bad("properties.id", "missing, or not lower-case letters, digits and hyphens")
        elif feature_id in positions:
            bad("properties.id", f"duplicate feature id (feature #{positions[feature_id]} has it too)")
        else:
            positions[feature_id] = position
        if not isinstance(properties.get("name"), str) or not properties["name"].strip():
            bad("properties.name", "missing or not a non-empty string")
        if spec.label_field != "name" and spec.label_field not in properties:  # name: checked above
            bad(f"properties.{spec.label_field}", "missing: it is the manifest's label_field")
    return _check_geometry(spec, feature.get("geometry"), bad)


def _check_geometry(spec: LayerSpec, geometry: Any, bad: Callable[[str, str], None]) -> shapely.Geometry | None:
    kinds = (spec.geometry, f"Multi{spec.geometry}")
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in kinds:
        bad("geometry", f"type {kind!r}, but the manifest says {' or '.join(kinds)}")
        return None
    try:
        geom = shape(geometry)
    except Exception as error:  # shapely raises several types for malformed coordinates
        bad("geometry", f"malformed: {error}")
        return None
    coordinates = shapely.get_coordinates(geom)
    outside = ~(np.isfinite(coordinates).all(axis=1)
                & (np.abs(coordinates[:, 0]) <= 180) & (np.abs(coordinates[:, 1]) <= 90))
    if outside.any():
        lon, lat = coordinates[outside][0]
        more = f" and {outside.sum() - 1} more are" if outside.sum() > 1 else " is"
        bad("geometry", f"coordinate ({lon}, {lat}){more} outside WGS84 longitude/latitude ranges")
        return None
    if geom.is_empty or not geom.is_valid:
        bad("geometry", f"invalid: {'empty' if geom.is_empty else explain_validity(geom)}")
        return None
    return geom


def load_layers(layers_dir: Path = LAYERS_DIR) -> dict[str, Layer]:
    """Every manifest layer, in drawing order, validated (read each call: whoever keeps layers
    for longer, the snapshot, owns them; docs/ARCHITECTURE.md, "The snapshot")."""
    directory = Path(layers_dir)
    specs = load_manifest(directory)
    # Every layer file is read before failing, so one error lists the problems of them all.
    problems: list[Problem] = []
    layers = {spec.id: _read_layer(spec, directory, problems) for spec in specs}
    if problems:
        raise LayerError(problems)
    return layers  # type: ignore[return-value]  # no problem was recorded, so no layer is None


def parse_ref(ref: str) -> tuple[str, str]:
    """Split a feature reference such as ``posts:ayvoj`` into (layer id, feature id)."""
    layer_id, sep, feature_id = ref.partition(":")
    if not sep or not layer_id or not feature_id:
        raise ValueError(f"feature reference {ref!r} is not of the form <layer>:<feature>")
    return layer_id, feature_id


def feature_refs(layers: dict[str, Layer]) -> set[str]:
    """Every valid ``<layer>:<feature>`` reference."""
    return {f"{layer_id}:{feature_id}" for layer_id, layer in layers.items() for feature_id in layer.frame.index}


def resolve(layers: dict[str, Layer], ref: str) -> tuple[Layer, Any]:
    """The layer and the frame row (a pandas Series with ``geometry``) a reference points to."""
    layer_id, feature_id = parse_ref(ref)
    if layer_id not in layers:
        raise KeyError(f"unknown layer {layer_id!r} in reference {ref!r}")
    layer = layers[layer_id]
    if feature_id not in layer.frame.index:
        raise KeyError(f"unknown feature {feature_id!r} in layer {layer_id!r}")
    return layer, layer.frame.loc[feature_id]
