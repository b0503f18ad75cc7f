"""The page in headless Chromium: the map draws, follows the sidebar without remounting, restores
a URL, makes no outside request with ``?basemap=none``, and shows hostile text as text.

The map lives in streamlit-folium's iframe; its runtime reports on ``window.panjMap``.
"""

from __future__ import annotations

import io
import re
import urllib.request
from urllib.parse import urlsplit

import pytest
from browsing import TIMEOUT_MS, count_text as _count, map_frame as _map_frame
from PIL import Image
from snapshots import load_joined_events

import geo.layers

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"


def _wait_drawn(frame, count: int) -> None:
    frame.wait_for_function(f"() => window.panjMap.ready && window.panjMap.eventsDrawn === {count}", timeout=TIMEOUT_MS)


def test_map_draws_layers_and_every_filtered_event(page, app_url) -> None:
    page.goto(app_url)
    frame = _map_frame(page)
    assert frame.locator(".leaflet-container").count() == 1
    assert frame.locator("path.panj-layer-frontier").count() >= 1
    shown, total = _count(page)
    assert shown == total == len(load_joined_events())
    _wait_drawn(frame, shown)
    assert frame.locator("#panj-legend").is_visible()
    assert frame.locator(".leaflet-control-scale").count() == 1


def test_layer_toggle_and_filter_do_not_remount_the_map(page, app_url) -> None:
    page.goto(app_url)
    frame = _map_frame(page)
    frame.evaluate("() => { window.panjProbe = 'same map'; }")
    frontier_title = geo.layers.load_layers()["frontier"].spec.title
    page.get_by_text(frontier_title, exact=True).click()
    frame.wait_for_function("() => document.querySelectorAll('path.panj-layer-frontier').length === 0", timeout=TIMEOUT_MS)
    assert frame.evaluate("() => window.panjMap.layers.frontier.visible") is False

    page.get_by_label("Search titles and summaries").fill("border")
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.body.innerText.match(/(\\d+) of \\1 events/)", timeout=TIMEOUT_MS)
    shown, _ = _count(page)
    _wait_drawn(frame, shown)
    assert frame.evaluate("() => window.panjProbe") == "same map"
    page.wait_for_function("() => window.location.search.includes('q=border')", timeout=TIMEOUT_MS)
    assert "frontier" not in page.url.split("layers=")[1].split("&")[0]


def test_url_restores_filters(page, app_url) -> None:
    expected = 2  # China's events: its assistance since 2016 and the post near Shaymak (layers/events/)
    page.goto(f"{app_url}/?actor=china&basemap=none")
    frame = _map_frame(page)
    assert _count(page) == (expected, 30)
    _wait_drawn(frame, expected)
    assert frame.evaluate("() => window.panjMap.basemap") == "none"


