"""Snapshots for tests: a data directory's shipped events alone, read as the page reads them."""

from __future__ import annotations

from pathlib import Path

from geo.layers import LAYERS_DIR
from geo.snapshot import Snapshot, build_snapshot


def snapshot_of(layers_dir: Path = LAYERS_DIR) -> Snapshot:
    """The snapshot of ``layers_dir`` with no store: its events/*.json only, never written anywhere."""
    return build_snapshot(Path(layers_dir), None)
