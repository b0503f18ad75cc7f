"""The page's frontier strip (``geo.strip``): the shown events near the frontier by km along it
and by date, the Tajik bank above the Afghan, drawn in the browser (static/strip.js with
geo/web/panj-strip.js) from the map's own data and mask; a brush over it sets the km range along
the frontier and the dates, which filter the map, the table and the strip. Widgets only."""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import browser, export, pagestate as ps
from geo.assets import PAGE_STRIP_JS, STRIP_JS
from geo.filters import FilterState, format_along, parse_along
from geo.frontier import SIDE_NAMES, SIDES
from geo.markup import markdown_text
from geo.snapshot import Snapshot
from geo.strip import DEFAULT_WITHIN_KM, SIDE_CODES
from geo.stripfigure import drawn_mask, export_strip, strip_days
from ui.assets import static_text

KEY_STRIP = "panj-strip-control"
KEY_ALONG_TEXT = "strip_along_text"  # the km range along the frontier as text, e.g. "700-900"
_PROBLEM = "strip_along_problem"  # why a typed range was not taken, shown once
KEY_FIGURE = "export_strip"  # session state: the last strip figure, {"data", "wanted", "label"}
STRIP_HEIGHT = 380  # CSS pixels: two bands of about 150 px of time each, the names and the km axis
_EPOCH = dt.date(1970, 1, 1)

logger = logging.getLogger("panj.page")

# Fixed HTML, no text from data: names and places reach the canvas as data.
_STRIP_HTML = """<div class="panj-strip" role="group" aria-label="The frontier strip">
<div class="panj-strip-plot"></div>
<p class="panj-strip-count" aria-live="polite"></p>
</div>"""
# The component's own script only loads the strip's two files, which the browser fetches once and
# keeps: given inline, their 24 KB went out again on every filter change, since the strip's data
# changes then (docs/performance.md, "What a filter change sends").
_STRIP_LOADER = """export default function (component) {
  const at = (url) => new URL(url, window.location.origin).href;
  import(at(%s)).then(() => import(at(%s))).then((module) => module.default(component));
}""" % (json.dumps(STRIP_JS), json.dumps(PAGE_STRIP_JS))
_strip_control = st.components.v2.component("panj_strip", html=_STRIP_HTML, css=static_text("strip.css"),
                                            js=_STRIP_LOADER)


def strip_panel(data: Snapshot, state: FilterState, shown: pd.DataFrame, shown_rows: bytes) -> None:
    """The strip of the ``shown`` events within the page's "within km" filter or
    ``DEFAULT_WITHIN_KM``, over the date filter's days, else those of the events it draws (as its
    figure: ``geo.stripfigure.strip_days``; an event since 1991 known only to its country is not
    drawn, and must not stretch the axis); under it the km range along the frontier as text (the
    brush's, or typed: the keyboard's way to it) and, when one is set, a button that clears it."""
    within_km = DEFAULT_WITHIN_KM if state.within_km is None else state.within_km
    # Only the drawn events' first days: a frame of them would copy every column of up to a million
    # rows. Kept per shown rows (``shown_rows``: geo.kept.rows_key) and choice: reruns and new
    # sessions on the same view read up to a million rows once.
    first, last = data.kept.get(("strip days", shown_rows, within_km, state.date_from, state.date_to), lambda: (
        strip_days(shown["date_first"].to_numpy()[drawn_mask(data, shown, within_km)], state.date_from,
                   state.date_to, data.span)))
    length_km, _ = data.frontier_axis
    with st.expander("Along the frontier, through time", expanded=True):
        st.caption(f"Each shown event within {within_km:g} km of the frontier"
                   f"{'' if state.within_km is not None else ' (“Within km of the frontier” changes it)'}, "
                   "at its km along it from the tripoint with Uzbekistan (west) to China's (east) and its "
                   "first day, in its type's shape and its actors' colours; the Tajik bank above, the Afghan "
                   "below. Events placed on a whole area are not drawn. Drag a rectangle to show only its "
                   "km and days.")
        selection = None
        if state.along_km is not None:
            selection = {"fromKm": state.along_km[0], "toKm": state.along_km[1],
                         "fromDay": ((state.date_from or first) - _EPOCH).days,
                         "toDay": ((state.date_to or last) - _EPOCH).days}
        _strip_control(key=KEY_STRIP, on_brush_change=lambda: _brushed(length_km), height="content", data={
            "withinKm": within_km, "lengthKm": round(length_km, 1),
            "places": [place.browser() for place in data.strip_places],
            "sides": [{"code": SIDE_CODES[side], "name": SIDE_NAMES[side]} for side in SIDES],
            "dayFrom": (first - _EPOCH).days, "dayTo": (last - _EPOCH).days,
            "selection": selection, "height": STRIP_HEIGHT,
        })
        # The text shows the filter's range whatever set it (a brush, a link, a reset, typing; a
        # range typed wrong goes back to the one kept).
        wanted_text = "" if state.along_km is None else format_along(state.along_km)
        if st.session_state.get(KEY_ALONG_TEXT) != wanted_text:
            st.session_state[KEY_ALONG_TEXT] = wanted_text
        left, right = st.columns([2, 3], vertical_alignment="bottom")
        left.text_input("Km along the frontier", key=KEY_ALONG_TEXT, placeholder="e.g. 700-900",
                        on_change=_typed, help="FROM-TO in km from the western end (0) eastwards; empty: the "
                                               "whole frontier. Dragging over the strip writes it too.")
        if state.along_km is not None:
            right.button("Show the whole frontier", key="strip_clear",
                         on_click=lambda: st.session_state.update({ps.ALONG: None}))
        problem = st.session_state.pop(_PROBLEM, None)
        if problem:
            st.caption(markdown_text(problem))


