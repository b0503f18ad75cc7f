"""The map applying a filter itself (geo.clientfilter, geo/web/panj-map.js termRows): for each
filter state of a table, on the article's events and on synthetic ones, the events the runtime
draws from the terms are exactly the rows ``geo.filters`` picks; and on the page, a filter of
event types reaches the map as terms, not as a mask, while a search still comes as a mask.

The standalone maps are served from this process (the benchmark's PageServer), each filter state
handed to the loaded map as a new update, as a rerun hands it."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from browsing import TIMEOUT_MS, count_text, map_frame
from snapshots import snapshot_of
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from geo import mapview
from geo.bench import synthetic
from geo.bench.maps import PageServer
from geo.filters import FilterState

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("static_dir")]

SYNTHETIC_COUNT = 3000
READY = "() => window.panjMap && window.panjMap.ready"
# Every event in view (the frontier's countries at zoom 3), then the ids of the groups drawn.
DRAWN_IDS = """() => { const m = window.panjMap.map; m.setView([34, 68], 3, {animate: false});
                       return window.panjMap.groups().flatMap(g => g.ids).sort(); }"""
UPDATE = "(given) => window.panjMap.update(window[given.group], given.update)"
ARTICLE = "edm-v19-i92"  # the shipped events' dataset

# (filter state, the one dataset ticked: None for all)
STATES = [
    (FilterState(event_types=frozenset({"offensive", "diplomacy"})), None),
    (FilterState(actors=frozenset({"china", "russia"})), None),
    (FilterState(statuses=frozenset({"planned", "announced"})), None),
    (FilterState(date_from=dt.date(2021, 11, 1)), None),
    (FilterState(date_to=dt.date(2022, 2, 28)), None),
    (FilterState(date_from=dt.date(2021, 11, 1), date_to=dt.date(2022, 2, 28)), None),
    (FilterState(date_from=dt.date(2020, 5, 20), date_to=dt.date(2020, 5, 20)), None),  # one day
    # Ends on the days partial dates begin or end at: an event of November 2021 touches a range
    # ending on 1 November, one of October a range starting on 31 October, one of 2019 its first day.
    (FilterState(date_to=dt.date(2021, 11, 1)), None),
    (FilterState(date_from=dt.date(2021, 10, 31)), None),
    (FilterState(date_from=dt.date(2019, 1, 1), date_to=dt.date(2019, 1, 1)), None),
    (FilterState(regions=frozenset({"gbao"})), None),
    (FilterState(regions=frozenset({"wakhan", "province:helmand"})), None),
    (FilterState(regions=frozenset({"country:tajikistan", "province:badakhshan"})), None),
    (FilterState(actors=frozenset({"taliban"}), statuses=frozenset({"occurred", "ongoing"}),
                 date_from=dt.date(2018, 1, 1), regions=frozenset({"country:afghanistan"})), None),
    (FilterState(), synthetic.DATASET_NAME),
    (FilterState(), ARTICLE),
    (FilterState(event_types=frozenset({"offensive"}), date_to=dt.date(2022, 12, 31)), ARTICLE),
]


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory) -> dict:
    made = synthetic.joined_events(SYNTHETIC_COUNT, workdir=tmp_path_factory.mktemp("synthetic"))
    return {"article": snapshot_of(), "synthetic": made.snapshot}


def _overlay(snapshot, shown, terms) -> mapview.folium.FeatureGroup:
    view = mapview.MapView(visible_layers=(), basemap="none")
    return mapview.events_overlay(shown, snapshot.vocabulary, snapshot.map_layers, view, data=snapshot.map_data(),
                                  terms=terms)


@pytest.mark.parametrize("which", ["article", "synthetic"])
def test_the_map_draws_the_rows_geo_filters_picks_from_the_terms(page, snapshots, which) -> None:
    snapshot = snapshots[which]
    index, ids = snapshot.index, snapshot.events["id"].to_numpy()
    fmap = mapview.build_base_map(snapshot.map_layers, snapshot.vocabulary, basemaps=snapshot.basemaps,
                                  data=snapshot.map_data())
    group = _overlay(snapshot, snapshot.events, None).add_to(fmap)
    wrong, sizes = [], []
    with PageServer() as server:
        server.document = mapview.standalone_html(fmap).encode("utf-8")
        page.goto(server.url)
        page.wait_for_function(READY, timeout=TIMEOUT_MS)
        for state, dataset in STATES:
            within = None if dataset is None else index.naming("dataset", {dataset})
            rows = index.mask(state, within=within)
            terms = snapshot.browser_filters.terms(state, within)
            assert terms is not None, state
            update = next(iter(_overlay(snapshot, snapshot.events[rows], terms)._children.values())).update
            assert update["mask"] is None
            page.evaluate(UPDATE, {"group": group.get_name(), "update": update})
            page.wait_for_function(READY, timeout=TIMEOUT_MS)
            drawn = page.evaluate(DRAWN_IDS)
            sizes.append(len(drawn))
            if drawn != sorted(ids[rows]) or page.evaluate("() => window.panjMap.eventsDrawn") != int(rows.sum()):
                wrong.append((state, dataset, len(drawn), int(rows.sum())))
        assert page.evaluate("() => window.panjMap.error") is None
    assert not wrong, f"drawn and picked differ (state, dataset, drawn, picked): {wrong}"
    # The table means something on these events: some states draw a part of them, none all.
    assert any(0 < size < len(ids) for size in sizes), sizes


def _map_updates(messages: list[bytes]) -> list[dict]:
    """The map updates (geo.mapview.EventsLayer) among the page's messages: the JSON handed to
    ``window.panjMap.update`` in the map component's arguments."""
    updates, decoder = [], json.JSONDecoder()
    for payload in messages:
        message = ForwardMsg()
        message.ParseFromString(payload)
        if message.WhichOneof("type") != "delta" or message.delta.WhichOneof("type") != "new_element" \
                or message.delta.new_element.WhichOneof("type") != "component_instance":
            continue
        arguments = json.loads(message.delta.new_element.component_instance.json_args)
        for value in arguments.values():
            for found in re.finditer(r"window\.panjMap\.update\([\w$]+, ", value if isinstance(value, str) else ""):
                updates.append(decoder.raw_decode(value, found.end())[0])
    return updates


@pytest.mark.parametrize(("query", "as_terms"), [("type=offensive", True), ("q=taliban", False)])
def test_the_page_sends_a_filter_of_types_as_terms_and_a_search_as_a_mask(page, app_url, query, as_terms) -> None:
    frames: list[bytes] = []
    page.on("websocket", lambda socket: socket.on(
        "framereceived", lambda payload: frames.append(payload if isinstance(payload, bytes) else payload.encode())))
    page.goto(f"{app_url}/?{query}&basemap=none", timeout=TIMEOUT_MS)
    frame = map_frame(page)
    shown, total = count_text(page)
    assert 0 < shown < total
    frame.wait_for_function(f"() => window.panjMap.eventsDrawn === {shown}", timeout=TIMEOUT_MS)
    update = _map_updates(frames)[-1]
    if as_terms:
        assert update["mask"] is None and update["terms"] == {"types": ["offensive"]}
    else:
        assert update["mask"] and update["terms"] is None
