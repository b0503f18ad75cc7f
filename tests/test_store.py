"""geo.store: datasets kept in SQLite and in a real PostgreSQL with PostGIS (a throwaway cluster,
tests/pgcluster.py), the same tests on both: what is stored comes back as the model's events,
joinable like the article's; a change is one transaction that bumps the revision and is logged;
a reader never sees part of a change; deleted datasets wait in the trash; shipped datasets are
marked as such; a version 1 store is migrated."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import new_database

from geo.events import load_events, load_vocabulary
from geo.filters import FilterState, KnownIds, ViewState, from_query_params, to_query_params
from geo.importers import read_file
from geo.join import join_events
from geo.layers import ID_PATTERN, LAYERS_DIR, feature_refs, load_layers
from geo.store import (
    SCHEMA_VERSION,
    SHIPPED_LICENCE,
    TRASH_DAYS,
    Store,
    StoredDataError,
    StoreError,
    default_url,
    joined_events,
    load_shipped,
    open_store,
)

IMPORTS = Path(__file__).parent / "fixtures" / "imports"
ARTICLE = "edm-v19-i92"  # layers/events/edm-v19-i92.json
ARTICLE_EVENT_COUNT = len(json.loads((LAYERS_DIR / "events" / f"{ARTICLE}.json").read_text(encoding="utf-8"))["events"])
PG_FAILING_TRIGGER = """
CREATE FUNCTION panj_fail_midway() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.dataset_id = 'second' AND NEW.row_number = 4 THEN RAISE EXCEPTION 'injected failure'; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER panj_fail_midway BEFORE INSERT ON panj_events FOR EACH ROW EXECUTE FUNCTION panj_fail_midway();
"""
SQLITE_FAILING_TRIGGER = """
CREATE TRIGGER panj_fail_midway BEFORE INSERT ON panj_events
WHEN NEW.dataset_id = 'second' AND NEW.row_number = 4 BEGIN SELECT RAISE(ABORT, 'injected failure'); END
"""
# Schema version 1 as Panj wrote it before shipped datasets were marked (kept here, not imported:
# the migration must read stores written by that code, whatever geo.store becomes).
V1_SCHEMA = (
    "CREATE TABLE panj_schema (version INTEGER NOT NULL)",
    "CREATE TABLE panj_datasets (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, format TEXT NOT NULL, "
    "source_file TEXT NOT NULL, source_sha256 TEXT NOT NULL, imported_at TEXT NOT NULL, "
    "row_count INTEGER NOT NULL, licence TEXT NOT NULL, document TEXT NOT NULL)",
    "CREATE TABLE panj_actors (dataset_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, "
    "colour TEXT NOT NULL, symbol TEXT NOT NULL, PRIMARY KEY (dataset_id, id))",
    "CREATE TABLE panj_places (dataset_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, "
    "geometry {geometry} NOT NULL, PRIMARY KEY (dataset_id, id))",
    "CREATE TABLE panj_events (id TEXT PRIMARY KEY, dataset_id TEXT NOT NULL, row_number INTEGER NOT NULL, "
    "entry TEXT NOT NULL, properties TEXT NOT NULL)",
    "CREATE INDEX panj_events_dataset ON panj_events (dataset_id, row_number)",
    "INSERT INTO panj_schema (version) VALUES (1)",
)
V1_DATASET = ("INSERT INTO panj_datasets (id, name, format, source_file, source_sha256, imported_at, row_count, "
              "licence, document) VALUES ({})")
V1_LICENCE = "As the shipped data of Panj: see docs/DATA.md"  # how version 1 told a shipped dataset


@pytest.fixture
def postgis_store_url(postgis_url: str) -> Iterator[str]:
    with new_database(postgis_url) as url:
        yield url


def raw_sql(url: str, *statements: str, parameters: tuple = ()) -> list[tuple]:
    """Run statements on the store's database outside geo.store; the last one's rows."""
    rows: list[tuple] = []
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            for statement in statements:
                rows = connection.execute(statement, parameters).fetchall()
        return rows
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        for statement in statements:
            cursor = connection.execute(statement.replace("?", "%s"), parameters)
            rows = cursor.fetchall() if cursor.description else []
    return rows


def imported(store: Store, fixture: str | Path, name: str, layers_dir: Path = LAYERS_DIR):
    return read_file(IMPORTS / fixture, dataset_name=name, existing=store.existing(), layers_dir=layers_dir)


def add(store: Store, fixture: str | Path, name: str, licence: str = "", layers_dir: Path = LAYERS_DIR):
    return store.import_dataset(name, imported(store, fixture, name, layers_dir), source_file=Path(fixture).name,
                                licence=licence, by="test")


def snapshot(store: Store) -> tuple:
    stored = store.events()
    return ([(d.name, d.row_count) for d in store.datasets()], [e.id for e in stored.events],
            sorted(stored.places), sorted(stored.actors), store.revision())


def copy_of_layers(tmp_path: Path, name: str = "layers") -> Path:
    target = tmp_path / name
    shutil.copytree(LAYERS_DIR, target)
    return target


# --- datasets ------------------------------------------------------------------------------------

def test_a_dataset_comes_back_as_the_models_events(store: Store) -> None:
    reading = imported(store, "acled.csv", "ACLED Tajikistan 2022")
    dataset = store.import_dataset("ACLED Tajikistan 2022", reading, source_file="acled.csv",
                                   licence="ACLED terms of use", by="test")
    assert (dataset.name, dataset.source_file, dataset.row_count, dataset.licence, dataset.shipped) == (
        "ACLED Tajikistan 2022", "acled.csv", 4, "ACLED terms of use", False)
    assert dataset.imported_at.tzinfo is not None
    assert store.datasets() == [dataset]

    stored = store.events()
    # The dataset's own actors (acled.csv's names no mapping pattern matches) take the dataset's id first.
    actors = {event.id: event.actors for event in stored.events}
    assert actors["afg202"] == ("taliban", "acled-tajikistan-2022-civilians-afghanistan",
                                "acled-tajikistan-2022-women-afghanistan", "acled-tajikistan-2022-teachers-afghanistan")
    assert actors["tjk102"] == ("acled-tajikistan-2022-protesters-tajikistan",)
    assert [event.title for event in stored.events] == [event.event.title for event in reading.events]
    assert stored.actors["acled-tajikistan-2022-women-afghanistan"].name == "Women (Afghanistan)"
    assert stored.properties["tjk101"]["fatalities"] == 8
    assert set(stored.dataset_of.values()) == {"ACLED Tajikistan 2022"}
    assert stored.documents["acled-tajikistan-2022"].title == "ACLED Tajikistan 2022"
    assert (stored.revision, stored.datasets) == (1, [dataset])
    places = stored.places["imported-acled-tajikistan-2022"].frame
    assert places.loc["khorugh"].geometry.equals(reading.places["khorugh"].geometry)  # WKB round trip

    layers = load_layers()
    joined = join_events(stored.events, {**layers, **stored.places}).set_index("id")
    assert joined.loc["tjk102", "in_gbao"] and joined.loc["tjk102", "country_id"] == "tajikistan"
    assert joined.loc["afg201", "province_id"] == "badakhshan"  # geo_precision 3: the province itself
    assert joined.loc["afg201"].geometry.geom_type in ("Polygon", "MultiPolygon")


def test_datasets_are_chosen_renamed_and_deleted(store: Store) -> None:
    add(store, "acled.csv", "ACLED")
    add(store, "events.geojson", "Field notes", licence="CC BY 4.0")
    assert [event.id for event in store.events(["Field notes"]).events] == [
        "ishkashim-market", "shugnan-patrols", "khorugh-statement"]
    store.rename("ACLED", "ACLED 2022", by="test")
    assert [d.name for d in store.datasets()] == ["ACLED 2022", "Field notes"]
    assert store.events(["ACLED 2022"]).documents["acled"].title == "ACLED 2022"  # the id stays
    with pytest.raises(StoreError, match="exists already"):
        store.rename("ACLED 2022", "Field notes", by="test")
    with pytest.raises(StoreError, match="no dataset called 'Nothing'"):
        store.delete("Nothing", by="test")
    store.delete("ACLED 2022", by="test")
    assert [d.name for d in store.datasets()] == ["Field notes"]
    assert "imported-acled" not in store.events().places
    with pytest.raises(StoreError, match="no dataset called 'ACLED 2022'"):
        store.events(["ACLED 2022"])


def test_a_failed_import_leaves_the_store_as_it_was(store_url: str) -> None:
    with open_store(store_url) as store:
        add(store, "acled-2017.csv", "first")
        before = snapshot(store)
    # A real failure inside the database, at the third event of four.
    raw_sql(store_url, SQLITE_FAILING_TRIGGER if store_url.startswith("sqlite") else PG_FAILING_TRIGGER)
    with open_store(store_url) as store:
        reading = imported(store, "acled.csv", "second")
        with pytest.raises(StoreError, match="injected failure"):
            store.import_dataset("second", reading, source_file="acled.csv", licence="", by="test")
        assert snapshot(store) == before
        assert store.existing().event_ids.keys() == {"afg7", "afg8"}
        assert [change.kind for change in store.log()] == ["import"]


# --- revisions and readers -----------------------------------------------------------------------

def test_every_change_bumps_the_revision_once(store: Store, tmp_path: Path) -> None:
    layers_dir = copy_of_layers(tmp_path)
    steps = [  # (what, the revision after it)
        ("new store", lambda: None, 0),
        ("import", lambda: add(store, "acled.csv", "ACLED"), 1),
        ("rename", lambda: store.rename("ACLED", "ACLED 2022", by="test"), 2),
        ("delete", lambda: store.delete("ACLED 2022", by="test"), 3),
        ("restore", lambda: store.restore("ACLED 2022", by="test"), 4),
        ("shipped load", lambda: load_shipped(store, layers_dir), 5),
        ("shipped load, files unchanged", lambda: load_shipped(store, layers_dir), 5),
        ("reads", lambda: (store.datasets(), store.events(), store.existing(), store.trash(), store.log()), 5),
    ]
    for what, step, revision in steps:
        step()
        assert store.revision() == revision, what
    with pytest.raises(StoreError):
        store.rename("ACLED 2022", ARTICLE, by="test")  # refused: nothing changed
    assert store.revision() == 5


class SlowEvents(list):
    """An import's events that stop halfway through being inserted, until the test lets them go on."""

    def __init__(self, events: list, halfway: threading.Event, go_on: threading.Event):
        super().__init__(events)
        self.halfway, self.go_on = halfway, go_on

    def __iter__(self):
        items = list.__iter__(self)
        yield next(items)
        self.halfway.set()
        assert self.go_on.wait(timeout=600), "the reader never let the import go on"
        yield from items


