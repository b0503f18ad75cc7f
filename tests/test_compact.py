"""geo.compact: the snapshot holds its events as compact columns, reads their text back for the
rows asked (Snapshot.details), and filters them to the same rows as the documented rules say.

Expectations come from the source files themselves (the article's events file, the synthetic
generator's GeoJSON, an import fixture), read here with json, never from geo.compact."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo import snapshot as snapshots
from geo.aliases import fold
from geo.bench import synthetic
from geo.events import PartialDate
from geo.filters import EventIndex, FilterState
from geo.importers import read_file
from geo.layers import LAYERS_DIR
from geo.store import open_store

IMPORTS = Path(__file__).parent / "fixtures" / "imports"
ARTICLE = LAYERS_DIR / "events" / "edm-v19-i92.json"
SYNTHETIC_COUNT = 600

pytestmark = pytest.mark.usefixtures("static_dir")

# How each column of the snapshot's events is held: no column holds a Python object per row.
HELD = {
    "id": "arrow", "place": "arrow",
    "document": "category", "status": "category", "date_precision": "category", "event_type": "category",
    "location_precision": "category", "country_id": "category", "country": "category", "province_id": "category",
    "province": "category", "nearest_post": "category", "dataset": "category", "actors": "category",
    "frontier_side": "category", "frontier_stretch": "category",
    "date_first": "datetime64[s]", "date_last": "datetime64[s]",
    "lon": "float64", "lat": "float64", "frontier_km": "float64", "frontier_along_km": "float64",
    "nearest_post_km": "float64", "fatalities": "float64",
    "in_gbao": "bool", "in_wakhan": "bool", "is_area": "bool",
}


def _held(dtype: object) -> str:
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if isinstance(dtype, pd.StringDtype):
        return "arrow" if dtype.storage == "pyarrow" else "python strings"
    return str(dtype)


@pytest.fixture(scope="module")
def article(tmp_path_factory: pytest.TempPathFactory) -> snapshots.Snapshot:
    with pytest.MonkeyPatch.context() as patch:  # an empty store of its own: the shipped events alone
        patch.setenv("PANJ_DATA_DIR", str(tmp_path_factory.mktemp("store")))
        return snapshots.read_snapshot(LAYERS_DIR)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[snapshots.Snapshot, list[dict]]:
    """A snapshot of synthetic events imported into a store, and the generator's own rows."""
    folder = tmp_path_factory.mktemp("synthetic")
    made = synthetic.joined_events(SYNTHETIC_COUNT, workdir=folder)
    written = json.loads((folder / f"synthetic-{SYNTHETIC_COUNT}.geojson").read_text(encoding="utf-8"))
    return made.snapshot, [feature["properties"] for feature in written["features"]]


@pytest.mark.parametrize("which", ["article", "generated"])
def test_the_events_are_columns_without_a_python_object_per_row(which: str, request: pytest.FixtureRequest) -> None:
    snapshot = request.getfixturevalue(which)
    snapshot = snapshot[0] if isinstance(snapshot, tuple) else snapshot
    events = snapshot.events
    assert {column: _held(dtype) for column, dtype in events.dtypes.items()} == HELD
    assert not any(pd.api.types.is_object_dtype(dtype) for dtype in events.dtypes)
    # A categorical holds each term or set of actors once, however many rows name it.
    assert len(events["actors"].cat.categories) < 200
    assert isinstance(events.index, pd.RangeIndex)


def test_a_datasets_point_places_are_not_kept_as_geometries(generated) -> None:
    snapshot, _ = generated
    for layer in snapshot.places.values():
        assert set(layer.frame.geometry.geom_type) <= {"Polygon", "MultiPolygon", "LineString", "MultiLineString",
                                                      "MultiPoint"}


def test_details_give_the_article_text_of_the_rows_asked(article) -> None:
    entries = {entry["id"]: entry for entry in json.loads(ARTICLE.read_text(encoding="utf-8"))["events"]}
    positions = [7, 2, 19]
    details = article.details(positions)
    assert list(details.index) == positions
    ids = [article.events["id"].iloc[position] for position in positions]
    assert list(details["id"]) == ids
    assert list(details["title"]) == [entries[event_id]["title"] for event_id in ids]
    assert list(details["summary"]) == [entries[event_id]["summary"] for event_id in ids]
    assert [list(actors) for actors in details["actors"]] == [entries[event_id]["actors"] for event_id in ids]
    assert [len(citations) for citations in details["citations"]] == [len(entries[event_id]["citations"])
                                                                        for event_id in ids]


def test_details_read_an_imported_datasets_text_from_the_store(tmp_path) -> None:
    fixture = json.loads((IMPORTS / "events.geojson").read_text(encoding="utf-8"))
    expected = {feature.get("id") or feature["properties"]["id"]: feature["properties"]
                for feature in fixture["features"]}
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}") as store:
        reading = read_file(IMPORTS / "events.geojson", dataset_name="Field notes", existing=store.existing())
        store.import_dataset("Field notes", reading, source_file="events.geojson", licence="", by="tests")
        snapshot = snapshots.build_snapshot(LAYERS_DIR, store)
    rows = snapshot.events[snapshot.events["dataset"] == "Field notes"]
    details = snapshot.details(rows, geometry=True)
    assert list(details.index) == list(rows.index)
    assert {row["id"]: (row["title"], row["summary"]) for _, row in details.iterrows()} == {
        event_id: (properties["title"], properties["summary"]) for event_id, properties in expected.items()}
    named = {row["id"]: row["place_name"] for _, row in details.iterrows()}
    assert named["ishkashim-market"] == expected["ishkashim-market"]["place_name"]
    assert details.geometry.notna().all()


