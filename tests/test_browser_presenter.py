"""Presenter view at 1280x720 in Chromium: for every step of every shipped scene, the highlighted
event is on the map and clear of the floating caption and of the legend (folded by default)."""

from __future__ import annotations

import json

import pytest
from browsing import NEXT_FRAMES, TIMEOUT_MS, map_frame
from expected import SCENE_EVENTS, TOTAL_EVENTS

from geo.layers import LAYERS_DIR

pytestmark = pytest.mark.browser

RING_PX = 15  # the highlight ring's radius: all of it must be clear


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
        visited = []
        for _ in expected:
            previous = visited[-1] if visited else None
            page.get_by_role("button", name="Next ▶").click()
            page.wait_for_function(
                """([previous, titles]) => { const f = [...document.querySelectorAll('iframe')].find(f => f.contentWindow.panjMap);
                       const p = f && f.contentWindow.panjMap; const h = document.querySelector('.panj-caption h3');
                       return p && p.ready && p.highlight && p.highlight !== previous && h
                              && h.textContent === titles[p.highlight]; }""",
                arg=[previous, titles], timeout=TIMEOUT_MS)  # the map and the caption show the same step
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
