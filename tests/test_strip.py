"""The frontier strip (geo.strip): its places' km against the frontier's stretches, which of the
article's events it draws against a hand count, its column file, the places file's checks, the
km range along the frontier as a filter (geo.filters) and the brush's values (geo.pagestate)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
from snapshots import snapshot_of

from geo import pagestate as ps
from geo.filters import FilterState, KnownIds, ViewState, apply_filters, from_query_params, parse_along, to_query_params
from geo.layers import LAYERS_DIR
from geo.snapshot import DataError, Snapshot, build_snapshot
from geo.strip import PLACES_NAME, StripPlacesError, load_places, read_strip_file, strip_file, strip_mask

# tests/test_frontier.py's projection: standard parallels a sixth in from the frontier's 36.5-38.5°N.
EQUIDISTANT = "+proj=eqdc +lat_1=36.8 +lat_2=38.2 +lat_0=37.5 +lon_0=71.3 +datum=WGS84 +units=m +no_defs"
# layers/frontier-stretches.json read as the file says, not through geo.frontier.
STRETCHES = {entry["id"]: (entry["from_km"], entry["to_km"])
             for entry in json.loads((LAYERS_DIR / "frontier-stretches.json").read_text())["stretches"]}
# Where each place lies, from the geography (the sources of layers/frontier-stretches.json): Ayvoj
# and Shahritus by the Amu Darya below the Vakhsh's mouth; Panji Poyon ("Lower Panj"), Khorugh
# and Ishkashim on the Panj, which the Pamir joins past Ishkashim at Qala-i-Panja; Shaymak in
# the Wakhan's east, past Zorkul. West to east, as an atlas orders them.
PLACE_STRETCHES = [("ayvoj", "amu-darya"), ("shahritus", "amu-darya"), ("panji-poyon", "panj"),
                   ("khorugh", "panj"), ("ishkashim", "panj"), ("shaymak", "zorkul-east")]
WEST_TO_EAST = ["termez-tripoint", "ayvoj", "shahritus", "panji-poyon", "khorugh", "ishkashim", "shaymak",
                "china-tripoint"]

# The article's events (layers/events/) the strip can draw: a point on either bank, with its
# distance to the frontier in km, rounded (checked below by another projection than geo.frontier's).
# An event on a whole area (GBAO's, the provinces', the countries') has no km along the frontier.
NEAR = {"us-funds-ayvoj-post": 4.1, "china-shaymak-post": 2.1, "majlisi-oli-russian-grant": 123.8,
        "nrf-offensive-andarab-valley": 162.0, "nrf-offensive-panjshir-valley": 198.9,
        "chuianzoda-kabul-mission": 284.6}


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return snapshot_of()


def test_the_places_lie_west_to_east_on_their_stretches(snapshot: Snapshot) -> None:
    places = {place.id: place for place in snapshot.strip_places}
    points = [place for place in snapshot.strip_places if place.from_km == place.to_km]
    assert [place.id for place in points] == WEST_TO_EAST
    assert places["termez-tripoint"].from_km == 0
    assert places["china-tripoint"].to_km == pytest.approx(STRETCHES["zorkul-east"][1], abs=0.1)
    for place_id, stretch_id in PLACE_STRETCHES:
        start, end = STRETCHES[stretch_id]
        assert start <= places[place_id].from_km <= end, place_id


def test_the_wakhan_spans_the_frontier_from_ishkashim_to_china(snapshot: Snapshot) -> None:
    places = {place.id: place for place in snapshot.strip_places}
    wakhan, ishkashim = places["wakhan"], places["ishkashim"]
    # The corridor's northern edge is the frontier from about Ishkashim to the China tripoint.
    assert abs(wakhan.from_km - ishkashim.from_km) < 10
    assert wakhan.to_km == pytest.approx(places["china-tripoint"].to_km)


@pytest.mark.parametrize(("within_km", "expected"), [
    (0, set()),
    (25, {"us-funds-ayvoj-post", "china-shaymak-post"}),
    (150, {"us-funds-ayvoj-post", "china-shaymak-post", "majlisi-oli-russian-grant"}),
    (300, set(NEAR)),
])
def test_the_strip_draws_the_events_within_the_distance(snapshot: Snapshot, within_km: float, expected: set) -> None:
    drawn = strip_mask(snapshot.events, snapshot.index.frontier_km, within_km)
    assert set(snapshot.events.loc[drawn, "id"]) == expected
    assert expected == {event_id for event_id, km in NEAR.items() if km <= within_km}


def test_the_hand_table_of_distances_holds_in_another_projection(snapshot: Snapshot) -> None:
    """NEAR's distances, as tests/test_frontier.py measures: an equidistant conic fitted to the
    region, and shapely's distance to the frontier line there."""
    to_conic = pyproj.Transformer.from_crs("EPSG:4326", EQUIDISTANT, always_xy=True)
    coords = shapely.get_coordinates(snapshot.layers["frontier"].frame.geometry.union_all())
    line = shapely.linestrings(*to_conic.transform(coords[:, 0], coords[:, 1]))
    events = snapshot.events.set_index("id")
    for event_id, km in NEAR.items():
        point = shapely.Point(to_conic.transform(events.at[event_id, "lon"], events.at[event_id, "lat"]))
        assert line.distance(point) / 1000 == pytest.approx(km, abs=1.0), event_id


