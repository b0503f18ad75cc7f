"""What a snapshot holds per event, as facts (docs/performance.md, "Resident memory at a million
events"): its symbols' points only for the events drawn away from their own coordinates (no second
copy of every event's lon/lat), the same points as geo.placement.symbol_points gives the definition's
joined events; the title order 4 bytes an event."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from geo import placement
from geo.bench import synthetic
from geo.importers import read_file
from geo.layers import LAYERS_DIR, load_layers
from geo.placement import SymbolPoints
from geo.snapshot import build_snapshot
from geo.store import joined_events, open_store

pytestmark = pytest.mark.skipif(not (LAYERS_DIR / "manifest.json").exists(), reason="the derived layers are not built yet")

SYNTHETIC_COUNT = 500

OWN_LONS = np.array([70.0, 71.0, 72.0, 73.0])
OWN_LATS = np.array([37.0, 37.1, 37.2, 37.3])
# Events 1 and 3 are drawn elsewhere: at (61, 31) and (63, 33).
MOVED = SymbolPoints(rows=np.array([1, 3], dtype=np.int32), lon=np.array([61.0, 63.0]), lat=np.array([31.0, 33.0]))


@pytest.mark.parametrize(("rows", "lons", "lats"), [
    ([0, 1, 2, 3], [70.0, 61.0, 72.0, 63.0], [37.0, 31.0, 37.2, 33.0]),
    ([3, 0, 1], [63.0, 70.0, 61.0], [33.0, 37.0, 31.0]),
    ([2, 2], [72.0, 72.0], [37.2, 37.2]),
    ([], [], []),
])
def test_a_symbol_is_its_events_own_point_unless_held_apart(rows, lons, lats) -> None:
    found = MOVED.at(OWN_LONS, OWN_LATS, np.array(rows, dtype=np.int64))
    assert [list(found[0]), list(found[1])] == [lons, lats]


def test_only_the_events_drawn_elsewhere_are_held() -> None:
    symbols = SymbolPoints.of(OWN_LONS, OWN_LATS, np.array([70.0, 61.0, 72.0, 73.0]), np.array([37.0, 31.0, 37.2, 33.0]))
    assert symbols.rows.tolist() == [1, 3] and symbols.rows.dtype.name == "int32"
    assert (symbols.lon.tolist(), symbols.lat.tolist()) == ([61.0, 73.0], [31.0, 33.0])


def test_a_store_snapshot_holds_its_symbols_for_area_events_only(tmp_path: Path) -> None:
    path = tmp_path / "synthetic.geojson"
    synthetic.write_events_file(path, SYNTHETIC_COUNT)
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}") as store:
        reading = read_file(path, dataset_name=synthetic.DATASET_NAME, existing=store.existing())
        store.import_dataset(synthetic.DATASET_NAME, reading, source_file=path.name, licence="", by="tests")
        snapshot = build_snapshot(LAYERS_DIR, store)
        joined, _ = joined_events(store, LAYERS_DIR)
    events = snapshot.events
    areas = np.flatnonzero(events["is_area"].to_numpy(dtype=bool))
    symbols = snapshot.symbols
    assert symbols.rows.dtype.name == "int32" and symbols.lon.dtype.name == symbols.lat.dtype.name == "float64"
    assert set(symbols.rows.tolist()) <= set(areas.tolist()) and np.all(np.diff(symbols.rows) > 0)
    assert 0 < len(symbols.rows) < len(events) / 4  # the synthetic events: about a tenth on areas
    assert symbols.rows.nbytes + symbols.lon.nbytes + symbols.lat.nbytes == 20 * len(symbols.rows)
    # The points are the definition's, for every row and for a few.
    defined = placement.symbol_points(joined.reset_index(drop=True), placement.frontier_box(load_layers()))
    for held, expected in zip(snapshot.symbol_points(), defined, strict=True):
        np.testing.assert_array_equal(held, expected)
    some = events.iloc[[*areas[:5], 0, len(events) - 1]]
    for held, expected in zip(snapshot.symbol_points_of(some), defined, strict=True):
        np.testing.assert_array_equal(held, expected[some.index.to_numpy()])
    assert snapshot.title_order.rows.dtype.name == "int32" and len(snapshot.title_order.rows) == len(events)
