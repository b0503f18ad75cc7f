"""The frontier filters ("within N km", bank side, stretch): their masks on the article's events
against hand tables, the URL round trip and bad values (geo.filters, geo.pagestate), scenes, the
command line, and the page opened from a URL (AppTest)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
import shapely.ops
import streamlit as st
from conftest import notices as page_notices, run_page
from jsonschema import Draft202012Validator

from geo import figure, pagestate as ps, search
from geo.cli import main
from geo.filters import FilterState, KnownIds, ViewState, from_query_params
from geo.layers import LAYERS_DIR
from geo.scenes import Scene, ScenesError, differs_from_scene, load_scenes
from geo.snapshot import read_snapshot

# The article's events known only to a whole country (location_precision "country" in
# layers/events/): no distance to the frontier means anything for them.
COUNTRY_WIDE = {
    "russia-201st-stationed", "russia-security-assistance", "us-security-funding", "china-assists-tajikistan",
    "taliban-claims-calm", "taliban-takeover", "tajikistan-demands-inclusive-government",
    "tajikistan-backs-massoud", "hekmatyar-threat", "isisk-contests-taliban", "isisk-rockets-into-tajikistan",
    "russia-201st-strength", "taliban-accuse-tajikistan",
}
GBAO = {"gbao-protests", "gbao-counterterrorism-operation", "gbao-deadly-unrest", "gbao-disturbances-2022",
        "gbao-drug-trade", "gbao-rally-crackdown"}
# Within 25 km, read off the map: the areas that reach the frontier (GBAO, the frontier line itself,
# Badakhshan and Takhar provinces, both on the Panj) and the two posts beside it, Ayvoj (about 4 km)
# and Shaymak (about 2 km). Baghlan province ends some 40 km short of it; Dushanbe, Kabul and the
# Panjshir and Andarab valleys lie 120 km and more away.
WITHIN_25 = GBAO | {"russia-announces-border-post", "taliban-reassert-badakhshan", "taliban-reassert-takhar",
                    "us-funds-ayvoj-post", "china-shaymak-post"}
WITHIN_50 = WITHIN_25 | {"resistance-baghlan"}
# Every event with a distance: all but the country-wide ones, however far.
WITH_A_DISTANCE = {"nrf-offensive-andarab-valley", "nrf-offensive-panjshir-valley", "majlisi-oli-russian-grant",
                   "chuianzoda-kabul-mission", "resistance-panjshir"} | WITHIN_50
# The stretch of each point event's nearest frontier point (layers/frontier-stretches.json's km):
# Ayvoj and Kabul face the Amu Darya below the Vakhsh confluence, Shaymak the land border east of
# Zorkul, the rest the Panj.
POINT_STRETCHES = {
    "amu-darya": {"us-funds-ayvoj-post", "chuianzoda-kabul-mission"},
    "panj": {"nrf-offensive-andarab-valley", "nrf-offensive-panjshir-valley", "majlisi-oli-russian-grant"},
    "pamir": set(),
    "zorkul-east": {"china-shaymak-post"},
}
# The article's events placed on an area or a line (layers/events/), not on a whole country.
AREA_EVENTS = {**{event: "gbao:gbao" for event in GBAO}, "russia-announces-border-post": "frontier:frontier",
               "taliban-reassert-badakhshan": "provinces:badakhshan", "taliban-reassert-takhar": "provinces:takhar",
               "resistance-baghlan": "provinces:baghlan", "resistance-panjshir": "provinces:panjshir"}
# The stretches nearest each of those places, read off the map: GBAO's and Badakhshan's edge is the
# frontier from the Panj's bend at Darvaz to the China tripoint (the Panj, the Pamir and the land
# border east of Zorkul), never the Amu Darya; Takhar meets only the Panj; the frontier line is
# every stretch. Baghlan and Panjshir touch none: the Amu Darya is Baghlan's nearest (some 40 km, the
# Panj some 60), the Panj Panjshir's (some 150 km).
AREA_STRETCHES = {
    "gbao:gbao": {"panj", "pamir", "zorkul-east"},
    "provinces:badakhshan": {"panj", "pamir", "zorkul-east"},
    "provinces:takhar": {"panj"},
    "frontier:frontier": {"amu-darya", "panj", "pamir", "zorkul-east"},
    "provinces:baghlan": {"amu-darya"},
    "provinces:panjshir": {"panj"},
}
STRETCHES = {stretch: points | {event for event, place in AREA_EVENTS.items() if stretch in AREA_STRETCHES[place]}
             for stretch, points in POINT_STRETCHES.items()}


@pytest.fixture(scope="module")
def article(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PANJ_DATA_DIR", str(tmp_path_factory.mktemp("store")))
        patch.delenv("PANJ_DATABASE_URL", raising=False)
        return read_snapshot(LAYERS_DIR)


def _banks_by_hand() -> dict[str, set[str]]:
    """Each event's bank, from its point and the countries layer's polygons, one by one. An event
    on the frontier line itself is on neither bank, whichever polygon its standing point touches."""
    countries = json.loads((LAYERS_DIR / "countries.geojson").read_text(encoding="utf-8"))["features"]
    events = [event for path in sorted((LAYERS_DIR / "events").glob("*.json"))
              for event in json.loads(path.read_text(encoding="utf-8"))["events"]]
    snapshot_points = _points()
    banks: dict[str, set[str]] = {"tajikistan": set(), "afghanistan": set()}
    for event in (event for event in events if event["place"] != "frontier:frontier"):
        point = shapely.Point(snapshot_points[event["id"]])
        for feature in countries:
            country = feature["properties"]["id"]
            if country in banks and shapely.geometry.shape(feature["geometry"]).covers(point):
                banks[country].add(event["id"])
    return banks


def _points() -> dict[str, tuple[float, float]]:
    """The point standing for each event's place, as ``panj events`` writes it."""
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdout", out)
        assert main(["events", "--format", "csv", "--csv-geometry", "latlon"]) == 0
    return {row["id"]: (float(row["lon"]), float(row["lat"])) for row in csv.DictReader(io.StringIO(out.getvalue()))}


