"""Screenshots of the page for docs/ (README, "What the page looks like"): the opening view at
1400x900 (desktop), 1366x768 (a laptop: the map not wholly in view), 390x844 (phone) and a workshop scene stepped to an event in presenter view at
1280x720; and the frontier coloured by change with the change along the frontier's table (``--which
change``); the frontier strip (``--which strip``); a month-by-month playback paused at May 2022 in
presenter view at 1280x720 (``--which playback``). Starts the page on the shipped data on a free port and drives Debian's Chromium.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--which page|change|strip|playback|all]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("PANJ_CHROMIUM", "/usr/bin/chromium")
READY = "() => [...document.querySelectorAll('iframe')].some(f => f.contentWindow.panjMap && f.contentWindow.panjMap.ready)"
SHOTS = (
    # (file name, viewport, query, clicks on "Next" before the picture)
    ("desktop-1400x900.png", (1400, 900), "basemap=none", 0),
    ("laptop-1366x768.png", (1366, 768), "basemap=none", 0),
    ("phone-390x844.png", (390, 844), "basemap=none", 0),
    ("presenter-1280x720.png", (1280, 720), "scene=gbao-unrest&presenter=1", 2),
)
# The frontier coloured by its change levels (the panel's choice, from the URL) from June 2021: the
# map in presenter view at 1400x900 (the whole window), then the page's panel opened.
CHANGE_QUERY = "basemap=none&from=2021-06&trends_map=1"
# The frontier left of the open legend, which covers China.
CHANGE_BBOX = "66.6,35.4,79.6,39.6"
CHANGE_MAP, CHANGE_TABLE = "change-map-1400x900.png", "change-table-1400x900.png"
# The frontier strip, events within 300 km of the frontier (the panel's default of 25 km keeps two of
# the article's events; 300 km keeps six), the panel alone.
STRIP_QUERY = "basemap=none&within=300"
STRIP_SHOT = "strip-1400x900.png"
STRIP_DRAWN = "() => Boolean(window.panjStrip) && window.panjStrip.events > 0"
# The article's months, August 2021 to June 2022, played month by month and paused at May 2022, as a
# facilitator's link reopens it.
PLAYBACK_QUERY = "basemap=none&presenter=1&from=2021-08&to=2022-06&play=month&period=2022-05"
PLAYBACK_SHOT = "playback-1280x720.png"
PLAYBACK_DRAWN = ("() => [...document.querySelectorAll('iframe')].some(f => f.contentWindow.panjMap && "
                  "f.contentWindow.panjMap.ready && f.contentWindow.panjMap.playback.state().period === '2022-05' && "
                  "f.contentWindow.panjMap.eventsDrawn === f.contentWindow.panjMap.playback.state().shown)")
CHANGE_DRAWN = ("() => [...document.querySelectorAll('iframe')].some(f => f.contentWindow.panjMap && "
                "f.contentWindow.panjMap.ready && f.contentWindow.panjMap.frontierChange.segments > 0)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _change_shots(browser, url: str, out: Path, query: str) -> None:
    """The map with the frontier coloured by change, and the change along the frontier's panel."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{url}/?{query}&presenter=1&bbox={CHANGE_BBOX}")
    page.wait_for_function(CHANGE_DRAWN, timeout=60_000)
    # Presenter view folds the legend away; its rows of change levels are what the picture shows.
    frame = next(frame for frame in page.frames if frame.evaluate("() => Boolean(window.panjMap && window.panjMap.ready)"))
    frame.get_by_text("Legend").first.click()
    frame.evaluate("() => document.querySelector('[data-panj-legend-change]:not([hidden])').scrollIntoView()")
    page.wait_for_timeout(1000)
    page.screenshot(path=str(out / CHANGE_MAP))
    print(out / CHANGE_MAP)
    page.close()
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{url}/?{query}")
    page.wait_for_function(CHANGE_DRAWN, timeout=60_000)
    page.get_by_text("Change along the frontier").first.click()
    panel = page.locator("[data-testid='stExpander']").filter(has_text="Count events within (km)")
    panel.locator("[data-testid='stDataFrame']").wait_for(timeout=60_000)
    panel.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    panel.screenshot(path=str(out / CHANGE_TABLE))
    print(out / CHANGE_TABLE)
    page.close()


def _strip_shot(browser, url: str, out: Path) -> None:
    """The frontier strip's panel, under the map."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{url}/?{STRIP_QUERY}")
    page.wait_for_function(STRIP_DRAWN, timeout=60_000)
    panel = page.locator("[data-testid='stExpander']").filter(has_text="Along the frontier, through time")
    panel.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    panel.screenshot(path=str(out / STRIP_SHOT))
    print(out / STRIP_SHOT)
    page.close()


def _playback_shot(browser, url: str, out: Path) -> None:
    """Presenter view with a playback paused: the period large on the map, the control above it."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{url}/?{PLAYBACK_QUERY}")
    page.wait_for_function(PLAYBACK_DRAWN, timeout=60_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(out / PLAYBACK_SHOT))
    print(out / PLAYBACK_SHOT)
    page.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--url", help="an already running page (default: start one)")
    parser.add_argument("--which", choices=("page", "change", "strip", "playback", "all"), default="all",
                        help="the page's four views, the change along the frontier's two, the frontier strip, "
                             "a playback in presenter view, or all (default)")
    parser.add_argument("--change-query", default=CHANGE_QUERY, metavar="QUERY",
                        help="the change along the frontier's view (default: %(default)s)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    server = None
    url = args.url
    if url is None:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        # A store of its own: the pictures show the shipped events, not a reader's imports.
        env = {**os.environ, "PANJ_DATA_DIR": tempfile.mkdtemp(prefix="panj-screenshots-")}
        env.pop("PANJ_DATABASE_URL", None)
        server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                   "--server.headless", "true", "--server.address", "127.0.0.1"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless"])
            for name, (width, height), query, steps in SHOTS if args.which in ("page", "all") else ():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(f"{url}/?{query}")
                page.wait_for_function(READY, timeout=60_000)
                for _ in range(steps):
                    page.get_by_role("button", name="Next ▶").click()
                    page.wait_for_timeout(1500)
                    page.wait_for_function(READY, timeout=60_000)
                page.wait_for_timeout(1000)
                page.screenshot(path=str(args.out / name))
                print(args.out / name)
                page.close()
            if args.which in ("change", "all"):
                _change_shots(browser, url, args.out, args.change_query)
            if args.which in ("strip", "all"):
                _strip_shot(browser, url, args.out)
            if args.which in ("playback", "all"):
                _playback_shot(browser, url, args.out)
            browser.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
