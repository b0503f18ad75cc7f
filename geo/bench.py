"""The benchmark: Panj's compact events layer against the map one would write first.

The baseline ("naive") is plain folium: one ``folium.CircleMarker`` per event, each with a tooltip
and a popup. Panj's map (``geo.mapview.build_map``) embeds the events once as compact GeoJSON and
draws them on a canvas in the browser. Both are measured in the same run, on the same synthetic
events: the article's joined events replicated to N rows, each copy's point moved by a random
jitter (so no two symbols coincide). Figures:

- build: seconds to build the map and render its HTML in Python;
- HTML: bytes of the standalone document;
- drawn (``--browser``): seconds from navigation until the page is drawn in headless Chromium:
  ``window.panjMap.ready`` for Panj, the document's ``load`` event (every marker's script has run)
  for the naive map.

Both maps show no manifest layers and no basemap, so only the events differ. The naive map's
CDN scripts (jQuery, Bootstrap, ...) cannot load offline: it is given the local Leaflet and a
two-line stand-in for the one jQuery call its popups make (parse an HTML string).
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import assets, mapview
from geo.events import Vocabulary, load_vocabulary
from geo.browser import DOCUMENT_URL, HeadlessChromium
from geo.join import load_joined_events
from geo.layers import LAYERS_DIR, Layer, load_layers

SIZES = (100, 1_000, 10_000)
MAX_SIZE = 50_000  # with --max
JITTER_DEGREES = 0.05  # ~5 km: copies of one event spread around its place
SEED = 92  # fixed, so two runs measure the same events

DRAWN_TIMEOUT_S = 600.0

# The naive map's popups call jQuery's $(html)[0]; this parses the HTML as jQuery would.
_JQUERY_STAND_IN = ("<script>window.$ = function (markup) { var t = document.createElement('template'); "
                    "t.innerHTML = markup.trim(); return [t.content.firstElementChild]; };</script>")

# Polled on every animation frame; answers the page's own clock (ms since navigation) once drawn.
_DRAWN = {
    "panj": "() => window.panjMap && window.panjMap.ready && performance.now()",
    "naive": "() => document.readyState === 'complete' && performance.now()",
}


@dataclass(frozen=True)
class Measurement:
    """One map of one size: ``drawn_s`` is None without ``--browser``."""

    kind: str  # "naive" or "panj"
    events: int
    build_s: float
    html_bytes: int
    drawn_s: float | None = None


# --- the events and the two maps -----------------------------------------------------------------

def synthetic_events(events: pd.DataFrame, count: int, *, seed: int = SEED) -> gpd.GeoDataFrame:
    """``count`` events made from ``events`` (the joined article events) by replication: copy k of an
    event gets the id ``<id>-<k>`` and a point jittered by up to ``JITTER_DEGREES``; its geometry is
    that point, so area events become point events (with their halo: see ``geo.mapview``)."""
    if events.empty:
        raise ValueError("synthetic events need at least one real event to copy")
    rows = np.arange(count) % len(events)
    frame = events.iloc[rows].reset_index(drop=True).copy()
    frame["id"] = [f"{event_id}-{copy}" for event_id, copy in zip(frame["id"], np.arange(count) // len(events))]
    jitter = np.random.default_rng(seed).uniform(-JITTER_DEGREES, JITTER_DEGREES, size=(count, 2))
    frame["lon"] = (frame["lon"].to_numpy() + jitter[:, 0]).round(6)
    frame["lat"] = (frame["lat"].to_numpy() + jitter[:, 1]).round(6)
    return gpd.GeoDataFrame(frame, geometry=shapely.points(frame["lon"], frame["lat"]), crs="EPSG:4326")


def naive_map(events: pd.DataFrame, vocabulary: Vocabulary, center: tuple[float, float]) -> folium.Map:
    """What one writes first: a marker per event with its tooltip and popup."""
    fmap = folium.Map(location=list(center), zoom_start=6, tiles=None)
    fmap.default_js = [("leaflet", dict(assets.MAP_JS)["leaflet"])]
    fmap.default_css = [("leaflet_css", dict(assets.MAP_CSS)["leaflet_css"])]
    fmap.get_root().header.add_child(folium.Element(_JQUERY_STAND_IN))
    actors, types = vocabulary.actors, vocabulary.event_types
    for row in events.itertuples(index=False):
        colour = actors[row.actors[0]].colour if row.actors[0] in actors else "#666666"
        popup = (
            f"<h4>{html.escape(row.title)}</h4><p>{html.escape(row.summary)}</p>"
            f"<b>Date</b> {html.escape(row.date_label)}<br>"
            f"<b>Type</b> {html.escape(types[row.event_type].name if row.event_type in types else row.event_type)}<br>"
            f"<b>Actors</b> {html.escape(', '.join(actors[a].name if a in actors else a for a in row.actors))}<br>"
            f"<b>Place</b> {html.escape(row.place_name)}<br>"
            f"<b>Source</b> {html.escape(str(row.document))}: {html.escape(row.citations_label)}"
        )
        folium.CircleMarker(
            [row.lat, row.lon], radius=6, color="#ffffff", weight=1, fill=True, fill_color=colour, fill_opacity=0.9,
            tooltip=html.escape(row.title), popup=folium.Popup(popup, max_width=340),
        ).add_to(fmap)
    return fmap


def panj_map(events: pd.DataFrame, vocabulary: Vocabulary, layers: Mapping[str, Layer],
             basemaps: Mapping[str, mapview.Basemap]) -> folium.Map:
    """Panj's map of the same events, with no layer and no basemap shown."""
    view = mapview.MapView(visible_layers=(), basemap=mapview.BASEMAP_NONE)
    return mapview.build_map(layers, events, vocabulary, view, basemaps=basemaps)


