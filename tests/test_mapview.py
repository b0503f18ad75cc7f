"""geo.mapview without a browser: the generated document's layers, data, assets and escaping.

The map is drawn from a snapshot of the hostile fixture (tests/fixtures/layers-hostile): three
events, a frontier along 37° N from 67° to 75° E, a Badakhshan province box (70–75° E, 35–37° N)
and a Wakhan box (71.6–75° E, 36.5–37° N). Expectations are worked out from those files by hand."""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
import zlib
from pathlib import Path

import numpy as np
import pytest
from snapshots import load_joined_events, snapshot_of, with_popups

from geo import assets, eventdata, mapview, placement
from geo.events import Document, PartialDate, load_vocabulary
from geo.layers import LAYERS_DIR, load_layers

FIXTURE = Path(__file__).parent / "fixtures" / "layers-hostile"
HOSTILE = "<img src=x onerror=alert(1)>"
CDN_HOSTS = ("cdn.jsdelivr", "unpkg", "cdnjs", "bootstrapcdn", "code.jquery")


@pytest.fixture(scope="module")
def snapshot():
    return with_popups(snapshot_of(FIXTURE))


@pytest.fixture(scope="module")
def data(snapshot):
    return snapshot.layers, snapshot.events, snapshot.vocabulary, snapshot.basemaps


def _render(snapshot, shown=None, **view) -> str:
    view = mapview.MapView(**{"visible_layers": tuple(snapshot.layers), "basemap": "none", **view})
    return mapview.standalone_html(mapview.build_map(
        snapshot.map_layers, snapshot.events if shown is None else shown, snapshot.vocabulary, view,
        data=snapshot.map_data(), basemaps=snapshot.basemaps))


def _update(html: str) -> dict:
    """The one update the events layer sends the map runtime (window.panjMap.update's data)."""
    marker = re.compile(r"window\.panjMap\.update\([a-z_0-9]+, ")
    starts = [match.end() for match in marker.finditer(html)]
    assert len(starts) == 1
    return json.JSONDecoder().raw_decode(html, starts[0])[0]


def _events_data(html: str) -> dict:
    """What the browser reads of the events the update names: the compact file's header, columns
    and ids, and every popup file's rows as {column: value} (geo.eventdata's format)."""
    reference = _update(html)["data"]
    events_file = assets.local_file(reference["url"])
    header, columns = eventdata.read_events_file(events_file.read_bytes())
    ids = eventdata.read_ids_file((events_file.parent / eventdata.IDS_FILE).read_bytes())
    folder = assets.local_file(f"{reference['details']}details-0.json").parent
    details = []
    for chunk in range(len(list(folder.glob("details-*.json")))):
        part = json.loads((folder / f"details-{chunk}.json").read_text(encoding="utf-8"))
        details += [dict(zip(part["columns"], row)) for row in part["rows"]]
    return {"header": header, "columns": columns, "ids": ids, "details": details}


def _styles(data: dict) -> dict[str, list]:
    """Event id -> its style: [event type, actors, status, location precision, halo metres]."""
    return {event_id: data["header"]["styles"][code] for event_id, code in zip(data["ids"], data["columns"]["style"])}


def _areas(data: dict) -> dict[str, str | None]:
    """Event id -> "layer:feature" of the outline standing for its place, or None."""
    areas = data["header"]["areas"]
    return {event_id: None if code == 0 else f"{areas[code - 1]['layer']}:{areas[code - 1]['feature']}"
            for event_id, code in zip(data["ids"], data["columns"]["area"])}


def _layer_specs(html: str) -> list[dict]:
    return [json.loads(spec) for spec in re.findall(r"panj\.addVectorLayer\((\{.*?\})\);", html)]


