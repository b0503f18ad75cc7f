"""The map by keyboard alone, in Chromium (geo/web/panj-keys.js): Tab reaches the event groups on
the map's canvas by their names, in reading order; Enter opens a group's list, the arrows move
between its rows, Enter opens a row's event, Escape closes the popup and gives the focus back to
the group's button."""

from __future__ import annotations

import re

import pytest
from browsing import TIMEOUT_MS, map_frame
from expected import TOTAL_EVENTS

pytestmark = pytest.mark.browser

MAX_TABS = 150  # the sidebar's widgets, then the map's frame: far fewer stops than this
FOCUSED_KEY = """() => { const f = [...document.querySelectorAll('iframe')].find(f => f.contentWindow.panjMap);
    const active = f && f.contentDocument.activeElement;
    return active && active.classList.contains('panj-key') ? active.getAttribute('aria-label') : null; }"""
GROUP_NAME = re.compile(r"^(\d+) events at .+, from .+: first, .+\. Enter lists them\.$")
EVENT_NAME = re.compile(r"^.+, .+, at .+\. Enter opens it\.$")


def _tab_to_group(page) -> str:
    """Tab until the focus is on a group's button in the map (not an event alone); its name."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        name = page.evaluate(FOCUSED_KEY)
        if name is not None and not (GROUP_NAME.match(name) or EVENT_NAME.match(name)):
            # The first button reached: the names get their text now (geo/web/panj-keys.js).
            page.wait_for_function(f"() => {{ const name = ({FOCUSED_KEY})(); return name && / at .+\\. Enter /.test(name); }}",
                                   timeout=TIMEOUT_MS)
            name = page.evaluate(FOCUSED_KEY)
        if name is not None and GROUP_NAME.match(name):
            return name
    raise AssertionError(f"no group of the map reached in {MAX_TABS} presses of Tab")


def test_every_group_in_view_has_a_named_button_in_reading_order(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    frame = map_frame(page)
    _tab_to_group(page)  # the names get their text once the keyboard comes among them
    frame.wait_for_function("() => window.panjMap.keys().length > 0 && window.panjMap.keys().every(k => !/^(Event|\\d+ events)(\\.| in)/.test(k))",
                            timeout=TIMEOUT_MS)  # every name has its text
    groups = frame.evaluate("() => window.panjMap.groups()")
    names = frame.evaluate("() => window.panjMap.keys()")
    assert len(names) == len(groups)
    assert sum(len(group["ids"]) for group in groups) == TOTAL_EVENTS  # all 30 in the home view
    for name, group in zip(names, sorted(groups, key=lambda group: (group["x"], group["y"]))):
        if len(group["ids"]) == 1:
            assert EVENT_NAME.match(name), name
        else:
            assert GROUP_NAME.match(name) and int(GROUP_NAME.match(name)[1]) == len(group["ids"]), name
    xs = frame.evaluate("() => [...document.querySelectorAll('.panj-key')].map(b => Number(b.dataset.x))")
    assert xs == sorted(xs)  # west to east


def test_tab_enter_arrows_and_escape(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    frame = map_frame(page)
    name = _tab_to_group(page)
    row = frame.evaluate("() => document.activeElement.dataset.row")
    page.keyboard.press("Enter")  # the group's list, the focus on its first row
    frame.wait_for_function("() => document.activeElement.classList.contains('panj-popup-row')", timeout=TIMEOUT_MS)
    rows = frame.locator(".leaflet-popup .panj-popup-row")
    assert rows.count() == int(GROUP_NAME.match(name)[1])
    first_id = frame.evaluate("() => document.activeElement.dataset.eventId")
    page.keyboard.press("ArrowDown")
    second_id = frame.evaluate("() => document.activeElement.dataset.eventId")
    assert second_id == rows.nth(1).get_attribute("data-event-id") != first_id
    title = rows.nth(1).locator(".panj-popup-title").inner_text()  # "(place)" after it when places differ
    page.keyboard.press("Enter")  # that event's popup, read from the top
    frame.wait_for_function("(title) => { const h = document.querySelector('.leaflet-popup h4');"
                            " return h && title.startsWith(h.textContent) && document.activeElement.closest('.leaflet-popup'); }",
                            arg=title, timeout=TIMEOUT_MS)
    page.keyboard.press("Escape")
    frame.wait_for_function("(row) => !document.querySelector('.leaflet-popup')"
                            " && document.activeElement.dataset.row === row", arg=row, timeout=TIMEOUT_MS)
    # The ring shows on the focused symbol (a keyboard focus: :focus-visible).
    assert frame.evaluate("() => getComputedStyle(document.activeElement).boxShadow") != "none"


VIEW = "() => { const m = window.panjMap.map, c = m.getCenter(); return {lng: c.lng, lat: c.lat, zoom: m.getZoom()}; }"
ON_CONTAINER = "() => document.activeElement === window.panjMap.map.getContainer()"
# The page's focus is past the map's frame: on an element after the frame in the page's document.
PAST_THE_FRAME = """() => { const f = [...document.querySelectorAll('iframe')].find(f => f.contentWindow.panjMap);
    const active = document.activeElement;
    return Boolean(f && active && active !== f && active !== document.body
                   && (f.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING)); }"""


def _press(page, frame, key: str) -> dict:
    """Press ``key``; the view once the move it starts has ended (Leaflet takes no arrow key while
    a pan is animating, so the next press waits for this one's end)."""
    moves = frame.evaluate("() => window.panjTestMoves")
    page.keyboard.press(key)
    frame.wait_for_function("(moves) => window.panjTestMoves > moves", arg=moves, timeout=TIMEOUT_MS)
    return frame.evaluate(VIEW)


def test_the_map_pans_and_zooms_by_keys_and_tab_leaves_its_frame(page, app_url) -> None:
    """Leaflet's own keys, once Tab has put the focus on the map's container: the arrows pan by
    80 px, + and - zoom by one step (docs/ARCHITECTURE.md, "Accessibility")."""
    page.goto(f"{app_url}/?basemap=none")
    frame = map_frame(page)
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if frame.evaluate(ON_CONTAINER):
            break
    else:
        raise AssertionError(f"the map's container not reached in {MAX_TABS} presses of Tab")
    frame.evaluate("() => { window.panjTestMoves = 0; window.panjMap.map.on('moveend', () => { window.panjTestMoves += 1; }); }")
    start = frame.evaluate(VIEW)
    east = _press(page, frame, "ArrowRight")
    assert east["lng"] > start["lng"] and east["lat"] == pytest.approx(start["lat"], abs=1e-6)
    south = _press(page, frame, "ArrowDown")
    assert south["lat"] < east["lat"] and south["lng"] == pytest.approx(east["lng"], abs=1e-6)
    closer = _press(page, frame, "+")
    assert closer["zoom"] == south["zoom"] + 1
    farther = _press(page, frame, "-")
    assert farther["zoom"] == south["zoom"]
    assert start["zoom"] == east["zoom"] == south["zoom"]
    assert frame.evaluate(ON_CONTAINER)  # the keys left the focus where it was
    # No trap: Tab goes on through the map's controls and buttons, and out of the frame.
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(PAST_THE_FRAME):
            break
    else:
        raise AssertionError(f"the focus still in the map's frame after {MAX_TABS} presses of Tab")
