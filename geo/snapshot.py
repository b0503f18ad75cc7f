"""One immutable snapshot of everything the page, the command line and the exporter read for a
data directory and a store revision (docs/ARCHITECTURE.md, "The snapshot").

A ``Snapshot`` is built once, read-only on the store, and shared by every session: the layers,
the merged vocabulary and documents, basemaps, the joined events of every dataset as compact
columns (``geo.compact``: their text is read back for the rows asked, ``Snapshot.details``) with one
symbol point per row (``geo.placement``), the filter index, regions, date span, home view and scenes. What
the browser fetches (layer outlines, labels, the events file and popup text) is published on first
use as **one** content-hashed folder of ``static/vendor/data/`` (``geo.assets.publish_folder``), so
every reader of a revision, and every figure exported from it, shares that folder.

``SnapshotCache`` keeps the latest snapshot of each data directory (a bounded few), builds a new one
when the store's revision moves, and prunes the folders no reader still needs: those of older
revisions once ``PRUNE_GRACE_S`` has passed or more than ``KEEP_RETIRED`` newer ones exist, and
folders left by other processes that nobody touched within the grace period. A page still showing
a pruned folder reloads its data (``geo/web/panj-map.js``).

A directory that cannot be loaded raises ``DataError``, whose ``problems`` list every problem
found (file, item, field, reason), so the page can show one clear explanation instead of a
traceback. A broken scenes file does not: the page works without its workshop scenes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import functools
import gc
import logging
import os
import pickle
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from geo import (
    assets,
    clientfilter,
    colours,
    compact,
    compactread,
    eventdata,
    filters,
    labels,
    layers as layers_module,
    outlines,
    placement,
    scenes,
    search,
    searchtext,
    strip,
    table,
    trends as trends_module,
)
from geo.aliases import load_aliases
from geo.basemaps import Basemap, load_basemaps
from geo.events import Document, Term, Vocabulary, load_vocabulary
from geo.filters import KnownIds, ViewState
from geo.frontier import AreaReach, Frontier, Stretch, load_stretches
from geo.frontierchange import LevelStyle, load_level_styles
from geo.join import JoinError
from geo.kept import Kept
from geo.layers import Layer
from geo.mapview import MapData, layer_files, level_file_name
from geo.placement import Bounds
from geo.problems import ProblemsError
from geo.store import Dataset, Store, StoreError, load_shipped, open_store

logger = logging.getLogger(__name__)

# A page open on an older revision keeps its files this long after a newer one is published...
PRUNE_GRACE_S = 15 * 60
# ...unless more than this many newer revisions came since (a burst of imports must not fill the disk).
KEEP_RETIRED = 3
TOUCH_EVERY_S = 60  # how often a snapshot in use marks its folder as used (for other servers' pruning)
BUSY_S = 2 * TOUCH_EVERY_S  # a folder another process touched this recently is in use there
TOUCH_SLACK_S = 1.0  # a folder's mtime this close to our own touch is our own touch
MAX_DIRECTORIES = 2  # data directories whose snapshot one process keeps
# From this many stored events the page builds a snapshot in a child process (build_snapshot_apart);
# below, the child's start (imports and layers, a few seconds) costs more than the memory it saves.
BUILD_APART_MIN_EVENTS = 20_000


class DataError(RuntimeError):
    """The data directory cannot be shown; ``problems`` are the lines that say why."""

    def __init__(self, layers_dir: Path, problems: list[str]):
        super().__init__(f"cannot load the map data in {layers_dir}: " + "; ".join(problems))
        self.layers_dir = layers_dir
        self.problems = problems


@dataclass(eq=False)
class _Published:
    """The snapshot's published folder, made on first use (guarded: sessions are threads), and the
    writing of its popup text (``popups``: set once written, or given up)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    folder: assets.DataFolder | None = None
    data: MapData | None = None
    touched: float = 0.0
    popups: threading.Event = field(default_factory=threading.Event)
    took: PublishTime | None = None  # the last publishing's, for the log and ``panj bench --app``


