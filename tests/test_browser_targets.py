"""Sizes for pointers and for eyes, in Chromium: every pointer target of the page and of the map's
frame is at least 24 by 24 CSS px at 1400x900 (WCAG 2.2, 2.5.8), and at 200 % zoom the map's
place names neither overlap, nor leave the map, nor lie under its controls (1.4.4); the
workshop's buttons show their whole labels at 1280x720 and at 200 % zoom.

What counts as a target, and the criterion's exceptions taken (docs/ARCHITECTURE.md,
"Accessibility"):
- buttons, links, selects, text fields, [role=button|link|checkbox|radio|tab|slider|switch];
  a checkbox or radio button is measured by its label, which is what a click toggles, and a
  multiselect's text field by the whole control around it, which is what a click opens;
- the map's buttons, its legend, a group's list and an event's popup (opened by keyboard);
- inline links, in a sentence or a line of text (the map's attribution, a popup's citation), are
  excepted by the criterion and not measured: a link beside text of its parent's own;
- Streamlit's "Skip to main content", drawn only while focused (1 px until then), is measured
  once the first Tab has focused it;
- the map's event buttons (geo/web/panj-keys.js) take no pointer events: keyboard only, not
  targets (they are 24 px at least all the same);
- the sidebar charts' bars and rows (static/charts.js makes them buttons for the keyboard) fall
  under the criterion's "equivalent" exception: the From/To fields and the multiselects, measured
  here, set the same filters.
"""

from __future__ import annotations

from itertools import combinations

import pytest
from browsing import TIMEOUT_MS, map_frame

pytestmark = pytest.mark.browser

