"""Clicking the map as readers do, on a laptop (1366x768, a mouse) and a phone (390x844, a finger),
with the map only partly in view: the first click or tap on a group opens its list and leaves the
page where it was; an open list stays clear of the map's controls and of Streamlit's header;
"Fit to events" keeps every symbol out from under the open legend; and on a phone the Scene
select, the playback's controls and "Fit to events" sit together.

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
# name: (viewport, a phone: touch and tap)
DEVICES = {"laptop": ((1366, 768), False), "phone": ((390, 844), True)}
# The page scrolled by this much more than needed to bring the map's top to the window's top.
PAST_THE_TOP = 120


@pytest.fixture(params=list(DEVICES))
def device(request, browser):
    """A page at a device's size, with its pointer: (page, whether it taps)."""
    (width, height), touch = DEVICES[request.param]
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


def _scroll_map_top_to(page, y: float) -> None:
    """Scroll the page until the map's top is at ``y`` in the window."""
    page.evaluate(f"""(y) => {{ const main = document.querySelector('[data-testid="stMain"]');
                                main.scrollTop += document.querySelector("{IFRAME}").getBoundingClientRect().top - y; }}""",
                  y)


# The page at its top (a laptop's window cuts the map's bottom off) or scrolled so the map's top
# is above the window; a phone shows the whole map at the page's top, so only the second.
@pytest.mark.parametrize(("device", "cut"), [("laptop", "bottom"), ("laptop", "top"), ("phone", "top")],
                         indirect=["device"])
def test_the_first_click_or_tap_opens_a_group_and_the_page_stays(device, cut, app_url) -> None:
    page, touch = device
    page.goto(f"{app_url}/?basemap=none")
    frame = map_frame(page)
    if cut == "top":
        _scroll_map_top_to(page, -PAST_THE_TOP)
    height = page.viewport_size["height"]
    box = page.locator(IFRAME).bounding_box()
    # The map is partly out of the window, as on most laptops.
    assert box["y"] < 0 if cut == "top" else box["y"] + box["height"] > height
    top = page.evaluate(HEADER_BOTTOM)
    # A group of several events whose symbol is in view, clear of the window's edges and the header.
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


# Waits until an open popup has stopped moving (Leaflet pans the map, animated, to show it).
POPUP_SETTLED = """async () => {
    const frames = () => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
    const place = () => JSON.stringify(document.querySelector('.leaflet-popup').getBoundingClientRect());
    for (let last = null, now = place(); now !== last; last = now, now = place()) { await frames(); }
}"""
BOX = "e => { const r = e.getBoundingClientRect(); return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; }"
# What a reader must see of a group's list: its count, its first row, its close button.
POPUP_PARTS = (".leaflet-popup .panj-popup-count", ".leaflet-popup .panj-popup-row", ".leaflet-popup-close-button")
PLACES = ("top-left", "top-right", "under-the-header")


def _shifted(box: dict, dx: float, dy: float) -> dict:
    return {"left": box["left"] + dx, "right": box["right"] + dx, "top": box["top"] + dy, "bottom": box["bottom"] + dy}


def _overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


