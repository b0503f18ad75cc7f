"""The map's names on the page, in headless Chromium: at the opening view with no basemap a reader
can name the two countries and find the capitals, Khorugh, the Wakhan and both posts, and no two
labels overlap, on a wide window and on a phone. Boxes are read from the DOM
(getBoundingClientRect), not only from the runtime's own account."""

from __future__ import annotations

from itertools import combinations

import pytest
from browsing import map_frame

import geo.layers

pytestmark = pytest.mark.browser

# The drawn labels as the runtime reports them, and every label element the page shows, measured.
_LABELS = "() => window.panjMap.labels()"
_DOM_BOXES = """() => [...document.querySelectorAll('.panj-label')]
  .filter(e => !e.hidden)
  .map(e => { const r = e.getBoundingClientRect(); return {text: e.textContent, left: r.left, top: r.top, right: r.right, bottom: r.bottom}; })"""
_MAP_BOX = """() => { const r = document.querySelector('.leaflet-container').getBoundingClientRect();
  return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; }"""


def _overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    return [(a["text"], b["text"]) for a, b in combinations(boxes, 2)
            if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]]


def _opening_view(browser, app_url: str, width: int, height: int) -> tuple[list[dict], list[dict], dict]:
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(f"{app_url}/?basemap=none")
        frame = map_frame(page)
        frame.wait_for_function("() => window.panjMap.labels().length > 0")
        return frame.evaluate(_LABELS), frame.evaluate(_DOM_BOXES), frame.evaluate(_MAP_BOX)
    finally:
        context.close()


def test_a_wide_window_names_the_region(browser, app_url) -> None:
    drawn, boxes, frame = _opening_view(browser, app_url, 1400, 900)
    texts = {label["text"] for label in drawn}
    posts = geo.layers.load_layers()["posts"].frame["name"]
    assert {"Tajikistan", "Afghanistan", "Dushanbe", "Kabul", "Khorugh"} <= texts
    assert any(text.startswith("Wakhan") for text in texts)
    assert set(posts) <= texts
    assert sum(label["layer"] == "places" for label in drawn) >= 8
    assert "Panj" in texts and "Amu Darya" in texts
    assert sorted(box["text"] for box in boxes) == sorted(label["text"] for label in drawn)
    assert _overlapping(boxes) == []
    for box in boxes:  # wholly inside the map
        assert frame["left"] <= box["left"] and box["right"] <= frame["right"], box
        assert frame["top"] <= box["top"] and box["bottom"] <= frame["bottom"], box


def test_a_phone_shows_labels_that_do_not_overlap(browser, app_url) -> None:
    drawn, boxes, _ = _opening_view(browser, app_url, 390, 844)
    texts = {label["text"] for label in drawn}
    assert {"Tajikistan", "Afghanistan", "Dushanbe", "Kabul"} <= texts
    assert len(boxes) == len(drawn)
    assert _overlapping(boxes) == []
