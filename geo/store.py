"""Imported datasets kept in a real database: an embedded SQLite file by default, PostgreSQL with
PostGIS when ``PANJ_DATABASE_URL`` names one (docs/ARCHITECTURE.md, "Imports and the store").

The same code runs on both; only the SQL types of a geometry and how rows are bulk-loaded differ
(``_Dialect``). A dataset is stored as what ``geo.importers`` read: each event in Panj's events
format, the dataset's own places (geometry as WKB) and actor terms, and its document block. Reading
events back validates them again through ``geo.events.parse_event``, so a stored event is an event
of the model, joined by ``geo.join.join_events`` like the article's. Every change is one
transaction: a failed import, rename or delete leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import geopandas as gpd
import shapely

from geo import join
from geo.aliases import load_aliases
from geo.events import EVENTS_DIR_NAME, Document, Event, PartialDate, Term, Vocabulary, load_vocabulary, parse_event
from geo.importers import Existing, Imported, ImportFileError, dataset_id, places_layer_id, read_file
from geo.layers import LAYERS_DIR, Layer, LayerSpec, feature_refs, load_layers
from geo.problems import Problem, ProblemsError

DATABASE_URL_ENV = "PANJ_DATABASE_URL"
DATA_DIR_ENV = "PANJ_DATA_DIR"
SQLITE_FILE_NAME = "panj.sqlite3"
SCHEMA_VERSION = 1
SHIPPED_LICENCE = "As the shipped data of Panj: see docs/DATA.md"


class StoreError(ValueError):
    """A store operation was refused or failed (unknown dataset, a name taken, the database's own
    error); the message says which. A failed operation changed nothing."""


class StoredDataError(ProblemsError):
    """Stored events no longer pass the event model's checks (the layers or vocabulary changed)."""

    subject = "the stored datasets"


@dataclass(frozen=True)
class Dataset:
    """One imported dataset, as ``Store.datasets`` lists it."""

    id: str  # from the name at import; the id of its places layer and (ACLED, GeoJSON) its document
    name: str
    format: str  # geo.importers.FORMATS
    source_file: str
    source_sha256: str
    imported_at: dt.datetime  # UTC
    row_count: int
    licence: str


@dataclass(frozen=True)
class StoredEvents:
    """Events of some datasets in the model's form, with what joining and drawing them needs:
    ``geo.join.join_events(stored.events, {**layers, **stored.places})``."""

    events: list[Event]
    documents: dict[str, Document]
    actors: dict[str, Term]  # the datasets' own actor terms (the vocabulary's are not repeated)
    places: dict[str, Layer]  # one layer of its own places per dataset that has any
    properties: dict[str, dict[str, Any]]  # event id -> the file's other columns (ACLED's fatalities, ...)
    dataset_of: dict[str, str]  # event id -> dataset name


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


def open_store(url: str | None = None) -> Store:
    """The store at ``url`` (``sqlite:///PATH``, ``postgresql://...``; default ``default_url()``),
    its schema created or migrated. StoreError when it cannot be opened."""
    url = url or default_url()
    scheme = urlsplit(url).scheme
    if scheme == "sqlite" and url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))  # sqlite:////abs/path or sqlite:///relative/path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot open the SQLite store {path}: {error}") from None
        connection.execute("PRAGMA journal_mode = WAL")  # readers (the page) go on while one imports
        return Store(connection, _SQLITE, str(path))
    if scheme in ("postgresql", "postgres"):
        import psycopg

        try:
            connection = psycopg.connect(url, autocommit=True)
        except psycopg.Error as error:
            raise StoreError(f"cannot connect to PostgreSQL at {_without_password(url)}: {error}") from None
        return Store(connection, _POSTGIS, _without_password(url))
    raise StoreError(f"{url!r}: the store's address must start sqlite:/// or postgresql://")


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


# --- dialects ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Dialect:
    name: str
    geometry_type: str
    geometry_out: str  # the SELECT expression giving a geometry as WKB
    extra_schema: tuple[str, ...]  # statements of schema version 1 only this database runs


