"""geo/pagestate.py: the page's state machine, table-driven, with no Streamlit running.

Expectations are written out by hand from the rules the page promises (README, "Using the page"),
not computed by the functions under test."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from geo import pagestate as ps
from geo.filters import FilterState, KnownIds, ViewState
from geo.playback import Playback
from geo.scenes import Scene
from geo.timechart import time_bins

LAYERS = ("countries", "gbao", "frontier", "posts")
SPAN = (dt.date(2016, 1, 1), dt.date(2022, 6, 30))
DEFAULT_VIEW = ViewState(visible_layers=("countries", "frontier"), basemap="none")
KNOWN = KnownIds(actors=frozenset({"russia", "china"}), event_types=frozenset({"offensive", "diplomacy"}),
                 regions=frozenset({"gbao", "wakhan"}), layers=LAYERS, basemaps=frozenset({"none", "street"}),
                 events=frozenset({"talks", "post-built"}))
RUSSIA = Scene(id="russia", title="Russia", caption="Russia's part.", layers=("gbao", "frontier"), basemap="street",
               filters=FilterState(actors=frozenset({"russia"}), date_from=dt.date(2021, 1, 1)),
               extent=(66.0, 35.0, 76.0, 40.0))
SCENES = {"russia": RUSSIA}


def _layer_boxes(values: dict) -> dict[str, bool]:
    return {layer_id: values[ps.layer_key(layer_id)] for layer_id in LAYERS}


NO_DATES = ("", "")  # From and To empty: no date filter


@pytest.mark.parametrize(("query", "scene", "actors", "boxes", "basemap", "dates", "selected", "bbox", "notices"), [
    # No query: no filter, the default layers and basemap, From and To empty.
    ({}, None, [], {"countries": True, "gbao": False, "frontier": True, "posts": False}, "none", NO_DATES, None,
     None, 0),
    # A link's filters, layers and highlighted event.
    ({"actor": ["china"], "layers": ["gbao"], "event": ["talks"]}, None, ["china"],
     {"countries": False, "gbao": True, "frontier": False, "posts": False}, "none", NO_DATES, "talks", None, 0),
    # A scene link: the scene's filters, layers and basemap; its start date in From, as a year.
    ({"scene": ["russia"]}, "russia", ["russia"], {"countries": False, "gbao": True, "frontier": True, "posts": False},
     "street", ("2021", ""), None, None, 0),
    # A scene link with an override keeps the rest of the scene.
    ({"scene": ["russia"], "basemap": ["none"]}, "russia", ["russia"],
     {"countries": False, "gbao": True, "frontier": True, "posts": False}, "none", ("2021", ""), None, None, 0),
    # Link dates inside the span, at the shortest form that reads back as the same day.
    ({"from": ["2021-11"], "to": ["2022-05-18"]}, None, [], {"countries": True, "gbao": False, "frontier": True,
                                                            "posts": False}, "none", ("2021-11", "2022-05-18"),
     None, None, 0),
    # A view to open on.
    ({"bbox": ["69,37,71,38.5"]}, None, [], {"countries": True, "gbao": False, "frontier": True, "posts": False},
     "none", NO_DATES, None, (69.0, 37.0, 71.0, 38.5), 0),
    # Degenerate and malformed views are refused with a notice, not drawn.
    ({"bbox": ["69,37,69.0000001,37.0000001"]}, None, [], {"countries": True, "gbao": False, "frontier": True,
                                                         "posts": False}, "none", NO_DATES, None, None, 1),
    ({"bbox": ["69,37,69.005,38"]}, None, [], {"countries": True, "gbao": False, "frontier": True, "posts": False},
     "none", NO_DATES, None, None, 1),
    # Dates outside the events' span are moved inside it, each with a notice.
    ({"from": ["2001"], "to": ["2030"]}, None, [], {"countries": True, "gbao": False, "frontier": True,
                                                   "posts": False}, "none", ("2016", "2022-06"), None, None, 2),
    # Unknown ids and scenes are notices; the rest of the link still applies.
    ({"actor": ["atlantis", "china"], "scene": ["nowhere"]}, None, ["china"],
     {"countries": True, "gbao": False, "frontier": True, "posts": False}, "none", NO_DATES, None, None, 2),
])
def test_opening_values(query, scene, actors, boxes, basemap, dates, selected, bbox, notices) -> None:
    values = ps.opening_values(query, SCENES, KNOWN, DEFAULT_VIEW, LAYERS, SPAN)
    assert values[ps.SCENE] == scene
    assert values[ps.FIT_SCENE] is (scene is not None)
    assert values[ps.ACTORS] == actors
    assert _layer_boxes(values) == boxes
    assert values[ps.BASEMAP] == basemap
    assert (values[ps.DATE_FROM], values[ps.DATE_TO]) == dates
    assert values[ps.SELECTED] == selected
    assert values[ps.BBOX] == values[ps.OPEN_BBOX] == bbox
    assert len(values[ps.NOTICES]) == notices, values[ps.NOTICES]
    assert values[ps.READY] is True and values[ps.STEP] is None


def test_scene_values_move_the_map_and_clear_the_highlight() -> None:
    values = ps.scene_values(RUSSIA, LAYERS, SPAN)
    assert values[ps.ACTORS] == ["russia"]
    assert _layer_boxes(values) == {"countries": False, "gbao": True, "frontier": True, "posts": False}
    assert values[ps.BASEMAP] == "street"
    assert (values[ps.FIT_SCENE], values[ps.BBOX], values[ps.SELECTED], values[ps.STEP]) == (True, None, None, None)


@pytest.mark.parametrize(("play", "expected"), [
    # No playback in the scene: choosing it turns the reader's off.
    (None, None),
    # Paused at the period holding its first day, in its step and mode.
    (Playback(dt.date(2021, 11, 1), dt.date(2022, 6, 30), "month", "this"),
     ("month", dt.date(2021, 11, 1), dt.date(2021, 11, 30), "this")),
    (Playback(dt.date(2022, 5, 18), dt.date(2022, 6, 30), "week", "upto"),
     ("week", dt.date(2022, 5, 16), dt.date(2022, 5, 22), "upto")),  # 18 May 2022 was a Wednesday
    (Playback(dt.date(2021, 3, 1), dt.date(2022, 12, 31), "year", "this"),
     ("year", dt.date(2021, 1, 1), dt.date(2021, 12, 31), "this")),
])
def test_scene_values_open_the_scenes_playback_paused_at_its_first_period(play, expected) -> None:
    values = ps.scene_values(dataclasses.replace(RUSSIA, play=play), LAYERS, SPAN)
    playback = values[ps.PLAYBACK]
    if expected is None:
        assert playback is None
    else:
        assert (playback.step, playback.period.first, playback.period.last, playback.mode) == expected
        assert playback.fade == 0


def test_reset_values_clear_every_filter_and_the_highlight() -> None:
    values = ps.reset_values(DEFAULT_VIEW, LAYERS, SPAN)
    assert (values[ps.ACTORS], values[ps.TYPES], values[ps.REGIONS], values[ps.TEXT]) == ([], [], [], "")
    assert (values[ps.DATE_FROM], values[ps.DATE_TO]) == NO_DATES
    assert _layer_boxes(values) == {"countries": True, "gbao": False, "frontier": True, "posts": False}
    assert values[ps.SELECTED] is None


@pytest.mark.parametrize(("state", "moved", "notices"), [
    (FilterState(), (None, None), []),  # open ends stay open
    (FilterState(date_from=dt.date(2021, 3, 1)), (dt.date(2021, 3, 1), None), []),
    (FilterState(date_from=dt.date(2001, 1, 1), date_to=dt.date(2030, 12, 31)), SPAN,
     ["Moved the start date 2001-01-01 to 2016-01-01: the events run from 2016-01-01 to 2022-06-30.",
      "Moved the end date 2030-12-31 to 2022-06-30: the events run from 2016-01-01 to 2022-06-30."]),
    # Past the span's end: the From is its last day, and the To cannot come before it.
    (FilterState(date_from=dt.date(2023, 1, 1)), (SPAN[1], None),
     ["Moved the start date 2023-01-01 to 2022-06-30: the events run from 2016-01-01 to 2022-06-30."]),
    (FilterState(date_to=dt.date(1990, 5, 31)), (None, SPAN[0]),
     ["Moved the end date 1990-05-31 to 2016-01-01: the events run from 2016-01-01 to 2022-06-30."]),
])
def test_dates_in_span(state, moved, notices) -> None:
    assert ps.dates_in_span(SPAN, state) == (moved, notices)


@pytest.mark.parametrize(("dates", "expected_from", "expected_to"), [
    ((None, None), None, None),  # From and To empty
    (SPAN, None, None),  # the full span is no date filter
    ((dt.date(2001, 1, 1), dt.date(2030, 12, 31)), None, None),  # nor is more than it
    ((dt.date(2021, 3, 1), SPAN[1]), dt.date(2021, 3, 1), None),
    ((SPAN[0], dt.date(2021, 3, 1)), None, dt.date(2021, 3, 1)),
    ((None, dt.date(2021, 3, 1)), None, dt.date(2021, 3, 1)),
])
def test_filters_from_widgets(dates, expected_from, expected_to) -> None:
    state = ps.filters_from_widgets(dates=dates, span=SPAN, actors=["russia"], event_types=[], regions=[],
                                    text="  talks ")
    assert (state.date_from, state.date_to) == (expected_from, expected_to)
    assert state.actors == frozenset({"russia"}) and state.event_types is None and state.regions is None
    assert state.text == "talks"


def _ms(day: str) -> float:
    return dt.datetime.fromisoformat(day).replace(tzinfo=dt.timezone.utc).timestamp() * 1000


MONTH_BINS = time_bins(dt.date(2021, 11, 1), dt.date(2022, 6, 30))


@pytest.mark.parametrize(("selection", "expected"), [
    ({"first": [_ms("2021-11-20"), _ms("2022-01-03")]}, ("2021-11", "2022-01")),
    ({"first": [_ms("2022-05-02"), _ms("2022-05-03")]}, ("2022-05", "2022-05")),
    ({}, ("", "")),  # the brush cleared: no date filter
    ({"first": [_ms("2030-01-01"), _ms("2030-02-01")]}, ("", "")),  # over no bar
])
def test_brushed_values(selection, expected) -> None:
    assert ps.brushed_values(selection, MONTH_BINS) == {ps.DATE_FROM: expected[0], ps.DATE_TO: expected[1]}


@pytest.mark.parametrize(("chosen", "clicked", "expected"), [
    ([], ["russia"], ["russia"]),
    (["china", "russia"], ["russia"], ["china"]),  # a chosen bar clicked again is dropped
    (["russia"], ["china"], ["china", "russia"]),
])
def test_toggled(chosen, clicked, expected) -> None:
    assert ps.toggled(chosen, clicked) == expected


@pytest.mark.parametrize(("state", "view", "scene", "presenter", "expected"), [
    (FilterState(), DEFAULT_VIEW, None, False, {"layers": ["countries", "frontier"], "basemap": ["none"]}),
    (FilterState(actors=frozenset({"china", "russia"})), DEFAULT_VIEW, None, True,
     {"actor": ["china", "russia"], "layers": ["countries", "frontier"], "basemap": ["none"], "presenter": ["1"]}),
    # On a scene only what differs is written; a cleared scene filter says so.
    (RUSSIA.filters, RUSSIA.view_state(), RUSSIA, False, {"scene": ["russia"]}),
    (FilterState(date_from=dt.date(2021, 1, 1)), RUSSIA.view_state(), RUSSIA, False,
     {"scene": ["russia"], "actor": ["all"]}),
    (RUSSIA.filters, ViewState(("gbao", "frontier"), "street", "talks", (69.0, 37.0, 71.0, 38.5)), RUSSIA, False,
     {"scene": ["russia"], "event": ["talks"], "bbox": ["69,37,71,38.5"]}),
])
def test_url_params(state, view, scene, presenter, expected) -> None:
    assert ps.url_params(state, view, scene, presenter) == expected


@pytest.mark.parametrize(("query", "reopened"), [
    ({"bbox": ["69,37,71,38.5"]}, (69.0, 37.0, 71.0, 38.5)),
    ({"bbox": ["-180,-85,180,85"]}, (-180.0, -85.0, 180.0, 85.0)),
    ({"bbox": ["69,37,69.01,37.01"]}, (69.0, 37.0, 69.01, 37.01)),  # the smallest view the page writes
])
def test_every_view_the_page_writes_it_reopens(query, reopened) -> None:
    values = ps.opening_values(query, SCENES, KNOWN, DEFAULT_VIEW, LAYERS, SPAN)
    assert values[ps.NOTICES] == []
    written = ps.url_params(FilterState(), ViewState(DEFAULT_VIEW.visible_layers, "none", bbox=values[ps.BBOX]),
                            None, False)
    assert written["bbox"] == query["bbox"]
    assert ps.opening_values(written, SCENES, KNOWN, DEFAULT_VIEW, LAYERS, SPAN)[ps.BBOX] == reopened


@pytest.mark.parametrize(("rows", "listed", "expected"), [
    ([1], ["a", "b", "c"], "b"),
    ([], ["a", "b"], None),
    ([5], ["a", "b"], None),  # a stale row number names nothing
])
def test_table_selection_names_the_event_as_listed(rows, listed, expected) -> None:
    assert ps.table_selection(rows, listed) == expected


@pytest.mark.parametrize(("total", "asked", "changed", "number", "pages", "start", "stop", "caption"), [
    (12_345, None, False, 1, 247, 0, 50, "Rows 1–50 of 12,345"),  # opening: the first page
    (12_345, 2, False, 2, 247, 50, 100, "Rows 51–100 of 12,345"),
    (12_345, 247, False, 247, 247, 12_300, 12_345, "Rows 12,301–12,345 of 12,345"),  # the last page, short
    (12_345, 248, False, 247, 247, 12_300, 12_345, "Rows 12,301–12,345 of 12,345"),  # past the end: the last
    (120, 9, False, 3, 3, 100, 120, "Rows 101–120 of 120"),  # a filter left fewer pages
    (12_345, 0, False, 1, 247, 0, 50, "Rows 1–50 of 12,345"),  # before the first: the first
    (12_345, 7, True, 1, 247, 0, 50, "Rows 1–50 of 12,345"),  # the filters changed: back to the first
    (50, 2, False, 1, 1, 0, 50, "Rows 1–50 of 50"),  # exactly one page
    (51, 2, False, 2, 2, 50, 51, "Rows 51–51 of 51"),
    (0, 3, False, 1, 1, 0, 0, "No rows"),
])
def test_table_page(total, asked, changed, number, pages, start, stop, caption) -> None:
    page = ps.table_page(total, asked, filters_changed=changed)
    assert (page.number, page.pages, page.start, page.stop, page.total) == (number, pages, start, stop, total)
    assert page.caption == caption


def test_a_selection_on_a_later_page_names_that_pages_event() -> None:
    # Page 2 of 120 events lists the events at positions 50..99: its third row is position 52.
    page = ps.table_page(120, 2)
    listed = [f"event-{position}" for position in range(120)][page.start:page.stop]
    assert ps.table_selection([2], listed) == "event-52"


@pytest.mark.parametrize(("selected", "step", "shown", "expected"), [
    ("b", None, {"a", "b"}, "b"),
    ("b", None, {"a", "c"}, None),  # filtered out: the highlight clears, it does not jump
    ("b", "a", {"a", "b"}, "a"),  # stepping wins
    (None, None, {"a"}, None),
])
def test_highlighted(selected, step, shown, expected) -> None:
    assert ps.highlighted(selected, step, shown) == expected


@pytest.mark.parametrize(("selected", "step", "highlight", "expected"), [
    ("a", None, "a", True),  # chosen in the table (or named by the URL): the map comes into view, popup open
    ("a", "b", "b", False),  # a step: its caption says what it is
    (None, "b", "b", False),
    ("a", None, None, False),  # the filters hide it: nothing to show
    (None, None, None, False),
])
def test_reveals_only_the_tables_selection(selected, step, highlight, expected) -> None:
    assert ps.reveals(selected, step, highlight) is expected


OPENED, SCENE_BOX, EVENTS_BOX = (69.0, 37.0, 71.0, 38.5), (66.0, 35.0, 76.0, 40.0), (70.0, 36.0, 72.0, 38.0)


@pytest.mark.parametrize(("opened", "scene_bounds", "fit_clicked", "expected"), [
    (None, None, False, None),  # nothing asked: the map keeps the reader's view
    (OPENED, None, False, OPENED),  # first run of a link with a view
    (OPENED, SCENE_BOX, False, OPENED),  # a scene link with a view: the link's view
    (None, SCENE_BOX, False, SCENE_BOX),  # a scene was just applied
    (None, None, True, EVENTS_BOX),  # "Fit to events"
    (OPENED, None, True, EVENTS_BOX),
])
def test_bounds_to_fit(opened, scene_bounds, fit_clicked, expected) -> None:
    assert ps.bounds_to_fit(opened=opened, scene_bounds=scene_bounds, fit_clicked=fit_clicked,
                            events_bounds=EVENTS_BOX) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("69,37,71,38.5", (69.0, 37.0, 71.0, 38.5)),
    (None, None),  # the map had not drawn yet
    ("69,37,69,37", None),
    ("nonsense", None),
])
def test_clicked_bounds(text, expected) -> None:
    assert ps.clicked_bounds(text) == expected


def test_status_widget_follows_the_state_and_reset_clears_it() -> None:
    values, _ = ps.widget_values(FilterState(statuses=frozenset({"planned", "occurred"})), DEFAULT_VIEW, LAYERS, SPAN)
    assert values[ps.STATUSES] == ["occurred", "planned"]  # in the model's order
    assert ps.reset_values(DEFAULT_VIEW, LAYERS, SPAN)[ps.STATUSES] == []
    state = ps.filters_from_widgets(dates=(None, None), span=SPAN, actors=[], event_types=[], regions=[], text="",
                                    statuses=["ongoing"])
    assert state.statuses == frozenset({"ongoing"})


# The fatalities range and the sizing: what a URL opens the widgets with, what they mean, and the URL back.
@pytest.mark.parametrize(("query", "boxes", "checked", "written"), [
    ({}, (None, None), False, {}),
    ({"fatalities_min": ["5"]}, (5, None), False, {"fatalities_min": ["5"]}),
    ({"fatalities_min": ["0"], "fatalities_max": ["10"], "size": ["fatalities"]}, (0, 10), True,
     {"fatalities_min": ["0"], "fatalities_max": ["10"], "size": ["fatalities"]}),
    ({"fatalities_max": ["-3"]}, (None, None), False, {}),  # ignored with a notice
])
def test_the_fatalities_widgets_follow_the_url_and_write_it_back(query, boxes, checked, written) -> None:
    values = ps.opening_values(query, SCENES, KNOWN, DEFAULT_VIEW, LAYERS, SPAN)
    assert (values[ps.FATALITIES_MIN], values[ps.FATALITIES_MAX], values[ps.SIZE]) == (*boxes, checked)
    state = ps.filters_from_widgets(dates=(None, None), span=SPAN, actors=[], event_types=[], regions=[], text="",
                                    fatalities_range=(values[ps.FATALITIES_MIN], values[ps.FATALITIES_MAX]))
    view = dataclasses.replace(DEFAULT_VIEW, size_by=ps.sized_by(values[ps.SIZE]))
    params = ps.url_params(state, view, None, False)
    assert {key: value for key, value in params.items() if key.startswith(("fatalities", "size"))} == written


@pytest.mark.parametrize(("boxes", "bounds"), [
    ((2.0, 7.0), (2, 7)),
    ((2.5, 7.5), (3, 7)),  # a bound is the whole number at or inside it
    ((None, 0.0), (None, 0)),
])
def test_the_number_boxes_become_whole_bounds(boxes, bounds) -> None:
    state = ps.filters_from_widgets(dates=(None, None), span=SPAN, actors=[], event_types=[], regions=[], text="",
                                    fatalities_range=boxes)
    assert (state.fatalities_min, state.fatalities_max) == bounds


def test_reset_clears_the_range_and_the_sizing() -> None:
    values = ps.reset_values(DEFAULT_VIEW, LAYERS, SPAN)
    assert (values[ps.FATALITIES_MIN], values[ps.FATALITIES_MAX], values[ps.SIZE]) == (None, None, False)


def test_a_scene_date_at_the_span_edge_stays_the_scenes() -> None:
    # A scene to the events' last month: its To is the span's end, and still the scene's filter.
    scene_filters = FilterState(date_from=dt.date(2021, 11, 1), date_to=SPAN[1])
    state = ps.filters_from_widgets(dates=(dt.date(2021, 11, 1), SPAN[1]), span=SPAN, actors=[], event_types=[],
                                    regions=[], text="", scene_filters=scene_filters)
    assert (state.date_from, state.date_to) == (dt.date(2021, 11, 1), SPAN[1])


# --- the datasets a link hides -------------------------------------------------------------------

@pytest.mark.parametrize(("query", "hidden", "notices"), [
    ({}, [], []),
    ({"hide": ["acled"]}, ["acled"], []),
    ({"hide": ["notes,acled"]}, ["acled", "notes"], []),
    ({"hide": ["acled", "notes"]}, ["acled", "notes"], []),  # repeated, as a hand-written link may be
    ({"hide": ["gone,acled"]}, ["acled"], ["Ignored unknown dataset(s): 'gone'."]),
    ({"hide": [" , "]}, [], []),
])
def test_a_link_hides_the_datasets_it_names(query, hidden, notices) -> None:
    values = ps.opening_values(query, SCENES, KNOWN, DEFAULT_VIEW, LAYERS, SPAN, ("edm", "acled", "notes"))
    assert values[ps.DATASETS_HIDDEN] == hidden
    assert values[ps.NOTICES] == notices


@pytest.mark.parametrize(("hidden", "written"), [((), None), (("notes", "acled"), ["acled,notes"])])
def test_the_url_names_the_hidden_datasets(hidden, written) -> None:
    params = ps.url_params(FilterState(), DEFAULT_VIEW, None, False, hidden)
    assert params.get("hide") == written
    if written:
        assert ps.opening_values(params, SCENES, KNOWN, DEFAULT_VIEW, LAYERS, SPAN,
                                 ("edm", "acled", "notes"))[ps.DATASETS_HIDDEN] == sorted(hidden)


# --- the playback in the URL ----------------------------------------------------------------------

MAY = (dt.date(2022, 5, 1), dt.date(2022, 5, 31))


@pytest.mark.parametrize(("query", "step", "period", "mode", "fade", "notices"), [
    ({}, None, None, None, None, []),
    ({"play": ["month"], "period": ["2022-05"]}, "month", MAY, "this", 0, []),
    ({"play": ["month"], "period": ["2022-05-17"], "mode": ["upto"], "fade": ["2"]}, "month", MAY, "upto", 2, []),
    ({"play": ["week"], "period": ["2022-05-04"]}, "week", (dt.date(2022, 5, 2), dt.date(2022, 5, 8)), "this", 0, []),
    ({"play": ["year"]}, "year", None, "this", 0, []),
    ({"play": ["fortnight"], "period": ["2022-05"]}, None, None, None, None,
     ["Ignored the playback: step 'fortnight' is not one of day, week, month, year."]),
    ({"play": ["month"], "period": ["May"]}, None, None, None, None,
     ["Ignored the playback: period 'May' is not a date: not of the form YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2022, 2022-05, 2022-05-02)."]),
    ({"play": ["month"], "mode": ["all"]}, None, None, None, None,
     ["Ignored the playback: mode 'all' is not one of this, upto."]),
    ({"play": ["month"], "fade": ["3"]}, None, None, None, None,
     ["Ignored the playback: fade '3' is not a number of periods from 0 to 2."]),
])
def test_a_link_reopens_its_playback_paused(query, step, period, mode, fade, notices) -> None:
    values = ps.opening_values(query, SCENES, KNOWN, DEFAULT_VIEW, LAYERS, SPAN)
    playback = values[ps.PLAYBACK]
    if step is None:
        assert playback is None
    else:
        assert (playback.step, playback.mode, playback.fade) == (step, mode, fade)
        assert (None if playback.period is None else (playback.period.first, playback.period.last)) == period
    assert values[ps.NOTICES] == notices


@pytest.mark.parametrize(("query", "written"), [
    ({"play": ["month"], "period": ["2022-05-17"]}, {"play": ["month"], "period": ["2022-05"]}),
    ({"play": ["week"], "period": ["2022-05-04"], "mode": ["upto"], "fade": ["1"]},
     {"play": ["week"], "period": ["2022-05-02"], "mode": ["upto"], "fade": ["1"]}),
    ({"play": ["year"], "period": ["2021"], "mode": ["this"], "fade": ["0"]}, {"play": ["year"], "period": ["2021"]}),
    ({"play": ["day"], "period": ["2022-05-11"]}, {"play": ["day"], "period": ["2022-05-11"]}),
    ({}, {}),
])
def test_the_url_keeps_the_playback(query, written) -> None:
    playback = ps.opening_values(query, SCENES, KNOWN, DEFAULT_VIEW, LAYERS, SPAN)[ps.PLAYBACK]
    params = ps.url_params(FilterState(), DEFAULT_VIEW, None, False, playback=playback)
    assert {key: params[key] for key in ("play", "period", "mode", "fade") if key in params} == written
    reopened = ps.opening_values(params, SCENES, KNOWN, DEFAULT_VIEW, LAYERS, SPAN)[ps.PLAYBACK]
    assert reopened == playback


@pytest.mark.parametrize(("step", "period", "first", "last", "expected"), [
    ("month", None, dt.date(2021, 8, 15), dt.date(2022, 6, 30), "2021-08"),
    ("month", "2020-01", dt.date(2021, 8, 15), dt.date(2022, 6, 30), "2021-08"),
    ("month", "2023-03", dt.date(2021, 8, 15), dt.date(2022, 6, 30), "2022-06"),
    ("month", "2022-02", dt.date(2021, 8, 15), dt.date(2022, 6, 30), "2022-02"),
    ("year", None, dt.date(2016, 1, 1), dt.date(2022, 6, 30), "2016"),
    ("week", "2022-06-30", dt.date(2022, 5, 1), dt.date(2022, 5, 31), "2022-05-30"),
])
def test_the_playback_stays_within_the_date_bounds(step, period, first, last, expected) -> None:
    playback = ps.playback_from({"play": step, "period": period})
    assert playback.within(first, last).period.text == expected


@pytest.mark.parametrize(("date_from", "date_to", "firsts", "lasts", "expected"), [
    (None, None, [dt.date(2021, 8, 1), dt.date(2016, 1, 1)], [dt.date(2021, 8, 31), dt.date(2022, 6, 30)],
     (dt.date(2016, 1, 1), dt.date(2022, 6, 30))),
    (dt.date(2021, 8, 1), None, [dt.date(2016, 1, 1)], [dt.date(2022, 6, 30)], (dt.date(2021, 8, 1), dt.date(2022, 6, 30))),
    (dt.date(2021, 8, 1), dt.date(2022, 6, 30), [dt.date(2016, 1, 1)], [dt.date(2016, 12, 31)],
     (dt.date(2021, 8, 1), dt.date(2022, 6, 30))),
    (None, None, [], [], None),
])
def test_the_date_filter_else_the_shown_events_bound_the_playback(date_from, date_to, firsts, lasts, expected) -> None:
    state = FilterState(date_from=date_from, date_to=date_to)
    assert ps.playback_bounds(state, firsts, lasts) == expected
    # The page passes the snapshot's datetime64 columns: the same days.
    columns = pd.Series(pd.to_datetime(firsts), dtype="datetime64[ns]"), pd.Series(pd.to_datetime(lasts),
                                                                                    dtype="datetime64[ns]")
    assert ps.playback_bounds(state, *columns) == expected


# Stepping to an event while a playback is on: hand-made events by their first day, and the period
# (as the URL writes it) each step must pause the playback at, worked out on a calendar.
STEPPED_EVENTS = {
    "post-built": dt.date(2021, 10, 29),  # a Friday
    "talks": dt.date(2022, 5, 14),  # a Saturday: its week began on Monday 9 May
    "presence": dt.date(1991, 1, 1),  # long before any bounds below
    "june-report": dt.date(2022, 6, 1),
}
ARTICLE = (dt.date(2021, 8, 1), dt.date(2022, 6, 30))


@pytest.mark.parametrize(("playing", "event", "bounds", "period"), [
    ({"play": "month", "period": "2021-12"}, "post-built", ARTICLE, "2021-10"),
    ({"play": "month", "period": "2021-08"}, "june-report", ARTICLE, "2022-06"),
    ({"play": "month"}, "talks", ARTICLE, "2022-05"),  # not paused anywhere yet
    ({"play": "week", "period": "2021-10-25"}, "talks", ARTICLE, "2022-05-09"),
    ({"play": "day", "period": "2022-05-14"}, "post-built", ARTICLE, "2021-10-29"),
    ({"play": "year", "period": "2022"}, "post-built", ARTICLE, "2021"),
    # An event begun before the date filter's From: the first period the playback may show.
    ({"play": "month", "period": "2022-03"}, "presence", ARTICLE, "2021-08"),
    ({"play": "year", "period": "2022"}, "presence", None, "1991"),
    ({"play": "month", "period": "2022-03", "mode": "upto", "fade": "0"}, "post-built", ARTICLE, "2021-10"),
    ({"play": "month", "period": "2022-03", "mode": "this", "fade": "2"}, "june-report", ARTICLE, "2022-06"),
])
def test_a_step_moves_the_playback_to_the_events_period(playing, event, bounds, period) -> None:
    playback = ps.playback_from(playing)
    values = ps.stepped_playback(playback, STEPPED_EVENTS[event], bounds, requests=3)
    assert set(values) == {ps.PLAYBACK, ps.PLAYBACK_REQUEST}
    moved = values[ps.PLAYBACK]
    assert moved.period.text == period
    # Only the period moves: step, mode and faded periods stay as the reader chose them.
    assert (moved.step, moved.mode, moved.fade) == (playing["play"], playing.get("mode", "this"),
                                                     int(playing.get("fade", "0")))
    assert values[ps.PLAYBACK_REQUEST] == 4  # a new number: the browser takes this period once
    assert ps.url_params(FilterState(), DEFAULT_VIEW, None, True, playback=moved)["period"] == [period]


@pytest.mark.parametrize(("playback", "first_day"), [
    (None, dt.date(2021, 10, 29)),  # no playback: a step moves only the highlight
    (ps.Playback(step="month"), None),  # no event to step to (nothing shown)
])
def test_a_step_without_a_playback_or_an_event_changes_no_playback(playback, first_day) -> None:
    assert ps.stepped_playback(playback, first_day, ARTICLE, requests=3) == {}


def test_a_link_opens_with_no_move_of_the_playback_asked() -> None:
    values = ps.opening_values({"play": ["month"], "period": ["2022-05"]}, SCENES, KNOWN, DEFAULT_VIEW, LAYERS, SPAN)
    assert values[ps.PLAYBACK_REQUEST] == 0


# --- the table's order ---------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "column", "descending", "notices"), [
    ({}, "date", False, 0),  # by date, oldest first, as the table always was
    ({"sort": ["title"]}, "title", False, 0),
    ({"sort": ["-frontier"]}, "frontier", True, 0),
    ({"sort": ["-date"]}, "date", True, 0),
    ({"sort": ["place", "type"]}, "type", False, 0),  # repeated: the last wins
    ({"sort": ["colour"]}, "date", False, 1),  # no such column: by date, with a notice
    ({"sort": ["--title"]}, "date", False, 1),
    ({"sort": [" "]}, "date", False, 0),
])
def test_a_link_opens_the_table_in_its_order(query, column, descending, notices) -> None:
    values = ps.opening_values(query, SCENES, KNOWN, DEFAULT_VIEW, LAYERS, SPAN)
    assert (values[ps.TABLE_SORT], values[ps.TABLE_DESCENDING]) == (column, descending)
    assert len(values[ps.NOTICES]) == notices, values[ps.NOTICES]


@pytest.mark.parametrize(("sort", "written"), [
    (("date", False), None),  # the default is not written
    (("date", True), ["-date"]),
    (("title", False), ["title"]),
    (("region", True), ["-region"]),
])
def test_the_url_names_the_tables_order_and_reopens_it(sort, written) -> None:
    params = ps.url_params(FilterState(), DEFAULT_VIEW, None, False, (), sort=sort)
    assert params.get("sort") == written
    values = ps.opening_values(params, SCENES, KNOWN, DEFAULT_VIEW, LAYERS, SPAN)
    assert (values[ps.TABLE_SORT], values[ps.TABLE_DESCENDING]) == sort


@pytest.mark.parametrize(("query", "sort", "expected"), [
    ({"actors": ["ru"], "sort": ["title"]}, ("date", False), {"actors": ["ru"]}),  # the default leaves the link
    ({"actors": ["ru"]}, ("place", True), {"actors": ["ru"], "sort": ["-place"]}),
    ({"sort": ["-place"], "presenter": ["1"]}, ("title", False), {"sort": ["title"], "presenter": ["1"]}),
    ({}, ("date", True), {"sort": ["-date"]}),
])
def test_the_table_sets_its_order_in_the_link_and_leaves_the_rest(query, sort, expected) -> None:
    before = {key: list(values) for key, values in query.items()}
    assert ps.with_sort(query, *sort) == expected
    assert query == before  # the link read is not changed in place
    values = ps.opening_values(ps.with_sort(query, *sort), SCENES, KNOWN, DEFAULT_VIEW, LAYERS, SPAN)
    assert (values[ps.TABLE_SORT], values[ps.TABLE_DESCENDING]) == sort


@pytest.mark.parametrize(("heading", "column", "descending", "expected"), [
    ("Title", "date", False, {ps.TABLE_SORT: "title", ps.TABLE_DESCENDING: False}),  # another column: forwards
    ("Title", "title", False, {ps.TABLE_SORT: "title", ps.TABLE_DESCENDING: True}),  # again: backwards
    ("Title", "title", True, {ps.TABLE_SORT: "title", ps.TABLE_DESCENDING: False}),  # and forwards again
    ("Frontier (km)", "date", False, {ps.TABLE_SORT: "frontier", ps.TABLE_DESCENDING: False}),
    ("From", "date", False, {ps.TABLE_SORT: "date", ps.TABLE_DESCENDING: True}),  # the first day: by date
    ("Nothing", "date", False, {}),
])
def test_a_click_on_a_heading_sorts_by_its_column(heading, column, descending, expected) -> None:
    assert ps.header_sort(heading, column, descending) == expected


# --- the change along the frontier's choices -------------------------------------------------------

# The panel's first values: 25 km, segments of 50 km, by month, the map not coloured.
FIRST_TRENDS = {ps.TRENDS_WITHIN: 25, ps.TRENDS_SEGMENT: 50, ps.TRENDS_PERIOD: "month", ps.TRENDS_ON_MAP: False}


@pytest.mark.parametrize(("query", "widgets", "notices"), [
    ({}, FIRST_TRENDS, []),
    ({"trends_km": ["10"], "trends_segment": ["100"], "trends_period": ["week"], "trends_map": ["1"]},
     {ps.TRENDS_WITHIN: 10, ps.TRENDS_SEGMENT: 100, ps.TRENDS_PERIOD: "week", ps.TRENDS_ON_MAP: True}, []),
    ({"trends_km": ["0"], "trends_segment": ["1400"]}, {**FIRST_TRENDS, ps.TRENDS_WITHIN: 0, ps.TRENDS_SEGMENT: 1400},
     []),
    ({"trends_map": ["0"]}, FIRST_TRENDS, []),
    # The last value wins, as for the other keys read one at a time.
    ({"trends_km": ["10", "40"]}, {**FIRST_TRENDS, ps.TRENDS_WITHIN: 40}, []),
    # Values the widgets cannot hold keep the first ones, each with a notice.
    ({"trends_km": ["7.5"]}, FIRST_TRENDS, ["Ignored 'trends_km=7.5': expected a whole number of km from 0 to 500."]),
    ({"trends_km": ["501"]}, FIRST_TRENDS, ["Ignored 'trends_km=501': expected a whole number of km from 0 to 500."]),
    ({"trends_segment": ["5"]}, FIRST_TRENDS,
     ["Ignored 'trends_segment=5': expected a whole number of km from 10 to 1400."]),
    ({"trends_segment": ["-50"], "trends_period": ["day"], "trends_map": ["yes"]}, FIRST_TRENDS,
     ["Ignored 'trends_segment=-50': expected a whole number of km from 10 to 1400.",
      "Ignored 'trends_period=day': expected one of month, week.",
      "Ignored 'trends_map=yes': expected 1 (colour the frontier by change) or 0."]),
])
def test_a_link_opens_the_trends_panel_on_its_choice(query, widgets, notices) -> None:
    values = ps.opening_values(query, SCENES, KNOWN, DEFAULT_VIEW, LAYERS, SPAN)
    assert {key: values[key] for key in FIRST_TRENDS} == widgets
    assert values[ps.NOTICES] == notices


@pytest.mark.parametrize(("widgets", "written"), [
    (FIRST_TRENDS, {}),  # the first values write nothing
    ({}, {}),  # widgets not drawn yet hold the first values
    ({**FIRST_TRENDS, ps.TRENDS_WITHIN: 60}, {"trends_km": ["60"]}),
    ({**FIRST_TRENDS, ps.TRENDS_ON_MAP: True}, {"trends_map": ["1"]}),
    ({ps.TRENDS_WITHIN: 0, ps.TRENDS_SEGMENT: 10, ps.TRENDS_PERIOD: "week", ps.TRENDS_ON_MAP: True},
     {"trends_km": ["0"], "trends_segment": ["10"], "trends_period": ["week"], "trends_map": ["1"]}),
])
def test_the_url_keeps_the_trends_choice_and_reopens_it(widgets, written) -> None:
    choice = ps.trends_from_widgets(widgets)
    params = ps.url_params(FilterState(), DEFAULT_VIEW, None, False, trends=choice)
    assert {key: value for key, value in params.items() if key.startswith("trends_")} == written
    reopened = ps.opening_values(params, SCENES, KNOWN, DEFAULT_VIEW, LAYERS, SPAN)
    assert ps.trends_from_widgets(reopened) == choice
    assert reopened[ps.NOTICES] == []


# A scene carrying a playback of its months, November 2021 to June 2022, one at a time.
PLAYING = dataclasses.replace(RUSSIA, id="playing",
                              play=Playback(dt.date(2021, 11, 1), dt.date(2022, 6, 30), "month", "this"))
NOVEMBER = (dt.date(2021, 11, 1), dt.date(2021, 11, 30))


@pytest.mark.parametrize(("query", "period", "written"), [
    # The scene's link: its playback, paused at its first month; the URL then says where.
    ({"scene": ["playing"]}, NOVEMBER, {"play": ["month"], "period": ["2021-11"]}),
    # A link's own playback replaces the scene's.
    ({"scene": ["playing"], "play": ["month"], "period": ["2022-05"]}, MAY, {"play": ["month"], "period": ["2022-05"]}),
    # A scene with none: no playback, nothing written.
    ({"scene": ["russia"]}, None, {}),
])
def test_a_scene_link_opens_the_scenes_playback_unless_told(query, period, written) -> None:
    scenes = {**SCENES, "playing": PLAYING}
    values = ps.opening_values(query, scenes, KNOWN, DEFAULT_VIEW, LAYERS, SPAN)
    assert values[ps.NOTICES] == []
    playback = values[ps.PLAYBACK]
    assert (None if playback is None else (playback.period.first, playback.period.last)) == period
    scene = scenes[query["scene"][0]]
    params = ps.url_params(FilterState(), DEFAULT_VIEW, scene, False, playback=playback)
    assert {key: params[key] for key in ("play", "period", "mode", "fade") if key in params} == written
    assert ps.opening_values(params, scenes, KNOWN, DEFAULT_VIEW, LAYERS, SPAN)[ps.PLAYBACK] == playback


@pytest.mark.parametrize(("opening", "browser", "below"), [
    (True, True, False),  # a browser's first run: the sidebar and the map, the rest when the map reports
    (False, True, True),  # any later run draws everything, whether the map reported or the reader acted
    (True, False, True),  # no browser to report (AppTest): everything at once
    (False, False, True),
])
def test_a_browsers_first_run_draws_the_map_before_the_rest(opening, browser, below) -> None:
    assert ps.draws_below_map(opening, browser) is below