def test_the_strip_file_holds_each_rows_km_and_bank(snapshot: Snapshot) -> None:
    along, km, sides = read_strip_file(strip_file(snapshot.events, snapshot.index.frontier_km))
    assert len(along) == len(km) == len(sides) == len(snapshot.events)
    rows = {event_id: row for row, event_id in enumerate(snapshot.events["id"])}
    ayvoj, kabul = rows["us-funds-ayvoj-post"], rows["chuianzoda-kabul-mission"]
    assert (sides[ayvoj], sides[kabul]) == (1, 2)  # the Tajik bank, the Afghan bank
    assert along[ayvoj] == pytest.approx(snapshot.events["frontier_along_km"][ayvoj], abs=0.01)
    assert np.isnan(along[rows["gbao-protests"]])  # an area's event has no km along
    assert sides[rows["russia-announces-border-post"]] == 0  # on neither bank


def _write_places(folder: Path, places: list) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PLACES_NAME).write_text(json.dumps({"places": places}), encoding="utf-8")
    return folder


@pytest.mark.parametrize(("entry", "field", "reason"), [
    ({"id": "x", "name": "X", "ref": "places:atlantis"}, "ref", "is not a feature of the layers"),
    ({"id": "x", "name": "X", "ref": "places:kabul"}, "ref", "lies more than 40 km from the frontier"),
    ({"id": "x", "name": "X", "lon": 71.5, "lat": 37.5, "source": "an atlas"}, "url", "missing"),
    ({"id": "x", "name": "X", "lon": 69.2, "lat": 34.5, "source": "s", "url": "https://example.org"}, "lon",
     "lies more than 40 km"),
    ({"id": "x", "name": "X", "end": "north"}, "end", "must be west or east"),
    ({"id": "x", "name": "X", "end": "west", "ref": "places:khorugh"}, None, "give exactly one of"),
    ({"id": "X!", "name": "", "end": "west"}, "id", "lower-case"),
])
def test_a_bad_place_is_named_with_its_field(snapshot: Snapshot, tmp_path: Path, entry: dict, field: str | None,
                                             reason: str) -> None:
    folder = _write_places(tmp_path, [{"id": "good", "name": "Good", "end": "east"}, entry])
    with pytest.raises(StripPlacesError) as raised:
        load_places(snapshot.frontier, snapshot.layers, folder)
    problems = raised.value.problems
    assert any(problem.field == field and reason in problem.reason and "place" in problem.item
               for problem in problems), problems


def test_a_directory_without_the_places_file_marks_none(snapshot: Snapshot, tmp_path: Path) -> None:
    assert load_places(snapshot.frontier, snapshot.layers, tmp_path) == ()


