"""A reader's first choice of an event type takes, even when the sidebar's charts above the select
are drawn while its list is open (docs/performance.md, "The first choice after a load").

A session's first run leaves the charts' places empty and the run after it fills them
(app.py, "the map first"); Vega then draws each chart in the browser's own time, after the run has
ended. A list open in a sidebar scrolled down to the select must stay open through that, and the
option clicked must be chosen. The reader opens the list as soon as the select is on the page,
so the charts are drawn above it while it is open on every load."""

from __future__ import annotations

import pytest
from browsing import NEXT_FRAMES, TIMEOUT_MS, count_text, map_frame, open_select_list

pytestmark = pytest.mark.browser

LOADS = 3  # new sessions, each with its own first load and first choice
# Short enough that the sidebar scrolls to bring the select to its top, as a reader on a laptop does.
VIEWPORT = {"width": 1400, "height": 600}
CHARTS = "[data-testid=stSidebar] [data-testid=stVegaLiteChart]"
CHART_COUNT = 3  # the histogram, the actors' and the event types' bars
_CHARTS_DRAWN = """([charts, count]) => { const all = document.querySelectorAll(charts);
    return all.length === count && [...all].every(chart => chart.querySelector('path[role=button]') !== null); }"""


def _first_choice(browser, app_url: str) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"{app_url}/?basemap=none", timeout=TIMEOUT_MS)
        before = count_text(page)[0]
        choice = page.get_by_role("combobox", name="Event types")
        # The open list's first option is "Select all" (its key starts with "__").
        option = page.locator("[role=listbox] [role=option][aria-selected=false]:not([data-key^='__'])").first
        open_select_list(page, choice, block="start")  # the sidebar scrolled down to the select
        option.wait_for(timeout=TIMEOUT_MS)
        # The whole page, then every chart drawn above and below the select, and a frame after
        # the last for what their drawing moved.
        map_frame(page)
        page.wait_for_function(_CHARTS_DRAWN, arg=[CHARTS, CHART_COUNT], timeout=TIMEOUT_MS)
        page.evaluate(NEXT_FRAMES)
        assert option.is_visible(), "the event types' list closed while the sidebar's charts were drawn"
        option.click(timeout=TIMEOUT_MS)
        page.wait_for_function("(before) => !document.body.innerText.includes(`${before} of `)", arg=before,
                               timeout=TIMEOUT_MS)
        assert count_text(page)[0] < before
    finally:
        context.close()


def test_a_first_choice_takes_while_the_charts_are_drawn(browser, app_url) -> None:
    for _ in range(LOADS):
        _first_choice(browser, app_url)
