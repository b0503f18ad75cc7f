"""Helpers for the browser tests: the map's frame, the shown/total count, the events table's rows,
what a page let out, and how large event symbols are drawn."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

# A wait's limit; PANJ_BROWSER_TIMEOUT_MS raises it on a machine other work is loading.
TIMEOUT_MS = int(os.environ.get("PANJ_BROWSER_TIMEOUT_MS", "45000"))
COUNT = re.compile(r"(\d+) of (\d+) events")
LOCAL_HOSTS = ("127.0.0.1", "localhost")
_ANY_FRAME_READY = """() => [...document.querySelectorAll('iframe')].some(f => {
    try { return Boolean(f.contentWindow.panjMap && f.contentWindow.panjMap.ready); } catch (error) { return false; } })"""
# The view in words under the map (app.py view_in_words), drawn with the rest of the page below the map.
_PAGE_WHOLE = "() => document.querySelector('.panj-summary') !== null"
NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"

# The names issue 20 found lying over event symbols, on the page and in figures: each must still be
# drawn, beside them.
NAMED_BESIDE_SYMBOLS = ("Khorugh", "Ayvoj border guard facility (planned)", "Ishkashim (Tajikistan)",
                        "Shaymak post (built by China)")



def open_select_list(page, select, block: str = "center") -> None:
    """Open ``select``'s list as a reader does: scrolled into view (``block``: where it comes to
    rest), the arrow key on it once focused. The browser tells a scroll on its next frame, and a
    scroll told after the list has opened closes it; so two frames pass before the focus, which
    makes no scroll of its own: the page may have moved the select since, and a click on it does
    not scroll either (docs/performance.md, "The first choice after a load")."""
    select.evaluate(f"select => select.scrollIntoView({{block: '{block}'}})", timeout=TIMEOUT_MS)
    page.evaluate(NEXT_FRAMES)
    select.evaluate("select => select.focus({preventScroll: true})", timeout=TIMEOUT_MS)
    page.keyboard.press("ArrowDown")

def symbol_reach(count: int, highlighted: bool) -> float:
    """How far an event symbol's drawing reaches from its point, in CSS pixels (docs/ARCHITECTURE.md,
    "Events in the browser"): one event is a 6 px symbol whose star reaches 1.3 radii, then half
    of a planned event's 2.5 px line on its outline and the 1.5 px dark edge outside that; a group
    is a ring of 11 (2-9 events), 13 (10-99) or 15 px with a 1 px rim; the highlighted one (a 9 px
    symbol when alone) has a 3 px ring 6 px outside it."""
    radius = (9 if highlighted else 6) if count == 1 else 11 if count < 10 else 13 if count < 100 else 15
    if highlighted:
        return radius + 6 + 1.5
    return radius * 1.3 + 2.5 / 2 + 1.5 if count == 1 else radius + 1


def is_local(url: str) -> bool:
    """Whether ``url`` stays on this machine (data: and blob: URLs never leave it)."""
    return url.startswith(("data:", "blob:", "about:")) or urlsplit(url).hostname in LOCAL_HOSTS


def map_frame(page):
    """The streamlit-folium frame, once its map reports ready and the page has drawn what lies below
    the map too (a session's first run draws the map alone, the next run the rest:
    docs/ARCHITECTURE.md, "The map first")."""
    page.locator("iframe").first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function(_ANY_FRAME_READY, timeout=TIMEOUT_MS)
    page.wait_for_function(_PAGE_WHOLE, timeout=TIMEOUT_MS)
    wait_until_idle(page)
    for _ in range(3):  # the map's frame may be replaced between the wait and the look (a remount)
        ready = [frame for frame in page.frames if _ready(frame)]
        if ready:
            return ready[0]
        page.wait_for_function(_ANY_FRAME_READY, timeout=TIMEOUT_MS)
    raise AssertionError("no map frame reported ready")


def wait_until_idle(page) -> None:
    """Until the page's script run has ended: a click on a component during a rerun may be lost
    when the rerun mounts it again."""
    page.wait_for_function("() => document.querySelector('[data-testid=\"stApp\"]')"
                           "?.dataset.testScriptState === 'notRunning'", timeout=TIMEOUT_MS)


def _ready(frame) -> bool:
    try:
        return frame.evaluate("() => Boolean(window.panjMap && window.panjMap.ready)")
    except Exception:  # a frame the page has just replaced (the map remounted): not this one
        return False


def count_text(page) -> tuple[int, int]:
    """The sidebar's "N of M events"."""
    text = page.get_by_text(COUNT).first
    text.wait_for(timeout=TIMEOUT_MS)
    shown, total = COUNT.search(text.inner_text()).groups()
    return int(shown), int(total)


# The events table is Streamlit's data grid: drawn on a canvas, with an accessible copy of the rows
# in view as an HTML table; a row is selected by clicking its row marker, left of the first column.
GRID = "[data-testid='stDataFrame']"
GRID_ROW_PX = 35  # the grid's header and each row
GRID_MARKER_X_PX = 15


def table_rows(page) -> list[dict[str, str]]:
    """The events table's rows in view, as {column: text} (the first of the page's grids)."""
    grid = page.locator(GRID).first
    grid.wait_for(timeout=TIMEOUT_MS)
    # The grid draws its accessible table after the grid itself: wait for its header row.
    page.wait_for_function(f"() => {{ const g = document.querySelector({GRID!r});"
                           " return g !== null && g.querySelector('table tr th') !== null; }", timeout=TIMEOUT_MS)
    return grid.evaluate("""g => {
        const rows = [...g.querySelectorAll('table tr')];
        const names = [...rows[0].querySelectorAll('th')].map(th => th.innerText.trim());
        return rows.slice(1).map(tr => Object.fromEntries(
            [...tr.querySelectorAll('td')].map((td, i) => [names[i], td.innerText.trim()])));
    }""")


def select_table_row(page, row: int) -> None:
    """Click the row marker of the events table's row ``row`` (from 0, among the page's rows)."""
    grid = page.locator(GRID).first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + GRID_MARKER_X_PX, box["y"] + GRID_ROW_PX * (row + 1) + GRID_ROW_PX / 2)


def links_and_images(frame) -> list[str]:
    """Every href and image source the frame's document holds, resolved."""
    return frame.evaluate(
        """() => [...document.querySelectorAll('a[href], img[src], image, [srcset]')]
                 .map(e => e.href && e.href.baseVal !== undefined ? e.href.baseVal : (e.href || e.src || e.srcset || ''))"""
    )
