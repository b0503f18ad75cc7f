"""geo.compactread: the snapshot's events read as columns are the events of the definition,
geo.compact.compact_events of geo.store.joined_events, row for row and column for column, and with
the same symbol points, places and actors: on the article's events alone, and with a store (SQLite
and PostGIS) holding synthetic events of every location precision, ACLED rows (fatalities, weeks),
UCDP rows (spans, their date precision), a Panj-format article and GeoJSON field notes. A row the
layers or the vocabulary now refuse is refused with the problems Store.events lists."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_store import IMPORTS, copy_of_layers

from geo import compact, placement
from geo.bench import synthetic
from geo.compactread import CompactRead, read_compact
from geo.frontier import Frontier, load_stretches
from geo.importers import read_file
from geo.layers import LAYERS_DIR, load_layers
from geo.store import Store, StoredDataError, joined_events

SYNTHETIC_COUNT = 400
# Fixtures of tests/fixtures/imports and the dataset each becomes.
IMPORTED = (
    ("acled.csv", "ACLED 2022"),  # time_precision 2: a week
    ("acled-fatalities.csv", "ACLED fatalities"),
    ("ucdp-ged.csv", "UCDP GED"),  # date_prec 2 and 3: spans of days
    ("second-article.json", "Second article"),
    ("events.geojson", "Field notes"),
)


def _read(store: Store | None, layers_dir: Path = LAYERS_DIR) -> CompactRead:
    layers = load_layers(layers_dir)
    stretches = tuple(load_stretches(Frontier(layers["frontier"].frame.geometry.union_all()), layers_dir))
    return read_compact(store, layers_dir, layers, stretches)


def _assert_as_defined(store: Store | None) -> CompactRead:
    """The fast read of ``store`` against the definition, and the definition's own rows returned."""
    read = _read(store)
    joined, stored = joined_events(store, LAYERS_DIR)
    joined = joined.reset_index(drop=True)
    pd.testing.assert_frame_equal(read.events, compact.compact_events(joined), check_exact=True)
    box = placement.frontier_box(load_layers())
    for fast, defined in zip(read.symbol_points(box), placement.symbol_points(joined, box), strict=True):
        np.testing.assert_array_equal(fast, defined)
    assert Counter(read.actor_lists()) == Counter(event.actors for event in stored.events)
    assert read.own_actors == stored.actors and read.documents == stored.documents
    assert (read.revision, read.datasets) == (stored.revision, stored.datasets)
    assert read.shipped_events == {event.id: event for event in stored.events
                                   if stored.datasets[[d.name for d in stored.datasets].index(
                                       stored.dataset_of[event.id])].shipped}
    assert sorted(read.own_places) == sorted(stored.places)
    for layer_id, layer in read.own_places.items():
        kept = compact.without_points({layer_id: stored.places[layer_id]})[layer_id]
        assert (layer.spec, layer.features) == (kept.spec, kept.features)
    # The areas and lines whose distances mean something (not a whole country's), each once.
    extended = joined[~joined.geometry.geom_type.isin(["Point", "MultiPoint"])
                      & (joined["location_precision"] != "country")].drop_duplicates("place")
    assert list(read.extended_places()) == extended["place"].tolist()
    return read


def _fill(store: Store, workdir: Path) -> None:
    path = workdir / "synthetic.geojson"
    synthetic.write_events_file(path, SYNTHETIC_COUNT)
    for source, name in ((path, synthetic.DATASET_NAME), *((IMPORTS / fixture, name) for fixture, name in IMPORTED)):
        reading = read_file(source, dataset_name=name, existing=store.existing())
        store.import_dataset(name, reading, source_file=Path(source).name, licence="", by="tests")


def test_the_articles_events_alone_read_as_the_definition_gives_them() -> None:
    read = _assert_as_defined(None)
    article = json.loads((LAYERS_DIR / "events" / "edm-v19-i92.json").read_text(encoding="utf-8"))
    assert sorted(read.events["id"]) == sorted(event["id"] for event in article["events"])


def test_a_store_of_every_kind_of_row_reads_as_the_definition_gives_it(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    read = _assert_as_defined(store)
    events = read.events
    # The rows the comparison covered hold what the brief asks of them (facts of the fixtures).
    assert set(events["location_precision"]) >= {"exact", "district", "province", "country"}
    assert (events["date_last"] > events["date_first"]).any()  # spans
    assert events["fatalities"].notna().any() and events["fatalities"].isna().any()
    assert {"week", "days"} <= set(events["date_precision"])
    article = json.loads((LAYERS_DIR / "events" / "edm-v19-i92.json").read_text(encoding="utf-8"))["events"]
    assert len(events) == sum(dataset.row_count for dataset in store.datasets()) + len(article)
    assert (events["dataset"] == synthetic.DATASET_NAME).sum() == SYNTHETIC_COUNT


def test_a_row_the_vocabulary_now_refuses_is_refused_as_store_events_refuses_it(store: Store, tmp_path: Path) -> None:
    reading = read_file(IMPORTS / "second-article.json", dataset_name="Second article", existing=store.existing())
    store.import_dataset("Second article", reading, source_file="second-article.json", licence="", by="tests")
    layers_dir = copy_of_layers(tmp_path)
    vocabulary = json.loads((layers_dir / "vocabularies.json").read_text(encoding="utf-8"))
    vocabulary["actors"] = [actor for actor in vocabulary["actors"] if actor["id"] != "china"]
    (layers_dir / "vocabularies.json").write_text(json.dumps(vocabulary), encoding="utf-8")
    for event_file in (layers_dir / "events").glob("*.json"):  # the shipped files name it too
        event_file.unlink()
    with pytest.raises(StoredDataError) as defined:
        store.events(layers_dir=layers_dir, shipped=False)
    with pytest.raises(StoredDataError) as fast:
        _read(store, layers_dir)
    assert "unknown actor 'china'" in str(defined.value)
    assert [str(problem) for problem in fast.value.problems] == [str(problem) for problem in defined.value.problems]
