"""The page's first run in a browser draws the sidebar and the map only (``geo.pagestate.draws_below_map``):
this element, drawn under the map on that run, reruns the page once the map has drawn its events,
and that run draws the rest. Widgets only.

The map's frame shares the page's one thread; made only after every element above and below it had
been rendered, it began loading seconds late (docs/performance.md, "The map first, and the table on
its own"). The map tells
its page when it has drawn an update (``panj-map-shown``, geo/web/panj-map.js ``_notifyShown``); a
map that never tells (its scripts failed) still gets the rest after ``FALLBACK_MS``."""

from __future__ import annotations

import streamlit as st

FALLBACK_MS = 20_000
KEY = "panj-map-first"

# No text from data: the element holds nothing to read.
_JS = """export default function (component) {
  let told = false;
  const tell = () => {
    if (told) { return; }
    told = true;
    component.setTriggerValue("drawn", true);
  };
  window.addEventListener("panj-map-shown", tell);
  // The map may have drawn before this element mounted: its frame says so (shownEvents()).
  for (const frame of document.querySelectorAll("iframe")) {
    try {
      const map = frame.contentWindow.panjMap;
      if (map && typeof map.shownEvents === "function" && map.shownEvents() !== null) { tell(); }
    } catch (error) {
      // a frame of another origin: not the map
    }
  }
  const fallback = window.setTimeout(tell, %d);
  return () => { window.removeEventListener("panj-map-shown", tell); window.clearTimeout(fallback); };
}""" % FALLBACK_MS
_rest_after_map = st.components.v2.component("panj_map_first", html="<span hidden></span>", js=_JS)


def rest_after_map() -> None:
    """Under the map on a session's first run: reruns the page once the map has drawn."""
    _rest_after_map(key=KEY, on_drawn_change=lambda: None, height=0)
