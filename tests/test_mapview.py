"""geo.mapview without a browser: the generated document's layers, data, assets and escaping."""

from __future__ import annotations

import base64
import json
import re
import zlib
from pathlib import Path

import pandas as pd
import pytest

from geo import assets, eventdata, mapview
from geo.events import Document, PartialDate, load_vocabulary
from geo.join import load_joined_events
from geo.layers import load_layers

FIXTURE = Path(__file__).parent / "fixtures" / "layers-hostile"
HOSTILE = "<img src=x onerror=alert(1)>"
CDN_HOSTS = ("cdn.jsdelivr", "unpkg", "cdnjs", "bootstrapcdn", "code.jquery")


@pytest.fixture(scope="module")
def data():
    layers = load_layers(FIXTURE)
    return layers, load_joined_events(FIXTURE), load_vocabulary(FIXTURE), mapview.load_basemaps(FIXTURE)


def _render(data, **view) -> str:
    layers, events, vocabulary, basemaps = data
    view = mapview.MapView(**{"visible_layers": tuple(layers), "basemap": "none", **view})
    return mapview.standalone_html(mapview.build_map(layers, events, vocabulary, view, basemaps=basemaps))


def _update(html: str) -> dict:
    """The one update the events layer sends the map runtime (window.panjMap.update's data)."""
    marker = re.compile(r"window\.panjMap\.update\([a-z_0-9]+, ")
    starts = [match.end() for match in marker.finditer(html)]
    assert len(starts) == 1
    return json.JSONDecoder().raw_decode(html, starts[0])[0]


def _events_data(html: str) -> dict:
    """What the browser reads of the events the update names: the compact file's header, columns
    and ids, and every popup file's rows as {column: value} (geo.eventdata's format)."""
    url = _update(html)["data"]["url"]
    header, columns, ids = eventdata.read_events_file(assets.local_file(url).read_bytes())
    folder = assets.local_file(url).parent
    details = []
    for chunk in range(len(list(folder.glob("details-*.json")))):
        part = json.loads((folder / f"details-{chunk}.json").read_text(encoding="utf-8"))
        details += [dict(zip(part["columns"], row)) for row in part["rows"]]
    return {"header": header, "columns": columns, "ids": ids, "details": details}


def _styles(data: dict) -> dict[str, list]:
    """Event id -> its style: [event type, actors, status, location precision]."""
    return {event_id: data["header"]["styles"][code] for event_id, code in zip(data["ids"], data["columns"]["style"])}


def _areas(data: dict) -> dict[str, str | None]:
    """Event id -> "layer:feature" of the outline standing for its place, or None."""
    areas = data["header"]["areas"]
    return {event_id: None if code == 0 else f"{areas[code - 1]['layer']}:{areas[code - 1]['feature']}"
            for event_id, code in zip(data["ids"], data["columns"]["area"])}


def _layer_specs(html: str) -> list[dict]:
    return [json.loads(spec) for spec in re.findall(r"panj\.addVectorLayer\((\{.*?\})\);", html)]


def test_frontier_layer_is_present_with_its_colour(data) -> None:
    html = _render(data)
    specs = _layer_specs(html)
    assert [spec["id"] for spec in specs] == list(data[0])  # every manifest layer, in drawing order
    frontier = next(spec for spec in specs if spec["id"] == "frontier")
    assert frontier["style"]["color"] == "#d62728"
    assert "fillColor" not in frontier["style"]  # null in the manifest: left to Leaflet
    assert frontier["features"] == 1
    assert _update(html)["layers"] == ["countries", "provinces", "gbao", "wakhan", "frontier", "places", "posts"]


def test_events_are_a_file_not_map_code(data) -> None:
    html = _render(data)
    events = _events_data(html)
    assert events["ids"] == list(data[1]["id"]) and events["header"]["count"] == 3
    assert [text["id"] for text in events["details"]] == list(data[1]["id"])  # popup text in the same rows
    assert "may-talks" not in html  # no event in the document: only the file's address
    assert "L.marker(" not in html and "L.circleMarker(" not in html


def test_imprecise_places_carry_their_extent_not_a_pin(data) -> None:
    events = _events_data(_render(data))
    assert _areas(events) == {"may-talks": "provinces:badakhshan", "hostile": None, "old-post": "wakhan:wakhan"}
    assert {event_id: style[3] for event_id, style in _styles(events).items()} == {
        "may-talks": "province", "hostile": "exact", "old-post": "region"}
    # The outline is drawn from the layer's own (cached) file: the file names layer and feature.
    assert sorted(events["header"]["areas"], key=str) == [{"layer": "provinces", "feature": "badakhshan"},
                                                          {"layer": "wakhan", "feature": "wakhan"}]


