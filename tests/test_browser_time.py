"""The sidebar's charts in real Chromium: dragging over a year of the histogram sets From/To and
filters the page, and moves the shading of the chosen dates; "Clear dates" clears them, the
shading and the URL's dates with them; clicking an actor's row filters by that actor.

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
# Every event allowing a day of 2020 runs on into 2021 (begun in 1991, 2002 or 2016).
EVENTS_IN_2020 = ["russia-security-assistance", "russia-201st-stationed", "us-security-funding",
                  "china-assists-tajikistan"]
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
    # The 2021 bar is the second from the right.
    _drag_over(page, "2021")
    _wait_for_count(page, len(EVENTS_IN_2021))
    assert count_text(page) == (len(EVENTS_IN_2021), TOTAL)
    assert page.get_by_role("textbox", name="From", exact=True).input_value() == "2021"
    assert page.get_by_role("textbox", name="To", exact=True).input_value() == "2021"
    page.wait_for_function("() => window.location.search.includes('from=2021-01-01')"
                           " && window.location.search.includes('to=2021-12-31')", timeout=TIMEOUT_MS)


def _wait_for_dates(page, first: str, last: str) -> None:
    """Until the From and To boxes read ``first`` and ``last`` (a rerun redraws them one by one)."""
    page.wait_for_function(
        "([f, t]) => { const box = n => document.querySelector(`[data-testid=stSidebar] input[aria-label='${n}']`);"
        " return box('From') && box('From').value === f && box('To').value === t; }",
        arg=[first, last], timeout=TIMEOUT_MS)


def _shaded_years(page) -> list[str]:
    """The histogram's columns whose middle lies in the shading of the chosen dates, by year."""
    return _sidebar_chart(page, 0).evaluate("""chart => {
        const shade = chart.querySelector('.chosen_marks path');
        if (!shade) return [];
        const box = shade.getBoundingClientRect();
        return [...chart.querySelectorAll('path[role=button]')].filter(column => {
            const b = column.getBoundingClientRect(), middle = b.left + b.width / 2;
            return middle > box.left && middle < box.right;
        }).map(column => column.getAttribute('aria-label').split(':')[0]);
    }""")


def _drag_over(page, year: str) -> None:
    """A mouse's short drag inside the histogram's bar of ``year``."""
    box = _sidebar_chart(page, 0).bounding_box()
    foot = box["y"] + box["height"] * 0.55
    x, y = _find(page, [(box["x"] + box["width"] - step, foot) for step in range(2, int(box["width"]), 1)], year)
    page.mouse.move(x - 1, y)
    page.mouse.down()
    page.mouse.move(x + 1, y, steps=4)
    page.mouse.up()


def test_dragging_moves_the_chosen_dates_and_clear_dates_clears_them(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none&from=2021&to=2021")
    map_frame(page)
    assert count_text(page) == (len(EVENTS_IN_2021), TOTAL)
    _wait_for_dates(page, "2021", "2021")
    page.wait_for_function("() => document.querySelector('[data-testid=stSidebar] .chosen_marks path') !== null",
                           timeout=TIMEOUT_MS)
    assert _shaded_years(page) == ["2021"]
    # A drag over 2020 replaces the range: its events, its dates, its shading.
    _drag_over(page, "2020")
    _wait_for_count(page, len(EVENTS_IN_2020))
    _wait_for_dates(page, "2020", "2020")
    page.wait_for_function("() => window.location.search.includes('from=2020-01-01')"
                           " && window.location.search.includes('to=2020-12-31')", timeout=TIMEOUT_MS)
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stSidebar] path[role=button]')]"
                           ".some(c => c.getAttribute('aria-label').startsWith('2020:')"
                           " && c.getAttribute('aria-label').endsWith(', chosen'))", timeout=TIMEOUT_MS)
    assert _shaded_years(page) == ["2020"]
    # The mouse on "Clear dates": every event, empty boxes, no dates in the URL, nothing shaded.
    clear = page.get_by_role("button", name="Clear dates")
    clear.scroll_into_view_if_needed()
    box = clear.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    _wait_for_count(page, TOTAL)
    _wait_for_dates(page, "", "")
    page.wait_for_function("() => !window.location.search.includes('from=')"
                           " && !window.location.search.includes('to=')", timeout=TIMEOUT_MS)
    page.wait_for_function("() => document.querySelector('[data-testid=stSidebar] .chosen_marks') === null",
                           timeout=TIMEOUT_MS)
    assert page.get_by_role("button", name="Clear dates").count() == 0


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
