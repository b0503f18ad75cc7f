"""Presenter view at 1280x720 in Chromium: for every step of every shipped scene, the highlighted
event is on the map and clear of the floating caption and of the legend (folded by default); a
country-wide step outlines its country and its caption says so and where the event stands in its
group; a single-place step shows its neighbours' scale; the ring is large enough for a projector."""

from __future__ import annotations

import json
import math

import pytest
from browsing import NEXT_FRAMES, TIMEOUT_MS, map_frame
from expected import SCENE_EVENTS, TOTAL_EVENTS
from shapely.geometry import shape

from geo.layers import LAYERS_DIR

pytestmark = pytest.mark.browser

RING_PX = 21  # the highlight ring's radius (3.5 symbol radii): all of it must be clear
SYMBOL_PX = 6  # a single event's symbol radius, as the legend draws it
MIN_VIEW_KM = 300  # a single-place step's view spans at least this, both ways
KM_PER_DEGREE = 111.195  # of latitude on the mean sphere
PRESENTER = {"width": 1280, "height": 720}
WAIT_STEP = """([previous, titles]) => { const f = [...document.querySelectorAll('iframe')].find(f => f.contentWindow.panjMap);
    const p = f && f.contentWindow.panjMap; const h = document.querySelector('.panj-caption h3');
    return p && p.ready && p.highlight && p.highlight !== previous && h && h.textContent === titles[p.highlight]; }"""


@pytest.fixture(scope="module")
def article():
    """Titles from the events file itself."""
    document = json.loads((LAYERS_DIR / "events" / "edm-v19-i92.json").read_text(encoding="utf-8"))
    return {event["id"]: event["title"] for event in document["events"]}


def _overlaps(point: tuple[float, float], box: dict | None, margin: float) -> bool:
    if box is None or box["width"] == 0:
        return False
    x, y = point
    return (box["x"] - margin < x < box["x"] + box["width"] + margin
            and box["y"] - margin < y < box["y"] + box["height"] + margin)


@pytest.mark.parametrize("scene_id", list(SCENE_EVENTS))
def test_every_step_keeps_the_highlight_clear_of_caption_and_legend(browser, app_url, article, scene_id) -> None:
    titles = article
    expected = SCENE_EVENTS[scene_id] or list(titles)
    assert len(titles) == TOTAL_EVENTS
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/?scene={scene_id}&presenter=1&basemap=none")
        frame = map_frame(page)
        legend_open = frame.evaluate("() => document.getElementById('panj-legend').classList.contains('panj-legend-open')")
        assert not legend_open  # folded to its button on a projector
        # The controls strip ends above the map, which would otherwise cover its lowest row.
        map_top = page.locator("iframe[title='streamlit_folium.st_folium']").bounding_box()["y"]
        for control in (page.get_by_role("button", name="Next ▶"), page.locator(".panj-playback")):
            box = control.bounding_box()
            assert box is not None and box["y"] + box["height"] <= map_top, (box, map_top)
        visited = []
        for _ in expected:
            previous = visited[-1] if visited else None
            page.get_by_role("button", name="Next ▶").click()
            page.wait_for_function(WAIT_STEP, arg=[previous, titles],
                                   timeout=TIMEOUT_MS)  # the map and the caption show the same step
            frame = map_frame(page)
            frame.evaluate(NEXT_FRAMES)  # the map's move is drawn by then
            event_id = frame.evaluate("() => window.panjMap.highlight")
            assert page.locator(".panj-caption h3").inner_text() == titles[event_id]
            offset = page.locator("iframe[title='streamlit_folium.st_folium']").bounding_box()
            # Where the map draws the event: its symbol, or the group holding it.
            [(x, y)] = [(group["x"], group["y"]) for group in frame.evaluate("() => window.panjMap.groups()")
                        if event_id in group["ids"]]
            point = (offset["x"] + x, offset["y"] + y)
            size = frame.evaluate("() => [window.innerWidth, window.innerHeight]")
            assert RING_PX <= x <= size[0] - RING_PX and RING_PX <= y <= size[1] - RING_PX, (event_id, x, y)
            caption = page.locator(".st-key-panj-caption").bounding_box()
            legend = frame.locator("#panj-legend").bounding_box()
            legend = None if legend is None else {**legend, "x": legend["x"] + offset["x"], "y": legend["y"] + offset["y"]}
            assert not _overlaps(point, caption, RING_PX), (event_id, point, caption)
            assert not _overlaps(point, legend, RING_PX), (event_id, point, legend)
            visited.append(event_id)
        assert sorted(visited) == sorted(expected)
    finally:
        context.close()