def _ids(snapshot, state: FilterState) -> set[str]:
    return set(snapshot.events["id"][snapshot.index.mask(state)])


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (FilterState(within_km=25), WITHIN_25),
        (FilterState(within_km=50), WITHIN_50),
        (FilterState(within_km=0), GBAO | {"russia-announces-border-post", "taliban-reassert-badakhshan",
                                          "taliban-reassert-takhar"}),  # the areas touching it
        (FilterState(within_km=10_000), WITH_A_DISTANCE),  # the country-wide events never pass
        *((FilterState(stretches=frozenset({stretch})), ids) for stretch, ids in STRETCHES.items()),
        (FilterState(stretches=frozenset({"amu-darya", "zorkul-east"})),
         STRETCHES["amu-darya"] | STRETCHES["zorkul-east"]),
        # Baghlan, 40 km away, is left out by the distance.
        (FilterState(within_km=25, stretches=frozenset({"amu-darya"})),
         {"us-funds-ayvoj-post", "russia-announces-border-post"}),
    ],
)
def test_within_and_stretch_masks_match_the_hand_tables(article, state: FilterState, expected: set[str]) -> None:
    assert len(article.events) == 30 and set(article.events["id"]) >= COUNTRY_WIDE | WITH_A_DISTANCE
    assert _ids(article, state) == expected


_TO_UTM = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:32642", always_xy=True)


def _utm(geometry: shapely.Geometry) -> shapely.Geometry:
    """``geometry`` in UTM zone 42N metres (the frontier's middle; true to a fraction of a per cent across it)."""
    return shapely.transform(geometry, lambda coords: np.column_stack(_TO_UTM.transform(coords[:, 0], coords[:, 1])))


