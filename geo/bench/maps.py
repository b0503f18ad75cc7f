"""The map benchmark (``panj bench``): Panj's map against the map one writes first in folium, in the
same run, on the same synthetic events (docs/performance.md, "Map benchmark").

The baseline ("naive") is plain folium: one ``folium.CircleMarker`` per event with a tooltip and a
popup. Panj's map is ``geo.mapview.build_map`` with no layer and no basemap shown, so only the events
differ; the benchmark measures whatever that map sends without knowing how. The events are
``geo.bench.synthetic``'s, imported into a temporary store and read back as the page reads them.

Each page is served over local HTTP (a thread of this process on 127.0.0.1: the document at ``/``
and ``geo.assets.STATIC_DIR`` at ``/app/static/``) to a fresh context of one headless Chromium.
One ``Record`` per map and size:

- ``build_s``: Python, from the joined events to what is sent: building the map and rendering its
  HTML, with any data files the map publishes;
- ``payload_bytes``: the response bodies the browser receives for the events: the document, and the
  files under ``/app/static/vendor/data/`` whose name starts with ``events`` (not Leaflet, the
  runtime's scripts or the layers' files);
- ``paint_s``: from navigation to the first frame painted with every event drawn: two animation
  frames after the document's ``load`` event (naive), or the frame in which
  ``window.panjMap.symbolsReady`` is first seen (Panj: the runtime sets it right after the frame
  that shows the symbols is made, so it is seen in the next frame, as the naive map's second);
- ``settled_s``: the same, to the frame with everything drawn: Panj's ``window.panjMap.ready``
  (layers, area outlines and names too, drawn after the symbols); the naive map's paint;
- ``zoom_s``, ``pan_s``: one ``setZoom(z + 1)``, then one ``panBy([200, 0])``, unanimated, until
  two frames after the map's ``moveend`` (and, for Panj, after ``ready`` is true again);
- ``heap_mb``: the page's JavaScript heap in use after paint, after a forced garbage collection;
- ``step_s`` (Panj only): one step of a month-by-month playback, from the call until two frames
  after the period is drawn through the same mask (no rebuild, no reload): the median of
  ``PLAYBACK_STEPS`` steps from the events' first month, after the dates file is fetched.

A field is None where the map did not finish within its timeout (``PAINT_TIMEOUT_S``,
``INTERACTION_TIMEOUT_S``), and every field of a naive map larger than ``NAIVE_MAX_SIZE`` is None
(not built); ``note`` says why. The app's own figures (``filter_s``, ``sent_bytes``, ``rss_mb``,
``first_load_s``) are ``geo.bench.app``'s. Timings are never asserted by the tests.
"""

from __future__ import annotations

import dataclasses
import gc
import html
import json
import mimetypes
import os
import platform
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

import folium
import pandas as pd

from geo import assets, mapview
from geo.basemaps import BASEMAP_NONE
from geo.bench import synthetic
from geo.browser import HeadlessChromium
from geo.events import Vocabulary
from geo.layers import LAYERS_DIR, Layer
from geo.placement import home_bounds
from geo.snapshot import Snapshot

SIZES = (1_000, 10_000, 100_000)
IMPLS = ("naive", "panj")
PAINT_TIMEOUT_S = 120.0  # navigation to the painted frame
INTERACTION_TIMEOUT_S = 60.0  # one zoom step or one pan to its painted frame
# The naive map's build took 149 s at 100,000 events on the development machine under load
# (docs/performance.md): above this size its build alone would pass PAINT_TIMEOUT_S, so it is not built.
NAIVE_MAX_SIZE = 100_000
VIEWPORT = {"width": 1280, "height": 800}
PAN_PIXELS = 200
PLAYBACK_STEPS = 7
EVENTS_DATA_PATH = f"{assets.STATIC_URL}vendor/data/"
EVENTS_FILE_PREFIX = "events"
MEGABYTE = 1_000_000

# The naive map's popups call jQuery's $(html)[0]; this parses the HTML as jQuery would.
_JQUERY_STAND_IN = ("<script>window.$ = function (markup) { var t = document.createElement('template'); "
                    "t.innerHTML = markup.trim(); return [t.content.firstElementChild]; };</script>")

# Run in the browser (geo/web/bench-*.js): the paint watch before the page's own scripts, the
# interaction on the painted map.
_PAINT_WATCH = assets.web_script("bench-paint-watch.js")
_INTERACT = assets.web_script("bench-interact.js").replace("PAN_PIXELS", str(PAN_PIXELS))
_PLAYBACK = assets.web_script("bench-playback.js").replace("STEPS", str(PLAYBACK_STEPS))