def _step_to(page, titles, event_id: str) -> object:
    """Click "Next" until the step is on ``event_id``; the map's frame, drawn."""
    previous = None
    for _ in range(TOTAL_EVENTS):
        page.get_by_role("button", name="Next ▶").click()
        page.wait_for_function(WAIT_STEP, arg=[previous, titles], timeout=TIMEOUT_MS)
        frame = map_frame(page)
        previous = frame.evaluate("() => window.panjMap.highlight")
        if previous == event_id:
            frame.evaluate(NEXT_FRAMES)
            return frame
    raise AssertionError(f"no step reached {event_id}")


def test_a_country_wide_step_outlines_its_country_and_says_so(browser, app_url, article) -> None:
    # The frontier scene shows all 30 events; its first step is the 201st division's, known only to
    # Tajikistan. Its symbol shares a spot with the 5 other Tajikistan-wide events and the 6 GBAO-wide
    # ones (counted by hand in layers/events/), and is the earliest of the 12.
    countries = json.loads((LAYERS_DIR / "countries.geojson").read_text(encoding="utf-8"))
    [tajikistan] = [shape(f["geometry"]) for f in countries["features"] if f["properties"]["id"] == "tajikistan"]
    west, south, east, north = tajikistan.bounds
    context = browser.new_context(viewport=PRESENTER)
    page = context.new_page()
    try:
        page.goto(f"{app_url}/?scene=frontier&presenter=1&basemap=none")
        frame = _step_to(page, article, "russia-201st-stationed")
        look = frame.evaluate("() => window.panjMap.highlightLook()")
        assert look["outlined"] and look["ring"] is None  # the country, not the group its symbol shares
        outline = frame.locator("path.panj-highlight-area")
        assert outline.count() == 1
        # Its stroke first widens and narrows (panj-map.css); its box is measured once that has ended.
        outline.evaluate("path => Promise.all(path.getAnimations().map(animation => animation.finished))")
        drawn = outline.bounding_box()
        corners = frame.evaluate("""([w, s, e, n]) => [window.panjMap.map.latLngToContainerPoint([n, w]),
                                                        window.panjMap.map.latLngToContainerPoint([s, e])]""",
                                 [west, south, east, north])
        offset = page.locator("iframe[title='streamlit_folium.st_folium']").bounding_box()
        expected = (corners[0]["x"] + offset["x"], corners[0]["y"] + offset["y"],
                    corners[1]["x"] + offset["x"], corners[1]["y"] + offset["y"])
        got = (drawn["x"], drawn["y"], drawn["x"] + drawn["width"], drawn["y"] + drawn["height"])
        assert all(abs(a - b) <= 4 for a, b in zip(got, expected, strict=True)), (got, expected)
        note = page.locator(".panj-caption .panj-caption-place").inner_text()
        # Its group: the 8 Tajikistan-wide and 6 GBAO-wide events (layers/events/), whose symbols share a place.
        assert note == "Country-wide: Tajikistan, outlined on the map · 1 of 14 here"
    finally:
        context.close()


def test_a_single_place_step_shows_its_neighbours_scale_and_a_projector_sized_ring(browser, app_url, article) -> None:
    # Dushanbe and Kabul: the envoy's mission to Kabul is the scene's one event there.
    context = browser.new_context(viewport=PRESENTER)
    page = context.new_page()
    try:
        page.goto(f"{app_url}/?scene=dushanbe-kabul&presenter=1&basemap=none")
        frame = _step_to(page, article, "chuianzoda-kabul-mission")
        south, west, north, east = frame.evaluate(
            "() => { const b = window.panjMap.map.getBounds(); return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; }")
        tall = (north - south) * KM_PER_DEGREE
        wide = (east - west) * KM_PER_DEGREE * math.cos(math.radians((north + south) / 2))
        assert min(tall, wide) >= MIN_VIEW_KM, (tall, wide)
        assert page.locator(".panj-caption .panj-caption-place").count() == 0  # a place of its own, alone there
        ring = frame.evaluate("() => window.panjMap.highlightLook().ring")
        assert ring["radius"] >= 3 * SYMBOL_PX
        # The ring as painted: the farthest dark pixel right of the symbol's centre on the events' canvas.
        pixels = frame.evaluate("""([x, y]) => {
            const canvas = document.querySelector('canvas.panj-events-canvas'), box = canvas.getBoundingClientRect();
            const map = document.querySelector('.leaflet-container').getBoundingClientRect();
            const ratio = canvas.width / box.width, context = canvas.getContext('2d'), found = [];
            for (let d = 0; d <= 60; d++) {
                found.push([...context.getImageData(Math.round((map.left + x + d - box.left) * ratio),
                                                    Math.round((map.top + y - box.top) * ratio), 1, 1).data]);
            }
            return found; }""", [ring["x"], ring["y"]])
        dark = [d for d, (red, green, blue, alpha) in enumerate(pixels) if alpha > 200 and max(red, green, blue) < 80]
        assert dark and max(dark) >= 3 * SYMBOL_PX, pixels
    finally:
        context.close()
