"""The snapshot's events read straight into compact columns (docs/performance.md, "Building the
snapshot at a million events").

``geo.store.joined_events`` then ``geo.compact.compact_events`` is the definition of the snapshot's
events: every stored row read back into a ``geo.events.Event``, checked again, flattened into the
joined frame's columns and then compacted. At a million events that makes tens of millions of
Python objects the compact frame does not keep. ``read_compact`` gives the same frame from the
store's columns (``Store.events(columns=True)``: Arrow columns, no object per event) and the shipped
files' few events: the dates' days and precision from their text, the place's attributes worked
out once per place (``geo.join.place_attributes``) and taken for each event, the rows in the
join's order. tests/test_compactread.py holds it to the definition.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from geo import compact, join, table as table_module
from geo.events import Document, Event, PartialDate, Term
from geo.frontier import Stretch
from geo.layers import Layer
from geo.placement import AREA_COLUMN, Bounds, area_rows, symbol_points
from geo.store import (
    EVENT_COLUMNS,
    Dataset,
    Store,
    StoredDataError,
    event_clashes,
    shipped_datasets,
)

_DAY = np.timedelta64(1, "D")
_SEARCH_ROW = "search_row"  # the column carrying StoredColumns.search_rows through the rows' sort


@dataclass(frozen=True)
class CompactRead:
    """What ``read_compact`` read: the compact events and what the snapshot derives from them."""

    events: pd.DataFrame  # geo.compact.compact_events of the joined events, with their RangeIndex
    places: gpd.GeoDataFrame  # each place of the events once: place, geometry, lon, lat, is_area
    of_place: np.ndarray  # the row of ``places`` of each event
    shipped_events: dict[str, Event]  # the data directory's files' events, by id
    own_places: dict[str, Layer]  # the datasets' own areas and lines (geo.compact.without_points)
    own_actors: dict[str, Term]  # the datasets' own actor terms (StoredEvents.actors)
    documents: dict[str, Document]  # the documents the events come from, by id
    revision: int
    datasets: list[Dataset]  # the shipped and the store's own, by name
    title_order: table_module.SortOrder  # the events in their titles' order (geo.table.text_order)
    # Each event's row in the store's search table (geo.store.StoredColumns.search_rows), -1 for a
    # shipped event or a store without such numbers (PostgreSQL).
    search_rows: np.ndarray

    def symbol_points(self, box: Bounds) -> tuple[np.ndarray, np.ndarray]:
        """``geo.placement.symbol_points`` of the events, worked out per place."""
        lons, lats = symbol_points(self.places, box)
        return lons[self.of_place], lats[self.of_place]

    def extended_places(self) -> dict[str, shapely.Geometry]:
        """Place reference -> geometry of the areas and lines events stand on whose distances mean
        something (not known only to a whole country), in the events' order."""
        rows = self.events[AREA_COLUMN].to_numpy(dtype=bool) & join.distances_apply(self.events)
        firsts = pd.unique(self.of_place[rows])
        return dict(zip(self.places["place"].to_numpy()[firsts], self.places.geometry.to_numpy()[firsts], strict=True))

    def actor_lists(self) -> Iterator[tuple[str, ...]]:
        """The actors of each event (as many times as events name that set, in no order)."""
        counts = self.events["actors"].value_counts(sort=False)
        return itertools.chain.from_iterable(itertools.repeat(actors, count) for actors, count in counts.items()
                                             if count)

    def actor_datasets(self) -> dict[str, str]:
        """Actor id -> the dataset whose events name it (the last by name when several do)."""
        pairs = self.events[["dataset", "actors"]].drop_duplicates()
        order = {dataset.name: number for number, dataset in enumerate(self.datasets)}
        pairs = sorted(zip(pairs["dataset"], pairs["actors"], strict=True), key=lambda pair: order[pair[0]])
        return {actor: dataset for dataset, actors in pairs for actor in actors}


