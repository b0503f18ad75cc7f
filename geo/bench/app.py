"""The app under load (``panj bench --app``): the running Streamlit page holding N synthetic events,
measured in headless Chromium.

For each size a temporary store is filled by running ``panj import`` on ``geo.bench.synthetic``'s events
file (the map benchmark's events, same seed) with ``PANJ_DATA_DIR`` pointing at a temporary folder
(never the user's store), timed (``import_s``: the command, from start to exit), and ``streamlit run
app.py`` serves it; the page also loads the article's
own events into that store, so it holds N + 30 events. One browser session opens the page first, so the app process has loaded the
data once (``cold_load_s``); then, per size, a record of ``geo.bench.maps.Record``'s fields (the map
benchmark's fields left null) with ``impl`` "panj" and ``size``:

- ``first_load_s``: a new session, navigation until the map is painted (``window.panjMap.ready``
  in the map's frame, then two animation frames) and the sidebar's "N of M events" is shown;
- ``filter_s``: in that session, choosing one more event type in the sidebar until the map is
  painted with the new set (``ready`` and ``eventsDrawn`` equal to the new count the page shows):
  the median of ``FILTER_CHANGES`` such choices in turn, each in ``filter_runs_s``;
- ``sent_bytes``: the websocket payload bytes the browser received from such a choice until the
  map was painted, the script run had ended and the socket had been quiet for ``QUIET_S`` (the
  median; each in ``sent_bytes_runs``);
- ``search_s``: then, searching the titles and summaries for ``SEARCH_WORD`` (typed, then Enter)
  until the map is painted with the events found;
- ``sort_s``: then, choosing "Title" in the table's "Sort the table by" until the script run has
  ended with the table sorted; the titles' order is computed by the process's first such sort, the
  first session's, kept as ``cold_sort_s`` beside ``cold_load_s``;
- ``floor_load_s``: the first load of Streamlit's own floor in the same run, ``floor_page.py``
  (one ``st_folium`` map and nothing else) served the same way, measured with its own new session
  right after Panj's, and ``load_ratio``: ``first_load_s`` over ``floor_load_s``;
- ``publish_s`` and ``publish_cpu_s``: in a fresh process holding that store's page data
  (``page_data``, below), the wall and CPU seconds publishing its snapshot's folder took: the
  events file, its dates, fatalities, strip and terms files, the layers and labels that the page
  fetches (``geo.snapshot.Snapshot.map_data``; the popup text is written after, in the background);
- ``rss_mb``: the app process's peak resident memory so far (``VmHWM``), in MB of 10^6 bytes;
  ``rss_now_mb`` its resident memory once the session has closed (``VmRSS``), and, for every size
  but the smallest, ``bytes_per_event``: how much more that is than the smallest size's, per event
  more (each size is served by a process of its own).

and, at the largest size only, a ``sessions`` record: ``sessions`` browser contexts open the page at once on the same app
process; each must get its map painted with its count and no error. The app's resident memory is
read before (``VmRSS``), at peak (``VmHWM``, reset through ``/proc/PID/clear_refs`` just before)
and after every context has closed, polling until it is back within ``RETURN_FRACTION`` of before
or ``SETTLE_TIMEOUT_S`` passes. Whether the dataset is held once compares the growth with the
dataset's own size in a Python process (``dataset_mb``, ``page_data``: the resident memory a fresh process gains
loading the page's snapshot of the store, ``geo.snapshot.SnapshotCache.get``, after loading one for
the shipped events alone so that imports and caches are not counted): ``held_once`` when the peak
grew by less than ``HELD_ONCE_COPIES`` times that (``growth_in_datasets``); ``growth_mb`` is that
peak's growth in MB.

``check_targets`` reads issue 21's targets (``TARGETS``) off the records: the ``--json`` document
and the command's output list each with what was measured and whether it was met.

Every step has a timeout; a step that times out, or a page that shows an error, leaves its field
null and ``note`` says why. Timings are never asserted by the tests.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.assets import web_script
from geo.bench import synthetic
from geo.bench.maps import Record, machine_info
from geo.importers import DEFAULT_MAX_BYTES
from geo.layers import LAYERS_DIR

ROOT = Path(__file__).resolve().parents[2]
SESSIONS = 10
DATASET_NAME = "panj bench app"
START_TIMEOUT_S = 120.0  # the server announcing its URL and answering its health check
STEP_TIMEOUT_S = 300.0  # one session's load, or one filter change, until painted
SESSIONS_TIMEOUT_S = 900.0  # every concurrent session painted
SETTLE_TIMEOUT_S = 60.0  # memory coming back once the sessions have closed
RETURN_FRACTION = 0.2  # "back": within 20% of the level before the sessions
FILTER_CHANGES = 3  # single figures on shared cores vary: the median of three
QUIET_S = 1.0  # no websocket frame for this long: the filter change's messages have all arrived
# Every session runs the same page, so either each holds a copy of the dataset (ten sessions add ten
# datasets) or none does: growth under half that rules the copies out.
HELD_ONCE_COPIES = 5.0
VIEWPORT = {"width": 1400, "height": 1000}
MEGABYTE = 1_000_000  # as geo.bench.maps'
SEARCH_WORD = "Badakhshan"  # in the titles of the synthetic events of both countries' Badakhshan
SORT_CHOICE = "Title"  # the table's sort measured: a text column, the costliest to order
FLOOR_SCRIPT = "floor_page.py"  # Streamlit's floor: one st_folium map, beside app.py (its static/ is the same)

# Evaluated in the page's top frame (geo/web/bench-app-*.js): the wait for a painted count, and
# two frames in the map's frame once it is ready.
_STATE = web_script("bench-app-state.js")
_PAINTED = web_script("bench-app-painted.js")
_FLOOR_STATE = web_script("bench-floor-state.js")
_FLOOR_PAINTED = web_script("bench-floor-painted.js")
# Captions' text, read without a layout on every frame (docs/performance.md, "The benchmark's own wait").
_CAPTION_HOLDS = ("(text) => [...document.querySelectorAll('[data-testid=\"stCaptionContainer\"]')]"
                  ".some(caption => caption.textContent.includes(text))")
_NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
_SCRIPT_IDLE = "() => document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'"


class AppBenchError(RuntimeError):
    """The benchmark could not set up: the import failed or the app would not start."""


class StepFailed(RuntimeError):
    """One measured step did not finish: it timed out or the page showed an error."""


@dataclass(frozen=True)
class App:
    """A served page: its address, its process's id (whose memory is read) and what it has printed
    so far (for a failure's report)."""

    url: str
    pid: int
    output: list[str] = field(default_factory=list, compare=False)


# --- the store and the server --------------------------------------------------------------------

def fill_store(data_dir: Path, count: int, *, layers_dir: Path = LAYERS_DIR) -> tuple[synthetic.Summary, float]:
    """Write ``count`` synthetic events and import them with ``panj import`` into the store of
    ``data_dir`` (PANJ_DATA_DIR is set for that command only); what was generated, and the seconds
    the command took."""
    events = data_dir / "synthetic-events.geojson"
    summary = synthetic.write_events_file(events, count, layers_dir=layers_dir)
    # A million synthetic events make a file of some 600 MB, over the import's default limit.
    limit_mb = max(math.ceil(events.stat().st_size / 1024 / 1024) + 1, DEFAULT_MAX_BYTES // 1024 // 1024)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "geo", "import", str(events), "--name", DATASET_NAME, "--licence", "synthetic",
         "--layers-dir", str(layers_dir), "--max-size", str(limit_mb)],
        cwd=ROOT, env=_app_env(data_dir, layers_dir), capture_output=True, text=True, check=False,
    )
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise AppBenchError(f"panj import of {count:,} synthetic events failed:\n{done.stderr[-2000:]}")
    events.unlink()
    return summary, took


