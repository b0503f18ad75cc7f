"""The page's export panel: the view on screen as a figure (PNG, PDF or SVG) or as a playback video
(WebM, MP4 or GIF), and the shown events as files.

Widgets only; the figure is drawn by ``geo.export`` in headless Chromium, one at a time per app
process (``geo.browser``): a second reader's click waits, and the status line says so.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import shapely
import streamlit as st

from geo import browser, export, figure, layout, mapview, pagestate as ps, playback, scenes, summary
from geo.filters import FilterState, ViewState, date_span
from geo.markup import markdown_text
from geo.snapshot import Snapshot
from ui.assets import static_text
from ui.strip_panel import strip_export

RENDER_WAIT_S = 120.0  # how long a Render click waits for another reader's figure
# Up to these, the event files are written as soon as the shown set changes: about half a second
# each limit on the machine measured (5,000 point events; the shipped 30 events, 170,000
# coordinates mostly of two country outlines, take 0.4 s). Beyond, the reader asks for them.
AUTO_FILES_MAX_EVENTS = 5_000
AUTO_FILES_MAX_COORDINATES = 400_000
EVENT_FILES = "export_event_files"  # session state: the shown set's files, {"key", "geojson", "csv"}
PANEL_OPEN = "export_open"  # session state: whether the reader has the panel open
FORMAT_LABELS = {"png": "PNG (image)", "pdf": "PDF (vector, paper size)", "svg": "SVG (vector, paper size)"}
ALT_PLACES = {"png": "Description", "pdf": "Subject", "svg": "<desc>"}  # where each file carries its text alternative
PLAYBACK = "export_playback"  # session state: the last playback video, {"data", "wanted", "label"}
# A page's playback renders while the reader waits, about a second a frame: at most this many frames.
PAGE_MAX_PERIODS = 120
VIDEO_LABELS = {"webm": "WebM video", "mp4": "MP4 video", "gif": "Animated GIF"}

logger = logging.getLogger("panj.page")

render_button = st.components.v2.component(
    "panj_render_button", html='<button type="button" class="panj-render"></button>',
    css=static_text("render-button.css"), js=static_text("render-button.js"),
)


def export_panel(data: Snapshot, state: FilterState, events: pd.DataFrame, shown: pd.DataFrame,
                 rows: tuple[bytes | None, bytes], view: ViewState, scene: scenes.Scene | None,
                 change: dict[str, Any] | None = None) -> None:
    """The figure export of the view on screen, and the shown events as GeoJSON and CSV; ``events``:
    those of the datasets shown, which the filters chose ``shown`` from; ``rows``, the
    ``geo.kept.rows_key`` of ``events`` (None: every event) and of ``shown``; ``change``, the frontier
    coloured by change as the map draws it (``ui.trends_panel.frontier_change``; None: not drawn)."""
    # Opening or closing the panel reruns the page, so that its event files are written only once
    # it is open (docs/performance.md, "First load").
    panel = st.expander("Export", key=PANEL_OPEN, on_change="rerun")
    with panel:
        title = st.text_input("Title", value=scene.title if scene is not None else figure.DEFAULT_TITLE)
        # No key: the subtitle follows the filters (a reader's own lasts until they change).
        description = st.text_input("Subtitle", value=data.kept.get(("subtitle", *rows, state), lambda: (
            figure.describe_shown(state, events, data.vocabulary, data.regions, shown, data.stretch_names))))
        output = st.selectbox("Format", export.FORMATS, key="export_format", format_func=lambda key: FORMAT_LABELS[key])
        if output == "png":
            preset = st.selectbox("Size", [*export.PRESETS, "custom"], key="export_preset",
                                  format_func=lambda key: export.PRESET_LABELS.get(key, "Custom"))
            size = export.PRESETS.get(preset) or custom_size()
        else:
            left, right = st.columns(2)
            paper = left.selectbox("Paper", list(export.PAPER_LABELS), key="export_paper",
                                   format_func=lambda key: export.PAPER_LABELS[key])
            orientation = right.selectbox("Orientation", layout.ORIENTATIONS, key="export_orientation")
            size = export.paper_page(paper, orientation)
        locator = st.checkbox("Locator inset", value=True, key="export_locator")
        wanted = (state, view.visible_layers, view.basemap, view.size_by, title, description, size, output, locator,
                  change)
        clicked = render_button(key="export_render", data={"label": f"Render {output.upper()}", "disabled": size is None},
                                on_render_change=lambda: None, height="content")
        if clicked.render is not None and size is not None:
            # The map had not drawn yet: the view the page last knew, else the one it opened on.
            bounds = (ps.clicked_bounds(clicked.render.get("bbox")) or view.bbox
                      or (scene.bounds(data.layers) if scene is not None else data.home))
            st.session_state[ps.BBOX] = bounds  # the view the reader is looking at: kept in the URL
            # The view in words, as under the map: the figure's text alternative.
            alt = summary.view_summary(shown, len(events), data.vocabulary, data.regions, state.regions,
                                       data.place_names)
            render_figure(data, shown, replace(view, bbox=bounds), title, description, size, output, locator, alt,
                          wanted, change)
        rendered = st.session_state.get(ps.PNG)
        if rendered is not None and rendered["wanted"] == wanted:
            st.caption(f"Rendered: {rendered['label']}", help="The view's bounds when Render was clicked")
            st.caption(markdown_text(f"Text alternative (the file's {ALT_PLACES[output]}): {rendered['alt']}"),
                       help="For readers who cannot see the figure: paste it as the image's alt text")
            st.download_button(f"Download {output.upper()}", rendered["data"], file_name=f"panj-map.{output}",
                               mime=export.MIME_TYPES[output], key="export_png_download")
        elif rendered is not None:
            st.caption("The last figure showed other filters, layers, size or format: render again for this view.")
        strip_export(data, state, shown, title, description, size, output,
                     lambda: summary.view_summary(shown, len(events), data.vocabulary, data.regions, state.regions,
                                                  data.place_names), RENDER_WAIT_S)
        playback_export(data, state, shown, rows[1], view, scene, title, description,
                        size if output == "png" else export.PRESETS["slides"], locator)
        event_downloads(data, shown, wanted=bool(panel.open))


def playback_export(data: Snapshot, state: FilterState, shown: pd.DataFrame, shown_rows: bytes, view: ViewState,
                    scene: scenes.Scene | None, title: str, description: str, size: export.ExportSize | None,
                    locator: bool) -> None:
    """"Export playback": the shown events (``shown_rows``: their ``geo.kept.rows_key``) played
    through the date filter's range (else their own span) as a video of the figure above, at its PNG
    size (1920×1080 for a PDF or SVG)."""
    st.markdown("**Playback**")
    left, middle = st.columns(2)
    step = left.selectbox("Step", playback.STEPS, index=playback.STEPS.index("month"), key="export_play_step")
    mode = middle.selectbox("Show", playback.MODES, key="export_play_mode",
                            format_func=lambda key: playback.MODES[key])
    left, middle = st.columns(2)
    video = left.selectbox("Video", export.VIDEO_FORMATS, key="export_play_format",
                           format_func=lambda key: VIDEO_LABELS[key])
    fps = middle.number_input("Periods a second", min_value=0.25, max_value=10.0, value=1.0, step=0.25,
                              key="export_play_fps")
    span = data.kept.get(("date span", shown_rows), lambda: date_span(shown))
    if span is None or size is None:
        st.caption("No events shown to play." if span is None else "Choose a size the figure can take first.")
        return
    first, last = state.date_from or span[0], state.date_to or span[1]
    periods = playback.periods(first, last, step)
    problem = None
    if len(periods) > PAGE_MAX_PERIODS:
        problem = (f"{len(periods)} periods of a {step}: the page plays at most {PAGE_MAX_PERIODS}; "
                   "choose a longer step or narrow the dates (panj export --animate plays more)")
    elif video in ("webm", "mp4") and (size.width % 2 or size.height % 2):
        problem = f"a {video.upper()} needs an even width and height, not {size.width}×{size.height} px"
    if problem is not None:  # what to change, said quietly: the panel opens on every page
        st.caption(markdown_text(problem))
        return
    st.caption(markdown_text(f"{periods[0].label} to {periods[-1].label}: {len(periods)} frames, "
                             f"{size.width}×{size.height} px"))
    wanted = (state, view.visible_layers, view.basemap, view.size_by, title, description, size, locator, step, mode,
              video, fps)
    clicked = render_button(key="export_play_render", data={"label": f"Export playback ({video.upper()})",
                                                            "disabled": False},
                            on_render_change=lambda: None, height="content")
    if clicked.render is not None:
        bounds = (ps.clicked_bounds(clicked.render.get("bbox")) or view.bbox
                  or (scene.bounds(data.layers) if scene is not None else data.home))
        st.session_state[ps.BBOX] = bounds
        render_playback(data, shown, replace(view, bbox=bounds), title, description, size, locator,
                        playback.Playback(first, last, step, mode), video, fps, wanted)
    rendered = st.session_state.get(PLAYBACK)
    if rendered is not None and rendered["wanted"] == wanted:
        st.caption(markdown_text(f"Rendered: {rendered['label']}"))
        st.download_button(f"Download {video.upper()}", rendered["data"], file_name=f"panj-playback.{video}",
                           mime=export.VIDEO_MIME_TYPES[video], key="export_play_download", on_click="ignore")
    elif rendered is not None:
        st.caption("The last playback showed other filters, layers or settings: export it again for this view.")


def render_playback(data: Snapshot, shown: pd.DataFrame, view: ViewState, title: str, description: str,
                    size: export.ExportSize, locator: bool, play: playback.Playback, video: str, fps: float,
                    wanted: tuple) -> None:
    map_view = mapview.MapView(visible_layers=view.visible_layers, basemap=view.basemap, bounds=view.bbox, highlight=None,
                               size_by=view.size_by)
    frames = export.playback_frames(shown, play.periods(), play.mode)
    st.session_state.pop(PLAYBACK, None)
    with st.status("Rendering the playback in headless Chromium…") as status, tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"panj-playback.{video}"
        try:
            with export.Renderer(slot_timeout_s=RENDER_WAIT_S, on_wait=lambda: status.update(
                    label="Waiting for another reader's figure to finish…")) as renderer:
                status.update(label=f"Rendering {len(frames)} frames in headless Chromium…")
                result = export.export_playback(
                    folder, snapshot=data, shown=shown, frames=frames, view=map_view, title=title, size=size,
                    renderer=renderer, description=figure.playback_description(description, play.step, play.mode),
                    locator=locator,
                )
            status.update(label="Encoding the video…")
            export.encode_video(list(result.frames), out, fps=fps, output=video)
        except (browser.BrowserNotFound, browser.BrowserBusy, export.ExportError) as error:
            logger.error("playback export failed: %s", error)
            status.update(label=f"Export failed: {markdown_text(error)}", state="error")
            return
        for warning in result.figure.warnings:
            st.warning(markdown_text(warning))
        label = f"{len(frames)} frames, {size.width}×{size.height} px, {play.step} by {play.step}"
        st.session_state[PLAYBACK] = {"data": out.read_bytes(), "wanted": wanted, "label": label}
        status.update(label=f"Rendered the playback: {label}", state="complete")


def event_downloads(data: Snapshot, shown: pd.DataFrame, wanted: bool) -> None:
    """The shown events as GeoJSON and CSV, each file on its own click; nothing unless ``wanted``
    (the panel is open).

    A button handed a callable fetches its file after the click, and Chromium then holds that
    download until the reader's next click (its guard against unasked downloads): the files must
    be ready before the click. They are written once per shown set (kept in the session, one set
    at a time) while the panel is open, at once when they are small, which is what a reader
    expects of a download button; a larger set waits for "Prepare", so that a filter change never
    spends seconds writing files nobody may ask for. A closed panel writes none: a new session's
    first run, and every run of a reader who never exports, skip them."""
    files = st.session_state.get(EVENT_FILES)
    if files is None and not wanted:
        return
    key = (str(data.layers_dir), data.revision, hashlib.sha256(shown.index.to_numpy().tobytes()).hexdigest())
    if files is not None and files["key"] != key:
        files = st.session_state[EVENT_FILES] = None  # another set: its files are of no use now
    if not wanted:
        return
    if files is None:
        small = (len(shown) <= AUTO_FILES_MAX_EVENTS and
                 int(shapely.get_num_coordinates(data.geometries(shown)).sum()) <= AUTO_FILES_MAX_COORDINATES)
        if small or st.button(f"Prepare the {len(shown):,} shown events as GeoJSON and CSV", key="export_prepare"):
            with st.spinner("Writing the files…"):
                rows = data.details(shown, geometry=True)
                files = {"key": key, "geojson": export.filtered_events_geojson(rows, data.symbol_points_of(shown)),
                         "csv": export.filtered_events_csv(rows)}
            st.session_state[EVENT_FILES] = files
    if files is None:
        return
    # "ignore": a download needs no rerun of the page.
    left, right = st.columns(2)
    left.download_button("Events as GeoJSON", files["geojson"], file_name="panj-events.geojson",
                         mime="application/geo+json", key="export_geojson", on_click="ignore")
    right.download_button("Events as CSV", files["csv"], file_name="panj-events.csv", mime="text/csv",
                          key="export_csv", on_click="ignore")


def custom_size() -> export.ExportSize | None:
    """The custom size; None (after an error message) when a scale the reader gave cannot render
    it exactly. Without a scale the exporter chooses the one nearest the slides' that does."""
    left, middle, right = st.columns(3)
    width = left.number_input("Width (px)", min_value=100, max_value=export.MAX_SIDE_PX, value=1600, step=100)
    height = middle.number_input("Height (px)", min_value=100, max_value=export.MAX_SIDE_PX, value=1000, step=100)
    scale = right.number_input("Scale", min_value=0.5, max_value=4.0, value=None, step=0.5, placeholder="auto")
    try:
        if scale is None:
            size, note = export.sized(int(width), int(height), export.PRESETS["slides"].scale)
            if note:
                st.caption(markdown_text(note))
            return size
        return export.ExportSize(int(width), int(height), float(scale))
    except ValueError as error:
        st.error(markdown_text(error, limit=None))
        return None