def read_compact(store: Store | None, layers_dir: Path, layers: dict[str, Layer],
                 stretches: Sequence[Stretch]) -> CompactRead:
    """The events ``geo.store.joined_events(store, layers_dir)`` joins, as ``compact_events`` makes
    them, read as columns; ``layers`` and ``stretches`` are ``layers_dir``'s.
    StoredDataError and JoinError as ``joined_events``."""
    missing = [layer_id for layer_id in join.REQUIRED_LAYERS if layer_id not in layers]
    if missing:
        raise join.JoinError(f"the layers lack {', '.join(missing)}, needed to derive event attributes")
    files, shipped = shipped_datasets(layers_dir)
    stored = None if store is None else store.events(layers_dir=layers_dir, shipped=False, columns=True)
    table = stored.table if stored is not None else EVENT_COLUMNS.empty_table()
    clashes = event_clashes(layers_dir, store, [] if stored is None else stored.datasets, files, shipped,
                            _held(table, list(shipped.dataset_of)))
    if clashes:
        raise StoredDataError(clashes)
    shipped_table = _shipped_table(shipped.events, shipped.dataset_of)
    search_rows = (stored.search_rows if stored is not None and stored.search_rows is not None
                   else np.full(len(table), -1, dtype=np.int64))
    table = pa.concat_tables([table, shipped_table]).append_column(
        _SEARCH_ROW, pa.array(np.concatenate([search_rows, np.full(len(shipped_table), -1, dtype=np.int64)])))
    first, last, precision = _dates(table)
    table = table.append_column("date_first", pa.array(first)).append_column("date_last", pa.array(last))
    table = table.set_column(table.schema.get_field_index("source_precision"), "date_precision", precision)
    # The dates' text is done with: the rows are put in the join's order without it.
    table = table.drop_columns(["start", "end", "reported", "as_of"])
    table = table.take(pc.sort_indices(table, sort_keys=[("date_first", "ascending"), ("id", "ascending")]))
    title_order = table_module.text_order(table.column("title"))
    search_rows = table.column(_SEARCH_ROW).to_numpy()
    table = table.drop_columns(["title", _SEARCH_ROW])

    if stored is None:
        refs = pa.array([f"{layer_id}:{feature_id}" for layer_id, layer in layers.items()
                         for feature_id in layer.frame.index], pa.string())
        geometries = np.concatenate([layer.frame.geometry.to_numpy() for layer in layers.values()])
    else:
        refs, geometries = stored.places.refs, stored.places.geometries
    places = pc.dictionary_encode(table.column("place")).combine_chunks()
    of_place = places.indices.to_numpy(zero_copy_only=False).astype(np.intp)
    found = pc.index_in(places.dictionary, value_set=refs)
    if found.null_count:
        unknown = sorted(places.dictionary.filter(pc.is_null(found)).to_pylist())
        raise join.JoinError(f"unknown place reference(s): {', '.join(unknown)}")
    place_geometries = geometries[found.to_numpy().astype(np.intp)]
    by_place = join.place_attributes(place_geometries, layers, stretches)

    frame = pd.DataFrame({
        "id": table.column("id").to_pandas(),
        **{name: table.column(name).to_pandas() for name in ("document", "status", "date_precision")},
        "date_first": table.column("date_first").to_numpy().astype("datetime64[s]"),
        "date_last": table.column("date_last").to_numpy().astype("datetime64[s]"),
        "actors": _actor_sets(table.column("actors")),
        **{name: table.column(name).to_pandas() for name in ("event_type", "place", "location_precision")},
    })
    for column in join.COLUMNS:
        if column in join.PLACE_COLUMNS:
            frame[column] = by_place[column].iloc[of_place].set_axis(frame.index)
    frame["geometry"] = place_geometries[of_place]
    frame["dataset"] = table.column("dataset").to_pandas()
    frame["fatalities"] = table.column("fatalities").to_pandas()
    placed = gpd.GeoDataFrame({"place": places.dictionary.to_pandas(), "lon": by_place["lon"], "lat": by_place["lat"]},
                              geometry=place_geometries, crs="EPSG:4326")
    placed[AREA_COLUMN] = area_rows(placed)
    return CompactRead(
        events=compact.compact_events(frame[[name for name in (*join.COLUMNS, "dataset", "fatalities")
                                             if name in frame.columns]]),
        places=placed, of_place=of_place,
        shipped_events={event.id: event for event in shipped.events},
        own_places={} if stored is None else stored.places.layers,
        own_actors={} if stored is None else stored.actors,
        documents={**({} if stored is None else stored.documents),
                   **{event.document: shipped.documents[event.document] for event in shipped.events}},
        revision=0 if stored is None else stored.revision,
        datasets=sorted([*([] if stored is None else stored.datasets), *files], key=lambda dataset: dataset.name),
        title_order=title_order, search_rows=search_rows,
    )