def writer_holds_the_lock(url: str) -> bool:
    """True when another connection holds the store's write lock (an open change)."""
    if url.startswith("sqlite"):
        probe = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            return "locked" in str(error)
        finally:
            probe.close()
        return False
    import psycopg

    with psycopg.connect(url) as connection:
        try:
            connection.execute("SELECT revision FROM panj_revision FOR UPDATE NOWAIT")
        except psycopg.errors.LockNotAvailable:
            return True
    return False


def test_a_reader_never_sees_part_of_an_import(store_url: str) -> None:
    shared = open_store(store_url)  # one handle for both threads, as the page keeps one per process
    add(shared, "events.geojson", "Field notes")
    before = snapshot(shared)
    reading = imported(shared, "acled.csv", "ACLED")
    halfway, go_on = threading.Event(), threading.Event()
    reading.events = SlowEvents(reading.events, halfway, go_on)
    failures: list[BaseException] = []

    def import_slowly() -> None:
        try:
            shared.import_dataset("ACLED", reading, source_file="acled.csv", licence="", by="test")
        except BaseException as error:  # handed to the test's thread
            failures.append(error)
            halfway.set()

    writer = threading.Thread(target=import_slowly)
    writer.start()
    try:
        assert halfway.wait(timeout=60) and not failures, failures
        assert writer_holds_the_lock(store_url)  # the import is open, one event of four inserted
        for _ in range(5):
            assert snapshot(shared) == before
            joined, stored = joined_events(shared, LAYERS_DIR)
            assert "ACLED" not in set(joined["dataset"]) and stored.revision == before[-1]
    finally:
        go_on.set()
        writer.join(timeout=60)
    assert not failures, failures
    datasets, event_ids, *_ = snapshot(shared)
    assert datasets == [("ACLED", 4), ("Field notes", 3)]
    assert {"tjk101", "tjk102", "afg201", "afg202"} <= set(event_ids)
    assert shared.revision() == before[-1] + 1


