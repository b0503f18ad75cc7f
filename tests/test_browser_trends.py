"""The frontier coloured by change on the page, in real Chromium: ticking the trends panel's
choice draws the segments over the frontier in their level's colour, with the legend rows of the
levels drawn.

On tests/fixtures/layers-hostile (see tests/test_app_trends.py): the frontier runs from 67°E to
75°E on 37°N, about 712 km, so 15 segments of 50 km; its one event near the frontier, at Khorugh
in May 2022, is 54 km from it. From January 2022, May is measured against January to April with
no event: one event after a norm of 0 is too few to call a change, so every segment is limited."""

from __future__ import annotations

import pytest
from browsing import TIMEOUT_MS, map_frame

pytestmark = pytest.mark.browser

DRAWN = "() => window.panjMap.ready && window.panjMap.frontierChange.segments > 0"


def test_ticking_the_choice_colours_the_frontier(page, hostile_app_url) -> None:
    page.goto(f"{hostile_app_url}/?from=2022-01-01&basemap=none", timeout=TIMEOUT_MS)
    frame = map_frame(page)
    assert frame.evaluate("() => window.panjMap.frontierChange.segments") == 0
    assert frame.locator("[data-panj-legend-change]:not([hidden])").count() == 0
    page.get_by_text("Change along the frontier").first.click()
    within = page.get_by_label("Count events within (km)")
    within.fill("60")
    within.press("Enter")
    page.get_by_text("Colour the frontier by change").click()
    page.wait_for_function("() => [...document.querySelectorAll('iframe')].some(f => f.contentWindow.panjMap && "
                           "f.contentWindow.panjMap.ready && f.contentWindow.panjMap.frontierChange.segments > 0)",
                           timeout=TIMEOUT_MS)
    frame = map_frame(page)
    frame.wait_for_function(DRAWN, timeout=TIMEOUT_MS)
    assert frame.evaluate("() => window.panjMap.frontierChange") == {"segments": 15, "levels": {"limited": 15}}
    assert frame.locator("path.panj-change-limited").count() == 15
    assert frame.locator("path.panj-change-limited").first.get_attribute("stroke") == "#999999"
    shown = frame.locator("[data-panj-legend-change]:not([hidden])")
    assert [shown.nth(i).inner_text().strip() for i in range(shown.count())] == ["Limited change"]
