"""Workshop scenes: the shipped scenes resolve to the events they promise; broken files are refused
with errors naming the scene and the field; extents and "changed from scene" notices."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest
from pyproj import Geod
from snapshots import load_joined_events

from geo import scenes as scenes_module, timeline
from geo.basemaps import load_basemaps
from geo.events import load_vocabulary
from geo.filters import FilterState, KnownIds, ViewState, apply_filters, region_choices, to_query_params
from geo.layers import feature_refs, load_layers
from geo.playback import Playback
from geo.scenes import AroundFeatures, Scene, ScenesError, differs_from_scene, load_scenes

FIXTURES = Path(__file__).parent / "fixtures" / "scenes"
GEOD = Geod(ellps="WGS84")

# What each shipped scene must show, by event id. Every shipped scene needs a row here.
EXPECTED_EVENTS = {
    "frontier": "all",
    "gbao-unrest": {
        "gbao-protests",  # November 2021 onwards
        "gbao-counterterrorism-operation",  # 18 May 2022
        "gbao-deadly-unrest",  # from 18 May 2022
        "gbao-disturbances-2022",  # reported 24 May 2022, ongoing as of June 2022
        "gbao-rally-crackdown",  # ongoing as of June 2022
    },
    "china-wakhan": {"china-assists-tajikistan", "china-shaymak-post"},
    "russia": {
        "russia-201st-stationed",
        "russia-201st-strength",
        "russia-security-assistance",
        "russia-announces-border-post",  # TASS, 27 December 2021
        "majlisi-oli-russian-grant",  # $1.1 million, 11 May 2022
    },
    "us-ayvoj": {"us-security-funding", "us-funds-ayvoj-post"},
    "nrf-isis-k": {
        # the Panjshir and Baghlan resistance names no group: the scene takes it in as such
        "resistance-panjshir",
        "resistance-baghlan",
        "nrf-offensive-panjshir-valley",  # announced
        "nrf-offensive-andarab-valley",  # announced
        "isisk-contests-taliban",
        "isisk-rockets-into-tajikistan",
    },
    "dushanbe-kabul": {
        "tajikistan-demands-inclusive-government",
        "tajikistan-backs-massoud",
        "hekmatyar-threat",
        "taliban-accuse-tajikistan",
        "chuianzoda-kabul-mission",
    },
}


@pytest.fixture(scope="module")
def layers():
    return load_layers()


@pytest.fixture(scope="module")
def events(layers):
    # As the page holds them (the join gives the region ids the region filter reads).
    return load_joined_events()


@pytest.fixture(scope="module")
def shipped(layers, events) -> dict[str, Scene]:
    vocabulary = load_vocabulary()
    loaded = load_scenes(
        layer_ids=tuple(layers),
        actor_ids=vocabulary.actors,
        event_type_ids=vocabulary.event_types,
        region_ids=region_choices(events, layers),
        basemap_ids=load_basemaps(),
        feature_refs=feature_refs(layers),
    )
    return {scene.id: scene for scene in loaded}


def test_every_shipped_scene_has_an_expectation(shipped) -> None:
    assert list(shipped) == list(EXPECTED_EVENTS)  # same scenes, in the story's order


@pytest.mark.parametrize("scene_id", EXPECTED_EVENTS)
def test_scene_shows_exactly_its_events(scene_id: str, shipped, events) -> None:
    shown = set(apply_filters(events, shipped[scene_id].filters)["id"])
    expected = set(events["id"]) if EXPECTED_EVENTS[scene_id] == "all" else EXPECTED_EVENTS[scene_id]
    assert shown == expected


@pytest.mark.parametrize("scene_id", EXPECTED_EVENTS)
def test_scene_frames_its_located_events(scene_id: str, shipped, layers, events) -> None:
    scene = shipped[scene_id]
    west, south, east, north = scene.bounds(layers)
    assert -180 <= west < east <= 180 and -90 <= south < north <= 90
    shown = apply_filters(events, scene.filters)
    if EXPECTED_EVENTS[scene_id] == "all":
        return  # the overview frames the frontier, not every country-wide event
    # A country-wide event's marker sits mid-country, wherever the story is: only the others count.
    located = shown[shown["location_precision"] != "country"]
    assert not located.empty
    outside = located[~located["lon"].between(west, east) | ~located["lat"].between(south, north)]
    assert list(outside["id"]) == []


@pytest.mark.parametrize("scene_id", EXPECTED_EVENTS)
def test_scene_layers_exist_and_basemap_works_offline(scene_id: str, shipped, layers) -> None:
    scene = shipped[scene_id]
    assert scene.layers and set(scene.layers) <= set(layers)
    assert list(scene.layers) == [layer_id for layer_id in layers if layer_id in scene.layers]  # drawing order
    assert scene.basemap == "none"
    assert scene.title and scene.caption and "\n" not in scene.caption


def test_stepping_through_a_scene_tells_it_in_date_order(shipped, events) -> None:
    shown = apply_filters(events, shipped["russia"].filters)
    visited, current = [], None
    for _ in range(len(shown)):
        current = timeline.step(shown, current, +1)
        visited.append(current)
    assert visited == [
        "russia-201st-stationed",  # 1991 to June 2022; ties with the next on dates, so by id
        "russia-security-assistance",
        "russia-announces-border-post",  # 27 December 2021
        "majlisi-oli-russian-grant",  # 11 May 2022
        "russia-201st-strength",  # June 2022
    ]


def test_frontier_scene_frames_the_whole_frontier(shipped, layers) -> None:
    west, south, east, north = shipped["frontier"].bounds(layers)
    f_west, f_south, f_east, f_north = layers["frontier"].frame.total_bounds
    assert west < f_west and south < f_south and east > f_east and north > f_north
    assert "1,357 km" in shipped["frontier"].caption and "843 miles" in shipped["frontier"].caption


def test_scene_dates_span_whole_months(shipped) -> None:
    # "2021-11" to "2022-06": from the first day of the one month to the last day of the other.
    filters = shipped["gbao-unrest"].filters
    assert (filters.date_from, filters.date_to) == (dt.date(2021, 11, 1), dt.date(2022, 6, 30))
    assert filters.regions == frozenset({"gbao"})
    assert filters.actors is None  # omitted: all actors


def test_view_state_holds_the_scenes_layers_and_basemap(shipped) -> None:
    assert shipped["china-wakhan"].view_state() == ViewState(
        visible_layers=("countries", "gbao", "wakhan", "frontier", "places", "posts"), basemap="none",
    )


def test_buffer_is_measured_in_kilometres(layers) -> None:
    scene = Scene(
        id="ayvoj", title="Ayvoj", caption="The post.", layers=("posts",), basemap="none",
        filters=FilterState(), extent=AroundFeatures(refs=("posts:ayvoj",), buffer_km=10),
    )
    lon, lat = layers["posts"].frame.loc["ayvoj"].geometry.coords[0]
    west, south, east, north = scene.bounds(layers)
    for edge_lon, edge_lat in ((lon, north), (lon, south), (east, lat), (west, lat)):
        _, _, metres = GEOD.inv(lon, lat, edge_lon, edge_lat)
        assert metres / 1000 == pytest.approx(10, rel=0.01)


def test_explicit_bounds_are_used_as_given(layers) -> None:
    scene = Scene(
        id="box", title="Box", caption="A box.", layers=("countries",), basemap="none",
        filters=FilterState(), extent=(67.0, 36.0, 75.5, 39.0),
    )
    assert scene.bounds(layers) == (67.0, 36.0, 75.5, 39.0)


# --- broken scene files --------------------------------------------------------------------------

KNOWN = dict(
    layer_ids=("countries", "provinces", "frontier", "posts"),
    actor_ids={"russia", "china"},
    event_type_ids={"unrest", "diplomacy"},
    region_ids={"gbao", "wakhan", "country:tajikistan", "province:gbao"},
    basemap_ids={"none", "street"},
    feature_refs={"frontier:frontier", "posts:ayvoj", "countries:tajikistan", "provinces:gbao"},
)


@pytest.mark.parametrize(
    ("case", "item", "field", "reason"),
    [
        ("unknown-layer", "scene 'broken'", "layers", "unknown layer 'railways'"),
        ("unknown-actor", "scene 'broken'", "filters.actors", "unknown actor 'rusia'"),
        ("unknown-event-type", "scene 'broken'", "filters.event_types", "unknown event type 'earthquake'"),
        ("unknown-region", "scene 'broken'", "filters.regions", "unknown region 'province:atlantis'"),
        ("bad-date", "scene 'broken'", "filters.date_from", "invalid date '2022-13': month 13 does not exist"),
        ("dates-reversed", "scene 'broken'", "filters.date_to", "2021-11 is before date_from 2022-05"),
        ("bad-extent", "scene 'broken'", "extent", "need -180 <= W < E <= 180 (longitudes), got [75, 36, 67, 39]"),
        ("unknown-feature", "scene 'broken'", "extent.around", "unknown feature reference 'posts:dushanbe'"),
        ("negative-buffer", "scene 'broken'", "extent.buffer_km", "must be a number of kilometres, 0 or more"),
        ("unknown-basemap", "scene 'broken'", "basemap", "unknown basemap 'google'"),
        ("missing-title", "scene 'broken'", "title", "missing required field"),
        ("duplicate-id", "scene 'overview'", "id", "duplicate scene id"),
    ],
)
def test_broken_scene_is_refused_naming_file_scene_and_field(case: str, item: str, field: str, reason: str) -> None:
    with pytest.raises(ScenesError) as caught:
        load_scenes(FIXTURES / case, **KNOWN)
    [problem] = caught.value.problems  # the fixture's other scene is valid
    assert str(problem).startswith(f"{FIXTURES / case / 'scenes.json'}: {item}, field '{field}': {reason}")


def test_one_error_lists_every_problem_of_a_scene() -> None:
    with pytest.raises(ScenesError, match="4 problems in the scenes") as caught:
        load_scenes(FIXTURES / "many-problems", **KNOWN)
    assert [(p.item, p.field) for p in caught.value.problems] == [
        ("scene 'broken'", "caption"),
        ("scene 'broken'", "layers"),
        ("scene 'broken'", "filters.colour"),
        ("scene 'broken'", "filters.date_to"),
    ]
    assert "unknown layer 'railways'" in str(caught.value)
    assert "invalid date 'May 2022'" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "file not found"),
        ('{"scenes": [\n  {"id": "overview",}\n]}', "invalid JSON at line 2"),
        ('{"scenes": []}', 'expected an object with exactly a non-empty "scenes" list'),
        ('[{"id": "overview"}]', 'expected an object with exactly a non-empty "scenes" list'),
    ],
)
def test_unreadable_scene_file(tmp_path: Path, content: str | None, reason: str) -> None:
    if content is not None:
        (tmp_path / "scenes.json").write_text(content, encoding="utf-8")
    with pytest.raises(ScenesError, match=reason) as caught:
        load_scenes(tmp_path, **KNOWN)
    assert str(caught.value.problems[0]).startswith(f"{tmp_path / 'scenes.json'}: file")


def test_scene_without_filters_or_basemap_shows_everything_without_tiles(tmp_path: Path) -> None:
    scene = {"id": "plain", "title": "Plain", "caption": "All of it.", "layers": ["posts", "countries"],
             "extent": [67, 36, 75, 39]}
    (tmp_path / "scenes.json").write_text(json.dumps({"scenes": [scene]}), encoding="utf-8")
    [loaded] = load_scenes(tmp_path, **KNOWN)
    assert loaded.filters == FilterState() and loaded.basemap == "none"
    assert loaded.layers == ("countries", "posts")  # drawing order, not file order
    assert loaded.extent == (67.0, 36.0, 75.0, 39.0)


def test_a_scene_filters_by_status(tmp_path: Path) -> None:
    scenes = [{"id": "plans", "title": "Plans", "caption": "What is planned.", "layers": ["posts"],
               "extent": [67, 36, 75, 39], "filters": {"statuses": ["planned", "announced"]}},
              {"id": "bad", "title": "Bad", "caption": "A status that is none.", "layers": ["posts"],
               "extent": [67, 36, 75, 39], "filters": {"statuses": ["rumoured"]}}]
    (tmp_path / "scenes.json").write_text(json.dumps({"scenes": scenes}), encoding="utf-8")
    with pytest.raises(ScenesError) as caught:
        load_scenes(tmp_path, **KNOWN)
    [problem] = caught.value.problems
    assert (problem.item, problem.field, problem.reason) == ("scene 'bad'", "filters.statuses", "unknown status 'rumoured'")
    (tmp_path / "scenes.json").write_text(json.dumps({"scenes": scenes[:1]}), encoding="utf-8")
    [plans] = load_scenes(tmp_path, **KNOWN)
    assert plans.filters == FilterState(statuses=frozenset({"planned", "announced"}))


@pytest.mark.parametrize(
    ("extent", "reason"),
    [
        ([67, 36, 75], "must be four numbers: west, south, east, north"),
        ([67, 36, "75", 39], "must be four numbers: west, south, east, north"),
        ([67, 36, True, 39], "must be four numbers: west, south, east, north"),  # JSON true is not 1
        ([67, 36, 190, 39], "need -180 <= W < E <= 180 (longitudes)"),
        ([67, 39, 75, 36], "need -85 <= S < N <= 85 (latitudes the map can show)"),
        # Scenes once allowed the poles; the map (and a link's bbox) stops at 85 degrees.
        ([67, 36, 75, 89], "need -85 <= S < N <= 85 (latitudes the map can show)"),
        ([67, float("nan"), 75, 39], "the numbers must be finite"),  # Python's json reads NaN
    ],
)
def test_explicit_extent_is_checked_as_a_link_bbox_is(tmp_path: Path, extent: list, reason: str) -> None:
    scene = {"id": "box", "title": "Box", "caption": "A box.", "layers": ["countries"], "extent": extent}
    (tmp_path / "scenes.json").write_text(json.dumps({"scenes": [scene]}), encoding="utf-8")
    with pytest.raises(ScenesError) as caught:
        load_scenes(tmp_path, **KNOWN)
    [problem] = caught.value.problems
    assert (problem.item, problem.field) == ("scene 'box'", "extent")
    assert problem.reason.startswith(reason)



# --- playbacks -----------------------------------------------------------------------------------

def test_the_gbao_scene_plays_month_by_month_from_november_2021(shipped) -> None:
    assert shipped["gbao-unrest"].play == Playback(dt.date(2021, 11, 1), dt.date(2022, 6, 30), "month", "this")
    assert [scene_id for scene_id, scene in shipped.items() if scene.play is not None] == ["gbao-unrest"]


def _with_play(tmp_path: Path, play: object) -> None:
    scene = {"id": "plays", "title": "Plays", "caption": "Month by month.", "layers": ["countries"],
             "extent": [67, 36, 75, 39], "play": play}
    (tmp_path / "scenes.json").write_text(json.dumps({"scenes": [scene]}), encoding="utf-8")


@pytest.mark.parametrize(("play", "expected"), [
    ({"from": "2021-08", "to": "2022-06", "step": "month"},
     Playback(dt.date(2021, 8, 1), dt.date(2022, 6, 30), "month", "this")),
    ({"from": "2021", "to": "2022-05-18", "step": "week", "mode": "upto"},
     Playback(dt.date(2021, 1, 1), dt.date(2022, 5, 18), "week", "upto")),
])
def test_a_scene_may_carry_a_playback(tmp_path: Path, play: dict, expected: Playback) -> None:
    _with_play(tmp_path, play)
    [loaded] = load_scenes(tmp_path, **KNOWN)
    assert loaded.play == expected


@pytest.mark.parametrize(("play", "problems"), [
    ("monthly", [("play", 'must be an object: {"from": DATE, "to": DATE, "step": "month", "mode": "this"}')]),
    # Every problem of the playback at once, each naming its field.
    ({"from": "2022-13", "step": "fortnight", "mode": "all", "speed": 2}, [
        ("play.to", "missing required field"),
        ("play.speed", "unknown field"),
        ("play.from", "invalid date '2022-13': month 13 does not exist"),
        ("play.step", "unknown step 'fortnight' (expected one of day, week, month, year)"),
        ("play.mode", "unknown mode 'all' (expected one of this, upto)"),
    ]),
    ({"from": "2022-06", "to": "2021-08", "step": "month"}, [("play.to", "2021-08 is before from 2022-06")]),
    ({"from": "2000", "to": "2022", "step": "day"},
     [("play.step", "more than 500 periods of a day: choose a longer step or a shorter range")]),
])
def test_a_bad_playback_is_refused_naming_each_field(tmp_path: Path, play: object, problems: list) -> None:
    _with_play(tmp_path, play)
    with pytest.raises(ScenesError) as caught:
        load_scenes(tmp_path, **KNOWN)
    assert [(p.item, p.field, p.reason) for p in caught.value.problems] == [
        ("scene 'plays'", field, reason) for field, reason in problems]


# --- changed from scene --------------------------------------------------------------------------

SCENE = Scene(
    id="russia", title="Russia", caption="Russia's footprint.", layers=("countries", "frontier", "posts"),
    basemap="none", filters=FilterState(date_from=dt.date(2021, 12, 1), actors=frozenset({"russia"})),
    extent=AroundFeatures(refs=("frontier:frontier",), buffer_km=40),
)


@pytest.mark.parametrize(
    ("state", "view", "changed"),
    [
        (SCENE.filters, SCENE.view_state(), []),  # as applied
        # Same layers in another order, and an event selected while stepping: still the scene.
        (SCENE.filters, ViewState(("posts", "frontier", "countries"), "none", selected_event="x"), []),
        (replace(SCENE.filters, actors=frozenset({"russia", "china"})), SCENE.view_state(), ["actors"]),
        (replace(SCENE.filters, actors=None), SCENE.view_state(), ["actors"]),  # cleared: all actors
        (replace(SCENE.filters, date_from=None, text="post"), SCENE.view_state(), ["start date", "search text"]),
        (replace(SCENE.filters, date_to=dt.date(2022, 1, 1)), SCENE.view_state(), ["end date"]),
        (replace(SCENE.filters, event_types=frozenset({"diplomacy"})), SCENE.view_state(), ["event types"]),
        (replace(SCENE.filters, regions=frozenset({"gbao"})), SCENE.view_state(), ["regions"]),
        (SCENE.filters, ViewState(("countries", "frontier"), "none"), ["layers"]),
        (SCENE.filters, ViewState(SCENE.layers, "street"), ["basemap"]),
        (FilterState(), ViewState(("countries",), "street"), ["start date", "actors", "layers", "basemap"]),
    ],
)
def test_differs_from_scene_names_what_changed(state: FilterState, view: ViewState, changed: list[str]) -> None:
    assert differs_from_scene(SCENE, state, view) == changed


def test_scenes_module_needs_no_streamlit() -> None:
    source = Path(scenes_module.__file__).read_text(encoding="utf-8")
    assert "streamlit" not in source


KNOWN_IDS = KnownIds(
    actors=frozenset({"russia", "china"}), event_types=frozenset({"diplomacy"}), regions=frozenset({"gbao"}),
    layers=("countries", "frontier", "posts"), basemaps=frozenset({"none", "street"}), events=frozenset({"ev-1"}),
)
PAGE_VIEW = ViewState(("countries", "frontier", "posts"), "street")  # the page's defaults
SCENE_VIEW = SCENE.view_state()


@pytest.mark.parametrize(
    ("params", "scene_id", "state", "view", "notices"),
    [
        # No scene: the URL on top of the page's defaults.
        ({}, None, FilterState(), PAGE_VIEW, []),
        ({"actor": ["china"]}, None, FilterState(actors=frozenset({"china"})), PAGE_VIEW, []),
        # A shared scene link: the scene as defined, keeping the event the link selects.
        ({"scene": ["russia"]}, "russia", SCENE.filters, SCENE_VIEW, []),
        ({"scene": ["russia"], "event": ["ev-1"]}, "russia", SCENE.filters,
         replace(SCENE_VIEW, selected_event="ev-1"), []),
        # The bug: one override used to throw the whole scene away.
        ({"scene": ["russia"], "basemap": ["none"]}, "russia", SCENE.filters, SCENE_VIEW, []),
        ({"scene": ["russia"], "basemap": ["street"]}, "russia", SCENE.filters,
         replace(SCENE_VIEW, basemap="street"), []),
        ({"scene": ["russia"], "actor": ["china"]}, "russia", replace(SCENE.filters, actors=frozenset({"china"})),
         SCENE_VIEW, []),
        ({"scene": ["russia"], "actor": ["all"], "from": ["any"]}, "russia", FilterState(), SCENE_VIEW, []),
        # A malformed override keeps the scene's value.
        ({"scene": ["russia"], "actor": ["martians"]}, "russia", SCENE.filters, SCENE_VIEW,
         ["Ignored unknown actor(s): 'martians'."]),
        ({"scene": ["atlantis"], "actor": ["china"]}, None, FilterState(actors=frozenset({"china"})), PAGE_VIEW,
         ["Ignored unknown scene 'atlantis'."]),
        ({"scene": ["russia", "russia"]}, None, FilterState(), PAGE_VIEW,
         ["Ignored unknown scene 'russia', 'russia'."]),
    ],
)
def test_open_from_query(params, scene_id, state, view, notices) -> None:
    opened = scenes_module.open_from_query(params, {"russia": SCENE}, KNOWN_IDS, PAGE_VIEW)
    scene, got_state, got_view, got_notices = opened
    assert (scene.id if scene else None, got_state, got_view, got_notices) == (scene_id, state, view, notices)


@pytest.mark.parametrize(
    ("state", "view", "changed"),
    [
        (SCENE.filters, SCENE_VIEW, []),
        (SCENE.filters, replace(SCENE_VIEW, selected_event="ev-1", bbox=(70.0, 37.0, 72.0, 38.5)), []),
        (replace(SCENE.filters, actors=None), SCENE_VIEW, ["actors"]),
        (replace(SCENE.filters, date_from=None), SCENE_VIEW, ["start date"]),
        (replace(SCENE.filters, actors=frozenset({"china"}), text="post"), SCENE_VIEW, ["actors", "search text"]),
        (SCENE.filters, ViewState((), "street"), ["layers", "basemap"]),
    ],
)
def test_a_scene_link_reopens_exactly_the_view_it_was_copied_from(state, view, changed) -> None:
    written = to_query_params(state, view, SCENE.url_base())
    params = {"scene": ["russia"], **{key: [v] if isinstance(v, str) else v for key, v in written.items()}}
    scene, got_state, got_view, notices = scenes_module.open_from_query(params, {"russia": SCENE}, KNOWN_IDS, PAGE_VIEW)
    assert (got_state, got_view, notices) == (state, view, [])
    assert differs_from_scene(scene, got_state, got_view) == changed


def test_old_gbao_province_region_reads_as_gbao(tmp_path: Path) -> None:
    # GBAO is offered once, as "gbao"; a scene written when it was also "province:gbao" still loads.
    scene = {"id": "old", "title": "Old", "caption": "GBAO.", "layers": ["countries"], "extent": [67, 36, 75, 39],
             "filters": {"regions": ["province:gbao"]}}
    (tmp_path / "scenes.json").write_text(json.dumps({"scenes": [scene]}), encoding="utf-8")
    known = {**KNOWN, "region_ids": {"gbao", "wakhan", "country:tajikistan"}}
    [loaded] = load_scenes(tmp_path, **known)
    assert loaded.filters.regions == frozenset({"gbao"})