def _app_env(data_dir: Path, layers_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("PANJ_DATABASE_URL", "PANJ_LAYERS_DIR")}
    env["PANJ_DATA_DIR"] = str(data_dir)
    if layers_dir.resolve() != LAYERS_DIR.resolve():
        env["PANJ_LAYERS_DIR"] = str(layers_dir)
    return env


@contextmanager
def serve(data_dir: Path, *, layers_dir: Path = LAYERS_DIR, script: str = "app.py") -> Iterator[App]:
    """``streamlit run app.py`` (or another ``script`` of the checkout) on a free local port with the
    store of ``data_dir``, as the browser tests start it (tests/conftest.py); stopped on leaving."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1"],
        cwd=ROOT, env=_app_env(data_dir, layers_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url, lines, announced = f"http://127.0.0.1:{port}", [], threading.Event()

    def watch() -> None:  # keep reading: a full pipe would stall the server
        for raw in process.stdout:
            lines.append(raw.decode(errors="replace"))
            if "URL:" in lines[-1]:
                announced.set()
        announced.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        if not announced.wait(START_TIMEOUT_S) or process.poll() is not None or not _healthy(url):
            raise AppBenchError(f"streamlit did not serve {url} (exit code {process.poll()}):\n{''.join(lines)[-2000:]}")
        yield App(url, process.pid, lines)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


# --- memory --------------------------------------------------------------------------------------

def memory_mb(pid: int, field: str = "VmRSS") -> float:
    """A memory line of ``/proc/PID/status`` (``VmRSS`` now, ``VmHWM`` peak) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024 / MEGABYTE
    raise AppBenchError(f"no {field} in /proc/{pid}/status")


