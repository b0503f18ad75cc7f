"""Reading the map in Chromium: ten event types drawn as ten different symbols in the legend; a
country-wide event placed on the country itself (no province, and no distance, as it could have
happened anywhere in the country); a highlighted event that stays on its own event when the
filters change, or clears, never jumping to another; and an approximate place's symbol in a pale
colour that still stands 3:1 against the land (WCAG 1.4.11)."""

from __future__ import annotations

import io

import pytest
from browsing import NEXT_FRAMES, TIMEOUT_MS, count_text, map_frame
from PIL import Image

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


def _luminance(rgb: tuple[int, ...]) -> float:
    """WCAG 2's relative luminance of an sRGB colour."""
    linear = [channel / 255 / 12.92 if channel / 255 <= 0.04045 else ((channel / 255 + 0.055) / 1.055) ** 2.4
              for channel in rgb[:3]]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(first: tuple[int, ...], second: tuple[int, ...]) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# China's assistance, known only to Tajikistan as a whole: an approximate place, drawn in China's
# #ddcc77, which stands at 1.2:1 against the land with no tiles (docs/ARCHITECTURE.md).
CHINA_ON_TAJIKISTAN = "/?basemap=none&actor=china&type=security-assistance"


def test_an_approximate_place_in_a_pale_colour_has_an_edge_of_3_to_1(page, app_url) -> None:
    """WCAG 1.4.11: some pixel across the symbol's edge stands 3:1 against the land beside it."""
    page.goto(app_url + CHINA_ON_TAJIKISTAN)
    frame = map_frame(page)
    frame.wait_for_function("() => window.panjMap.ready && window.panjMap.eventsDrawn === 1", timeout=TIMEOUT_MS)
    (group,) = frame.evaluate("() => window.panjMap.groups()")
    assert group["ids"] == ["china-assists-tajikistan"]
    frame.evaluate(NEXT_FRAMES)
    shot = Image.open(io.BytesIO(frame.locator(".leaflet-container").screenshot())).convert("RGB")
    x, y, r = round(group["x"]), round(group["y"]), group["r"]
    land = shot.getpixel((x + round(3 * r), y))  # clear of the symbol (it reaches 1.3 radii at most)
    across = [shot.getpixel((x + d, y)) for d in range(round(r) + 3)]  # from its middle out past its edge
    assert max(_contrast(pixel, land) for pixel in across) >= 3, (land, across)
