"""Search on the page, in Chromium: a search that shows no event says what would, a place of that
spelling with the events nearest it, or the filter hiding what the words match."""

from __future__ import annotations

import pytest
from browsing import TIMEOUT_MS, count_text, map_frame

pytestmark = pytest.mark.browser

SEARCH = "Search titles and summaries"


def _help_text(page) -> str:
    """The sidebar's notice under the search box."""
    notice = page.locator("[data-testid='stSidebar'] [data-testid='stAlert']").first
    notice.wait_for(timeout=TIMEOUT_MS)
    return notice.inner_text()


def test_khorog_names_khorugh_and_the_events_whose_areas_hold_it(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    map_frame(page)
    search = page.get_by_label(SEARCH)
    search.fill("Khorog")
    search.press("Enter")
    page.wait_for_function("() => /(^|\\D)0 of 30 events/.test(document.body.innerText)", timeout=TIMEOUT_MS)
    assert count_text(page) == (0, 30)
    # layers/aliases.json: Khorog is another spelling of Khorugh (places layer). No event is placed
    # at Khorugh; by hand from layers/events/: 6 events are GBAO-wide and 8 Tajikistan-wide.
    text = _help_text(page)
    assert "“Khorog” is another spelling of Khorugh, a place on the map, but no event is placed there." in text
    assert "Gorno-Badakhshan Autonomous Region (6 events, its area holds Khorugh)" in text
    assert "Tajikistan (8 events, its area holds Khorugh)" in text


def test_a_search_hidden_by_the_dates_says_so(page, app_url) -> None:
    # Chuianzoda's mission to Kabul, 14 May 2022, is the one event naming him; dates up to 2021 hide it.
    page.goto(f"{app_url}/?basemap=none&to=2021&q=Chuianzoda")
    map_frame(page)
    assert "1 event matches “Chuianzoda” but the date filter hides it." in _help_text(page)
