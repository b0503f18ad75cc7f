"""The Panj page: filters and layer choices in the sidebar, the map, and the filtered events below.

Widgets and layout only. The data comes from one ``geo.snapshot.Snapshot`` per data directory
(``layers/`` unless PANJ_LAYERS_DIR names another) and store revision, shared by every session, the page's state machine from
``geo.pagestate``, and every text that did not come from this file reaches Markdown through
``geo.markup.markdown_text`` (docs/ARCHITECTURE.md, "Text is never markup").
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit_folium import st_folium

from geo import filters, mapview, pagestate as ps, search, snapshot as snapshots, summary, timechart
from geo.events import STATUSES
from geo.fatalities import Sums
from geo.filters import FilterState, ViewState
from geo.frontier import SIDE_NAMES, SIDES
from geo.kept import rows_key
from geo.layers import LAYERS_DIR
from geo.markup import Verbatim, html_text, markdown_label, markdown_text
from geo.placement import Bounds
from geo.snapshot import Snapshot
from geo.store import default_url
from geo.table import DEFAULT_SORT
from ui import fatalities as ui_fatalities
from ui.assets import static_text
from ui.charts import term_bars
from ui.datasets import KEY_SHOWN, dataset_filter, datasets_panel, hidden_datasets
from ui.export_panel import export_panel
from ui.map_first import rest_after_map
from ui.strip_panel import strip_panel
from ui.table import events_table
from ui.timefilter import date_inputs, time_histogram
from ui.trends_panel import frontier_change, trends_panel, trends_table
from ui.workshop import playback_bar, step_caption, workshop_bar

MAP_HEIGHT = 560



@st.cache_resource(show_spinner=False, max_entries=4)
def page_store(layers_dir: Path, url: str):
    """The store of one address, shared by the process's sessions, with the shipped events loaded
    into it once, at the page's start."""
    return snapshots.open_page_store(layers_dir, url)


@st.cache_resource(show_spinner=False, max_entries=1)  # no argument: one value
def snapshot_cache() -> snapshots.SnapshotCache:
    """The process's snapshots: the latest of each data directory (bounded), and the pruning of
    published folders no reader needs."""
    return snapshots.SnapshotCache()


def base_map(data: Snapshot, presenter: bool) -> folium.Map:
    """The map without events, built afresh each run from cached inputs (st_folium changes the map
    object it draws); its code is the same on every run, so the map is never remounted."""
    base = mapview.build_base_map(data.map_layers, data.vocabulary, basemaps=data.basemaps, data=data.map_data(),
                                  home=data.home, presenter=presenter, change_levels=data.trend_levels)
    if presenter:  # the map's iframe is out of the page CSS's reach: its half goes into the map's header
        base.get_root().header.add_child(Verbatim(f"<style>{static_text('presenter.css')}</style>"),
                                         name="panj_presenter")
    return base


# --- sidebar -------------------------------------------------------------------------------------

