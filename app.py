"""The Panj page: filters and layer choices in the sidebar, the map, and the filtered events below.

Thin on purpose: it reads widgets, asks ``geo`` for data and maps, and draws them. The data
directory is ``layers/`` unless the environment variable PANJ_LAYERS_DIR names another.
The page state lives in ``st.session_state`` and is mirrored in the URL (``geo.filters``).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

import geo.events
import geo.join
import geo.layers
from geo import assets, filters, mapview
from geo.filters import FilterState, KnownIds, ViewState

LAYERS_DIR_ENV = "PANJ_LAYERS_DIR"
MAP_HEIGHT = 560

# Session-state keys of the widgets (a reset writes their defaults back).
K_DATES, K_ACTORS, K_TYPES, K_REGIONS, K_TEXT = "f_dates", "f_actors", "f_types", "f_regions", "f_text"
K_BASEMAP, K_TABLE, K_URL_EVENT, K_NOTICES, K_READY = "v_basemap", "events_table", "url_event", "notices", "state_ready"


def _layer_key(layer_id: str) -> str:
    return f"v_layer_{layer_id}"


@dataclass(frozen=True)
class PageData:
    """Everything read from disk, once per data directory (st.cache_resource): never mutated."""

    layers: dict[str, geo.layers.Layer]
    events: pd.DataFrame  # joined events with region ids
    vocabulary: geo.events.Vocabulary
    basemaps: dict[str, mapview.Basemap]
    regions: dict[str, str]  # region id -> label
    span: tuple[dt.date, dt.date] | None

    @property
    def known(self) -> KnownIds:
        return KnownIds(
            actors=frozenset(self.vocabulary.actors), event_types=frozenset(self.vocabulary.event_types),
            regions=frozenset(self.regions), layers=tuple(self.layers), basemaps=frozenset(self.basemaps),
            events=frozenset(self.events["id"]),
        )

    @property
    def default_view(self) -> ViewState:
        visible = tuple(layer_id for layer_id, layer in self.layers.items() if layer.spec.visible)
        return ViewState(visible_layers=visible, basemap=next(iter(self.basemaps)))


@st.cache_resource(show_spinner="Loading layers and events…")
def load_page_data(layers_dir: str) -> PageData:
    directory = Path(layers_dir)
    assets.install_static()
    layers = geo.layers.load_layers(directory)
    events = filters.with_region_ids(geo.join.load_joined_events(directory), layers)
    return PageData(
        layers=layers, events=events, vocabulary=geo.events.load_vocabulary(directory),
        basemaps=mapview.load_basemaps(directory), regions=filters.region_choices(events, layers),
        span=filters.date_span(events),
    )


# --- page state ----------------------------------------------------------------------------------

def _write_widgets(data: PageData, state: FilterState, view: ViewState) -> None:
    """Put ``state`` and ``view`` into the widgets' session-state keys."""
    if data.span is not None:
        st.session_state[K_DATES] = (state.date_from or data.span[0], state.date_to or data.span[1])
    st.session_state[K_ACTORS] = sorted(state.actors or ())
    st.session_state[K_TYPES] = sorted(state.event_types or ())
    st.session_state[K_REGIONS] = sorted(state.regions or ())
    st.session_state[K_TEXT] = state.text
    for layer_id in data.layers:
        st.session_state[_layer_key(layer_id)] = layer_id in view.visible_layers
    st.session_state[K_BASEMAP] = view.basemap


def init_state(data: PageData) -> None:
    """On a session's first run, open the view the URL describes (notices for what it got wrong)."""
    if st.session_state.get(K_READY):
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    state, view, notices = filters.from_query_params(params, data.known, data.default_view)
    _write_widgets(data, state, view)
    st.session_state[K_URL_EVENT] = view.selected_event
    st.session_state[K_NOTICES] = notices
    st.session_state[K_READY] = True


def reset(data: PageData) -> None:
    _write_widgets(data, FilterState(), data.default_view)
    st.session_state[K_URL_EVENT] = None


# --- sidebar -------------------------------------------------------------------------------------

def sidebar_filters(data: PageData) -> FilterState:
    st.sidebar.header("Filters")
    date_from = date_to = None
    if data.span is not None and data.span[0] < data.span[1]:
        start, end = st.sidebar.slider("Dates", min_value=data.span[0], max_value=data.span[1], key=K_DATES,
                                       format="MMM YYYY", help="An event shows when any day its date allows is in the range.")
        # The full span means "no date filter", so events added later are not cut off.
        date_from = None if start == data.span[0] else start
        date_to = None if end == data.span[1] else end
    actors = st.sidebar.multiselect("Actors", list(data.vocabulary.actors), key=K_ACTORS, placeholder="All actors",
                                    format_func=lambda term_id: data.vocabulary.actors[term_id].name)
    types = st.sidebar.multiselect("Event types", list(data.vocabulary.event_types), key=K_TYPES,
                                   placeholder="All event types",
                                   format_func=lambda term_id: data.vocabulary.event_types[term_id].name)
    regions = st.sidebar.multiselect("Regions", list(data.regions), key=K_REGIONS, placeholder="All regions",
                                     format_func=lambda region: data.regions.get(region, region))
    text = st.sidebar.text_input("Search titles and summaries", key=K_TEXT, max_chars=200)
    return FilterState(
        date_from=date_from, date_to=date_to, actors=frozenset(actors) or None,
        event_types=frozenset(types) or None, regions=frozenset(regions) or None, text=text.strip(),
    )


