"""The filter index over the snapshot's compact columns (geo.filters.EventIndex on geo.compact's
frame) held in as few bytes an event as it can be (docs/performance.md, "Compact page data"):
its dates and term codes are the frame's own arrays, its id look-up and area codes narrow
integers. Each part must still give what the plain definitions give, row by row, on synthetic
events: the generator's own rows (its GeoJSON, read here with json), a dictionary of the frame's
ids by position, and the frame's values themselves."""

from __future__ import annotations

import datetime as dt
import json
import random

import numpy as np
import pandas as pd
import pytest

from geo import snapshot as snapshots
from geo.bench import synthetic
from geo.events import PartialDate
from geo.filters import EventIds

SYNTHETIC_COUNT = 400
TERM_COLUMNS = ["event_type", "status", "dataset", "frontier_side", "frontier_stretch", "country_id", "province_id",
                "actors"]

pytestmark = pytest.mark.usefixtures("static_dir")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[snapshots.Snapshot, dict[str, dict]]:
    """A snapshot of synthetic events imported into a store, and the generator's rows by id."""
    folder = tmp_path_factory.mktemp("synthetic")
    made = synthetic.joined_events(SYNTHETIC_COUNT, workdir=folder)
    written = json.loads((folder / f"synthetic-{SYNTHETIC_COUNT}.geojson").read_text(encoding="utf-8"))
    return made.snapshot, {feature["properties"]["id"]: feature["properties"] for feature in written["features"]}


def _first_day(source: dict) -> dt.date:
    return PartialDate.parse(source.get("start") or source["reported"]).first_day


def test_the_dates_are_the_generators_and_the_frames_own_arrays(generated) -> None:
    snapshot, written = generated
    index, events = snapshot.index, snapshot.events
    assert index.date_first.dtype.kind == index.date_last.dtype.kind == "M"
    for position, event_id in enumerate(events["id"]):
        if event_id in written:
            day = index.date_first[position].astype("datetime64[D]").item()
            assert day == _first_day(written[event_id]), event_id
    assert len(events) > SYNTHETIC_COUNT  # the shipped events too
    for column in ("date_first", "date_last"):
        assert np.shares_memory(getattr(index, column), events[column].to_numpy())


@pytest.mark.parametrize("column", TERM_COLUMNS)
def test_each_rows_term_code_names_its_value(generated, column: str) -> None:
    snapshot, _ = generated
    codes, terms = snapshot.index.terms(column)
    values = snapshot.events[column].tolist()
    named = [None if code < 0 else terms[code] for code in codes.tolist()]
    expected = [None if value is None or (isinstance(value, float) and np.isnan(value)) else value for value in values]
    assert named == expected
    assert np.shares_memory(codes, snapshot.events[column].array.codes)  # no copy of the column per index


def test_every_id_is_found_at_its_row_and_an_unknown_one_nowhere(generated) -> None:
    snapshot, written = generated
    ids = snapshot.events["id"].tolist()
    rows = {event_id: position for position, event_id in enumerate(ids)}
    assert set(written) <= set(rows)
    asked = [*ids, "no-such-event", "synthetic-", ""]
    random.Random(21).shuffle(asked)
    found = snapshot.index.ids.positions_of(asked)
    assert found.tolist() == [rows.get(event_id, -1) for event_id in asked]
    assert [snapshot.index.position(event_id) for event_id in asked] == [rows.get(event_id) for event_id in asked]
    assert set(snapshot.known.events) == set(ids) and len(snapshot.known.events) == len(ids)
    assert snapshot.index.ids._order.itemsize == 4  # a row as 4 bytes: 8 an event with its hash
    assert snapshot.index.ids._hashes.itemsize == 4


# Two ids whose hashes (pandas' hash_array) share their low 32 bits, and some that do not.
MEETING = ("event-46342", "event-134382")


def test_ids_whose_hashes_meet_are_each_found_at_their_own_row() -> None:
    low = pd.util.hash_array(np.array(MEETING, dtype=object)) & 0xFFFFFFFF
    assert low[0] == low[1]  # the case this test is about
    for ids in ([*MEETING, "event-1", "event-2"], ["event-1", MEETING[1], "event-2", MEETING[0]]):
        found = EventIds(pd.Series(ids, dtype="str"))
        asked = [*reversed(ids), "event-3"]
        assert found.positions_of(asked).tolist() == [ids.index(event_id) if event_id in ids else -1
                                                      for event_id in asked]
        assert [found.position(event_id) for event_id in asked] == [*reversed(range(len(ids))), None]
    alone = EventIds(pd.Series([MEETING[0], "event-1"], dtype="str"))  # the other one is not there
    assert alone.positions_of([MEETING[1]]).tolist() == [-1] and alone.position(MEETING[1]) is None


def test_the_frontier_distances_are_the_frames_less_the_country_wide_and_not_kept(generated) -> None:
    snapshot, _ = generated
    events, index = snapshot.events, snapshot.index
    country_wide = (events["location_precision"] == "country").to_numpy()
    km = events["frontier_km"].to_numpy(dtype=float)
    np.testing.assert_array_equal(index.frontier_km, np.where(country_wide, np.nan, km))
    assert country_wide.any() and np.isfinite(index.frontier_km).any()
    assert "frontier_km" not in vars(index)  # made on each call: no second copy of the column


def test_an_area_events_stretch_code_names_its_places_nearest_stretches(generated) -> None:
    snapshot, _ = generated
    nearest = snapshot.area_reach.nearest_stretches(snapshot.stretches)
    events = snapshot.events
    codes, sets = snapshot.index.area_stretches
    on_area = events["frontier_along_km"].isna() & (events["location_precision"] != "country")
    expected = [frozenset(nearest[place]) if area and place in nearest else None
                for place, area in zip(events["place"], on_area, strict=True)]
    assert [None if code < 0 else sets[code] for code in codes.tolist()] == expected
    assert any(ids is not None for ids in expected)  # the synthetic set has events on areas
    assert codes.itemsize == 4


@pytest.mark.parametrize("stretch", ["panj", "pamir", "amu-darya"])
def test_the_stretch_filter_picks_the_rows_the_plain_definition_gives(generated, stretch: str) -> None:
    snapshot, _ = generated
    nearest = snapshot.area_reach.nearest_stretches(snapshot.stretches)
    events = snapshot.events
    on_area = events["frontier_along_km"].isna() & (events["location_precision"] != "country")
    expected = [(not pd.isna(named) and named == stretch) or (area and stretch in nearest.get(place, ()))
                for named, place, area in zip(events["frontier_stretch"], events["place"], on_area, strict=True)]
    assert snapshot.index.on_stretches({stretch}).tolist() == expected


def test_a_child_hands_back_its_outcome_through_the_pipes(generated) -> None:
    # The job goes in and the outcome comes out pickled through the pipes, never held whole as bytes.
    snapshot, _ = generated
    outcome, parts = snapshots._run_child(("snapshot", (snapshot.layers_dir, snapshot.store.url)))
    assert outcome == "parts"
    pd.testing.assert_frame_equal(parts["events"], snapshot.events)


def test_a_failing_child_is_named_with_its_last_line_of_error() -> None:
    with pytest.raises(snapshots.ChildError, match=r"writing the popup text failed \(1\): TypeError: .*_popups"):
        snapshots._run_child(("popups", ()))
