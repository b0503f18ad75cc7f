"""The map in Chromium, drawn from the simplified layer files (geo.outlines) and with popup text
written after the folder is published (geo.snapshot): the level drawn follows the zoom, and a
popup asked for before its text is written opens with it once it is.

The map is a standalone document of the shipped data, served from this process (the benchmark's
PageServer), so the test holds the snapshot whose popup text it delays."""

from __future__ import annotations

import json
import re
import threading
from urllib.parse import urlsplit

import pytest
from browsing import NEXT_FRAMES, TIMEOUT_MS
from snapshots import snapshot_of

from geo import eventdata, mapview, outlines, snapshot as snapshots
from geo.bench.maps import PageServer
from geo.layers import LAYERS_DIR

pytestmark = pytest.mark.usefixtures("static_dir")
LINE_AND_AREA_LAYERS = ("countries", "provinces", "gbao", "wakhan", "frontier")
READY = "() => window.panjMap && window.panjMap.ready"


def _document(snapshot, **view) -> bytes:
    view = mapview.MapView(visible_layers=tuple(snapshot.layers), basemap="none", **view)
    return mapview.standalone_html(mapview.build_map(snapshot.map_layers, snapshot.events, snapshot.vocabulary, view,
                                                     data=snapshot.map_data(), basemaps=snapshot.basemaps)).encode()


def _expected_file(layer: str, zoom: float) -> str:
    """The file of a layer drawn at ``zoom``: the first level made for that zoom or beyond."""
    if layer in LINE_AND_AREA_LAYERS:
        level = next((level for level in outlines.DETAIL_ZOOMS if zoom <= level), None)
        if level is not None:
            return mapview.level_file_name(layer, level)
    return f"{layer}.geojson"


def _zoom_to(page, zoom: int) -> None:
    page.evaluate(f"() => window.panjMap.map.setZoom({zoom}, {{animate: false}})")
    page.wait_for_function(READY, timeout=TIMEOUT_MS)
    page.evaluate(NEXT_FRAMES)


def test_each_layer_is_drawn_from_the_level_of_the_zoom(page) -> None:
    snapshot = snapshot_of(LAYERS_DIR)
    fetched: list[str] = []
    page.on("requestfinished", lambda request: fetched.append(urlsplit(request.url).path.rsplit("/", 1)[1])
            if request.url.endswith(".geojson") else None)
    with PageServer() as server:
        server.document = _document(snapshot)
        page.goto(server.url)
        page.wait_for_function(READY, timeout=TIMEOUT_MS)
        # (zoom, the zoom the files are then chosen for): a step of one keeps the drawing.
        for zoom, chosen in ((None, None), (5, 5), (6, 5), (8, 8), (10, 10)):
            if zoom is not None:
                _zoom_to(page, zoom)
            at, detail = page.evaluate("() => [window.panjMap.map.getZoom(), window.panjMap.detailZoom]")
            assert detail == (at if chosen is None else chosen) and abs(at - detail) <= 1
            drawn = page.evaluate("""() => Object.fromEntries(Object.entries(window.panjMap.layers)
                .map(([id, layer]) => [id, layer.file.split('/').pop()]))""")
            assert drawn == {layer: _expected_file(layer, detail) for layer in snapshot.layers}, at
            # Each file fetched once (a level one step away before it is needed), however often drawn.
            assert set(drawn.values()) <= set(fetched) and sorted(fetched) == sorted(set(fetched))
            assert page.evaluate("() => Object.values(window.panjMap.layers).every(layer => layer.visible)")
        assert page.evaluate("() => window.panjMap.error") is None


def test_a_figure_draws_every_layer_at_full_detail() -> None:
    snapshot = snapshot_of(LAYERS_DIR)
    view = mapview.MapView(visible_layers=tuple(snapshot.layers), basemap="none")
    for for_export, levels in ((False, True), (True, False)):
        document = mapview.standalone_html(mapview.build_map(
            snapshot.map_layers, snapshot.events, snapshot.vocabulary, view, data=snapshot.map_data(),
            basemaps=snapshot.basemaps, for_export=for_export))
        specs = [json.loads(spec) for spec in re.findall(r"panj\.addVectorLayer\((\{.*?\})\);", document)]
        assert {spec["id"]: bool(spec["levels"]) for spec in specs} == \
            {layer: levels and layer in LINE_AND_AREA_LAYERS for layer in snapshot.map_layers}


def test_a_popup_asked_for_before_its_text_is_written_opens_with_it(page, monkeypatch) -> None:
    release = threading.Event()
    written = eventdata.popup_files

    def held(events, details=None):
        assert release.wait(TIMEOUT_MS / 1000), "the test never released the popup text"
        yield from written(events, details)

    monkeypatch.setattr(snapshots.eventdata, "popup_files", held)
    snapshot = snapshot_of(LAYERS_DIR)
    # The expectation from the event's own file, not from what the snapshot made of it.
    shipped = json.loads(next((LAYERS_DIR / "events").glob("*.json")).read_text(encoding="utf-8"))
    event = shipped["events"][0]
    with PageServer() as server:
        server.document = _document(snapshot)
        page.goto(server.url)
        page.wait_for_function(READY, timeout=TIMEOUT_MS)
        page.evaluate("id => window.panjMap.openEvent(id)", event["id"])
        page.locator(".panj-popup-loading").wait_for(timeout=TIMEOUT_MS)
        assert not snapshot.popups_written(0)
        release.set()
        title = page.locator(".panj-popup h4")
        title.wait_for(timeout=TIMEOUT_MS)
        assert title.inner_text() == event["title"]
        assert snapshot.popups_written(0)
