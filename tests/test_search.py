"""geo.search: what a search that shows no event says instead (table-driven, on hand-made places
and events whose distances are known)."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, box

from geo import search
from geo.filters import PART_DATES, PART_REGIONS, EventIndex, FilterState

# A square "region" two degrees a side holds the town; a village stands on the equator (latitude 0),
# so one degree of longitude east of it is 111.19 km on the mean sphere (distances worked out by the
# spherical law of cosines, not the code's haversine).
TOWN = search.Place("places:town", "Khorugh", ("Khorog", "Хорог"), Point(71.5, 37.5))
REGION = search.Place("gbao:gbao", "Gorno-Badakhshan", ("GBAO",), box(70.5, 36.5, 72.5, 38.5))
REGION_AGAIN = search.Place("provinces:gbao", "Gorno-Badakhshan", (), box(70.5, 36.5, 72.5, 38.5))
VILLAGE = search.Place("places:village", "Ishkashim", (), Point(10.0, 0.0))
PLACES = (TOWN, REGION, REGION_AGAIN, VILLAGE)


@pytest.mark.parametrize(("text", "expected"), [
    ("Khorog", [("places:town", "Khorog")]),
    ("KHORUGH", [("places:town", "Khorugh")]),
    ("хорог", [("places:town", "Хорог")]),
    ("kho", [("places:town", "Khorugh")]),  # the name first, then its other spellings
    ("gorno badakhshan", [("gbao:gbao", "Gorno-Badakhshan")]),  # one place per name
    ("gbao", [("gbao:gbao", "GBAO")]),
    ("ishkashim town", []),  # every word must be in one spelling
    ("", []),
])
def test_places_named_by_name_or_other_spelling(text, expected) -> None:
    assert [(place.ref, spelling) for place, spelling in search.places_named(text, PLACES)] == expected


def _events(rows):
    return gpd.GeoDataFrame(
        [{"id": f"e{i}", "place": place, "place_name": name} for i, (place, name, _) in enumerate(rows)],
        geometry=[geometry for _, _, geometry in rows], crs="EPSG:4326")


@pytest.mark.parametrize(("place", "rows", "expected"), [
    # Areas holding the place come first, the smaller before the larger, then points by distance.
    (TOWN, [("p:east", "East", Point(72.5, 37.5)), ("countries:tj", "Tajikistan", box(67, 36, 75, 41)),
            ("gbao:gbao", "GBAO", box(70.5, 36.5, 72.5, 38.5)), ("gbao:gbao", "GBAO", box(70.5, 36.5, 72.5, 38.5))],
     [("GBAO", 2, 0.0, True), ("Tajikistan", 1, 0.0, True), ("East", 1, 88.2, False)]),
    # On the equator one degree of longitude is 111.19 km; a line is measured to its nearest point.
    (VILLAGE, [("p:two", "Two east", Point(12.0, 0.0)), ("p:one", "One east", Point(11.0, 0.0)),
               ("f:line", "Line", LineString([(10.0, 0.5), (10.0, 3.0)])), ("p:three", "Three", Point(13.0, 0.0))],
     [("Line", 1, 55.6, False), ("One east", 1, 111.2, False), ("Two east", 1, 222.4, False)]),
    (VILLAGE, [], []),
])
def test_nearest_places_of_events(place, rows, expected) -> None:
    found = search.nearest(place, _events(rows))
    assert [(entry.place_name, entry.count, round(entry.km, 1), entry.holds) for entry in found] == expected


NEAR_TOWN = {"places:town": [search.Nearby("Gorno-Badakhshan", 6, 0.0, True), search.Nearby("Ayvoj", 1, 190.4, False)]}


@pytest.mark.parametrize(("text", "hidden", "matching", "places", "nearby", "expected"), [
    ("Khorog", {PART_DATES: 3}, 3, [], {},
     ["3 events match “Khorog” but the date filter hides them."]),
    ("Khorog", {PART_DATES: 1, PART_REGIONS: 2}, 4, [(TOWN, "Khorog")], NEAR_TOWN,
     ["1 event matches “Khorog” but the date filter hides it.",
      "2 events match “Khorog” but the region filter hides them."]),
    ("Khorog", {PART_DATES: 0}, 2, [], {},
     ["2 events match “Khorog” but the filters together hide them."]),
    ("Khorog", {PART_DATES: 0, search.PART_DATASETS: 2}, 2, [], {},
     ["2 events match “Khorog” but the dataset filter hides them."]),
    ("Khorog", {}, 0, [(TOWN, "Khorog")], NEAR_TOWN,
     ["“Khorog” is another spelling of Khorugh, a place on the map, but no event is placed there. The events "
      "nearest it: Gorno-Badakhshan (6 events, its area holds Khorugh); Ayvoj (1 event, 190 km from Khorugh). "
      "Search for one of those names, or clear the search, to see them."]),
    (" khorugh ", {}, 0, [(TOWN, "Khorugh")], {},
     ["Khorugh is a place on the map; no event shown is near it."]),
    ("Atlantis", {}, 0, [], {},
     ["No event and no place on the map matches “Atlantis”: try another spelling or fewer words."]),
])
def test_no_match_help_says_what_would_show_events(text, hidden, matching, places, nearby, expected) -> None:
    assert search.no_match_help(text, hidden=hidden, matching=matching, places=places, nearby=nearby) == expected


def test_hidden_counts_name_the_filter_that_alone_hides_the_matches() -> None:
    frame = gpd.GeoDataFrame({
        "id": ["a", "b", "c"], "title": ["Khorog rally", "Khorog market", "Dushanbe talks"],
        "summary": ["", "", ""], "place_name": ["", "", ""], "place_aliases": [None, None, None],
        "date_first": [dt.date(2020, 1, 1), dt.date(2022, 5, 1), dt.date(2022, 5, 1)],
        "date_last": [dt.date(2020, 1, 1), dt.date(2022, 5, 1), dt.date(2022, 5, 1)],
        "in_gbao": [True, False, False], "in_wakhan": [False, False, False],
    }, geometry=[Point(0, 0)] * 3)
    index = EventIndex(frame)
    state = FilterState(text="khorog", date_from=dt.date(2022, 1, 1), regions=frozenset({"gbao"}))
    masks = index.masks(state)
    assert search.hidden_counts(index, state, None, masks) == ({PART_DATES: 1, PART_REGIONS: 1}, 2)
    within = np.array([False, True, True])  # the first event's dataset is not shown
    assert search.hidden_counts(index, state, within, masks) == (
        {PART_DATES: 0, PART_REGIONS: 1, search.PART_DATASETS: 0}, 2)
    # Dates from 2021: the first match is older (the dates hide it), the second's dataset is not shown.
    only_dates = FilterState(text="khorog", date_from=dt.date(2021, 1, 1))
    assert search.hidden_counts(index, only_dates, np.array([True, False, True]), index.masks(only_dates)) == (
        {PART_DATES: 1, search.PART_DATASETS: 1}, 2)
