"""geo.eventdata: the compact events file, the popup files and the mask a rerun sends.

Expectations are written out by hand from the fixture's three events (tests/fixtures/layers-hostile)
and the format's definition in geo/eventdata.py's docstring."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from snapshots import load_joined_events

from geo import eventdata, placement
from geo.layers import load_layers

FIXTURE = Path(__file__).parent / "fixtures" / "layers-hostile"


@pytest.fixture(scope="module")
def fixture_events():
    return load_layers(FIXTURE), load_joined_events(FIXTURE)


def _files(events, layers, documents=None) -> dict[str, bytes]:
    lons, lats = placement.symbol_points(events, placement.frontier_box(layers))
    return eventdata.event_files(events, lons, lats, layers, documents)


def test_the_files_hold_points_styles_areas_and_ids(fixture_events) -> None:
    layers, events = fixture_events
    files = _files(events, layers)
    content = files["events.bin.gz"]
    raw = gzip.decompress(content)
    assert raw[:8] == b"PANJEV2\0"
    (length,) = struct.unpack_from("<I", raw, 8)
    assert length % 4 == 0  # the columns start aligned for typed arrays
    header, columns = eventdata.read_events_file(content)
    ids = eventdata.read_ids_file(files["events-ids.bin.gz"])
    assert gzip.decompress(files["events-ids.bin.gz"]) == b"\n".join(event_id.encode() for event_id in ids)
    by_id = dict(zip(ids, range(3)))
    assert sorted(ids) == ["hostile", "may-talks", "old-post"]
    styles = {event_id: header["styles"][columns["style"][row]] for event_id, row in by_id.items()}
    # By hand from the fixture's events.json: type, actors, status, location precision, and the
    # halo of a point place (an area place shows its outline, whatever the halo says).
    assert styles == {
        "hostile": ["offensive", ["taliban"], "occurred", "exact", 0],
        "may-talks": ["diplomacy", ["russia", "china"], "occurred", "province", 75_000],
        "old-post": ["offensive", ["china"], "occurred", "region", 150_000],
    }
    areas = {event_id: columns["area"][row] for event_id, row in by_id.items()}
    assert areas["hostile"] == 0
    assert header["areas"][areas["may-talks"] - 1] == {"layer": "provinces", "feature": "badakhshan"}
    assert header["areas"][areas["old-post"] - 1] == {"layer": "wakhan", "feature": "wakhan"}
    # The exact event at its own point, to 1e-5 degrees (fixture: 71.55 E, 37.49 N).
    assert (columns["lon"][by_id["hostile"]], columns["lat"][by_id["hostile"]]) == (7_155_000, 3_749_000)
    assert (header["styleBytes"], header["areaBytes"], header["scale"]) == (2, 2, 100_000)
    # Three events on three points: each the first row of its place.
    assert columns["place"].tolist() == [0, 0, 0]
    # Magic and length, the header, two Int32 columns (12 bytes each), two Uint16 columns (6 bytes
    # each, padded to 8), the Uint32 places (12 bytes), and nothing after them: the ids are a file
    # of their own.
    assert len(raw) == 12 + length + 2 * 12 + 2 * 8 + 12


def test_the_place_column_numbers_points_in_the_order_of_their_first_row() -> None:
    # By hand: points A, B, A, C, B, A are places 0, 1, 0, 2, 1, 0; a row on a point first seen
    # there is 0, a later one 1 + its place. Equal longitudes or latitudes alone are not one place.
    lons = np.array([7, 8, 7, 7, 8, 7], dtype="<i4")
    lats = np.array([1, 1, 1, -2, 1, 1], dtype="<i4")
    assert eventdata.place_column(lons, lats).tolist() == [0, 0, 1, 0, 2, 1]
    assert eventdata.place_column(lons[:0], lats[:0]).tolist() == []


# The article's events on point places, by hand from layers/events/edm-v19-i92.json and
# layers/posts.geojson: an event at a post takes the post's stated precision (Shaymak about 30 km,
# not the district's 20; Ayvoj about 3 km), any other its location precision's halo.
@pytest.mark.parametrize(("event_id", "halo_m"), [
    ("china-shaymak-post", 30_000),
    ("us-funds-ayvoj-post", 3_000),
    ("nrf-offensive-panjshir-valley", 20_000),  # places:panjshir-valley, known to its district
    ("majlisi-oli-russian-grant", 0),  # Dushanbe, a locality: no halo of its own
])
def test_an_event_at_a_post_has_the_posts_halo(event_id, halo_m) -> None:
    events = load_joined_events()
    files = _files(events, load_layers())
    header, columns = eventdata.read_events_file(files["events.bin.gz"])
    ids = eventdata.read_ids_file(files["events-ids.bin.gz"])
    style = header["styles"][columns["style"][ids.index(event_id)]]
    assert style[4] == halo_m


def test_halos_of_compact_rows_by_hand() -> None:
    # The snapshot's compact columns (Arrow strings, categoricals): Shaymak states 30,000 m and Ayvoj
    # 3,000 m (layers/posts.geojson); an exact event has no halo even at a post.
    rows = pd.DataFrame({
        "place": pd.array(["posts:shaymak", "posts:ayvoj", "posts:shaymak", "places:kabul", "provinces:takhar"],
                          dtype=pd.StringDtype("pyarrow", na_value=np.nan)),
        "location_precision": pd.Categorical(["district", "locality", "exact", "district", "province"]),
    })
    assert eventdata.halo_metres(rows, load_layers()).tolist() == [30_000, 3_000, 0, 20_000, 75_000]


def test_popup_files_hold_each_rows_text_in_the_files_order(fixture_events, monkeypatch) -> None:
    layers, events = fixture_events
    monkeypatch.setattr(eventdata, "DETAILS_ROWS", 2)
    files = _files(events, layers)
    header, _ = eventdata.read_events_file(files["events.bin.gz"])
    ids = eventdata.read_ids_file(files["events-ids.bin.gz"])
    assert sorted(files) == ["details-0.json", "details-1.json", "events-ids.bin.gz", "events.bin.gz"]
    assert header["detailsRows"] == 2
    rows = []
    for name in ("details-0.json", "details-1.json"):
        part = json.loads(files[name])
        assert part["columns"][:3] == ["id", "title", "summary"]
        rows += [dict(zip(part["columns"], row)) for row in part["rows"]]
    assert [row["id"] for row in rows] == ids
    texts = {row["id"]: row for row in rows}
    assert texts["hostile"]["title"] == "<img src=x onerror=alert(1)>"  # data, never markup
    assert texts["may-talks"]["actors"] == ["russia", "china"]
    assert texts["may-talks"]["usd"] is None and texts["may-talks"]["province"] == "Badakhshan"


def test_the_same_events_give_the_same_files_and_changed_text_only_new_popup_files(fixture_events) -> None:
    layers, events = fixture_events
    first = _files(events, layers)
    assert _files(events.copy(), layers) == first
    retitled = _files(events.assign(title=["Changed"] + list(events["title"].iloc[1:])), layers)
    assert retitled["events.bin.gz"] == first["events.bin.gz"]
    assert retitled["events-ids.bin.gz"] == first["events-ids.bin.gz"]
    assert retitled["details-0.json"] != first["details-0.json"]


def test_no_events_is_an_empty_file(fixture_events) -> None:
    layers, events = fixture_events
    files = _files(events.iloc[:0], layers)
    header, columns = eventdata.read_events_file(files["events.bin.gz"])
    ids = eventdata.read_ids_file(files["events-ids.bin.gz"])
    assert (header["count"], ids, len(columns["lon"])) == (0, [], 0)
    assert sorted(files) == ["events-ids.bin.gz", "events.bin.gz"]


@pytest.mark.parametrize(("rows", "count", "expected"), [
    ([0, 9], 10, bytes([0b10000000, 0b01000000])),
    ([1, 2, 3, 4, 5, 6, 7], 8, bytes([0b01111111])),
    ([], 3, bytes([0])),
    ([8], 9, bytes([0, 0b10000000])),
])
def test_the_mask_sets_one_bit_per_shown_row(rows, count, expected) -> None:
    assert zlib.decompress(base64.b64decode(eventdata.shown_mask(np.array(rows), count))) == expected


def test_every_row_shown_sends_no_mask() -> None:
    assert eventdata.shown_mask(np.arange(5), 5) is None


def test_a_mask_for_a_hundred_thousand_rows_is_at_most_seventeen_kilobytes() -> None:
    random = np.random.default_rng(15).random(100_000)
    half = eventdata.shown_mask(np.flatnonzero(random < 0.5), 100_000)
    tenth = eventdata.shown_mask(np.flatnonzero(random < 0.1), 100_000)
    fiftieth = eventdata.shown_mask(np.flatnonzero(random < 0.02), 100_000)
    # 12,500 bytes of bits, base64 (4 characters for 3 bytes), plus zlib's few bytes of framing:
    # the most a filter change sends for the map. Fewer rows shown carry less information (0.47
    # bits a row for a tenth, 0.14 for a fiftieth), and deflate gets part of the way there.
    assert 16_668 <= len(half) <= 16_668 + 100
    assert len(tenth) <= 0.6 * 16_668 and len(fiftieth) <= 0.25 * 16_668


def test_the_dates_file_holds_each_rows_first_and_last_day(fixture_events) -> None:
    _, events = fixture_events
    first, last = eventdata.read_dates_file(eventdata.dates_file(events))
    # The fixture's dates: 2022-05-11; reported 2022-05; 2016 to 2022-06.
    days = dict(zip(events["id"], zip(first.tolist(), last.tolist())))
    assert days == {"hostile": (dt.date(2022, 5, 11), dt.date(2022, 5, 11)),
                    "may-talks": (dt.date(2022, 5, 1), dt.date(2022, 5, 31)),
                    "old-post": (dt.date(2016, 1, 1), dt.date(2022, 6, 30))}
