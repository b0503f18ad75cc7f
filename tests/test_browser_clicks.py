"""Clicking the map as readers do, on a laptop (1366x768, a mouse) and a phone (390x844, a finger),
with the map only partly in view: the first click or tap on a group opens its list and leaves the
page where it was.

Clicks are real pointer events at page coordinates (not Playwright's element clicks, which scroll
the element into view first and so would hide a page that moves under the pointer). Where the
groups lie comes from the runtime (``window.panjMap.groups()``); every box is read from the DOM."""

from __future__ import annotations

import pytest
from browsing import NEXT_FRAMES, TIMEOUT_MS, map_frame

pytestmark = pytest.mark.browser

IFRAME = "iframe[title='streamlit_folium.st_folium']"
# Where the page scrolls: Streamlit's main area, or (on some phones) the document itself.
PAGE_SCROLL = """() => [document.querySelector('[data-testid="stMain"]').scrollTop,
                        document.scrollingElement.scrollTop]"""
HEADER_BOTTOM = """() => { const h = document.querySelector('[data-testid="stHeader"]');
                           return h ? Math.max(0, h.getBoundingClientRect().bottom) : 0; }"""
LIST_ROWS = "() => [...document.querySelectorAll('.leaflet-popup .panj-popup-row')].map(b => b.dataset.eventId)"
# (name, viewport, a phone: touch and tap)
DEVICES = [("laptop", (1366, 768), False), ("phone", (390, 844), True)]


@pytest.fixture(params=DEVICES, ids=[name for name, _, _ in DEVICES])
def device(request, browser):
    """A page at a device's size, with its pointer: (page, whether it taps)."""
    _, (width, height), touch = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=touch, is_mobile=touch)
    try:
        yield context.new_page(), touch
    finally:
        context.close()


def _press(page, touch: bool, x: float, y: float) -> None:
    """One click, or one tap, at page coordinates."""
    if touch:
        page.touchscreen.tap(x, y)
    else:
        page.mouse.click(x, y)


def test_the_first_click_or_tap_opens_a_group_and_the_page_stays(device, app_url) -> None:
    page, touch = device
    page.goto(f"{app_url}/?basemap=none")
    frame = map_frame(page)
    height = page.viewport_size["height"]
    box = page.locator(IFRAME).bounding_box()
    assert box["y"] + box["height"] > height  # the map's bottom is out of view: the case readers meet
    top = page.evaluate(HEADER_BOTTOM)
    # A group of several events whose symbol is in view, clear of the window's edges.
    groups = [group for group in frame.evaluate("() => window.panjMap.groups()") if len(group["ids"]) > 1
              and top + 20 < box["y"] + group["y"] < height - 20 and 20 < box["x"] + group["x"] < box["x"] + box["width"] - 20]
    assert groups
    group = max(groups, key=lambda group: len(group["ids"]))
    scrolled = page.evaluate(PAGE_SCROLL)

    _press(page, touch, box["x"] + group["x"], box["y"] + group["y"])

    frame.wait_for_function(f"(n) => ({LIST_ROWS})().length === n", arg=len(group["ids"]), timeout=TIMEOUT_MS)
    assert sorted(frame.evaluate(LIST_ROWS)) == sorted(group["ids"])
    frame.evaluate(NEXT_FRAMES)
    assert page.evaluate(PAGE_SCROLL) == scrolled
    assert page.locator(IFRAME).bounding_box()["y"] == box["y"]
