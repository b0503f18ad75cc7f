"""Imported datasets kept in a real database: an embedded SQLite file by default, PostgreSQL with
PostGIS when ``PANJ_DATABASE_URL`` names one (docs/ARCHITECTURE.md, "Imports and the store").

The same code runs on both; only the SQL types of a geometry and of bytes and how rows are
bulk-loaded differ (``_Dialect``). A dataset is stored as what ``geo.importers`` read: each event in
Panj's events format, the dataset's own places (geometry as WKB) and actor terms, and its document
block. Reading events back validates them again through ``geo.events.parse_event``, so a stored
event is an event of the model, joined by ``geo.join.join_events`` like the article's
(``Store.events``). The snapshot reads them as columns instead (``Store.events(columns=True)``: no
object per event), checking again only what can have changed since the import, the layers and the
vocabulary.

Every operation opens its own connection and runs in one transaction, so a ``Store`` can be shared
by every thread of a process: a change is all or nothing and bumps the store's revision in its own
transaction, a read sees one committed revision and never writes. Each change is written to the
store's log; a deleted dataset waits in the trash for ``TRASH_DAYS`` days.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import logging
import multiprocessing
import os
import pickle
import re
import sqlite3
import threading
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from io import BytesIO
from itertools import repeat
from pathlib import Path
from typing import Any, Literal, overload
from urllib.parse import urlsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json
import shapely

from geo import fatalities, join, searchtext
from geo.aliases import load_aliases
from geo.events import (
    EVENTS_DIR_NAME,
    Document,
    Event,
    PartialDate,
    Term,
    Vocabulary,
    load_documents,
    load_events,
    load_vocabulary,
    parse_event,
)
from geo.frontier import Frontier, Stretch, load_stretches
from geo.importers import (
    SOURCE_DATE_PRECISIONS,
    Existing,
    Imported,
    ImportedEvent,
    ImportFileError,
    Place,
    dataset_id,
    places_layer_id,
    read_file,
    revision_time,
    source_date_precision,
)
from geo.layers import LAYERS_DIR, Layer, LayerSpec, feature_refs, load_layers
from geo.problems import Problem, ProblemsError

logger = logging.getLogger(__name__)

DATABASE_URL_ENV = "PANJ_DATABASE_URL"
DATA_DIR_ENV = "PANJ_DATA_DIR"
SQLITE_FILE_NAME = "panj.sqlite3"
SCHEMA_VERSION = 3
SHIPPED_LICENCE = "As the shipped data of Panj: see docs/DATA.md"  # the licence shipped datasets are listed with
_SEARCHED_TEXT = "panj_searched_text"  # the SQLite function folding an event's text (geo.searchtext)
_TRIGRAM = 3  # the shortest word a trigram index finds; shorter ones are looked for by a scan
TRASH_DAYS = 30  # a deleted dataset can be restored this long, then the next change purges it
SQLITE_BUSY_TIMEOUT_S = 60.0  # how long a change waits for another process's change to end


class StoreError(ValueError):
    """A store operation was refused or failed (unknown dataset, a name taken, the database's own
    error); the message says which. A failed operation changed nothing."""


class StoredDataError(ProblemsError):
    """Stored events no longer pass the event model's checks (the layers or vocabulary changed),
    or a shipped file and a stored dataset hold the same event or name."""

    subject = "the stored datasets"


@dataclass(frozen=True)
class Dataset:
    """One dataset, as ``Store.datasets`` lists it."""

    id: str  # from the name at import; the id of its places layer and (ACLED, GeoJSON) its document
    name: str
    format: str  # geo.importers.FORMATS
    source_file: str
    source_sha256: str
    imported_at: dt.datetime  # UTC
    row_count: int
    licence: str
    shipped: bool  # a file of a data directory's events/ (load_shipped), not an analyst's import


@dataclass(frozen=True)
class UpdateCounts:
    """What ``Store.update_dataset`` did to a dataset's events."""

    added: int  # ids the dataset did not hold
    revised: int  # held, and replaced by a row revised later (or differing, where no row says when)
    unchanged: int  # held, and the file's row is no newer: left as stored
    deleted: int  # removed by the deletions file
    rejected: int  # rows of the file not imported (listed in the import's report)
    row_count: int  # the dataset's events after the update


@dataclass(frozen=True)
class StoredEvents:
    """Events of some datasets in the model's form, with what joining and drawing them needs:
    ``geo.join.join_events(stored.events, {**layers, **stored.places})``."""

    events: list[Event]
    documents: dict[str, Document]
    actors: dict[str, Term]  # the datasets' own actor terms, ids namespaced per dataset (not the vocabulary's)
    places: dict[str, Layer]  # one layer of its own places per dataset that has any
    properties: dict[str, dict[str, Any]]  # event id -> the file's other columns (ACLED's fatalities, ...)
    dataset_of: dict[str, str]  # event id -> dataset name
    revision: int  # the store revision read (0 without a store)
    datasets: list[Dataset]  # the datasets these events are of, by name


# The fields of a stored entry ``Store.events(columns=True)`` reads (the rest stays in the store), and the
# columns it gives: those, the event's dataset and document, and what its properties say of its
# fatalities (NaN: none reported) and of its dates' precision (geo.importers.source_date_precision).
# The title is read only for the table's order by it, worked out with the snapshot (geo.table.text_order).
ENTRY_FIELDS = pa.schema([(name, pa.string()) for name in (
    "id", "place", "event_type", "status", "location_precision", "start", "end", "reported", "as_of", "title",
)] + [("actors", pa.list_(pa.string()))])
EVENT_COLUMNS = pa.schema([*ENTRY_FIELDS, ("dataset", pa.string()), ("document", pa.string()),
                           ("fatalities", pa.float64()), ("source_precision", pa.string())])
_ENTRY_PARSING = pa_json.ParseOptions(explicit_schema=ENTRY_FIELDS, unexpected_field_behavior="ignore")
_COLUMNS_BATCH = 50_000  # rows read, and entries parsed, at a time by Store.events(columns=True)


@dataclass(frozen=True)
class PlaceColumns:
    """Every place an event may stand on: the layers' features and the datasets' own places, as
    references and geometries in one order, and each dataset's own places that are areas or
    lines as a layer (what ``geo.compact.without_points`` keeps of ``StoredEvents.places``)."""

    refs: pa.Array  # "<layer>:<feature>"
    geometries: np.ndarray
    layers: dict[str, Layer]


@dataclass(frozen=True)
class StoredColumns:
    """What ``Store.events(columns=True)`` reads: the events as columns (``EVENT_COLUMNS``, actors named as
    ``Store.events`` names them), in dataset-id then file order, with what joining them needs."""

    table: pa.Table
    documents: dict[str, Document]
    actors: dict[str, Term]  # the datasets' own actor terms, as StoredEvents.actors
    places: PlaceColumns
    revision: int
    datasets: list[Dataset]  # by name
    # Each event's row in the search's table (``Store.search``'s ``rows_at``), in the table's order;
    # None on PostgreSQL, whose search table has no such number.
    search_rows: np.ndarray | None = None


@dataclass(frozen=True)
class StoredMatches:
    """What ``Store.search`` found at ``revision``: the ids of the stored events a search matches,
    or, when asked so (``rows_at``), their rows in the search's table (``StoredColumns.search_rows``)
    with no ids."""

    revision: int
    event_ids: list[str]
    rows: np.ndarray | None = None


@dataclass(frozen=True)
class TrashedDataset:
    """A deleted dataset, restorable until ``expires_at``."""

    name: str
    deleted_at: dt.datetime  # UTC
    row_count: int
    expires_at: dt.datetime  # UTC: the first change after it purges the dataset
    by: str


@dataclass(frozen=True)
class Change:
    """One line of the store's log."""

    revision: int  # the revision the change made
    at: dt.datetime  # UTC
    kind: str  # "import", "update" (replaced), "rename", "delete", "restore" or "purge" (of the trash)
    dataset: str  # the dataset's name (before a rename)
    new_name: str | None  # a rename's new name
    by: str  # who: "command line", "editor 127.0.0.1", "start-up", ...


# --- where the store is --------------------------------------------------------------------------

def data_dir() -> Path:
    """``PANJ_DATA_DIR``, else the user's data directory (platformdirs when installed, else
    ``$XDG_DATA_HOME/panj`` or ``~/.local/share/panj``)."""
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV])
    try:
        import platformdirs
    except ModuleNotFoundError:
        return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "panj"
    return Path(platformdirs.user_data_dir("panj", appauthor=False))


def default_url() -> str:
    """``PANJ_DATABASE_URL``, else the SQLite file in ``data_dir()``."""
    return os.environ.get(DATABASE_URL_ENV) or f"sqlite:///{data_dir() / SQLITE_FILE_NAME}"


@overload
def open_store(url: str | None = None, *, create: Literal[True] = True) -> Store: ...


@overload
def open_store(url: str | None = None, *, create: bool) -> Store | None: ...


def open_store(url: str | None = None, *, create: bool = True) -> Store | None:
    """The store at ``url`` (``sqlite:///PATH``, ``postgresql://...``; default ``default_url()``).

    With ``create`` (the default) its schema is created or migrated, which writes. With
    ``create=False`` nothing is ever written: None when there is no store yet (no SQLite file, or
    a database without Panj's tables), a StoreError when its schema is older than this Panj's
    (``panj import`` or ``panj run`` bring it up to date), and the store refuses every change.
    StoreError when it cannot be opened."""
    url = url or default_url()
    scheme = urlsplit(url).scheme
    if scheme == "sqlite" and url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))  # sqlite:////abs/path or sqlite:///relative/path
        if not create and not path.is_file():
            return None
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            with _sqlite_connection(path, writable=create) as connection:
                if create:
                    connection.execute("PRAGMA journal_mode = WAL")  # readers go on while one imports
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot open the SQLite store {path}: {error}") from None
        store = Store(lambda: _sqlite_connection(path, writable=create), _SQLITE, str(path), writable=create,
                      url=url)
    elif scheme in ("postgresql", "postgres"):
        import psycopg

        def connect() -> Any:
            try:
                return psycopg.connect(url, autocommit=True)  # transactions are begun explicitly
            except psycopg.Error as error:
                raise StoreError(f"cannot connect to PostgreSQL at {_without_password(url)}: {error}") from None

        store = Store(connect, _POSTGIS, _without_password(url), writable=create, url=url)
    else:
        raise StoreError(f"{url!r}: the store's address must start sqlite:/// or postgresql://")
    if create:
        store._migrate()
        return store
    return store if store._schema_ready() else None


def _sqlite_connection(path: Path, *, writable: bool) -> sqlite3.Connection:
    # isolation_level None: transactions are begun explicitly (Store._transaction).
    if writable:
        connection = sqlite3.connect(path, isolation_level=None, timeout=SQLITE_BUSY_TIMEOUT_S)
        # The search's fold is Python's (geo.searchtext): SQLite calls it to fill the search's table.
        connection.create_function(_SEARCHED_TEXT, 3, _searched_text, deterministic=True)
        return connection
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                           timeout=SQLITE_BUSY_TIMEOUT_S)


def _searched_text(title: str | None, summary: str | None, place_name: str | None) -> str:
    return searchtext.searched_text((title, summary, place_name))


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


# --- dialects and schema -------------------------------------------------------------------------

@dataclass(frozen=True)
class _Dialect:
    name: str
    geometry_type: str
    bytes_type: str
    geometry_out: str  # the SELECT expression giving a geometry as WKB
    extra_schema: tuple[str, ...]  # statements of schema version 1 only this database runs
    begin_read: str
    begin_write: str
    search_schema: tuple[str, ...]  # schema version 3: the search's table and its index
    json_text: str  # the SELECT expression of a text field of a JSON text column: {column}, {field}
    json_value: str  # the SELECT expression of a field of a JSON text column as JSON text (NULL when absent)