# The km range along the frontier as a filter: the article's point events by their km along
# (Ayvoj 38.8, the Kabul mission 46.7, the NRF's 199.6 and 199.8, the grant 290.8, the Panjshir
# offensive's province none, Shaymak 1315.2; layers/events/ joined, tests/test_frontier.py).
@pytest.mark.parametrize(("along", "expected"), [
    ((0, 40), {"us-funds-ayvoj-post"}),
    ((0, 100), {"us-funds-ayvoj-post", "chuianzoda-kabul-mission"}),
    ((199.7, 1400), {"nrf-offensive-panjshir-valley", "majlisi-oli-russian-grant", "china-shaymak-post"}),
    ((1400, 1500), set()),
])
def test_the_km_range_keeps_the_events_whose_km_along_lies_in_it(snapshot: Snapshot, along: tuple, expected: set) -> None:
    shown = apply_filters(snapshot.events, FilterState(along_km=along))
    assert set(shown["id"]) == expected


@pytest.mark.parametrize(("text", "expected"), [("100-250", (100.0, 250.0)), ("0-42.5", (0.0, 42.5)),
                                                ("7-7", (7.0, 7.0))])
def test_a_km_range_is_read_and_written_back(text: str, expected: tuple) -> None:
    assert parse_along(text) == expected
    view = ViewState(visible_layers=(), basemap="none")
    params = to_query_params(FilterState(along_km=expected), view)
    assert params["along"] == text
    state, _, notices = from_query_params(params, KnownIds(basemaps=frozenset({"none"})), view)
    assert (state.along_km, notices) == (expected, [])


@pytest.mark.parametrize(("text", "reason"), [("250-100", "east of its end"), ("100", "expected FROM-TO"),
                                              ("a-b", "expected a number"), ("-5-10", "expected a number")])
def test_a_bad_km_range_is_ignored_with_a_notice(text: str, reason: str) -> None:
    view = ViewState(visible_layers=(), basemap="none")
    state, _, notices = from_query_params({"along": text}, KnownIds(basemaps=frozenset({"none"})), view)
    assert state.along_km is None
    assert len(notices) == 1 and reason in notices[0] and "along" in notices[0]


# A brush's days count from 1970-01-01: 18871 is 2021-09-01 and 19158 is 2022-06-15.
@pytest.mark.parametrize(("brush", "expected"), [
    ({"fromKm": 12, "toKm": 402, "fromDay": 18871, "toDay": 19158},
     {ps.ALONG: (12.0, 402.0), ps.DATE_FROM: "2021-09-01", ps.DATE_TO: "2022-06-15"}),
    ({"fromKm": -3, "toKm": 2000, "fromDay": 18871, "toDay": 18871},
     {ps.ALONG: (0.0, 1344.0), ps.DATE_FROM: "2021-09-01", ps.DATE_TO: "2021-09-01"}),
])
def test_a_brush_becomes_the_km_range_and_the_dates(brush: dict, expected: dict) -> None:
    assert ps.strip_brushed_values(brush, 1344.0) == expected


@pytest.mark.parametrize("brush", [{}, {"fromKm": "x", "toKm": 5, "fromDay": 1, "toDay": 2},
                                   {"fromKm": 500, "toKm": 100, "fromDay": 1, "toDay": 2},
                                   {"fromKm": 1, "toKm": 5, "fromDay": 9, "toDay": 2}])
def test_a_brush_the_page_would_not_send_is_refused(brush: dict) -> None:
    with pytest.raises(ValueError):
        ps.strip_brushed_values(brush, 1344.0)


def test_a_broken_places_file_is_the_pages_one_explanation(tmp_path: Path) -> None:
    layers = tmp_path / "layers"
    shutil.copytree(LAYERS_DIR, layers)
    _write_places(layers, [{"id": "x", "name": "X", "ref": "places:atlantis"}])
    with pytest.raises(DataError) as raised:
        build_snapshot(layers, None)
    assert any(PLACES_NAME in problem and "places:atlantis" in problem for problem in raised.value.problems)
