"""The snapshot's events as compact columns, and their text read back for the rows a reader looks
at (docs/ARCHITECTURE.md, "The snapshot"; docs/performance.md, "Compact page data").

The joined events (``geo.join``) carry a Python object per event and per field: titles,
summaries, citations, dates, lists of actors and a shapely geometry. ``compact_events`` keeps of
them only what filtering, drawing and counting read, as columns without a Python object per row:

- ``id`` and ``place`` as Arrow strings;
- terms (``status``, ``event_type``, ``date_precision``, ``location_precision``, ``document``,
  ``dataset``, ``country_id``/``country``, ``province_id``/``province``, ``nearest_post``,
  ``frontier_side``, ``frontier_stretch``) as
  categoricals: a small integer code per row and each term once;
- ``actors`` as a categorical of the actor sets the events name (a code per row, each set of
  actors once as a tuple): a few hundred sets, however many events;
- ``date_first``/``date_last`` as ``datetime64[s]`` (an integer count per row);
- ``lon``, ``lat``, ``frontier_km``, ``frontier_along_km``, ``nearest_post_km`` and ``fatalities``
  (NaN where none is reported: ``geo.fatalities``) as floats, ``in_gbao``, ``in_wakhan`` and
  ``is_area`` (the event's place is an area or a line, not a point) as booleans.

No geometry is kept per event: an area event names its area by ``place`` (a layer feature), and a
point event's geometry is its ``lon``/``lat`` (``place_geometries`` rebuilds either). The text and
the rest of each event stay where they came from, the store or the data directory's files, and
``EventTexts`` reads them for the rows asked; ``details`` puts them back into the joined events'
columns for those rows only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import fatalities, join
from geo.events import Event, Vocabulary, parse_event
from geo.layers import Layer, parse_ref
from geo.placement import AREA_COLUMN
from geo.store import Store, open_store

# The joined columns the compact frame keeps, by how they are held.
TERM_COLUMNS = ("document", "status", "date_precision", "event_type", "location_precision", "country_id", "country",
                "province_id", "province", "nearest_post", "dataset", "frontier_side", "frontier_stretch")
STRING_COLUMNS = ("id", "place")
FLOAT_COLUMNS = ("lon", "lat", "frontier_km", "frontier_along_km", "nearest_post_km", "fatalities")
FLAG_COLUMNS = ("in_gbao", "in_wakhan")
DATE_COLUMNS = ("date_first", "date_last")
ACTORS_COLUMN = "actors"


def compact_events(joined: pd.DataFrame) -> pd.DataFrame:
    """The compact columns (module docstring) of ``joined`` (joined events with a ``dataset``
    column), in its row order and with its index."""
    columns: dict[str, object] = {}
    for column in joined.columns:
        if column in STRING_COLUMNS:
            columns[column] = joined[column].astype(pd.StringDtype("pyarrow", na_value=np.nan))
        elif column in TERM_COLUMNS:
            columns[column] = joined[column].astype("category")
        elif column == ACTORS_COLUMN:
            columns[column] = pd.Series(pd.Categorical([tuple(actors) for actors in joined[column]]),
                                        index=joined.index)
        elif column in DATE_COLUMNS:
            columns[column] = pd.to_datetime(joined[column]).astype("datetime64[s]")
        elif column in FLOAT_COLUMNS:
            columns[column] = joined[column].astype(float)
        elif column in FLAG_COLUMNS:
            columns[column] = joined[column].fillna(False).astype(bool)
        elif column == "geometry":
            columns[AREA_COLUMN] = pd.Series(_is_area(joined.geometry.to_numpy()), index=joined.index)
    return pd.DataFrame(columns, index=joined.index)


def _is_area(geometries: np.ndarray) -> np.ndarray:
    kinds = shapely.get_type_id(geometries)
    return (kinds >= 0) & ~np.isin(kinds, [int(shapely.GeometryType.POINT), int(shapely.GeometryType.MULTIPOINT)])


def without_points(places: Mapping[str, Layer]) -> dict[str, Layer]:
    """The datasets' own places less those that are a single point: an event on one is drawn and
    exported at its own ``lon``/``lat``, so the snapshot need not keep a geometry for each."""
    kept = {}
    for layer_id, layer in places.items():
        keep = (shapely.get_type_id(layer.frame.geometry.to_numpy()) != int(shapely.GeometryType.POINT))
        if keep.all():
            kept[layer_id] = layer
            continue
        features = [feature for feature, kept_one in zip(layer.features, keep, strict=True) if kept_one]
        kept[layer_id] = Layer(spec=layer.spec, frame=layer.frame[keep], features=features)
    return kept


def place_geometries(frame: pd.DataFrame, layers: Mapping[str, Layer]) -> np.ndarray:
    """Each row's place geometry: its area's or line's (the layer feature ``place`` names, held
    once by the layer), else the point at its ``lon``/``lat``."""
    geometries = shapely.points(frame["lon"].to_numpy(dtype=float), frame["lat"].to_numpy(dtype=float))
    areas = np.flatnonzero(frame[AREA_COLUMN].to_numpy(dtype=bool))
    if len(areas):
        places, inverse = np.unique(frame["place"].to_numpy(dtype=object)[areas].astype(str), return_inverse=True)
        # Every area place is a feature of the layers: the join placed the event on it.
        shapes = np.array([_feature(layers, place).geometry for place in places], dtype=object)
        geometries[areas] = shapes[inverse]
    return geometries


def _feature(layers: Mapping[str, Layer], place: str) -> pd.Series | None:
    layer_id, feature_id = parse_ref(place)
    layer = layers.get(layer_id)
    return None if layer is None or feature_id not in layer.frame.index else layer.frame.loc[feature_id]


def _texts_reopened(shipped: Mapping[str, Event], url: str | None, vocabulary: Vocabulary) -> EventTexts:
    return EventTexts(shipped, None if url is None else open_store(url, create=False), vocabulary)


class EventTexts:
    """Where the events' text is read from: the data directory's shipped events (``shipped``,
    held as the files gave them: a few dozen) and an imported dataset's from its store rows
    (``panj_events.entry``), read in one transaction per call. A row imported since gone (deleted
    after the snapshot was built) has no text: its next snapshot has no such row."""

    def __init__(self, shipped: Mapping[str, Event], store: Store | None, vocabulary: Vocabulary):
        self._shipped = dict(shipped)
        self._store = store
        self._vocabulary = vocabulary

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled for a child process (geo.snapshot): the store travels as its URL, opened there
        # for reading only.
        return _texts_reopened, (self._shipped, None if self._store is None else self._store.url, self._vocabulary)

    def events(self, rows: pd.DataFrame,
               fields: Sequence[str] = ()) -> tuple[dict[str, Event], dict[str, dict[str, Any]]]:
        """The events of ``rows`` (compact rows) by id, as the files or the store hold them, their
        actors as the snapshot names them (a dataset's own actors carry its prefix); and by id, those
        of an imported event's properties named in ``fields`` that it holds (read with its text)."""
        found = {event_id: self._shipped[event_id] for event_id in rows["id"] if event_id in self._shipped}
        wanted = rows[~rows["id"].isin(list(found))]
        if not len(wanted) or self._store is None:
            return found, {}
        records = self._store.event_records(wanted["id"].tolist(), fields)
        problems: list = []
        for event_id, actors, document, place in zip(wanted["id"], wanted[ACTORS_COLUMN], wanted["document"],
                                                     wanted["place"], strict=True):
            if event_id not in records:
                continue
            raw = json.loads(records[event_id][0])
            raw["actors"] = list(actors)  # as the snapshot names them (see Store.events)
            event = parse_event(raw, path=Path(self._store.location), item=f"event {event_id!r}",
                                document_id=str(document), vocabulary=self._vocabulary, place_refs={place},
                                problems=problems)
            if event is not None:
                found[event_id] = event
        return found, {event_id: properties for event_id, (_, properties) in records.items() if properties}

    def place_names(self, places: Iterable[str], layers: Mapping[str, Layer]) -> dict[str, str]:
        """Place reference -> name: a feature of ``layers`` by its own, a dataset's point place
        (which the snapshot keeps no feature for: ``without_points``) as the store names it."""
        names, asked = {}, []
        for place in dict.fromkeys(places):
            feature = _feature(layers, place)
            if feature is None:
                asked.append(place)
            else:
                names[place] = str(feature["name"])
        if asked and self._store is not None:
            names.update(self._store.place_names(asked))
        return names

    def searched(self, rows: pd.DataFrame, layers: Mapping[str, Layer],
                 aliases: Mapping[str, Sequence[str]]) -> list[tuple[str, str, str, str]]:
        """Per row of ``rows``, what a search looks in (``geo.filters``): title, summary, place name
        and the place's other spellings, read without checking the rest of each event."""
        ids = rows["id"].tolist()
        found = {event_id: (self._shipped[event_id].title, self._shipped[event_id].summary)
                 for event_id in ids if event_id in self._shipped}
        wanted = [event_id for event_id in ids if event_id not in found]
        if wanted and self._store is not None:
            for event_id, entry in self._store.event_entries(wanted).items():
                raw = json.loads(entry)
                found[event_id] = (str(raw.get("title") or ""), str(raw.get("summary") or ""))
        places = rows["place"].tolist()
        names = self.place_names(places, layers)
        return [(*found.get(event_id, ("", "")), names.get(place, ""), "; ".join(aliases.get(place, ())))
                for event_id, place in zip(ids, places, strict=True)]


def details(rows: pd.DataFrame, texts: EventTexts, layers: Mapping[str, Layer],
            aliases: Mapping[str, Sequence[str]], *, geometry: bool = False) -> pd.DataFrame:
    """``rows`` (compact rows) with the joined events' columns (``geo.join.COLUMNS``, then
    ``geo.fatalities.DETAIL_COLUMNS``, then ``dataset``) and their index: the text and place names
    from ``texts``, the places' other spellings from ``aliases``, UCDP's low and high estimates from
    the store's properties, the rest from the rows themselves. The fatalities are whole numbers, NA
    where the event reports none. A GeoDataFrame with each place's geometry (an area's from
    ``layers``) when ``geometry``."""
    events, properties = texts.events(rows, fatalities.RANGE_COLUMNS)
    flat = [join.flatten(events[event_id]) if event_id in events else {"id": event_id} for event_id in rows["id"]]
    plain = [name for name in join.COLUMNS if name != "geometry"]
    frame = pd.DataFrame(flat, columns=plain, index=rows.index)
    for column in (*TERM_COLUMNS, *STRING_COLUMNS, *FLOAT_COLUMNS, *FLAG_COLUMNS):
        if column in rows.columns and column in frame.columns:
            frame[column] = rows[column].to_numpy(dtype=object if column not in (*FLOAT_COLUMNS, *FLAG_COLUMNS)
                                                  else None)
    for column in ("country_id", "country", "province_id", "province", "nearest_post", "frontier_side",
                   "frontier_stretch"):
        frame[column] = frame[column].where(pd.notna(frame[column]), pd.NA)
    frame[ACTORS_COLUMN] = list(rows[ACTORS_COLUMN])
    for column in DATE_COLUMNS:
        frame[column] = [None if pd.isna(day) else day.date() for day in rows[column]]
    names = texts.place_names(rows["place"].tolist(), layers)
    frame["place_name"] = [names.get(place) for place in rows["place"]]
    frame["place_aliases"] = ["; ".join(aliases.get(place, ())) or None for place in rows["place"]]
    frame["amount_usd"] = pd.array(frame["amount_usd"], dtype="Float64")
    frame["troops"] = pd.array(frame["troops"], dtype="Int64")
    counts = rows[fatalities.COLUMN].to_numpy(dtype=float) if fatalities.COLUMN in rows.columns else np.full(len(rows), np.nan)
    frame[fatalities.COLUMN] = pd.array(counts, dtype="Float64").round().astype("Int64")
    for column in fatalities.RANGE_COLUMNS:
        frame[column] = pd.array([properties.get(event_id, {}).get(column) for event_id in rows["id"]], dtype="Int64")
    if "dataset" in rows.columns:
        frame["dataset"] = rows["dataset"].to_numpy(dtype=object)
    if not geometry:
        return frame
    placed = gpd.GeoDataFrame(frame, geometry=place_geometries(rows, layers), crs="EPSG:4326")
    return placed[[*join.COLUMNS, *fatalities.DETAIL_COLUMNS, *(["dataset"] if "dataset" in frame.columns else [])]]