_SQLITE = _Dialect(
    "sqlite", "BLOB", "BLOB", "geometry", (),
    # A deferred BEGIN reads one WAL snapshot; IMMEDIATE takes the write lock at once (no deadlock later).
    begin_read="BEGIN", begin_write="BEGIN IMMEDIATE",
    # The FTS5 index reads the folded text from panj_search (external content) and the triggers keep
    # it in step with that table's rows, which are only ever added and deleted. case_sensitive 1:
    # the text and the words come folded already, and SQLite's own case folding is not Python's;
    # a word is asked as its trigrams (MATCH), and instr() checks each row found for the word itself.
    # detail=none keeps only which rows hold a trigram: a third of the index and of its building
    # time (docs/ARCHITECTURE.md, "Search").
    search_schema=(
        "CREATE TABLE panj_search (row INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, place TEXT NOT NULL, "
        "text TEXT NOT NULL)",
        "CREATE INDEX panj_search_place ON panj_search (place)",
        "CREATE VIRTUAL TABLE panj_search_fts USING fts5(text, content='panj_search', content_rowid='row', "
        "tokenize='trigram case_sensitive 1', detail=none)",
        "CREATE TRIGGER panj_search_added AFTER INSERT ON panj_search BEGIN "
        "INSERT INTO panj_search_fts (rowid, text) VALUES (new.row, new.text); END",
        "CREATE TRIGGER panj_search_removed AFTER DELETE ON panj_search BEGIN "
        "INSERT INTO panj_search_fts (panj_search_fts, rowid, text) VALUES ('delete', old.row, old.text); END",
        # A changed or deleted event loses its search row, however it was changed; _index_events
        # gives it a new one from what was stored.
        "CREATE TRIGGER panj_events_revised AFTER UPDATE ON panj_events BEGIN "
        "DELETE FROM panj_search WHERE event_id = old.id; END",
        "CREATE TRIGGER panj_events_deleted AFTER DELETE ON panj_events BEGIN "
        "DELETE FROM panj_search WHERE event_id = old.id; END",
    ),
    json_text="json_extract({column}, '$.{field}')",
    json_value="({column} -> '$.{field}')",
)
_POSTGIS = _Dialect(
    "postgis", "geometry(Geometry, 4326)", "BYTEA", "ST_AsBinary(geometry)",
    ("CREATE INDEX panj_places_geometry ON panj_places USING GIST (geometry)",),
    begin_read="BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", begin_write="BEGIN",
    # pg_trgm (a trusted extension: the database's owner may create it) indexes the folded text's
    # trigrams, so LIKE '%word%' finds a substring through the index (docs/ARCHITECTURE.md, "Search").
    search_schema=(
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE TABLE panj_search (event_id TEXT PRIMARY KEY, place TEXT NOT NULL, text TEXT NOT NULL)",
        "CREATE INDEX panj_search_place ON panj_search (place)",
        "CREATE INDEX panj_search_text ON panj_search USING GIN (text gin_trgm_ops)",
        # As SQLite's triggers, once per statement: a dataset's million deleted events are one DELETE.
        "CREATE FUNCTION panj_search_forget() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "DELETE FROM panj_search WHERE event_id IN (SELECT id FROM gone); RETURN NULL; END $$",
        "CREATE TRIGGER panj_events_revised AFTER UPDATE ON panj_events REFERENCING OLD TABLE AS gone "
        "FOR EACH STATEMENT EXECUTE FUNCTION panj_search_forget()",
        "CREATE TRIGGER panj_events_deleted AFTER DELETE ON panj_events REFERENCING OLD TABLE AS gone "
        "FOR EACH STATEMENT EXECUTE FUNCTION panj_search_forget()",
    ),
    json_text="({column}::json ->> '{field}')",
    json_value="(({column}::json -> '{field}')::text)",
)

# Schema version 1. Text columns hold JSON; times are ISO 8601 in UTC (one form for both databases).
_SCHEMA_V1 = (
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
)
_V1_SHIPPED_LICENCE = "As the shipped data of Panj: see docs/DATA.md"  # as version 1 wrote it, for good
# Version 2: shipped datasets marked (with the data directory they came from: shipped_from), the
# revision counter, the trash and the log. Version 1 knew a shipped dataset only by its licence;
# its loader alone gave a source file under events/ (an import's is a bare file name).
_SCHEMA_V2 = (
    "ALTER TABLE panj_datasets ADD COLUMN shipped INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE panj_datasets ADD COLUMN shipped_from TEXT",
    f"UPDATE panj_datasets SET shipped = 1 WHERE licence = '{_V1_SHIPPED_LICENCE}' "
    f"AND substr(source_file, 1, {len(EVENTS_DIR_NAME) + 1}) = '{EVENTS_DIR_NAME}/'",
    "CREATE TABLE panj_revision (revision INTEGER NOT NULL)",
    "INSERT INTO panj_revision (revision) VALUES (0)",
    "CREATE TABLE panj_trash (id TEXT PRIMARY KEY, name TEXT NOT NULL, deleted_at TEXT NOT NULL, "
    "deleted_by TEXT NOT NULL, row_count INTEGER NOT NULL, content {bytes} NOT NULL)",
    "CREATE INDEX panj_trash_name ON panj_trash (name, deleted_at)",
    "CREATE TABLE panj_log (revision INTEGER NOT NULL, position INTEGER NOT NULL, at TEXT NOT NULL, "
    "kind TEXT NOT NULL, dataset TEXT NOT NULL, new_name TEXT, made_by TEXT NOT NULL, "
    "PRIMARY KEY (revision, position))",
)
_DATASET_TABLES = ("panj_events", "panj_places", "panj_actors")  # rows keyed by dataset_id
_DATASET_COLUMNS = ("id", "name", "format", "source_file", "source_sha256", "imported_at", "row_count", "licence",
                    "shipped")
_TABLE_COLUMNS = {  # what the trash keeps of each table, geometry as WKB
    "panj_actors": ("id", "name", "colour", "symbol"),
    "panj_places": ("id", "name", "geometry"),
    "panj_events": ("id", "row_number", "entry", "properties"),
}
# An entry or its properties as stored: the text of json.dumps(value, ensure_ascii=False), by the C
# encoder json.dumps makes anew each call made once (an import of a million rows makes two million
# texts). It does not look for reference cycles, which values decoded from JSON or built from a row
# cannot hold.
_json_encoder = json.encoder.c_make_encoder(None, json.JSONEncoder().default, json.encoder.encode_basestring, None,
                                            ": ", ", ", False, False, True)


def _json_text(value: Any) -> str:
    return "".join(_json_encoder(value, 0))
_BULK_CACHE_KIB = 128 * 1024  # SQLite's page cache while rows are inserted (its default is 2 MB)
_IDS_JOINED_BY = "\n"  # between the ids a search returns: an event id holds none (geo.layers.ID_PATTERN)
_IDS_PER_QUERY = 500  # parameters of one IN list: under both databases' limits
_WHOLE_DATASET_PLACES = 5_000  # more places of one dataset than this are read with all its others, not by id
_LOCK_KEY = 7_265_001  # PostgreSQL advisory lock: one Panj process migrates at a time


# --- one connection in one transaction -----------------------------------------------------------