class BenchError(RuntimeError):
    """A measurement that cannot be trusted (a wrong number of events drawn, a request outside the
    local server, the map's own error): an error, not a figure."""


@dataclass
class Record:
    """One map (``impl``: "naive" or "panj") of one size. None: not measured (see ``note``)."""

    impl: str
    size: int
    build_s: float | None = None
    payload_bytes: int | None = None
    paint_s: float | None = None
    settled_s: float | None = None
    zoom_s: float | None = None
    pan_s: float | None = None
    heap_mb: float | None = None
    step_s: float | None = None
    # Measured in the running app by geo.bench.app (panj bench --app); None here.
    filter_s: float | None = None
    sent_bytes: int | None = None
    rss_mb: float | None = None
    first_load_s: float | None = None
    note: str | None = None


# --- the two maps --------------------------------------------------------------------------------

def naive_map(events: pd.DataFrame, vocabulary: Vocabulary, layers: Mapping[str, Layer]) -> folium.Map:
    """What one writes first: a circle marker per event with its tooltip and popup, opening on the
    same bounds as Panj's map. Leaflet is the local copy (folium's CDN scripts cannot load offline)."""
    west, south, east, north = home_bounds(layers)
    fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=6, tiles=None)
    fmap.default_js = [("leaflet", dict(assets.MAP_JS)["leaflet"])]
    fmap.default_css = [("leaflet_css", dict(assets.MAP_CSS)["leaflet_css"])]
    fmap.get_root().header.add_child(folium.Element(_JQUERY_STAND_IN))
    fmap.fit_bounds([[south, west], [north, east]])
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


def panj_map(snapshot: Snapshot, shown: pd.DataFrame) -> folium.Map:
    """Panj's map of the ``shown`` rows of the snapshot's events, with no layer and no basemap shown:
    the snapshot's files are published on first use, as the page publishes them."""
    # The playback may run over the events' days, as the page's does with no date filter.
    playback_range = (pd.Timestamp(shown["date_first"].min()).date(),
                      pd.Timestamp(shown["date_last"].max()).date()) if len(shown) else None
    view = mapview.MapView(visible_layers=(), basemap=BASEMAP_NONE, playback_range=playback_range)
    return mapview.build_map(snapshot.map_layers, shown, snapshot.vocabulary, view, data=snapshot.map_data(),
                             basemaps=snapshot.basemaps)


def timed_document(build: Callable[[], folium.Map]) -> tuple[float, bytes]:
    """Seconds to build a map and render it to a standalone document, and the document. The heap
    is collected first: the naive map's millions of objects, built just before, would otherwise be
    walked by the collector during the next build and counted in it."""
    gc.collect()
    start = time.perf_counter()
    document = mapview.standalone_html(build()).encode("utf-8")
    return time.perf_counter() - start, document


# --- serving -------------------------------------------------------------------------------------

