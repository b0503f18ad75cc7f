"""The Panj page: filters and layer choices in the sidebar, the map, and the filtered events below.

Thin on purpose: it reads widgets, asks ``geo`` for data and maps, and draws them. The data
directory is ``layers/`` unless the environment variable PANJ_LAYERS_DIR names another.
The page state lives in ``st.session_state`` and is mirrored in the URL (``geo.filters``).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import folium
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit_folium import st_folium

import geo.events
import geo.join
import geo.layers
from geo import assets, export, figure, filters, mapview, scenes, timeline
from geo.filters import FilterState, KnownIds, ViewState

LAYERS_DIR_ENV = "PANJ_LAYERS_DIR"
STATIC_DIR = Path(__file__).resolve().parent / "static"
NO_SCENE = "None: explore freely"
MAP_HEIGHT = 560
KEY_PRESENTER = "presenter"  # ?presenter=1: the map fills the window, for a projector

# Session-state keys of the widgets (a reset writes their defaults back).
K_DATES, K_ACTORS, K_TYPES, K_REGIONS, K_TEXT = "f_dates", "f_actors", "f_types", "f_regions", "f_text"
K_BASEMAP, K_TABLE, K_URL_EVENT, K_NOTICES, K_READY = "v_basemap", "events_table", "url_event", "notices", "state_ready"
K_SCENE, K_STEP, K_FIT_SCENE, K_PNG = "w_scene", "w_step", "w_fit_scene", "export_png"
K_FIT_REQUEST = "w_fit_request"  # numbers the map's moves the page asks for (mapview.MapView.fit_request)
K_BBOX, K_OPEN_BBOX = "v_bbox", "v_open_bbox"  # the last view the page knows; the URL's, to open on


def _layer_key(layer_id: str) -> str:
    return f"v_layer_{layer_id}"


@dataclass(frozen=True)
class PageData:
    """Everything read from disk, once per data directory (st.cache_resource): never mutated."""

    layers_dir: Path
    layers: dict[str, geo.layers.Layer]
    events: pd.DataFrame  # joined events (geo.join)
    vocabulary: geo.events.Vocabulary
    basemaps: dict[str, mapview.Basemap]
    regions: dict[str, str]  # region id -> label
    span: tuple[dt.date, dt.date] | None
    home: mapview.Bounds  # the view the map opens on (mapview.home_bounds)
    scenes: dict[str, scenes.Scene]  # in the story's order; empty when the file is broken
    scenes_error: str | None  # why the scenes file was refused

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
    events = geo.join.load_joined_events(directory)
    mapview.publish_layers(layers)  # the layer files the map fetches, written before any page asks
    vocabulary, basemaps = geo.events.load_vocabulary(directory), mapview.load_basemaps(directory)
    regions = filters.region_choices(events, layers)
    try:
        workshop, scenes_error = scenes.load_scenes(
            directory, layer_ids=tuple(layers), actor_ids=vocabulary.actors, event_type_ids=vocabulary.event_types,
            region_ids=regions, basemap_ids=basemaps, feature_refs=geo.layers.feature_refs(layers),
        ), None
    except scenes.ScenesError as error:  # the page still works; only the workshop is off
        workshop, scenes_error = [], str(error)
    return PageData(
        layers_dir=directory, layers=layers, events=events, vocabulary=vocabulary, basemaps=basemaps, regions=regions,
        span=filters.date_span(events), home=mapview.home_bounds(layers),
        scenes={scene.id: scene for scene in workshop}, scenes_error=scenes_error,
    )


@st.cache_resource(show_spinner=False)
def static_text(name: str) -> str:
    """A file of ``static/`` (the page's own CSS and JS), read once per process."""
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def base_map(data: PageData, presenter: bool) -> folium.Map:
    """The map without events, built afresh each run from cached inputs (a few milliseconds):
    st_folium changes the map object it draws, so one is never shared between runs or sessions.
    Its code is the same on every run, so the map in the browser is never remounted."""
    base = mapview.build_base_map(data.layers, data.vocabulary, basemaps=data.basemaps, home=data.home)
    if presenter:
        # The map lives in an iframe the page's CSS cannot reach: its half of the presenter CSS
        # goes into the map's own header (one remount when presenter mode is switched).
        base.get_root().header.add_child(folium.Element(f"<style>{static_text('presenter.css')}</style>"),
                                         name="panj_presenter")
    return base


# --- page state ----------------------------------------------------------------------------------

def _slider_dates(span: tuple[dt.date, dt.date], state: FilterState) -> tuple[tuple[dt.date, dt.date], list[str]]:
    """The date slider's value for ``state``: a link's or a scene's dates moved inside the events'
    span (the slider holds no value outside it; from <= to still holds), with a notice per date moved."""
    first, last = span
    start = min(max(state.date_from or first, first), last)
    end = max(min(state.date_to or last, last), start)
    notices = [
        f"Moved the {which} date {asked:%Y-%m-%d} to {used:%Y-%m-%d}: the events run from {first:%Y-%m-%d} "
        f"to {last:%Y-%m-%d}."
        for which, asked, used in (("start", state.date_from, start), ("end", state.date_to, end))
        if asked is not None and asked != used
    ]
    return (start, end), notices


def _write_widgets(data: PageData, state: FilterState, view: ViewState) -> list[str]:
    """Put ``state`` and ``view`` into the widgets' session-state keys; returns notices for the
    dates moved into the events' span."""
    notices: list[str] = []
    if data.span is not None:
        st.session_state[K_DATES], notices = _slider_dates(data.span, state)
    st.session_state[K_ACTORS] = sorted(state.actors or ())
    st.session_state[K_TYPES] = sorted(state.event_types or ())
    st.session_state[K_REGIONS] = sorted(state.regions or ())
    st.session_state[K_TEXT] = state.text
    for layer_id in data.layers:
        st.session_state[_layer_key(layer_id)] = layer_id in view.visible_layers
    st.session_state[K_BASEMAP] = view.basemap
    return notices


def init_state(data: PageData) -> None:
    """On a session's first run, open the view the URL describes (notices for what it got wrong)."""
    if st.session_state.get(K_READY):
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    scene, state, view, notices = scenes.open_from_query(params, data.scenes, data.known, data.default_view)
    st.session_state[K_SCENE] = scene.id if scene is not None else None
    st.session_state[K_FIT_SCENE] = scene is not None
    st.session_state[K_STEP] = view.selected_event
    st.session_state[K_BBOX] = st.session_state[K_OPEN_BBOX] = view.bbox
    st.session_state[K_FIT_REQUEST] = 0
    notices += _write_widgets(data, state, view)
    st.session_state[K_URL_EVENT] = view.selected_event
    st.session_state[K_NOTICES] = notices
    st.session_state[K_READY] = True


def apply_scene(data: PageData) -> None:
    """The scene select box's callback: runs before the widgets are drawn, so it may set them."""
    scene = data.scenes.get(st.session_state[K_SCENE])
    if scene is not None:
        st.session_state[K_NOTICES] = _write_widgets(data, scene.filters, scene.view_state())
        st.session_state[K_STEP] = None
        st.session_state[K_URL_EVENT] = None
        st.session_state[K_FIT_SCENE] = True
        st.session_state[K_BBOX] = None  # the map moves to the scene's extent


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


def write_url(state: FilterState, view: ViewState, scene: scenes.Scene | None, presenter: bool) -> None:
    """Mirror the page state in the URL, so a copied link reopens this view: on a scene, ``scene=ID``
    and only what differs from it; presenter mode as ``presenter=1``."""
    params = filters.to_query_params(state, view, scene.url_base() if scene is not None else None)
    if scene is not None:
        params[scenes.KEY_SCENE] = scene.id
    if presenter:
        params[KEY_PRESENTER] = "1"
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


def draw_map(data: PageData, shown: pd.DataFrame, view: ViewState, bounds: mapview.Bounds | None,
             presenter: bool) -> None:
    if bounds is not None:
        st.session_state[K_FIT_REQUEST] += 1  # a new request, even for the bounds asked for last time
    map_view = mapview.MapView(
        visible_layers=view.visible_layers, basemap=view.basemap, highlight=view.selected_event, bounds=bounds,
        fit_request=st.session_state[K_FIT_REQUEST],
    )
    overlay = mapview.events_overlay(shown, data.vocabulary, data.layers, map_view)
    # The base map's code is the same on every rerun and the changing part goes in
    # feature_group_to_add, so filters never remount the map; returned_objects=[]: pan and zoom
    # do not rerun the script (streamlit-folium #91, #244, #72).
    st_folium(base_map(data, presenter), feature_group_to_add=overlay, returned_objects=[], key="map",
              height=MAP_HEIGHT, use_container_width=True)


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


# --- workshop mode -------------------------------------------------------------------------------

def workshop_bar(data: PageData, state: FilterState, view: ViewState, shown: pd.DataFrame,
                 presenter: bool) -> tuple[scenes.Scene | None, str | None]:
    """Scene choice, the scene's caption or "changed from scene" notice, the step buttons and the
    current event's caption. Returns the scene and the current step's event (None when not stepping)."""
    if data.scenes_error is not None:
        st.error(f"Workshop scenes are unavailable: {data.scenes_error}")
    if not data.scenes and not presenter:
        return None, None
    with st.container(key="panj-workshop"):
        choice, previous, following, note = st.columns([3, 1.4, 1.4, 7], vertical_alignment="bottom")
        choice.selectbox(
            "Scene", [None, *data.scenes], key=K_SCENE, on_change=apply_scene, args=(data,),
            format_func=lambda scene_id: NO_SCENE if scene_id is None else data.scenes[scene_id].title,
            placeholder=NO_SCENE,  # what Streamlit shows while the value is None
        )
        scene = data.scenes.get(st.session_state[K_SCENE])
        if scene is None and not presenter:
            return None, None
        current = step_controls(data, shown, previous, following)
        if scene is not None:
            scene_note(note, scene, state, view)
    if current is not None:
        event_caption(shown.loc[shown["id"] == current].iloc[0])
    return scene, current


def step_controls(data: PageData, shown: pd.DataFrame, previous: DeltaGenerator, following: DeltaGenerator) -> str | None:
    """Previous/Next through the shown events in date order; returns the current event's id (None
    until the first step, so a scene opens on its own extent rather than on its first event)."""
    step = st.session_state.get(K_STEP)
    current = None if step is None else timeline.locate(shown, step, unfiltered=data.events)
    if previous.button("◀ Previous", key="panj-prev", disabled=shown.empty, width="stretch"):
        current = timeline.step(shown, current, -1, unfiltered=data.events)
    if following.button("Next ▶", key="panj-next", disabled=shown.empty, width="stretch"):
        current = timeline.step(shown, current, +1, unfiltered=data.events)
    st.session_state[K_STEP] = current
    return current


def scene_note(place: DeltaGenerator, scene: scenes.Scene, state: FilterState, view: ViewState) -> None:
    changed = scenes.differs_from_scene(scene, state, view)
    text = f"Changed from scene “{scene.title}”: {', '.join(changed)}." if changed else scene.caption
    place.html(f'<p class="panj-scene-note" data-changed="{str(bool(changed)).lower()}">{html.escape(text)}</p>')


def event_caption(row: pd.Series) -> None:
    caption = timeline.caption(row)
    with st.container(key="panj-caption"):
        st.html(
            '<div class="panj-caption">'
            f'<h3>{html.escape(caption["title"])}</h3>'
            f'<p class="panj-caption-date">{html.escape(caption["date_label"])}</p>'
            f'<p>{html.escape(caption["summary"])}</p></div>'
        )


# --- export --------------------------------------------------------------------------------------

render_button = st.components.v2.component(
    "panj_render_button", html='<button type="button" class="panj-render"></button>',
    css=static_text("render-button.css"), js=static_text("render-button.js"),
)


def export_panel(data: PageData, state: FilterState, shown: pd.DataFrame, view: ViewState,
                 scene: scenes.Scene | None) -> None:
    """The PNG export of the view on screen, and the shown events as GeoJSON and CSV."""
    with st.expander("Export"):
        # No key: the widget's identity includes its default, so the title follows the filters
        # (a reader's own title lasts until the filters change).
        title = st.text_input("Title", value=figure.describe_filters(
            state, data.events, data.vocabulary, data.regions, shown=len(shown)))
        size = export_size()
        wanted = (state, view.visible_layers, view.basemap, title, size)
        clicked = render_button(key="export_render", data={"label": "Render PNG", "disabled": size is None},
                                on_render_change=lambda: None, height="content")
        if clicked.render is not None and size is not None:
            # The map had not drawn yet: the view the page last knew, else the one it opened on.
            bounds = (clicked_bounds(clicked.render.get("bbox")) or view.bbox
                      or (scene.bounds(data.layers) if scene else data.home))
            st.session_state[K_BBOX] = bounds  # the view the reader is looking at: kept in the URL
            render_png(data, shown, view, bounds, title, size, wanted)
        offer_png(wanted)
        # Callables: the files are written when a reader asks for one, not on every rerun.
        left, right = st.columns(2)
        left.download_button("Events as GeoJSON", lambda: export.filtered_events_geojson(shown),
                             file_name="panj-events.geojson", mime="application/geo+json", key="export_geojson")
        right.download_button("Events as CSV", lambda: export.filtered_events_csv(shown), file_name="panj-events.csv",
                              mime="text/csv", key="export_csv")


def clicked_bounds(text: str | None) -> mapview.Bounds | None:
    """The view the Render PNG button read from the map (None when the map had not drawn yet)."""
    try:
        return filters.parse_bbox(text) if text else None
    except ValueError:
        return None


def export_size() -> export.ExportSize | None:
    """The chosen size; None (after an error message) when a custom size cannot be rendered exactly."""
    preset = st.selectbox("Size", [*export.PRESETS, "custom"], key="export_preset",
                          format_func=lambda key: export.PRESET_LABELS.get(key, "Custom"))
    if preset != "custom":
        return export.PRESETS[preset]
    left, middle, right = st.columns(3)
    width = left.number_input("Width (px)", min_value=100, max_value=export.MAX_SIDE_PX, value=1600, step=100)
    height = middle.number_input("Height (px)", min_value=100, max_value=export.MAX_SIDE_PX, value=1000, step=100)
    scale = right.number_input("Scale", min_value=0.5, max_value=4.0, value=1.0, step=0.5)
    try:
        return export.ExportSize(int(width), int(height), float(scale))
    except ValueError as error:
        st.error(str(error))
        return None


def render_png(data: PageData, shown: pd.DataFrame, view: ViewState, bounds: mapview.Bounds, title: str,
               size: export.ExportSize, wanted: tuple) -> None:
    map_view = mapview.MapView(visible_layers=view.visible_layers, basemap=view.basemap, bounds=bounds,
                               highlight=view.selected_event)
    st.session_state.pop(K_PNG, None)
    with st.status("Rendering the figure in headless Chromium…") as status, tempfile.TemporaryDirectory() as folder:
        try:
            with export.Renderer() as renderer:
                result = export.export_view(
                    Path(folder) / "panj-map.png", layers=data.layers, events=shown, vocabulary=data.vocabulary,
                    view=map_view, title=title, size=size, renderer=renderer, layers_dir=data.layers_dir,
                )
        except (export.BrowserNotFound, export.ExportError) as error:
            status.update(label=f"Export failed: {error}", state="error")
            return
        for warning in result.warnings:
            st.warning(warning)
        view_text = ", ".join(f"{value:.4f}" for value in bounds)
        st.session_state[K_PNG] = {"png": result.path.read_bytes(), "wanted": wanted,
                                   "label": f"{result.width}×{result.height} px of {view_text} (W, S, E, N)"}
        status.update(label=f"Rendered {result.width}×{result.height} px", state="complete")


def offer_png(wanted: tuple) -> None:
    """The last PNG's download, only while the filters, layers, title and size are those it shows."""
    rendered = st.session_state.get(K_PNG)
    if rendered is None:
        return
    if rendered["wanted"] != wanted:
        st.caption("The last PNG showed other filters, layers or size: render again for this view.")
        return
    st.caption(f"Rendered: {rendered['label']}", help="The view's bounds when Render PNG was clicked")
    st.download_button("Download PNG", rendered["png"], file_name="panj-map.png", mime="image/png", key="export_png_download")


# --- page ----------------------------------------------------------------------------------------

def main() -> None:
    st.set_page_config(page_title="Panj", layout="wide")
    data = load_page_data(str(Path(os.environ.get(LAYERS_DIR_ENV) or geo.layers.LAYERS_DIR).resolve()))
    init_state(data)

    presenter = st.query_params.get(KEY_PRESENTER) == "1"
    if presenter:
        st.html(f"<style>{static_text('presenter.css')}</style>")
    with st.container(key="presenter-hidden-title"):
        st.title("Panj: the Tajikistan–Afghanistan frontier")
    for notice in st.session_state.pop(K_NOTICES, []):
        st.warning(notice)

    state = sidebar_filters(data)
    shown = filters.apply_filters(data.events, state)
    st.sidebar.markdown(f"**{len(shown)} of {len(data.events)} events**")
    st.sidebar.button("Reset filters", on_click=reset, args=(data,), width="stretch")
    view = sidebar_view(data)
    view = replace(view, selected_event=selected_event(shown), bbox=st.session_state.get(K_BBOX))
    scene, current = workshop_bar(data, state, view, shown, presenter)
    if current is not None:
        view = replace(view, selected_event=current)  # the step's event is the one highlighted
    write_url(state, view, scene, presenter)

    with st.container(key="presenter-hidden-fit"):
        fit = st.button("Fit to events", disabled=shown.empty, help="Zoom the map to the events shown")
    bounds = map_bounds(data, scene, shown, fit)
    draw_map(data, shown, view, bounds, presenter)
    with st.container(key="presenter-hidden-export"):
        export_panel(data, state, shown, view, scene)
    with st.container(key="presenter-hidden-table"):
        st.subheader("Events")
        st.caption("Select a row to highlight its event on the map.")
        events_table(data, shown)


def map_bounds(data: PageData, scene: scenes.Scene | None, shown: pd.DataFrame, fit: bool) -> mapview.Bounds | None:
    """Where the map should move on this run: a newly applied scene's extent, the events on "Fit to
    events", else nowhere (None: the map keeps the reader's view)."""
    opened, fit_scene = st.session_state.pop(K_OPEN_BBOX, None), st.session_state.pop(K_FIT_SCENE, False)
    if opened is not None and not fit:
        return opened  # a copied link's view
    if fit_scene and scene is not None:
        return scene.bounds(data.layers)
    return mapview.events_bounds(shown) if fit else None


main()