def _stretch_sections() -> dict[str, shapely.Geometry]:
    """Each stretch's part of the frontier layer's line, in UTM zone 42N metres, cut where its cited
    end (``ends_at``) projects onto the line: read from the files with shapely and pyproj alone."""
    features = json.loads((LAYERS_DIR / "frontier.geojson").read_text(encoding="utf-8"))["features"]
    line = shapely.line_merge(shapely.union_all([shapely.geometry.shape(feature["geometry"]) for feature in features]))
    line = _utm(line)
    if line.coords[0][0] > line.coords[-1][0]:
        line = shapely.reverse(line)  # west to east
    stretches = json.loads((LAYERS_DIR / "frontier-stretches.json").read_text(encoding="utf-8"))["stretches"]
    ends = [line.project(_utm(shapely.Point(s["ends_at"]["lon"], s["ends_at"]["lat"])))
            for s in stretches[:-1]] + [line.length]
    return {stretch["id"]: shapely.ops.substring(line, start, end)
            for stretch, start, end in zip(stretches, [0.0, *ends[:-1]], ends, strict=True)}


def test_the_area_table_agrees_with_shapely_on_the_layer_files() -> None:
    """AREA_STRETCHES by hand against an independent measure: each place's distance to each
    stretch's part of the line, the stretches within 100 m of its nearest (layer edges shared with
    the frontier meet it exactly)."""
    sections = _stretch_sections()
    for place in AREA_STRETCHES:
        layer, feature_id = place.split(":")
        features = json.loads((LAYERS_DIR / f"{layer}.geojson").read_text(encoding="utf-8"))["features"]
        shape = shapely.union_all([shapely.geometry.shape(feature["geometry"]) for feature in features
                                   if feature["properties"]["id"] == feature_id])
        shape = _utm(shape)
        distances = {stretch: shape.distance(section) for stretch, section in sections.items()}
        nearest = min(distances.values())
        assert {stretch for stretch, metres in distances.items() if metres <= nearest + 100} == AREA_STRETCHES[place], (
            place, distances)


def test_side_masks_match_the_countries_holding_each_point(article) -> None:
    banks = _banks_by_hand()
    # The frontier line's event lies on neither bank; every other event on one.
    assert banks["tajikistan"] | banks["afghanistan"] == set(article.events["id"]) - {"russia-announces-border-post"}
    for side, ids in banks.items():
        assert _ids(article, FilterState(sides=frozenset({side}))) == ids
    assert _ids(article, FilterState(sides=frozenset(banks))) == banks["tajikistan"] | banks["afghanistan"]
    assert _ids(article, FilterState(within_km=25, sides=frozenset({"afghanistan"}))) == {
        "taliban-reassert-badakhshan", "taliban-reassert-takhar"}


@pytest.mark.parametrize(
    ("state", "described"),
    [
        (FilterState(within_km=25), "within 25 km of the frontier · 11 of 30 events"),
        # WITHIN_25 but the frontier line's event, on neither bank.
        (FilterState(within_km=7.5, sides=frozenset({"afghanistan", "tajikistan"})),
         "within 7.5 km of the frontier · Tajik bank, Afghan bank · 10 of 30 events"),
        (FilterState(stretches=frozenset({"zorkul-east", "amu-darya"})),
         "Amu Darya, Zorkul and the land border to China · 12 of 30 events"),
    ],
)
def test_a_figures_subtitle_names_the_frontier_filters(article, state: FilterState, described: str) -> None:
    # The count the page passes: the snapshot's own filtering, which knows the areas' stretches.
    assert figure.describe_filters(state, article.events, article.vocabulary, article.regions,
                                   shown=len(_ids(article, state)), stretch_names=article.stretch_names) == described


def test_a_search_hidden_by_a_frontier_filter_names_it(article) -> None:
    state = FilterState(text="Shaymak", sides=frozenset({"afghanistan"}))
    hidden, matching = search.hidden_counts(article.index, state, None, article.index.masks(state))
    assert search.no_match_help(state.text, hidden=hidden, matching=matching, places=[], nearby={}) == [
        "1 event matches “Shaymak” but the bank filter hides it."]


def test_a_scene_changed_by_a_frontier_filter_says_so() -> None:
    scene = Scene(id="banks", title="Banks", caption="The Afghan bank.", layers=("frontier",), basemap="none",
                  filters=FilterState(within_km=25, sides=frozenset({"afghanistan"})), extent=(67.0, 36.0, 75.5, 39.0))
    assert differs_from_scene(scene, FilterState(within_km=30, stretches=frozenset({"panj"})), scene.view_state()) == [
        "distance to the frontier", "banks", "frontier stretches"]


