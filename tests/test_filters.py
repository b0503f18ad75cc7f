"""geo.filters: applying filters (table-driven) and the query-string round trip."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point
from snapshots import load_joined_events

from geo.aliases import fold
from geo.filters import (
    ALL,
    PART_ACTORS,
    PART_TYPES,
    EventIndex,
    FilterState,
    KnownIds,
    ShownIds,
    ViewState,
    apply_filters,
    date_span,
    from_query_params,
    range_end,
    range_start,
    region_choices,
    to_query_params,
)
from geo.layers import load_layers

D = dt.date


def _event(event_id: str, first: dt.date, last: dt.date, *, actors=("russia",), event_type="diplomacy",
           title="", summary="", country_id="tajikistan", province_id="gbao", gbao=False, wakhan=False) -> dict:
    return {
        "id": event_id, "title": title or event_id, "summary": summary, "actors": tuple(actors),
        "event_type": event_type, "date_first": first, "date_last": last, "country_id": country_id,
        "province_id": province_id, "in_gbao": gbao, "in_wakhan": wakhan,
    }


# The joined-events columns apply_filters reads (geo.join gives region feature ids beside the names).
EVENTS = gpd.GeoDataFrame(
    [
        _event("may-2022", D(2022, 5, 1), D(2022, 5, 31), title="Talks in Dushanbe", summary="Russia and China meet."),
        _event("day", D(2022, 5, 18), D(2022, 5, 18), actors=("taliban", "nrf"), event_type="offensive",
               title="Clash in PANJSHIR", country_id="afghanistan", province_id="panjshir"),
        _event("year-2021", D(2021, 1, 1), D(2021, 12, 31), actors=("china",), event_type="border-infrastructure",
               summary="A post near the Wakhan.", gbao=True, wakhan=False),
        _event("span", D(2016, 1, 1), D(2022, 6, 30), actors=("china", "russia"), country_id="afghanistan",
               province_id="badakhshan", wakhan=True),
        _event("no-region", D(2022, 7, 1), D(2022, 7, 31), country_id=None, province_id=None),
    ],
    geometry=[Point(70, 38)] * 5, crs="EPSG:4326",
)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (FilterState(), ["may-2022", "day", "year-2021", "span", "no-region"]),
        # A month-precision event overlaps a range that starts inside its month...
        (FilterState(date_from=D(2022, 5, 20), date_to=D(2022, 6, 10)), ["may-2022", "span"]),
        # ...and is outside a range that starts after its month ends.
        (FilterState(date_from=D(2022, 6, 1)), ["span", "no-region"]),
        # Year-only: any day of 2021 counts; a range ending on 1 Jan 2021 still catches it.
        (FilterState(date_to=D(2021, 1, 1)), ["year-2021", "span"]),
        (FilterState(date_from=D(2021, 12, 31), date_to=D(2021, 12, 31)), ["year-2021", "span"]),
        # A day-precision event: the exact day only.
        (FilterState(date_from=D(2022, 5, 19), date_to=D(2022, 5, 31)), ["may-2022", "span"]),
        # Actors: any of the event's actors (not only the first).
        (FilterState(actors=frozenset({"nrf"})), ["day"]),
        (FilterState(actors=frozenset({"china", "taliban"})), ["day", "year-2021", "span"]),
        (FilterState(actors=frozenset()), []),
        (FilterState(event_types=frozenset({"offensive", "border-infrastructure"})), ["day", "year-2021"]),
        # Regions: flags from the join, countries and provinces by feature id, any of them.
        (FilterState(regions=frozenset({"gbao"})), ["year-2021"]),
        (FilterState(regions=frozenset({"wakhan", "province:panjshir"})), ["day", "span"]),
        (FilterState(regions=frozenset({"country:afghanistan"})), ["day", "span"]),
        # Text: case-insensitive, title or summary, literal (no regex).
        (FilterState(text="panjshir"), ["day"]),
        (FilterState(text="WAKHAN"), ["year-2021"]),
        (FilterState(text="  china "), ["may-2022"]),
        (FilterState(text="a.b"), []),
        # Everything at once is an AND.
        (FilterState(actors=frozenset({"russia"}), date_from=D(2022, 6, 1)), ["span", "no-region"]),
    ],
)
def test_apply_filters(state: FilterState, expected: list[str]) -> None:
    assert list(apply_filters(EVENTS, state)["id"]) == expected


def test_apply_filters_keeps_rows_and_columns() -> None:
    shown = apply_filters(EVENTS, FilterState(text="talks"))
    assert list(shown.columns) == list(EVENTS.columns)
    assert isinstance(shown, gpd.GeoDataFrame)


def test_region_filter_without_region_ids_says_what_is_missing() -> None:
    with pytest.raises(ValueError, match="'country:afghanistan' needs a 'country_id' column, as geo.join gives"):
        apply_filters(EVENTS.drop(columns="country_id"), FilterState(regions=frozenset({"country:afghanistan"})))


def test_date_span() -> None:
    assert date_span(EVENTS) == (D(2016, 1, 1), D(2022, 7, 31))
    assert date_span(EVENTS.iloc[0:0]) is None


# --- query string --------------------------------------------------------------------------------

KNOWN = KnownIds(
    actors=frozenset({"russia", "china", "taliban", "nrf"}),
    event_types=frozenset({"diplomacy", "offensive"}),
    regions=frozenset({"gbao", "wakhan", "country:afghanistan", "province:gbao"}),
    layers=("countries", "frontier", "posts"),
    basemaps=frozenset({"street", "none"}),
    events=frozenset({"may-2022", "day"}),
)
DEFAULT_VIEW = ViewState(visible_layers=("countries", "frontier", "posts"), basemap="street")


@pytest.mark.parametrize(
    ("state", "view"),
    [
        (FilterState(), DEFAULT_VIEW),
        (
            FilterState(date_from=D(2022, 5, 20), date_to=D(2022, 6, 10), actors=frozenset({"russia", "china"}),
                        event_types=frozenset({"offensive"}), regions=frozenset({"gbao", "country:afghanistan"}),
                        text="border post, Wakhan"),
            ViewState(visible_layers=("frontier",), basemap="none", selected_event="day"),
        ),
        (FilterState(date_to=D(2021, 12, 31)), ViewState(visible_layers=(), basemap="none")),
    ],
)
def test_query_round_trip(state: FilterState, view: ViewState) -> None:
    params = to_query_params(state, view)
    assert from_query_params(params, KNOWN, DEFAULT_VIEW) == (state, view, [])


def test_query_params_are_plain_and_sorted() -> None:
    params = to_query_params(FilterState(actors=frozenset({"russia", "china"}), text=" x "),
                             ViewState(("frontier",), "none"))
    assert params == {"actor": ["china", "russia"], "q": "x", "layers": ["frontier"], "basemap": "none"}
    assert to_query_params(FilterState(), ViewState((), "none"))["layers"] == "none"


def test_basemap_none_selects_no_tiles() -> None:
    _, view, notices = from_query_params({"basemap": "none"}, KNOWN, DEFAULT_VIEW)
    assert view.basemap == "none" and notices == []


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"from": "2022-13-01"}, "Ignored 'from=2022-13-01'"),
        ({"to": "yesterday"}, "Ignored 'to=yesterday'"),
        ({"from": "2022-02-30"}, "Ignored 'from=2022-02-30'"),
        ({"from": "2022-06-10", "to": "2022-05-01"}, "is after"),
        ({"from": ["2021", "2022"]}, "expected one value"),
        ({"actor": ["russia", "martians"]}, "unknown actor(s): 'martians'"),
        ({"type": "<script>"}, "unknown event type(s): '<script>'"),
        ({"region": "province:atlantis"}, "unknown region(s): 'province:atlantis'"),
        ({"layers": ["frontier", "rivers"]}, "unknown layer(s): 'rivers'"),
        ({"basemap": "mapbox"}, "unknown basemap 'mapbox'"),
        ({"event": "no-such-event"}, "unknown event 'no-such-event'"),
        ({"q": "x" * 201}, "longer than 200"),
    ],
)
def test_malformed_query_values_give_notices_not_errors(params: dict, notice: str) -> None:
    state, view, notices = from_query_params(params, KNOWN, DEFAULT_VIEW)
    assert len(notices) == 1 and notice in notices[0]


def test_malformed_values_are_dropped_and_good_ones_kept() -> None:
    params = {"actor": "russia,martians", "from": "garbage", "to": "2022-05", "layers": "frontier,rivers",
              "basemap": "mapbox", "scene": "someone-elses-key"}
    state, view, notices = from_query_params(params, KNOWN, DEFAULT_VIEW)
    assert state == FilterState(actors=frozenset({"russia"}), date_to=D(2022, 5, 31))
    assert view == ViewState(visible_layers=("frontier",), basemap="street")
    assert len(notices) == 4  # actor, from, layers, basemap; the unknown key is not ours


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [("2022", D(2022, 1, 1), D(2022, 12, 31)), ("2022-02", D(2022, 2, 1), D(2022, 2, 28)),
     ("2024-02", D(2024, 2, 1), D(2024, 2, 29)), ("2022-05-18", D(2022, 5, 18), D(2022, 5, 18))],
)
def test_partial_dates_in_the_query_span_their_whole_period(text: str, first: dt.date, last: dt.date) -> None:
    state, _, notices = from_query_params({"from": text, "to": text}, KNOWN, DEFAULT_VIEW)
    assert (state.date_from, state.date_to, notices) == (first, last, [])


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2022", D(2022, 1, 1), D(2022, 12, 31)),
        ("2022-02", D(2022, 2, 1), D(2022, 2, 28)),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),  # leap year
        ("2022-05-18", D(2022, 5, 18), D(2022, 5, 18)),
    ],
)
def test_a_partial_date_starts_a_range_on_its_first_day_and_ends_it_on_its_last(
    text: str, first: dt.date, last: dt.date,
) -> None:
    assert (range_start(text), range_end(text)) == (first, last)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("May 2022", "not of the form YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2022-5", "not of the form YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2022-13", "month 13 does not exist"),
        ("2022-02-30", "day 30 does not exist in February 2022"),
        ("0000", "year 0 is out of range"),
    ],
)
def test_a_bad_range_date_says_why_in_the_query_notice(text: str, reason: str) -> None:
    for read in (range_start, range_end):
        with pytest.raises(ValueError, match=reason):
            read(text)
    _, _, notices = from_query_params({"from": text}, KNOWN, DEFAULT_VIEW)
    assert notices == [f"Ignored 'from={text}': {reason}."]


def _layer(title: str, names: dict[str, str] | None = None) -> SimpleNamespace:
    """What region_choices reads of a geo.layers.Layer: the title and the names by feature id."""
    frame = pd.DataFrame({"name": list((names or {}).values())}, index=list((names or {}).keys()))
    return SimpleNamespace(spec=SimpleNamespace(title=title), frame=frame)


def test_region_choices_name_the_regions_events_lie_in() -> None:
    layers = {
        "gbao": _layer("Gorno-Badakhshan (GBAO)"), "wakhan": _layer("Wakhan corridor"),
        "countries": _layer("Countries", {"tajikistan": "Tajikistan", "afghanistan": "Afghanistan",
                                          "china": "China"}),
        "provinces": _layer("Provinces", {"takhar": "Takhar", "badakhshan": "Badakhshan", "kunduz": "Kunduz"}),
    }
    events = pd.DataFrame({
        "country_id": ["afghanistan", "afghanistan", "tajikistan", None],
        "province_id": ["takhar", "badakhshan", None, None],
    })
    assert list(region_choices(events, layers).items()) == [
        ("gbao", "Gorno-Badakhshan (GBAO)"),  # always offered, whatever the events
        ("wakhan", "Wakhan corridor"),
        ("country:afghanistan", "Afghanistan (country)"),  # by name; China has no event: not offered
        ("country:tajikistan", "Tajikistan (country)"),
        ("province:badakhshan", "Badakhshan (province)"),
        ("province:takhar", "Takhar (province)"),
    ]


def test_only_unknown_values_keep_the_default() -> None:
    state, view, notices = from_query_params({"actor": "martians", "layers": "rivers"}, KNOWN, DEFAULT_VIEW)
    assert state.actors is None and len(notices) == 2
    assert view.visible_layers == DEFAULT_VIEW.visible_layers  # not an empty map


# --- query string on top of a base (a workshop scene) ---------------------------------------------

BASE_STATE = FilterState(date_from=D(2021, 11, 1), date_to=D(2022, 5, 31), actors=frozenset({"russia"}),
                         event_types=frozenset({"diplomacy"}), regions=frozenset({"gbao"}), text="post")
BASE_VIEW = ViewState(visible_layers=("countries", "frontier"), basemap="none")
BASE = (BASE_STATE, BASE_VIEW)


@pytest.mark.parametrize(
    ("state", "view", "params"),
    [
        # The base itself: nothing to write (the page adds ?scene=ID).
        (BASE_STATE, BASE_VIEW, {}),
        # The selected event and the map's extent are written whatever the base.
        (BASE_STATE, replace(BASE_VIEW, selected_event="day", bbox=(70.5, 36.6, 75.2, 39.5)),
         {"event": "day", "bbox": "70.5,36.6,75.2,39.5"}),
        # Filters the reader cleared are written as "no filter" tokens, not left out.
        (replace(BASE_STATE, actors=None), BASE_VIEW, {"actor": "all"}),
        (replace(BASE_STATE, event_types=None), BASE_VIEW, {"type": "all"}),
        (replace(BASE_STATE, regions=None), BASE_VIEW, {"region": "all"}),
        (replace(BASE_STATE, text=""), BASE_VIEW, {"q": ""}),
        (replace(BASE_STATE, date_from=None, date_to=None), BASE_VIEW, {"from": "any", "to": "any"}),
        (BASE_STATE, ViewState((), "none"), {"layers": "none"}),
        # Changed values are written as they are, and only those.
        (replace(BASE_STATE, actors=frozenset({"russia", "china"})), BASE_VIEW, {"actor": ["china", "russia"]}),
        (replace(BASE_STATE, date_to=D(2022, 1, 15), text="talks"), BASE_VIEW, {"to": "2022-01-15", "q": "talks"}),
        (BASE_STATE, replace(BASE_VIEW, basemap="street"), {"basemap": "street"}),
        (BASE_STATE, ViewState(("frontier", "posts"), "none"), {"layers": ["frontier", "posts"]}),
    ],
)
def test_query_on_a_base_writes_only_differences_and_round_trips(state: FilterState, view: ViewState,
                                                                 params: dict) -> None:
    assert to_query_params(state, view, BASE) == params
    assert from_query_params(params, KNOWN, BASE_VIEW, BASE_STATE) == (state, view, [])


def test_same_layers_in_another_order_are_no_difference() -> None:
    assert to_query_params(BASE_STATE, ViewState(("frontier", "countries"), "none"), BASE) == {}


@pytest.mark.parametrize(
    ("params", "state"),
    [
        ({"actor": "china"}, replace(BASE_STATE, actors=frozenset({"china"}))),
        ({"actor": "all", "type": "all", "region": "all"},
         replace(BASE_STATE, actors=None, event_types=None, regions=None)),
        ({"from": "any"}, replace(BASE_STATE, date_from=None)),
        ({"to": "2022"}, replace(BASE_STATE, date_to=D(2022, 12, 31))),
        ({"q": ""}, replace(BASE_STATE, text="")),
        ({"q": " talks "}, replace(BASE_STATE, text="talks")),
        # A blank list is no override (?actor= is what an emptied form field sends).
        ({"actor": ""}, BASE_STATE),
    ],
)
def test_present_keys_override_the_default_and_absent_keys_keep_it(params: dict, state: FilterState) -> None:
    assert from_query_params(params, KNOWN, BASE_VIEW, BASE_STATE) == (state, BASE_VIEW, [])


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"actor": "martians"}, "unknown actor(s): 'martians'"),
        ({"type": "<script>"}, "unknown event type(s): '<script>'"),
        ({"region": "province:atlantis"}, "unknown region(s): 'province:atlantis'"),
        ({"from": "garbage"}, "Ignored 'from=garbage'"),
        ({"to": "2022-13"}, "Ignored 'to=2022-13'"),
        # Both dates from the URL, reversed: the base's dates, not half of each.
        ({"from": "2022-06", "to": "2022-01"}, "is after"),
        # One override against the base's other end, reversed.
        ({"from": "2022-07"}, "is after"),
        ({"q": "x" * 201}, "longer than 200"),
        ({"layers": "rivers"}, "unknown layer(s): 'rivers'"),
        ({"basemap": "mapbox"}, "unknown basemap 'mapbox'"),
    ],
)
def test_malformed_overrides_keep_the_base_with_a_notice(params: dict, notice: str) -> None:
    state, view, notices = from_query_params(params, KNOWN, BASE_VIEW, BASE_STATE)
    assert (state, view) == (BASE_STATE, BASE_VIEW)
    assert len(notices) == 1 and notice in notices[0]


def test_all_mixed_with_ids_is_an_unknown_id() -> None:
    state, _, notices = from_query_params({"actor": "all,china"}, KNOWN, BASE_VIEW, BASE_STATE)
    assert state.actors == frozenset({"china"}) and notices == ["Ignored unknown actor(s): 'all'."]


def test_tokens_without_a_base_mean_the_default() -> None:
    params = {"actor": "all", "from": "any", "to": "any", "q": ""}
    assert from_query_params(params, KNOWN, DEFAULT_VIEW) == (FilterState(), DEFAULT_VIEW, [])


@pytest.mark.parametrize("field_name", ["actors", "event_types", "regions"])
def test_all_is_reserved_as_an_id(field_name: str) -> None:
    with pytest.raises(ValueError, match=f"the id '{ALL}' is reserved: '\\?(actor|type|region)={ALL}' means no filter"):
        KnownIds(**{field_name: frozenset({"russia", ALL})})


@pytest.mark.parametrize(
    ("text", "bbox"),
    [
        ("70.5,36.6,75.2,39.5", (70.5, 36.6, 75.2, 39.5)),
        ("-180,-85,180,85", (-180.0, -85.0, 180.0, 85.0)),  # the widest view the map can show
    ],
)
def test_bbox_round_trips_through_the_query(text: str, bbox: tuple[float, float, float, float]) -> None:
    _, view, notices = from_query_params({"bbox": text}, KNOWN, DEFAULT_VIEW)
    assert (view.bbox, notices) == (bbox, [])
    assert to_query_params(FilterState(), view)["bbox"] == text


def test_bbox_is_written_rounded_to_four_decimals() -> None:
    view = ViewState(("frontier",), "none", bbox=(70.123456, 36.5, 75.00004, 39.99999))
    assert to_query_params(FilterState(), view)["bbox"] == "70.1235,36.5,75,40"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("70,36,75", "expected four numbers W,S,E,N"),  # a number short
        ("70,36,75,x", "expected four numbers W,S,E,N"),
        ("75,36,70,39", "need -180 <= W < E <= 180"),  # west and east swapped
        ("70,36,190,39", "need -180 <= W < E <= 180"),
        ("70,39,75,36", "need -85 <= S < N <= 85"),
        ("70,36,75,89", "need -85 <= S < N <= 85"),  # beyond what Web Mercator shows
        ("70,nan,75,39", "the numbers must be finite"),
    ],
)
def test_malformed_bbox_is_a_notice_and_the_home_view(text: str, reason: str) -> None:
    _, view, notices = from_query_params({"bbox": text}, KNOWN, DEFAULT_VIEW)
    assert view.bbox is None
    assert len(notices) == 1 and notices[0].startswith(f"Ignored 'bbox={text}': {reason}")


# --- search: every word, any order, any case or accent, place names in their other spellings -----

SEARCHED = pd.DataFrame([
    {"id": "khorugh-talks", "title": "Talks in Khorugh", "summary": "Officials of Badakhshón meet.",
     "place_name": "Khorugh", "place_aliases": "Khorog; Хорог"},
    {"id": "no-place", "title": "A statement", "summary": "Nothing about towns.", "place_name": None,
     "place_aliases": None},
])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("khorog", ["khorugh-talks"]),                  # another spelling of the place
        ("хорог", ["khorugh-talks"]),                   # in Cyrillic
        ("BADAKHSHON officials", ["khorugh-talks"]),    # all words, any order, accent dropped
        ("talks statement", []),                        # every word must match one event
        ("  ", ["khorugh-talks", "no-place"]),
    ],
)
def test_search_words_case_accents_and_spellings(text: str, expected: list[str]) -> None:
    assert list(apply_filters(SEARCHED, FilterState(text=text))["id"]) == expected


# Expectations read off layers/events/*.json and layers/aliases.json by hand.
ARTICLE_SEARCHES = [
    ("Aivaj", {"us-funds-ayvoj-post"}),
    ("ayvadzh BORDER", {"us-funds-ayvoj-post"}),
    ("Айвадж", {"us-funds-ayvoj-post"}),
    ("Shaimak", {"china-shaymak-post"}),
    ("shaymak", {"china-shaymak-post"}),
    ("post china", {"china-shaymak-post"}),
    ("china post", {"china-shaymak-post"}),
    ("Wakhan", {"china-shaymak-post"}),  # in its summary: the post watches the Wakhan
    ("Vakhan", set()),  # another spelling of the Wakhan's place, and no event is placed there
    ("Panjsher", {"resistance-panjshir", "nrf-offensive-panjshir-valley"}),
    ("Душанбе", {"majlisi-oli-russian-grant"}),  # the one event placed at Dushanbe (docs/DATA.md)
    # GBAO by any of its names: every event placed on GBAO
    ("Gorno Badakhshan", {"gbao-disturbances-2022", "gbao-protests", "gbao-drug-trade", "gbao-counterterrorism-operation",
                          "gbao-deadly-unrest", "gbao-rally-crackdown"}),
    ("kuhistoni", {"gbao-disturbances-2022", "gbao-protests", "gbao-drug-trade", "gbao-counterterrorism-operation",
                   "gbao-deadly-unrest", "gbao-rally-crackdown"}),
]


@pytest.mark.parametrize(("text", "expected"), ARTICLE_SEARCHES, ids=[row[0] for row in ARTICLE_SEARCHES])
def test_search_finds_article_places_by_their_spellings(text: str, expected: set[str]) -> None:
    assert set(apply_filters(load_joined_events(), FilterState(text=text))["id"]) == expected


# --- regions offered once -------------------------------------------------------------------------

def test_gbao_is_offered_once_though_it_is_also_a_province() -> None:
    layers = {
        "gbao": _layer("Gorno-Badakhshan (GBAO)"), "wakhan": _layer("Wakhan corridor"),
        "countries": _layer("Countries", {"tajikistan": "Tajikistan"}),
        "provinces": _layer("Provinces", {"gbao": "Gorno-Badakhshan Autonomous Region", "khatlon": "Khatlon"}),
    }
    events = pd.DataFrame({"country_id": ["tajikistan", "tajikistan"], "province_id": ["gbao", "khatlon"]})
    assert list(region_choices(events, layers)) == ["gbao", "wakhan", "country:tajikistan", "province:khatlon"]


@pytest.mark.parametrize(
    ("params", "regions"),
    [
        ({"region": "province:gbao"}, frozenset({"gbao"})),  # a link written before GBAO was listed once
        ({"region": "province:gbao,gbao,wakhan"}, frozenset({"gbao", "wakhan"})),
    ],
)
def test_province_gbao_in_a_link_reads_as_gbao(params: dict, regions: frozenset[str]) -> None:
    known = replace(KNOWN, regions=frozenset({"gbao", "wakhan", "country:afghanistan"}))
    state, _, notices = from_query_params(params, known, DEFAULT_VIEW)
    assert (state.regions, notices) == (regions, [])


def test_every_region_of_the_article_is_offered_once() -> None:
    labels = list(region_choices(load_joined_events(), load_layers()).values())
    assert not [label for label in labels if "Badakhshan Autonomous" in label]  # GBAO is "gbao" only
    assert len(labels) == len(set(labels))


# --- status ----------------------------------------------------------------------------------------

def test_status_filter_on_the_article() -> None:
    # Read off layers/events/edm-v19-i92.json by hand: the plans and announcements, in date order.
    plans = apply_filters(load_joined_events(), FilterState(statuses=frozenset({"planned", "announced"})))
    assert list(plans["id"]) == ["us-funds-ayvoj-post", "russia-announces-border-post",
                                 "nrf-offensive-andarab-valley", "nrf-offensive-panjshir-valley"]


@pytest.mark.parametrize(("base", "state", "written"), [
    (None, FilterState(statuses=frozenset({"ongoing", "occurred"})), ["occurred", "ongoing"]),
    (None, FilterState(), None),  # every status: nothing written
    # a scene that filters by status, cleared by the reader: the "no filter" token
    ((FilterState(statuses=frozenset({"planned"})), DEFAULT_VIEW), FilterState(), "all"),
])
def test_status_round_trips_through_the_query(base, state: FilterState, written) -> None:
    params = to_query_params(state, DEFAULT_VIEW, base)
    assert params.get("status") == written
    default = base[0] if base else FilterState()
    assert from_query_params(params, KNOWN, DEFAULT_VIEW, default)[0] == state


def test_an_unknown_status_is_a_notice() -> None:
    state, _, notices = from_query_params({"status": "rumoured,planned"}, KNOWN, DEFAULT_VIEW)
    assert state.statuses == frozenset({"planned"})
    assert notices == ["Ignored unknown status(s): 'rumoured'."]


# --- the precomputed index (EventIndex) agrees with the filters' definition ------------------------

def _defined(frame: pd.DataFrame, state: FilterState) -> list[str]:
    """The filters as first written, row by row over the frame (the definition the index must keep)."""
    kept = []
    for _, row in frame.iterrows():
        if state.date_from is not None and row["date_last"] < state.date_from:
            continue
        if state.date_to is not None and row["date_first"] > state.date_to:
            continue
        if state.actors is not None and state.actors.isdisjoint(row["actors"]):
            continue
        if state.event_types is not None and row["event_type"] not in state.event_types:
            continue
        if state.statuses is not None and row["status"] not in state.statuses:
            continue
        if state.regions is not None and not any(_in_region(row, region) for region in state.regions):
            continue
        searched = "\n".join("" if pd.isna(row.get(column)) else str(row[column])
                             for column in ("title", "summary", "place_name", "place_aliases") if column in row)
        if not all(word in fold(searched) for word in fold(state.text).split()):
            continue
        kept.append(row["id"])
    return kept


def _in_region(row: pd.Series, region: str) -> bool:
    if region in ("gbao", "wakhan"):
        return bool(row[f"in_{region}"])
    prefix, _, value = region.partition(":")
    return row[f"{prefix}_id"] == value if prefix in ("country", "province") else False


ARTICLE_STATES = [
    FilterState(),
    FilterState(date_from=D(2021, 11, 1), date_to=D(2022, 5, 31)),
    FilterState(date_to=D(2016, 1, 1)),
    FilterState(actors=frozenset({"russia", "taliban"})),
    FilterState(actors=frozenset({"no-such-actor"})),
    FilterState(event_types=frozenset({"military-presence", "border-infrastructure"})),
    FilterState(statuses=frozenset({"ongoing"})),
    FilterState(regions=frozenset({"gbao", "province:badakhshan"})),
    FilterState(regions=frozenset({"wakhan", "country:afghanistan"})),
    FilterState(regions=frozenset({"country:china"})),  # a country no event lies in
    FilterState(text="border post"),
    FilterState(text="Душанбе"),
    FilterState(actors=frozenset({"russia"}), statuses=frozenset({"ongoing", "occurred"}), date_from=D(2021, 1, 1),
                regions=frozenset({"country:tajikistan"}), text="russia"),
]


@pytest.mark.parametrize("state", ARTICLE_STATES)
def test_the_index_keeps_the_filters_meaning_on_the_article(state: FilterState) -> None:
    events = load_joined_events()
    assert list(apply_filters(events, state)["id"]) == _defined(events, state)


EDGES = pd.DataFrame([
    # No actor at all, a missing event type, status, country and province, a non-ASCII title.
    {"id": "bare", "title": "Ça a commencé", "summary": None, "actors": (), "event_type": None, "status": None,
     "date_first": D(2020, 1, 1), "date_last": D(2020, 1, 1), "country_id": None, "province_id": None,
     "in_gbao": False, "in_wakhan": False},
    # One actor named twice, a date range of one day at the range's edge.
    {"id": "twice", "title": "Twice", "summary": "commence", "actors": ("russia", "russia"), "event_type": "diplomacy",
     "status": "occurred", "date_first": D(2021, 12, 31), "date_last": D(2022, 1, 1), "country_id": "tajikistan",
     "province_id": "gbao", "in_gbao": True, "in_wakhan": False},
], index=[10, 20])  # labels a filtered frame keeps


@pytest.mark.parametrize("state", [
    FilterState(actors=frozenset({"russia"})), FilterState(event_types=frozenset({"diplomacy"})),
    FilterState(statuses=frozenset({"occurred"})), FilterState(regions=frozenset({"country:tajikistan", "wakhan"})),
    FilterState(text="commence"), FilterState(text="ca"), FilterState(date_from=D(2022, 1, 1)),
    FilterState(date_to=D(2021, 12, 31)), FilterState(actors=frozenset()),
])
def test_the_index_keeps_the_filters_meaning_on_edge_cases(state: FilterState) -> None:
    assert list(apply_filters(EDGES, state)["id"]) == _defined(EDGES, state)


def test_filtering_keeps_the_index_labels() -> None:
    # The map picks the shown events by their labels in the page's frame: a filter never renumbers them.
    assert list(apply_filters(EDGES, FilterState(text="twice")).index) == [20]
    assert list(apply_filters(EVENTS, FilterState(actors=frozenset({"china"}))).index) == [2, 3]
    assert apply_filters(EDGES.iloc[0:0], FilterState(text="x")).empty


def test_index_masks_leave_one_filter_out_and_count_terms() -> None:
    index = EventIndex(EVENTS)  # may-2022, day, year-2021, span, no-region
    state = FilterState(actors=frozenset({"china"}), event_types=frozenset({"diplomacy"}))
    masks = index.masks(state)
    assert set(masks) == {PART_ACTORS, PART_TYPES}
    assert list(index.mask(state, masks=masks)) == [False, False, False, True, False]
    assert list(index.mask(state, masks=masks, leave_out=PART_ACTORS)) == [True, False, False, True, True]
    within = np.array([True, True, True, False, True])  # a dataset left out
    assert list(index.mask(state, within=within, leave_out=PART_TYPES)) == [False, False, True, False, False]
    # Counted by hand from EVENTS' actors and types: each event once per term it names.
    everything = np.ones(5, dtype=bool)
    assert index.counts("actors", everything) == {"russia": 3, "taliban": 1, "nrf": 1, "china": 2}
    assert index.counts("event_type", everything) == {"diplomacy": 3, "offensive": 1, "border-infrastructure": 1}
    assert index.counts("actors", index.mask(state, leave_out=PART_ACTORS)) == {"russia": 3, "china": 1}
    assert EventIndex(EDGES).counts("actors", np.ones(2, dtype=bool)) == {"russia": 2}


def test_shown_ids_are_the_masks_ids() -> None:
    shown = ShownIds(EventIndex(EVENTS), np.array([False, True, False, True, False]))
    assert ("day" in shown, "span" in shown, "may-2022" in shown, "nowhere" in shown, None in shown) == (
        True, True, False, False, False)
    assert (len(shown), list(shown)) == (2, ["day", "span"])
