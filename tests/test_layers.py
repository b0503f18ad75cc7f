"""geo/layers.py: the manifest and layer loader, on the shipped data and on small bad inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo import layers as layers_mod
from geo.layers import LAYERS_DIR, LayerError, load_layers, load_manifest, parse_ref, resolve

MANIFEST_ENTRY = {
    "id": "sample",
    "title": "Sample",
    "geometry": "Polygon",
    "group": "context",
    "visible": True,
    "style": {"color": "#000000"},
    "label_field": "name",
    "source": "test",
    "license": "CC0",
    "attribution": "test",
    "derivation": "typed in a test",
}
SQUARE = {"type": "Polygon", "coordinates": [[[70, 37], [71, 37], [71, 38], [70, 38], [70, 37]]]}


def write_layer_dir(tmp_path: Path, features: list, entry: dict | None = None) -> Path:
    entry = entry or MANIFEST_ENTRY
    (tmp_path / "manifest.json").write_text(json.dumps({"layers": [entry]}))
    (tmp_path / f"{entry['id']}.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return tmp_path


def feature(geometry: dict, **props) -> dict:
    return {"type": "Feature", "properties": {"id": "one", "name": "One", **props}, "geometry": geometry}


# --- the shipped data -------------------------------------------------------------------------

def test_manifest_describes_every_shipped_layer_file():
    specs = load_manifest()
    files = {path.name for path in LAYERS_DIR.glob("*.geojson")}
    assert {spec.file_name for spec in specs} == files
    for spec in specs:
        assert spec.source and spec.license and spec.attribution and spec.derivation, spec.id


def test_shipped_layers_load_with_the_mission_layers():
    loaded = load_layers()
    assert {"frontier", "gbao", "wakhan", "posts", "countries", "provinces", "places"} <= set(loaded)
    assert set(loaded["posts"].frame.index) >= {"ayvoj", "shaymak"}
    assert loaded["frontier"].frame.crs.to_epsg() == 4326


def test_layers_are_cached_per_directory():
    assert load_layers() is load_layers(LAYERS_DIR)


def test_resolve_finds_a_feature_and_names_what_is_unknown():
    loaded = load_layers()
    layer, row = resolve(loaded, "posts:shaymak")
    assert layer.spec.id == "posts" and row.geometry.geom_type == "Point"
    with pytest.raises(KeyError, match="unknown feature 'nowhere' in layer 'posts'"):
        resolve(loaded, "posts:nowhere")
    with pytest.raises(KeyError, match="unknown layer 'roads'"):
        resolve(loaded, "roads:m41")
    with pytest.raises(ValueError, match="not of the form"):
        parse_ref("kabul")


# --- loader errors ----------------------------------------------------------------------------

def test_missing_layer_file_names_the_file(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"layers": [MANIFEST_ENTRY]}))
    with pytest.raises(LayerError, match=r"sample\.geojson: file not found"):
        layers_mod._load_layers_cached(str(tmp_path))


def test_missing_manifest_names_the_file(tmp_path):
    with pytest.raises(LayerError, match=r"manifest\.json: file not found"):
        load_manifest(tmp_path)


def test_invalid_json_names_file_and_line(tmp_path):
    write_layer_dir(tmp_path, [])
    (tmp_path / "sample.geojson").write_text('{"type": "FeatureCollection",\n "features": [,]}')
    with pytest.raises(LayerError, match=r"sample\.geojson: invalid JSON at line 2"):
        load_layers(tmp_path)


@pytest.mark.parametrize(
    ("features", "message"),
    [
        pytest.param(
            [feature({"type": "LineString", "coordinates": [[70, 37], [71, 38]]})],
            r"feature #0 \(id 'one'\): geometry type 'LineString', but the manifest says Polygon",
            id="wrong-geometry-type",
        ),
        pytest.param(
            # A bow tie: the ring crosses itself.
            [feature({"type": "Polygon", "coordinates": [[[70, 37], [71, 38], [71, 37], [70, 38], [70, 37]]]})],
            r"feature #0 \(id 'one'\): invalid geometry: Self-intersection",
            id="self-intersection",
        ),
        pytest.param(
            [feature({"type": "Polygon", "coordinates": [[[70, 37], [191, 37], [71, 38], [70, 37]]]})],
            r"feature #0 \(id 'one'\): coordinate \(191\.0, 37\.0\) is outside WGS84",
            id="longitude-out-of-range",
        ),
        pytest.param(
            [feature({"type": "Polygon", "coordinates": [[[70, 37], [71, 95], [71, 38], [70, 37]]]})],
            r"feature #0 \(id 'one'\): coordinate \(71\.0, 95\.0\) is outside WGS84",
            id="latitude-out-of-range",
        ),
        pytest.param(
            [{"type": "Feature", "properties": {"name": "No id"}, "geometry": SQUARE}],
            r"feature #0: property 'id' is missing",
            id="missing-id",
        ),
        pytest.param(
            [feature(SQUARE), feature(SQUARE)],
            r"feature #1 \(id 'one'\): duplicate feature id",
            id="duplicate-id",
        ),
        pytest.param(
            [{"type": "Feature", "properties": {"id": "one"}, "geometry": SQUARE}],
            r"feature #0 \(id 'one'\): property 'name' is missing",
            id="missing-name",
        ),
        pytest.param(
            [{"type": "Feature", "properties": ["id", "one"], "geometry": SQUARE}],
            r"feature #0: 'properties' must be an object",
            id="properties-not-an-object",
        ),
        pytest.param(
            [feature(SQUARE, id="Kabul City")],
            r"feature #0 \(id 'Kabul City'\): property 'id' must be lower-case letters, digits and hyphens",
            id="id-not-a-slug",
        ),

        pytest.param(
            [feature({"type": "Polygon", "coordinates": [[[70, 37], [71]]]})],
            r"feature #0 \(id 'one'\): malformed geometry",
            id="malformed-coordinates",
        ),
    ],
)
def test_bad_feature_stops_loading_with_file_feature_and_problem(tmp_path, features, message):
    write_layer_dir(tmp_path, features)
    with pytest.raises(LayerError, match=r"sample\.geojson: " + message):
        load_layers(tmp_path)


def test_multi_variant_of_the_manifest_kind_is_accepted(tmp_path):
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}
    write_layer_dir(tmp_path, [feature(multi)])
    assert load_layers(tmp_path)["sample"].frame.geometry.iloc[0].geom_type == "MultiPolygon"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"geometry": "Blob"}, r"field 'geometry' is 'Blob'"),
        ({"group": "misc"}, r"field 'group' is 'misc'"),
        ({"visible": "yes"}, r"field 'visible' must be true or false"),
        ({"license": None}, r"missing field\(s\) license"),
        ({"colour": "red"}, r"unknown field\(s\) colour"),
    ],
)
def test_bad_manifest_entry_names_layer_and_field(tmp_path, change, message):
    entry = {**MANIFEST_ENTRY, **change}
    entry = {key: value for key, value in entry.items() if value is not None}
    write_layer_dir(tmp_path, [feature(SQUARE)], entry)
    with pytest.raises(LayerError, match=r"manifest\.json: layer #0 \('sample'\): " + message):
        load_manifest(tmp_path)


def test_manifest_reports_every_problem_at_once(tmp_path):
    entries = [{**MANIFEST_ENTRY, "geometry": "Blob"}, {**MANIFEST_ENTRY, "id": "other", "group": "misc"}]
    (tmp_path / "manifest.json").write_text(json.dumps({"layers": entries}))
    with pytest.raises(LayerError) as error:
        load_manifest(tmp_path)
    assert "layer #0 ('sample')" in str(error.value) and "layer #1 ('other')" in str(error.value)


def test_label_field_missing_from_a_feature_is_named(tmp_path):
    write_layer_dir(tmp_path, [feature(SQUARE)], {**MANIFEST_ENTRY, "label_field": "title"})
    with pytest.raises(LayerError, match=r"sample\.geojson: feature #0 \(id 'one'\): no property 'title'"):
        load_layers(tmp_path)


def test_layer_id_must_be_a_slug(tmp_path):
    write_layer_dir(tmp_path, [feature(SQUARE)], {**MANIFEST_ENTRY, "id": "Sample"})
    with pytest.raises(LayerError, match=r"layer #0 \('Sample'\): field 'id' must be lower-case letters"):
        load_manifest(tmp_path)