# --- the URL -------------------------------------------------------------------------------------

KNOWN = KnownIds(stretches=frozenset(STRETCHES), layers=("frontier",), basemaps=frozenset({"none"}))
VIEW = ViewState(visible_layers=("frontier",), basemap="none")


@pytest.mark.parametrize(
    ("state", "written"),
    [
        (FilterState(within_km=25), {"within": ["25"]}),
        (FilterState(within_km=7.5), {"within": ["7.5"]}),
        (FilterState(within_km=0), {"within": ["0"]}),
        (FilterState(sides=frozenset({"tajikistan"})), {"side": ["tajikistan"]}),
        (FilterState(sides=frozenset({"tajikistan", "afghanistan"})), {"side": ["afghanistan", "tajikistan"]}),
        (FilterState(stretches=frozenset({"panj"})), {"stretch": ["panj"]}),
        (FilterState(within_km=25, sides=frozenset({"afghanistan"}), stretches=frozenset({"panj", "pamir"})),
         {"within": ["25"], "side": ["afghanistan"], "stretch": ["pamir", "panj"]}),
    ],
)
def test_the_url_round_trip(state: FilterState, written: dict[str, list[str]]) -> None:
    params = ps.url_params(state, VIEW, None, False)
    assert {key: params[key] for key in ("within", "side", "stretch") if key in params} == written
    read, view, notices = from_query_params(params, KNOWN, VIEW)
    assert (read, view, notices) == (state, VIEW, [])
    # ... and through the widgets, as the page opens it.
    values, _ = ps.widget_values(read, view, ("frontier",), None)
    assert ps.filters_from_widgets(dates=(None, None), span=None, actors=(), event_types=(), regions=(), text="",
                                   within_km=values[ps.WITHIN], sides=values[ps.SIDES],
                                   stretches=values[ps.STRETCHES]) == state


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ({"within": "abc"}, "Ignored 'within=abc': expected a number of km."),
        ({"within": "-5"}, "Ignored 'within=-5': the km must be a finite number, 0 or more."),
        ({"within": "inf"}, "Ignored 'within=inf': the km must be a finite number, 0 or more."),
        ({"within": "nan"}, "Ignored 'within=nan': the km must be a finite number, 0 or more."),
        ({"within": ["25", "30"]}, "Ignored 'within': expected one value, got 2."),
        ({"side": "moon"}, "Ignored unknown bank side(s): 'moon'."),
        ({"stretch": "nile"}, "Ignored unknown frontier stretch id(s): 'nile'."),
    ],
)
def test_bad_url_values_are_reported_and_ignored(query: dict, notice: str) -> None:
    default = FilterState(within_km=10, sides=frozenset({"tajikistan"}), stretches=frozenset({"pamir"}))
    state, _, notices = from_query_params(query, KNOWN, VIEW, default)
    assert (state, notices) == (default, [notice])


def test_a_bad_value_beside_a_good_one_keeps_the_good_one() -> None:
    state, _, notices = from_query_params({"side": "moon,afghanistan", "stretch": ["panj", "nile"]}, KNOWN, VIEW)
    assert state == FilterState(sides=frozenset({"afghanistan"}), stretches=frozenset({"panj"}))
    assert len(notices) == 2


def test_clearing_a_scenes_frontier_filters_is_written_and_read_back() -> None:
    scene = Scene(id="banks", title="Banks", caption="The Afghan bank.", layers=("frontier",), basemap="none",
                  filters=FilterState(within_km=25, sides=frozenset({"afghanistan"}), stretches=frozenset({"panj"})),
                  extent=(67.0, 36.0, 75.5, 39.0))
    params = ps.url_params(FilterState(), VIEW, scene, False)
    assert (params["within"], params["side"], params["stretch"]) == (["any"], ["all"], ["all"])
    state, _, notices = from_query_params(params, KNOWN, VIEW, scene.filters)
    assert (state, notices) == (FilterState(), [])
    assert "within" not in ps.url_params(scene.filters, VIEW, scene, False)  # the scene's own: not written