_SQLITE = _Dialect("sqlite", "BLOB", "geometry", ())
_POSTGIS = _Dialect(
    "postgis", "geometry(Geometry, 4326)", "ST_AsBinary(geometry)",
    ("CREATE INDEX panj_places_geometry ON panj_places USING GIST (geometry)",),
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
_DATASET_TABLES = ("panj_events", "panj_places", "panj_actors")  # rows keyed by dataset_id
_DATASET_COLUMNS = ("id", "name", "format", "source_file", "source_sha256", "imported_at", "row_count", "licence")
_LOCK_KEY = 7_265_001  # PostgreSQL advisory lock: one Panj process migrates at a time


# --- the store -----------------------------------------------------------------------------------

class Store:
    """A connection to the store; use ``open_store``. Close it (or use it as a context manager)."""

    def __init__(self, connection: Any, dialect: _Dialect, location: str):
        self._connection = connection
        self._dialect = dialect
        self.location = location  # the file, or the database URL without its password
        self._migrate()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._connection.close()

    # -- reading --

    def datasets(self) -> list[Dataset]:
        """Every dataset, by name."""
        rows = self._query(f"SELECT {', '.join(_DATASET_COLUMNS)} FROM panj_datasets ORDER BY name")
        return [_dataset(row) for row in rows]

    def existing(self) -> Existing:
        """The event, document and dataset ids an import must not repeat (``geo.importers.read_file``)."""
        names = dict(self._query("SELECT id, name FROM panj_datasets"))
        documents = {json.loads(document)["id"]: name for name, document in self._query("SELECT name, document FROM panj_datasets")}
        event_ids = {event_id: names[dataset] for event_id, dataset in self._query("SELECT id, dataset_id FROM panj_events")}
        return Existing(event_ids=event_ids, documents=documents, datasets=names)

    def events(self, dataset_names: Iterable[str] | None = None, *, layers_dir: Path = LAYERS_DIR) -> StoredEvents:
        """The events of ``dataset_names`` (default: every dataset), checked again against the
        model, the layers and the vocabulary of ``layers_dir``; StoredDataError lists every
        problem. In dataset-name order, then file order."""
        datasets = {dataset.id: dataset for dataset in self.datasets()}
        if dataset_names is not None:
            wanted = set(dataset_names)
            unknown = sorted(wanted - {dataset.name for dataset in datasets.values()})
            if unknown:
                raise StoreError(f"no dataset called {', '.join(map(repr, unknown))}")
            datasets = {key: dataset for key, dataset in datasets.items() if dataset.name in wanted}
        chosen = list(datasets)
        layers = load_layers(layers_dir)
        vocabulary = load_vocabulary(layers_dir)
        actors = {row[1]: Term(*row[1:]) for row in self._rows_of("panj_actors", "dataset_id, id, name, colour, symbol", chosen)}
        places = self._places(datasets)
        documents, document_of = {}, {}
        for dataset_key, document in self._rows_of("panj_datasets", "id, document", chosen, key="id"):
            block = json.loads(document)
            if datasets[dataset_key].format != "panj":  # the dataset is the document: it takes its name
                block["title"] = datasets[dataset_key].name
            documents[block["id"]] = _document(block)
            document_of[dataset_key] = block["id"]
        known = Vocabulary({**vocabulary.actors, **actors}, vocabulary.event_types)
        place_refs = feature_refs({**layers, **places})
        problems: list[Problem] = []
        result = StoredEvents([], documents, actors, places, {}, {})
        for row in self._rows_of("panj_events", "dataset_id, id, entry, properties", chosen,
                                 order="dataset_id, row_number"):
            dataset_key, event_id, entry, properties = row
            name = datasets[dataset_key].name
            event = parse_event(json.loads(entry), path=Path(self.location), item=f"dataset {name!r} event {event_id!r}",
                                document_id=document_of[dataset_key], vocabulary=known, place_refs=place_refs,
                                problems=problems)
            if event is not None:
                result.events.append(event)
                result.properties[event.id] = json.loads(properties)
                result.dataset_of[event.id] = name
        if problems:
            raise StoredDataError(problems)
        order = {dataset.name: number for number, dataset in enumerate(sorted(datasets.values(), key=lambda d: d.name))}
        result.events.sort(key=lambda event: order[result.dataset_of[event.id]])
        return result

    # -- changing --

    def import_dataset(self, name: str, imported: Imported, *, source_file: str, licence: str,
                       replace: bool = False) -> Dataset:
        """Store ``imported`` (every row accepted) as dataset ``name``, in one transaction. With
        ``replace``, a dataset of that name is replaced in the same transaction."""
        if not imported.ok:
            raise ImportFileError(imported.problems() or [Problem(imported.path, "file", None, "no events to import")])
        if dataset_id(name) != imported.dataset_id:
            raise ValueError(f"{imported.path} was read for dataset id {imported.dataset_id!r}, not {name!r}'s")
        dataset = Dataset(
            id=imported.dataset_id, name=name.strip(), format=imported.format, source_file=source_file,
            source_sha256=imported.sha256, imported_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
            row_count=len(imported.events), licence=licence,
        )
        with self._transaction():
            if replace:
                self._delete(dataset.name, missing_ok=True)
            taken = self._query("SELECT name FROM panj_datasets WHERE name = ? OR id = ?", (dataset.name, dataset.id))
            if taken:
                raise StoreError(f"dataset {dataset.name!r} (id {dataset.id!r}) clashes with dataset {taken[0][0]!r}: "
                                 "choose another name, or rename or delete that one")
            self._execute(
                f"INSERT INTO panj_datasets ({', '.join(_DATASET_COLUMNS)}, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (dataset.id, dataset.name, dataset.format, dataset.source_file, dataset.source_sha256,
                 dataset.imported_at.isoformat(), dataset.row_count, dataset.licence,
                 json.dumps(imported.document, ensure_ascii=False)),
            )
            self._insert("panj_actors", ("dataset_id", "id", "name", "colour", "symbol"),
                         [(dataset.id, term.id, term.name, term.colour, term.symbol) for term in imported.actors.values()])
            self._insert("panj_places", ("dataset_id", "id", "name", "geometry"),
                         [(dataset.id, place.id, place.name, self._geometry_in(place.geometry))
                          for place in imported.places.values()])
            self._insert("panj_events", ("id", "dataset_id", "row_number", "entry", "properties"),
                         [(event.event.id, dataset.id, event.row, json.dumps(event.entry, ensure_ascii=False),
                           json.dumps(event.properties, ensure_ascii=False)) for event in imported.events])
        return dataset

    def rename(self, old: str, new: str) -> None:
        new = new.strip()
        if not new:
            raise StoreError("a dataset's name cannot be empty")
        with self._transaction():
            if not self._query("SELECT 1 FROM panj_datasets WHERE name = ?", (old,)):
                raise StoreError(f"no dataset called {old!r}")
            if old != new and self._query("SELECT 1 FROM panj_datasets WHERE name = ?", (new,)):
                raise StoreError(f"a dataset called {new!r} exists already")
            self._execute("UPDATE panj_datasets SET name = ? WHERE name = ?", (new, old))

    def delete(self, name: str) -> None:
        with self._transaction():
            self._delete(name, missing_ok=False)

    # -- inside --

    def _delete(self, name: str, *, missing_ok: bool) -> None:
        rows = self._query("SELECT id FROM panj_datasets WHERE name = ?", (name,))
        if not rows:
            if missing_ok:
                return
            raise StoreError(f"no dataset called {name!r}")
        for table in _DATASET_TABLES:
            self._execute(f"DELETE FROM {table} WHERE dataset_id = ?", (rows[0][0],))
        self._execute("DELETE FROM panj_datasets WHERE id = ?", (rows[0][0],))

    def _places(self, datasets: dict[str, Dataset]) -> dict[str, Layer]:
        rows = self._rows_of("panj_places", f"dataset_id, id, name, {self._dialect.geometry_out}", list(datasets),
                             order="dataset_id, id")
        by_dataset: dict[str, list[tuple[str, str, bytes]]] = {}
        for dataset_key, place_id, name, wkb in rows:
            by_dataset.setdefault(dataset_key, []).append((place_id, name, bytes(wkb)))
        return {places_layer_id(key): _places_layer(datasets[key], found) for key, found in by_dataset.items()}

    def _rows_of(self, table: str, columns: str, dataset_keys: Sequence[str], *, key: str = "dataset_id",
                 order: str | None = None) -> list[tuple[Any, ...]]:
        if not dataset_keys:
            return []
        marks = ", ".join("?" for _ in dataset_keys)
        return self._query(f"SELECT {columns} FROM {table} WHERE {key} IN ({marks})"
                           + (f" ORDER BY {order}" if order else ""), tuple(dataset_keys))

    def _geometry_in(self, geometry: shapely.Geometry) -> bytes | str:
        # PostGIS reads hex EWKB (with its SRID) as text, which COPY can carry; SQLite keeps WKB.
        if self._dialect is _POSTGIS:
            return shapely.to_wkb(shapely.set_srid(geometry, 4326), hex=True, include_srid=True)
        return shapely.to_wkb(geometry)

    def _migrate(self) -> None:
        with self._transaction():
            if self._dialect is _POSTGIS:
                self._execute(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
            self._execute("CREATE TABLE IF NOT EXISTS panj_schema (version INTEGER NOT NULL)")
            rows = self._query("SELECT version FROM panj_schema")
            version = rows[0][0] if rows else 0
            if version > SCHEMA_VERSION:
                raise StoreError(f"the store at {self.location} has schema version {version}, newer than this "
                                 f"Panj's ({SCHEMA_VERSION}): update Panj")
            if version < 1:
                if self._dialect is _POSTGIS:
                    self._execute("CREATE EXTENSION IF NOT EXISTS postgis")
                for statement in (*_SCHEMA_V1, *self._dialect.extra_schema):
                    self._execute(statement.format(geometry=self._dialect.geometry_type))
            if version < SCHEMA_VERSION:
                self._execute("DELETE FROM panj_schema")
                self._execute("INSERT INTO panj_schema (version) VALUES (?)", (SCHEMA_VERSION,))

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction; any error rolls it back. A database error becomes a StoreError."""
        errors = _database_errors(self._dialect)
        try:
            if self._dialect is _POSTGIS:
                with self._connection.transaction():
                    yield
            else:
                self._connection.execute("BEGIN IMMEDIATE")  # takes the write lock now: no deadlock later
                try:
                    yield
                except BaseException:
                    self._connection.execute("ROLLBACK")
                    raise
                self._connection.execute("COMMIT")
        except errors as error:
            raise StoreError(f"the store at {self.location} refused the change, which was rolled back: {error}") from error

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self._dialect is _POSTGIS else statement

    def _execute(self, statement: str, parameters: Sequence[Any] = ()) -> None:
        self._connection.execute(self._sql(statement), parameters)

    def _query(self, statement: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._connection.execute(self._sql(statement), parameters).fetchall()]

    def _insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self._dialect is _POSTGIS:  # COPY: one stream instead of a round trip per row
            with self._connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            self._connection.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _database_errors(dialect: _Dialect) -> tuple[type[Exception], ...]:
    if dialect is _POSTGIS:
        import psycopg

        return (psycopg.Error,)
    return (sqlite3.Error,)


def _dataset(row: tuple[Any, ...]) -> Dataset:
    values = dict(zip(_DATASET_COLUMNS, row, strict=True))
    values["imported_at"] = dt.datetime.fromisoformat(values["imported_at"])
    return Dataset(**values)


def _document(block: dict[str, Any]) -> Document:
    return Document(id=block["id"], title=block["title"], publisher=block["publisher"],
                    date=PartialDate.parse(block["date"]), volume=block.get("volume"), issue=block.get("issue"),
                    url=block.get("url"))


def _places_layer(dataset: Dataset, rows: list[tuple[str, str, bytes]]) -> Layer:
    """A dataset's own places as a layer, so geo.join finds them as it finds the manifest's features."""
    geometries = shapely.from_wkb([wkb for _, _, wkb in rows])
    kinds = {geometry.geom_type.removeprefix("Multi") for geometry in geometries}
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

def load_shipped(store: Store, layers_dir: Path = LAYERS_DIR) -> list[Dataset]:
    """Make each ``layers_dir/events/*.json`` a dataset named after its file: imported when absent,
    replaced when the file changed (its SHA-256 differs), else left alone; a shipped dataset whose
    file is not in ``layers_dir`` (removed, or another data directory's) is deleted, so the store's
    shipped datasets are always this directory's. Returns the datasets imported or replaced;
    ImportFileError when a shipped file is invalid."""
    stored = {dataset.name: dataset for dataset in store.datasets()}
    files = sorted((Path(layers_dir) / EVENTS_DIR_NAME).glob("*.json"))
    for dataset in stored.values():
        if dataset.licence == SHIPPED_LICENCE and dataset.name not in {path.stem for path in files}:
            store.delete(dataset.name)
    stored = {dataset.name: dataset for dataset in store.datasets()}
    changed = []
    for path in files:
        name = path.stem
        imported = read_file(path, dataset_name=name, file_format="panj", layers_dir=layers_dir,
                             existing=_existing_without(store.existing(), stored.get(name)))
        if name in stored and stored[name].source_sha256 == imported.sha256:
            continue
        changed.append(store.import_dataset(name, imported, source_file=f"{EVENTS_DIR_NAME}/{path.name}",
                                            licence=SHIPPED_LICENCE, replace=True))
    return changed


def joined_events(store: Store, layers_dir: Path = LAYERS_DIR,
                  dataset_names: Iterable[str] | None = None) -> tuple[gpd.GeoDataFrame, StoredEvents]:
    """The events of ``dataset_names`` (default: every dataset) joined to the layers of
    ``layers_dir`` and to the datasets' own places, with a ``dataset`` column: what the page and
    the command line show and export."""
    stored = store.events(dataset_names, layers_dir=layers_dir)
    layers = load_layers(layers_dir)
    events = join.join_events(stored.events, {**layers, **stored.places},
                              load_aliases(feature_refs(layers), Path(layers_dir)))
    events["dataset"] = events["id"].map(stored.dataset_of)
    return events, stored


def _existing_without(existing: Existing, dataset: Dataset | None) -> Existing:
    """What the store holds, less ``dataset`` (about to be replaced)."""
    if dataset is None:
        return existing
    return Existing(
        event_ids={key: name for key, name in existing.event_ids.items() if name != dataset.name},
        documents={key: name for key, name in existing.documents.items() if name != dataset.name},
        datasets={key: name for key, name in existing.datasets.items() if name != dataset.name},
    )
