"""Workshop mode on the page (AppTest, no browser): every shipped scene shows exactly its layers and
events, ?scene=ID opens a scene, changes are noticed, Previous/Next walk the events in date order
and wrap, and a broken scenes file leaves the rest of the page working."""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pytest
import streamlit as st
from conftest import notices as page_notices, run_page, shown_text
from expected import (
    CHINA_EVENTS,
    GBAO_UNREST_ALL_DATES,
    GBAO_UNREST_ALL_REGIONS,
    GBAO_UNREST_ALL_TYPES,
    SCENE_EVENTS,
    TOTAL_EVENTS,
)
from snapshots import load_joined_events
from streamlit.testing.v1 import AppTest

import geo.events
import geo.layers
from geo import filters, scenes
from geo.basemaps import load_basemaps

HOSTILE = Path(__file__).parent / "fixtures" / "layers-hostile"
SHIPPED_SCENE_IDS = [entry["id"] for entry in json.loads(
    (geo.layers.LAYERS_DIR / scenes.SCENES_NAME).read_text(encoding="utf-8"))["scenes"]]


def _shown_count(ids: list[str] | None) -> str:
    return f"**{TOTAL_EVENTS if ids is None else len(ids)} of {TOTAL_EVENTS} events**"


@pytest.fixture(scope="module")
def shipped():
    """(layers, joined events, scenes by id) of the shipped data, as the page loads them."""
    layers = geo.layers.load_layers()
    events = load_joined_events()
    vocabulary = geo.events.load_vocabulary()
    loaded = scenes.load_scenes(
        layer_ids=tuple(layers), actor_ids=vocabulary.actors, event_type_ids=vocabulary.event_types,
        region_ids=filters.region_choices(events, layers), basemap_ids=load_basemaps(),
        feature_refs=geo.layers.feature_refs(layers),
    )
    return layers, events, {scene.id: scene for scene in loaded}


@pytest.fixture
def page(monkeypatch):
    """A page on the shipped layers."""
    monkeypatch.delenv("PANJ_LAYERS_DIR", raising=False)

    def run(query: dict[str, str | list[str]] | None = None) -> AppTest:
        return run_page(query)

    return run


def _count(at: AppTest) -> str:
    return next(md.value for md in at.sidebar.markdown if md.value.endswith(" events**"))


def _html(at: AppTest, marker: str) -> list[str]:
    return [element.proto.body for element in at.get("html") if marker in element.proto.body]


def _caption_title(at: AppTest) -> str:
    (body,) = _html(at, 'class="panj-caption"')
    return html.unescape(body.split("<h3>", 1)[1].split("</h3>", 1)[0])


def _layer_boxes(at: AppTest, layers) -> dict[str, bool]:
    return {layer_id: at.sidebar.checkbox(key=f"v_layer_{layer_id}").value for layer_id in layers}


@pytest.mark.parametrize("scene_id", SHIPPED_SCENE_IDS)
def test_choosing_a_scene_shows_exactly_its_layers_and_events(scene_id: str, page, shipped) -> None:
    layers, events, by_id = shipped
    scene = by_id[scene_id]
    titles = dict(zip(events["id"], events["title"]))
    expected = list(titles) if SCENE_EVENTS[scene_id] is None else SCENE_EVENTS[scene_id]
    at = page()
    at.selectbox(key="w_scene").select(scene_id).run()
    assert _count(at) == _shown_count(expected)
    assert list(at.dataframe[0].value["Title"]) == [titles[event_id] for event_id in expected]
    assert _layer_boxes(at, layers) == {layer_id: layer_id in scene.layers for layer_id in layers}
    assert at.sidebar.selectbox(key="v_basemap").value == scene.basemap
    # The scene's own view: nothing else to say but where the GBAO scene's playback of its months
    # (layers/scenes.json, "play") stands, paused at its first.
    played = {"play": "month", "period": "2021-11"} if scene_id == "gbao-unrest" else {}
    assert at.query_params == {"scene": scene_id, **played}
    (note,) = _html(at, "panj-scene-note")
    assert 'data-changed="false"' in note  # the scene's own caption, not a "changed" notice


def test_every_shipped_scene_is_offered_in_order(page, shipped) -> None:
    _, _, by_id = shipped
    assert by_id and list(by_id) == SHIPPED_SCENE_IDS
    assert page().selectbox(key="w_scene").options == ["None: explore freely", *(s.title for s in by_id.values())]


