"""Data for tests as the product reads it: a data directory's snapshot, and its events joined."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd

from geo.aliases import load_aliases
from geo.events import load_events, load_vocabulary
from geo.join import join_events
from geo.layers import LAYERS_DIR, feature_refs, load_layers
from geo.snapshot import Snapshot, build_snapshot


def snapshot_of(layers_dir: Path = LAYERS_DIR) -> Snapshot:
    """The snapshot of ``layers_dir`` with no store: its events/*.json only, never written anywhere."""
    return build_snapshot(Path(layers_dir), None)


POPUPS_TIMEOUT_S = 120.0  # the popup text of a test's few events is written in milliseconds


def with_popups(snapshot: Snapshot) -> Snapshot:
    """The snapshot with its folder published and its popup text written (in the background)."""
    snapshot.map_data()
    assert snapshot.popups_written(POPUPS_TIMEOUT_S), "the popup text was not written"
    return snapshot


@lru_cache(maxsize=8)
def _joined(layers_dir: str) -> gpd.GeoDataFrame:
    layers = load_layers(Path(layers_dir))
    events = load_events(Path(layers_dir), vocabulary=load_vocabulary(Path(layers_dir)), place_refs=feature_refs(layers))
    return join_events(events, layers, load_aliases(feature_refs(layers), Path(layers_dir)))


def load_joined_events(layers_dir: Path = LAYERS_DIR) -> gpd.GeoDataFrame:
    """Every event of ``layers_dir``'s events files joined to its layers (``geo.join``), kept for the
    test session: do not mutate."""
    return _joined(str(Path(layers_dir).resolve()))
