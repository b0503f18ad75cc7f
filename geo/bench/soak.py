"""The soak benchmark (``panj bench --soak``): weeks of a team's use of one server, in minutes.

The page is served by ``streamlit run app.py`` (``geo.bench.app.serve``) on a store of its own, with
``sessions`` browser sessions open on it. Each cycle does what a team does over a day, through the
command line in processes of their own, as analysts would: ``panj import`` of a small synthetic
dataset, ``panj datasets --rename``, ``panj export`` of a figure of that dataset and
``panj datasets --delete``; after each change every session reruns (its "Reset filters" button)
and must show the new event count, so the server builds the new revision's snapshot each time.

Before the first cycle and after every ``record_every`` cycles a record notes the published folders
under ``static/vendor/data/`` (how many, and their bytes), the app's resident memory (``VmRSS``) and
the store file's size. Those must level off, not climb (docs/performance.md, "The soak run"). The
store grows by design: each deleted dataset waits in the trash for 30 days (``geo.store``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo import assets
from geo.assets import web_script
from geo.bench import synthetic
from geo.bench.app import ROOT, STEP_TIMEOUT_S, App, AppBenchError, Session, StepFailed, _app_env, memory_mb, serve
from geo.bench.maps import machine_info
from geo.layers import LAYERS_DIR

CYCLES = 50
SESSIONS = 3
RECORD_EVERY = 10
EVENTS = 200  # the dataset each cycle imports
DATASET = "Soak"
RENAMED = "Soak renamed"
COMMAND_TIMEOUT_S = 300.0  # one panj command
RETRY_S = 30.0  # a rerun that shows nothing new this long after its click is asked for again
_SHOWS = web_script("bench-soak-shows.js")


@dataclass(frozen=True)
class SoakResult:
    records: list[dict[str, Any]]
    machine: dict[str, Any]
    cycles: int
    sessions: int

    def as_json(self) -> dict[str, Any]:
        """The JSON document ``--json`` writes, shaped as the other benchmarks': machine, method, records."""
        return {
            "machine": self.machine,
            "method": {"cycles": self.cycles, "sessions": self.sessions, "events_per_import": EVENTS,
                       "seed": synthetic.SEED, "step_timeout_s": STEP_TIMEOUT_S,
                       "command_timeout_s": COMMAND_TIMEOUT_S},
            "records": self.records,
        }


def published() -> tuple[int, int]:
    """How many folders ``static/vendor/data/`` holds, and their bytes."""
    folders = assets.data_folders()
    size = 0
    for name in folders:
        size += sum(path.stat().st_size for path in (assets.STATIC_DIR / "vendor" / "data" / name).iterdir())
    return len(folders), size


def run(*, cycles: int = CYCLES, sessions: int = SESSIONS, record_every: int = RECORD_EVERY,
        layers_dir: Path = LAYERS_DIR, browser_path: str | None = None,
        report: Callable[[str], None] = lambda line: None) -> SoakResult:
    """Serve the page, open ``sessions`` sessions, run ``cycles`` cycles; a record before the first
    and after every ``record_every`` cycles (and after the last)."""
    from playwright.sync_api import sync_playwright

    from geo.browser import find_browser, launch_args

    records: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="panj-soak-") as folder, sync_playwright() as playwright:
        work = Path(folder)
        data_dir = work / "data"
        data_dir.mkdir()
        events = work / "soak-events.geojson"
        synthetic.write_events_file(events, EVENTS, layers_dir=layers_dir)
        env = _app_env(data_dir, layers_dir)

        def panj(*arguments: str) -> None:
            done = subprocess.run([sys.executable, "-m", "geo", *arguments], cwd=ROOT, env=env, capture_output=True,
                                  text=True, timeout=COMMAND_TIMEOUT_S, check=False)
            if done.returncode != 0:
                raise AppBenchError(f"panj {' '.join(arguments)} failed:\n{done.stderr[-2000:]}")

        browser = playwright.chromium.launch(executable_path=find_browser(browser_path), args=launch_args())
        try:
            machine = machine_info(browser.version)
            with serve(data_dir, layers_dir=layers_dir) as app:
                opened = [Session(browser, app.url) for _ in range(sessions)]
                try:
                    for session in opened:
                        session.open()
                    shipped = _all_show(opened, None)
                    lost = [0]  # clicks that brought no rerun and were made again
                    records.append(_record(app, data_dir, 0, time.perf_counter(), lost))
                    report(_line(records[-1]))
                    started = time.perf_counter()
                    for cycle in range(1, cycles + 1):
                        panj("import", str(events), "--name", DATASET, "--licence", "synthetic, for the soak run",
                             "--layers-dir", str(layers_dir))
                        _all_show(opened, shipped + EVENTS, lost, app)
                        panj("datasets", "--rename", DATASET, RENAMED)
                        _all_show(opened, shipped + EVENTS, lost, app)
                        panj("export", "--out", str(work / "figure.png"), "--dataset", RENAMED, "--layers-dir",
                             str(layers_dir), *(["--browser", browser_path] if browser_path else []))
                        panj("datasets", "--delete", RENAMED)
                        _all_show(opened, shipped, lost, app)
                        if cycle % record_every == 0 or cycle == cycles:
                            records.append(_record(app, data_dir, cycle, started, lost))
                            report(_line(records[-1]))
                finally:
                    for session in opened:
                        session.close()
        finally:
            browser.close()
    return SoakResult(records, machine, cycles, sessions)