def timed_html(build: Callable[[], folium.Map]) -> tuple[float, str]:
    """Seconds to build a map and render it to a standalone document, and the document."""
    start = time.perf_counter()
    document = mapview.standalone_html(build())
    return time.perf_counter() - start, document


# --- the browser ---------------------------------------------------------------------------------

class DrawTimer(HeadlessChromium):
    """Headless Chromium (found, launched and shared as the PNG export's is) that times a document until
    drawn; the document sees only itself and ``/app/static``. Use as a context manager."""

    def seconds_to_drawn(self, document: str, kind: str) -> float:
        context = self.document_context(document, viewport={"width": 1280, "height": 800})
        try:
            page = context.new_page()
            page.goto(DOCUMENT_URL, wait_until="commit")
            handle = page.wait_for_function(_DRAWN[kind], polling="raf", timeout=DRAWN_TIMEOUT_S * 1000)
            return float(handle.json_value()) / 1000
        finally:
            context.close()


# --- the run -------------------------------------------------------------------------------------

def run(sizes: Iterable[int], *, layers_dir: Path = LAYERS_DIR, timer: DrawTimer | None = None,
        report: Callable[[Measurement], None] | None = None) -> list[Measurement]:
    """Measure both maps for each size (in order); ``timer`` adds the browser figure."""
    layers = load_layers(layers_dir)
    vocabulary = load_vocabulary(layers_dir)
    basemaps = mapview.load_basemaps(layers_dir)
    real = load_joined_events(layers_dir)
    west, south, east, north = mapview.home_bounds(layers)
    center = ((south + north) / 2, (west + east) / 2)
    results: list[Measurement] = []
    for size in sizes:
        events = synthetic_events(real, size)
        builders = {"naive": lambda: naive_map(events, vocabulary, center),
                    "panj": lambda: panj_map(events, vocabulary, layers, basemaps)}
        for kind, build in builders.items():
            build_s, document = timed_html(build)
            drawn_s = timer.seconds_to_drawn(document, kind) if timer is not None else None
            result = Measurement(kind, size, build_s, len(document.encode("utf-8")), drawn_s)
            results.append(result)
            if report is not None:
                report(result)
    return results


def format_table(results: Sequence[Measurement]) -> str:
    """One line per size: each figure for the naive map, for Panj, and naive ÷ Panj."""
    has_browser = any(result.drawn_s is not None for result in results)
    header = ["events", "build naive", "build Panj", "×", "HTML naive", "HTML Panj", "×"]
    if has_browser:
        header += ["drawn naive", "drawn Panj", "×"]
    lines = [header]
    by_size: dict[int, dict[str, Measurement]] = {}
    for result in results:
        by_size.setdefault(result.events, {})[result.kind] = result
    for size, pair in by_size.items():
        if set(pair) != {"naive", "panj"}:
            continue
        naive, panj = pair["naive"], pair["panj"]
        line = [f"{size:,}", f"{naive.build_s:.2f} s", f"{panj.build_s:.2f} s", _ratio(naive.build_s, panj.build_s),
                _megabytes(naive.html_bytes), _megabytes(panj.html_bytes), _ratio(naive.html_bytes, panj.html_bytes)]
        if has_browser:
            line += [_seconds(naive.drawn_s), _seconds(panj.drawn_s), _ratio(naive.drawn_s, panj.drawn_s)]
        lines.append(line)
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    return "\n".join("  ".join(cell.rjust(width) for cell, width in zip(line, widths)) for line in lines)


def progress_line(result: Measurement) -> str:
    """One measurement as it is reported while the benchmark runs."""
    drawn = "" if result.drawn_s is None else f", drawn in {result.drawn_s:.2f} s"
    return (f"  {result.kind:5} {result.events:>7,} events: built in {result.build_s:.2f} s, "
            f"{_megabytes(result.html_bytes)}{drawn}")


def _ratio(naive: float | None, panj: float | None) -> str:
    return "–" if not naive or not panj else f"{naive / panj:.1f}"


def _megabytes(count: int) -> str:
    return f"{count / 1_000_000:.2f} MB"


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"