def sidebar_view(data: PageData) -> ViewState:
    st.sidebar.header("Map")
    visible = tuple(layer_id for layer_id, layer in data.layers.items()
                    if st.sidebar.checkbox(layer.spec.title, key=_layer_key(layer_id)))
    basemap = st.sidebar.selectbox("Basemap", list(data.basemaps), key=K_BASEMAP,
                                   format_func=lambda basemap_id: data.basemaps[basemap_id].title)
    return ViewState(visible_layers=visible, basemap=basemap)


def write_url(state: FilterState, view: ViewState) -> None:
    """Mirror the page state in the URL, so a copied link reopens this view."""
    params = filters.to_query_params(state, view)
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    wanted = {key: value if isinstance(value, list) else [value] for key, value in params.items()}
    if current != wanted:
        st.query_params.from_dict(params)


# --- map and table -------------------------------------------------------------------------------

def selected_event(shown: pd.DataFrame) -> str | None:
    """The event chosen in the table (read before the table is drawn, so the map can show it),
    else the one the URL named."""
    selection = st.session_state.get(K_TABLE)
    rows = list(selection.selection.rows) if selection is not None else []
    if rows and rows[0] < len(shown):
        st.session_state[K_URL_EVENT] = None
        return str(shown["id"].iloc[rows[0]])
    url_event = st.session_state.get(K_URL_EVENT)
    return url_event if url_event in set(shown["id"]) else None


def draw_map(data: PageData, shown: pd.DataFrame, view: ViewState, fit: bool) -> None:
    base = mapview.build_base_map(data.layers, data.vocabulary, basemaps=data.basemaps)
    map_view = mapview.MapView(
        visible_layers=view.visible_layers, basemap=view.basemap, highlight=view.selected_event,
        bounds=mapview.events_bounds(shown) if fit else None,
    )
    overlay = mapview.events_overlay(shown, data.vocabulary, data.layers, map_view)
    # The base map's code is the same on every rerun and the changing part goes in
    # feature_group_to_add, so filters never remount the map; returned_objects=[]: pan and zoom
    # do not rerun the script (streamlit-folium #91, #244, #72).
    st_folium(base, feature_group_to_add=overlay, returned_objects=[], key="map", height=MAP_HEIGHT,
              use_container_width=True)


def events_table(data: PageData, shown: pd.DataFrame) -> None:
    actors, types = data.vocabulary.actors, data.vocabulary.event_types
    table = pd.DataFrame({
        "Date": shown["date_label"],
        "From": shown["date_first"],
        "Title": shown["title"],
        "Type": shown["event_type"].map(lambda term_id: types[term_id].name if term_id in types else term_id),
        "Actors": shown["actors"].map(lambda ids: ", ".join(actors[i].name if i in actors else i for i in ids)),
        "Place": shown["place_name"],
        "Region": [", ".join(part for part in (province, country) if isinstance(part, str))
                   for province, country in zip(shown["province"], shown["country"])],
        "Frontier (km)": shown["frontier_km"].round(1),
        "Source": [f"{document}, ¶{paragraph}" for document, paragraph in zip(shown["document"], shown["citation_paragraph"])],
    })
    st.dataframe(
        table, key=K_TABLE, on_select="rerun", selection_mode="single-row", hide_index=True,
        width="stretch",
        column_config={
            "Date": st.column_config.TextColumn(help="At the precision the source gives"),
            "From": st.column_config.DateColumn("First day", help="First day the date allows (sorts by date)"),
            "Title": st.column_config.TextColumn(width="large"),
        },
    )


# --- page ----------------------------------------------------------------------------------------

def main() -> None:
    st.set_page_config(page_title="Panj", layout="wide")
    data = load_page_data(str(Path(os.environ.get(LAYERS_DIR_ENV) or geo.layers.LAYERS_DIR).resolve()))
    init_state(data)

    st.title("Panj: the Tajikistan–Afghanistan frontier")
    for notice in st.session_state.pop(K_NOTICES, []):
        st.warning(notice)

    state = sidebar_filters(data)
    shown = filters.apply_filters(data.events, state)
    st.sidebar.markdown(f"**{len(shown)} of {len(data.events)} events**")
    st.sidebar.button("Reset filters", on_click=reset, args=(data,), width="stretch")
    view = sidebar_view(data)
    view = replace(view, selected_event=selected_event(shown))
    write_url(state, view)

    fit = st.button("Fit to events", disabled=shown.empty, help="Zoom the map to the events shown")
    draw_map(data, shown, view, fit)
    st.subheader("Events")
    st.caption("Select a row to highlight its event on the map.")
    events_table(data, shown)


main()
