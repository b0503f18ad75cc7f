"""The layer manifest and its GeoJSON files: loading, validation and look-up.

Everything is read once per directory and cached; the page and the command line share the result.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import shape
from shapely.validation import explain_validity

LAYERS_DIR = Path(__file__).resolve().parent.parent / "layers"
MANIFEST_NAME = "manifest.json"

GEOMETRY_KINDS = ("Point", "LineString", "Polygon")
REQUIRED_FIELDS = (
    "id", "title", "geometry", "group", "visible", "style", "label_field",
    "source", "license", "attribution", "derivation",
)
GROUPS = ("mission", "context")
# Layer and feature ids appear in references (posts:ayvoj), URLs and file names.
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class LayerError(ValueError):
    """A layer file or the manifest is unusable; the message names the file, feature and problem."""


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


def _fail(path: Path, problem: str) -> LayerError:
    return LayerError(f"{path}: {problem}")


def load_manifest(layers_dir: Path = LAYERS_DIR) -> list[LayerSpec]:
    """Read and validate the manifest; one error lists every problem found in it."""
    path = Path(layers_dir) / MANIFEST_NAME
    raw = _read_json(path)
    entries = raw.get("layers") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise _fail(path, 'expected an object with a non-empty "layers" list')
    problems: list[str] = []
    specs: list[LayerSpec] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries):
        where = f"layer #{position}" + (f" ({entry.get('id')!r})" if isinstance(entry, dict) else "")
        if not isinstance(entry, dict):
            problems.append(f"{where}: not an object")
            continue
        missing = [name for name in REQUIRED_FIELDS if name not in entry]
        if missing:
            problems.append(f"{where}: missing field(s) {', '.join(missing)}")
            continue
        if entry["geometry"] not in GEOMETRY_KINDS:
            problems.append(f"{where}: field 'geometry' is {entry['geometry']!r}, expected one of {GEOMETRY_KINDS}")
        if entry["group"] not in GROUPS:
            problems.append(f"{where}: field 'group' is {entry['group']!r}, expected one of {GROUPS}")
        if not isinstance(entry["visible"], bool):
            problems.append(f"{where}: field 'visible' must be true or false")
        if not isinstance(entry["style"], dict):
            problems.append(f"{where}: field 'style' must be an object")
        if not isinstance(entry["id"], str) or not ID_PATTERN.fullmatch(entry["id"]):
            problems.append(f"{where}: field 'id' must be lower-case letters, digits and hyphens")
        elif entry["id"] in seen:
            problems.append(f"{where}: duplicate layer id")
        seen.add(entry["id"])
        unknown = sorted(set(entry) - set(REQUIRED_FIELDS))
        if unknown:
            problems.append(f"{where}: unknown field(s) {', '.join(unknown)}")
        if not any(p.startswith(where) for p in problems):
            specs.append(LayerSpec(**{name: entry[name] for name in REQUIRED_FIELDS}))
    if problems:
        raise _fail(path, "; ".join(problems))
    return specs


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _fail(path, "file not found") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _fail(path, f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}") from None


def _check_coordinates(coords: Any, path: Path, label: str) -> None:
    """Raise if any position is not a finite WGS84 longitude/latitude pair."""
    flat = shapely.get_coordinates(coords)
    for lon, lat in flat:
        if not (math.isfinite(lon) and math.isfinite(lat)) or not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise _fail(path, f"{label}: coordinate ({lon}, {lat}) is outside WGS84 longitude/latitude ranges")


def load_layer(spec: LayerSpec, layers_dir: Path = LAYERS_DIR) -> Layer:
    """Read one layer's GeoJSON and check every feature against its manifest entry."""
    path = Path(layers_dir) / spec.file_name
    raw = _read_json(path)
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection" or not isinstance(raw.get("features"), list):
        raise _fail(path, "not a GeoJSON FeatureCollection")
    allowed = {spec.geometry, f"Multi{spec.geometry}"}
    ids: list[str] = []
    geometries = []
    rows = []
    for position, feature in enumerate(raw["features"]):
        if not isinstance(feature, dict):
            raise _fail(path, f"feature #{position}: not a GeoJSON Feature object")
        props = feature.get("properties")
        if not isinstance(props, dict):
            raise _fail(path, f"feature #{position}: 'properties' must be an object")
        feature_id = props.get("id")
        label = f"feature #{position}" + (f" (id {feature_id!r})" if feature_id is not None else "")
        if not isinstance(feature_id, str) or not feature_id:
            raise _fail(path, f"{label}: property 'id' is missing or not a string")
        if not ID_PATTERN.fullmatch(feature_id):
            raise _fail(path, f"{label}: property 'id' must be lower-case letters, digits and hyphens")
        if feature_id in ids:
            raise _fail(path, f"{label}: duplicate feature id")
        if not isinstance(props.get("name"), str):
            raise _fail(path, f"{label}: property 'name' is missing or not a string")
        if spec.label_field not in props:
            raise _fail(path, f"{label}: no property {spec.label_field!r}, the manifest's label_field")
        geometry = feature.get("geometry")
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind not in allowed:
            raise _fail(path, f"{label}: geometry type {kind!r}, but the manifest says {spec.geometry}")
        try:
            geom = shape(geometry)
        except Exception as error:  # shapely raises several types for malformed coordinates
            raise _fail(path, f"{label}: malformed geometry: {error}") from None
        _check_coordinates(geom, path, label)
        if geom.is_empty or not geom.is_valid:
            reason = "empty" if geom.is_empty else explain_validity(geom)
            raise _fail(path, f"{label}: invalid geometry: {reason}")
        ids.append(feature_id)
        geometries.append(geom)
        rows.append(props)
    frame = gpd.GeoDataFrame(rows, geometry=geometries, crs="EPSG:4326", index=ids)
    frame.index.name = "feature_id"
    return Layer(spec=spec, frame=frame, features=raw["features"])


@lru_cache(maxsize=4)
def _load_layers_cached(layers_dir: str) -> dict[str, Layer]:
    directory = Path(layers_dir)
    return {spec.id: load_layer(spec, directory) for spec in load_manifest(directory)}


def load_layers(layers_dir: Path = LAYERS_DIR) -> dict[str, Layer]:
    """Every manifest layer, in drawing order, validated. Cached per directory: do not mutate."""
    return _load_layers_cached(str(Path(layers_dir).resolve()))


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
