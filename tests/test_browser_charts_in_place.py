"""The sidebar's charts in real Chromium keep their drawing when a filter elsewhere changes their
data (Streamlit updates the Vega view's data in place: docs/ARCHITECTURE.md, "The sidebar's charts
in place"), and a click on the same actor's row still toggles it on, then off.

The expected counts come from hand tables read off layers/events/edm-v19-i92.json (the same as
tests/test_browser_time.py's)."""

from __future__ import annotations

import pytest
from browsing import TIMEOUT_MS, count_text, map_frame, wait_until_idle

pytestmark = pytest.mark.browser

TOTAL = 30
# Events whose dates allow some day of 2021 (tests/test_browser_time.py, EVENTS_IN_2021).
IN_2021 = 12
# Those of them with Russia among their actors: russia-security-assistance, russia-201st-stationed
# (both 1991 to 2022-06) and russia-announces-border-post (2021-12-27).
RUSSIA_IN_2021 = 3
CHARTS = "[data-testid=stSidebar] [data-testid=stVegaLiteChart]"
HISTOGRAM, ACTORS, TYPES = 0, 1, 2

# Each chart's drawing (the SVG Vega renders into) given a property of ours: a chart drawn anew
# has a new SVG without it.
MARK = """([charts, positions]) => positions.forEach(
    position => { document.querySelectorAll(charts)[position].querySelector('svg').panjMarked = true; })"""
MARKED = """([charts, position]) => Boolean(document.querySelectorAll(charts)[position].querySelector('svg').panjMarked)"""
# The name of a chart's mark (a row or a column) that starts with ``prefix``, else null.
NAMED = """([charts, position, prefix]) => {
    const chart = document.querySelectorAll(charts)[position];
    const mark = chart && [...chart.querySelectorAll('path[role=button]')]
        .find(m => (m.getAttribute('aria-label') || '').startsWith(prefix));
    return mark ? mark.getAttribute('aria-label') : null;
}"""


def _charts_drawn(page) -> None:
    page.wait_for_function("charts => { const all = document.querySelectorAll(charts); return all.length === 3 && "
                           "[...all].every(chart => chart.querySelector('path[role=button]') !== null); }",
                           arg=CHARTS, timeout=TIMEOUT_MS)


def _wait_for_count(page, expected: int) -> None:
    page.wait_for_function(
        "n => [...document.querySelectorAll('[data-testid=stSidebar] p')].some(p => p.innerText.startsWith(n + ' of '))",
        arg=expected, timeout=TIMEOUT_MS)
    wait_until_idle(page)


def _wait_for_name(page, position: int, name: str) -> None:
    """Until the chart at ``position`` has a mark named ``name``."""
    page.wait_for_function(f"args => ({NAMED})(args) === args[3]", arg=[CHARTS, position, name.split(":")[0], name],
                           timeout=TIMEOUT_MS)


def _click_row(page, prefix: str) -> None:
    """A mouse's click in the middle of the actors chart's row whose name starts with ``prefix``."""
    row = page.locator(CHARTS).nth(ACTORS).locator(f"path[role=button][aria-label^='{prefix}']")
    row.scroll_into_view_if_needed(timeout=TIMEOUT_MS)
    box = row.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def _search(page, words: str) -> None:
    box = page.get_by_label("Search titles and summaries")
    box.fill(words, timeout=TIMEOUT_MS)
    box.press("Enter")


def _names(page, position: int) -> list[str]:
    return page.evaluate("([charts, position]) => [...document.querySelectorAll(charts)[position]"
                         ".querySelectorAll('path[role=button]')].map(m => m.getAttribute('aria-label'))",
                         [CHARTS, position])


def test_a_filter_elsewhere_keeps_each_chart_and_a_row_still_toggles(page, app_url) -> None:
    # The dates from the link: "Clear dates" is drawn from the start (an element drawn above the
    # charts later would move them in the sidebar, and Streamlit would mount them again).
    page.goto(f"{app_url}/?basemap=none&from=2021&to=2021")
    map_frame(page)
    _charts_drawn(page)
    assert count_text(page) == (IN_2021, TOTAL)
    _wait_for_name(page, ACTORS, f"Russia: {RUSSIA_IN_2021} events")
    # A search, elsewhere for every chart: new counts in the same drawings. It is the first run
    # after the page's: Streamlit sends each chart's first, empty value with it, which must not
    # count as a selection.
    actors = _names(page, ACTORS)
    page.evaluate(MARK, [CHARTS, [HISTOGRAM, ACTORS, TYPES]])
    _search(page, "russia")
    page.wait_for_function("n => [...document.querySelectorAll('[data-testid=stSidebar] p')].some(p => "
                           "/^\\d+ of /.test(p.innerText) && !p.innerText.startsWith(n + ' of '))",
                           arg=IN_2021, timeout=TIMEOUT_MS)
    page.wait_for_function("([charts, position, before]) => JSON.stringify([...document.querySelectorAll(charts)"
                           "[position].querySelectorAll('path[role=button]')].map(m => m.getAttribute('aria-label')))"
                           " !== JSON.stringify(before)", arg=[CHARTS, ACTORS, actors], timeout=TIMEOUT_MS)
    wait_until_idle(page)
    assert count_text(page)[0] < IN_2021
    assert all(page.evaluate(MARKED, [CHARTS, position]) for position in (HISTOGRAM, ACTORS, TYPES))
    _search(page, "")
    _wait_for_count(page, IN_2021)
    _wait_for_name(page, ACTORS, f"Russia: {RUSSIA_IN_2021} events")
    assert all(page.evaluate(MARKED, [CHARTS, position]) for position in (HISTOGRAM, ACTORS, TYPES))
    histogram, types = _names(page, HISTOGRAM), _names(page, TYPES)
    page.evaluate(MARK, [CHARTS, [HISTOGRAM, ACTORS, TYPES]])
    # A click on Russia's row chooses Russia: the histogram's and the types' counts change, their
    # drawings stay; the actors' chart is drawn anew, holding no selection.
    _click_row(page, "Russia:")
    _wait_for_count(page, RUSSIA_IN_2021)
    assert count_text(page) == (RUSSIA_IN_2021, TOTAL)
    page.wait_for_function("() => window.location.search.includes('actor=russia')", timeout=TIMEOUT_MS)
    _wait_for_name(page, ACTORS, f"Russia: {RUSSIA_IN_2021} events, chosen")
    assert _names(page, HISTOGRAM) != histogram and _names(page, TYPES) != types
    assert page.evaluate(MARKED, [CHARTS, HISTOGRAM]) and page.evaluate(MARKED, [CHARTS, TYPES])
    assert not page.evaluate(MARKED, [CHARTS, ACTORS])
    # The same row clicked again takes Russia off: every event of 2021 again.
    _click_row(page, "Russia:")
    _wait_for_count(page, IN_2021)
    assert count_text(page) == (IN_2021, TOTAL)
    page.wait_for_function("() => !window.location.search.includes('actor=')", timeout=TIMEOUT_MS)
    _wait_for_name(page, ACTORS, f"Russia: {RUSSIA_IN_2021} events")