def test_reset_clears_the_frontier_widgets() -> None:
    values = ps.reset_values(VIEW, ("frontier",), None)
    assert (values[ps.WITHIN], values[ps.SIDES], values[ps.STRETCHES]) == (None, [], [])


# --- scenes --------------------------------------------------------------------------------------

SCENE_KNOWN = dict(layer_ids=("frontier",), actor_ids=set(), event_type_ids=set(), region_ids=set(),
                   basemap_ids={"none"}, feature_refs=set(), stretch_ids=set(STRETCHES))


def _scene(filters: dict) -> dict:
    return {"id": "banks", "title": "Banks", "caption": "Near the river.", "layers": ["frontier"],
            "extent": [67, 36, 75, 39], "filters": filters}


def test_a_scene_sets_the_frontier_filters(tmp_path: Path) -> None:
    scene = _scene({"within_km": 25, "sides": ["afghanistan"], "stretches": ["panj", "pamir"]})
    (tmp_path / "scenes.json").write_text(json.dumps({"scenes": [scene]}), encoding="utf-8")
    [loaded] = load_scenes(tmp_path, **SCENE_KNOWN)
    assert loaded.filters == FilterState(within_km=25.0, sides=frozenset({"afghanistan"}),
                                         stretches=frozenset({"panj", "pamir"}))


@pytest.mark.parametrize(
    ("filters", "field", "reason"),
    [
        ({"within_km": -1}, "filters.within_km", "must be a number of km, 0 or more, got -1"),
        ({"within_km": "25"}, "filters.within_km", "must be a number of km, 0 or more, got '25'"),
        ({"within_km": True}, "filters.within_km", "must be a number of km, 0 or more, got True"),
        ({"within_km": None}, "filters.within_km", "must be a number of km, 0 or more, got None"),
        ({"sides": ["moon"]}, "filters.sides", "unknown bank side 'moon'"),
        ({"stretches": ["nile"]}, "filters.stretches", "unknown frontier stretch 'nile'"),
    ],
)
def test_a_scenes_bad_frontier_filter_is_refused_naming_the_field(tmp_path: Path, filters: dict, field: str,
                                                                  reason: str) -> None:
    (tmp_path / "scenes.json").write_text(json.dumps({"scenes": [_scene(filters)]}), encoding="utf-8")
    with pytest.raises(ScenesError) as caught:
        load_scenes(tmp_path, **SCENE_KNOWN)
    [problem] = caught.value.problems
    assert (problem.item, problem.field, problem.reason) == ("scene 'banks'", field, reason)


@pytest.mark.parametrize(("filters", "valid"), [
    ({"within_km": 25, "sides": ["afghanistan"], "stretches": ["panj"]}, True),
    ({"within_km": 0}, True),
    ({"within_km": -1}, False),
    ({"within_km": "25"}, False),
    ({"sides": ["moon"]}, False),
    ({"sides": []}, False),
    ({"stretches": ["Panj"]}, False),  # not an id
])
def test_the_schema_takes_the_frontier_filters_the_loader_takes(filters: dict, valid: bool) -> None:
    schema = json.loads((LAYERS_DIR / "scenes.schema.json").read_text(encoding="utf-8"))
    errors = list(Draft202012Validator(schema).iter_errors({"scenes": [_scene(filters)]}))
    assert not errors if valid else errors


# --- the command line ----------------------------------------------------------------------------

