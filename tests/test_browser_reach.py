"""Every event of the article opens from the map alone, with real clicks, in at most two clicks:
the group (or the lone symbol) under the pointer, then, for a group, the event's row in its list.

Where each group lies comes from the runtime (``window.panjMap.groups()``: container pixels and
event ids); what each event is called comes from the events file itself.
"""

from __future__ import annotations

import json

import pytest
from browsing import TIMEOUT_MS, map_frame

from geo.layers import LAYERS_DIR

pytestmark = pytest.mark.browser

EVENTS_FILE = LAYERS_DIR / "events" / "edm-v19-i92.json"


def _events() -> list[dict]:
    return json.loads(EVENTS_FILE.read_text(encoding="utf-8"))["events"]


def _open_by_clicks(frame, event_id: str) -> int:
    """Click the event's group, then its row if the group lists several; the clicks it took."""
    [group] = [group for group in frame.evaluate("() => window.panjMap.groups()") if event_id in group["ids"]]
    frame.locator(".leaflet-container").click(position={"x": group["x"], "y": group["y"]})
    if len(group["ids"]) == 1:
        return 1
    row = frame.locator(f'.panj-popup-row[data-event-id="{event_id}"]')
    row.wait_for(timeout=TIMEOUT_MS)
    row.click()
    return 2


def test_every_event_opens_from_the_map_in_two_clicks_at_most(page, app_url) -> None:
    events = _events()
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{app_url}/?basemap=none")
    frame = map_frame(page)
    frame.wait_for_function(f"() => window.panjMap.eventsDrawn === {len(events)}", timeout=TIMEOUT_MS)
    opening = frame.evaluate("() => { const m = window.panjMap.map; return [m.getCenter(), m.getZoom()]; }")
    in_view = {event_id for group in frame.evaluate("() => window.panjMap.groups()") for event_id in group["ids"]}
    assert {event["id"] for event in events} == in_view  # every event is on the opening view

    title = frame.locator(".panj-popup h4")
    for event in events:
        # Each event from the opening view: a popup's panning from the last one is undone.
        frame.evaluate("([centre, zoom]) => { const m = window.panjMap.map; m.closePopup();"
                       " m.setView(centre, zoom, {animate: false}); }", opening)
        # A closed popup fades out for 200 ms, and takes clicks until it is gone.
        frame.wait_for_function("() => !document.querySelector('.leaflet-popup')", timeout=TIMEOUT_MS)
        # Clicking a row may have scrolled the page to show it: back to the page's top.
        page.evaluate("() => document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })")
        clicks = _open_by_clicks(frame, event["id"])
        assert clicks <= 2
        frame.wait_for_function("(want) => { const h = document.querySelector('.panj-popup h4');"
                                " return h !== null && h.textContent === want; }", arg=event["title"],
                                timeout=TIMEOUT_MS)
        assert title.count() == 1, event["id"]


def test_a_group_lists_its_events_and_leads_back_to_the_list(page, app_url) -> None:
    events = _events()
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{app_url}/?basemap=none")
    frame = map_frame(page)
    frame.wait_for_function(f"() => window.panjMap.eventsDrawn === {len(events)}", timeout=TIMEOUT_MS)
    gbao = [event["id"] for event in events if event["place"] == "gbao:gbao"]
    [group] = [group for group in frame.evaluate("() => window.panjMap.groups()") if set(gbao) <= set(group["ids"])]
    frame.locator(".leaflet-container").click(position={"x": group["x"], "y": group["y"]})
    rows = frame.locator(".leaflet-popup .panj-popup-row")
    # The list may be drawn again as its popup pans clear of the legend: wait for the one list.
    frame.wait_for_function("(n) => document.querySelectorAll('.leaflet-popup .panj-popup-row').length === n",
                            arg=len(group["ids"]), timeout=TIMEOUT_MS)
    # No taller than half the map.
    assert frame.evaluate("""() => document.querySelector('.leaflet-popup-content-wrapper').getBoundingClientRect().height
                                   <= window.panjMap.map.getSize().y / 2""")
    rows.first.click()
    back = frame.locator(".panj-popup-back")
    back.wait_for(timeout=TIMEOUT_MS)
    back.click()
    frame.wait_for_function("(n) => document.querySelectorAll('.leaflet-popup .panj-popup-row').length === n",
                            arg=len(group["ids"]), timeout=TIMEOUT_MS)
    assert rows.count() == len(group["ids"])