def _held(table: pa.Table, event_ids: list[str]) -> dict[str, str]:
    """Event id -> dataset of those of ``event_ids`` that ``table`` holds."""
    rows = pc.is_in(table.column("id"), value_set=pa.array(event_ids, pa.string()))
    held = table.filter(rows)
    return dict(zip(held.column("id").to_pylist(), held.column("dataset").to_pylist(), strict=True))


def _shipped_table(events: Sequence[Event], dataset_of: Mapping[str, str]) -> pa.Table:
    """The shipped files' events as ``EVENT_COLUMNS`` (their properties are empty)."""
    def iso(date: PartialDate | None) -> str | None:
        return None if date is None else date.iso()

    columns = {name: [] for name in EVENT_COLUMNS.names}
    for event in events:
        for name in ("id", "place", "event_type", "status", "location_precision", "document", "title"):
            columns[name].append(getattr(event, name))
        for name in ("start", "end", "reported", "as_of"):
            columns[name].append(iso(getattr(event, name)))
        columns["actors"].append(list(event.actors))
        columns["dataset"].append(dataset_of[event.id])
        columns["fatalities"].append(None)
        columns["source_precision"].append(None)
    return pa.table(columns, schema=EVENT_COLUMNS)


def _dates(table: pa.Table) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """Each event's first and last day (``geo.join``'s date_first and date_last, as datetime64[D])
    and its date precision (its source's, ``geo.importers.source_date_precision``, else its date's)."""
    anchor = pc.coalesce(table.column("start"), table.column("reported"))
    first, _, anchor_precision = _days(anchor)
    ongoing = pc.and_(pc.equal(table.column("status"), "ongoing"), pc.is_valid(table.column("as_of")))
    closing = pc.if_else(ongoing, table.column("as_of"), pc.coalesce(table.column("end"), anchor))
    _, last, _ = _days(closing)
    precision = pc.coalesce(table.column("source_precision"), anchor_precision)
    return first, last, precision


def _days(dates: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """First day, last day (datetime64[D]) and precision of each partial date of ``dates``, each
    distinct date parsed once."""
    encoded = pc.dictionary_encode(dates)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks() if encoded.num_chunks else pa.DictionaryArray.from_arrays(
            pa.array([], pa.int32()), pa.array([], pa.string()))
    parsed = [PartialDate.parse(text) for text in encoded.dictionary.to_pylist()]
    firsts = np.array([date.first_day for date in parsed], dtype="datetime64[D]")
    lasts = np.array([date.last_day for date in parsed], dtype="datetime64[D]")
    precisions = pa.array([date.precision for date in parsed], pa.string())
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp)
    return firsts[codes], lasts[codes], precisions.take(encoded.indices)


def _actor_sets(actors: pa.ChunkedArray) -> np.ndarray:
    """Each event's actors as a tuple, the same tuple object for every event naming one set."""
    actors = actors.combine_chunks()
    keys = pc.dictionary_encode(pc.binary_join(actors, "\x1f"))
    sets = np.empty(len(keys.dictionary), dtype=object)
    sets[:] = [tuple(key.split("\x1f")) for key in keys.dictionary.to_pylist()]
    return sets[keys.indices.to_numpy(zero_copy_only=False).astype(np.intp)]