def test_frontier_layer_is_present_with_its_colour(snapshot) -> None:
    html = _render(snapshot)
    specs = _layer_specs(html)
    assert [spec["id"] for spec in specs] == list(snapshot.layers)  # every manifest layer, in drawing order
    frontier = next(spec for spec in specs if spec["id"] == "frontier")
    assert frontier["style"]["color"] == "#d62728"
    assert "fillColor" not in frontier["style"]  # null in the manifest: left to Leaflet
    assert frontier["features"] == 1
    assert _update(html)["layers"] == ["countries", "provinces", "gbao", "wakhan", "frontier", "places", "posts"]


def test_events_are_a_file_not_map_code(snapshot) -> None:
    html = _render(snapshot)
    events = _events_data(html)
    assert sorted(events["ids"]) == ["hostile", "may-talks", "old-post"] and events["header"]["count"] == 3
    assert [text["id"] for text in events["details"]] == events["ids"]  # popup text in the same rows
    assert "may-talks" not in html  # no event in the document: only the file's address
    assert "L.marker(" not in html and "L.circleMarker(" not in html


def test_imprecise_places_carry_their_extent_not_a_pin(snapshot) -> None:
    events = _events_data(_render(snapshot))
    assert _areas(events) == {"may-talks": "provinces:badakhshan", "hostile": None, "old-post": "wakhan:wakhan"}
    assert {event_id: style[3] for event_id, style in _styles(events).items()} == {
        "may-talks": "province", "hostile": "exact", "old-post": "region"}
    # The outline is drawn from the layer's own (cached) file: the file names layer and feature.
    assert sorted(events["header"]["areas"], key=str) == [{"layer": "provinces", "feature": "badakhshan"},
                                                          {"layer": "wakhan", "feature": "wakhan"}]


def _without_names(html: str) -> str:
    """The document with folium's generated element names (a fresh random hex id per build) blanked."""
    return re.sub(r"\b([a-z_]+)_[0-9a-f]{32}\b", r"\1_x", html)


def test_a_rerun_sends_a_mask_not_the_events() -> None:
    """On the shipped data, where most events are area-level (countries, GBAO, the Wakhan,
    provinces): the snapshot publishes the events once; the overlay sent on every rerun names the
    file and says which rows to show in one bit each, with no outline vertex and no event text."""
    shipped = with_popups(snapshot_of(LAYERS_DIR))
    events = shipped.details(shipped.events, geometry=True)  # with the text the overlay must not carry
    area = [geometry.geom_type not in ("Point", "MultiPoint") for geometry in events.geometry]
    assert sum(area) >= 10 and len(events) == 30
    view = mapview.MapView(visible_layers=(), basemap="none")
    data = shipped.map_data()

    def overlay_script(shown) -> str:
        """What a rerun adds to the base map: the document with the overlay, less the base map's."""
        base = mapview.standalone_html(mapview.build_base_map(
            shipped.map_layers, shipped.vocabulary, basemaps=shipped.basemaps, data=data))
        fmap = mapview.build_base_map(shipped.map_layers, shipped.vocabulary, basemaps=shipped.basemaps, data=data)
        mapview.events_overlay(shown, shipped.vocabulary, shipped.map_layers, view, data=data).add_to(fmap)
        whole = mapview.standalone_html(fmap)
        base_lines = set(_without_names(base).splitlines())
        return "\n".join(line for line in _without_names(whole).splitlines() if line not in base_lines)

    overlay = overlay_script(events.iloc[[0, 3, 29]])
    update = _update(overlay)
    assert update["data"] == {"url": data.events.url, "count": 30, "details": data.events.details}
    # 30 rows: four bytes, rows 0, 3 and 29 set (the first row the first byte's top bit).
    assert zlib.decompress(base64.b64decode(update["mask"])) == bytes([0b10010000, 0, 0, 0b00000100])
    assert not any(title in overlay for title in events["title"])
    assert '"coordinates"' not in overlay
    assert _update(overlay_script(events))["mask"] is None  # all shown: no mask at all
    files = _events_data(overlay)
    assert {_areas(files)[event_id] for event_id in events.loc[area, "id"]} == set(events.loc[area, "place"])


