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


def test_layers_are_read_afresh_not_kept_by_the_module():
    """The snapshot owns the layers it holds; a second read is a new, equal set (issue 19)."""
    first, second = load_layers(), load_layers(LAYERS_DIR)
    assert first is not second and list(first) == list(second)
    assert all(first[key].frame.geometry.equals(second[key].frame.geometry) for key in first)


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


# --- loader errors: every problem at once, each with file, item, field and reason ---------------

def problem_lines(error: pytest.ExceptionInfo[LayerError]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


def test_missing_layer_file_names_the_file(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"layers": [MANIFEST_ENTRY]}))
    with pytest.raises(LayerError, match=r"sample\.geojson: file: file not found"):
        layers_mod.load_layers(tmp_path)


def test_missing_manifest_names_the_file(tmp_path):
    with pytest.raises(LayerError, match=r"manifest\.json: file: file not found"):
        load_manifest(tmp_path)


def test_invalid_json_names_file_and_line(tmp_path):
    write_layer_dir(tmp_path, [])
    (tmp_path / "sample.geojson").write_text('{"type": "FeatureCollection",\n "features": [,]}')
    with pytest.raises(LayerError, match=r"sample\.geojson: file: invalid JSON at line 2"):
        load_layers(tmp_path)


def test_not_a_feature_collection_is_named(tmp_path):
    write_layer_dir(tmp_path, [])
    (tmp_path / "sample.geojson").write_text(json.dumps({"type": "Feature"}))
    with pytest.raises(LayerError, match=r"sample\.geojson: file: not a GeoJSON FeatureCollection"):
        load_layers(tmp_path)


@pytest.mark.parametrize(
    ("features", "message"),
    [
        pytest.param(
            [feature({"type": "LineString", "coordinates": [[70, 37], [71, 38]]})],
            r"feature 'one', field 'geometry': type 'LineString', but the manifest says Polygon or MultiPolygon",
            id="wrong-geometry-type",
        ),
        pytest.param(
            # A bow tie: the ring crosses itself.
            [feature({"type": "Polygon", "coordinates": [[[70, 37], [71, 38], [71, 37], [70, 38], [70, 37]]]})],
            r"feature 'one', field 'geometry': invalid: Self-intersection",
            id="self-intersection",
        ),
        pytest.param(
            [feature({"type": "Polygon", "coordinates": [[[70, 37], [191, 37], [71, 38], [70, 37]]]})],
            r"feature 'one', field 'geometry': coordinate \(191\.0, 37\.0\) is outside WGS84",
            id="longitude-out-of-range",
        ),
        pytest.param(
            [feature({"type": "Polygon", "coordinates": [[[70, 37], [71, 95], [72, 96], [70, 37]]]})],
            r"feature 'one', field 'geometry': coordinate \(71\.0, 95\.0\) and 1 more are outside WGS84",
            id="latitude-out-of-range",
        ),
        pytest.param(
            [{"type": "Feature", "properties": {"name": "No id"}, "geometry": SQUARE}],
            r"feature #1, field 'properties\.id': missing, or not lower-case",
            id="missing-id",
        ),
        pytest.param(
            [feature(SQUARE), feature(SQUARE)],
            r"feature 'one', field 'properties\.id': duplicate feature id \(feature #1 has it too\)",
            id="duplicate-id",
        ),
        pytest.param(
            [{"type": "Feature", "properties": {"id": "one"}, "geometry": SQUARE}],
            r"feature 'one', field 'properties\.name': missing",
            id="missing-name",
        ),
        pytest.param(
            [{"type": "Feature", "properties": ["id", "one"], "geometry": SQUARE}],
            r"feature #1, field 'properties': must be an object",
            id="properties-not-an-object",
        ),
        pytest.param(
            [feature(SQUARE, id="Kabul City")],
            r"feature 'Kabul City', field 'properties\.id': missing, or not lower-case letters, digits and hyphens",
            id="id-not-a-slug",
        ),
        pytest.param(
            [feature({"type": "Polygon", "coordinates": [[[70, 37], [71]]]})],
            r"feature 'one', field 'geometry': malformed",
            id="malformed-coordinates",
        ),
        pytest.param(
            ["a feature"],
            r"feature #1: not a GeoJSON Feature object",
            id="not-an-object",
        ),
    ],
)
def test_bad_feature_names_file_feature_field_and_reason(tmp_path, features, message):
    write_layer_dir(tmp_path, features)
    with pytest.raises(LayerError, match=r"sample\.geojson: " + message):
        load_layers(tmp_path)