def test_the_popup_links_open_a_new_tab_on_http_only(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    frame = map_frame(page)
    frame.evaluate("() => window.panjMap.openEvent('taliban-takeover')")
    frame.locator(".panj-popup h4").wait_for(timeout=TIMEOUT_MS)
    for link in frame.locator(".panj-popup a").all():
        assert link.get_attribute("href").startswith(("https://", "http://"))
        assert (link.get_attribute("target"), link.get_attribute("rel")) == ("_blank", "noopener noreferrer")
    assert page.outside_requests == []



# Each event's cited reports as its popup lists them, with the address of each report found
# (docs/DATA.md, "Addresses of the cited reports"); None where the report's page was not found.
CITED_LINKS = {
    "russia-announces-border-post": [("¶8: TASS (2021-12-27)", "https://tass.com/defense/1381573")],
    "china-shaymak-post": [
        ("¶4: The Straits Times (2021-10-29)",
         "https://www.straitstimes.com/asia/east-asia/china-to-build-tajikistan-police-base-to-secure-afghan-border"),
        ("¶4: Eurasia Daily Monitor (2021-12-07)", None),
    ],
}


@pytest.mark.parametrize("event_id", sorted(CITED_LINKS))
def test_a_cited_report_with_an_address_links_to_it(page, app_url, event_id: str) -> None:
    page.goto(f"{app_url}/?basemap=none")
    frame = map_frame(page)
    frame.evaluate("(id) => window.panjMap.openEvent(id)", event_id)
    frame.locator(".panj-popup h4").wait_for(timeout=TIMEOUT_MS)
    cites = frame.evaluate("""() => [...document.querySelectorAll('.panj-popup .panj-popup-cites li')].map(li => {
        const link = li.querySelector('a');
        return [li.firstChild.textContent, link && link.getAttribute('href'),
                link && link.getAttribute('target'), link && link.getAttribute('rel')];
    })""")
    assert [(text, href) for text, href, _, _ in cites] == CITED_LINKS[event_id]
    for _, href, target, rel in cites:
        if href is not None:
            assert (target, rel) == ("_blank", "noopener noreferrer")
    assert page.outside_requests == []

def test_the_planned_facility_at_ayvoj_is_drawn_hollow(page, app_url) -> None:
    # layers/posts.geojson: Ayvoj's facility is planned (the article, ¶3), Shaymak's post built (¶4);
    # layers/manifest.json fills the posts' circles #d62728.
    page.goto(f"{app_url}/?basemap=none")
    frame = map_frame(page)
    frame.wait_for_function("() => window.panjMap.ready && window.panjMap.layers.posts.visible", timeout=TIMEOUT_MS)
    fills = frame.evaluate("""() => [...document.querySelectorAll('path.panj-layer-posts')].map(
        path => [path.classList.contains('panj-planned'), path.getAttribute('fill')])""")
    assert sorted(fills) == [[False, "#d62728"], [True, "#ffffff"]]
    assert frame.locator('[data-panj-legend-layer="posts"]').inner_text() == "Border posts and planned facilities"
    # With no planned event shown, the hollow-symbol row stays while the posts are drawn, and goes
    # with them.
    for layers, hidden in (("frontier,posts", False), ("frontier", True)):
        page.goto(f"{app_url}/?basemap=none&status=occurred&layers={layers}")
        frame = map_frame(page)
        frame.wait_for_function("() => window.panjMap.ready", timeout=TIMEOUT_MS)
        assert frame.locator('[data-panj-legend-status="planned"]').evaluate("row => row.hidden") is hidden


def test_no_matching_event_shows_a_note_on_the_map(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none&q=zzzz-no-such-event")
    frame = map_frame(page)
    frame.wait_for_function("() => window.panjMap.eventsDrawn === 0", timeout=TIMEOUT_MS)
    note = frame.locator(".panj-map-note")
    note.wait_for(state="visible", timeout=TIMEOUT_MS)
    assert note.inner_text() == "No event matches the filters"
    # The legend keeps no heading over rows that are all hidden.
    headings = frame.evaluate("() => [...document.querySelectorAll('.panj-legend-body h4')].filter(h => !h.hidden).map(h => h.textContent)")
    assert "Actors" not in headings and "Event types" not in headings


def test_a_plan_shows_its_status_dates_and_citations_and_is_drawn_hollow(page, app_url) -> None:
    # us-funds-ayvoj-post (layers/events/): planned for 2022, reported 1 September 2021, one citation.
    page.goto(f"{app_url}/?basemap=none")
    frame = map_frame(page)
    frame.evaluate("() => window.panjMap.openEvent('us-funds-ayvoj-post')")
    frame.locator(".panj-popup h4").wait_for(timeout=TIMEOUT_MS)
    assert frame.locator(".panj-popup-status").inner_text() == "Planned: not reported as done"
    assert frame.locator(".panj-popup-when").inner_text() == "planned for 2022 (reported 1 September 2021) · known to the day"
    assert frame.locator(".panj-popup-cites li").all_inner_texts() == ["¶3: Tj.usembassy.gov (2021-09-01)"]
    # The legend's hollow-symbol row shows while a plan is drawn, and goes with it (and with the
    # posts' layer, whose Ayvoj facility is planned too).
    planned_row = frame.locator('[data-panj-legend-status="planned"]')
    assert planned_row.is_visible()
    page.goto(f"{app_url}/?basemap=none&status=occurred&layers=countries,frontier")
    frame = map_frame(page)
    frame.wait_for_function("() => window.panjMap.ready", timeout=TIMEOUT_MS)
    assert frame.locator('[data-panj-legend-status="planned"]').is_hidden()