@pytest.mark.parametrize("place", PLACES)
def test_an_open_list_is_clear_of_the_controls_and_the_header(device, app_url, place) -> None:
    page, touch = device
    page.goto(f"{app_url}/?basemap=none")
    frame = map_frame(page)
    if place == "under-the-header":  # the reader scrolled the map's top under Streamlit's header
        _scroll_map_top_to(page, 0)
    frame_box = page.locator(IFRAME).bounding_box()
    header = page.evaluate(HEADER_BOTTOM)
    zoom = frame.locator(".leaflet-control-zoom").evaluate(BOX)
    legend = frame.locator("#panj-legend").evaluate(BOX)
    width = frame.evaluate("() => window.panjMap.map.getSize().x")
    # Where the group is put, in the map's pixels: just right of the zoom buttons, just left of the
    # legend, or in the middle just below the header.
    target = {"top-left": (zoom["right"] + 24, 40), "top-right": (legend["left"] - 24, 40),
              "under-the-header": (width / 2, header - frame_box["y"] + 40)}[place]
    group = max(frame.evaluate("() => window.panjMap.groups()"), key=lambda group: len(group["ids"]))
    frame.evaluate("([dx, dy]) => window.panjMap.map.panBy([dx, dy], {animate: false})",
                   [group["x"] - target[0], group["y"] - target[1]])
    [moved] = [other for other in frame.evaluate("() => window.panjMap.groups()") if other["ids"] == group["ids"]]

    _press(page, touch, frame_box["x"] + moved["x"], frame_box["y"] + moved["y"])

    frame.wait_for_function(f"(n) => ({LIST_ROWS})().length === n", arg=len(group["ids"]), timeout=TIMEOUT_MS)
    frame.evaluate(POPUP_SETTLED)
    frame_box = page.locator(IFRAME).bounding_box()
    parts = {selector: _shifted(frame.locator(selector).first.evaluate(BOX), frame_box["x"], frame_box["y"])
             for selector in POPUP_PARTS}
    controls = [_shifted(box, frame_box["x"], frame_box["y"])
                for box in frame.evaluate(f"() => [...document.querySelectorAll('.leaflet-control')].map({BOX})")]
    assert len(controls) == 4  # zoom, legend, scale bar, credits
    covers = controls + [{"left": 0, "right": page.viewport_size["width"], "top": -1e6, "bottom": header}]
    window = {"left": 0, "top": 0, "right": page.viewport_size["width"], "bottom": page.viewport_size["height"]}
    for selector, part in parts.items():
        assert [cover for cover in covers if _overlap(part, cover)] == [], selector
        assert window["top"] <= part["top"] and part["bottom"] <= window["bottom"], selector
        assert frame_box["x"] <= part["left"] and part["right"] <= frame_box["x"] + frame_box["width"], selector


ALL_IN_VIEW = """() => { const inside = window.panjMap.groups().reduce((n, g) => n + g.ids.length, 0);
                         return inside > 0 && inside === window.panjMap.eventsDrawn; }"""


def test_fit_to_events_keeps_every_symbol_out_from_under_the_open_legend(browser, app_url) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        page.goto(f"{app_url}/?basemap=none")
        frame = map_frame(page)
        assert frame.locator(".panj-legend-body").is_visible()  # open on a laptop
        frame.evaluate("() => window.panjMap.map.setView([30.0, 60.0], 10, {animate: false})")  # far from every event
        assert frame.evaluate(ALL_IN_VIEW) is False
        page.get_by_role("button", name="Fit to events").click()
        frame.wait_for_function(ALL_IN_VIEW, timeout=TIMEOUT_MS)
        frame.evaluate(NEXT_FRAMES)
        legend = frame.locator("#panj-legend").evaluate(BOX)
        container = frame.locator(".leaflet-container").evaluate(BOX)
        points = [(container["left"] + group["x"], container["top"] + group["y"])
                  for group in frame.evaluate("() => window.panjMap.groups()")]
        under = [(x, y) for x, y in points if legend["left"] <= x <= legend["right"] and legend["top"] <= y <= legend["bottom"]]
        assert under == []
    finally:
        context.close()


def test_scene_and_fit_to_events_sit_together_on_a_phone(browser, app_url) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(f"{app_url}/?basemap=none")
        map_frame(page)
        # Scene, then the playback's controls, then "Fit to events": no blank between them.
        scene = page.locator(".st-key-w_scene").bounding_box()
        playback = page.locator(".st-key-panj-playback").bounding_box()
        fit = page.get_by_role("button", name="Fit to events").bounding_box()
        assert 0 <= playback["y"] - (scene["y"] + scene["height"]) < 24
        assert 0 <= fit["y"] - (playback["y"] + playback["height"]) < 24
    finally:
        context.close()
