"""Reading the map in Chromium: ten event types drawn as ten different symbols in the legend; a
country-wide event placed on the country itself (no province, and no distance, as it could have
happened anywhere in the country);
and a highlighted event that stays on its own event when the filters change, or clears, never
jumping to another."""

from __future__ import annotations

import pytest
from browsing import TIMEOUT_MS, count_text, map_frame

pytestmark = pytest.mark.browser


def test_the_legend_draws_ten_event_types_as_ten_different_symbols(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    frame = map_frame(page)
    shapes = frame.evaluate("() => [...document.querySelectorAll('[data-panj-legend-type] canvas')]"
                            ".map(c => [c.dataset.shape, c.toDataURL()])")
    assert len(shapes) == 10  # layers/vocabularies.json: ten event types
    assert len({shape for shape, _ in shapes}) == 10
    assert len({pixels for _, pixels in shapes}) == 10  # and they are drawn differently


def test_a_country_wide_event_is_the_country_itself(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    frame = map_frame(page)
    frame.evaluate("() => window.panjMap.openEvent('taliban-takeover')")
    popup = frame.locator(".panj-popup")
    popup.wait_for(timeout=TIMEOUT_MS)
    text = popup.inner_text()
    assert "Afghanistan (known to the country)" in text
    assert "does not apply to an event known only to the whole country" in text
    # No province is claimed for it (the first version said Ghor, from an interior point).
    assert not any(name in text for name in ("Ghor", "province"))


def test_the_highlight_stays_on_its_event_or_clears(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none&event=majlisi-oli-russian-grant")
    frame = map_frame(page)
    frame.wait_for_function("() => window.panjMap.highlight === 'majlisi-oli-russian-grant'", timeout=TIMEOUT_MS)
    search = page.get_by_label("Search titles and summaries")
    # A filter that keeps the event: the highlight stays on it, though the rows before it went.
    search.fill("grant")
    search.press("Enter")
    page.wait_for_function("() => document.body.innerText.includes('1 of 30 events')", timeout=TIMEOUT_MS)
    frame = map_frame(page)
    frame.wait_for_function("() => window.panjMap.ready && window.panjMap.eventsDrawn === 1", timeout=TIMEOUT_MS)
    assert frame.evaluate("() => window.panjMap.highlight") == "majlisi-oli-russian-grant"
    # A filter that hides it: the highlight clears instead of moving to another event.
    search.fill("Hekmatyar")
    search.press("Enter")
    frame = map_frame(page)
    frame.wait_for_function("() => window.panjMap.ready && window.panjMap.highlight === null", timeout=TIMEOUT_MS)
    shown, _ = count_text(page)
    assert shown >= 1 and frame.evaluate("() => window.panjMap.eventsDrawn") == shown
    page.wait_for_function("() => !window.location.search.includes('event=')", timeout=TIMEOUT_MS)