def sidebar_filters(data: Snapshot, within: np.ndarray | None
                    ) -> tuple[FilterState, dict[str, np.ndarray], Callable[[ps.Playback | None], None]]:
    """The filters, their masks over ``data.events`` (``EventIndex.masks``), and what draws the
    charts into their places above the widgets, the histogram framing the playback's period: the
    page calls it once the map is drawn, which needs none of them (docs/performance.md, "First
    load"). The charts count the events of the datasets ``within`` (None: all)."""
    st.sidebar.header("Filters")
    # The charts count the events the *other* filters show, so they are drawn last, into slots
    # above their widgets (docs/ARCHITECTURE.md, "The time filter").
    histogram_slot = st.sidebar.container()
    dates = date_inputs()
    names = {"actors": {term_id: term.name for term_id, term in data.vocabulary.actors.items()},
             "types": {term_id: term.name for term_id, term in data.vocabulary.event_types.items()}}
    actors = st.sidebar.multiselect("Actors", list(names["actors"]), key=ps.ACTORS, placeholder="All actors",
                                    format_func=lambda term_id: names["actors"][term_id])
    actors_slot = st.sidebar.container()
    types = st.sidebar.multiselect("Event types", list(names["types"]), key=ps.TYPES, placeholder="All event types",
                                   format_func=lambda term_id: names["types"][term_id])
    types_slot = st.sidebar.container()
    statuses = st.sidebar.multiselect("Status", list(STATUSES), key=ps.STATUSES, placeholder="Any status",
                                      format_func=str.capitalize)
    regions = st.sidebar.multiselect("Regions", list(data.regions), key=ps.REGIONS, placeholder="All regions",
                                     format_func=lambda region: data.regions.get(region, region))
    within_km, sides, stretches = frontier_filters(data)
    fatalities_range = ui_fatalities.fatalities_range(data)
    text = st.sidebar.text_input("Search titles and summaries", key=ps.TEXT, max_chars=200)
    search_slot = st.sidebar.container()
    scene = data.scenes.get(st.session_state.get(ps.SCENE) or "")
    scene_filters = scene.filters if scene is not None else None
    state = ps.filters_from_widgets(dates=dates, span=data.span, actors=actors, event_types=types, regions=regions,
                                    text=text, statuses=statuses, within_km=within_km, sides=sides,
                                    stretches=stretches, fatalities_range=fatalities_range,
                                    along_km=st.session_state.get(ps.ALONG),
                                    scene_filters=scene_filters)
    index, masks = data.index, data.index.masks(state)

    def others(part: str) -> np.ndarray:  # the events every filter but ``part`` shows
        return index.mask(state, within=within, masks=masks, leave_out=part)

    def term_counts(column: str, rows: np.ndarray, reported: bool
                    ) -> tuple[dict[str, int], dict[str, Sums] | None]:
        return data.kept.get(("term bars", column, rows_key(rows), reported), lambda: (
            index.counts(column, rows), index.fatality_sums(column, rows) if reported else None))

    def charts(playback: ps.Playback | None) -> None:
        period = None if playback is None or playback.period is None else (
            playback.period.first, playback.period.last, playback.period.label)
        reported = ui_fatalities.carried(data)  # the charts say the fatalities too
        # Each chart's counts are kept per set of rows counted (geo.kept): a rerun or a new session
        # on the same view does not count up to a million rows again.
        dated = others(filters.PART_DATES)
        time_histogram(histogram_slot, data.kept.get(("histogram", rows_key(dated), reported), lambda: (
            timechart.histogram_counts(index.dates(dated, with_fatalities=reported)))), dates, period)
        for part, column, terms, widget_key, subject, slot in (
                (filters.PART_ACTORS, "actors", names["actors"], ps.ACTORS, "actor", actors_slot),
                (filters.PART_TYPES, "event_type", names["types"], ps.TYPES, "event type", types_slot)):
            counted, sums = term_counts(column, others(part), reported)
            term_bars(slot, counted, terms, widget_key, subject, sums)
        if state.text and not index.mask(state, within=within, masks=masks).any():
            search_help(search_slot, data, state, within, masks)

    return state, masks, charts


def frontier_filters(data: Snapshot) -> tuple[float | None, list[str], list[str]]:
    """The frontier's filters (geo.filters): the km from it (empty: any distance), the banks and
    the stretches, west to east by their names in layers/frontier-stretches.json."""
    within_km = st.sidebar.number_input("Within km of the frontier", value=None, min_value=0.0, step=5.0, format="%g",
                                        key=ps.WITHIN, placeholder="Any distance",
                                        help="Events placed only on a whole country have no distance: "
                                             "any value here hides them.")
    sides = st.sidebar.multiselect("Bank", list(SIDES), key=ps.SIDES, placeholder="Either bank",
                                   format_func=SIDE_NAMES.__getitem__)
    stretch_names = {stretch_id: markdown_label(name) for stretch_id, name in data.stretch_names.items()}
    stretches = st.sidebar.multiselect("Frontier stretch", list(stretch_names), key=ps.STRETCHES,
                                       placeholder="Every stretch", format_func=stretch_names.__getitem__)
    return within_km, sides, stretches


def search_help(slot: DeltaGenerator, data: Snapshot, state: FilterState, within: np.ndarray | None,
                masks: dict[str, np.ndarray]) -> None:
    """Under a search that shows nothing: the filter hiding what it matches, or the place of that
    name and the events nearest it (geo.search)."""
    hidden, matching = search.hidden_counts(data.index, state, within, masks)
    places = search.places_named(state.text, data.gazetteer)
    nearby = {}
    if places and not matching:
        candidates = data.placed(data.events[data.index.mask(state, within=within, masks=masks,
                                                             leave_out=filters.PART_TEXT)])
        nearby = {place.ref: search.nearest(place, candidates) for place, _ in places[:search.NEAREST]}
    lines = search.no_match_help(state.text, hidden=hidden, matching=matching, places=places, nearby=nearby)
    slot.info("\n\n".join(markdown_text(line, limit=None) for line in lines))


def sidebar_view(data: Snapshot) -> ViewState:
    st.sidebar.header("Map")
    visible = tuple(layer_id for layer_id, layer in data.layers.items()
                    if st.sidebar.checkbox(markdown_label(layer.spec.title), key=ps.layer_key(layer_id)))
    basemap = st.sidebar.selectbox("Basemap", list(data.basemaps), key=ps.BASEMAP,
                                   format_func=lambda basemap_id: data.basemaps[basemap_id].title)
    return ViewState(visible_layers=visible, basemap=basemap, size_by=ui_fatalities.size_choice(data))


