"""The frontier strip on the page, in real Chromium (docs/ARCHITECTURE.md, "The frontier strip"):
it draws the shown events near the frontier from the map's own data and mask, and a brush over it
sets the km range along the frontier, which then filters the map, the table and the strip.

The article's events near enough to the frontier to be drawn, counted by hand from
tests/test_strip.py's table: within the strip's default 25 km, the Ayvoj facility (4.1 km from the
frontier) and the Shaymak post (2.1 km); within 300 km also the NRF's two offensives (162 and 199 km),
the Majlisi Oli's grant at Dushanbe (124 km) and the Kabul mission (285 km). Their km along the
frontier: Ayvoj 38.8, the Kabul mission 46.7, the NRF's 199.6 and 199.8, the grant 290.8, Shaymak
1315.2, so a brush from the western end to 400 km keeps 5 of the 6."""

from __future__ import annotations

import datetime as dt

import pytest
from browsing import TIMEOUT_MS, count_text, map_frame

pytestmark = pytest.mark.browser

DRAWN = "update => window.panjStrip && window.panjStrip.update >= update && window.panjStrip.error === null"


def strip_drawn(page) -> dict:
    """What the strip drew for the map's current update, once it has."""
    frame = map_frame(page)
    update = frame.evaluate("() => window.panjMap.shownEvents().update")
    page.wait_for_function(DRAWN, arg=update, timeout=TIMEOUT_MS)
    return page.evaluate("() => window.panjStrip")


@pytest.mark.parametrize(("query", "events", "symbols"), [
    ("", 2, 2),  # the strip's default, 25 km
    ("&within=300", 6, 5),  # the NRF's two offensives share a day, a look and a 3-pixel cell
    ("&within=300&side=afghanistan", 3, 2),
    ("&within=300&type=diplomacy", 1, 1),
])
def test_the_strip_draws_the_shown_events_near_the_frontier(page, app_url, query, events, symbols) -> None:
    page.goto(f"{app_url}/?basemap=none{query}", timeout=TIMEOUT_MS)
    drawn = strip_drawn(page)
    assert (drawn["events"], drawn["symbols"]) == (events, symbols)


# The time axis's days: the date filter's, else the first days of the events drawn. By hand from
# layers/events/edm-v19-i92.json: within the default 25 km the strip draws the Ayvoj plan (reported
# 2021-09-01) and the Shaymak post (reported 2021-10-29). The article's events known only to a
# country, some since 1991, are never drawn and must not stretch the axis.
@pytest.mark.parametrize(("query", "first", "last"), [
    ("", dt.date(2021, 9, 1), dt.date(2021, 10, 29)),
    ("&from=2021-06&to=2022-03", dt.date(2021, 6, 1), dt.date(2022, 3, 31)),
])
def test_the_time_axis_spans_the_events_drawn_or_the_date_filter(page, app_url, query, first, last) -> None:
    page.goto(f"{app_url}/?basemap=none{query}", timeout=TIMEOUT_MS)
    days = strip_drawn(page)["days"]
    epoch = dt.date(1970, 1, 1)
    assert [epoch + dt.timedelta(days=day) for day in days] == [first, last]