def test_scene_link_opens_the_scene_and_changes_are_noticed(page, shipped) -> None:
    layers, events, by_id = shipped
    scene = by_id["russia"]
    at = page({"scene": "russia"})
    assert at.selectbox(key="w_scene").value == "russia"
    assert _count(at) == _shown_count(SCENE_EVENTS["russia"])
    assert _layer_boxes(at, layers) == {layer_id: layer_id in scene.layers for layer_id in layers}

    at.sidebar.checkbox(key="v_layer_gbao").check().run()
    at.sidebar.text_input(key="f_text").input("division").run()
    (note,) = _html(at, "panj-scene-note")
    assert 'data-changed="true"' in note
    assert "Changed from scene “Russia&#x27;s footprint”: search text, layers." in note
    assert at.query_params["scene"] == "russia" and at.query_params["q"] == "division"


def test_changed_scene_link_reopens_the_changed_view(page, shipped) -> None:
    # A URL that names a scene and page state keeps the state (the reader's changes).
    at = page({"scene": "russia", "actor": "china", "layers": "frontier", "basemap": "none"})
    assert at.sidebar.multiselect(key="f_actors").value == ["china"]
    (note,) = _html(at, "panj-scene-note")
    assert "actors" in note and "layers" in note


@pytest.mark.parametrize(
    ("basemap", "written", "changed"),
    [
        # The offline link the README promises: the scene's own basemap, so nothing changed.
        ("none", {}, None),
        ("street", {"basemap": "street"}, "basemap"),
    ],
)
def test_scene_link_with_a_basemap_keeps_the_scene(basemap: str, written: dict, changed: str | None, page,
                                                    shipped) -> None:
    layers, events, by_id = shipped
    scene = by_id["china-wakhan"]
    assert scene.basemap == "none"
    at = page({"basemap": basemap, "scene": "china-wakhan"})
    assert _count(at) == _shown_count(SCENE_EVENTS["china-wakhan"])
    assert at.sidebar.multiselect(key="f_actors").value == ["china"]
    assert _layer_boxes(at, layers) == {layer_id: layer_id in scene.layers for layer_id in layers}
    assert at.sidebar.selectbox(key="v_basemap").value == basemap
    assert not at.warning
    assert at.query_params == {"scene": "china-wakhan", **written}
    (note,) = _html(at, "panj-scene-note")
    if changed is None:
        assert 'data-changed="false"' in note
    else:
        assert f"Changed from scene “{scene.title}”: {changed}." in note


def test_scene_link_with_an_override_takes_the_rest_from_the_scene(page, shipped) -> None:
    layers, events, by_id = shipped
    scene = by_id["russia"]
    at = page({"scene": "russia", "actor": "china"})
    assert _count(at) == _shown_count(CHINA_EVENTS)
    assert at.sidebar.multiselect(key="f_actors").value == ["china"]
    assert _layer_boxes(at, layers) == {layer_id: layer_id in scene.layers for layer_id in layers}
    assert at.sidebar.selectbox(key="v_basemap").value == scene.basemap
    (note,) = _html(at, "panj-scene-note")
    assert "Changed from scene “Russia&#x27;s footprint”: actors." in note
    assert at.query_params == {"scene": "russia", "actor": "china"}


def test_malformed_override_keeps_the_scene_value_with_a_notice(page, shipped) -> None:
    _, _, by_id = shipped
    at = page({"scene": "russia", "actor": "martians"})
    assert page_notices(at) == ["Ignored unknown actor(s): 'martians'."]
    assert at.sidebar.multiselect(key="f_actors").value == sorted(by_id["russia"].filters.actors)
    (note,) = _html(at, "panj-scene-note")
    assert 'data-changed="false"' in note
    assert at.query_params == {"scene": "russia"}


def _clear_multiselect(key: str):
    return lambda at, span: at.sidebar.multiselect(key=key).set_value([])


def _clear_dates(at: AppTest, span) -> object:
    at.sidebar.text_input(key="f_from").input("")
    return at.sidebar.text_input(key="f_to").input("")