def reset_peak(pid: int) -> None:
    """Make ``VmHWM`` start again from the current resident size (Linux's ``clear_refs`` 5)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


@dataclass(frozen=True)
class PageData:
    """A fresh process's load of the page data for a store (``page_data``): the resident memory it
    gains (MB) and how long publishing the snapshot's folder took in it (``geo.snapshot.PublishTime``)."""

    dataset_mb: float
    publish_s: float
    publish_cpu_s: float


def page_data(data_dir: Path, *, layers_dir: Path = LAYERS_DIR) -> PageData:
    """Load the page data for the store of ``data_dir`` in a fresh Python process, after a first
    load of the shipped events alone (in a store of its own) so that module imports, one-off caches
    and the layers' files made once per process are left out of both figures."""
    code = (
        "import os, sys; from pathlib import Path; from geo import snapshot as s; from geo.bench.app import memory_mb; "
        "layers = Path(sys.argv[1]); "
        "first = s.SnapshotCache().get(layers, s.open_page_store(layers, f'sqlite:///{sys.argv[3]}/panj.sqlite3')); "
        "first.popups_written(); before = memory_mb(os.getpid()); "
        "data = s.SnapshotCache().get(layers, s.open_page_store(layers, f'sqlite:///{sys.argv[2]}/panj.sqlite3')); "
        "data.index; print(memory_mb(os.getpid()) - before, data.publish_time.wall_s, data.publish_time.cpu_s)"
    )
    alone = data_dir / "shipped-only"  # inside data_dir: removed with it
    done = subprocess.run([sys.executable, "-c", code, str(layers_dir), str(data_dir), str(alone)], cwd=ROOT,
                          env=_app_env(data_dir, layers_dir), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AppBenchError(f"loading the page data to size it failed:\n{done.stderr[-2000:]}")
    dataset, wall, cpu = map(float, done.stdout.split()[-3:])
    return PageData(dataset, wall, cpu)


# --- one session ---------------------------------------------------------------------------------

class Session:
    """One browser context on the page, counting the websocket bytes it receives."""

    def __init__(self, browser: Any, url: str):
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.received = 0
        self.last_frame = time.perf_counter()
        self.url = url
        self.page.on("websocket", self._watch)

    def _watch(self, socket: Any) -> None:
        socket.on("framereceived", self._count)

    def _count(self, payload: str | bytes) -> None:
        self.received += len(payload)
        self.last_frame = time.perf_counter()

    def open(self) -> None:
        """Navigate (returns once the document has loaded; the app then runs over the websocket)."""
        self.page.goto(f"{self.url}/?basemap=none", wait_until="load", timeout=STEP_TIMEOUT_S * 1000)

    def painted(self, before: int | None, timeout_s: float) -> tuple[int, int]:
        """Wait until the page shows a count other than ``before`` and the map has drawn and painted
        that many events; the count as (shown, total). StepFailed on an error or the timeout."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            state = self.page.wait_for_function(_STATE, arg=-1 if before is None else before,
                                                timeout=max(timeout_s, 0.001) * 1000).json_value()
        except PlaywrightTimeout:
            raise StepFailed(f"not painted within {timeout_s:.0f} s") from None
        if "error" in state:
            raise StepFailed(state["error"])
        if not self.page.evaluate(_PAINTED, state["shown"]):  # the map frame was replaced meanwhile
            return self.painted(before, timeout_s)
        return state["shown"], state["total"]

    def floor_painted(self, timeout_s: float) -> None:
        """Wait until the floor page's map is laid out and its first frame painted. StepFailed on an
        error or the timeout."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        deadline = time.perf_counter() + timeout_s
        while True:
            try:
                state = self.page.wait_for_function(_FLOOR_STATE, timeout=max(deadline - time.perf_counter(), 0.001) * 1000,
                                                    polling="raf").json_value()
            except PlaywrightTimeout:
                raise StepFailed(f"the floor page's map was not painted within {timeout_s:.0f} s") from None
            if isinstance(state, dict):
                raise StepFailed(state["error"])
            if self.page.evaluate(_FLOOR_PAINTED):  # else the map's frame was replaced meanwhile
                return

    def search(self, word: str, before: int, timeout_s: float) -> int:
        """Search the titles and summaries for ``word`` (typed, then Enter: the rerun starts at the
        key) until the map is painted with another count than ``before``; the count shown."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        box = self.page.get_by_label("Search titles and summaries")
        try:
            box.fill(word, timeout=timeout_s * 1000)
            box.press("Enter", timeout=timeout_s * 1000)
        except PlaywrightTimeout:
            raise StepFailed(f"the search box could not be used within {timeout_s:.0f} s") from None
        return self.painted(before, timeout_s)[0]

    def sort_option(self, label: str, timeout_s: float) -> Any:
        """Open the table's "Sort the table by" list; its option ``label`` (a locator)."""
        choice = self.page.get_by_role("combobox", name="Sort the table by")
        option = self.page.locator("[role=listbox] [role=option]").filter(has_text=label).first
        return self._open_list(choice, option, "the table's sort list", timeout_s)

    def sorted_by(self, label: str, timeout_s: float) -> None:
        """Wait until the table's caption says it is sorted by ``label`` and the script run has ended."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_function(_CAPTION_HOLDS, arg=f", by {label.lower()}.",
                                        timeout=timeout_s * 1000, polling="raf")
            self.page.wait_for_function(_SCRIPT_IDLE, timeout=timeout_s * 1000, polling="raf")
        except PlaywrightTimeout:
            raise StepFailed(f"the table was not sorted by {label} within {timeout_s:.0f} s") from None

    def quiet(self, timeout_s: float) -> None:
        """Wait until the script run has ended and no websocket frame has come for ``QUIET_S``."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        deadline = time.perf_counter() + timeout_s
        try:
            self.page.wait_for_function(_SCRIPT_IDLE, timeout=timeout_s * 1000)
        except PlaywrightTimeout:
            raise StepFailed(f"the script was still running after {timeout_s:.0f} s") from None
        while time.perf_counter() - self.last_frame < QUIET_S:
            if time.perf_counter() > deadline:
                raise StepFailed(f"the websocket was still busy after {timeout_s:.0f} s")
            self.page.wait_for_timeout(100)  # lets Playwright deliver the frame events meanwhile

    def event_type_option(self, timeout_s: float) -> Any:
        """Open the sidebar's "Event types" list; its first event type not yet chosen (a locator)."""
        choice = self.page.get_by_role("combobox", name="Event types")
        # The open list is the only listbox; its first option is "Select all" (key "__select_all__").
        option = self.page.locator("[role=listbox] [role=option][aria-selected=false]:not([data-key^='__'])").first
        return self._open_list(choice, option, "the event types list", timeout_s)

    def _open_list(self, choice: Any, option: Any, what: str, timeout_s: float) -> Any:
        """Open the list of the select ``choice`` until ``option`` shows (``option``). A click on the
        page's first focus did not always open it; the arrow key on the focused select does. The
        select is scrolled into view first and focused without a scroll: a scroll the browser
        reports after the list has opened closes it (docs/performance.md, "The first choice after a
        load")."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            try:
                choice.evaluate("select => select.scrollIntoView({block: 'center'})", timeout=timeout_s * 1000)
                self.page.evaluate(_NEXT_FRAMES)
                choice.evaluate("select => select.focus({preventScroll: true})", timeout=timeout_s * 1000)
                self.page.keyboard.press("ArrowDown")
                option.wait_for(timeout=2000)
                return option
            except PlaywrightTimeout:
                continue
        raise StepFailed(f"{what} did not open within {timeout_s:.0f} s")

    def close(self) -> None:
        self.context.close()


# --- the measurements ----------------------------------------------------------------------------

def measure_page(browser: Any, app: App, size: int, timeout_s: float = STEP_TIMEOUT_S) -> dict[str, Any]:
    """The size's record: a first load, the filter changes, their bytes and the peak memory so far."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    measured: dict[str, Any] = {"first_load_s": None, "filter_s": None, "sent_bytes": None}
    extra: dict[str, Any] = {"events_total": None, "events_filtered": [], "filter_runs_s": [], "sent_bytes_runs": [],
                             "search_s": None, "events_found": None, "sort_s": None}
    note = None
    session = Session(browser, app.url)
    try:
        started = time.perf_counter()
        session.open()
        shown, extra["events_total"] = session.painted(None, timeout_s - (time.perf_counter() - started))
        measured["first_load_s"] = round(time.perf_counter() - started, 3)
        session.quiet(timeout_s)
        for _ in range(FILTER_CHANGES):
            option = session.event_type_option(timeout_s)
            session.received, started = 0, time.perf_counter()  # the change is the click, not opening the list
            try:
                option.click(timeout=timeout_s * 1000)
            except PlaywrightTimeout:
                raise StepFailed(f"the event type could not be clicked within {timeout_s:.0f} s") from None
            shown, _ = session.painted(shown, timeout_s)
            extra["filter_runs_s"].append(round(time.perf_counter() - started, 3))
            extra["events_filtered"].append(shown)
            session.quiet(timeout_s)
            extra["sent_bytes_runs"].append(session.received)
        measured["filter_s"] = statistics.median(extra["filter_runs_s"])
        measured["sent_bytes"] = statistics.median_low(extra["sent_bytes_runs"])
        started = time.perf_counter()
        extra["events_found"] = session.search(SEARCH_WORD, shown, timeout_s)
        extra["search_s"] = round(time.perf_counter() - started, 3)
        session.quiet(timeout_s)
        option = session.sort_option(SORT_CHOICE, timeout_s)
        started = time.perf_counter()
        option.click(timeout=timeout_s * 1000)
        session.sorted_by(SORT_CHOICE, timeout_s)
        extra["sort_s"] = round(time.perf_counter() - started, 3)
    except StepFailed as failure:
        missing = next(key for key, value in {**measured, **extra}.items() if value is None)
        note = f"{missing}: {failure}"
    finally:
        session.close()
    record = Record("panj", size, note=note, rss_mb=round(memory_mb(app.pid, "VmHWM"), 1), **measured)
    return {**dataclasses.asdict(record), **extra, "rss_now_mb": round(memory_mb(app.pid), 1)}


def measure_floor(browser: Any, floor: App, timeout_s: float = STEP_TIMEOUT_S) -> tuple[float | None, str | None]:
    """The floor page's first load in a new session (seconds), or None and why not."""
    session = Session(browser, floor.url)
    try:
        started = time.perf_counter()
        session.open()
        session.floor_painted(timeout_s)
        return round(time.perf_counter() - started, 3), None
    except StepFailed as failure:
        return None, f"floor_load_s: {failure}"
    finally:
        session.close()


def measure_sessions(browser: Any, app: App, size: int, sessions: int, dataset: float | None,
                     timeout_s: float = SESSIONS_TIMEOUT_S) -> dict[str, Any]:
    """The sessions record: ``sessions`` contexts opening the page at once on one app process."""
    before = memory_mb(app.pid)
    reset_peak(app.pid)
    opened = [Session(browser, app.url) for _ in range(sessions)]
    results: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        for session in opened:  # each navigation returns at the document's load: the runs overlap
            session.open()
        for session in opened:
            try:
                shown, total = session.painted(None, timeout_s - (time.perf_counter() - started))
                results.append({"painted": True, "shown": shown, "total": total, "error": None})
            except StepFailed as failure:
                results.append({"painted": False, "shown": None, "total": None, "error": str(failure)})
        painted_s = time.perf_counter() - started
        peak = memory_mb(app.pid, "VmHWM")
    finally:
        for session in opened:
            session.close()
    closed = time.perf_counter()
    after = memory_mb(app.pid)
    while after > before * (1 + RETURN_FRACTION) and time.perf_counter() - closed < SETTLE_TIMEOUT_S:
        time.sleep(1)
        after = memory_mb(app.pid)
    growth = peak - before
    return {
        "impl": "panj", "size": size, "kind": "sessions", "sessions": sessions,
        "painted": sum(result["painted"] for result in results), "all_painted_s": round(painted_s, 3),
        "results": results, "errors": [result["error"] for result in results if result["error"]],
        "rss_before_mb": round(before, 1), "rss_peak_mb": round(peak, 1), "rss_after_mb": round(after, 1),
        "growth_mb": round(peak - before, 1),
        "settle_s": round(time.perf_counter() - closed, 1),
        "returned": after <= before * (1 + RETURN_FRACTION),
        "dataset_mb": None if dataset is None else round(dataset, 1),
        "growth_in_datasets": None if not dataset else round(growth / dataset, 2),
        "held_once": None if not dataset else growth < HELD_ONCE_COPIES * dataset,
    }


@dataclass(frozen=True)
class Target:
    """One of issue 21's targets: a record's ``field`` at most ``limit`` (in ``unit``), checked on the
    page record of ``size`` (a size of None: the largest size measured, beyond the smallest)."""

    field: str
    limit: float
    unit: str
    size: int | None
    kind: str = "page"  # or "sessions": the concurrent sessions' record

    def describe(self) -> str:
        where = "the largest size" if self.size is None else f"{self.size:,} events"
        return f"{self.field} at {where} ≤ {self.limit:g} {self.unit}"


MILLION = 1_000_000
TARGETS = (  # docs/performance.md, "Issue 21's targets"
    Target("first_load_s", 1.5, "s", 100_000),
    Target("first_load_s", 2.5, "s", MILLION),
    Target("filter_s", 1.0, "s", MILLION),
    Target("sent_bytes", 100_000, "bytes", MILLION),
    Target("search_s", 0.5, "s", MILLION),
    Target("sort_s", 0.5, "s", MILLION),
    Target("import_s", 60.0, "s", MILLION),
    Target("publish_s", 3.0, "s", MILLION),
    Target("bytes_per_event", 250.0, "bytes", None),
    Target("growth_mb", 50.0, "MB", None, kind="sessions"),
)


def add_bytes_per_event(records: list[dict[str, Any]]) -> None:
    """Give each page record beyond the smallest size ``bytes_per_event``: its app process's resident
    memory after the measurements (``rss_now_mb``) less the smallest size's, per event more."""
    pages = [record for record in records if record.get("kind") != "sessions"]
    smallest = min(pages, key=lambda record: record["size"], default=None)
    for record in pages:
        grown = record["size"] - smallest["size"]
        record["bytes_per_event"] = (round((record["rss_now_mb"] - smallest["rss_now_mb"]) * MEGABYTE / grown, 1)
                                     if grown > 0 else None)


def check_targets(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target whose record was measured: what it asks, what was measured and whether it was met
    (None when the field is missing: the step failed)."""
    largest = max((record["size"] for record in records), default=None)
    checked = []
    for target in TARGETS:
        size = largest if target.size is None else target.size
        record = next((record for record in records if record["size"] == size
                       and (record.get("kind") or "page") == target.kind), None)
        if record is None or (target.size is None and target.kind == "page" and record.get("bytes_per_event") is None):
            continue
        measured = record.get(target.field)
        checked.append({"target": target.describe(), "field": target.field, "size": size, "limit": target.limit,
                        "measured": measured, "met": None if measured is None else measured <= target.limit})
    return checked


def format_targets(checked: Sequence[dict[str, Any]]) -> str:
    """The targets checked, one a line: what, measured, met."""
    def verdict(met: bool | None) -> str:
        return "not measured" if met is None else "met" if met else "NOT met"

    return "\n".join(f"{row['target']}: {'–' if row['measured'] is None else row['measured']} ({verdict(row['met'])})"
                     for row in checked)


@dataclass(frozen=True)
class Result:
    """A run: its records (one per size, and the sessions' at the largest), what was generated per
    size, and the machine."""

    records: list[dict[str, Any]]
    summaries: dict[int, synthetic.Summary]
    machine: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        """The JSON document ``--json`` writes, shaped as ``geo.bench.maps``': machine, method, records,
        and the targets checked on them (``check_targets``)."""
        return {
            "machine": self.machine,
            "method": {
                "step_timeout_s": STEP_TIMEOUT_S, "sessions_timeout_s": SESSIONS_TIMEOUT_S,
                "settle_timeout_s": SETTLE_TIMEOUT_S, "return_fraction": RETURN_FRACTION, "quiet_s": QUIET_S,
                "filter_changes": FILTER_CHANGES, "search_word": SEARCH_WORD, "sort_choice": SORT_CHOICE,
                "floor_page": FLOOR_SCRIPT,
                "held_once_copies": HELD_ONCE_COPIES, "viewport": VIEWPORT, "seed": synthetic.SEED,
                "megabyte": MEGABYTE,
                "location_shares": {str(size): summary.location_shares for size, summary in self.summaries.items()},
            },
            "records": self.records,
            "targets": check_targets(self.records),
        }


def run(sizes: Sequence[int], *, sessions: int = SESSIONS, layers_dir: Path = LAYERS_DIR,
        browser_path: str | None = None, report: Callable[[str], None] = lambda line: None) -> Result:
    """For each size, a store of that many synthetic events, the app serving it and its record,
    beside the floor page's first load; at the largest size the sessions' record too. ``report``
    is told each step."""
    from playwright.sync_api import sync_playwright

    from geo.browser import find_browser, launch_args

    records, summaries = [], {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_browser(browser_path), args=launch_args())
        try:
            machine = machine_info(browser.version)
            with tempfile.TemporaryDirectory(prefix="panj-bench-floor-") as floor_dir, \
                    serve(Path(floor_dir), layers_dir=layers_dir, script=FLOOR_SCRIPT) as floor:
                measure_floor(browser, floor)  # the floor's process warms up as Panj's does
                for size in sizes:
                    with tempfile.TemporaryDirectory(prefix="panj-bench-app-") as folder:
                        data_dir = Path(folder)
                        summaries[size], import_s = fill_store(data_dir, size, layers_dir=layers_dir)
                        loaded = page_data(data_dir, layers_dir=layers_dir)
                        report(f"{size:,} synthetic events imported in {import_s:.1f} s "
                               f"(location: {summaries[size].describe()}); the page data takes "
                               f"{loaded.dataset_mb:,.1f} MB, published in {loaded.publish_s:.2f} s "
                               f"({loaded.publish_cpu_s:.2f} s CPU)")
                        with serve(data_dir, layers_dir=layers_dir) as app:
                            warm = measure_page(browser, app, size)  # the process loads the data here
                            record = {**measure_page(browser, app, size), "cold_load_s": warm["first_load_s"],
                                      "cold_sort_s": warm["sort_s"], "import_s": round(import_s, 3),
                                      "publish_s": round(loaded.publish_s, 3),
                                      "publish_cpu_s": round(loaded.publish_cpu_s, 3)}
                            record["floor_load_s"], floor_note = measure_floor(browser, floor)
                            record["note"] = record["note"] or floor_note
                            record["load_ratio"] = (round(record["first_load_s"] / record["floor_load_s"], 2)
                                                    if record["first_load_s"] and record["floor_load_s"] else None)
                            report(progress_line(record))
                            records.append(record)
                            if size == max(sizes):
                                crowd = measure_sessions(browser, app, size, sessions, loaded.dataset_mb)
                                report(progress_line(crowd))
                                records.append(crowd)
        finally:
            browser.close()
    add_bytes_per_event(records)
    return Result(records, summaries, machine)


# --- output --------------------------------------------------------------------------------------

def progress_line(record: dict[str, Any]) -> str:
    """One record as it is reported while the benchmark runs."""
    if record.get("kind") == "sessions":
        errors = f": {record['errors'][0]}" if record["errors"] else ""
        return (f"  {record['size']:>7,} events, {record['sessions']} sessions: {record['painted']} painted in "
                f"{record['all_painted_s']} s, {len(record['errors'])} errors{errors}; RSS {record['rss_before_mb']} "
                f"-> {record['rss_peak_mb']} -> {record['rss_after_mb']} MB ({record['settle_s']} s after closing)")
    note = f" ({record['note']})" if record["note"] else ""
    return (f"  {record['size']:>7,} events: import {record['import_s']} s, cold load {record['cold_load_s']} s, "
            f"first load {record['first_load_s']} s (floor {record['floor_load_s']} s, x{record['load_ratio']}), "
            f"filter {record['filter_s']} s ({record['sent_bytes']} bytes), search {record['search_s']} s, "
            f"sort {record['sort_s']} s (cold {record['cold_sort_s']} s), "
            f"published in {record['publish_s']} s ({record['publish_cpu_s']} s CPU), peak RSS {record['rss_mb']} MB{note}")


def format_table(records: Sequence[dict[str, Any]]) -> str:
    """The records as two plain-text tables: one session per size, then the concurrent sessions."""
    def cell(value: Any) -> str:
        return "–" if value is None else f"{value:,}" if type(value) is int else str(value)

    pages = [record for record in records if record.get("kind") != "sessions"]
    crowds = [record for record in records if record.get("kind") == "sessions"]
    lines = [(f"{'events':>9} {'import s':>8} {'cold s':>7} {'first s':>8} {'floor s':>8} {'ratio':>5} "
              f"{'filter s':>9} {'sent bytes':>11} {'search s':>8} {'sort s':>7} {'publish s':>9} {'peak RSS MB':>11} "
              f"{'B/event':>8}")]
    lines += [(f"{r['size']:>9,} {cell(r['import_s']):>8} {cell(r['cold_load_s']):>7} {cell(r['first_load_s']):>8} "
               f"{cell(r['floor_load_s']):>8} {cell(r['load_ratio']):>5} {cell(r['filter_s']):>9} "
               f"{cell(r['sent_bytes']):>11} {cell(r['search_s']):>8} {cell(r['sort_s']):>7} {cell(r['publish_s']):>9} "
               f"{cell(r['rss_mb']):>11} "
               f"{cell(r.get('bytes_per_event')):>8}")
              for r in pages]
    lines += ["", (f"{'events':>8} {'sessions':>8} {'painted':>7} {'errors':>6} {'RSS before':>10} {'peak':>7} "
                   f"{'after':>7} {'dataset MB':>10} {'held once':>9}")]
    lines += [(f"{r['size']:>8,} {r['sessions']:>8} {r['painted']:>7} {len(r['errors']):>6} {r['rss_before_mb']:>10} "
               f"{r['rss_peak_mb']:>7} {r['rss_after_mb']:>7} {cell(r['dataset_mb']):>10} {cell(r['held_once']):>9}")
              for r in crowds]
    return "\n".join(lines)


def write_json(result: Result, path: Path) -> None:
    """``result.as_json()`` to ``path``, indented."""
    Path(path).write_text(json.dumps(result.as_json(), indent=2) + "\n", encoding="utf-8")