def _event_ids(capsys: pytest.CaptureFixture[str], *options: str) -> set[str]:
    assert main(["events", "--format", "csv", *options]) == 0
    return {row["id"] for row in csv.DictReader(io.StringIO(capsys.readouterr().out))}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--within-km", "25"], WITHIN_25),
        (["--within-km", "25", "--side", "afghanistan"], {"taliban-reassert-badakhshan", "taliban-reassert-takhar"}),
        (["--stretch", "amu-darya", "zorkul-east"], STRETCHES["amu-darya"] | STRETCHES["zorkul-east"]),
    ],
)
def test_panj_events_filters_by_the_frontier(capsys: pytest.CaptureFixture[str], options: list[str],
                                             expected: set[str]) -> None:
    assert _event_ids(capsys, *options) == expected


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["events", "--stretch", "nile"], "--stretch: unknown stretch(es) 'nile'; known: amu-darya, panj, pamir, "
                                          "zorkul-east"),
        (["events", "--within-km", "-3"], "--within-km -3: must be 0 or more km"),
        (["events", "--side", "moon"], "argument --side: invalid choice: 'moon'"),
        (["export", "--scene", "russia", "--within-km", "0", "--out", "x.png"], "--within-km: a scene sets"),
        (["trends", "--stretch", "nile"], "--stretch: unknown stretch(es) 'nile'"),
    ],
)
def test_bad_frontier_options_exit_2_naming_the_option(capsys: pytest.CaptureFixture[str], argv: list[str],
                                                       message: str) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("options", "counted"),
    [
        # Within the default 25 km, in one segment of the whole frontier (an area event counts once):
        # the Ayvoj and Shaymak posts and the six GBAO events on the Tajik bank; the Taliban in
        # Badakhshan and Takhar on the Afghan (Baghlan is 40 km away); on the land border east of
        # Zorkul, the Shaymak post, and GBAO's, Badakhshan's and the frontier line's events.
        (["--side", "tajikistan"], 2 + len(GBAO)),
        (["--side", "afghanistan"], 2),
        (["--stretch", "zorkul-east"], 1 + len(GBAO) + 2),
    ],
)
def test_panj_trends_counts_the_filtered_events(capsys: pytest.CaptureFixture[str], options: list[str],
                                                counted: int) -> None:
    assert main(["trends", "--segment-km", "1400", *options]) == 0
    assert sum(int(row["events"]) for row in csv.DictReader(io.StringIO(capsys.readouterr().out))) == counted


# --- the page ------------------------------------------------------------------------------------

@pytest.fixture
def shipped_page(monkeypatch):
    monkeypatch.delenv("PANJ_LAYERS_DIR", raising=False)
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def _count(at) -> str:
    return next(md.value for md in at.sidebar.markdown if md.value.endswith(" events**"))


def test_the_page_opens_with_the_urls_frontier_filters_and_resets_them(shipped_page) -> None:
    at = run_page({"within": "25", "side": "afghanistan"})
    assert _count(at) == "**2 of 30 events**"
    assert at.sidebar.number_input(key=ps.WITHIN).value == 25
    assert at.sidebar.multiselect(key=ps.SIDES).value == ["afghanistan"]
    assert at.sidebar.multiselect(key=ps.SIDES).options == ["Tajik bank", "Afghan bank"]
    assert at.sidebar.multiselect(key=ps.STRETCHES).options == [
        "Amu Darya", "Panj", "Pamir", "Zorkul and the land border to China"]
    assert (at.query_params["within"], at.query_params["side"]) == ("25", "afghanistan")

    at.sidebar.multiselect(key=ps.SIDES).unselect("afghanistan").run()
    at.sidebar.multiselect(key=ps.STRETCHES).select("zorkul-east").run()
    # On the land border east of Zorkul, all within 25 km: the Shaymak post and the eight events on
    # the areas touching it (GBAO, Badakhshan, the frontier line).
    assert _count(at) == f"**{len(STRETCHES['zorkul-east'])} of 30 events**"
    assert at.query_params["stretch"] == "zorkul-east" and "side" not in at.query_params
    at.sidebar.number_input(key=ps.WITHIN).set_value(None).run()
    assert _count(at) == f"**{len(STRETCHES['zorkul-east'])} of 30 events**" and "within" not in at.query_params

    at.sidebar.button[0].click().run()  # Reset filters
    assert _count(at) == "**30 of 30 events**"
    assert (at.sidebar.number_input(key=ps.WITHIN).value, at.sidebar.multiselect(key=ps.STRETCHES).value) == (None, [])
    assert not {"within", "side", "stretch"} & set(at.query_params)


def test_the_page_reports_and_ignores_bad_frontier_values(shipped_page) -> None:
    at = run_page({"within": "far", "stretch": "nile"})
    assert _count(at) == "**30 of 30 events**"
    assert page_notices(at) == ["Ignored 'within=far': expected a number of km.",
                                "Ignored unknown frontier stretch id(s): 'nile'."]