MIN_TARGET_PX = 24
# Every pointer target the document shows, as {name, width, height}, measured as said above.
SKIP_LINK = "[data-testid='stSkipToContent']"  # 1 px until focused: measured focused, on its own
_TARGETS = """() => {
  const SKIP_LINK = "%s";
  const selector = 'button, a[href], select, textarea, input:not([type=hidden]), summary, [role=button], [role=link],'
    + ' [role=checkbox], [role=radio], [role=tab], [role=slider], [role=switch]';
  const inline = e => e.tagName === 'A' && e.parentElement
    && [...e.parentElement.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
  const measured = e => {
    if (e.matches('input[type=checkbox], input[type=radio]') && e.closest('label')) { return e.closest('label'); }
    if (e.getAttribute('role') === 'combobox' && e.closest('[role=group]')) { return e.closest('[role=group]'); }
    return e;
  };
  const drawn = e => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const seen = new Set(), found = [];
  for (const e of document.querySelectorAll(selector)) {
    if (!drawn(e) || inline(e) || e.closest('.panj-keys, [data-testid=stVegaLiteChart]')) { continue; }
    const target = measured(e), box = target.getBoundingClientRect();
    if (seen.has(target) || e.matches(SKIP_LINK)) { continue; }
    seen.add(target);
    const name = (e.getAttribute('aria-label') || e.textContent || e.getAttribute('title') || e.tagName).trim().slice(0, 50);
    found.push({name, width: box.width, height: box.height});
  }
  return found;
}""" % SKIP_LINK
PAGES = {
    "opening": "/?basemap=none",
    # Chosen actors and a region: the multiselects show a tag each, with its remove button; the
    # GBAO events stand together, a group.
    "filtered": "/?basemap=none&region=gbao&actor=gbao-protesters&actor=tajik-government&from=2021-11&to=2022-06",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_pointer_targets_are_at_least_24_px(browser, app_url, name: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        page.goto(app_url + PAGES[name])
        frame = map_frame(page)
        page.wait_for_selector("[data-testid='stDataFrame']", state="attached", timeout=TIMEOUT_MS)
        # Streamlit's skip link, drawn once a first Tab focuses it.
        page.keyboard.press("Tab")
        skip = page.locator(SKIP_LINK)
        assert skip.evaluate("e => e === document.activeElement")
        skip_box = skip.bounding_box()
        assert skip_box["width"] >= MIN_TARGET_PX and skip_box["height"] >= MIN_TARGET_PX
        page.get_by_text("Export", exact=True).click()  # its fields and buttons too
        page.get_by_role("button", name="Render PNG").wait_for(timeout=TIMEOUT_MS)
        targets = page.evaluate(_TARGETS) + frame.evaluate(_TARGETS)
        assert len(targets) > 30  # the sidebar's, the map's, the export panel's and the table's
        # A group's list, then one of its events (with the button back to the list), by keyboard.
        frame.evaluate("() => [...document.querySelectorAll('.panj-key')]"
                       ".find(b => /^\\d+ events/.test(b.getAttribute('aria-label'))).focus()")
        page.keyboard.press("Enter")
        frame.wait_for_function("() => document.activeElement.classList.contains('panj-popup-row')", timeout=TIMEOUT_MS)
        rows = frame.evaluate(_TARGETS)
        assert len(rows) >= frame.locator(".leaflet-popup .panj-popup-row").count() >= 2
        page.keyboard.press("Enter")
        frame.locator(".leaflet-popup .panj-popup-back").wait_for(timeout=TIMEOUT_MS)
        popup = frame.evaluate(_TARGETS)
        assert sum(target["name"].startswith("‹ All") for target in popup) == 1  # back to the list
        assert {"Zoom in", "Zoom out", "Close popup"} <= {target["name"] for target in popup}
        targets += rows + popup
        small = [target for target in targets
                 if target["width"] < MIN_TARGET_PX - 0.01 or target["height"] < MIN_TARGET_PX - 0.01]
        assert small == [], name
    finally:
        context.close()


# 200 % zoom of a 1400x900 window, as a browser zooms: the layout gets half the CSS pixels
# (700x450) and draws each at two device pixels, so every name is twice its size on the screen.
ZOOMED = {"viewport": {"width": 700, "height": 450}, "device_scale_factor": 2}
_LABEL_BOXES = """() => [...document.querySelectorAll('.panj-label')].filter(e => !e.hidden)
  .map(e => { const r = e.getBoundingClientRect(); return {text: e.textContent, left: r.left, top: r.top, right: r.right, bottom: r.bottom}; })"""
_MAP_BOX = """() => { const r = document.querySelector('.leaflet-container').getBoundingClientRect();
  return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; }"""
_CONTROL_BOXES = """() => [...document.querySelectorAll('.leaflet-control')]
  .map(e => { const r = e.getBoundingClientRect(); return {text: e.className, left: r.left, top: r.top, right: r.right, bottom: r.bottom}; })
  .filter(b => b.right > b.left && b.bottom > b.top)"""


def _overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def test_names_at_200_percent_zoom_are_whole_and_apart(browser, app_url) -> None:
    context = browser.new_context(**ZOOMED)
    page = context.new_page()
    try:
        page.goto(f"{app_url}/?basemap=none")
        frame = map_frame(page)
        frame.wait_for_function("() => window.panjMap.labels().length > 0", timeout=TIMEOUT_MS)
        frame.evaluate("() => document.fonts.ready")
        boxes, view = frame.evaluate(_LABEL_BOXES), frame.evaluate(_MAP_BOX)
        texts = {box["text"] for box in boxes}
        assert {"TAJIKISTAN", "AFGHANISTAN"} <= {text.upper() for text in texts}, texts
        assert [(a["text"], b["text"]) for a, b in combinations(boxes, 2) if _overlap(a, b)] == []
        # The legend opens folded on a map this narrow, so it covers no event...
        assert frame.evaluate("() => !document.getElementById('panj-legend').classList.contains('panj-legend-open')")
        legend, groups = frame.locator("#panj-legend").bounding_box(), frame.evaluate("() => window.panjMap.groups()")
        assert [group for group in groups if legend["x"] <= group["x"] <= legend["x"] + legend["width"]
                and legend["y"] <= group["y"] <= legend["y"] + legend["height"]] == []
        # ...and no name lies under it or the zoom buttons.
        controls = frame.evaluate(_CONTROL_BOXES)
        assert len(controls) >= 2
        assert [(box["text"], control["text"]) for box in boxes for control in controls if _overlap(box, control)] == []
        outside = [box["text"] for box in boxes if not (view["left"] <= box["left"] and box["right"] <= view["right"]
                                                         and view["top"] <= box["top"] and box["bottom"] <= view["bottom"])]
        assert outside == []
        # The names are drawn at the map's own size, not shrunk to fit: 12 px or more.
        sizes = frame.evaluate("() => [...document.querySelectorAll('.panj-label')].filter(e => !e.hidden)"
                               ".map(e => parseFloat(getComputedStyle(e).fontSize))")
        assert min(sizes) >= 12
    finally:
        context.close()


# Streamlit cuts a button's label that does not fit with an ellipsis: the labels it has cut.
CUT_LABELS = """() => [...document.querySelectorAll('.st-key-panj-workshop button [data-testid=stMarkdownContainer]')]
    .filter(label => label.scrollWidth > label.clientWidth).map(label => label.textContent)"""


@pytest.mark.parametrize("size", [{"viewport": {"width": 1280, "height": 720}}, ZOOMED], ids=["1280x720", "200-percent"])
def test_the_step_buttons_show_their_whole_labels(browser, app_url, size: dict) -> None:
    context = browser.new_context(**size)
    page = context.new_page()
    try:
        page.goto(f"{app_url}/?basemap=none&scene=gbao-unrest")
        map_frame(page)
        buttons = [page.get_by_role("button", name=name) for name in ("◀ Previous", "Next ▶")]
        for button in buttons:
            button.wait_for(timeout=TIMEOUT_MS)
        assert page.evaluate(CUT_LABELS) == []
        # One row, the labels inside the window.
        boxes = [button.bounding_box() for button in buttons]
        assert boxes[0]["y"] == boxes[1]["y"] and boxes[1]["x"] + boxes[1]["width"] <= size["viewport"]["width"]
    finally:
        context.close()