def test_a_lost_postgresql_connection_fails_one_change_only(postgis_store_url: str) -> None:
    store = open_store(postgis_store_url)
    add(store, "events.geojson", "Field notes")
    before = snapshot(store)
    reading = imported(store, "acled.csv", "ACLED")
    halfway, go_on = threading.Event(), threading.Event()
    reading.events = SlowEvents(reading.events, halfway, go_on)
    failures: list[BaseException] = []

    def import_slowly() -> None:
        try:
            store.import_dataset("ACLED", reading, source_file="acled.csv", licence="", by="test")
        except BaseException as error:  # handed to the test's thread
            failures.append(error)
            halfway.set()

    writer = threading.Thread(target=import_slowly)
    writer.start()
    try:
        assert halfway.wait(timeout=60) and not failures, failures
        # The server drops the import's connection (a restart, a network cut would do the same).
        assert raw_sql(postgis_store_url, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                          "WHERE datname = current_database() AND pid <> pg_backend_pid()") == [(1,)]
    finally:
        go_on.set()
        writer.join(timeout=60)
    [failure] = failures
    assert isinstance(failure, StoreError) and "refused the change, which was rolled back" in str(failure)
    assert snapshot(store) == before  # the next operations open a connection of their own
    add(store, "acled.csv", "ACLED")
    assert [d.name for d in store.datasets()] == ["ACLED", "Field notes"]