class PageServer:
    """An HTTP server on 127.0.0.1 (a thread of this process) answering ``/`` with ``document`` and
    ``/app/static/...`` from ``geo.assets.STATIC_DIR``. A context manager; ``url`` is the page's address."""

    def __init__(self) -> None:
        self.document = b""
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> Self:
        assets.install_static()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                local = assets.local_file(path)
                if path == "/":
                    self._send(owner.document, "text/html; charset=utf-8")
                elif local is not None:
                    self._send(local.read_bytes(), mimetypes.guess_type(local.name)[0] or "application/octet-stream")
                else:
                    self.send_error(404)

            def _send(self, body: bytes, content_type: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:  # quiet: progress goes to the caller's report
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="panj-bench-http", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("PageServer used outside its `with` block")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"


# --- the browser ---------------------------------------------------------------------------------

class PageTimer(HeadlessChromium):
    """Headless Chromium (found and launched as the PNG export's is) that loads a served page in a
    fresh context, without request routing, and measures it. Use as a context manager."""

    @property
    def version(self) -> str:
        if self._browser is None:
            raise RuntimeError(f"{type(self).__name__} used outside its `with` block")
        return str(self._browser.version)

    def measure(self, url: str, impl: str, size: int) -> Record:
        """The browser's fields of ``impl``'s page at ``url`` (``build_s`` left None)."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        if self._browser is None:
            raise RuntimeError(f"{type(self).__name__} used outside its `with` block")
        record = Record(impl, size)
        context = self._browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            finished: list[Any] = []
            outside: list[str] = []
            page.on("requestfinished", lambda request: finished.append(request))
            # A blob: URL of the page's own origin is an object the page made (the runtime's worker
            # script, geo/web/panj-map.js), not a request to the network.
            page.on("request", lambda request: None if request.url.startswith((url, f"blob:{url}"))
                    else outside.append(request.url))
            page.add_init_script(_PAINT_WATCH.replace("IMPL", json.dumps(impl)))
            page.goto(url, wait_until="commit", timeout=PAINT_TIMEOUT_S * 1000)
            try:
                page.wait_for_function("() => (window.__panjBench.painted !== null && window.__panjBench.settled !== null)"
                                       " || window.__panjBench.error !== null",
                                       polling=50, timeout=PAINT_TIMEOUT_S * 1000)
            except PlaywrightTimeout:
                record.note = f"not painted within {PAINT_TIMEOUT_S:g} s"
                record.payload_bytes = _payload_bytes(finished, url, required=False)
                return record
            bench = page.evaluate("() => window.__panjBench")
            if bench["error"] is not None:
                raise BenchError(f"{impl} map at {size:,} events reports an error: {bench['error']}")
            record.paint_s = bench["painted"] / 1000
            record.settled_s = bench["settled"] / 1000
            if impl == "panj":
                drawn = page.evaluate("() => window.panjMap.eventsDrawn")
                if drawn != size:
                    raise BenchError(f"Panj's map drew {drawn} events of {size:,}")
            record.heap_mb = self._heap_mb(context, page)
            for action in ("zoom", "pan"):
                page.evaluate(_INTERACT, action)
                try:
                    handle = page.wait_for_function(f"() => window.__panjBench.{action}", polling=50,
                                                    timeout=INTERACTION_TIMEOUT_S * 1000)
                except PlaywrightTimeout:
                    record.note = f"{action} not painted within {INTERACTION_TIMEOUT_S:g} s"
                    break
                setattr(record, f"{action}_s", float(handle.json_value()) / 1000)
            if impl == "panj" and record.note is None:
                steps = page.evaluate(_PLAYBACK)
                if steps["state"]["index"] != min(PLAYBACK_STEPS, steps["state"]["periods"] - 1):
                    raise BenchError(f"Panj's playback at {size:,} events did not step month by month: "
                                     f"{steps['state']}")
                record.step_s = statistics.median(steps["times"]) / 1000
            if outside:
                raise BenchError(f"the {impl} page asked for {outside[0]} (and {len(outside) - 1} more) outside "
                                 "the local server: it would not be measured offline")
            record.payload_bytes = _payload_bytes(finished, url)
            return record
        finally:
            context.close()

    @staticmethod
    def _heap_mb(context: Any, page: Any) -> float:
        session = context.new_cdp_session(page)
        try:
            session.send("HeapProfiler.collectGarbage")
            return session.send("Runtime.getHeapUsage")["usedSize"] / MEGABYTE
        finally:
            session.detach()


def _payload_bytes(finished: Sequence[Any], page_url: str, *, required: bool = True) -> int | None:
    """Response body bytes of the document and the events data files among ``finished`` requests;
    None when the document has not arrived whole and ``required`` is false."""
    total = 0
    counted_document = False
    for request in finished:
        path = urlsplit(request.url).path
        is_document = request.url == page_url
        is_events = path.startswith(EVENTS_DATA_PATH) and path.rsplit("/", 1)[-1].startswith(EVENTS_FILE_PREFIX)
        if is_document or is_events:
            total += int(request.sizes()["responseBodySize"])
            counted_document = counted_document or is_document
    if not counted_document:
        if not required:
            return None
        raise BenchError("the document's response was not seen: payload unknown")
    return total


# --- the run -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    """A run: its records, the synthetic events' summary per size, and the machine it ran on."""

    records: list[Record]
    summaries: dict[int, synthetic.Summary]
    machine: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        """The JSON document ``--json`` writes: ``{"machine", "method", "records"}``."""
        return {
            "machine": self.machine,
            "method": {
                "paint_timeout_s": PAINT_TIMEOUT_S, "interaction_timeout_s": INTERACTION_TIMEOUT_S,
                "naive_max_size": NAIVE_MAX_SIZE, "viewport": VIEWPORT, "pan_pixels": PAN_PIXELS,
                "seed": synthetic.SEED, "megabyte": MEGABYTE,
                "location_shares": {str(size): summary.location_shares for size, summary in self.summaries.items()},
            },
            "records": [dataclasses.asdict(record) for record in self.records],
        }


def run(sizes: Iterable[int], *, layers_dir: Path = LAYERS_DIR, browser_path: str | None = None,
        report: Callable[[str], None] = lambda line: None) -> Result:
    """Measure Panj's map and the naive map for each size, in order, in one browser."""
    records: list[Record] = []
    summaries: dict[int, synthetic.Summary] = {}
    with PageTimer(browser_path) as timer, PageServer() as server, \
            tempfile.TemporaryDirectory(prefix="panj-bench-") as workdir:
        machine = machine_info(timer.version)
        for size in sizes:
            started = time.perf_counter()
            data = synthetic.joined_events(size, layers_dir=layers_dir, workdir=Path(workdir))
            summaries[size] = data.summary
            report(f"{size:,} synthetic events imported and joined in {time.perf_counter() - started:.1f} s "
                   f"(location: {data.summary.describe()})")
            builders = {
                "naive": partial(naive_map, data.events, data.snapshot.vocabulary, data.snapshot.layers),
                "panj": partial(panj_map, data.snapshot, data.events),
            }
            for impl in IMPLS:
                if impl == "naive" and size > NAIVE_MAX_SIZE:
                    record = Record(impl, size, note=f"not built above {NAIVE_MAX_SIZE:,} events")
                else:
                    build_s, server.document = timed_document(builders[impl])
                    if impl == "panj":
                        # The popup text is written in the background by a thread of this process,
                        # which would hold the interpreter while the server thread answers the
                        # page's requests: the page is measured once it is written, so the figure is
                        # the browser's (docs/performance.md, "The paint floor").
                        data.snapshot.popups_written(PAINT_TIMEOUT_S)
                    record = timer.measure(server.url, impl, size)
                    record.build_s = build_s
                    server.document = b""
                records.append(record)
                report(progress_line(record))
    return Result(records, summaries, machine)


def machine_info(chromium_version: str) -> dict[str, Any]:
    """What the figures were measured on: CPU, cores, memory, OS, Python, Chromium, and the load
    average when the run started (other work on the same cores slows every figure)."""
    cpu = platform.processor() or platform.machine()
    memory_gb = None
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), cpu)
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8")
        kilobytes = next(int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal:"))
        memory_gb = round(kilobytes * 1024 / 1e9, 1)
    except (OSError, StopIteration, ValueError):
        pass  # not Linux: the platform module's names stand
    os_name = platform.platform()
    try:
        os_name = platform.freedesktop_os_release().get("PRETTY_NAME", os_name)
    except OSError:
        pass
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory_gb, "os": os_name,
        "python": platform.python_version(), "chromium": chromium_version,
        "load_average": [round(value, 2) for value in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }


# --- reporting -----------------------------------------------------------------------------------

# (field, table label, format of one value); the ratio column is naive ÷ Panj.
_FIELDS = (
    ("build_s", "build", lambda value: f"{value:.2f} s"),
    ("payload_bytes", "payload", lambda value: f"{value / MEGABYTE:.3f} MB"),
    ("paint_s", "paint", lambda value: f"{value:.2f} s"),
    ("settled_s", "all drawn", lambda value: f"{value:.2f} s"),
    ("zoom_s", "zoom", lambda value: f"{value:.3f} s"),
    ("pan_s", "pan", lambda value: f"{value:.3f} s"),
    ("heap_mb", "JS heap", lambda value: f"{value:.1f} MB"),
    ("step_s", "playback step", lambda value: f"{value:.3f} s"),
)


def format_table(records: Sequence[Record]) -> str:
    """For each size, one line per field: the naive map's value, Panj's, and naive ÷ Panj."""
    by_size: dict[int, dict[str, Record]] = {}
    for record in records:
        by_size.setdefault(record.size, {})[record.impl] = record
    lines = [["events", "", "naive", "Panj", "naive ÷ Panj"]]
    for size, pair in by_size.items():
        for number, (name, label, show) in enumerate(_FIELDS):
            values = [getattr(pair[impl], name) if impl in pair else None for impl in IMPLS]
            cells = ["–" if value is None else show(value) for value in values]
            ratio = "–" if None in values or not values[1] else f"{values[0] / values[1]:.1f}"
            lines.append([f"{size:,}" if number == 0 else "", label, *cells, ratio])
    widths = [max(len(line[column]) for line in lines) for column in range(len(lines[0]))]
    return "\n".join("  ".join(cell.ljust(width) if column < 2 else cell.rjust(width)
                               for column, (cell, width) in enumerate(zip(line, widths))).rstrip()
                     for line in lines)


def progress_line(record: Record) -> str:
    """One record as it is reported while the benchmark runs."""
    shown = ", ".join(f"{label} {show(getattr(record, name))}" for name, label, show in _FIELDS
                      if getattr(record, name) is not None)
    note = f" ({record.note})" if record.note else ""
    return f"  {record.impl:5} {record.size:>7,} events: {shown or 'nothing measured'}{note}"


def write_json(result: Result, path: Path) -> None:
    """``result.as_json()`` to ``path``, indented."""
    Path(path).write_text(json.dumps(result.as_json(), indent=2) + "\n", encoding="utf-8")