def _all_show(sessions: list[Session], total: int | None, lost: list[int] | None = None,
              app: App | None = None) -> int:
    """Rerun every session (its "Reset filters" button) and wait until each shows ``total`` events
    (None: whatever it shows first) with its map drawn; the total. A click that brought no rerun
    within ``RETRY_S`` is made again and counted in ``lost[0]``. StepFailed after ``STEP_TIMEOUT_S``."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for session in sessions:
        deadline = time.perf_counter() + STEP_TIMEOUT_S
        state = None
        while state is None:
            if total is not None:  # a click landing while the page redraws can be lost: click again
                session.page.get_by_role("button", name="Reset filters").click(timeout=STEP_TIMEOUT_S * 1000)
            left = deadline - time.perf_counter()
            try:
                # Every wait is bounded: a map frame replaced while being waited on must not hang the run.
                state = session.page.wait_for_function(_SHOWS, arg=-1 if total is None else total,
                                                       timeout=max(min(RETRY_S, left), 0.001) * 1000).json_value()
            except PlaywrightTimeout:
                if total is not None and lost is not None:
                    lost[0] += 1
                if time.perf_counter() >= deadline:
                    wanted = "its events" if total is None else f"{total:,} events"
                    log = "".join(app.output[-40:]) if app is not None else ""
                    raise StepFailed(f"the page did not show {wanted} within {STEP_TIMEOUT_S:.0f} s; "
                                     f"it showed: {_shown(session)}; the server's last output:\n{log}") from None
        if "error" in state:
            raise StepFailed(state["error"])
        total = state["total"]
        session.quiet(STEP_TIMEOUT_S)
    return total


def _shown(session: Session) -> str:
    """What the page says instead (its count line, or the explanation of data it cannot show)."""
    text = session.page.inner_text("body")
    count = re.search(r"[\d,]+ of [\d,]+ events", text)
    if "Panj cannot show this map data" in text:
        return " ".join(text[text.index("Panj cannot show this map data"):].split())[:600]
    return count.group(0) if count else " ".join(text.split())[:300]


def _record(app: App, data_dir: Path, cycle: int, started: float, lost: list[int]) -> dict[str, Any]:
    folders, size = published()
    store = data_dir / "panj.sqlite3"
    return {"cycle": cycle, "elapsed_s": round(time.perf_counter() - started, 1), "published_folders": folders,
            "published_mb": round(size / 1e6, 2), "rss_mb": round(memory_mb(app.pid), 1),
            "store_mb": round(store.stat().st_size / 1e6, 2) if store.exists() else 0.0,
            "clicks_made_again": lost[0]}


def _line(record: dict[str, Any]) -> str:
    return (f"  cycle {record['cycle']:>3}: {record['published_folders']} published folders, "
            f"{record['published_mb']} MB; app RSS {record['rss_mb']} MB; store {record['store_mb']} MB "
            f"({record['elapsed_s']} s; {record['clicks_made_again']} clicks made again)")


def format_table(records: list[dict[str, Any]]) -> str:
    """The records as a plain-text table."""
    lines = [f"{'cycle':>5} {'folders':>7} {'published MB':>12} {'app RSS MB':>10} {'store MB':>8} {'elapsed s':>9}"]
    lines += [f"{r['cycle']:>5} {r['published_folders']:>7} {r['published_mb']:>12} {r['rss_mb']:>10} "
              f"{r['store_mb']:>8} {r['elapsed_s']:>9}" for r in records]
    return "\n".join(lines)


def write_json(result: SoakResult, path: Path) -> None:
    Path(path).write_text(json.dumps(result.as_json(), indent=2) + "\n", encoding="utf-8")
