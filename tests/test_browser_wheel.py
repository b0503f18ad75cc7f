"""The mouse wheel over the map scrolls the page until the reader clicks the map (then it zooms),
so readers reach the table below without zooming the map out to the world."""

from __future__ import annotations

import pytest
from browsing import NEXT_FRAMES, map_frame

pytestmark = pytest.mark.browser


def test_the_wheel_scrolls_the_page_until_the_map_is_clicked(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    frame = map_frame(page)
    zoom = frame.evaluate("() => window.panjMap.map.getZoom()")
    box = page.locator("iframe[title='streamlit_folium.st_folium']").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    scrolled = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTop")
    page.mouse.wheel(0, 400)
    # The page moves ...
    page.wait_for_function(f"() => document.querySelector('[data-testid=\"stMain\"]').scrollTop > {scrolled}",
                           timeout=5_000)
    frame.evaluate(NEXT_FRAMES)
    assert frame.evaluate("() => window.panjMap.map.getZoom()") == zoom  # ... and the map did not zoom

    box = page.locator("iframe[title='streamlit_folium.st_folium']").bounding_box()
    page.mouse.click(box["x"] + 40, box["y"] + box["height"] - 60)  # an empty corner of the map
    page.mouse.wheel(0, -400)
    frame.wait_for_function(f"() => window.panjMap.map.getZoom() !== {zoom}", timeout=5_000)
