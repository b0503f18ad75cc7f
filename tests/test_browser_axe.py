"""axe-core (the axe-playwright-python package, its own copy of axe-core) on the page in Chromium:
no critical or serious violation of WCAG 2.2 A/AA on the opening page, a filtered page, the
presenter view and the phone size, in the page's document and in the map's frame; and what the page
announces through its live region: the view after a filter changes, the event a step moves to."""

from __future__ import annotations

import pytest
from browsing import COUNT, TIMEOUT_MS, map_frame
from expected import SCENE_EVENTS

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("critical", "serious")
PAGES = {
    "opening": ("/?basemap=none", {"width": 1400, "height": 900}, False),
    "filtered": ("/?basemap=none&region=gbao&from=2022-05&to=2022-06", {"width": 1400, "height": 900}, False),
    "presenter": ("/?basemap=none&scene=gbao-unrest&presenter=1", {"width": 1280, "height": 720}, False),
    "phone": ("/?basemap=none", {"width": 390, "height": 844}, True),
}


def _blocking(frame) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(frame, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                        "resultTypes": ["violations"]})
    return [f"{violation['id']} ({violation['impact']}): "
            + "; ".join(node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
                        for node in violation["nodes"][:5])
            for violation in results.response["violations"] if violation["impact"] in BLOCKING]


@pytest.mark.parametrize("name", list(PAGES))
def test_no_critical_or_serious_violation(browser, app_url, name: str) -> None:
    path, viewport, mobile = PAGES[name]
    context = browser.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile)
    page = context.new_page()
    try:
        page.goto(app_url + path)
        frame = map_frame(page)
        # The whole page drawn: the count (hidden in presenter view) and the table under the map.
        page.get_by_text(COUNT).first.wait_for(state="attached", timeout=TIMEOUT_MS)
        page.wait_for_selector("[data-testid='stDataFrame']", state="attached", timeout=TIMEOUT_MS)
        assert _blocking(page) == [], name
        assert _blocking(frame) == [], name
    finally:
        context.close()


def test_the_live_region_announces_the_view_after_a_filter_change(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    map_frame(page)
    live = page.locator("#panj-live")
    assert live.get_attribute("aria-live") == "polite" and live.get_attribute("role") == "status"
    page.wait_for_function("() => document.getElementById('panj-live').textContent.startsWith('Showing 30 of 30 events')",
                           timeout=TIMEOUT_MS)
    search = page.get_by_label("Search titles and summaries")
    search.fill("Chuianzoda")  # by hand: one event names him, his mission to Kabul on 14 May 2022
    search.press("Enter")
    page.wait_for_function("() => document.getElementById('panj-live').textContent.startsWith('Showing 1 of 30')",
                           timeout=TIMEOUT_MS)
    assert live.inner_text() == page.locator(".panj-summary").inner_text()
    assert "May 2022. By type: 1 diplomacy." in live.text_content()
    assert page.locator("#panj-live").count() == 1  # one region for the page's life, not one per rerun


# The GBAO scene's first two events in date order (tests/expected.py), titled as in
# layers/events/edm-v19-i92.json.
GBAO_STEPS = [("gbao-protests", "Sporadic protests in GBAO since November 2021"),
              ("gbao-counterterrorism-operation", "Interior Ministry launches a 'counter-terrorism operation' in GBAO")]


def test_the_live_region_announces_the_event_a_step_moves_to(page, app_url) -> None:
    """Previous and Next keep the focus on themselves, so the step's event is announced."""
    assert [event_id for event_id, _ in GBAO_STEPS] == SCENE_EVENTS["gbao-unrest"][:2]
    page.goto(f"{app_url}/?basemap=none&scene=gbao-unrest")
    map_frame(page)
    page.wait_for_function("() => document.getElementById('panj-live').textContent.startsWith('Showing 5 of 30')",
                           timeout=TIMEOUT_MS)
    following = page.get_by_role("button", name="Next ▶")
    following.focus()
    for _, title in GBAO_STEPS:
        page.keyboard.press("Enter")
        page.wait_for_function("(title) => document.getElementById('panj-live').textContent.startsWith(title + '.')",
                               arg=title, timeout=TIMEOUT_MS)
        # The caption's date, where and summary follow the title; the view's sentence, unchanged, is not said again.
        caption = page.locator(".panj-caption")
        assert page.locator("#panj-live").text_content().startswith(f"{title}. {caption.locator('.panj-caption-date').inner_text()}")
        assert "Showing" not in page.locator("#panj-live").text_content()
    page.get_by_role("button", name="◀ Previous").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("(title) => document.getElementById('panj-live').textContent.startsWith(title + '.')",
                           arg=GBAO_STEPS[0][1], timeout=TIMEOUT_MS)