def test_basemap_none_makes_no_outside_request(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    frame = _map_frame(page)
    _wait_drawn(frame, _count(page)[0])
    assert frame.locator(".leaflet-tile").count() == 0
    assert page.outside_requests == []


def test_hostile_title_shows_as_text_and_runs_nothing(page, hostile_app_url) -> None:
    page.goto(f"{hostile_app_url}/?basemap=none")
    frame = _map_frame(page)
    _wait_drawn(frame, 3)
    # Click the hostile event's marker; its popup must show the title as text.
    x, y = frame.evaluate(
        """() => { const m = window.panjMap.map, p = m.latLngToContainerPoint([37.49, 71.55]);
                   return [p.x, p.y]; }"""
    )
    frame.locator(".leaflet-container").click(position={"x": x, "y": y})
    title = frame.locator(".panj-popup h4")
    title.wait_for(timeout=TIMEOUT_MS)
    assert title.inner_text() == HOSTILE
    assert frame.locator("img[src='x']").count() == 0
    assert page.dialogs == []
    assert page.outside_requests == []


def test_layers_come_from_cacheable_static_files(page, app_url) -> None:
    fetched = []
    page.on("response", lambda response: fetched.append((urlsplit(response.url).path, response.status))
            if "/vendor/data/" in response.url else None)
    page.goto(f"{app_url}/?basemap=none")
    frame = _map_frame(page)
    # The frontier strip under the map reads the same folder's dates and strip columns (static/strip.js).
    page.wait_for_function("() => window.panjStrip && window.panjStrip.update > 0", timeout=TIMEOUT_MS)
    visible = [layer_id for layer_id, layer in geo.layers.load_layers().items() if layer.spec.visible]
    # Every visible layer fetched, from a content-hashed static URL, and drawn, at one detail (its
    # own file, or one simplified for the map's zoom: geo.outlines; the levels a zoom step away
    # may follow); each file once; the events' compact file and its ids, the labels and the strip's
    # two files once too, and no popup's text before a popup opens.
    paths = sorted(path for path, status in fetched if status == 200)
    names = [path.rsplit("/", 1)[1] for path in paths]
    drawn = frame.evaluate(
        "() => Object.values(window.panjMap.layers).filter(l => l.visible).map(l => l.file.split('/').pop())")
    assert sorted(re.sub(r"\.z\d+\.geojson$", ".geojson", name) for name in drawn) == sorted(
        f"{layer_id}.geojson" for layer_id in visible)
    assert len(names) == len(set(names)) and set(drawn) | {"events.bin.gz", "events-ids.bin.gz", "labels.json"} <= set(names)
    assert {re.sub(r"\.z\d+\.geojson$", ".geojson", name) for name in names} == \
        {f"{layer_id}.geojson" for layer_id in visible} | {"events.bin.gz", "events-ids.bin.gz", "labels.json", "dates.bin.gz",
                                                         "strip.bin.gz"}
    assert all(re.fullmatch(r"/app/static/vendor/data/[0-9a-f]{16}/[a-z0-9-]+(\.z\d+)?\.(geojson|bin\.gz|json)", path)
               for path in paths)
    # The columns files are gzip already: served as they are, the server does not compress them
    # again on every request (docs/ARCHITECTURE.md, "Events in the browser").
    for path in paths:
        if path.endswith(".bin.gz"):
            with urllib.request.urlopen(urllib.request.Request(app_url + path, headers={"Accept-Encoding": "gzip"})) as answer:
                assert (answer.headers["Content-Type"], answer.headers["Content-Encoding"]) == ("application/gzip", None)
                assert answer.read(2) == b"\x1f\x8b"  # the file's own gzip
    assert frame.evaluate("() => Object.values(window.panjMap.layers).filter(l => l.visible).length") == len(visible)
    assert frame.evaluate("() => window.panjMap.error") is None


def test_wide_legend_is_open_top_right_and_folds(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    frame = _map_frame(page)
    legend, body = frame.locator("#panj-legend"), frame.locator(".panj-legend-body")
    assert body.is_visible()
    # top right of the map (coordinates inside the map's frame)
    right, top, width = frame.evaluate(
        """() => { const r = document.getElementById('panj-legend').getBoundingClientRect(),
                         c = window.panjMap.map.getContainer().getBoundingClientRect();
                   return [r.right - c.left, r.top - c.top, c.width]; }"""
    )
    assert right > width - 20 and top < 20
    # No event symbol lies under the open legend at this width.
    covered = frame.evaluate(
        """() => { const c = window.panjMap.map.getContainer().getBoundingClientRect(),
                         r = document.getElementById('panj-legend').getBoundingClientRect();
                   return window.panjMap.groups().filter(g => g.x + c.left >= r.left && g.x + c.left <= r.right
                                                           && g.y + c.top >= r.top && g.y + c.top <= r.bottom).length; }"""
    )
    assert covered == 0
    frame.locator(".panj-legend-toggle").click()
    body.wait_for(state="hidden", timeout=TIMEOUT_MS)
    assert frame.locator(".panj-legend-toggle").get_attribute("aria-expanded") == "false"
    assert legend.bounding_box()["height"] < 40  # folded to its button (one line)


def test_phone_width_collapses_the_legend(browser, app_url) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(f"{app_url}/?basemap=none")
        frame = _map_frame(page)
        body = frame.locator(".panj-legend-body")
        assert not body.is_visible()
        frame.locator(".panj-legend-toggle").click()
        body.wait_for(state="visible", timeout=TIMEOUT_MS)
        assert frame.locator(".panj-legend-toggle").get_attribute("aria-expanded") == "true"
    finally:
        context.close()


def test_presenter_view_fills_the_window_with_a_legible_caption(browser, app_url) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{app_url}/?scene=russia&presenter=1")
        _map_frame(page)
        page.get_by_role("button", name="Next ▶").click()
        title = page.locator(".panj-caption h3")
        title.wait_for(state="visible", timeout=TIMEOUT_MS)
        box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
        assert box["width"] >= 0.9 * 1280
        assert box["y"] + box["height"] >= 800 - 1  # reaches the bottom of the window
        assert float(title.evaluate("node => getComputedStyle(node).fontSize").removesuffix("px")) >= 20
        assert title.inner_text().strip()
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        assert page.get_by_role("button", name="◀ Previous").is_visible()
    finally:
        context.close()


def test_render_png_uses_the_view_on_screen_and_offers_the_download(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    frame = _map_frame(page)
    # Pan and zoom inside the map: no rerun happens, yet the export must use this view.
    bbox = frame.evaluate(
        """() => { const m = window.panjMap.map; m.setView([37.9, 71.6], 8, {animate: false});
                   const b = m.getBounds();
                   return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }"""
    )
    page.get_by_text("Export", exact=True).click()
    page.get_by_role("button", name="Render PNG").click()
    download = page.get_by_role("button", name="Download PNG")
    download.wait_for(timeout=120_000)
    rendered = page.get_by_text(re.compile(r"Rendered: \d+×\d+ px of")).inner_text()
    numbers = [float(value) for value in re.search(r"of ([-\d., ]+) \(W", rendered).group(1).split(", ")]
    assert numbers == pytest.approx(bbox, abs=1e-4)
    # The figure's text alternative is the view in words under the map, less its pointer to the table.
    in_words = page.locator(".panj-summary").inner_text().removesuffix(
        " The table under the map lists every event shown, with the same filters.")
    assert in_words.startswith("Showing 30 of 30 events")
    alternative = page.get_by_text("Text alternative (the file's Description): ")
    assert alternative.inner_text().strip() == f"Text alternative (the file's Description): {in_words}"
    with page.expect_download(timeout=TIMEOUT_MS) as downloading:
        download.click()
    with Image.open(downloading.value.path()) as image:
        assert image.text["Description"] == in_words
    assert page.outside_requests == []


def test_panning_writes_the_view_into_the_url_and_a_copied_link_reopens_it(page, app_url, browser) -> None:
    page.goto(f"{app_url}/?basemap=none")
    frame = _map_frame(page)
    # Panning reruns nothing (returned_objects=[]); the map writes its view into the page's URL.
    bbox = frame.evaluate(
        """() => { const m = window.panjMap.map; m.setView([38.2, 71.9], 9, {animate: false});
                   const b = m.getBounds(); return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }"""
    )
    page.wait_for_function(
        """(want) => { const m = location.search.match(/bbox=([^&]+)/);
                       if (!m) { return false; }
                       const got = decodeURIComponent(m[1]).split(',').map(Number);
                       return got.every((v, i) => Math.abs(v - want[i]) < 1e-4); }""",
        arg=bbox, timeout=TIMEOUT_MS,
    )
    copied = page.url

    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        other.goto(copied)
        reopened = _bounds(_map_frame(other))
        _assert_same_view(reopened, bbox)
    finally:
        other.context.close()


def _bounds(frame) -> list[float]:
    return frame.evaluate(
        """() => { const b = window.panjMap.map.getBounds();
                   return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }"""
    )


def _assert_same_view(got: list[float], want: list[float], tolerance: float = 0.02) -> None:
    """Each edge within ``tolerance`` of the box's width (west, east) or height (south, north)."""
    width, height = want[2] - want[0], want[3] - want[1]
    for edge, (got_value, want_value) in enumerate(zip(got, want)):
        span = width if edge % 2 == 0 else height
        assert abs(got_value - want_value) <= tolerance * span, f"edge {edge}: {got} vs {want}"


def test_bbox_in_the_url_opens_exactly_that_view(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    frame = _map_frame(page)
    # A box the map's own shape at zoom 8.4: whole-level fitting would open it at zoom 8, ~30% wider.
    bbox = frame.evaluate(
        """() => { const m = window.panjMap.map, z = 8.4, half = m.getSize().divideBy(2),
                         c = m.project([38.0, 71.5], z);
                   const sw = m.unproject(c.add([-half.x, half.y]), z), ne = m.unproject(c.add([half.x, -half.y]), z);
                   return [sw.lng, sw.lat, ne.lng, ne.lat].map(v => Math.round(v * 1e4) / 1e4); }"""
    )
    page.goto(f"{app_url}/?basemap=none&bbox={','.join(str(value) for value in bbox)}")
    frame = _map_frame(page)
    assert frame.evaluate("() => window.panjMap.map.getZoom()") == pytest.approx(8.4, abs=0.05)
    _assert_same_view(_bounds(frame), bbox)


def test_area_outlines_are_drawn_from_layers_that_stay_hidden(page, app_url) -> None:
    events = load_joined_events()
    area = events[[geometry.geom_type not in ("Point", "MultiPoint") for geometry in events.geometry]]
    hidden = {place.split(":")[0] for place in area["place"]} - {"frontier"}
    assert {"countries", "gbao"} <= hidden
    page.goto(f"{app_url}/?basemap=none&layers=frontier")
    frame = _map_frame(page)
    _wait_drawn(frame, len(events))
    # Each area event's outline comes from its layer's file; the layer itself is not shown.
    assert frame.evaluate("() => window.panjMap.extentsDrawn") == len(area)
    for layer_id in hidden:
        assert frame.evaluate(f"() => window.panjMap.layers[{layer_id!r}].visible") is False
        assert frame.locator(f"path.panj-layer-{layer_id}").count() == 0
    painted = frame.evaluate(
        """() => { const canvas = document.querySelector('.leaflet-panjExtents-pane canvas'),
                         pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                   let count = 0; for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) count += 1; }
                   return count; }"""
    )
    assert painted > 1_000
    assert frame.evaluate("() => window.panjMap.error") is None


# The frontier layer's colour in layers/manifest.json (#d62728). A dash of the events' grey outline
# (#555555 at 0.8) over it has a red channel of about 111; the line's antialiased edge and a name's
# white halo only lighten it.
FRONTIER_RED = (0xD6, 0x27, 0x28)
RED_TOLERANCE = 30


def test_area_outlines_along_the_frontier_leave_its_red_unchanged(page, app_url) -> None:
    # The article's event on the frontier line itself outlines the whole line in dashed grey, and
    # GBAO's, Badakhshan's and Takhar's events their edges along it.
    # The Panj stretch's events: the Shaymak post's halo, which crosses the line, is not among them.
    page.goto(f"{app_url}/?basemap=none&layers=frontier&stretch=panj")
    frame = _map_frame(page)
    _wait_drawn(frame, _count(page)[0])
    assert frame.evaluate("() => window.panjMap.extentsDrawn") >= 9  # the frontier's, GBAO's six, two provinces'
    # Every 2 px along the frontier as drawn, the pixel on its middle, unless a symbol, a name or a
    # control lies on it.
    pixels = frame.evaluate(
        """() => { const panj = window.panjMap, map = panj.map, labels = panj.labels(), circles = panj.symbols(),
                         box = map.getContainer().getBoundingClientRect(),
                         controls = [...map.getContainer().querySelectorAll('.leaflet-control')]
                           .map(c => c.getBoundingClientRect());
                   const inside = (r, x, y) => x >= r.left - 4 && x <= r.right + 4 && y >= r.top - 4 && y <= r.bottom + 4;
                   const out = [];
                   for (const path of document.querySelectorAll('path.panj-layer-frontier')) {
                     const matrix = path.getScreenCTM();
                     for (let at = 0; at < path.getTotalLength(); at += 2) {
                       const p = new DOMPoint(path.getPointAtLength(at).x, path.getPointAtLength(at).y).matrixTransform(matrix);
                       if (p.x < box.left + 4 || p.y < box.top + 4 || p.x > box.right - 4 || p.y > box.bottom - 4 ||
                           circles.some(c => Math.hypot(c.x + box.left - p.x, c.y + box.top - p.y) < c.r + 4) ||
                           labels.some(l => inside(l.box, p.x, p.y)) || controls.some(r => inside(r, p.x, p.y))) { continue; }
                       out.push([Math.floor(p.x), Math.floor(p.y)]);
                     }
                   }
                   return out; }"""
    )
    assert len(pixels) > 100
    image = Image.open(io.BytesIO(frame.frame_element().screenshot())).convert("RGB")
    seen = [image.getpixel((x, y)) for x, y in pixels]
    assert [colour for colour in seen if colour[0] < FRONTIER_RED[0] - RED_TOLERANCE] == []  # nothing darker
    red = [colour for colour in seen
           if max(abs(a - b) for a, b in zip(colour, FRONTIER_RED, strict=True)) <= RED_TOLERANCE]
    assert len(red) >= 0.8 * len(seen)  # the samples lie on the line


def _url_bbox_matches_map(page, frame, wanted: str) -> None:
    """Wait until the page's URL carries ``wanted`` (a query fragment) and, as bbox, the map's view."""
    page.wait_for_function(
        """([wanted, view]) => { const search = decodeURIComponent(location.search), m = search.match(/bbox=([^&]+)/);
                                 if (!search.includes(wanted) || !m) { return false; }
                                 const got = m[1].split(',').map(Number);
                                 return got.every((v, i) => Math.abs(v - view[i]) < 1e-4); }""",
        arg=[wanted, _bounds(frame)], timeout=TIMEOUT_MS,
    )


def test_the_url_keeps_the_panned_view_when_a_filter_changes(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    frame = _map_frame(page)
    frame.evaluate("() => window.panjMap.map.setView([38.2, 71.9], 9, {animate: false})")
    _url_bbox_matches_map(page, frame, "basemap=none")
    # Streamlit rewrites the URL from what its server knows (no bbox: panning reran nothing).
    page.get_by_label("Search titles and summaries").fill("border")
    page.keyboard.press("Enter")
    _url_bbox_matches_map(page, frame, "q=border")
    shown, _ = _count(page)
    _wait_drawn(frame, shown)
    _url_bbox_matches_map(page, frame, "q=border")  # still the view on screen once the map has updated
    assert frame.evaluate("() => window.panjMap.map.getZoom()") == 9


_ALL_EVENTS_IN_VIEW = """() => { const inside = window.panjMap.groups().reduce((n, g) => n + g.ids.length, 0);
                                 return inside > 0 && inside === window.panjMap.eventsDrawn; }"""


def test_fit_to_events_again_after_panning_away(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    frame = _map_frame(page)
    _wait_drawn(frame, _count(page)[0])
    fit = page.get_by_role("button", name="Fit to events")
    for _ in range(2):
        frame.evaluate("() => window.panjMap.map.setView([30.0, 60.0], 10, {animate: false})")  # far from every event
        assert frame.evaluate(_ALL_EVENTS_IN_VIEW) is False
        fit.click()
        frame.wait_for_function(_ALL_EVENTS_IN_VIEW, timeout=TIMEOUT_MS)


_DRAWN_IDS = """() => { const m = window.panjMap.map; m.setView([34, 68], 3, {animate: false});
                        return window.panjMap.groups().flatMap(g => g.ids).sort(); }"""


@pytest.mark.parametrize("query", ["actor=china", "status=planned&status=announced", "actor=russia&type=military-presence"])
def test_the_map_draws_exactly_the_events_the_filters_show(page, app_url, query) -> None:
    """The server filters and sends the map one bit per event: the events drawn are the ones the
    filters pick, read here from the events file itself (layers/events/)."""
    events = load_joined_events()
    wanted = {key: values for key, values in (part.split("=") for part in query.split("&"))}
    statuses = [value.split("=")[1] for value in query.split("&") if value.startswith("status=")]
    expected = sorted(
        event_id for event_id, actors, kind, status in zip(events["id"], events["actors"], events["event_type"], events["status"])
        if ("actor" not in wanted or wanted["actor"] in actors) and ("type" not in wanted or wanted["type"] == kind)
        and (not statuses or status in statuses))
    assert 0 < len(expected) < len(events)
    page.goto(f"{app_url}/?{query}&basemap=none")
    frame = _map_frame(page)
    assert _count(page)[0] == len(expected)
    _wait_drawn(frame, len(expected))
    assert frame.evaluate(_DRAWN_IDS) == expected