def test_a_rerun_sends_a_mask_not_the_events() -> None:
    """On the shipped data, where most events are area-level (countries, GBAO, the Wakhan,
    provinces): the page publishes the events once; the overlay sent on every rerun names the file
    and says which rows to show in one bit each, with no outline vertex and no event text."""
    layers, events, vocabulary = load_layers(), load_joined_events(), load_vocabulary()
    area = [geometry.geom_type not in ("Point", "MultiPoint") for geometry in events.geometry]
    assert sum(area) >= 10
    from streamlit_folium import _get_feature_group_string

    published = eventdata.publish_events(events, layers)
    base = mapview.build_base_map(layers, vocabulary, basemaps=mapview.load_basemaps())
    view = mapview.MapView(visible_layers=(), basemap="none")
    shown = events.iloc[[0, 3, 29]]
    # The script streamlit-folium sends as feature_group_to_add on each rerun.
    overlay = _get_feature_group_string(
        mapview.events_overlay(shown, vocabulary, layers, view, published=published), base)
    update = _update(overlay)
    assert update["data"] == {"url": published.url, "count": 30}
    # 30 rows: four bytes, rows 0, 3 and 29 set (the first row the first byte's top bit).
    assert zlib.decompress(base64.b64decode(update["mask"])) == bytes([0b10010000, 0, 0, 0b00000100])
    assert not any(title in overlay for title in events["title"])
    everything = _update(_get_feature_group_string(
        mapview.events_overlay(events, vocabulary, layers, view, published=published), base))
    assert everything["mask"] is None  # all shown: no mask at all
    data = _events_data(overlay)
    assert {_areas(data)[event_id] for event_id in events.loc[area, "id"]} == set(events.loc[area, "place"])


def test_area_event_outside_the_maps_layers_is_an_error(data) -> None:
    layers, events, vocabulary, _ = data
    without_provinces = {layer_id: layer for layer_id, layer in layers.items() if layer_id != "provinces"}
    with pytest.raises(ValueError, match=r"event 'may-talks': place 'provinces:badakhshan' is not a feature"):
        eventdata.publish_events(events, without_provinces)


@pytest.mark.parametrize(("points", "expected"), [
    # spread events: 10% of the extent added on every side
    ([(68.0, 36.0), (73.0, 40.0)], (67.5, 35.6, 73.5, 40.4)),
    # one event: a 1-degree box around it, not a street-level zoom
    ([(71.5, 37.5)], (71.0, 37.0, 72.0, 38.0)),
    # spread along one axis only: the other axis still gets the minimum span
    ([(70.0, 37.0), (74.0, 37.0)], (69.6, 36.5, 74.4, 37.5)),
    # near the edge of the world: clamped to what the map and a URL's bbox accept
    ([(-179.9, 84.9)], (-180.0, 84.4, -179.4, 85.0)),
])
def test_events_bounds_have_a_margin(points, expected) -> None:
    frame = pd.DataFrame({"lon": [lon for lon, _ in points], "lat": [lat for _, lat in points]})
    assert mapview.events_bounds(frame) == pytest.approx(expected)


def test_events_bounds_without_events_is_none() -> None:
    assert mapview.events_bounds(pd.DataFrame({"lon": [], "lat": []})) is None


def test_no_cdn_and_assets_under_the_static_prefix(data) -> None:
    html = _render(data)
    for host in CDN_HOSTS:
        assert host not in html
    sources = re.findall(r'<script src="([^"]+)"', html) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert sources and all(source.startswith(assets.STATIC_URL) for source in sources)
    assert "L.tileLayer(" not in html  # basemap none: no tile layer at all


def test_street_basemap_declares_only_its_tiles(data) -> None:
    html = _render(data, basemap="street")
    assert re.findall(r'L\.tileLayer\("([^"]+)"', html) == ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"]
    assert "OpenStreetMap" in html


def test_hostile_title_is_escaped_everywhere(data) -> None:
    html = _render(data, highlight="hostile")
    assert HOSTILE not in html
    assert "<script>alert(2)" not in html
    # Layer labels reach the page only as data (escaped on display by the runtime).
    assert "Frontier <b>line</b>" not in html
    # Event text reaches the browser only in the popup files, as JSON data.
    assert {text["id"]: text["title"] for text in _events_data(html)["details"]}["hostile"] == HOSTILE


def test_legend_lists_visible_layers_and_present_terms(data) -> None:
    layers, events, vocabulary, _ = data
    items = mapview.legend_items(layers, vocabulary, visible_layers=("frontier",), events=events)
    assert [item.key for item in items if item.section == "Layers"] == ["frontier"]
    assert {item.key for item in items if item.section == "Actors"} == {"taliban", "russia", "china"}
    html = _render(data, visible_layers=("frontier", "posts"))
    assert html.count("data-panj-legend-layer=") == 2