# --- map and table -------------------------------------------------------------------------------

def draw_map(data: Snapshot, shown: pd.DataFrame, view: ViewState, bounds: Bounds | None,
             presenter: bool, beside_legend: bool = False, playback: ps.Playback | None = None,
             playback_range: tuple[dt.date, dt.date] | None = None, change: dict | None = None,
             terms: dict | None = None) -> None:
    """The map; ``bounds`` (None: stay) fitted into the part the legend leaves free when
    ``beside_legend`` ("Fit to events"), else exactly (a link's view, a scene's extent); the
    ``playback`` where it paused, over the days ``playback_range``; the frontier coloured by
    ``change`` (``ui.trends_panel.frontier_change``; None: not); ``shown`` sent as the filter's
    ``terms`` when the browser can apply them (``geo.clientfilter``), else as a mask."""
    if bounds is not None:
        st.session_state[ps.FIT_REQUEST] += 1  # a new request, even for the bounds asked for last time
    reveal = ps.reveals(st.session_state.get(ps.SELECTED), st.session_state.get(ps.STEP), view.selected_event)
    map_view = mapview.MapView(visible_layers=view.visible_layers, basemap=view.basemap, highlight=view.selected_event,
                               bounds=bounds, fit_request=st.session_state[ps.FIT_REQUEST], reveal=reveal,
                               fit_beside_legend=beside_legend,
                               playback=None if playback is None else playback.browser(), playback_range=playback_range,
                               playback_request=st.session_state.get(ps.PLAYBACK_REQUEST, 0),
                               frontier_change=change, size_by=view.size_by)
    overlay = mapview.events_overlay(shown, data.vocabulary, data.map_layers, map_view, data=data.map_data(),
                                     terms=terms)
    # Only the overlay changes between runs, and pan/zoom rerun nothing (docs/ARCHITECTURE.md).
    st_folium(base_map(data, presenter), feature_group_to_add=overlay, returned_objects=[], key="map",
              height=MAP_HEIGHT, use_container_width=True)


def view_in_words(data: Snapshot, shown: pd.DataFrame, shown_rows: bytes, total: int, state: FilterState,
                  presenter: bool) -> None:
    """The view in words under the map (geo.summary) of the ``shown`` rows (``shown_rows``: their
    ``geo.kept.rows_key``); static/page-a11y.js announces it when it changes."""
    text = data.kept.get(("summary", shown_rows, total, state.regions), lambda: summary.view_summary(
        shown, total, data.vocabulary, data.regions, state.regions, data.place_names))
    if not presenter:  # presenter view has no table
        text += " The table under the map lists every event shown, with the same filters."
    # On a projector it is not drawn, but screen readers still have it (static/page.css).
    hidden = " panj-visually-hidden" if presenter else ""
    st.html(f'<p class="panj-summary{hidden}">{html_text(text)}</p>')


# --- page ----------------------------------------------------------------------------------------

def load_or_explain() -> Snapshot:
    """The page's data, or one page that says which file, item and field is wrong, and stops."""
    layers_dir = Path(os.environ.get("PANJ_LAYERS_DIR") or LAYERS_DIR).resolve()
    try:
        store = page_store(layers_dir, default_url())
        return snapshot_cache().get(layers_dir, store)
    except snapshots.DataError as error:
        st.title("Panj cannot show this map data")
        st.error(f"The data in {markdown_text(error.layers_dir, limit=None)} could not be loaded. Problems found:")
        st.code("\n".join(error.problems), language=None, wrap_lines=True)
        st.stop()
        raise  # st.stop() ends the run by raising; this line only satisfies type checkers