def test_a_brush_sets_the_km_range_along_the_frontier(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none&within=300", timeout=TIMEOUT_MS)
    assert strip_drawn(page)["events"] == 6
    assert count_text(page)[0] == 17
    brush = page.locator(".panj-strip-brush")
    brush.scroll_into_view_if_needed()
    box = brush.bounding_box()
    # From just west of the axis's start to 400 km, over the whole Tajik band (its days: all).
    start_x, end_x, top, bottom = page.evaluate("""() => {
        const strip = window.panjStripControl.strip, band = strip.frame.bands[0];
        return [strip.frame.x - 3, strip.kmX(400), band.y + 1, band.y + band.h - 1];
    }""")
    page.mouse.move(box["x"] + start_x, box["y"] + top)
    page.mouse.down()
    page.mouse.move(box["x"] + (start_x + end_x) / 2, box["y"] + (top + bottom) / 2, steps=4)
    page.mouse.move(box["x"] + end_x, box["y"] + bottom, steps=4)
    page.mouse.up()
    page.wait_for_function("() => new URL(location.href).searchParams.has('along')", timeout=TIMEOUT_MS)
    start_km, end_km = (float(km) for km in page.evaluate(
        "() => new URL(location.href).searchParams.get('along')").split("-"))
    assert start_km == 0
    assert 395 <= end_km <= 405  # a pixel is about 1.6 km at this width
    page.wait_for_function("() => document.body.innerText.includes('5 of 30 events')", timeout=TIMEOUT_MS)
    strip_drawn(page)
    # The map's new rows and the strip's new days can reach the strip in either order: it draws
    # again when each arrives, and settles on the five.
    page.wait_for_function("() => window.panjStrip.events === 5", timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Show the whole frontier").click()
    page.wait_for_function("() => !new URL(location.href).searchParams.has('along')", timeout=TIMEOUT_MS)
    # The brush's days (the drawn events' first to last) stay as the date filter until cleared.
    assert page.evaluate("() => new URL(location.href).searchParams.has('from')")
    page.get_by_role("button", name="Clear dates").click()
    page.wait_for_function("() => document.body.innerText.includes('17 of 30 events')", timeout=TIMEOUT_MS)


def test_a_typed_km_range_filters_as_the_brush_does(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none&within=300", timeout=TIMEOUT_MS)
    assert strip_drawn(page)["events"] == 6
    typed = page.get_by_label("Km along the frontier", exact=True)
    typed.fill("0-100")
    typed.press("Enter")
    page.wait_for_function("() => new URL(location.href).searchParams.get('along') === '0-100'", timeout=TIMEOUT_MS)
    # Ayvoj (38.8 km) and the Kabul mission (46.7 km).
    page.wait_for_function("() => document.body.innerText.includes('2 of 30 events')", timeout=TIMEOUT_MS)
    page.wait_for_function("() => window.panjStrip.events === 2", timeout=TIMEOUT_MS)


# The strip's brush layer: its marked period and, for the Shaymak post's row (reported 29 October
# 2021, 1315.2 km along, in GBAO: the Tajik bank's upper band), whether an orange pixel lies at its
# km in the days of the period marked. By hand: October 2021 holds the Shaymak post; September 2021
# does not.
PERIOD_AT_SHAYMAK = """() => {
    const control = window.panjStripControl, strip = control.strip, layer = strip.brushLayer;
    const band = strip.frame.bands[0], ratio = window.devicePixelRatio || 1;
    const x = strip.kmX(1315.2), y = strip.dayY(band, Date.parse('2021-10-29') / 86400000);
    const pixel = layer.getContext('2d').getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data;
    return {period: layer.dataset.period, orange: pixel[3] > 0 && pixel[0] > pixel[2] + 60};
}"""


@pytest.mark.parametrize(("period", "marked", "over_shaymak"), [
    ("2021-10", "2021-10-01", True),
    ("2021-09", "2021-09-01", False),
])
def test_the_strip_marks_the_playbacks_period(page, app_url, period, marked, over_shaymak) -> None:
    page.goto(f"{app_url}/?basemap=none&play=month&period={period}", timeout=TIMEOUT_MS)
    strip_drawn(page)
    found = page.wait_for_function(f"p => {{ const m = ({PERIOD_AT_SHAYMAK})(); return m.period === p && m; }}",
                                   arg=marked, timeout=TIMEOUT_MS).json_value()
    assert found["orange"] is over_shaymak


def test_the_strips_period_follows_a_playback_step(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none&play=month&period=2021-09", timeout=TIMEOUT_MS)
    strip_drawn(page)
    page.wait_for_function("() => window.panjStripControl.strip.brushLayer.dataset.period === '2021-09-01'",
                           timeout=TIMEOUT_MS)
    map_frame(page).evaluate("() => window.panjMap.playback.go(1)")
    found = page.wait_for_function(f"() => {{ const m = ({PERIOD_AT_SHAYMAK})(); return m.period === '2021-10-01' && m; }}",
                                   timeout=TIMEOUT_MS).json_value()
    assert found["orange"]