def test_legend_escapes_its_labels(data) -> None:
    layers, events, vocabulary, _ = data
    fmap = mapview.build_base_map(layers, vocabulary, basemaps=data[3], legend=[
        mapview.LegendItem("Layers", "x", HOSTILE, "line", stroke='"><script>')])
    html = mapview.standalone_html(fmap)
    assert HOSTILE not in html and '"><script>' not in html


def test_highlight_fit_and_attribution(data) -> None:
    update = _update(_render(data, highlight="may-talks", bounds=(68.0, 36.0, 72.0, 38.5)))
    assert update["highlight"] == "may-talks"
    assert update["bounds"] == [[36.0, 68.0], [38.5, 72.0]]  # Leaflet's [[south, west], [north, east]]
    layers, _, _, basemaps = data
    text = mapview.attribution_text(layers, mapview.MapView(("frontier", "posts"), "street"), basemaps)
    assert text == "Test fixture; Basemap: (C) OpenStreetMap contributors"


def test_unknown_basemap_is_an_error(data) -> None:
    with pytest.raises(ValueError, match="unknown basemap 'mapbox'"):
        _render(data, basemap="mapbox")


def test_base_map_code_is_identical_across_builds(data) -> None:
    """streamlit-folium remounts the map when the base map's script changes (docs/ARCHITECTURE.md)."""
    from streamlit_folium import _get_map_string, generate_js_hash

    layers, _, vocabulary, basemaps = data
    scripts = [_get_map_string(mapview.build_base_map(layers, vocabulary, basemaps=basemaps)) for _ in range(2)]
    assert generate_js_hash(scripts[0]) == generate_js_hash(scripts[1])


def test_layer_geometry_is_a_static_file_not_map_code(data) -> None:
    layers = data[0]
    html = _render(data)
    assert '"coordinates"' not in html.split("window.panjMap.update")[0]  # no layer geometry before the events
    for spec in _layer_specs(html):
        # /app/static/vendor/data/<content hash>/<layer>.geojson, served by Streamlit and the exporter alike
        assert re.fullmatch(rf"{assets.STATIC_URL}vendor/data/[0-9a-f]{{16}}/{spec['id']}\.geojson", spec["url"])
        collection = json.loads(assets.local_file(spec["url"]).read_text(encoding="utf-8"))
        layer = layers[spec["id"]]
        assert [feature["geometry"] for feature in collection["features"]] == [f["geometry"] for f in layer.features]
        # only the id and the label: sources and other properties stay in the layer files
        for feature in collection["features"]:
            assert set(feature["properties"]) <= {"id", layer.spec.label_field}
    assert mapview.publish_layers(layers) == {spec["id"]: spec["url"] for spec in _layer_specs(html)}


