"""Hostile text in a real browser: links, images, HTML, javascript: URLs and Jinja in the URL and in
every data file reach the page as text. No anchor points off the machine, no request leaves it,
no dialog opens, and the map's popup and legend show the payloads literally."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from browsing import TIMEOUT_MS, is_local, links_and_images, map_frame
from payloads import ACTOR_NAME, EVENT_TITLE, HOSTILE_QUERIES, IMAGE, LAYER_TITLE, LINK, SCENE_CAPTION

pytestmark = pytest.mark.browser


def _assert_nothing_escaped(page) -> None:
    for frame in page.frames:
        outside = [url for url in links_and_images(frame) if url and not is_local(url)]
        assert outside == [], f"{frame.url}: {outside}"
        assert frame.locator("a[href^='javascript:' i]").count() == 0
    assert page.outside_requests == []
    assert page.dialogs == []


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_url_values_show_as_text(page, payload_app_url, query) -> None:
    page.goto(f"{payload_app_url}/?{urlencode({'basemap': 'none', **query}, doseq=True)}")
    map_frame(page)
    alerts = page.locator("[data-testid='stAlert']")
    alerts.first.wait_for(timeout=TIMEOUT_MS)
    text = " ".join(alerts.all_inner_texts()).replace("\u2060", "")  # markdown_text's invisible joiners
    # The notices name the bad values, shown as the characters they are (a search text is no notice).
    for key, value in query.items():
        for item in (value if isinstance(value, list) else [value]) if key != "q" else []:
            if item in (LINK, IMAGE):
                assert item in text
    _assert_nothing_escaped(page)


def test_hostile_data_shows_as_text_in_the_map_legend_popup_and_caption(page, payload_app_url) -> None:
    page.goto(f"{payload_app_url}/?basemap=none&scene=offensives")
    frame = map_frame(page)
    legend = frame.locator("#panj-legend").inner_text()
    assert ACTOR_NAME in legend and LAYER_TITLE in legend
    # The payload event's popup, opened as a click would.
    frame.evaluate("() => window.panjMap.openEvent('hostile')")
    title = frame.locator(".panj-popup h4")
    title.wait_for(timeout=TIMEOUT_MS)
    assert title.inner_text() == EVENT_TITLE
    note = page.locator(".panj-scene-note")
    note.wait_for(timeout=TIMEOUT_MS)
    assert note.inner_text() == SCENE_CAPTION
    label = page.locator("[data-testid='stSidebar'] label").filter(has_text="Countries").first
    assert label.inner_text().strip().replace("\u2060", "") == LAYER_TITLE
    _assert_nothing_escaped(page)