class _Session:
    """A connection inside one transaction, with the statements' placeholders made the database's."""

    def __init__(self, connection: Any, dialect: _Dialect):
        self.connection = connection
        self.dialect = dialect

    def execute(self, statement: str, parameters: Sequence[Any] = ()) -> None:
        self.connection.execute(self._sql(statement), parameters)

    def query(self, statement: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.connection.execute(self._sql(statement), parameters).fetchall()]

    def batches(self, statement: str, parameters: Sequence[Any] = (), size: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of a query a batch at a time (PostgreSQL's through a server-side cursor), so a
        million rows are never all held as Python objects at once."""
        if self.dialect is _POSTGIS:
            with self.connection.cursor(name="panj_batches") as cursor:
                cursor.execute(self._sql(statement), parameters)
                while batch := cursor.fetchmany(size):
                    yield batch
            return
        cursor = self.connection.execute(statement, parameters)
        while batch := cursor.fetchmany(size):
            yield batch

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        if self.dialect is _POSTGIS:  # COPY: one stream instead of a round trip per row
            with self.connection.cursor() as cursor, \
                    cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            # A million rows' index pages stay in memory instead of going back and forth to the
            # journal; the setting is this connection's alone, and it closes with the transaction.
            self.connection.execute(f"PRAGMA cache_size = -{_BULK_CACHE_KIB}")
            marks = ", ".join("?" for _ in columns)
            self.connection.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def geometry_in(self, geometry: shapely.Geometry) -> bytes | str:
        # PostGIS reads hex EWKB (with its SRID) as text, which COPY can carry; SQLite keeps WKB.
        if self.dialect is _POSTGIS:
            return shapely.to_wkb(shapely.set_srid(geometry, 4326), hex=True, include_srid=True)
        return shapely.to_wkb(geometry)

    def geometries_in(self, geometries: Sequence[shapely.Geometry]) -> list[bytes | str]:
        """``geometry_in`` of each, converted together (a large import has as many places as rows)."""
        array = np.asarray(geometries, dtype=object)
        if self.dialect is _POSTGIS:
            return shapely.to_wkb(shapely.set_srid(array, 4326), hex=True, include_srid=True).tolist()
        return shapely.to_wkb(array).tolist()

    def revision(self) -> int:
        return self.query("SELECT revision FROM panj_revision")[0][0]

    def datasets(self) -> list[Dataset]:
        rows = self.query(f"SELECT {', '.join(_DATASET_COLUMNS)} FROM panj_datasets ORDER BY name")
        return [_dataset(row) for row in rows]

    def rows_of(self, table: str, columns: str, dataset_keys: Sequence[str], *, key: str = "dataset_id",
                order: str | None = None) -> list[tuple[Any, ...]]:
        if not dataset_keys:
            return []
        marks = ", ".join("?" for _ in dataset_keys)
        return self.query(f"SELECT {columns} FROM {table} WHERE {key} IN ({marks})"
                          + (f" ORDER BY {order}" if order else ""), tuple(dataset_keys))

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.dialect is _POSTGIS else statement


class _Change(_Session):
    """A write transaction: the revision it makes, its time and who makes it; ``log`` records
    each change it makes, and ``finish`` sets the revision when there was any (a load of shipped
    files that finds them unchanged leaves the revision as it was)."""

    def __init__(self, connection: Any, dialect: _Dialect, by: str):
        super().__init__(connection, dialect)
        self.by = by
        self.at = dt.datetime.now(dt.UTC)
        # The row lock makes PostgreSQL's changes take turns, as BEGIN IMMEDIATE does SQLite's.
        lock = " FOR UPDATE" if dialect is _POSTGIS else ""
        self.new_revision = self.query(f"SELECT revision FROM panj_revision{lock}")[0][0] + 1
        self.position = 0

    def log(self, kind: str, dataset: str, new_name: str | None = None) -> None:
        self.position += 1
        self.execute("INSERT INTO panj_log (revision, position, at, kind, dataset, new_name, made_by) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (self.new_revision, self.position, _time_text(self.at), kind, dataset, new_name, self.by))

    def purge_trash(self) -> None:
        cutoff = _time_text(self.at - dt.timedelta(days=TRASH_DAYS))
        for (name,) in self.query("SELECT name FROM panj_trash WHERE deleted_at < ? ORDER BY deleted_at", (cutoff,)):
            self.log("purge", name)
        self.execute("DELETE FROM panj_trash WHERE deleted_at < ?", (cutoff,))

    def finish(self) -> None:
        if self.position:
            self.execute("UPDATE panj_revision SET revision = ?", (self.new_revision,))


# --- the store -----------------------------------------------------------------------------------

class Store:
    """The handle on a store; use ``open_store``. It holds no connection between operations, so one
    store can be shared by every thread (the page keeps one per process). ``close`` (or leaving it
    as a context manager) is kept for the callers that own it; it has nothing to release."""

    def __init__(self, connect: Callable[[], Any], dialect: _Dialect, location: str, *, writable: bool,
                 url: str = ""):
        self._connect = connect
        self._dialect = dialect
        self.location = location  # the file, or the database URL without its password
        self.writable = writable
        self.url = url  # what open_store opened, password included: another process opens it again

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing is held open between operations: there is nothing to release."""

    # -- reading --

    def revision(self) -> int:
        """The store's revision: bumped by every change, in the change's own transaction."""
        with self._transaction(write=False) as session:
            return session.revision()

    def datasets(self) -> list[Dataset]:
        """Every dataset, by name."""
        with self._transaction(write=False) as session:
            return session.datasets()

    def existing(self, *, besides: str | None = None) -> Existing:
        """The event, document and dataset ids an import must not repeat (``geo.importers.read_file``);
        with ``besides``, those of every dataset but that one (an update of it may repeat its own)."""
        with self._transaction(write=False) as session:
            existing = _existing(session)
        if besides is None:
            return existing
        key = next((key for key, name in existing.datasets.items() if name == besides), None)
        return Existing(event_ids={event_id: name for event_id, name in existing.event_ids.items() if name != besides},
                        documents={document: name for document, name in existing.documents.items()
                                   if name != besides or document != key},
                        datasets={dataset: name for dataset, name in existing.datasets.items() if name != besides})

    def trash(self) -> list[TrashedDataset]:
        """The deleted datasets still restorable, newest first."""
        with self._transaction(write=False) as session:
            rows = session.query("SELECT name, deleted_at, row_count, deleted_by FROM panj_trash "
                                 "ORDER BY deleted_at DESC")
        trashed = []
        for name, at, count, by in rows:
            deleted_at = dt.datetime.fromisoformat(at)
            trashed.append(TrashedDataset(name, deleted_at, count, deleted_at + dt.timedelta(days=TRASH_DAYS), by))
        return trashed

    def log(self, limit: int | None = None) -> list[Change]:
        """The store's changes, newest first (the last ``limit`` of them when given)."""
        if limit is not None and limit < 0:
            raise ValueError(f"a log's limit cannot be negative, got {limit}")
        statement = ("SELECT revision, at, kind, dataset, new_name, made_by FROM panj_log "
                     "ORDER BY revision DESC, position DESC")
        with self._transaction(write=False) as session:
            rows = session.query(statement + (f" LIMIT {int(limit)}" if limit is not None else ""))
        return [Change(revision, dt.datetime.fromisoformat(at), kind, dataset, new_name, by)
                for revision, at, kind, dataset, new_name, by in rows]

    def search(self, text: str, places: Mapping[str, str] | None = None, *,
               rows_at: int | None = None) -> StoredMatches:
        """The stored events (of every dataset) that the search ``text`` matches (``geo.searchtext``):
        each of its words is in the event's title, summary or own place's name (a place of its
        dataset), or in the text ``places`` gives the place it names (reference -> folded name and
        other spellings of the layers' places: ``geo.searchtext.place_texts``). One read
        transaction; ValueError for a text without a word.

        With ``rows_at``, a search that reads that revision answers with the events' rows in the
        search's table (``StoredColumns.search_rows`` read at that revision names the same events)
        instead of their ids: integers, no string an event to make and look up (docs/performance.md,
        "Search by row"). SQLite only; another revision, or PostgreSQL, answers with ids."""
        words = searchtext.words(text)
        if not words:
            raise ValueError("a search needs at least one word")
        with self._transaction(write=False) as session:
            revision = session.revision()
            by_row = rows_at == revision and self._dialect is _SQLITE
            statement, parameters = _search_statement(self._dialect, words, places or {}, by_row=by_row)
            [(joined,)] = session.query(statement, parameters)
            if by_row:
                rows = np.fromstring(joined, dtype=np.int64, sep=",") if joined else np.empty(0, dtype=np.int64)
                return StoredMatches(revision, [], rows)
            return StoredMatches(revision, joined.split(_IDS_JOINED_BY) if joined else [])

    @overload
    def events(self, dataset_names: Iterable[str] | None = None, *, layers_dir: Path = LAYERS_DIR,
               shipped: bool = True, columns: Literal[False] = False) -> StoredEvents: ...

    @overload
    def events(self, dataset_names: Iterable[str] | None = None, *, layers_dir: Path = LAYERS_DIR,
               shipped: bool = True, columns: Literal[True]) -> StoredColumns: ...

    def events(self, dataset_names: Iterable[str] | None = None, *, layers_dir: Path = LAYERS_DIR,
               shipped: bool = True, columns: bool = False) -> StoredEvents | StoredColumns:
        """The events of ``dataset_names`` (default: every dataset; without ``shipped``, every
        dataset but the shipped ones), read in one transaction and checked again against the
        model, the layers and the vocabulary of ``layers_dir``; StoredDataError lists every
        problem. In dataset-name order, then file order.

        A dataset's own actor terms get ids of their own, ``<dataset id>-<term id>``, and its
        events name them so: two datasets' actors of one id keep their own names and colours.

        With ``columns``, the same events as columns (``StoredColumns``, in dataset-id then file
        order), read a batch at a time without an object per event. A stored row passed every
        check of the model at import; what can have changed since is the layers and the
        vocabulary, so each row's actors, event type and place (and the fields the columns need)
        are checked against those, and a row failing that is read through ``parse_event`` for the
        problems StoredDataError lists."""
        layers = load_layers(layers_dir)
        vocabulary = load_vocabulary(layers_dir)
        with self._transaction(write=False) as session:
            revision = session.revision()
            datasets = {dataset.id: dataset for dataset in session.datasets() if shipped or not dataset.shipped}
            if dataset_names is not None:
                wanted = set(dataset_names)
                unknown = sorted(wanted - {dataset.name for dataset in datasets.values()})
                if unknown:
                    raise StoreError(f"no dataset called {', '.join(map(repr, unknown))}")
                datasets = {key: dataset for key, dataset in datasets.items() if dataset.name in wanted}
            chosen = list(datasets)
            actor_rows = session.rows_of("panj_actors", "dataset_id, id, name, colour, symbol", chosen,
                                         order="dataset_id, id")
            document_rows = session.rows_of("panj_datasets", "id, document", chosen, key="id")
            if columns:
                return _event_columns(session, datasets, revision, actor_rows, document_rows, layers, vocabulary,
                                      Path(self.location))
            place_rows = session.rows_of("panj_places", f"dataset_id, id, name, {self._dialect.geometry_out}",
                                         chosen, order="dataset_id, id")
            event_rows = session.rows_of("panj_events", "dataset_id, id, entry, properties", chosen,
                                         order="dataset_id, row_number")
        own_actors = _namespaced_actors(actor_rows, vocabulary, datasets)
        actors = {term.id: term for terms in own_actors.values() for term in terms.values()}
        places = _places(datasets, place_rows)
        documents, document_of = _documents(datasets, document_rows)
        known = Vocabulary({**vocabulary.actors, **actors}, vocabulary.event_types)
        place_refs = feature_refs({**layers, **places})
        problems: list[Problem] = []
        ordered = sorted(datasets.values(), key=lambda dataset: dataset.name)
        result = StoredEvents([], documents, actors, places, {}, {}, revision, ordered)
        for dataset_key, event_id, entry, properties in event_rows:
            name = datasets[dataset_key].name
            raw = json.loads(entry)
            own = own_actors.get(dataset_key)
            if own and isinstance(raw.get("actors"), list):
                raw["actors"] = [own[actor].id if isinstance(actor, str) and actor in own else actor
                                 for actor in raw["actors"]]
            event = parse_event(raw, path=Path(self.location), item=f"dataset {name!r} event {event_id!r}",
                                document_id=document_of[dataset_key], vocabulary=known, place_refs=place_refs,
                                problems=problems)
            if event is not None:
                result.events.append(event)
                result.properties[event.id] = json.loads(properties)
                result.dataset_of[event.id] = name
        if problems:
            raise StoredDataError(problems)
        order = {dataset.name: number for number, dataset in enumerate(ordered)}
        result.events.sort(key=lambda event: order[result.dataset_of[event.id]])
        return result

    def event_entries(self, event_ids: Sequence[str]) -> dict[str, str]:
        """Event id -> its stored entry (the event's JSON text) for those of ``event_ids`` the
        store holds, read in one transaction: the text a reader asks for a few rows at a time
        (``geo.compact.EventTexts``)."""
        return {event_id: entry for event_id, (entry, _) in self.event_records(event_ids, ()).items()}

    def event_records(self, event_ids: Sequence[str],
                      fields: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Event id -> (its stored entry, those of its properties named in ``fields`` it holds,
        decoded from JSON) for those of ``event_ids`` the store holds, read in one transaction:
        what the rows a reader looks at show beside their text (UCDP's low and high estimates)."""
        for name in fields:  # written into the statement: only a property's plain name
            if not re.fullmatch(r"[a-z_]+", name):
                raise ValueError(f"{name!r} is not a property name (lower-case letters and _)")
        ids = list(dict.fromkeys(event_ids))
        extras = "".join(f", {self._dialect.json_value.format(column='properties', field=name)}" for name in fields)
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        with self._transaction(write=False) as session:
            for start in range(0, len(ids), _IDS_PER_QUERY):
                chunk = ids[start:start + _IDS_PER_QUERY]
                marks = ", ".join("?" for _ in chunk)
                for event_id, entry, *values in session.query(
                        f"SELECT id, entry{extras} FROM panj_events WHERE id IN ({marks})", tuple(chunk)):
                    found[event_id] = (entry, {name: json.loads(value) for name, value in zip(fields, values, strict=True)
                                               if value is not None})
        return found

    def place_names(self, refs: Iterable[str]) -> dict[str, str]:
        """Place reference -> name for those of ``refs`` that are a dataset's own places
        (``<places layer>:<id>``) the store holds, read in one transaction."""
        by_dataset: dict[str, list[str]] = {}
        for ref in dict.fromkeys(refs):
            layer_id, _, place_id = ref.partition(":")
            prefix = places_layer_id("")
            if layer_id.startswith(prefix) and place_id:
                by_dataset.setdefault(layer_id.removeprefix(prefix), []).append(place_id)
        found: dict[str, str] = {}
        with self._transaction(write=False) as session:
            for dataset_key, place_ids in by_dataset.items():
                if len(place_ids) > _WHOLE_DATASET_PLACES:  # the table's order by place: read them all at once
                    wanted = set(place_ids)
                    found.update((f"{places_layer_id(dataset_key)}:{place_id}", name) for place_id, name in session.query(
                        "SELECT id, name FROM panj_places WHERE dataset_id = ?", (dataset_key,)) if place_id in wanted)
                    continue
                for start in range(0, len(place_ids), _IDS_PER_QUERY):
                    chunk = place_ids[start:start + _IDS_PER_QUERY]
                    marks = ", ".join("?" for _ in chunk)
                    rows = session.query(f"SELECT id, name FROM panj_places WHERE dataset_id = ? AND id IN ({marks})",
                                         (dataset_key, *chunk))
                    found.update((f"{places_layer_id(dataset_key)}:{place_id}", name) for place_id, name in rows)
        return found

    # -- changing --

    def import_dataset(self, name: str, imported: Imported, *, source_file: str, licence: str, by: str,
                       replace: bool = False, keep_good: bool = False) -> Dataset:
        """Store ``imported`` (every row accepted; with ``keep_good``, the accepted rows of a file
        that has rejected ones) as dataset ``name``, in one transaction, logged as made ``by``.
        With ``replace``, an imported dataset of that name is replaced in the same transaction
        (logged as an update); a shipped one never is."""
        with self._transaction(write=True, by=by) as change:
            current = next((dataset for dataset in change.datasets() if dataset.name == name.strip()), None)
            if replace and current is not None:
                if current.shipped:
                    raise StoreError(f"dataset {current.name!r} is shipped with a data directory: "
                                     "it is replaced only from its file")
                _remove(change, current.id)
            dataset = _store_dataset(change, name, imported, source_file=source_file, licence=licence,
                                     shipped_from=None, keep_good=keep_good)
            change.log("update" if replace and current is not None else "import", dataset.name)
        return dataset

    def import_file(self, name: str, path: Path, *, source_file: str, licence: str, by: str,
                    file_format: str | None = None, layers_dir: Path = LAYERS_DIR, max_bytes: int | None = None,
                    trust: str = "point", keep_good: bool = False) -> tuple[Imported, Dataset | None]:
        """Read ``path`` (``geo.importers.read_file`` with ``file_format``, ``layers_dir``,
        ``max_bytes`` and ``trust``) and store it as the new dataset ``name``, as ``import_dataset``
        would store what ``read_file`` gives, in one transaction logged as made ``by``; but the
        accepted rows go into the transaction a chunk at a time as they are read, so an import's
        memory does not grow with its rows' text. The ids it must not repeat are read in the same
        transaction. SQLite's file is read in a process of its own while this one writes
        (``_read_aside``). Gives what was read (its report; its ``events`` and ``places`` empty) and the
        dataset, or None when nothing was stored: no row accepted, or rows rejected without
        ``keep_good`` (the transaction, with every row written so far, is then rolled back)."""
        try:
            with _collector_paused(), self._transaction(write=True, by=by) as change:
                key = dataset_id(name)
                _check_free(change, name.strip(), key)  # before any row goes in under that id
                read = partial(read_file, path, dataset_name=name, file_format=file_format, layers_dir=layers_dir,
                               max_bytes=max_bytes, existing=_existing(change), trust=trust)

                def prepare(events: list[ImportedEvent], places: list[Place]) -> _Chunk:
                    # PostgreSQL's search rows are made from the rows in hand (_insert_search), so
                    # their folded text is made with them, on the reader's side.
                    search = _search_parts(key, events) if change.dialect is _POSTGIS else []
                    return _packed_rows(change, events, places), search

                def write(chunk: _Chunk) -> None:
                    packed, search = chunk
                    place_rows, event_rows = _unpacked_rows(packed)
                    _insert_places(change, key, place_rows)
                    _insert_events(change, key, event_rows)
                    if change.dialect is _SQLITE and event_rows:  # their search rows, in one statement
                        _index_events(change, key, rows=(event_rows[0][1], event_rows[-1][1]))
                    elif search:
                        _insert_search_parts(change, key, search, {row[0]: row[1] for row in place_rows})

                if _reads_aside():
                    imported = _read_aside(read, prepare, write)
                else:
                    imported = read(sink=lambda events, places: write(prepare(events, places)))
                if not (imported.ok or keep_good and imported.accepted):
                    raise _NotStored(imported)
                dataset = _store_dataset(change, name, imported, source_file=source_file, licence=licence,
                                         shipped_from=None, keep_good=keep_good)
                change.log("import", dataset.name)
        except _NotStored as refused:
            return refused.imported, None
        return imported, dataset

    def update_dataset(self, name: str, imported: Imported, *, deletions: Mapping[str, str] | None = None,
                       source_file: str, by: str, keep_good: bool = False) -> UpdateCounts:
        """Bring the imported dataset ``name`` up to date with ``imported`` (read with
        ``read_file(..., dataset_key=<its id>, existing=existing(besides=name))``) and the
        ``deletions`` (event id -> when deleted, ``geo.importers.read_deletions``), in one
        transaction logged as an update made ``by``.

        Rows are matched by event id (ACLED's ``event_id_cnty``, a feature's id): a row revised
        after the stored one (``geo.importers.revision_time``) replaces it, an older or equal one is
        left; where either does not say when it was revised, a row that differs replaces the stored
        one. New ids are added; events the file does not name are kept (ACLED's updates hold the
        changed rows only). A deletion removes its event unless the file holds a revision of that
        event made after the deletion. The file's own places and actors are merged with the
        dataset's by name (and geometry). Rows the file rejects stop the update unless ``keep_good``."""
        if imported.rejected and not keep_good or not imported.events and not deletions:
            raise ImportFileError(imported.problems() or [Problem(imported.path, "file", None, "no events to import")])
        with self._transaction(write=True, by=by) as change:
            dataset = _imported_dataset(change, name, "updated")
            if imported.dataset_id != dataset.id:
                raise StoreError(f"{imported.path} was read for dataset id {imported.dataset_id!r}, not {name!r}'s "
                                 f"({dataset.id!r})")
            if imported.format != dataset.format:
                raise StoreError(f"dataset {name!r} was imported from a {dataset.format} file; {imported.path.name} "
                                 f"reads as {imported.format}")
            counts = _merge_update(change, dataset, imported, deletions or {})
            _index_events(change, dataset.id)
            document = json.loads(change.query("SELECT document FROM panj_datasets WHERE id = ?", (dataset.id,))[0][0])
            document.setdefault("notes", []).append(
                f"Updated from {source_file} on {change.at.date().isoformat()}: a revised or added event's "
                "paragraph is its row number in that file.")
            change.execute("UPDATE panj_datasets SET source_file = ?, source_sha256 = ?, imported_at = ?, row_count = ?, "
                           "document = ? WHERE id = ?",
                           (source_file, imported.sha256, change.at.replace(microsecond=0).isoformat(),
                            counts.row_count, json.dumps(document, ensure_ascii=False), dataset.id))
            change.log("update", dataset.name)
        return counts

    def rename(self, old: str, new: str, *, by: str) -> None:
        """Rename dataset ``old`` (an imported one) to ``new``, logged as made ``by``."""
        new = new.strip()
        if not new:
            raise StoreError("a dataset's name cannot be empty")
        with self._transaction(write=True, by=by) as change:
            _imported_dataset(change, old, "renamed")
            if old != new and change.query("SELECT 1 FROM panj_datasets WHERE name = ?", (new,)):
                raise StoreError(f"a dataset called {new!r} exists already")
            change.execute("UPDATE panj_datasets SET name = ? WHERE name = ?", (new, old))
            change.log("rename", old, new)

    def delete(self, name: str, *, by: str) -> None:
        """Move dataset ``name`` (an imported one) to the trash, logged as made ``by``: its name,
        id and event ids are free again, and ``restore`` brings it back for ``TRASH_DAYS`` days."""
        with self._transaction(write=True, by=by) as change:
            dataset = _imported_dataset(change, name, "deleted")
            content = {"dataset": dict(zip(("id", "name", "format", "source_file", "source_sha256", "imported_at",
                                            "row_count", "licence", "document"),
                                           change.query("SELECT id, name, format, source_file, source_sha256, "
                                                        "imported_at, row_count, licence, document FROM panj_datasets "
                                                        "WHERE id = ?", (dataset.id,))[0], strict=True))}
            for table, columns in _TABLE_COLUMNS.items():
                selected = ", ".join(self._dialect.geometry_out if column == "geometry" else column for column in columns)
                content[table] = [[bytes(value).hex() if column == "geometry" else value
                                   for column, value in zip(columns, row, strict=True)]
                                  for row in change.query(f"SELECT {selected} FROM {table} WHERE dataset_id = ?",
                                                          (dataset.id,))]
            change.execute("INSERT INTO panj_trash (id, name, deleted_at, deleted_by, row_count, content) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           (uuid.uuid4().hex, dataset.name, _time_text(change.at), by, dataset.row_count,
                            zlib.compress(json.dumps(content, ensure_ascii=False).encode("utf-8"))))
            _remove(change, dataset.id)
            change.log("delete", dataset.name)

    def restore(self, name: str, *, by: str) -> Dataset:
        """Bring back the dataset last deleted under ``name``, logged as made ``by``; StoreError
        naming the clash when its name, id, document or an event id has been taken meanwhile."""
        with self._transaction(write=True, by=by) as change:
            rows = change.query("SELECT id, content FROM panj_trash WHERE name = ? ORDER BY deleted_at DESC", (name,))
            if not rows:
                raise StoreError(f"no dataset called {name!r} in the trash")
            trash_id, packed = rows[0]
            content = json.loads(zlib.decompress(bytes(packed)).decode("utf-8"))
            row = content["dataset"]
            _check_restorable(change, row, [event[0] for event in content["panj_events"]])
            change.execute("INSERT INTO panj_datasets (id, name, format, source_file, source_sha256, imported_at, "
                           "row_count, licence, document, shipped) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                           tuple(row.values()))
            for table, columns in _TABLE_COLUMNS.items():
                change.insert(table, ("dataset_id", *columns),
                              [(row["id"], *(change.geometry_in(shapely.from_wkb(bytes.fromhex(value)))
                                             if column == "geometry" else value
                                             for column, value in zip(columns, values, strict=True)))
                               for values in content[table]])
            _index_events(change, row["id"])
            change.execute("DELETE FROM panj_trash WHERE id = ?", (trash_id,))
            change.log("restore", name)
            return next(dataset for dataset in change.datasets() if dataset.id == row["id"])

    # -- inside --

    @contextmanager
    def _transaction(self, *, write: bool, by: str = "") -> Iterator[Any]:
        """One connection in one transaction, closed after; any error rolls it back and a
        database error becomes a StoreError. A write purges the expired trash first and bumps
        the revision when it changed anything; a read sees one committed revision."""
        if write and not self.writable:
            raise StoreError(f"the store at {self.location} was opened for reading only")
        errors = _database_errors(self._dialect)
        connection = None
        try:
            connection = self._connect()
            connection.execute(self._dialect.begin_write if write else self._dialect.begin_read)
            try:
                if write:
                    session: _Session = _Change(connection, self._dialect, by)
                    session.purge_trash()
                else:
                    session = _Session(connection, self._dialect)
                yield session
                if isinstance(session, _Change):
                    session.finish()
            except BaseException:
                with suppress(*errors):  # a lost connection cannot roll back: the server does
                    connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        except errors as error:
            what = "refused the change, which was rolled back" if write else "could not be read"
            raise StoreError(f"the store at {self.location} {what}: {error}") from error
        finally:
            if connection is not None:
                connection.close()

    def _schema_version(self, session: _Session) -> int:
        if self._dialect is _POSTGIS:
            present = session.query("SELECT to_regclass('panj_schema') IS NOT NULL")[0][0]
        else:
            present = bool(session.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'panj_schema'"))
        rows = session.query("SELECT version FROM panj_schema") if present else []
        version = rows[0][0] if rows else 0
        if version > SCHEMA_VERSION:
            raise StoreError(f"the store at {self.location} has schema version {version}, newer than this "
                             f"Panj's ({SCHEMA_VERSION}): update Panj")
        return version

    def _schema_ready(self) -> bool:
        """For a store opened without ``create``: True when it has this Panj's schema, False
        when it has none yet; StoreError for an older one (reading never migrates)."""
        with self._transaction(write=False) as session:
            version = self._schema_version(session)
        if 0 < version < SCHEMA_VERSION:
            raise StoreError(f"the store at {self.location} has schema version {version}, older than this "
                             f"Panj's ({SCHEMA_VERSION}): run `panj import` or `panj run` once to update it")
        return version == SCHEMA_VERSION

    def _migrate(self) -> None:
        """Create the schema, or bring an older one up to date, in one transaction (no revision:
        the datasets do not change)."""
        errors = _database_errors(self._dialect)
        connection = self._connect()
        try:
            connection.execute(self._dialect.begin_write)
            session = _Session(connection, self._dialect)
            try:
                if self._dialect is _POSTGIS:
                    session.execute(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
                version = self._schema_version(session)
                if version < 1:
                    if self._dialect is _POSTGIS:
                        session.execute("CREATE EXTENSION IF NOT EXISTS postgis")
                    session.execute("CREATE TABLE panj_schema (version INTEGER NOT NULL)")
                    for statement in (*_SCHEMA_V1, *self._dialect.extra_schema):
                        session.execute(statement.format(geometry=self._dialect.geometry_type))
                if version < 2:
                    for statement in _SCHEMA_V2:
                        session.execute(statement.format(bytes=self._dialect.bytes_type))
                if version < 3:
                    for statement in self._dialect.search_schema:
                        session.execute(statement)
                    _index_events(session)
                if version < SCHEMA_VERSION:
                    session.execute("DELETE FROM panj_schema")
                    session.execute("INSERT INTO panj_schema (version) VALUES (?)", (SCHEMA_VERSION,))
            except BaseException:
                with suppress(*errors):
                    connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        except errors as error:
            raise StoreError(f"the store at {self.location} could not be set up: {error}") from error
        finally:
            connection.close()


def _database_errors(dialect: _Dialect) -> tuple[type[Exception], ...]:
    if dialect is _POSTGIS:
        import psycopg

        return (psycopg.Error,)
    return (sqlite3.Error,)


def _time_text(moment: dt.datetime) -> str:
    """A UTC time as stored: one fixed form, so that text order is time order."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _dataset(row: tuple[Any, ...]) -> Dataset:
    values = dict(zip(_DATASET_COLUMNS, row, strict=True))
    values["imported_at"] = dt.datetime.fromisoformat(values["imported_at"])
    values["shipped"] = bool(values["shipped"])
    return Dataset(**values)


def _existing(session: _Session) -> Existing:
    names = dict(session.query("SELECT id, name FROM panj_datasets"))
    documents = {json.loads(document)["id"]: name
                 for name, document in session.query("SELECT name, document FROM panj_datasets")}
    event_ids = {event_id: names[dataset] for event_id, dataset in session.query("SELECT id, dataset_id FROM panj_events")}
    return Existing(event_ids=event_ids, documents=documents, datasets=names)


def _unplaced(entry: Mapping[str, Any]) -> dict[str, Any]:
    """An entry without its citations' paragraphs: a row's number in its file, which moves when
    an update's file holds other rows, tells nothing of whether the row changed."""
    return dict(entry, citations=[{name: value for name, value in citation.items() if name != "paragraph"}
                                  for citation in entry.get("citations", [])])


def _merge_update(change: _Change, dataset: Dataset, imported: Imported, deletions: Mapping[str, str]) -> UpdateCounts:
    """Write ``imported``'s rows and ``deletions`` into ``dataset`` (``Store.update_dataset``)."""
    stored = {event_id: (row_number, json.loads(entry), json.loads(properties))
              for event_id, row_number, entry, properties in change.query(
                  "SELECT id, row_number, entry, properties FROM panj_events WHERE dataset_id = ?", (dataset.id,))}
    places = {place_id: (place_name, bytes(wkb)) for place_id, place_name, wkb in change.query(
        f"SELECT id, name, {change.dialect.geometry_out} FROM panj_places WHERE dataset_id = ?", (dataset.id,))}
    actors = dict(change.query("SELECT name, id FROM panj_actors WHERE dataset_id = ?", (dataset.id,)))
    layer = places_layer_id(dataset.id)

    # The file's places and actors, renamed to the dataset's where they are the same, else to ids free in it.
    place_ids: dict[str, str] = {}
    held_places = {held: place_id for place_id, held in places.items()}
    new_places = []
    for place in imported.places.values():
        key = (place.name, shapely.to_wkb(place.geometry))
        place_id = held_places.get(key) or _free_id(place.id, places)
        if place_id not in places:
            places[place_id] = key
            held_places[key] = place_id
            new_places.append((place_id, place))
        place_ids[f"{layer}:{place.id}"] = f"{layer}:{place_id}"
    actor_ids: dict[str, str] = {}
    new_actors = []
    for term in imported.actors.values():
        actor_id = actors.get(term.name) or _free_id(term.id, set(actors.values()))
        if term.name not in actors:
            actors[term.name] = actor_id
            new_actors.append((actor_id, term))
        actor_ids[term.id] = actor_id

    added, revised, unchanged = [], [], 0
    revised_at: dict[str, float | None] = {}
    last_row = max((row_number for row_number, _, _ in stored.values()), default=0)
    for event in imported.events:
        entry = dict(event.entry, place=place_ids.get(event.entry["place"], event.entry["place"]),
                     actors=[actor_ids.get(actor, actor) for actor in event.entry["actors"]])
        revised_at[event.event.id] = revision_time(event.properties)
        held = stored.get(event.event.id)
        if held is None:
            added.append((event.event.id, dataset.id, last_row + event.row, entry, event.properties))
            continue
        new_time, old_time = revised_at[event.event.id], revision_time(held[2])
        newer = (new_time > old_time if new_time is not None and old_time is not None
                 else (_unplaced(entry), event.properties) != (_unplaced(held[1]), held[2]))
        if newer:
            revised.append((held[0], entry, event.properties, event.event.id))
        else:
            unchanged += 1
    deleted = []
    adding = {row[0] for row in added}
    for event_id, when in deletions.items():
        if event_id not in stored and event_id not in adding:
            continue
        deleted_at = revision_time({"timestamp": when})
        revived = revised_at.get(event_id)
        if revived is not None and deleted_at is not None and revived > deleted_at:
            continue  # the file revises it after its deletion: the revision stands
        deleted.append(event_id)
    gone = set(deleted)
    added = [row for row in added if row[0] not in gone]
    revised = [row for row in revised if row[3] not in gone]
    deleted = [event_id for event_id in deleted if event_id in stored]  # not those the file would have added

    change.insert("panj_places", ("dataset_id", "id", "name", "geometry"),
                  zip(repeat(dataset.id), (place_id for place_id, _ in new_places), (place.name for _, place in new_places),
                      change.geometries_in([place.geometry for _, place in new_places])))
    change.insert("panj_actors", ("dataset_id", "id", "name", "colour", "symbol"),
                  [(dataset.id, actor_id, term.name, term.colour, term.symbol) for actor_id, term in new_actors])
    for row_number, entry, properties, event_id in revised:
        change.execute("UPDATE panj_events SET row_number = ?, entry = ?, properties = ? WHERE id = ?",
                       (row_number, _json_text(entry), _json_text(properties), event_id))
    for event_id in deleted:
        change.execute("DELETE FROM panj_events WHERE id = ?", (event_id,))
    change.insert("panj_events", ("id", "dataset_id", "row_number", "entry", "properties"),
                  [(event_id, key, row_number, _json_text(entry), _json_text(properties))
                   for event_id, key, row_number, entry, properties in added])
    # Places and actors no event names any more go with the events that named them.
    remaining = [json.loads(entry) for (entry,) in change.query("SELECT entry FROM panj_events WHERE dataset_id = ?",
                                                                 (dataset.id,))]
    if not remaining:
        raise StoreError(f"the update would leave dataset {dataset.name!r} without events: delete it instead")
    named_places = {entry["place"] for entry in remaining}
    named_actors = {actor for entry in remaining for actor in entry["actors"]}
    for place_id in places:
        if f"{layer}:{place_id}" not in named_places:
            change.execute("DELETE FROM panj_places WHERE dataset_id = ? AND id = ?", (dataset.id, place_id))
    for actor_id in actors.values():
        if actor_id not in named_actors:
            change.execute("DELETE FROM panj_actors WHERE dataset_id = ? AND id = ?", (dataset.id, actor_id))
    return UpdateCounts(added=len(added), revised=len(revised), unchanged=unchanged, deleted=len(deleted),
                        rejected=len({line.row for line in imported.rejected}), row_count=len(remaining))


def _free_id(wanted: str, taken: Iterable[str]) -> str:
    taken = set(taken)
    candidate, number = wanted, 1
    while candidate in taken:
        number += 1
        candidate = f"{wanted}-{number}"
    return candidate


def _imported_dataset(session: _Session, name: str, done: str) -> Dataset:
    """The imported (not shipped) dataset ``name``; StoreError when there is none."""
    dataset = next((dataset for dataset in session.datasets() if dataset.name == name), None)
    if dataset is None:
        raise StoreError(f"no dataset called {name!r}")
    if dataset.shipped:
        raise StoreError(f"dataset {name!r} is shipped with a data directory (its events/ file): it cannot be "
                         f"{done} here; change or remove the file instead")
    return dataset


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a file is imported, as it was before after.

    An import allocates millions of short-lived dicts and lists and makes no reference cycles of
    its own; each full collection still walks every live object, which cost a third of a
    100,000-row import's CPU (docs/performance.md, "Imports at scale"). Objects are still freed
    as their last reference goes; cycles made meanwhile wait for the collector's next run."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _NotStored(Exception):
    """Raised inside ``Store.import_file``'s transaction to roll back a file that is not to be stored."""

    def __init__(self, imported: Imported):
        super().__init__(f"{imported.path} is not stored")
        self.imported = imported


# A chunk of an import as its rows' values: the places' (id, name, geometry as the database takes
# it) and the events' (id, row number, entry's JSON text, properties' JSON text), in file order.
_PreparedRows = tuple[list[tuple[str, str, bytes | str]], list[tuple[str, int, str, str]]]
# The same a column at a time, as Store.import_file's reading process sends it: the places' ids
# (joined by _PACKED_BY), names and geometries; the events' ids, row numbers, entries and properties
# (the ids and JSON texts joined by _PACKED_BY). A chunk is then a few objects to pickle instead of
# five a row (docs/performance.md, "Imports: less work a row").
_PackedRows = tuple[str, list[str], list[bytes | str], str, list[int], str, str]
_PACKED_BY = "\n"  # no id holds one (geo.layers.ID_PATTERN, dataset_id), and JSON text escapes it
# For PostgreSQL, a chunk's search rows' parts (_search_parts); SQLite's are made from the stored rows.
_SearchParts = list[tuple[str, str, str, str | None]]
_Chunk = tuple[_PackedRows, _SearchParts]  # what an import's reader makes of a chunk
_FORK = "fork"  # the start method _read_aside needs: the reader inherits the store's state and the file's name
_READ_DONE, _READ_ROWS, _READ_FAILED = "done", "rows", "failed"  # what the reading process sends


def _reads_aside() -> bool:
    """Whether an import reads its file in a process of its own (``_read_aside``): where processes
    fork, from a process running no other thread, which could hold a lock the copy would inherit
    (a server's import reads in one process)."""
    return _FORK in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _read_aside(read: Callable[..., Imported], prepare: Callable[[list[ImportedEvent], list[Place]], _Chunk],
                write: Callable[[_Chunk], None]) -> Imported:
    """``read(sink=...)`` run in a forked process of its own, each chunk it reads ``prepare``d
    there and sent back to be ``write``n here, so that reading and checking the file (Python, one
    core) and the database's inserting and indexing (the other) overlap (docs/performance.md,
    "Imports in two processes"; PostgreSQL's: "Publishing and PostGIS imports at a million").
    Gives what ``read`` gave; raises what it raised. The pipe holds about one chunk: the reader
    waits while this process writes, so memory stays bounded. The reader never touches the
    store's connection, and ends with the import, whichever way (``os._exit``: its copy of the
    connection is never closed). Called only where no other thread runs (``_reads_aside``)."""
    context = multiprocessing.get_context(_FORK)
    received, sending = context.Pipe(duplex=False)
    reader = context.Process(target=_read_and_send, args=(read, prepare, sending), daemon=True)
    reader.start()
    sending.close()  # this process's copy: the reader's end alone keeps the pipe open
    kind = _READ_ROWS
    try:
        while kind == _READ_ROWS:
            try:
                kind, payload = received.recv()
            except EOFError:
                raise StoreError("the process reading the file ended without its result") from None
            if kind == _READ_ROWS:
                write(payload)
        if kind == _READ_FAILED:
            raise payload
        return payload
    finally:
        received.close()
        if kind == _READ_ROWS and reader.is_alive():  # this side failed first: the reader's work is not wanted
            reader.terminate()
        reader.join()


def _read_and_send(read: Callable[..., Imported],
                   prepare: Callable[[list[ImportedEvent], list[Place]], _Chunk], sending: Any) -> None:
    """The reading process of ``_read_aside``: its chunks, then its result or its error."""
    try:
        imported = read(sink=lambda events, places: sending.send((_READ_ROWS, prepare(events, places))))
        sending.send((_READ_DONE, imported))
    except BaseException as error:  # every failure, KeyboardInterrupt too, is the importing process's to raise
        with suppress(OSError):  # the importing process may have stopped listening
            try:
                sending.send((_READ_FAILED, error))
            except (pickle.PicklingError, TypeError, AttributeError):  # an error that cannot be pickled goes as its text
                sending.send((_READ_FAILED, StoreError(f"reading the file failed: {error!r}")))
    finally:
        sending.close()


def _place_rows(session: _Session, places: Sequence[Place]) -> list[tuple[str, str, bytes | str]]:
    return list(zip((place.id for place in places), (place.name for place in places),
                    session.geometries_in([place.geometry for place in places]), strict=True))


def _event_rows(events: Iterable[ImportedEvent]) -> list[tuple[str, int, str, str]]:
    return [(event.event.id, event.row, _json_text(event.entry), _json_text(event.properties)) for event in events]


def _packed_rows(session: _Session, events: Sequence[ImportedEvent], places: Sequence[Place]) -> _PackedRows:
    return (_PACKED_BY.join([place.id for place in places]), [place.name for place in places],
            session.geometries_in([place.geometry for place in places]),
            _PACKED_BY.join([event.event.id for event in events]), [event.row for event in events],
            _PACKED_BY.join([_json_text(event.entry) for event in events]),
            _PACKED_BY.join([_json_text(event.properties) for event in events]))


def _unpacked_rows(rows: _PackedRows) -> _PreparedRows:
    place_ids, names, geometries, event_ids, numbers, entries, properties = rows

    def column(text: str) -> list[str]:
        return text.split(_PACKED_BY) if text else []
    return (list(zip(column(place_ids), names, geometries, strict=True)),
            list(zip(column(event_ids), numbers, column(entries), column(properties), strict=True)))


def _insert_places(session: _Session, key: str, rows: Sequence[tuple[str, str, bytes | str]]) -> None:
    session.insert("panj_places", ("dataset_id", "id", "name", "geometry"), ((key, *row) for row in rows))


def _insert_events(session: _Session, key: str, rows: Sequence[tuple[str, int, str, str]]) -> None:
    session.insert("panj_events", ("id", "dataset_id", "row_number", "entry", "properties"),
                   ((event_id, key, row, entry, properties) for event_id, row, entry, properties in rows))


def _insert_search(session: _Session, key: str, events: Sequence[ImportedEvent], places: Sequence[Place]) -> None:
    """The search rows ``_index_events`` would make of ``events``, just written to dataset ``key``,
    made from the rows in hand instead of read back: ``places`` are the places written with them."""
    _insert_search_parts(session, key, _search_parts(key, events), {place.id: place.name for place in places})


def _search_parts(key: str, events: Sequence[ImportedEvent]) -> _SearchParts:
    """Each event's search row of dataset ``key`` but its own place's name: (id, place, the folded
    title and summary each followed by the separator, the id of its place when it is one of the
    dataset's own, else None). Needs no store: an import's reading process makes them."""
    own = places_layer_id(key) + ":"
    return [(event.event.id, event.entry["place"],
             _searched_text(event.entry.get("title"), event.entry.get("summary"), None),
             event.entry["place"][len(own):] if event.entry["place"].startswith(own) else None)
            for event in events]


def _insert_search_parts(session: _Session, key: str, parts: _SearchParts, names: Mapping[str, str]) -> None:
    """Insert the search rows of ``parts`` (``_search_parts``), each text completed by the name of
    its own place: from ``names`` (the places written with them) or, for the dataset's places
    written before, read by id."""
    needed = {place_id for *_, place_id in parts if place_id is not None}
    names = {place_id: names[place_id] for place_id in needed & names.keys()}
    wanted = sorted(needed - names.keys())
    for start in range(0, len(wanted), _IDS_PER_QUERY):
        part = wanted[start:start + _IDS_PER_QUERY]
        names.update(session.query(f"SELECT id, name FROM panj_places WHERE dataset_id = ? AND id IN "
                                   f"({', '.join('?' for _ in part)})", (key, *part)))
    # searched_text's last field is the place's name: the text without it ends with the separator.
    folded_names = {place_id: searchtext.folded(name) for place_id, name in names.items() if isinstance(name, str)}
    session.insert("panj_search", ("event_id", "place", "text"), [
        (event_id, place, text + folded_names.get(place_id, "") if place_id is not None else text)
        for event_id, place, text, place_id in parts])


def _remove(session: _Session, key: str) -> None:
    for table in _DATASET_TABLES:
        session.execute(f"DELETE FROM {table} WHERE dataset_id = ?", (key,))
    session.execute("DELETE FROM panj_datasets WHERE id = ?", (key,))


_INDEX_BATCH = 20_000  # events folded and sent to PostgreSQL at a time while filling the search


def _index_events(session: _Session, dataset_key: str | None = None, *, rows: tuple[int, int] | None = None) -> None:
    """Give each event of dataset ``dataset_key`` (None: of every dataset; ``rows``: only those of
    its row numbers from the first to the last given) that has no search row one, read from the
    events as stored, whoever wrote them and however: its folded title, summary and own place's
    name (``geo.searchtext``), and the place it names. SQLite folds inside one INSERT (the
    writer's ``panj_searched_text``): one statement for many rows, as FTS5 writes its pending
    index out at the end of each statement (docs/performance.md, "Imports at scale"); PostgreSQL
    cannot call Python, so the rows are read through a server-side cursor, folded here and copied
    back a batch at a time."""
    def field(name: str) -> str:
        return session.dialect.json_text.format(column="e.entry", field=name)

    # An own place's reference is "<places_layer_id(dataset id)>:<place id>", made here in SQL.
    own = "'" + places_layer_id("' || e.dataset_id || '") + ":'"
    source = (f"FROM panj_events e LEFT JOIN panj_places p ON p.dataset_id = e.dataset_id "
              f"AND p.id = substr({field('place')}, length({own}) + 1) "
              f"AND substr({field('place')}, 1, length({own})) = {own} "
              "WHERE NOT EXISTS (SELECT 1 FROM panj_search s WHERE s.event_id = e.id)"
              + (" AND e.dataset_id = ?" if dataset_key is not None else "")
              + (" AND e.row_number BETWEEN ? AND ?" if rows is not None else ""))
    parameters = (*(() if dataset_key is None else (dataset_key,)), *(rows or ()))
    columns = ("event_id", "place", "text")
    if session.dialect is _SQLITE:
        session.execute(f"INSERT INTO panj_search ({', '.join(columns)}) SELECT e.id, {field('place')}, "
                        f"{_SEARCHED_TEXT}({field('title')}, {field('summary')}, p.name) {source}", parameters)
        return
    with session.connection.cursor(name="panj_index_events") as cursor:
        cursor.execute(f"SELECT e.id, {field('place')}, {field('title')}, {field('summary')}, p.name "
                       f"{source}".replace("?", "%s"), parameters)
        while batch := cursor.fetchmany(_INDEX_BATCH):
            session.insert("panj_search", columns, [(event_id, place, _searched_text(title, summary, place_name))
                                                    for event_id, place, title, summary, place_name in batch])


def _search_statement(dialect: _Dialect, words: Sequence[str], places: Mapping[str, str], *,
                      by_row: bool = False) -> tuple[str, list[Any]]:
    """The SELECT of the event ids matching every one of ``words`` (folded), as one text joined by
    ``_IDS_JOINED_BY`` (NULL for none), and its parameters; ``by_row`` (SQLite): their rows in
    ``panj_search`` instead, joined by commas. One text instead of a row per event:
    at a million events a search finds some 140,000, whose rows as Python tuples cost a fifth of
    the search's time (docs/performance.md, "The server's part of a search").

    A word is looked for in the folded text, or else in the place column among the references of
    ``places`` whose text holds it. SQLite: for a word of three characters or more, the FTS5
    trigram index gives the rows holding the trigrams that cover it (``_trigram_query``: every row
    holding the word, and perhaps a few more) and instr() keeps those whose text holds the word itself; the words no place holds
    ask the index together, which intersects them. A shorter word has no trigram: a scan with
    instr(). (Asking the index GLOB '*word*' instead has FTS5 read back each candidate's text
    through the content table, twice the time: docs/performance.md, "Search at a million
    events".) PostgreSQL: LIKE '%word%', which pg_trgm's GIN index answers for three characters
    or more and a scan for fewer."""
    conditions: list[str] = []
    parameters: list[Any] = []
    indexed = []  # SQLite: words no place holds, looked up in the index together
    for word in words:
        refs = searchtext.places_with(word, places)
        if dialect is _SQLITE:
            if len(word) >= _TRIGRAM and not refs:
                indexed.append(word)
                continue
            found, values = "instr(s.text, ?) > 0", [word]
            if len(word) >= _TRIGRAM:
                found = f"(s.row IN (SELECT rowid FROM panj_search_fts WHERE panj_search_fts MATCH ?) AND {found})"
                values = [_trigram_query([word]), word]
            placed, listed = "s.place IN (SELECT value FROM json_each(?))", json.dumps(refs)
        else:
            found, values = "s.text LIKE ?", [_like_pattern(word)]
            placed, listed = "s.place = ANY(?)", refs
        conditions.append(f"({found} OR {placed})" if refs else found)
        parameters += [*values, listed] if refs else values
    if indexed:  # a subquery, run once: joined to the index, SQLite would ask it again for every row
        conditions[:0] = ["s.row IN (SELECT rowid FROM panj_search_fts WHERE panj_search_fts MATCH ?)",
                          *("instr(s.text, ?) > 0" for _ in indexed)]
        parameters[:0] = [_trigram_query(indexed), *indexed]
    if by_row:
        joined = "group_concat(s.row)"
    else:
        joined = (f"group_concat(s.event_id, char({ord(_IDS_JOINED_BY)}))" if dialect is _SQLITE
                  else f"string_agg(s.event_id, chr({ord(_IDS_JOINED_BY)}))")
    return f"SELECT {joined} FROM panj_search s WHERE {' AND '.join(conditions)}", parameters


def _trigram_query(words: Sequence[str]) -> str:
    """An FTS5 query for the rows holding trigrams of ``words`` (each of three characters or more)
    that cover every character of each, side by side and the last one ending the word ("bad",
    "akh", "sha", "han" of "badakhshan"): each trigram a string of its own, its double quotes
    doubled, all of them required. Every row holding the word holds them; instr() then checks the
    word itself, so the overlapping trigrams between them would only narrow the candidates, and at
    a million events they do not, while reading their lists costs (docs/performance.md, "Search by
    row")."""
    trigrams = dict.fromkeys(word[start:start + _TRIGRAM] for word in words
                             for start in (*range(0, len(word) - _TRIGRAM, _TRIGRAM), len(word) - _TRIGRAM))
    return " ".join('"' + trigram.replace('"', '""') + '"' for trigram in trigrams)


def _like_pattern(word: str) -> str:
    """A LIKE pattern finding ``word`` anywhere, its own wildcards and escape character escaped."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _check_free(session: _Session, name: str, key: str) -> None:
    """StoreError when a dataset already has the name ``name`` or the id ``key``."""
    taken = session.query("SELECT name FROM panj_datasets WHERE name = ? OR id = ?", (name, key))
    if taken:
        raise StoreError(f"dataset {name!r} (id {key!r}) clashes with dataset {taken[0][0]!r}: "
                         "choose another name, or rename or delete that one")


def _store_dataset(session: _Session, name: str, imported: Imported, *, source_file: str, licence: str,
                   shipped_from: str | None, keep_good: bool = False) -> Dataset:
    """Insert ``imported`` as dataset ``name`` inside ``session``'s transaction."""
    if not (imported.ok or keep_good and imported.accepted):
        raise ImportFileError(imported.problems() or [Problem(imported.path, "file", None, "no events to import")])
    if dataset_id(name) != imported.dataset_id:
        raise StoreError(f"{imported.path} was read for dataset id {imported.dataset_id!r}, not {name!r}'s")
    dataset = Dataset(
        id=imported.dataset_id, name=name.strip(), format=imported.format, source_file=source_file,
        source_sha256=imported.sha256, imported_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        row_count=imported.accepted, licence=licence, shipped=shipped_from is not None,
    )
    _check_free(session, dataset.name, dataset.id)
    session.execute(
        f"INSERT INTO panj_datasets ({', '.join(_DATASET_COLUMNS)}, document, shipped_from) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (dataset.id, dataset.name, dataset.format, dataset.source_file, dataset.source_sha256,
         dataset.imported_at.isoformat(), dataset.row_count, dataset.licence, int(dataset.shipped),
         json.dumps(imported.document, ensure_ascii=False), shipped_from),
    )
    session.insert("panj_actors", ("dataset_id", "id", "name", "colour", "symbol"),
                   [(dataset.id, term.id, term.name, term.colour, term.symbol) for term in imported.actors.values()])
    # A streamed import (Store.import_file) has written its places and events already.
    _insert_places(session, dataset.id, _place_rows(session, list(imported.places.values())))
    _insert_events(session, dataset.id, _event_rows(imported.events))
    # SQLite folds the search rows inside one INSERT from what was stored, faster than rows sent
    # from here (docs/performance.md, "Imports at scale"); PostgreSQL's are made from the rows in
    # hand, a chunk at a time, instead of read back. A streamed import's have been made already.
    if session.dialect is _POSTGIS:
        _insert_search(session, dataset.id, imported.events, list(imported.places.values()))
    elif imported.events:
        _index_events(session, dataset.id)
    return dataset


def _check_restorable(session: _Session, row: dict[str, Any], event_ids: list[str]) -> None:
    """StoreError naming each clash of the trashed dataset ``row`` with what the store holds now."""
    clashes = []
    document_id = json.loads(row["document"])["id"]
    for held_name, held_id, document in session.query("SELECT name, id, document FROM panj_datasets"):
        if held_name == row["name"]:
            clashes.append("another dataset has taken its name")
        elif held_id == row["id"]:
            clashes.append(f"its id {row['id']!r} is dataset {held_name!r}'s")
        if json.loads(document)["id"] == document_id and held_id != row["id"]:
            clashes.append(f"its document id {document_id!r} is dataset {held_name!r}'s")
    wanted = set(event_ids)  # compared here: a dataset may have more events than a statement takes parameters
    taken = sorted((event_id, name) for event_id, name in session.query(
        "SELECT panj_events.id, panj_datasets.name FROM panj_events "
        "JOIN panj_datasets ON panj_datasets.id = panj_events.dataset_id") if event_id in wanted)
    clashes += [f"its event {event_id!r} is in dataset {name!r}" for event_id, name in taken[:5]]
    if len(taken) > 5:
        clashes.append(f"{len(taken) - 5} more of its events are in other datasets")
    if clashes:
        raise StoreError(f"dataset {row['name']!r} cannot be restored: {'; '.join(clashes)}")


def _documents(datasets: dict[str, Dataset], rows: list[tuple[Any, ...]]) -> tuple[dict[str, Document], dict[str, str]]:
    """The documents of ``datasets`` (their rows: dataset id, document block) by id, and each
    dataset's document id."""
    documents, document_of = {}, {}
    for dataset_key, document in rows:
        block = json.loads(document)
        if datasets[dataset_key].format != "panj":  # the dataset is the document: it takes its name
            block["title"] = datasets[dataset_key].name
        documents[block["id"]] = _document(block)
        document_of[dataset_key] = block["id"]
    return documents, document_of


def _event_columns(session: _Session, datasets: dict[str, Dataset], revision: int, actor_rows: list[tuple[Any, ...]],
                   document_rows: list[tuple[Any, ...]], layers: Mapping[str, Layer], vocabulary: Vocabulary,
                   path: Path) -> StoredColumns:
    """``Store.events(columns=True)`` of ``datasets`` (by id) in ``session``."""
    own_actors = _namespaced_actors(actor_rows, vocabulary, datasets)
    actors = {term.id: term for terms in own_actors.values() for term in terms.values()}
    documents, document_of = _documents(datasets, document_rows)
    places = _place_columns(session, datasets, layers, _COLUMNS_BATCH)
    known = Vocabulary({**vocabulary.actors, **actors}, vocabulary.event_types)
    names = {key: dataset.name for key, dataset in datasets.items()}
    reader = _EntryReader(names, document_of, own_actors)
    extras = [session.dialect.json_value.format(column="e.properties", field=field)
              for field in (fatalities.COLUMN, *SOURCE_DATE_PRECISIONS)]
    # SQLite: each event's row in the search's table too (Store.search's rows_at), through the
    # table's index of event ids: 0.4 s of CPU at a million events. PostgreSQL's has no such number.
    search_row, search_join = (("ifnull(s.row, -1)", " LEFT JOIN panj_search s ON s.event_id = e.id")
                               if session.dialect is _SQLITE else ("-1", ""))
    if datasets:
        for rows in session.batches(f"SELECT e.dataset_id, e.id, e.entry, {search_row}, {', '.join(extras)} "
                                    f"FROM panj_events e{search_join} "
                                    f"WHERE e.dataset_id IN ({', '.join('?' for _ in datasets)}) "
                                    "ORDER BY e.dataset_id, e.row_number", tuple(datasets), _COLUMNS_BATCH):
            reader.read(rows, path, known, places.refs)
    table = reader.table()
    failing = _failing_rows(table, known, places.refs)
    if len(failing) or reader.problems:
        raise StoredDataError(reader.problems + _row_problems(session, table.take(failing), path, names, document_of,
                                                              own_actors, known, places.refs))
    return StoredColumns(table.drop_columns(["dataset_key"]), documents, actors, places, revision,
                         sorted(datasets.values(), key=lambda dataset: dataset.name),
                         reader.search_rows() if session.dialect is _SQLITE else None)


def _place_columns(session: _Session, datasets: dict[str, Dataset], layers: Mapping[str, Layer],
                   batch_size: int) -> PlaceColumns:
    """The places of ``layers`` and of ``datasets`` (read a batch at a time) as ``PlaceColumns``."""
    refs = [pa.array([f"{layer_id}:{feature_id}" for feature_id in layer.frame.index], pa.string())
            for layer_id, layer in layers.items()]
    geometries = [layer.frame.geometry.to_numpy() for layer in layers.values()]
    kinds: dict[str, dict[int, str]] = {}  # dataset id -> its places' kinds (type id -> geom_type)
    extended: dict[str, list[tuple[str, str, bytes]]] = {}  # dataset id -> its areas' and lines' rows
    chosen = list(datasets)
    if chosen:
        for rows in session.batches(f"SELECT dataset_id, id, name, {session.dialect.geometry_out} FROM panj_places "
                                    f"WHERE dataset_id IN ({', '.join('?' for _ in chosen)}) ORDER BY dataset_id, id",
                                    tuple(chosen), batch_size):
            shapes = shapely.from_wkb([bytes(row[3]) for row in rows])
            refs.append(pa.array([f"{places_layer_id(row[0])}:{row[1]}" for row in rows], pa.string()))
            geometries.append(shapes)
            types = shapely.get_type_id(shapes)
            for position in np.flatnonzero(types != int(shapely.GeometryType.POINT)):
                row = rows[position]
                extended.setdefault(row[0], []).append((row[1], row[2], bytes(row[3])))
            for key, type_id, position in zip(*_first_of_each(np.array([row[0] for row in rows], dtype=object), types),
                                              strict=True):
                kinds.setdefault(key, {}).setdefault(type_id, shapes[position].geom_type)
    places = {places_layer_id(key): _places_layer(datasets[key], extended.get(key, []), set(found.values()))
              for key, found in kinds.items()}
    return PlaceColumns(pa.concat_arrays(refs) if refs else pa.array([], pa.string()),
                        np.concatenate(geometries) if geometries else np.empty(0, dtype=object), places)


def _first_of_each(keys: np.ndarray, types: np.ndarray) -> tuple[list[Any], list[int], list[int]]:
    """Each (key, type) pair of the rows once: the key, the type and the first row holding it."""
    pairs = pd.DataFrame({"key": keys, "type": types}).drop_duplicates()
    return pairs["key"].tolist(), pairs["type"].tolist(), pairs.index.tolist()


class _EntryReader:
    """Stored rows (dataset id, event id, entry, search row, fatalities, the source dates' precisions)
    parsed into ``EVENT_COLUMNS`` a batch at a time by Arrow's JSON reader (each entry is one line
    of JSON text: json.dumps writes no line breaks), their properties' values read once per
    distinct value."""

    def __init__(self, names: dict[str, str], document_of: dict[str, str], own_actors: dict[str, dict[str, Term]]):
        self.problems: list[Problem] = []
        self._names, self._document_of, self._own_actors = names, document_of, own_actors
        self._tables: list[pa.Table] = []
        self._search_rows: list[np.ndarray] = []
        self._values: dict[str | None, Any] = {None: None}

    def read(self, rows: list[tuple[Any, ...]], path: Path, known: Vocabulary, place_refs: pa.Array) -> None:
        try:
            parsed = pa_json.read_json(BytesIO("\n".join(row[2] for row in rows).encode()),
                                       parse_options=_ENTRY_PARSING)
        except pa.ArrowInvalid as error:  # a row not as an import writes it: the event model says how
            problems = [problem for row in rows for problem in _entry_problems(
                row, path, self._names, self._document_of, self._own_actors, known, place_refs)]
            if not problems:
                raise StoreError(f"the events stored at {path} could not be read: {error}") from None
            self.problems += problems
            return
        keys = [row[0] for row in rows]
        fatality = [self._value(row[4]) for row in rows]
        precision = [source_date_precision({field: value for field, value in zip(SOURCE_DATE_PRECISIONS, values,
                                                                                 strict=True) if value is not None})
                     if any(value is not None for value in values) else None
                     for values in ([self._value(text) for text in row[5:]] for row in rows)]
        self._search_rows.append(np.fromiter((row[3] for row in rows), dtype=np.int64, count=len(rows)))
        self._tables.append(parsed.append_column("dataset", pa.array([self._names[key] for key in keys], pa.string()))
                            .append_column("document", pa.array([self._document_of[key] for key in keys], pa.string()))
                            .append_column("fatalities", pa.array([None if value is None else float(value)
                                                                   for value in fatality], pa.float64()))
                            .append_column("source_precision", pa.array(precision, pa.string()))
                            .append_column("dataset_key", pa.array(keys, pa.string())))

    def _value(self, text: str | None) -> Any:
        """A property's value from its JSON text (None when the property is absent), each text parsed once."""
        if text not in self._values:
            self._values[text] = json.loads(text)
        return self._values[text]

    def search_rows(self) -> np.ndarray:
        """The rows' search rows, in the order read."""
        return np.concatenate(self._search_rows) if self._search_rows else np.empty(0, dtype=np.int64)

    def table(self) -> pa.Table:
        """The rows read, each dataset's own actors named by their ids of ``own_actors``."""
        schema = EVENT_COLUMNS.append(pa.field("dataset_key", pa.string()))
        table = pa.concat_tables(self._tables).combine_chunks() if self._tables else schema.empty_table()
        actors = _list_column(table)
        owners = pc.dictionary_encode(pc.take(table.column("dataset_key").combine_chunks(),
                                              pc.list_parent_indices(actors)))
        values = pc.dictionary_encode(pc.list_flatten(actors))
        width = max(len(values.dictionary), 1)
        pairs, codes = np.unique(owners.indices.to_numpy().astype(np.int64) * width + values.indices.to_numpy(),
                                 return_inverse=True)
        keys, actor_ids = owners.dictionary.to_pylist(), values.dictionary.to_pylist()
        named = [self._own_actors.get(keys[pair // width], {}).get(actor_ids[pair % width]) for pair in pairs.tolist()]
        named = [term.id if term is not None else actor_ids[pair % width] for term, pair in zip(named, pairs.tolist(),
                                                                                                 strict=True)]
        renamed = pa.ListArray.from_arrays(actors.offsets, pa.array(named, pa.string()).take(pa.array(codes)),
                                           mask=actors.is_null())
        return table.set_column(table.schema.get_field_index("actors"), "actors", renamed)


def _list_column(table: pa.Table) -> pa.ListArray:
    """The ``actors`` column of ``table`` as one array."""
    return table.column("actors").combine_chunks()


def _failing_rows(table: pa.Table, known: Vocabulary, place_refs: pa.Array) -> np.ndarray:
    """The rows of ``table`` (``Store.events(columns=True)``) the layers or the vocabulary refuse now: an
    actor, event type or place they do not know (or a field missing that the rest needs)."""
    actors = _list_column(table)
    unknown_actor = ~pc.is_in(pc.list_flatten(actors), value_set=pa.array(list(known.actors), pa.string())).to_numpy(
        zero_copy_only=False)
    bad = np.zeros(table.num_rows, dtype=bool)
    bad[pc.list_parent_indices(actors).to_numpy()[unknown_actor]] = True
    bad |= pc.fill_null(pc.list_value_length(actors), 0).to_numpy(zero_copy_only=False) == 0
    checks = {"event_type": pa.array(list(known.event_types), pa.string()), "place": place_refs,
              "status": None, "location_precision": None, "id": None}
    for column, value_set in checks.items():
        values = table.column(column)
        found = pc.is_valid(values) if value_set is None else pc.is_in(values, value_set=value_set)
        bad |= ~pc.fill_null(found, False).to_numpy(zero_copy_only=False)
    bad |= ~pc.is_valid(pc.coalesce(table.column("start"), table.column("reported"))).to_numpy(zero_copy_only=False)
    return np.flatnonzero(bad)


def _row_problems(session: _Session, rows: pa.Table, path: Path, names: dict[str, str], document_of: dict[str, str],
                  own_actors: dict[str, dict[str, Term]], known: Vocabulary, place_refs: pa.Array) -> list[Problem]:
    """What ``geo.events.parse_event`` finds wrong with the stored rows of ``rows`` (read again by id)."""
    ids, keys = rows.column("id").to_pylist(), rows.column("dataset_key").to_pylist()
    problems = []
    for start in range(0, len(ids), _IDS_PER_QUERY):
        chunk = ids[start:start + _IDS_PER_QUERY]
        found = dict(session.query(f"SELECT id, entry FROM panj_events WHERE id IN ({', '.join('?' for _ in chunk)})",
                                   tuple(chunk)))
        for event_id, key in zip(chunk, keys[start:start + _IDS_PER_QUERY], strict=True):
            problems += _entry_problems((key, event_id, found[event_id]), path, names, document_of, own_actors,
                                        known, place_refs)
    return problems


def _entry_problems(row: tuple[Any, ...], path: Path, names: dict[str, str], document_of: dict[str, str],
                    own_actors: dict[str, dict[str, Term]], known: Vocabulary, place_refs: pa.Array) -> list[Problem]:
    """What ``geo.events.parse_event`` finds wrong with one stored row (dataset id, event id, entry),
    as ``Store.events`` reports it."""
    key, event_id, entry = row[:3]
    raw = json.loads(entry)
    own = own_actors.get(key)
    if own and isinstance(raw.get("actors"), list):
        raw["actors"] = [own[actor].id if isinstance(actor, str) and actor in own else actor
                         for actor in raw["actors"]]
    place = raw.get("place")
    refs = {place} if isinstance(place, str) and pc.is_in(pa.array([place]), value_set=place_refs)[0].as_py() else set()
    problems: list[Problem] = []
    parse_event(raw, path=path, item=f"dataset {names[key]!r} event {event_id!r}", document_id=document_of[key],
                vocabulary=known, place_refs=refs, problems=problems)
    return problems


def _namespaced_actors(rows: list[tuple[Any, ...]], vocabulary: Vocabulary,
                       datasets: dict[str, Dataset]) -> dict[str, dict[str, Term]]:
    """Dataset id -> its own terms by their stored id, each with an id of its own: the dataset's
    id before the term's (still an id of geo.layers.ID_PATTERN, so it goes into a URL as it is).
    Two such ids can meet (dataset "a-b" term "c", dataset "a" term "b-c"): the later dataset by
    name then takes a numbered one."""
    taken = set(vocabulary.actors) | {"all"}  # "all" is the URL's every-actor value (geo.filters)
    own: dict[str, dict[str, Term]] = {}
    order = sorted(datasets, key=lambda key: datasets[key].name)
    by_dataset: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_dataset.setdefault(row[0], []).append(row)
    for key in order:
        for _, term_id, name, colour, symbol in by_dataset.get(key, []):
            candidate, number = f"{key}-{term_id}", 1
            while candidate in taken:
                number += 1
                candidate = f"{key}-{term_id}-{number}"
            taken.add(candidate)
            own.setdefault(key, {})[term_id] = Term(candidate, name, colour, symbol)
    return own


def _places(datasets: dict[str, Dataset], rows: list[tuple[Any, ...]]) -> dict[str, Layer]:
    by_dataset: dict[str, list[tuple[str, str, bytes]]] = {}
    for dataset_key, place_id, name, wkb in rows:
        by_dataset.setdefault(dataset_key, []).append((place_id, name, bytes(wkb)))
    return {places_layer_id(key): _places_layer(datasets[key], found) for key, found in by_dataset.items()}


def _document(block: dict[str, Any]) -> Document:
    return Document(id=block["id"], title=block["title"], publisher=block["publisher"],
                    date=PartialDate.parse(block["date"]), volume=block.get("volume"), issue=block.get("issue"),
                    url=block.get("url"))


def _places_layer(dataset: Dataset, rows: list[tuple[str, str, bytes]], kinds: set[str] | None = None) -> Layer:
    """A dataset's own places as a layer, so geo.join finds them as it finds the manifest's features;
    its kind of geometry that of ``kinds`` (the geom_type of every place of the dataset) when
    ``rows`` are some of them."""
    geometries = shapely.from_wkb([wkb for _, _, wkb in rows])
    kinds = {kind.removeprefix("Multi") for kind in (kinds or {geometry.geom_type for geometry in geometries})}
    spec = LayerSpec(
        id=places_layer_id(dataset.id), title=f"Places of {dataset.name}",
        geometry=kinds.pop() if len(kinds) == 1 else "Point", group="context", visible=False, style={},
        label_field="name", source=dataset.source_file, license=dataset.licence, attribution=dataset.name,
        derivation=f"imported by panj import on {dataset.imported_at:%Y-%m-%d}",
    )
    frame = gpd.GeoDataFrame({"name": [name for _, name, _ in rows]}, geometry=geometries,
                             index=[place_id for place_id, _, _ in rows], crs="EPSG:4326")
    features = [{"type": "Feature", "geometry": json.loads(shapely.to_geojson(geometry)),
                 "properties": {"id": place_id, "name": name}}
                for (place_id, name, _), geometry in zip(rows, geometries, strict=True)]
    return Layer(spec=spec, frame=frame, features=features)


# --- the shipped events --------------------------------------------------------------------------

def load_shipped(store: Store, layers_dir: Path = LAYERS_DIR, *, by: str = "start-up") -> list[Dataset]:
    """Make each ``layers_dir/events/*.json`` a shipped dataset named after its file, in one
    transaction logged as made ``by``: imported when absent, replaced when the file changed (its
    SHA-256 differs), else left alone; a shipped dataset of this directory whose file is gone is
    deleted. Shipped datasets of another data directory are left as they are, and so is an
    imported dataset named like a file (a warning says so). Returns the datasets imported or
    replaced; ImportFileError when a shipped file is invalid or repeats a stored event."""
    layers_dir = Path(layers_dir)
    directory = str(layers_dir.resolve())
    files = {path.stem: path for path in sorted((layers_dir / EVENTS_DIR_NAME).glob("*.json"))}
    changed = []
    with store._transaction(write=True, by=by) as change:
        origin = dict(change.query("SELECT name, shipped_from FROM panj_datasets WHERE shipped = 1"))
        stored = {dataset.name: dataset for dataset in change.datasets()}
        sha256 = {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in files.items()}
        # Version 1 did not record a shipped dataset's directory: a load claims one only when it
        # has a file of that name, and never deletes one (it may be another directory's: a second
        # server on the same store).
        ours = {name for name, shipped_from in origin.items()
                if shipped_from == directory or (shipped_from is None and name in files)}
        for name in sorted(name for name in ours - set(files) if origin[name] == directory):
            _remove(change, stored[name].id)
            change.log("delete", name)
        for name, path in files.items():
            current = stored.get(name)
            if current is not None and not current.shipped:
                logger.warning("%s: not loaded: an imported dataset is called %r (rename it to load the file)",
                               path, name)
                continue
            if current is not None and name not in ours:
                logger.warning("%s: not loaded: dataset %r is shipped from %s", path, name, origin[name])
                continue
            if current is not None and origin[name] == directory and current.source_sha256 == sha256[name]:
                continue
            if current is not None:
                _remove(change, current.id)
            imported = read_file(path, dataset_name=name, file_format="panj", layers_dir=layers_dir,
                                 existing=_existing(change))
            changed.append(_store_dataset(change, name, imported, source_file=f"{EVENTS_DIR_NAME}/{path.name}",
                                          licence=SHIPPED_LICENCE, shipped_from=directory))
            change.log("import" if current is None else "update", name)
    return changed


def shipped_datasets(layers_dir: Path = LAYERS_DIR) -> tuple[list[Dataset], StoredEvents]:
    """The shipped datasets of ``layers_dir/events/*.json``, read from their files (nothing is
    written): each file a dataset named after it, dated by the file's modification time. Raises
    the events loader's EventsError listing every problem."""
    layers_dir = Path(layers_dir)
    vocabulary = load_vocabulary(layers_dir)
    events = load_events(layers_dir, vocabulary=vocabulary, place_refs=feature_refs(load_layers(layers_dir)))
    documents = load_documents(layers_dir)
    datasets, file_of = [], {}
    for path in sorted((layers_dir / EVENTS_DIR_NAME).glob("*.json")):
        data = path.read_bytes()
        document_id = json.loads(data)["document"]["id"]  # load_documents checked it
        file_of[document_id] = path.stem
        datasets.append(Dataset(
            id=dataset_id(path.stem), name=path.stem, format="panj", source_file=f"{EVENTS_DIR_NAME}/{path.name}",
            source_sha256=hashlib.sha256(data).hexdigest(),
            imported_at=dt.datetime.fromtimestamp(int(path.stat().st_mtime), dt.UTC),
            row_count=sum(event.document == document_id for event in events),
            licence=SHIPPED_LICENCE, shipped=True,
        ))
    dataset_of = {event.id: file_of[event.document] for event in events}
    return datasets, StoredEvents(events, documents, {}, {}, {event.id: {} for event in events}, dataset_of, 0, datasets)


def event_clashes(layers_dir: Path, store: Store | None, stored: Sequence[Dataset], files: Sequence[Dataset],
                  shipped: StoredEvents, held: Mapping[str, str]) -> list[Problem]:
    """What keeps the shipped ``files`` (of ``layers_dir/events/``, their events ``shipped``) and the
    ``stored`` datasets of ``store`` from being shown together: a name both use, an event id both
    hold (``held``: event id -> stored dataset, for at least the shipped events' ids)."""
    chosen = {dataset.name for dataset in files}
    problems = []
    for dataset in stored:
        if dataset.name in chosen:
            assert store is not None  # stored datasets come from it
            problems.append(Problem(layers_dir / EVENTS_DIR_NAME / f"{dataset.name}.json", "file", None,
                                    f"an imported dataset of the store at {store.location} is called "
                                    f"{dataset.name!r} too: rename it (panj datasets --rename)"))
    for event in shipped.events:
        name = shipped.dataset_of[event.id]
        if name in chosen and event.id in held:
            problems.append(Problem(layers_dir / EVENTS_DIR_NAME / f"{name}.json", f"event {event.id!r}", "id",
                                    f"also an event of dataset {held[event.id]!r} in the store"))
    return problems


def joined_events(store: Store | None, layers_dir: Path = LAYERS_DIR,
                  dataset_names: Iterable[str] | None = None,
                  stretches: Sequence[Stretch] | None = None) -> tuple[gpd.GeoDataFrame, StoredEvents]:
    """The events the page and the read commands show, joined to the layers of ``layers_dir``
    and to the datasets' own places, with a ``dataset`` column: the store's imported datasets
    (read in one transaction; none when ``store`` is None) and the shipped datasets of
    ``layers_dir/events/``, read from their files. Only ``dataset_names`` when given (StoreError
    for a name neither has). Writes nothing. StoredDataError when a file and an imported dataset
    share a name or an event id. ``stretches``: the frontier's, when the caller has read them
    (else read from ``layers_dir``)."""
    layers_dir = Path(layers_dir)
    wanted = None if dataset_names is None else set(dataset_names)
    files, shipped = shipped_datasets(layers_dir)
    own_names = [] if store is None else [dataset.name for dataset in store.datasets() if not dataset.shipped]
    if wanted is not None:
        unknown = sorted(wanted - set(own_names) - {dataset.name for dataset in files})
        if unknown:
            raise StoreError(f"no dataset called {', '.join(map(repr, unknown))}")
    stored = (store.events(None if wanted is None else sorted(wanted & set(own_names)), layers_dir=layers_dir,
                           shipped=False)
              if store is not None else StoredEvents([], {}, {}, {}, {}, {}, 0, []))
    chosen = {dataset.name for dataset in files if wanted is None or dataset.name in wanted}
    problems = event_clashes(layers_dir, store, stored.datasets, [dataset for dataset in files if dataset.name in chosen],
                             shipped, stored.dataset_of)
    if problems:
        raise StoredDataError(problems)
    datasets = sorted([*stored.datasets, *(dataset for dataset in files if dataset.name in chosen)],
                      key=lambda dataset: dataset.name)
    order = {dataset.name: number for number, dataset in enumerate(datasets)}
    dataset_of = {**stored.dataset_of, **{key: name for key, name in shipped.dataset_of.items() if name in chosen}}
    events = sorted([*stored.events, *(event for event in shipped.events if event.id in dataset_of)],
                    key=lambda event: order[dataset_of[event.id]])
    documents = {**stored.documents, **{event.document: shipped.documents[event.document]
                                        for event in shipped.events if event.id in dataset_of}}
    properties = {**stored.properties, **{event.id: {} for event in shipped.events if event.id in dataset_of}}
    result = StoredEvents(events, documents, stored.actors, stored.places, properties, dataset_of, stored.revision,
                          datasets)
    layers = load_layers(layers_dir)
    if stretches is None:
        stretches = load_stretches(Frontier(layers["frontier"].frame.geometry.union_all()), layers_dir)
    frame = join.join_events(result.events, {**layers, **result.places},
                             load_aliases(feature_refs(layers), layers_dir), stretches)
    frame["dataset"] = frame["id"].map(result.dataset_of)
    # What a source says of its dates that they cannot (ACLED's week, stored as seven days): the
    # popup tells "within a week" from "known to the day".
    sourced = {event_id: precision for event_id, properties in result.properties.items()
               if (precision := source_date_precision(properties)) is not None}
    if sourced:
        frame["date_precision"] = frame["id"].map(sourced).fillna(frame["date_precision"])
    frame[fatalities.COLUMN] = fatalities.column_of(frame["id"], result.properties)  # NaN: none reported
    return frame, result