def test_area_event_outside_the_maps_layers_is_an_error(snapshot) -> None:
    without_provinces = {layer_id: layer for layer_id, layer in snapshot.layers.items() if layer_id != "provinces"}
    with pytest.raises(ValueError, match=r"event 'may-talks': place 'provinces:badakhshan' is not a feature"):
        eventdata.event_files(snapshot.events, *snapshot.symbol_points(), without_provinces)


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
    lons, lats = np.array([lon for lon, _ in points]), np.array([lat for _, lat in points])
    assert placement.events_bounds(lons, lats) == pytest.approx(expected)


def test_events_bounds_without_events_is_none() -> None:
    assert placement.events_bounds(np.array([]), np.array([])) is None


def test_fit_to_events_fits_where_the_symbols_are_drawn(snapshot) -> None:
    """An area event is fitted at its symbol (inside the frontier's box, 36.5–37.5° N), not at the
    area's middle: Badakhshan's box (35–37° N) has its middle at 36° N."""
    may_talks = snapshot.events[snapshot.events["id"] == "may-talks"]
    west, south, east, north = snapshot.events_bounds(may_talks)
    assert north - south == pytest.approx(1.0)  # one event: the minimum span
    middle = (south + north) / 2
    assert 36.5 <= middle <= 37.0 and 70.0 <= (west + east) / 2 <= 75.0


def test_no_cdn_and_assets_under_the_static_prefix(snapshot) -> None:
    html = _render(snapshot)
    for host in CDN_HOSTS:
        assert host not in html
    sources = re.findall(r'<script src="([^"]+)"', html) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert sources and all(source.startswith(assets.STATIC_URL) for source in sources)
    assert "L.tileLayer(" not in html  # basemap none: no tile layer at all


def test_the_events_and_labels_files_are_asked_for_before_the_scripts(snapshot) -> None:
    html = _render(snapshot)
    head = html[:html.index("</head>")]
    preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="fetch" crossorigin="anonymous">', head)
    # The files the update and the labels' script name, each preloaded once (a standalone
    # document's head is parsed before its scripts).
    labels_url = re.search(r'new PanjLabels\(window\.panjMap, "([^"]+)"\)', html).group(1)
    assert preloads == [_update(html)["data"]["url"], labels_url]
    assert all(assets.local_file(url) is not None for url in preloads)
    # First in the head: fetched beside the scripts, not after them.
    assert head.index('rel="preload"') < head.index("<script src=")
    first_script = urllib.parse.urlsplit(re.findall(r'<script src="([^"]+)"', head)[0])
    assert Path(first_script.path).name == "panj-early.js"
    named = urllib.parse.parse_qs(first_script.query)
    assert named["inflate"] == [_update(html)["data"]["url"]] and named["file"] == [labels_url]


def test_the_pages_map_preloads_only_the_labels(snapshot) -> None:
    # On the page the map's frame adds the head after the scripts: the first script has fetched the
    # events file by then, and a preload of it there would be a second download.
    html = mapview.standalone_html(mapview.build_base_map(snapshot.map_layers, snapshot.vocabulary,
                                                          basemaps=snapshot.basemaps, data=snapshot.map_data()))
    head = html[:html.index("</head>")]
    preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="fetch" crossorigin="anonymous">', head)
    assert preloads == [snapshot.map_data().labels]


def test_street_basemap_declares_only_its_tiles(snapshot) -> None:
    html = _render(snapshot, basemap="street")
    assert re.findall(r'L\.tileLayer\("([^"]+)"', html) == ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"]
    assert "OpenStreetMap" in html