def test_details_of_generated_rows_name_their_place_and_dates(generated) -> None:
    snapshot, written = generated
    by_id = {properties["id"]: properties for properties in written}
    rows = snapshot.events[snapshot.events["dataset"] == synthetic.DATASET_NAME].iloc[::50]
    details = snapshot.details(rows)
    for _, row in details.iterrows():
        source = by_id[row["id"]]
        assert row["title"] == source["title"] and row["summary"] == source["summary"]
        assert row["status"] == source["status"] and row["event_type"] == source["event_type"]
        # A point place's name is the file's own; an area's is its layer feature's (Panj's format names it).
        assert row["place_name"] == source.get("place_name", row["place_name"])
        anchor = PartialDate.parse(source.get("start") or source["reported"])
        assert row["date_first"] == anchor.first_day


# --- the filters, against the documented rules applied to the source rows ----------------------

def _days(source: dict) -> tuple[dt.date, dt.date]:
    """The days an event's dates allow (docs/ARCHITECTURE.md, "Joined events"), from its file entry."""
    anchor = PartialDate.parse(source.get("start") or source["reported"])
    if source["status"] == "ongoing" and source.get("as_of"):
        return anchor.first_day, PartialDate.parse(source["as_of"]).last_day
    return anchor.first_day, PartialDate.parse(source["end"]).last_day if source.get("end") else anchor.last_day


def _passes(source: dict, state: FilterState) -> bool:
    first, last = _days(source)
    words = fold(state.text).split()
    text = fold(f"{source['title']}\n{source['summary']}")
    return ((state.date_from is None or last >= state.date_from) and (state.date_to is None or first <= state.date_to)
            and (state.actors is None or bool(set(source["actors"]) & state.actors))
            and (state.event_types is None or source["event_type"] in state.event_types)
            and (state.statuses is None or source["status"] in state.statuses)
            and all(word in text for word in words))


STATES = [
    FilterState(),
    FilterState(date_from=dt.date(2022, 5, 20), date_to=dt.date(2022, 6, 10)),
    FilterState(date_from=dt.date(2019, 1, 1)),
    FilterState(actors=frozenset({"taliban"})),
    FilterState(actors=frozenset({"russia", "tajik-government"})),
    FilterState(event_types=frozenset({"diplomacy", "offensive"})),
    FilterState(statuses=frozenset({"ongoing", "planned"})),
    FilterState(actors=frozenset({"taliban"}), statuses=frozenset({"occurred"}), date_to=dt.date(2021, 12, 31)),
    FilterState(text="troops"),
    FilterState(text="Synthetic EVENT"),
]


@pytest.mark.parametrize("state", STATES, ids=[str(number) for number in range(len(STATES))])
def test_the_article_filters_to_the_rows_the_rules_give(article, state: FilterState) -> None:
    entries = {entry["id"]: entry for entry in json.loads(ARTICLE.read_text(encoding="utf-8"))["events"]}
    shown = set(article.events["id"][article.index.mask(state)])
    assert shown == {event_id for event_id, entry in entries.items() if _passes(entry, state)}


@pytest.mark.parametrize("state", STATES, ids=[str(number) for number in range(len(STATES))])
def test_generated_events_filter_to_the_rows_the_rules_give(generated, state: FilterState) -> None:
    snapshot, written = generated
    within = snapshot.index.naming("dataset", [synthetic.DATASET_NAME])
    shown = set(snapshot.events["id"][snapshot.index.mask(state, within=within)])
    assert shown == {source["id"] for source in written if _passes(source, state)}


@pytest.mark.parametrize("regions", [{"gbao"}, {"wakhan"}, {"country:afghanistan"}, {"province:badakhshan"},
                                     {"gbao", "country:afghanistan"}])
def test_regions_pick_the_rows_the_joined_events_place_there(generated, regions: set[str]) -> None:
    # The joined events as every reader had them before (one Python object per field): the same rows.
    snapshot, _ = generated
    joined = snapshot.details(snapshot.events)
    state = FilterState(regions=frozenset(regions))
    assert np.array_equal(snapshot.index.mask(state), EventIndex(joined).mask(state))


def test_counts_per_actor_count_every_event_naming_it(generated) -> None:
    snapshot, written = generated
    within = snapshot.index.naming("dataset", [synthetic.DATASET_NAME])
    expected: dict[str, int] = {}
    for source in written:
        for actor in source["actors"]:
            expected[actor] = expected.get(actor, 0) + 1
    prefix = next(dataset.id for dataset in snapshot.datasets if dataset.name == synthetic.DATASET_NAME)
    counted = snapshot.index.counts("actors", within)
    assert {actor.removeprefix(f"{prefix}-"): count for actor, count in counted.items()} == expected


def test_an_event_is_found_by_its_id_and_an_unknown_id_is_not(generated) -> None:
    snapshot, written = generated
    for position in (0, 17, len(snapshot.events) - 1):
        assert snapshot.index.position(snapshot.events["id"].iloc[position]) == position
    assert snapshot.index.position("no-such-event") is None
    assert written[3]["id"] in snapshot.known.events and "no-such-event" not in snapshot.known.events