# --- shipped datasets ----------------------------------------------------------------------------

def test_the_shipped_events_are_a_dataset(store: Store, tmp_path: Path) -> None:
    layers_dir = copy_of_layers(tmp_path)
    [shipped] = load_shipped(store, layers_dir)
    assert (shipped.name, shipped.format, shipped.source_file, shipped.shipped) == (
        ARTICLE, "panj", f"events/{ARTICLE}.json", True)
    article = load_events(layers_dir, vocabulary=load_vocabulary(layers_dir), place_refs=feature_refs(load_layers(layers_dir)))
    assert store.events().events == article
    assert load_shipped(store, layers_dir) == []  # unchanged: left alone
    path = layers_dir / "events" / f"{ARTICLE}.json"
    path.write_text(path.read_text(encoding="utf-8").replace("Taliban take power", "The Taliban take power"), encoding="utf-8")
    [replaced] = load_shipped(store, layers_dir, by="start-up")
    assert replaced.source_sha256 != shipped.source_sha256
    assert store.events().events[0].title == "The Taliban take power in Afghanistan"
    assert [(change.kind, change.dataset, change.by) for change in store.log()] == [
        ("update", ARTICLE, "start-up"), ("import", ARTICLE, "start-up")]
    for change in (lambda: store.rename(ARTICLE, "Mine", by="test"), lambda: store.delete(ARTICLE, by="test")):
        with pytest.raises(StoreError, match="shipped with a data directory"):
            change()


def test_each_data_directory_keeps_its_own_shipped_datasets(store: Store, tmp_path: Path) -> None:
    article = copy_of_layers(tmp_path, "article")
    other = copy_of_layers(tmp_path, "second")
    (other / "events" / f"{ARTICLE}.json").unlink()
    shutil.copy(IMPORTS / "second-article.json", other / "events" / "second-article.json")
    load_shipped(store, article)
    add(store, "acled.csv", "Own")
    load_shipped(store, other)  # another directory's load leaves the article's dataset
    assert sorted(d.name for d in store.datasets()) == ["Own", "edm-v19-i92", "second-article"]
    (article / "events" / f"{ARTICLE}.json").unlink()
    load_shipped(store, article)  # the article's file is gone: only its dataset goes
    assert sorted(d.name for d in store.datasets()) == ["Own", "second-article"]