def test_data_urls_follow_the_content(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(assets, "STATIC_DIR", tmp_path)
    monkeypatch.setattr(assets, "_DATA_DIR", tmp_path / "vendor" / "data")
    first = assets.publish_data("test-layer.geojson", b'{"features": [1]}')
    assert assets.publish_data("test-layer.geojson", b'{"features": [1]}') == first
    changed = assets.publish_data("test-layer.geojson", b'{"features": [2]}')
    assert changed != first and changed.endswith("/test-layer.geojson")
    assert assets.local_file(changed).read_bytes() == b'{"features": [2]}'
    assert assets.local_file(first).read_bytes() == b'{"features": [1]}'  # the old URL still means the old bytes


@pytest.mark.parametrize("name", ["../escape.geojson", "Frontier.geojson", "", "a/b.geojson"])
def test_data_file_names_are_plain(name: str) -> None:
    with pytest.raises(ValueError, match="data file name"):
        assets.publish_data(name, b"{}")


def test_legend_folds_on_the_page_and_stays_open_in_exports(data) -> None:
    layers, _, vocabulary, basemaps = data
    page = mapview.standalone_html(mapview.build_base_map(layers, vocabulary, basemaps=basemaps))
    assert 'initLegend({"open": null, "position": "topright"})' in page
    assert 'class="panj-legend leaflet-control"' in page and 'aria-expanded="false"' in page
    export = _render_export(data)
    assert 'initLegend({"open": true, "position": "bottomright"})' in export
    assert 'class="panj-legend leaflet-control panj-legend-open panj-legend-fixed"' in export


def _render_export(data) -> str:
    layers, events, vocabulary, basemaps = data
    view = mapview.MapView(visible_layers=tuple(layers), basemap="none")
    return mapview.standalone_html(mapview.build_map(layers, events, vocabulary, view, basemaps=basemaps, for_export=True))


def test_home_bounds_is_the_padded_frontier(data) -> None:
    west, south, east, north = mapview.home_bounds(data[0])
    assert (west, east) == pytest.approx((67 - 1.2, 75 + 1.2))
    assert south == pytest.approx(37) and north == pytest.approx(37)


def test_static_files_resolve_and_stay_inside(tmp_path) -> None:
    assets.install_static()
    url = dict(assets.MAP_JS)["leaflet"]
    assert assets.local_file(url) == assets.STATIC_DIR.resolve() / "vendor" / "leaflet" / "leaflet.js"
    assert assets.local_file(dict(assets.MAP_JS)["panj_map"]).name == "panj-map.js"  # query stripped
    assert assets.local_file("/app/static/../pyproject.toml") is None
    assert assets.local_file("/elsewhere/leaflet.js") is None


def test_every_event_stands_on_its_point_at_a_metre(data) -> None:
    """The browser groups events by point: an exact event's own, an area event's anchor inside
    the frontier's bounds (so every event of one area shares one point)."""
    layers, events, _, _ = data
    data_ = _events_data(_render(data))
    lons, lats = mapview.symbol_points(events, layers)
    assert list(data_["columns"]["lon"]) == [round(lon * 100_000) for lon in lons]
    assert list(data_["columns"]["lat"]) == [round(lat * 100_000) for lat in lats]
    hostile, row = events.set_index("id").loc["hostile"], data_["ids"].index("hostile")
    assert (data_["columns"]["lon"][row], data_["columns"]["lat"][row]) == (
        round(hostile["lon"] * 100_000), round(hostile["lat"] * 100_000))


def test_popups_name_the_documents_title_publisher_and_address(data) -> None:
    layers, events, vocabulary, _ = data
    document = Document("fixture-doc", "Fixture", "Tests", PartialDate.parse("2022-06"), url="https://example.org/a")
    published = eventdata.publish_events(events, layers, {"fixture-doc": document, "unused": document})
    header = eventdata.read_events_file(assets.local_file(published.url).read_bytes())[0]
    assert header["documents"] == {"fixture-doc": {
        "title": "Fixture", "publisher": "Tests", "label": "Tests (June 2022)", "url": "https://example.org/a"}}
    bare = eventdata.publish_events(events, layers)
    assert eventdata.read_events_file(assets.local_file(bare.url).read_bytes())[0]["documents"] == {}


def test_every_citation_and_the_status_reach_the_popup(data) -> None:
    layers, events, _, _ = data
    cites = [{"paragraph": 1, "source": "fixture", "source_date": "2022-05-02", "url": "https://example.org/source"},
             {"paragraph": 2, "source": "none cited", "source_date": None, "url": None}]
    with_two = events.assign(citations=[cites if event_id == "hostile" else citations
                                        for event_id, citations in zip(events["id"], events["citations"])])
    published = eventdata.publish_events(with_two, layers)
    view = mapview.MapView(visible_layers=(), basemap="none")
    html = mapview.standalone_html(mapview.build_map(layers, with_two, load_vocabulary(FIXTURE), view,
                                                     basemaps=data[3]))
    texts = {text["id"]: text for text in _events_data(html)["details"]}
    assert _update(html)["data"]["url"] == published.url  # the same events, the same file
    assert texts["hostile"]["cites"] == cites
    assert texts["may-talks"]["cites"] == [{"paragraph": 1, "source": "fixture", "source_date": None, "url": None}]
    assert {event_id: text["status"] for event_id, text in texts.items()} == {
        "hostile": "occurred", "may-talks": "occurred", "old-post": "occurred"}


def test_the_hollow_symbol_row_only_when_a_plan_is_shown(data) -> None:
    layers, events, vocabulary, _ = data
    def status_rows(frame):
        return [item.key for item in mapview.legend_items(layers, vocabulary, events=frame) if item.section == "Status"]
    assert status_rows(events) == []
    planned = events.assign(status=["planned" if event_id == "may-talks" else "occurred" for event_id in events["id"]])
    assert status_rows(planned) == ["planned"]
    [row] = [item for item in mapview.legend_items(layers, vocabulary) if item.section == "Status"]
    assert (row.label, row.fill, row.stroke) == ("Planned or announced: hollow symbol", "#ffffff", "#555555")


def test_legend_location_rows_are_keyed_for_the_runtime(data) -> None:
    layers, _, vocabulary, _ = data
    rows = [item for item in mapview.legend_items(layers, vocabulary) if item.section == "Location"]
    assert [row.key for row in rows] == ["exact", "approximate", "group"]
    assert rows[2].shape == mapview.GROUP_SHAPE