def test_every_problem_of_a_layer_file_is_reported_at_once(tmp_path):
    line = {"type": "LineString", "coordinates": [[70, 37], [71, 38]]}
    bow_tie = {"type": "Polygon", "coordinates": [[[70, 37], [71, 38], [71, 37], [70, 38], [70, 37]]]}
    features = [
        feature(line),                                                           # wrong geometry type
        {"type": "Feature", "properties": {"id": "two"}, "geometry": bow_tie},   # no name, invalid geometry
        feature(SQUARE),                                                         # duplicate of 'one'
        {"type": "Feature", "properties": {"id": "Four", "name": "Four"}, "geometry": SQUARE},  # bad id
    ]
    write_layer_dir(tmp_path, features)
    with pytest.raises(LayerError) as error:
        load_layers(tmp_path)
    path = tmp_path / "sample.geojson"
    assert [(p.file, p.item, p.field) for p in error.value.problems] == [
        (path, "feature 'one'", "geometry"),
        (path, "feature 'two'", "properties.name"),
        (path, "feature 'two'", "geometry"),
        (path, "feature 'one'", "properties.id"),
        (path, "feature 'Four'", "properties.id"),
    ]
    assert str(error.value).startswith("5 problems in the layers:\n")


def test_problems_of_every_layer_file_are_reported_together(tmp_path):
    other = {**MANIFEST_ENTRY, "id": "other", "geometry": "Point"}
    (tmp_path / "manifest.json").write_text(json.dumps({"layers": [MANIFEST_ENTRY, other]}))
    (tmp_path / "sample.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature({"type": "Point", "coordinates": [70, 37]})]}))
    (tmp_path / "other.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature(SQUARE, name=7)]}))
    with pytest.raises(LayerError) as error:
        load_layers(tmp_path)
    assert problem_lines(error) == [
        f"{tmp_path / 'sample.geojson'}: feature 'one', field 'geometry': type 'Point', but the manifest says Polygon or MultiPolygon",
        f"{tmp_path / 'other.geojson'}: feature 'one', field 'properties.name': missing or not a non-empty string",
        f"{tmp_path / 'other.geojson'}: feature 'one', field 'geometry': type 'Polygon', but the manifest says Point or MultiPoint",
    ]


def test_multi_variant_of_the_manifest_kind_is_accepted(tmp_path):
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}
    write_layer_dir(tmp_path, [feature(multi)])
    assert load_layers(tmp_path)["sample"].frame.geometry.iloc[0].geom_type == "MultiPolygon"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"geometry": "Blob"}, r"field 'geometry': 'Blob' is not one of Point, LineString, Polygon"),
        ({"group": "misc"}, r"field 'group': 'misc' is not one of mission, context"),
        ({"visible": "yes"}, r"field 'visible': must be true or false"),
        ({"style": "red"}, r"field 'style': must be an object"),
        ({"license": None}, r"field 'license': missing required field"),
        ({"source": " "}, r"field 'source': must be a non-empty string"),
        ({"colour": "red"}, r"field 'colour': unknown field"),
    ],
)
def test_bad_manifest_entry_names_layer_and_field(tmp_path, change, message):
    entry = {**MANIFEST_ENTRY, **change}
    entry = {key: value for key, value in entry.items() if value is not None}
    write_layer_dir(tmp_path, [feature(SQUARE)], entry)
    with pytest.raises(LayerError, match=r"manifest\.json: layer 'sample', " + message):
        load_manifest(tmp_path)


def test_manifest_reports_every_problem_at_once(tmp_path):
    entries = [
        {**MANIFEST_ENTRY, "geometry": "Blob", "visible": "yes"},
        {**MANIFEST_ENTRY, "id": "other", "group": "misc"},
        "not a layer",
        {**MANIFEST_ENTRY},  # a second 'sample'
    ]
    (tmp_path / "manifest.json").write_text(json.dumps({"layers": entries}))
    with pytest.raises(LayerError) as error:
        load_manifest(tmp_path)
    path = tmp_path / "manifest.json"
    assert [(p.file, p.item, p.field) for p in error.value.problems] == [
        (path, "layer 'sample'", "geometry"),
        (path, "layer 'sample'", "visible"),
        (path, "layer 'other'", "group"),
        (path, "layer #3", None),
        (path, "layer 'sample'", "id"),
    ]
    assert "layer 'sample', field 'id': duplicate layer id" in str(error.value)


def test_manifest_without_a_layers_list_is_named(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"layer": []}))
    with pytest.raises(LayerError, match=r'manifest\.json: file: expected an object with exactly a non-empty "layers" list'):
        load_manifest(tmp_path)


def test_label_field_missing_from_a_feature_is_named(tmp_path):
    write_layer_dir(tmp_path, [feature(SQUARE)], {**MANIFEST_ENTRY, "label_field": "title"})
    with pytest.raises(LayerError, match=r"sample\.geojson: feature 'one', field 'properties\.title': missing: it is the manifest's label_field"):
        load_layers(tmp_path)


def test_layer_id_must_be_a_slug(tmp_path):
    write_layer_dir(tmp_path, [feature(SQUARE)], {**MANIFEST_ENTRY, "id": "Sample"})
    with pytest.raises(LayerError, match=r"layer 'Sample', field 'id': must be lower-case letters"):
        load_manifest(tmp_path)


def test_layer_error_is_still_a_value_error():
    """Callers that catch ValueError (the export command, the page) keep working."""
    assert issubclass(LayerError, ValueError)