def test_a_users_dataset_is_never_taken_for_a_shipped_one(store: Store, tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    layers_dir = copy_of_layers(tmp_path)
    (layers_dir / "events" / f"{ARTICLE}.json").rename(layers_dir / "events" / "second-article.json")
    # Named like a shipped file, and licensed with the text shipped datasets are listed with.
    add(store, "second-article.json", "second-article", licence=SHIPPED_LICENCE)
    before = store.datasets()
    assert not before[0].shipped
    with caplog.at_level(logging.WARNING, logger="geo.store"):
        assert load_shipped(store, layers_dir) == []
    assert store.datasets() == before
    assert any("second-article" in record.getMessage() and record.levelname == "WARNING" for record in caplog.records)
    (layers_dir / "events" / "second-article.json").unlink()  # no shipped file left: still kept
    load_shipped(store, layers_dir)
    assert store.datasets() == before


# --- joined_events: the page's and the read commands' one read ------------------------------------

def test_joined_events_reads_the_shipped_files_without_a_store(tmp_path: Path) -> None:
    layers_dir = copy_of_layers(tmp_path)
    path = layers_dir / "events" / f"{ARTICLE}.json"
    frame, stored = joined_events(None, layers_dir)
    assert len(frame) == ARTICLE_EVENT_COUNT and set(frame["dataset"]) == {ARTICLE}
    [dataset] = stored.datasets
    assert (dataset.name, dataset.shipped, dataset.row_count, dataset.source_sha256, stored.revision) == (
        ARTICLE, True, ARTICLE_EVENT_COUNT, hashlib.sha256(path.read_bytes()).hexdigest(), 0)
    assert dataset.imported_at == dt.datetime.fromtimestamp(int(path.stat().st_mtime), dt.UTC)


def test_joined_events_adds_the_stores_imports_and_writes_nothing(store: Store, tmp_path: Path) -> None:
    layers_dir = copy_of_layers(tmp_path)
    load_shipped(store, layers_dir)
    add(store, "events.geojson", "Field notes")
    before = (store.revision(), store.log(), store.datasets())
    frame, stored = joined_events(store, layers_dir)
    assert frame["dataset"].value_counts().to_dict() == {ARTICLE: ARTICLE_EVENT_COUNT, "Field notes": 3}
    assert [(d.name, d.shipped) for d in stored.datasets] == [("Field notes", False), (ARTICLE, True)]
    assert stored.revision == before[0]
    frame, stored = joined_events(store, layers_dir, [ARTICLE])
    assert set(frame["dataset"]) == {ARTICLE} and [d.name for d in stored.datasets] == [ARTICLE]
    with pytest.raises(StoreError, match="no dataset called 'Nothing'"):
        joined_events(store, layers_dir, ["Nothing"])
    assert (store.revision(), store.log(), store.datasets()) == before


@pytest.mark.parametrize(("name", "problem"), [
    ("Copy", "event 'taliban-takeover', field 'id': also an event of dataset 'Copy' in the store"),
    (ARTICLE, f"an imported dataset of the store at .* is called '{ARTICLE}' too"),
])
def test_a_file_and_an_import_holding_the_same_events_is_a_problem(store: Store, name: str, problem: str) -> None:
    # The store never loaded the shipped file, so nothing stopped importing a copy of it.
    store.import_dataset(name, read_file(LAYERS_DIR / "events" / f"{ARTICLE}.json", dataset_name=name,
                                         file_format="panj", existing=store.existing()),
                         source_file="copy.json", licence="", by="test")
    with pytest.raises(StoredDataError, match=problem):
        joined_events(store, LAYERS_DIR)


def test_open_store_for_reading_creates_nothing(tmp_path: Path, store_url: str) -> None:
    missing = tmp_path / "data" / "panj.sqlite3"
    assert open_store(f"sqlite:///{missing}", create=False) is None
    assert not (tmp_path / "data").exists()
    if store_url.startswith("postgresql"):
        assert open_store(store_url, create=False) is None  # a database without Panj's tables
        assert raw_sql(store_url, "SELECT count(*) FROM pg_tables WHERE starts_with(tablename, 'panj')") == [(0,)]
    with open_store(store_url) as store:
        add(store, "acled.csv", "ACLED")
    reader = open_store(store_url, create=False)
    assert [d.name for d in reader.datasets()] == ["ACLED"]
    with pytest.raises(StoreError, match="opened for reading only"):
        reader.rename("ACLED", "Other", by="test")


# --- actors of their own -------------------------------------------------------------------------

def test_two_datasets_keep_their_own_actor_of_one_id(store: Store, tmp_path: Path) -> None:
    grey, red = copy_of_layers(tmp_path, "grey"), copy_of_layers(tmp_path, "red")
    mapping = json.loads((red / "import-acled.json").read_text(encoding="utf-8"))
    mapping["imported_actor"]["colour"] = "#aa0000"
    (red / "import-acled.json").write_text(json.dumps(mapping), encoding="utf-8")
    file = json.loads((IMPORTS / "events.geojson").read_text(encoding="utf-8"))
    for number, feature in enumerate(file["features"]):
        feature["id"] = feature["properties"]["id"] = f"other-{number}"
    file["features"][1]["properties"]["actors"] = ["Border troops of Tajikistan!"]  # the same id, another name
    (tmp_path / "other.geojson").write_text(json.dumps(file), encoding="utf-8")
    add(store, "events.geojson", "Field notes", layers_dir=grey)
    add(store, tmp_path / "other.geojson", "Other notes", layers_dir=red)
    stored = store.events()
    expected = {  # id -> (name, colour)
        "field-notes-border-troops-of-tajikistan": ("Border Troops of Tajikistan", "#8c8c8c"),
        "other-notes-border-troops-of-tajikistan": ("Border troops of Tajikistan!", "#aa0000"),
    }
    assert {term_id: (term.name, term.colour) for term_id, term in stored.actors.items()} == expected
    actors = {event.id: event.actors for event in stored.events}
    assert (actors["shugnan-patrols"], actors["other-1"]) == (
        ("field-notes-border-troops-of-tajikistan",), ("other-notes-border-troops-of-tajikistan",))
    assert actors["ishkashim-market"] == ("taliban", "tajik-government")  # the vocabulary's stay shared
    # Ids the page can put into a URL and read back.
    assert all(ID_PATTERN.fullmatch(term_id) for term_id in expected)
    state = FilterState(actors=frozenset(expected))
    view = ViewState(visible_layers=(), basemap="none")
    known = KnownIds(actors=frozenset(expected), basemaps=frozenset({"none"}))
    assert from_query_params(to_query_params(state, view), known, view)[0] == state


# --- the trash and the log -----------------------------------------------------------------------

def test_a_deleted_dataset_waits_in_the_trash(store: Store) -> None:
    add(store, "acled.csv", "ACLED")
    store.delete("ACLED", by="editor 127.0.0.1")
    [trashed] = store.trash()
    assert (trashed.name, trashed.row_count, trashed.by) == ("ACLED", 4, "editor 127.0.0.1")
    assert trashed.expires_at - trashed.deleted_at == dt.timedelta(days=TRASH_DAYS)
    add(store, "acled.csv", "ACLED")  # its name and events are free again
    with pytest.raises(StoreError, match="another dataset has taken its name.*event 'afg201' is in dataset 'ACLED'"):
        store.restore("ACLED", by="test")
    store.rename("ACLED", "ACLED again", by="test")
    with pytest.raises(StoreError, match="event 'afg201' is in dataset 'ACLED again'"):
        store.restore("ACLED", by="test")
    store.delete("ACLED again", by="test")
    restored = store.restore("ACLED", by="command line")
    assert (restored.name, restored.row_count, restored.shipped) == ("ACLED", 4, False)
    assert [d.name for d in store.datasets()] == ["ACLED"]
    assert [item.name for item in store.trash()] == ["ACLED again"]
    stored = store.events()
    assert len(stored.events) == 4 and stored.places["imported-acled"].frame.loc["khorugh"].geometry.geom_type == "Point"
    with pytest.raises(StoreError, match="no dataset called 'Nothing' in the trash"):
        store.restore("Nothing", by="test")


def test_the_trash_is_purged_by_the_next_change_never_by_a_read(store_url: str, store: Store) -> None:
    add(store, "acled.csv", "ACLED")
    add(store, "events.geojson", "Field notes")
    store.delete("ACLED", by="test")
    store.delete("Field notes", by="test")
    long_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(days=TRASH_DAYS, hours=1)).isoformat(timespec="microseconds")
    raw_sql(store_url, "UPDATE panj_trash SET deleted_at = ? WHERE name = 'ACLED'", parameters=(long_ago,))
    revision = store.revision()
    assert sorted(item.name for item in store.trash()) == ["ACLED", "Field notes"]
    assert store.revision() == revision
    add(store, "second-article.json", "Second")
    assert [item.name for item in store.trash()] == ["Field notes"]
    assert [(change.kind, change.dataset) for change in store.log(2)] == [("import", "Second"), ("purge", "ACLED")]


