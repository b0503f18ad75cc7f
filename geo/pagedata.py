"""Everything the page reads, loaded and checked once: the data directory's layers, vocabularies,
basemaps and scenes, and the events of every dataset in the store (``geo.store``: the shipped
events files are datasets like the analysts' imports). The page caches one ``PageData`` per
directory and store revision and never mutates it; a filter change reads nothing from disk and
derives no geometry.

A directory that cannot be loaded raises ``DataError``, whose ``problems`` list every problem
found (file, item, field, reason), so the page can show one clear explanation instead of a
traceback. A broken scenes file does not: the page works without its workshop scenes.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from geo import assets, eventdata, filters, layers as layers_module, mapview, scenes
from geo.events import Document, Vocabulary, load_vocabulary
from geo.filters import KnownIds, ViewState
from geo.layers import Layer
from geo.problems import ProblemsError
from geo.store import Dataset, Store, joined_events, load_shipped, open_store

logger = logging.getLogger(__name__)


class DataError(RuntimeError):
    """The data directory cannot be shown; ``problems`` are the lines that say why."""

    def __init__(self, layers_dir: Path, problems: list[str]):
        super().__init__(f"cannot load the map data in {layers_dir}: " + "; ".join(problems))
        self.layers_dir = layers_dir
        self.problems = problems


@dataclass(frozen=True)
class PageData:
    """Everything read from disk for one data directory."""

    layers_dir: Path
    layers: dict[str, Layer]  # the manifest's layers
    places: dict[str, Layer]  # each imported dataset's own places (drawn as its events' outlines)
    datasets: list[Dataset]  # every dataset of the store, by name
    events: pd.DataFrame  # joined events (geo.join) of every dataset, with a "dataset" column
    vocabulary: Vocabulary
    documents: dict[str, Document]  # the source documents the events come from, by id
    basemaps: dict[str, mapview.Basemap]
    regions: dict[str, str]  # region id -> label
    span: tuple[dt.date, dt.date] | None
    home: mapview.Bounds  # the view the map opens on (mapview.home_bounds)
    scenes: dict[str, scenes.Scene]  # in the story's order; empty when the file is broken
    scenes_error: str | None  # why the scenes file was refused
    # ``events`` as the browser reads them (geo.eventdata), published once: a rerun sends only
    # which of its rows to show, by ``events``' index labels (a RangeIndex, kept by every filter).
    event_data: eventdata.PublishedEvents

    # Derived once per loaded data and kept with it (the page shares one PageData between sessions).
    @cached_property
    def index(self) -> filters.EventIndex:
        """The events as the filters read them (docs/ARCHITECTURE.md, "Filtering 100,000 events")."""
        return filters.EventIndex(self.events)

    @cached_property
    def known(self) -> KnownIds:
        return KnownIds(
            actors=frozenset(self.vocabulary.actors), event_types=frozenset(self.vocabulary.event_types),
            regions=frozenset(self.regions), layers=tuple(self.layers), basemaps=frozenset(self.basemaps),
            events=frozenset(self.events["id"]),
        )

    @property
    def map_layers(self) -> dict[str, Layer]:
        """Every layer the map registers: the manifest's, then the datasets' own places (never
        shown as layers; their features are the outlines of the events placed on them)."""
        return {**self.layers, **self.places}

    @property
    def default_view(self) -> ViewState:
        visible = tuple(layer_id for layer_id, layer in self.layers.items() if layer.spec.visible)
        return ViewState(visible_layers=visible, basemap=next(iter(self.basemaps)))


def open_page_store(layers_dir: Path, url: str | None = None) -> Store:
    """The store the page reads its events from (``geo.store.default_url`` unless ``url``), with
    the events of ``layers_dir/events/`` loaded into it as datasets: the article's events are a
    dataset like any other. ``DataError`` when the store cannot be opened or a shipped file is bad."""
    try:
        store = open_store(url)
        load_shipped(store, layers_dir)
    except ProblemsError as error:
        logger.error("store for %s refused: %s", layers_dir, error)
        raise DataError(layers_dir, [str(problem) for problem in error.problems]) from error
    except (OSError, ValueError) as error:  # StoreError, a bad layers directory
        logger.error("store for %s refused: %s", layers_dir, error)
        raise DataError(layers_dir, [str(error)]) from error
    return store


def store_revision(store: Store) -> str:
    """Changes whenever a dataset is imported, renamed, replaced or deleted: the page's cache key."""
    return str(store.revision())


def load_page_data(layers_dir: Path, store: Store) -> PageData:
    """Load and check ``layers_dir`` and the events of every dataset in ``store``; ``DataError``
    lists every problem when they cannot be shown."""
    try:
        assets.install_static()
        layers = layers_module.load_layers(layers_dir)
        vocabulary, basemaps = load_vocabulary(layers_dir), mapview.load_basemaps(layers_dir)
        events, stored = joined_events(store, layers_dir)
        events = events.reset_index(drop=True)
        places = {**layers, **stored.places}
        vocabulary = Vocabulary({**vocabulary.actors, **stored.actors}, vocabulary.event_types)
        documents = stored.documents
        mapview.publish_layers(places)  # the layer files the map fetches, written before any page asks
        event_data = eventdata.publish_events(events, places, stored.documents)
    except ProblemsError as error:
        logger.error("data directory %s refused: %s", layers_dir, error)
        raise DataError(layers_dir, [str(problem) for problem in error.problems]) from error
    except (OSError, ValueError) as error:  # LayerError, JoinError, a bad basemaps.json, an unreadable file
        logger.error("data directory %s refused: %s", layers_dir, error)
        raise DataError(layers_dir, [str(error)]) from error
    regions = filters.region_choices(events, layers)
    try:
        workshop, scenes_error = scenes.load_scenes(
            layers_dir, layer_ids=tuple(layers), actor_ids=vocabulary.actors, event_type_ids=vocabulary.event_types,
            region_ids=regions, basemap_ids=basemaps, feature_refs=layers_module.feature_refs(layers),
        ), None
    except scenes.ScenesError as error:  # the page still works; only the workshop is off
        logger.warning("scenes refused: %s", error)
        workshop, scenes_error = [], str(error)
    return PageData(
        layers_dir=layers_dir, layers=layers, places=stored.places, datasets=stored.datasets, events=events,
        vocabulary=vocabulary, documents=documents, basemaps=basemaps,
        regions=regions, span=filters.date_span(events), home=mapview.home_bounds(layers, events),
        scenes={scene.id: scene for scene in workshop}, scenes_error=scenes_error, event_data=event_data,
    )


def events_table(shown: pd.DataFrame, vocabulary: Vocabulary) -> pd.DataFrame:
    """The table under the map: one row per shown event, names instead of ids."""
    actors, types = vocabulary.actors, vocabulary.event_types
    return pd.DataFrame({
        "Date": shown["date_label"],
        "From": shown["date_first"],
        "Title": shown["title"],
        "Status": shown["status"].str.capitalize(),
        "Type": shown["event_type"].map(lambda term_id: types[term_id].name if term_id in types else term_id),
        "Actors": shown["actors"].map(lambda ids: ", ".join(actors[i].name if i in actors else i for i in ids)),
        "Place": shown["place_name"],
        "Region": [", ".join(part for part in (province, country) if isinstance(part, str))
                   for province, country in zip(shown["province"], shown["country"])],
        "Frontier (km)": shown["frontier_km"].round(1),
        "Source": [f"{document}: {citations}" for document, citations in zip(shown["document"], shown["citations_label"])],
    })