@dataclass(frozen=True)
class PublishTime:
    """How long publishing a snapshot's folder took: ``wall_s`` on the clock, ``cpu_s`` of the
    process's CPU (other sessions' threads count too: the benchmark's process has none)."""

    wall_s: float
    cpu_s: float


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Everything read for one data directory at one store revision; never mutated."""

    layers_dir: Path
    revision: int  # the store revision the events were read at
    layers: dict[str, Layer]  # the manifest's layers
    # Each imported dataset's own places that are areas or lines (drawn as its events' outlines); a
    # point place is its events' lon/lat (geo.compact.without_points).
    places: dict[str, Layer]
    datasets: list[Dataset]  # every dataset shown: the data directory's shipped ones and the store's own
    # The joined events (geo.join) of every dataset as compact columns (geo.compact), with a
    # "dataset" column and a RangeIndex: the browser's events file has the same rows, so a rerun
    # sends only which to show. Their text is read for the rows asked: ``details``.
    events: pd.DataFrame
    texts: compact.EventTexts  # where ``details`` reads the text: the shipped files' events, the store
    aliases: dict[str, tuple[str, ...]]  # place reference -> other spellings (geo.aliases)
    # Where each row's symbol is drawn (geo.placement.symbol_points), held for the rows drawn away
    # from their own lon/lat: ``symbol_points`` and ``symbol_points_of`` read it.
    symbols: placement.SymbolPoints
    vocabulary: Vocabulary  # the directory's, with the datasets' own actors coloured (geo.colours)
    documents: dict[str, Document]  # the source documents the events come from, by id
    basemaps: dict[str, Basemap]
    regions: dict[str, str]  # region id -> label
    span: tuple[dt.date, dt.date] | None
    home: Bounds  # the view the map opens on (geo.placement.home_bounds)
    scenes: dict[str, scenes.Scene]  # in the story's order; empty when the file is broken
    scenes_error: str | None  # why the scenes file was refused
    # What is wrong or doubtful in the analysts' actor colour files (geo.colours): bad entries
    # were skipped, colours too close to another kept; the page still shows everything.
    colour_problems: tuple[str, ...]
    # How each change level of the frontier's segments is drawn (layers/trend-levels.json): read
    # with the rest, so a broken file is the page's one explanation, not a failure later.
    trend_levels: tuple[LevelStyle, ...]
    # The frontier's named stretches, west to east (layers/frontier-stretches.json, read once per build).
    stretches: tuple[Stretch, ...]
    # How far each area (or line) place of the events lies from each piece of the frontier: where an
    # event on an area counts along it (docs/ARCHITECTURE.md, "Events on an area").
    area_reach: AreaReach
    # The events in the order of their titles (geo.table.text_order), worked out while the build
    # reads them: the snapshot holds no title to sort by later.
    title_order: table.SortOrder
    # The events by their rows in the store's search table, which a search at the snapshot's
    # revision answers with (geo.store.Store.search's rows_at; none on PostgreSQL).
    search_rows: filters.SearchRows
    # The places marked along the frontier strip's axis, west to east (geo.strip; none without
    # layers/strip-places.json).
    strip_places: tuple[strip.StripPlace, ...] = ()
    # The store the events of the datasets not shipped were read from (None: shipped ones only);
    # the search asks it about them (read-only, at whatever revision it is now).
    store: Store | None = None
    _published: _Published = field(default_factory=_Published, repr=False)
    # The table's column orders, each computed when a reader first sorts by it (geo.table.sort_order).
    sort_orders: table.SortOrders = field(default_factory=table.SortOrders, repr=False)
    # The change along the frontier of the events shown, by the filters and choices asked last.
    trends_tables: trends_module.TrendsTables = field(default_factory=trends_module.TrendsTables, repr=False)
    # What the page works out from the rows shown (the view in words, the charts' counts...), for
    # the sets of rows asked for last: keyed by ``geo.kept.rows_key`` and what else each depends on.
    kept: Kept = field(default_factory=Kept, repr=False)

    @cached_property
    def index(self) -> filters.EventIndex:
        """The events as the filters read them (docs/ARCHITECTURE.md, "Filtering 100,000 events"):
        a search asks the store about the events read from it, and reads the text of the shipped
        ones (``texts``) to look in here."""
        stored = None
        if self.store is not None:
            store, places = self.store, searchtext.place_texts(self.layers, self.aliases)
            own = [dataset.name for dataset in self.datasets if not dataset.shipped]
            revision = self.revision
            stored = filters.StoredText(rows=self.events["dataset"].isin(own).to_numpy(), revision=revision,
                                        search=lambda text: store.search(text, places, rows_at=revision),
                                        search_rows=self.search_rows)
        index = filters.EventIndex(self.events, stored,
                                   lambda rows: self.texts.searched(rows, self.map_layers, self.aliases),
                                   area_stretches=self.area_reach.nearest_stretches(self.stretches))
        index.prepare()
        return index

    @cached_property
    def browser_filters(self) -> clientfilter.BrowserFilters:
        """Which filter states the map applies itself, sent as terms instead of a mask (``geo.clientfilter``)."""
        return clientfilter.BrowserFilters(self.index)

    @cached_property
    def frontier(self) -> Frontier:
        """The frontier layer's line as an axis, west to east (``geo.frontier``)."""
        return Frontier(self.layers["frontier"].frame.geometry.union_all())

    @cached_property
    def frontier_axis(self) -> tuple[float, tuple[Stretch, ...]]:
        """The frontier's length in km and its named stretches (``geo.frontier``), west to east."""
        return self.frontier.length_km, self.stretches

    def trends(self, shown: pd.DataFrame, *, within_km: float, segment_km: float, period: str,
               span: tuple[dt.date | None, dt.date | None] = (None, None)) -> pd.DataFrame:
        """The change along the frontier of ``shown`` (rows of ``events``): ``geo.trends.trends``
        on this frontier, its stretches and its places' reach; kept for the tables asked for last
        (``trends_tables``), so the table handed out is shared: read it only."""
        return self.trends_tables.get(shown, (within_km, segment_km, period, span), lambda: trends_module.trends(
            shown, self.stretches, length_km=self.frontier.length_km, within_km=within_km, segment_km=segment_km,
            period=period, span=span, areas=self.area_reach))

    @property
    def stretch_names(self) -> dict[str, str]:
        """The frontier's stretches' names by id, west to east."""
        return {stretch.id: stretch.name for stretch in self.stretches}

    @cached_property
    def known(self) -> KnownIds:
        return KnownIds(
            actors=frozenset(self.vocabulary.actors), event_types=frozenset(self.vocabulary.event_types),
            regions=frozenset(self.regions), layers=tuple(self.layers), basemaps=frozenset(self.basemaps),
            events=self.index.ids, stretches=frozenset(stretch.id for stretch in self.stretches),
        )

    @cached_property
    def gazetteer(self) -> tuple[search.Place, ...]:
        """The layers' named places with their other spellings, for a search that finds no event
        (geo.search)."""
        return search.gazetteer(self.layers, self.aliases)

    @property
    def map_layers(self) -> dict[str, Layer]:
        """Every layer the map registers: the manifest's, then the datasets' own places (never
        shown as layers; their features are the outlines of the events placed on them)."""
        return {**self.layers, **self.places}

    @property
    def default_view(self) -> ViewState:
        visible = tuple(layer_id for layer_id, layer in self.layers.items() if layer.spec.visible)
        return ViewState(visible_layers=visible, basemap=next(iter(self.basemaps)))

    # -- the text of the rows a reader looks at --

    def place_names(self, places: Iterable[str]) -> dict[str, str]:
        """Place reference -> name, for a few places (a layer's feature, a dataset's own place)."""
        return self.texts.place_names(places, self.map_layers)

    def details(self, rows: pd.DataFrame | Sequence[int] | np.ndarray, *, geometry: bool = False) -> pd.DataFrame:
        """The joined events' columns (``geo.join.COLUMNS``, then the fatalities'
        ``geo.fatalities.DETAIL_COLUMNS``, then ``dataset``) of ``rows`` (rows of ``events``, or
        their positions), with their index labels: titles, summaries, citations, place names and
        UCDP's low and high estimates read for these rows only (one read of the store). A GeoDataFrame with each
        place's geometry when ``geometry`` (exports)."""
        if not isinstance(rows, pd.DataFrame):
            rows = self.events.iloc[np.asarray(rows, dtype=np.int64)]
        return compact.details(rows, self.texts, self.map_layers, self.aliases, geometry=geometry)

    def placed(self, rows: pd.DataFrame) -> gpd.GeoDataFrame:
        """``rows`` (rows of ``events``) with their place's name and geometry (``place_name``,
        ``geometry``), no other text: what a search for a place measures against."""
        names = self.texts.place_names(rows["place"].tolist(), self.map_layers)
        placed = rows.assign(place_name=[names.get(place) for place in rows["place"]])
        return gpd.GeoDataFrame(placed, geometry=self.geometries(rows), crs="EPSG:4326")

    def geometries(self, rows: pd.DataFrame) -> np.ndarray:
        """The place geometry of each of ``rows`` (rows of ``events``): an area's is its layer
        feature's, held once; a point's is made from its lon/lat."""
        return compact.place_geometries(rows, self.map_layers)

    # -- where symbols stand --

    def symbol_points_of(self, shown: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(lons, lats) of the symbols of ``shown``, rows of ``events`` (by index label)."""
        return self.symbols.at(self._own_lon, self._own_lat, shown.index.to_numpy())

    def symbol_points(self) -> tuple[np.ndarray, np.ndarray]:
        """(lons, lats) of every row's symbol, in ``events``' order: made anew on each call (the
        browser's events file; for some rows, ``symbol_points_of``)."""
        return self.symbols.at(self._own_lon, self._own_lat, np.arange(len(self.events)))

    @property
    def _own_lon(self) -> np.ndarray:
        return self.events["lon"].to_numpy(dtype=float)

    @property
    def _own_lat(self) -> np.ndarray:
        return self.events["lat"].to_numpy(dtype=float)

    def events_bounds(self, shown: pd.DataFrame) -> Bounds | None:
        """What "Fit to events" fits: the symbols of ``shown`` where the map draws them (an
        Afghanistan-wide event's symbol stands near the frontier, not at the country's middle)."""
        return placement.events_bounds(*self.symbol_points_of(shown))

    # -- credits --

    def event_sources(self, shown: pd.DataFrame) -> list[str]:
        """How a figure's sources line names where ``shown`` come from: the documents of the data
        directory's shipped datasets, and each imported dataset drawn by its name with its licence
        or terms (ACLED's, for one, require the credit)."""
        present = set(shown["dataset"]) if "dataset" in shown else set()
        sources: list[str] = []
        for dataset in self.datasets:
            if dataset.name not in present:
                continue
            if dataset.shipped:
                wanted = set(shown.loc[shown["dataset"] == dataset.name, "document"])
                sources += [document.citation_label for document_id, document in self.documents.items()
                            if document_id in wanted]
            else:
                terms = dataset.licence.strip() or "no licence or terms recorded at import"
                sources.append(f"{dataset.name} ({terms})")
        return sources

    # -- what the browser fetches --

    def map_data(self) -> MapData:
        """The URLs of the snapshot's published folder, publishing it on first use and again if it
        was removed (another server's pruning, a cleared cache); marks it as in use now and then."""
        published = self._published
        with published.lock:
            now = time.time()
            # Two stats a run: a folder removed under a page (another server's pruning, a cleared
            # cache) is published again before this run sends its URLs, not a minute later; so is
            # one another server published again meanwhile (same name, same files), which holds
            # that server's popup text, not ours.
            if published.data is None or not self._folder_whole():
                started, cpu = time.perf_counter(), time.process_time()
                published.folder, published.data = self._publish()
                published.took = PublishTime(time.perf_counter() - started, time.process_time() - cpu)
                published.touched = time.time()  # after the writing: the folder's mtime is our own
                logger.info("published data folder %s for %d events in %.2f s (%.2f s CPU)", published.folder.name,
                            len(self.events), published.took.wall_s, published.took.cpu_s)
            elif now - published.touched > TOUCH_EVERY_S:
                assets.touch_folder(published.folder.name)
                published.touched = now
            return published.data

    @property
    def publish_time(self) -> PublishTime | None:
        """How long the last publishing of the folder took (``map_data``); None before it."""
        return self._published.took

    def popups_written(self, timeout: float | None = None) -> bool:
        """Wait until the published folder's popup text is written (a background thread starts
        when the folder is published: ``_publish``), at most ``timeout`` seconds; whether it was.
        False too when writing it failed (the folder pruned meanwhile: its next publishing writes
        it again)."""
        popups = self._published.popups
        return popups.wait(timeout) and self._published.data is not None and \
            (self._published.folder.path / self._popups_name()).is_dir()

    def _folder_whole(self) -> bool:
        """Whether the published folder is there with this snapshot's popup text (or the text is
        still being written into it)."""
        published = self._published
        return published.folder.path.is_dir() and \
            (not published.popups.is_set() or (published.folder.path / self._popups_name()).is_dir())

    def _popups_name(self) -> str:
        return self._published.data.events.details.rstrip("/").rsplit("/", 1)[1]

    @property
    def folder_name(self) -> str | None:
        """The published folder's name, None before ``map_data`` was first called."""
        return None if self._published.folder is None else self._published.folder.name

    def _publish(self) -> tuple[assets.DataFolder, MapData]:
        """Publish the folder the map needs to paint (layers, labels, the events file), then start
        writing the popup text into it in the background: a popup opens long after the map is
        painted, and at a million events its text takes many times the rest to write. The text is
        in a folder of its own inside, named by a fresh token (its content is not hashed: that
        would take as long as writing it), which appears whole; until it does, the browser asks
        again for a file it wants (geo/web/panj-map.js)."""
        assets.install_static()
        layers = self.map_layers
        files = layer_files(layers)
        files[labels.LABELS_NAME] = labels.label_file(self.layers, self.layers_dir)
        files[eventdata.EVENTS_FILE] = eventdata.events_file(self.events, *self.symbol_points(), layers, self.documents)
        files[eventdata.IDS_FILE] = eventdata.ids_file(self.events)
        files[eventdata.DATES_FILE] = eventdata.dates_file(self.events)
        files[eventdata.FATALITIES_FILE] = eventdata.fatalities_file(self.events)
        files[strip.STRIP_FILE] = strip.strip_file(self.events, self.index.frontier_km)
        files[clientfilter.TERMS_FILE] = self.browser_filters.file()
        folder = assets.publish_folder(files)
        events_file = files[eventdata.EVENTS_FILE]
        popups = f"popups-{secrets.token_hex(8)}"
        self._published.popups.clear()
        threading.Thread(target=self._write_popups, args=(folder, popups), name=f"panj-popups-{folder.name}",
                         daemon=True).start()
        data = MapData(
            layers={layer_id: folder.url(f"{layer_id}.geojson") for layer_id in layers},
            labels=folder.url(labels.LABELS_NAME),
            events=eventdata.PublishedEvents(folder.url(eventdata.EVENTS_FILE), len(self.events), len(events_file),
                                             folder.subfolder_url(popups)),
            layer_levels={layer_id: tuple((zoom, folder.url(level_file_name(layer_id, zoom)))
                                          for zoom in outlines.DETAIL_ZOOMS
                                          if level_file_name(layer_id, zoom) in files)
                          for layer_id in layers},
        )
        return folder, data


    def _write_popups(self, folder: assets.DataFolder, name: str) -> None:
        try:
            if len(self.events) >= BUILD_APART_MIN_EVENTS and self.store is not None and self.store.url:
                # Apart, as a large build is: the rows' text read as Python objects dies with the child.
                _run_child(("popups", (self.events, self.texts, self.map_layers, self.aliases, folder.path, name)))
            else:
                assets.publish_subfolder(folder.path, name, eventdata.popup_files(self.events, self.details))
            # Writing into the folder moved its mtime: this process's own use, not another's.
            if assets.touch_folder(folder.name):
                self._published.touched = time.time()
        except (OSError, StoreError, ChildError) as error:
            # Pruned meanwhile (a page still on it reloads and is published again), or the store
            # gone or unreadable: logged, and the next publishing writes it again.
            logger.warning("popup text of data folder %s not written: %s", folder.name, error)
        finally:
            # Each popup file reads its rows' text as Python objects, freed once written: about
            # 1 KB an event held for good otherwise (docs/performance.md, "Compact page data").
            # Handed back before the text is said to be written, so a reader waiting on it sees
            # the page's memory as it stays.
            release_freed_memory()
            self._published.popups.set()


# --- building ------------------------------------------------------------------------------------

def open_page_store(layers_dir: Path, url: str | None = None) -> Store:
    """The store the page reads (``geo.store.default_url`` unless ``url``), with the events of
    ``layers_dir/events/`` loaded into it as shipped datasets: the page's start is, with
    ``panj import``, the only place shipped data is written. ``DataError`` when the store cannot be
    opened or a shipped file is bad."""
    try:
        store = open_store(url)
        load_shipped(store, layers_dir)
    except ProblemsError as error:
        logger.error("store for %s refused: %s", layers_dir, error)
        raise DataError(layers_dir, [str(problem) for problem in error.problems]) from error
    except (OSError, StoreError) as error:
        logger.error("store for %s refused: %s", layers_dir, error)
        raise DataError(layers_dir, [str(error)]) from error
    return store


def build_snapshot(layers_dir: Path, store: Store | None) -> Snapshot:
    """Read ``layers_dir`` and the events of every dataset (the directory's shipped files and the
    store's own datasets; ``store`` None: the shipped ones only) into a snapshot, writing nothing.
    ``DataError`` lists every problem when they cannot be shown."""
    return _assemble(snapshot_parts(layers_dir, store), store)


def build_snapshot_apart(layers_dir: Path, store: Store) -> Snapshot:
    """``build_snapshot`` run in a child process (``geo.snapshotchild``), which hands back the
    snapshot's parts pickled. Reading and joining the store's rows uses memory the compact columns
    do not keep, which the allocators of a long-lived page would keep after it is freed
    (docs/performance.md, "Compact page data"); in a child it goes when the child ends, and the page
    holds only the compact columns. ``DataError`` as ``build_snapshot`` (a store failure as its cause, as there)."""
    layers_dir = Path(layers_dir)
    try:
        outcome, payload = _run_child(("snapshot", (layers_dir, store.url)))
    except ChildError as error:
        raise DataError(layers_dir, [str(error)]) from None
    if outcome == "problems":
        problems, store_failed = payload
        raise DataError(layers_dir, problems) from (StoreError("; ".join(problems)) if store_failed else None)
    return _assemble(payload, store)


class ChildError(RuntimeError):
    """A child process of ``_run_child`` failed; the message ends with its last line of error."""


def _run_child(job: tuple[str, Any]) -> Any:
    """Run ``job`` (a name and its pickled arguments) in a child process (``geo.snapshotchild``)
    and return what it hands back; ``ChildError`` when it fails."""
    root = str(Path(__file__).resolve().parent.parent)  # where ``geo`` is imported from
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
           PARENT_ENV: str(os.getpid())}
    # The job and the outcome are pickled straight into and out of the pipes, never held whole as
    # bytes: the popup job carries the compact columns, the snapshot's outcome all of them (tens of
    # MB at 100,000 events, docs/performance.md, "Compact page data"). The child reads its whole
    # job before it writes anything, and its error goes to a file, so neither pipe can stall.
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen([sys.executable, "-m", "geo.snapshotchild"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=errors, env=env)
        with child.stdout:
            try:
                with child.stdin:
                    pickle.dump(job, child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                outcome, whole = pickle.load(child.stdout), True
            except (BrokenPipeError, EOFError, pickle.UnpicklingError):  # it failed: its error says why
                outcome, whole = None, False
        returncode = child.wait()
        errors.seek(0)
        error = errors.read()
    if returncode != 0 or not whole:
        reason = error.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        logger.error("child process for %s failed: %s", job[0], error[-4000:])
        what = {"snapshot": "building the page data", "popups": "writing the popup text"}[job[0]]
        raise ChildError(f"the process {what} failed ({returncode}): {reason[0]}")
    return outcome


def snapshot_parts(layers_dir: Path, store: Store | None) -> dict[str, Any]:
    """What ``build_snapshot`` reads, as the keyword arguments of ``Snapshot`` but the store and
    the texts, plus ``shipped_events`` (the shipped files' events by id, which the texts hold):
    plain data, so a child process can hand it back pickled."""
    layers_dir = Path(layers_dir)
    try:
        layers = layers_module.load_layers(layers_dir)
        vocabulary, basemaps = load_vocabulary(layers_dir), load_basemaps(layers_dir)
        palette = colours.load_palette(layers_dir)
        frontier = Frontier(layers["frontier"].frame.geometry.union_all())
        stretches = tuple(load_stretches(frontier, layers_dir))
        read = compactread.read_compact(store, layers_dir, layers, stretches)
        lons, lats = read.symbol_points(placement.frontier_box(layers))
        aliases = load_aliases(layers_module.feature_refs(layers), layers_dir)
        strip_places = strip.load_places(frontier, layers, layers_dir)
        trend_levels = load_level_styles(layers_dir)
    except ProblemsError as error:  # a layer, the vocabulary, the basemaps, an events file, a stored event
        logger.error("data directory %s refused: %s", layers_dir, error)
        raise DataError(layers_dir, [str(problem) for problem in error.problems]) from error
    except (OSError, StoreError, JoinError) as error:  # unreadable; the store's own; a place not on the map
        logger.error("data directory %s refused: %s", layers_dir, error)
        raise DataError(layers_dir, [str(error)]) from error
    events = read.events
    coloured = colours.colour_actors(vocabulary, _own_actors(read), read.actor_lists(), palette=palette,
                                     layers_dir=layers_dir,
                                     dataset_ids={dataset.name: dataset.id for dataset in read.datasets})
    vocabulary = coloured.vocabulary
    for problem in coloured.problems:
        logger.warning("actor colours: %s", problem)
    regions = filters.region_choices(events, layers)
    try:
        workshop, scenes_error = scenes.load_scenes(
            layers_dir, layer_ids=tuple(layers), actor_ids=vocabulary.actors, event_type_ids=vocabulary.event_types,
            region_ids=regions, basemap_ids=basemaps, feature_refs=layers_module.feature_refs(layers),
            stretch_ids=[stretch.id for stretch in stretches],  # any stretch, whether or not an event lies on it
        ), None
    except scenes.ScenesError as error:  # the page still works; only the workshop is off
        logger.warning("scenes refused: %s", error)
        workshop, scenes_error = [], str(error)
    return dict(
        layers_dir=layers_dir, revision=read.revision, layers=layers, places=read.own_places,
        datasets=read.datasets, events=events, shipped_events=read.shipped_events, aliases=aliases,
        symbols=placement.SymbolPoints.of(events["lon"].to_numpy(dtype=float), events["lat"].to_numpy(dtype=float),
                                          lons, lats),
        vocabulary=vocabulary, documents=read.documents, basemaps=basemaps,
        regions=regions, span=filters.date_span(events), home=placement.home_bounds(layers, events),
        scenes={scene.id: scene for scene in workshop}, scenes_error=scenes_error,
        colour_problems=tuple(str(problem) for problem in coloured.problems), trend_levels=trend_levels,
        stretches=stretches, area_reach=frontier.area_reach(read.extended_places(), stretches),
        strip_places=strip_places, title_order=read.title_order, search_rows=filters.SearchRows(read.search_rows),
    )


def _own_actors(read: compactread.CompactRead) -> dict[str, dict[str, Term]]:
    """Dataset name -> the actor terms of its own (not the vocabulary's) its events name, in the
    store's order."""
    dataset_of = read.actor_datasets()
    own: dict[str, dict[str, Term]] = {}
    for actor, term in read.own_actors.items():
        if actor in dataset_of:
            own.setdefault(dataset_of[actor], {})[actor] = term
    return own


def _assemble(parts: dict[str, Any], store: Store | None) -> Snapshot:
    parts = dict(parts)
    texts = compact.EventTexts(parts.pop("shipped_events"), store, parts["vocabulary"])
    return Snapshot(**parts, texts=texts, store=store)


def read_snapshot(layers_dir: Path) -> Snapshot:
    """The snapshot a command reads: the default store opened for reading only (none yet: the
    shipped datasets alone), never written nor created."""
    try:
        store = open_store(create=False)
    except StoreError as error:  # cannot be opened, or a schema older than this Panj's
        logger.error("store refused: %s", error)
        raise DataError(Path(layers_dir), [str(error)]) from error
    return build_snapshot(layers_dir, store)


def dataset_mask(snapshot: Snapshot, names: Iterable[str]) -> np.ndarray:
    """The rows of ``snapshot.events`` in the datasets ``names``; ValueError naming any unknown one."""
    wanted = list(dict.fromkeys(names))
    known = [dataset.name for dataset in snapshot.datasets]
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise ValueError(f"no dataset called {', '.join(map(repr, unknown))}; the datasets are "
                         f"{', '.join(map(repr, known)) or 'none'}")
    return snapshot.index.naming("dataset", wanted)


def release_freed_memory() -> None:
    """Hand the memory a build freed back to the system. Reading and joining a store's events
    makes columns and objects the compact columns do not keep, all freed once those are made; the C
    allocator keeps most of what they occupied (docs/performance.md, "Compact page data"), so a
    page would hold it for good. glibc's ``malloc_trim`` returns it; elsewhere this does nothing."""
    gc.collect()
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)
    pa.default_memory_pool().release_unused()  # the joined frame's text columns were Arrow's


# glibc's mallopt parameters (malloc.h) and the size both are held at: glibc's own starting value.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_FIXED_THRESHOLD = 128 * 1024


@functools.cache
def keep_allocator_thresholds() -> None:
    """Hold glibc's thresholds for serving a large block from its own mapping and for trimming an
    arena's free top at their starting 128 KiB, for the rest of the process (once; elsewhere
    nothing). glibc raises both after a large block is freed, so later blocks as large (a pickle of
    the popup job, the child's output) are carved from an arena; a thread's arena then keeps its
    freed top resident for good, since ``malloc_trim`` shrinks only the main one's
    (docs/performance.md, "Compact page data": about 180 bytes an event at 100,000)."""
    mallopt = getattr(_libc(), "mallopt", None)
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, _FIXED_THRESHOLD)
        mallopt(_M_TRIM_THRESHOLD, _FIXED_THRESHOLD)


# Linux's prctl option (sys/prctl.h): the signal a process gets when the thread that started it ends.
_PR_SET_PDEATHSIG = 1
PARENT_ENV = "PANJ_SNAPSHOT_PARENT"  # the process id of a child's parent (``_run_child``)


def end_with_parent() -> None:
    """In a child of ``_run_child``: have Linux end this process (SIGTERM) when the thread that
    started it ends, that thread waiting on it until then; so a server stopped or killed leaves no
    child working on for no one (a snapshot's build, a million events' popup text: a minute).
    Elsewhere, or outside such a child, nothing."""
    prctl, parent = getattr(_libc(), "prctl", None), os.environ.get(PARENT_ENV)
    if prctl is None or parent is None or not sys.platform.startswith("linux"):
        return
    prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != int(parent):  # it ended before the request was made
        sys.exit("the process that started this one has ended")


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


# --- the page's snapshots ------------------------------------------------------------------------

class SnapshotCache:
    """The latest snapshot of each data directory and store (at most ``max_directories``), rebuilt
    when the store's revision moves, and the pruning of published folders no reader needs any more.

    Shared by every session of a page process: a session asks ``get`` on each run, which costs one
    small query of the store's revision while nothing changes. One build runs at a time per
    directory; sessions asking meanwhile wait for it rather than build it again."""

    def __init__(self, *, grace_s: float = PRUNE_GRACE_S, keep_retired: int = KEEP_RETIRED,
                 max_directories: int = MAX_DIRECTORIES, clock: Callable[[], float] = time.time):
        keep_allocator_thresholds()  # the page's process: what its builds free goes back to the system
        self._grace_s, self._keep_retired, self._max_directories = grace_s, keep_retired, max_directories
        self._clock = clock
        self._lock = threading.Lock()
        # Keyed by data directory and store: revisions are numbered per store.
        self._building: dict[tuple[Path, str], threading.Lock] = {}
        self._current: OrderedDict[tuple[Path, str], Snapshot] = OrderedDict()
        # folder -> (when a newer one replaced it, its publishing: when this process last touched it)
        self._retired: OrderedDict[str, tuple[float, _Published]] = OrderedDict()
        self._failed: dict[tuple[Path, str], tuple[int, DataError]] = {}  # the revision that could not be shown

    def get(self, layers_dir: Path, store: Store) -> Snapshot:
        """The snapshot of ``layers_dir`` at the store's current revision, its folder published;
        DataError when the data cannot be shown or the store cannot be read. A revision whose data
        could not be shown is not read again until the revision moves (every rerun would redo the
        work); a failure of the store itself (busy, gone) is tried again on the next run."""
        key = (Path(layers_dir).resolve(), store.location)
        revision = self._revision(store, key[0])
        with self._lock:
            current = self._current.get(key)
            building = self._building.setdefault(key, threading.Lock())
        if current is None or current.revision != revision:
            with building:
                revision = self._revision(store, key[0])  # another session may have built it meanwhile
                with self._lock:
                    current, failed = self._current.get(key), self._failed.get(key)
                if current is None or current.revision != revision:
                    if failed is not None and failed[0] == revision:
                        raise failed[1]
                    try:
                        snapshot = self._build(key[0], store)
                    except DataError as error:
                        if not isinstance(error.__cause__, StoreError):  # the database's own may pass
                            with self._lock:
                                self._failed[key] = (revision, error)
                        raise
                    current = self._replace(key, snapshot)
        current.map_data()
        return current

    @staticmethod
    def _build(layers_dir: Path, store: Store) -> Snapshot:
        try:
            stored_events = sum(dataset.row_count for dataset in store.datasets())
        except StoreError as error:
            raise DataError(layers_dir, [str(error)]) from error
        if stored_events >= BUILD_APART_MIN_EVENTS and store.url:
            return build_snapshot_apart(layers_dir, store)
        return build_snapshot(layers_dir, store)

    @staticmethod
    def _revision(store: Store, layers_dir: Path) -> int:
        try:
            return store.revision()
        except StoreError as error:  # the database went away: the page says so, and a later run retries
            logger.error("store %s cannot be read: %s", store.location, error)
            raise DataError(layers_dir, [str(error)]) from error

    def _replace(self, key: tuple[Path, str], snapshot: Snapshot) -> Snapshot:
        # Derived before any reader is handed it: the filter index, the known ids, the published folder.
        snapshot.index, snapshot.known  # noqa: B018  (cached properties, computed by reading them)
        snapshot.map_data()
        release_freed_memory()
        with self._lock:
            old = self._current.pop(key, None)
            self._current[key] = snapshot
            self._failed.pop(key, None)
            dropped = [old] if old is not None else []
            while len(self._current) > self._max_directories:
                gone_key, gone = self._current.popitem(last=False)
                dropped.append(gone)
                self._building.pop(gone_key, None)
                self._failed.pop(gone_key, None)
            now = self._clock()
            for gone in dropped:
                if gone.folder_name is not None and gone.folder_name != snapshot.folder_name:
                    self._retired[gone.folder_name] = (now, gone._published)
                    self._retired.move_to_end(gone.folder_name)
        self.prune()
        return snapshot

    def prune(self) -> list[str]:
        """Remove the published folders no reader needs (see the module docstring); returns their names."""
        now = self._clock()
        with self._lock:
            in_use = {snapshot.folder_name for snapshot in self._current.values()}
            for name in in_use:
                self._retired.pop(name, None)
            retired = list(self._retired.items())
            expired = {name: published.touched for position, (name, (since, published)) in enumerate(reversed(retired))
                       if position >= self._keep_retired or now - since > self._grace_s}
            for name in expired:
                del self._retired[name]
            kept = in_use | set(self._retired)
        folders = assets.data_folders()
        removed = []
        for name, own in expired.items():
            # Beyond the retired count, a folder another process touched after this one last did
            # (an export of that revision, a second server) is left to the grace period.
            used = folders.get(name, own)
            if used > own + TOUCH_SLACK_S and now - used < BUSY_S:
                continue
            if assets.remove_folder(name, unused_since=max(own, used) + TOUCH_SLACK_S):
                removed.append(name)
        # Folders of earlier processes, benchmarks and exports: unused for a grace period. Each is
        # looked at again once moved away from its URL, in case another process touched it since.
        for name, used in folders.items():
            if name not in kept and name not in expired and now - used > self._grace_s:
                if assets.remove_folder(name, unused_since=now - self._grace_s):
                    removed.append(name)
        for name, used in assets.data_folders(unfinished=True).items():  # a process stopped mid-way
            if now - used > self._grace_s:
                assets.remove_folder(name)
        if removed:
            logger.info("pruned %d published data folder(s): %s", len(removed), ", ".join(removed))
        return removed