def _typed() -> None:
    """A km range typed: the filter when it reads as one, else a note saying why it was not taken."""
    text = (st.session_state.get(KEY_ALONG_TEXT) or "").strip()
    try:
        st.session_state[ps.ALONG] = parse_along(text) if text else None
    except ValueError as error:
        st.session_state[_PROBLEM] = f"Kept the km range: '{text}' is not one ({error})."


def _brushed(length_km: float) -> None:
    """A brush over the strip: its km along the frontier (of ``length_km``) and its days become
    the filters. A value the page would not write itself is dropped."""
    brush = (st.session_state.get(KEY_STRIP) or {}).get("brush") or {}
    try:
        st.session_state.update(ps.strip_brushed_values(brush, length_km))
    except ValueError:
        return


def strip_export(data: Snapshot, state: FilterState, shown: pd.DataFrame, title: str, description: str,
                 size: export.ExportSize | None, output: str, alt: Callable[[], str], wait_s: float) -> None:
    """The Export panel's strip: the ``shown`` events' strip as a figure of the panel's title,
    subtitle, format and size (``geo.stripfigure``), rendered on a click (waiting at most
    ``wait_s`` for another reader's figure) and offered for download; ``alt`` gives its text
    alternative (the view in words), asked only then."""
    st.markdown("**The frontier strip**")
    within_km = DEFAULT_WITHIN_KM if state.within_km is None else state.within_km
    wanted = (state, title, description, size, output)
    if st.button(f"Render the strip ({output.upper()})", key="strip_render", disabled=size is None,
                 help=f"The strip above as a figure: the shown events within {within_km:g} km of the frontier"):
        st.session_state.pop(KEY_FIGURE, None)
        with st.status("Rendering the strip in headless Chromium…") as status, \
                tempfile.TemporaryDirectory() as folder:
            try:
                with export.Renderer(slot_timeout_s=wait_s, on_wait=lambda: status.update(
                        label="Waiting for another reader's figure to finish…")) as renderer:
                    result = export_strip(
                        Path(folder) / f"panj-strip.{output}", snapshot=data, shown=shown, within_km=within_km,
                        title=title, description=description, size=size, renderer=renderer,
                        date_from=state.date_from, date_to=state.date_to, output=output, alt=alt())
            except (browser.BrowserNotFound, browser.BrowserBusy, export.ExportError) as error:
                logger.error("strip export failed: %s", error)
                status.update(label=f"Export failed: {markdown_text(error)}", state="error")
                return
            unit = "px" if output == "png" else "CSS px page"
            label = f"{result.width}×{result.height} {unit}, {(result.layout or {}).get('events', 0)} events drawn"
            st.session_state[KEY_FIGURE] = {"data": result.path.read_bytes(), "wanted": wanted, "label": label}
            status.update(label=f"Rendered the strip: {label}", state="complete")
    rendered = st.session_state.get(KEY_FIGURE)
    if rendered is not None and rendered["wanted"] == wanted:
        st.caption(markdown_text(f"Rendered: {rendered['label']}"))
        st.download_button(f"Download the strip ({output.upper()})", rendered["data"],
                           file_name=f"panj-strip.{output}", mime=export.MIME_TYPES[output],
                           key="strip_download", on_click="ignore")
    elif rendered is not None:
        st.caption("The last strip showed other filters, size or format: render it again for this view.")