def test_hostile_title_is_escaped_everywhere(snapshot) -> None:
    html = _render(snapshot, highlight="hostile")
    assert HOSTILE not in html
    assert "<script>alert(2)" not in html
    # Layer labels reach the page only as data (escaped on display by the runtime).
    assert "Frontier <b>line</b>" not in html
    # Event text reaches the browser only in the popup files, as JSON data.
    assert {text["id"]: text["title"] for text in _events_data(html)["details"]}["hostile"] == HOSTILE


def test_legend_lists_visible_layers_and_present_terms(snapshot, data) -> None:
    layers, events, vocabulary, _ = data
    items = mapview.legend_items(layers, vocabulary, visible_layers=("frontier",), events=events)
    assert [item.key for item in items if item.section == "Layers"] == ["frontier"]
    assert {item.key for item in items if item.section == "Actors"} == {"taliban", "russia", "china"}
    html = _render(snapshot, visible_layers=("frontier", "posts"))
    assert html.count("data-panj-legend-layer=") == 2


def test_legend_escapes_its_labels(snapshot, data) -> None:
    layers, events, vocabulary, basemaps = data
    fmap = mapview.build_base_map(layers, vocabulary, basemaps=basemaps, data=snapshot.map_data(), legend=[
        mapview.LegendItem("Layers", "x", HOSTILE, "line", stroke='"><script>')])
    html = mapview.standalone_html(fmap)
    assert HOSTILE not in html and '"><script>' not in html


def test_highlight_fit_and_attribution(snapshot, data) -> None:
    update = _update(_render(snapshot, highlight="may-talks", bounds=(68.0, 36.0, 72.0, 38.5)))
    assert update["highlight"] == "may-talks"
    assert update["bounds"] == [[36.0, 68.0], [38.5, 72.0]]  # Leaflet's [[south, west], [north, east]]
    layers, _, _, basemaps = data
    text = mapview.attribution_text(layers, mapview.MapView(("frontier", "posts"), "street"), basemaps)
    assert text == "Test fixture; Basemap: (C) OpenStreetMap contributors"


def test_unknown_basemap_is_an_error(snapshot) -> None:
    with pytest.raises(ValueError, match="unknown basemap 'mapbox'"):
        _render(snapshot, basemap="mapbox")


def test_base_map_code_is_identical_across_builds(snapshot, data) -> None:
    """streamlit-folium remounts the map when the base map's script changes (docs/ARCHITECTURE.md):
    two builds from one snapshot differ only in folium's random element names."""
    layers, _, vocabulary, basemaps = data
    builds = [mapview.standalone_html(mapview.build_base_map(layers, vocabulary, basemaps=basemaps,
                                                             data=snapshot.map_data())) for _ in range(2)]
    assert builds[0] != builds[1]  # the names do differ: the comparison below is not vacuous
    assert _without_names(builds[0]) == _without_names(builds[1])


def test_layer_geometry_is_a_static_file_not_map_code(snapshot) -> None:
    layers = snapshot.layers
    html = _render(snapshot)
    assert '"coordinates"' not in html.split("window.panjMap.update")[0]  # no layer geometry before the events
    folders = set()
    for spec in _layer_specs(html):
        # /app/static/vendor/data/<content hash>/<layer>.geojson, served by Streamlit and the exporter alike
        match = re.fullmatch(rf"{assets.STATIC_URL}vendor/data/([0-9a-f]{{16}})/{spec['id']}\.geojson", spec["url"])
        assert match
        folders.add(match.group(1))
        collection = json.loads(assets.local_file(spec["url"]).read_text(encoding="utf-8"))
        layer = layers[spec["id"]]
        assert [feature["geometry"] for feature in collection["features"]] == [f["geometry"] for f in layer.features]
        # only the id and the label: sources and other properties stay in the layer files
        for feature in collection["features"]:
            assert set(feature["properties"]) <= {"id", layer.spec.label_field}
    # One folder holds the snapshot's layers, its labels and its events.
    assert folders == {snapshot.folder_name}
    assert _update(html)["data"]["url"].startswith(f"{assets.STATIC_URL}vendor/data/{snapshot.folder_name}/")


