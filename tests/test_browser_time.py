"""The sidebar's charts in real Chromium: dragging over a year of the histogram sets From/To and
filters the page; clicking an actor's row filters by that actor.

The expected counts come from the hand table below, read off layers/events/edm-v19-i92.json."""

from __future__ import annotations

import re

import pytest
from browsing import NEXT_FRAMES, TIMEOUT_MS, count_text, map_frame

pytestmark = pytest.mark.browser

TOTAL = 30
# Events whose dates allow some day of 2021, read off the events file by hand: (start or reported,
# as_of of an ongoing event). The histogram's 2021 bar: 4 dated within the year and 8 ongoing
# facts that reach beyond it.
EVENTS_IN_2021 = {
    "taliban-takeover": ("2021-08", None),
    "us-funds-ayvoj-post": ("2021-09-01", None),  # planned; reported on this day
    "china-shaymak-post": ("2021-10-29", None),  # reported on this day
    "tajikistan-backs-massoud": ("2021-11-01", "2022-06"),  # first reported on this day
    "russia-announces-border-post": ("2021-12-27", None),  # announced; reported on this day
    "russia-security-assistance": ("1991", "2022-06"),
    "russia-201st-stationed": ("1991", "2022-06"),
    "us-security-funding": ("2002", "2022-06"),
    "china-assists-tajikistan": ("2016", "2022-06"),
    "taliban-claims-calm": ("2021-08", "2022-06"),
    "tajikistan-demands-inclusive-government": ("2021-09-10", "2022-06"),
    "gbao-protests": ("2021-11", "2022-06"),
}
# Events with Russia among their actors.
RUSSIA_EVENTS = ["russia-security-assistance", "russia-201st-stationed", "russia-announces-border-post",
                 "majlisi-oli-russian-grant", "russia-201st-strength"]


def _sidebar_chart(page, position: int):
    """The sidebar's ``position``-th chart (0: the histogram, 1: actors, 2: event types)."""
    chart = page.locator("[data-testid=stSidebar] [data-testid=stVegaLiteChart]").nth(position)
    chart.wait_for(timeout=TIMEOUT_MS)
    chart.scroll_into_view_if_needed()
    return chart


def _tooltip(page) -> str:
    tooltip = page.locator("#vg-tooltip-element")
    return tooltip.inner_text() if tooltip.count() and tooltip.is_visible() else ""


def _find(page, points, wanted: str) -> tuple[float, float]:
    """The first of ``points`` whose tooltip has a cell reading ``wanted``."""
    for x, y in points:
        page.mouse.move(x, y)
        page.evaluate(NEXT_FRAMES)  # the chart answers the move within a frame
        if wanted in [cell.strip() for cell in re.split(r"[\t\n]", _tooltip(page))]:
            return x, y
    raise AssertionError(f"no point of the chart shows a tooltip with {wanted!r}")


def _wait_for_count(page, expected: int) -> None:
    page.wait_for_function(
        "n => [...document.querySelectorAll('[data-testid=stSidebar] p')].some(p => p.innerText.startsWith(n + ' of '))",
        arg=expected, timeout=TIMEOUT_MS)


def test_dragging_over_a_year_sets_from_to_and_filters(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    map_frame(page)
    assert count_text(page) == (TOTAL, TOTAL)
    box = _sidebar_chart(page, 0).bounding_box()
    # The 2021 bar is the second from the right and 12 events tall: scan leftwards near its foot.
    foot = box["y"] + box["height"] * 0.55
    x, y = _find(page, [(box["x"] + box["width"] - step, foot) for step in range(2, int(box["width"]), 1)],
                 "2021")
    page.mouse.move(x - 1, y)
    page.mouse.down()
    page.mouse.move(x + 1, y, steps=4)
    page.mouse.up()
    _wait_for_count(page, len(EVENTS_IN_2021))
    assert count_text(page) == (len(EVENTS_IN_2021), TOTAL)
    assert page.get_by_role("textbox", name="From", exact=True).input_value() == "2021"
    assert page.get_by_role("textbox", name="To", exact=True).input_value() == "2021"
    page.wait_for_function("() => window.location.search.includes('from=2021-01-01')"
                           " && window.location.search.includes('to=2021-12-31')", timeout=TIMEOUT_MS)


def test_clicking_an_actor_row_filters_by_that_actor(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    map_frame(page)
    box = _sidebar_chart(page, 1).bounding_box()
    x = box["x"] + box["width"] * 0.75
    x, y = _find(page, [(x, box["y"] + step) for step in range(2, int(box["height"]), 3)], "Russia")
    page.mouse.click(x, y)
    _wait_for_count(page, len(RUSSIA_EVENTS))
    assert count_text(page) == (len(RUSSIA_EVENTS), TOTAL)
    # The page writes its URL after the rerun that changed the count.
    page.wait_for_function("() => window.location.search.includes('actor=russia')", timeout=TIMEOUT_MS)