def test_every_change_is_logged_newest_first(store: Store) -> None:
    before = dt.datetime.now(dt.UTC)
    add(store, "acled.csv", "ACLED")
    store.rename("ACLED", "ACLED 2022", by="command line")
    store.delete("ACLED 2022", by="editor 10.0.0.5")
    store.restore("ACLED 2022", by="command line")
    expected = [  # (revision, kind, dataset, new name, by)
        (4, "restore", "ACLED 2022", None, "command line"),
        (3, "delete", "ACLED 2022", None, "editor 10.0.0.5"),
        (2, "rename", "ACLED", "ACLED 2022", "command line"),
        (1, "import", "ACLED", None, "test"),
    ]
    log = store.log()
    assert [(c.revision, c.kind, c.dataset, c.new_name, c.by) for c in log] == expected
    assert all(before <= change.at <= dt.datetime.now(dt.UTC) for change in log)
    assert [change.kind for change in store.log(limit=1)] == ["restore"]


# --- the schema ----------------------------------------------------------------------------------

def test_a_version_1_store_is_migrated(store_url: str, tmp_path: Path) -> None:
    geometry = "BLOB" if store_url.startswith("sqlite") else "geometry(Geometry, 4326)"
    document = json.dumps({"id": "doc", "title": "t", "publisher": "p", "date": "2022"})
    rows = [  # version 1's shipped dataset, and a user's file licensed with the same words
        ("edm-v19-i92", "edm-v19-i92", "panj", "events/edm-v19-i92.json", "0" * 64, "2025-01-01T00:00:00+00:00", 0,
         V1_LICENCE, document),
        ("mine", "mine", "panj", "mine.json", "1" * 64, "2025-01-02T00:00:00+00:00", 0, V1_LICENCE,
         document.replace('"doc"', '"mine"')),
    ]
    extension = () if store_url.startswith("sqlite") else ("CREATE EXTENSION IF NOT EXISTS postgis",)
    raw_sql(store_url, *extension, *(statement.format(geometry=geometry) for statement in V1_SCHEMA))
    for row in rows:
        raw_sql(store_url, V1_DATASET.format(", ".join("?" for _ in row)), parameters=row)
    with pytest.raises(StoreError, match="schema version 1, older"):
        open_store(store_url, create=False)  # reading never migrates
    with open_store(store_url) as store:
        assert [(d.name, d.shipped, d.licence) for d in store.datasets()] == [
            ("edm-v19-i92", True, V1_LICENCE), ("mine", False, V1_LICENCE)]
        assert (store.revision(), store.trash(), store.log()) == (0, [], [])
        elsewhere = tmp_path / "elsewhere"
        (elsewhere / "events").mkdir(parents=True)
        assert load_shipped(store, elsewhere) == []  # no such file there: version 1's dataset is not its to delete
        assert [d.name for d in store.datasets()] == ["edm-v19-i92", "mine"]
        [loaded] = load_shipped(store, copy_of_layers(tmp_path))  # claims version 1's shipped dataset
        assert (loaded.name, loaded.row_count) == (ARTICLE, ARTICLE_EVENT_COUNT)
        assert [d.name for d in store.datasets()] == ["edm-v19-i92", "mine"]
    assert raw_sql(store_url, "SELECT version FROM panj_schema") == [(SCHEMA_VERSION,)]


def test_the_schema_is_made_once_and_a_newer_one_refused(store_url: str) -> None:
    with open_store(store_url) as store:
        add(store, "acled.csv", "ACLED")
    with open_store(store_url) as store:  # opening again keeps what is there
        assert [d.name for d in store.datasets()] == ["ACLED"]
    raw_sql(store_url, f"UPDATE panj_schema SET version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer than this Panj's"):
        open_store(store_url)


def test_where_the_store_is(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PANJ_DATABASE_URL", raising=False)
    monkeypatch.setenv("PANJ_DATA_DIR", str(tmp_path / "data"))
    assert default_url() == f"sqlite:///{tmp_path / 'data' / 'panj.sqlite3'}"
    with open_store() as store:
        assert store.location == str(tmp_path / "data" / "panj.sqlite3")
    monkeypatch.setenv("PANJ_DATABASE_URL", "postgresql://panj:secret@db.example/panj")
    assert default_url() == "postgresql://panj:secret@db.example/panj"
    with pytest.raises(StoreError, match=r"must start sqlite:/// or postgresql://"):
        open_store("mysql://somewhere/panj")