def test_legend_folds_on_the_page_and_stays_open_in_exports(snapshot, data) -> None:
    layers, _, vocabulary, basemaps = data
    page = mapview.standalone_html(mapview.build_base_map(layers, vocabulary, basemaps=basemaps,
                                                          data=snapshot.map_data()))
    assert 'initLegend({"open": null, "position": "topright"})' in page
    assert 'class="panj-legend leaflet-control"' in page and 'aria-expanded="false"' in page
    view = mapview.MapView(visible_layers=tuple(layers), basemap="none")
    export = mapview.standalone_html(mapview.build_map(layers, snapshot.events, vocabulary, view,
                                                       data=snapshot.map_data(), basemaps=basemaps, for_export=True))
    assert 'initLegend({"open": true, "position": "bottomright"})' in export
    assert 'class="panj-legend leaflet-control panj-legend-open panj-legend-fixed"' in export


def test_home_view_is_the_padded_frontier_and_never_flat(data) -> None:
    """The fixture's frontier runs along 37° N from 67° to 75° E: 15% of its 8° added east and
    west; its zero height opened up to the minimum span of one degree."""
    assert placement.home_bounds(data[0]) == pytest.approx((67 - 1.2, 36.5, 75 + 1.2, 37.5))


def test_static_files_resolve_and_stay_inside(tmp_path) -> None:
    assets.install_static()
    url = dict(assets.MAP_JS)["leaflet"]
    assert assets.local_file(url) == assets.STATIC_DIR.resolve() / "vendor" / "leaflet" / "leaflet.js"
    assert assets.local_file(dict(assets.MAP_JS)["panj_map"]).name == "panj-map.js"  # query stripped
    assert assets.local_file("/app/static/../pyproject.toml") is None
    assert assets.local_file("/elsewhere/leaflet.js") is None


def test_the_map_loads_leaflet_and_the_runtime_as_one_file(snapshot) -> None:
    # The frame loads its scripts one after another, a round trip each; the bundle holds the five
    # files in their load order, whole but for Leaflet's source-map comment (its map is not
    # served), and the map asks for it after panj-early.js alone.
    assets.install_static()
    html = mapview.standalone_html(mapview.build_base_map(snapshot.map_layers, snapshot.vocabulary,
                                                          basemaps=snapshot.basemaps, data=snapshot.map_data()))
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert [Path(urllib.parse.urlsplit(src).path).name for src in sources[:2]] == ["panj-early.js", "panj-map-bundle.js"]
    assert not any(Path(urllib.parse.urlsplit(src).path).name in ("leaflet.js", "panj-map.js") for src in sources)
    bundle = assets.local_file(sources[1]).read_text(encoding="utf-8")
    web = Path(mapview.__file__).parent / "web"
    parts = [assets.local_file(dict(assets.MAP_JS)["leaflet"]).read_text(encoding="utf-8").split("//# sourceMappingURL")[0],
             *((web / name).read_text(encoding="utf-8") for name in ("panj-view.js", "panj-map.js", "panj-labels.js",
                                                                     "panj-keys.js"))]
    assert bundle == "\n;\n".join(parts)  # ";" ends a last statement a file may leave open