def main() -> None:
    st.set_page_config(page_title="Panj", layout="wide")
    data = load_or_explain()
    opening = not st.session_state.get(ps.READY)
    if opening:
        query = {key: st.query_params.get_all(key) for key in st.query_params}
        st.session_state.update(ps.opening_values(query, data.scenes, data.known, data.default_view, tuple(data.layers),
                                                    data.span, [dataset.id for dataset in data.datasets]))
    whole = ps.draws_below_map(opening, browser=bool(st.context.headers.get("User-Agent")))
    presenter = st.query_params.get(ps.KEY_PRESENTER) == "1"
    st.html(f"<style>{static_text('page.css')}</style>")
    # One element for both scripts: each element in the page's flow adds a gap above the map.
    st.html(f"<script>{static_text('page-a11y.js')}</script><script>{static_text('charts.js')}</script>",
            unsafe_allow_javascript=True)
    if presenter:
        st.html(f"<style>{static_text('presenter.css')}</style>")
    with st.container(key="presenter-hidden-title"):
        st.title("Panj: the Tajikistan–Afghanistan frontier")
    # A run that draws the map alone keeps the link's notices for the run after it, which draws the
    # whole page and would otherwise take them off again.
    for notice in st.session_state.pop(ps.NOTICES, []) if whole else st.session_state.get(ps.NOTICES, []):
        st.warning(markdown_text(notice))

    within = dataset_filter(data)  # the datasets ticked (None: all): every count below is of them
    total = len(data.events) if within is None else int(within.sum())
    state, masks, draw_charts = sidebar_filters(data, within)
    shown_mask = data.index.mask(state, within=within, masks=masks)
    # Keeps data.events' index labels, which the map reads. Every row shown (a new session's first
    # view) takes the snapshot's frame itself, read only: ten sessions opening at once on a million
    # events would otherwise each copy it.
    shown = data.events if shown_mask.all() else data.events[shown_mask]
    # The date filter, else the shown events' dates, bound the playback (docs/ARCHITECTURE.md, "Playback").
    shown_rows = rows_key(shown_mask)  # what the page works out from the shown rows is kept by it (geo.kept)
    playback_range = data.kept.get(("playback range", shown_rows, state.date_from, state.date_to), lambda: (
        ps.playback_bounds(state, shown["date_first"], shown["date_last"])))
    shown_ids = filters.ShownIds(data.index, shown_mask)
    sums = ui_fatalities.count_line(shown_mask, data)
    st.sidebar.markdown(f"**{len(shown)} of {total} events**" + (f", {sums}" if sums else ""))
    st.sidebar.button("Reset filters", on_click=lambda: st.session_state.update(ps.reset_values(
        data.default_view, tuple(data.layers), data.span)), width="stretch")
    view = sidebar_view(data)
    scene = workshop_bar(data, state, view, shown, shown_ids, presenter, playback_range)
    # Read after the step buttons, which move a playback to the period of the event they step to.
    playback = st.session_state.get(ps.PLAYBACK)
    if playback is not None and playback_range is not None:
        playback = st.session_state[ps.PLAYBACK] = playback.within(*playback_range)
    playback_bar(playback, presenter)
    highlight = ps.highlighted(st.session_state.get(ps.SELECTED), st.session_state.get(ps.STEP), shown_ids)
    view = replace(view, selected_event=highlight, bbox=st.session_state.get(ps.BBOX))
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    order = (st.session_state.get(ps.TABLE_SORT, DEFAULT_SORT), st.session_state.get(ps.TABLE_DESCENDING, False))
    choice, trends = trends_table(data, shown, state)  # counted only if the map or the panel draws it
    wanted = ps.url_params(state, view, scene, presenter, hidden_datasets(data), playback, order, choice)
    if current != wanted:
        st.query_params.from_dict(wanted)

    with st.container(key="presenter-hidden-fit"):
        fit = st.button("Fit to events", disabled=shown.empty, help="Zoom the map to the events shown")
    fit_scene = st.session_state.pop(ps.FIT_SCENE, False) and scene is not None
    bounds = ps.bounds_to_fit(
        opened=st.session_state.pop(ps.OPEN_BBOX, None), fit_clicked=fit,
        events_bounds=data.events_bounds(shown) if fit else None,  # read only on a click
        scene_bounds=scene.bounds(data.layers) if fit_scene else None,
    )
    change = frontier_change(data, choice, trends)  # drawn on the map and in its figure
    draw_map(data, shown, view, bounds, presenter, beside_legend=fit, playback=playback, playback_range=playback_range,
             change=change, terms=data.browser_filters.terms(state, within))
    if not whole:
        rest_after_map()  # reruns the page once the map has drawn its events
        return
    view_in_words(data, shown, shown_rows, total, state, presenter)
    with st.container(key="presenter-hidden-strip"):
        strip_panel(data, state, shown, shown_rows)
    draw_charts(playback)
    step_caption(data, shown, shown_ids)
    with st.container(key="presenter-hidden-export"):
        export_panel(data, state, data.events if within is None else data.events[within], shown,
                     (None if within is None else rows_key(within), shown_rows), view, scene, change)
    with st.container(key="presenter-hidden-table"):
        st.subheader("Events")
        events_table(data, shown_mask, shown_rows, total, (state, tuple(st.session_state.get(KEY_SHOWN) or ())), sums)
        datasets_panel(data, page_store(data.layers_dir, default_url()))
    with st.container(key="presenter-hidden-trends"):
        trends_panel(data, choice, trends)


main()