@pytest.mark.parametrize(
    ("scene_id", "clear", "shown", "written", "changed"),
    [
        ("china-wakhan", _clear_multiselect("f_actors"), None, {"actor": "all"}, "actors"),
        ("gbao-unrest", _clear_multiselect("f_types"), GBAO_UNREST_ALL_TYPES, {"type": "all"}, "event types"),
        ("gbao-unrest", _clear_multiselect("f_regions"), GBAO_UNREST_ALL_REGIONS, {"region": "all"}, "regions"),
        ("gbao-unrest", _clear_dates, GBAO_UNREST_ALL_DATES, {"from": "any", "to": "any"}, "start date, end date"),
    ],
    ids=["actors", "event-types", "regions", "dates"],
)
def test_clearing_a_scene_filter_writes_a_link_that_reopens_the_cleared_view(
    scene_id: str, clear, shown: list[str] | None, written: dict, changed: str, page, shipped
) -> None:
    _, events, by_id = shipped
    scene = by_id[scene_id]
    expected = _shown_count(shown)
    at = page({"scene": scene_id})
    clear(at, filters.date_span(events)).run()
    assert _count(at) == expected
    # The GBAO scene's playback (layers/scenes.json, "play") stays paused at its first month.
    played = {"play": "month", "period": "2021-11"} if scene_id == "gbao-unrest" else {}
    assert at.query_params == {"scene": scene_id, **written, **played}

    reopened = page(dict(at.query_params))
    assert not reopened.warning
    assert _count(reopened) == expected
    (note,) = _html(reopened, "panj-scene-note")
    assert f"Changed from scene “{html.escape(scene.title)}”: {changed}." in note
    assert reopened.query_params == at.query_params


def test_unknown_scene_in_the_url_is_a_notice(page) -> None:
    at = page({"scene": "atlantis"})
    assert page_notices(at) == ["Ignored unknown scene 'atlantis'."]
    assert at.selectbox(key="w_scene").value is None
    assert "scene" not in at.query_params


def test_next_and_previous_walk_the_events_in_date_order_and_wrap(page, shipped) -> None:
    _, events, _ = shipped
    titles = dict(zip(events["id"], events["title"]))
    in_order = [titles[event_id] for event_id in SCENE_EVENTS["russia"]]
    assert len(in_order) >= 3
    at = page({"scene": "russia"})
    assert _html(at, 'class="panj-caption"') == []  # no step yet: the scene's extent, no caption

    visited = []
    for _ in range(len(in_order) + 1):
        at.button(key="panj-next").click().run()
        visited.append(_caption_title(at))
    assert visited == [*in_order, in_order[0]]  # date order, then wraps to the first
    at.button(key="panj-prev").click().run()
    assert _caption_title(at) == in_order[-1]  # previous before the first is the last
    at.button(key="panj-prev").click().run()
    assert _caption_title(at) == in_order[-2]
    assert at.query_params["event"] == SCENE_EVENTS["russia"][-2]  # the step is the highlighted event


def test_previous_first_goes_to_the_last_event(page, shipped) -> None:
    _, events, _ = shipped
    at = page({"scene": "us-ayvoj"})
    at.button(key="panj-prev").click().run()
    assert _caption_title(at) == dict(zip(events["id"], events["title"]))[SCENE_EVENTS["us-ayvoj"][-1]]


def test_presenter_flag_stays_in_the_url(page) -> None:
    at = page({"scene": "frontier", "presenter": "1"})
    assert at.query_params["presenter"] == "1" and at.query_params["scene"] == "frontier"
    at.button(key="panj-next").click().run()
    assert at.query_params["presenter"] == "1"
    assert len(_html(at, 'class="panj-caption"')) == 1


@pytest.fixture
def broken_layers(tmp_path: Path, monkeypatch) -> Path:
    """The hostile fixture layers with a scenes file naming a layer that does not exist."""
    folder = tmp_path / "layers"
    shutil.copytree(HOSTILE, folder)
    (folder / "scenes.json").write_text(
        '{"scenes": [{"id": "lost", "title": "Lost", "caption": "A scene with a bad layer.",'
        ' "layers": ["atlantis"], "extent": [70, 36, 75, 39]}]}', encoding="utf-8",
    )
    monkeypatch.setenv("PANJ_LAYERS_DIR", str(folder))
    st.cache_resource.clear()
    yield folder
    st.cache_resource.clear()


def test_broken_scenes_file_is_an_error_and_the_page_still_works(broken_layers: Path) -> None:
    at = run_page()
    (error,) = [shown_text(element.value) for element in at.error]
    assert "scene 'lost'" in error and "layers" in error and "unknown layer 'atlantis'" in error
    assert _count(at) == "**3 of 3 events**"
    assert not at.get("selectbox") or all(box.key != "w_scene" for box in at.selectbox)
    at.sidebar.multiselect(key="f_actors").select("china").run()
    assert _count(at) == "**2 of 3 events**"