def test_every_event_stands_on_its_point_at_a_metre(snapshot) -> None:
    """The browser groups events by point. The exact event stands at its own place (Khorugh in the
    fixture's places file: 71.55° E, 37.49° N); an area event stands inside its area and inside the
    frontier's box (65.8–76.2° E, 36.5–37.5° N)."""
    files = _events_data(_render(snapshot))
    point = {event_id: (lon / 100_000, lat / 100_000)
             for event_id, lon, lat in zip(files["ids"], files["columns"]["lon"], files["columns"]["lat"])}
    assert point["hostile"] == (71.55, 37.49)
    lon, lat = point["may-talks"]  # Badakhshan: 70–75° E, 35–37° N
    assert 70 <= lon <= 75 and 36.5 <= lat <= 37
    lon, lat = point["old-post"]  # the Wakhan: 71.6–75° E, 36.5–37° N
    assert 71.6 <= lon <= 75 and 36.5 <= lat <= 37
    # The snapshot's own points are the ones sent.
    rows = {event_id: row for row, event_id in enumerate(snapshot.events["id"])}
    lons, lats = snapshot.symbol_points()
    for event_id, (lon, lat) in point.items():
        assert (round(lons[rows[event_id]], 5), round(lats[rows[event_id]], 5)) == (lon, lat)


def test_popups_name_the_documents_title_publisher_and_address(snapshot) -> None:
    document = Document("fixture-doc", "Fixture", "Tests", PartialDate.parse("2022-06"), url="https://example.org/a")
    files = eventdata.event_files(snapshot.events, *snapshot.symbol_points(), snapshot.layers,
                                  {"fixture-doc": document, "unused": document}, details=snapshot.details)
    header = eventdata.read_events_file(files["events.bin.gz"])[0]
    assert header["documents"] == {"fixture-doc": {
        "title": "Fixture", "publisher": "Tests", "label": "Tests (June 2022)", "url": "https://example.org/a"}}
    bare = eventdata.event_files(snapshot.events, *snapshot.symbol_points(), snapshot.layers,
                                 details=snapshot.details)
    assert eventdata.read_events_file(bare["events.bin.gz"])[0]["documents"] == {}


def test_every_citation_and_the_status_reach_the_popup(snapshot) -> None:
    cites = [{"paragraph": 1, "source": "fixture", "source_date": "2022-05-02", "url": "https://example.org/source"},
             {"paragraph": 2, "source": "none cited", "source_date": None, "url": None}]
    events = snapshot.details(snapshot.events, geometry=True)
    with_two = events.assign(citations=[cites if event_id == "hostile" else citations
                                        for event_id, citations in zip(events["id"], events["citations"])])
    files = eventdata.event_files(with_two, *snapshot.symbol_points(), snapshot.layers)
    texts = {}
    for name, content in files.items():
        if name.startswith("details-"):
            part = json.loads(content)
            texts.update({row[0]: dict(zip(part["columns"], row)) for row in part["rows"]})
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


def test_the_posts_layer_says_ayvoj_is_a_plan() -> None:
    # layers/manifest.json and layers/posts.geojson, by hand: the article reports the US facility
    # at Ayvoj as a plan (¶3) and the post near Shaymak as built (¶4).
    layers = load_layers(LAYERS_DIR)
    posts = layers["posts"]
    assert posts.spec.title == "Border posts and planned facilities"
    drawn = {feature["properties"]["id"]: feature["properties"]
             for feature in json.loads(mapview.layer_file(posts))["features"]}
    assert drawn == {
        "ayvoj": {"id": "ayvoj", "name": "Ayvoj border guard facility (planned)", "status": "planned"},
        "shaymak": {"id": "shaymak", "name": "Shaymak post (built by China)", "status": "built"},
    }
    # With no planned event shown, the legend still explains the hollow symbol while the posts are.
    vocabulary, occurred = load_vocabulary(LAYERS_DIR), load_joined_events().query("status == 'occurred'")
    def rows(shown):
        return [(item.section, item.label) for item in mapview.legend_items(layers, vocabulary, visible_layers=shown,
                                                                            events=occurred)
                if item.section in ("Layers", "Status")]
    assert rows(("posts",)) == [("Layers", "Border posts and planned facilities"),
                                ("Status", "Planned or announced: hollow symbol")]
    assert rows(("frontier",)) == [("Layers", "Tajikistan-Afghanistan frontier")]
    assert (mapview.has_plans(posts), mapview.has_plans(layers["places"])) == (True, False)