def render_figure(data: Snapshot, shown: pd.DataFrame, view: ViewState, title: str, description: str,
                  size: export.ExportSize, output: str, locator: bool, alt: str, wanted: tuple,
                  change: dict[str, Any] | None = None) -> None:
    map_view = mapview.MapView(visible_layers=view.visible_layers, basemap=view.basemap, bounds=view.bbox,
                               highlight=view.selected_event, frontier_change=change, size_by=view.size_by)
    st.session_state.pop(ps.PNG, None)
    with st.status("Rendering the figure in headless Chromium…") as status, tempfile.TemporaryDirectory() as folder:
        try:
            # One browser per app process: a second reader's click waits here, and says so.
            with export.Renderer(slot_timeout_s=RENDER_WAIT_S, on_wait=lambda: status.update(
                    label="Waiting for another reader's figure to finish…")) as renderer:
                status.update(label="Rendering the figure in headless Chromium…")
                result = export.export_view(
                    Path(folder) / f"panj-map.{output}", snapshot=data, shown=shown, view=map_view, title=title,
                    size=size, renderer=renderer, description=description, locator=locator, output=output, alt=alt,
                )
        except (browser.BrowserNotFound, browser.BrowserBusy, export.ExportError) as error:
            logger.error("export failed: %s", error)
            status.update(label=f"Export failed: {markdown_text(error)}", state="error")
            return
        for warning in result.warnings:
            st.warning(markdown_text(warning))
        for note in result.notes:
            st.caption(markdown_text(note))
        view_text = ", ".join(f"{value:.4f}" for value in view.bbox)
        unit = "px" if output == "png" else "CSS px page"
        st.session_state[ps.PNG] = {"data": result.path.read_bytes(), "wanted": wanted, "alt": alt,
                                    "label": f"{result.width}×{result.height} {unit} of {view_text} (W, S, E, N)"}
        status.update(label=f"Rendered {result.width}×{result.height} {unit}", state="complete")
