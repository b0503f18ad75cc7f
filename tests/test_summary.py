"""The view in words (geo.summary): the numbers of three views of the article's events, counted by
hand from layers/events/edm-v19-i92.json, not with geo.filters."""

from __future__ import annotations

import pandas as pd
import pytest
from expected import CHINA_EVENTS, GBAO_SCENE_SUMMARY, SCENE_EVENTS, TOTAL_EVENTS

from geo.layers import LAYERS_DIR
from geo.snapshot import Snapshot, read_snapshot
from geo.summary import view_summary

pytestmark = pytest.mark.skipif(not (LAYERS_DIR / "manifest.json").exists(), reason="the derived layers are not built yet")

# Every view below is a list of event ids (tests/expected.py) with the sentence a reader hears.
VIEWS = [
    # All 30: 6 offensives; 4 security assistance (Russia, the US, China, the Majlisi Oli's grant)
    # and 4 internal security operations (Takhar, Badakhshan, two in GBAO); then 3 each of border
    # infrastructure, diplomacy, statements and unrest (vocabulary order), 1 cross-border attack,
    # 2 military presence, 1 trafficking. Eight events stand on Tajikistan as a whole, six on GBAO.
    (None, None,
     "Showing 30 of 30 events, Jan 1991 to Jun 2022. By type: 6 offensive, seizure or armed clash; "
     "4 security assistance or funding; 4 internal security operation; 3 border infrastructure (posts, "
     "checkpoints); 13 more of 6 other types. Most in Tajikistan (8)."),
    # The GBAO scene: three unrest events and two security operations, all on GBAO.
    (SCENE_EVENTS["gbao-unrest"], frozenset({"gbao"}), GBAO_SCENE_SUMMARY),
    # China: its assistance from 2016, ongoing as of June 2022, and the Shaymak post (29 October
    # 2021), one place each.
    (CHINA_EVENTS, None,
     "Showing 2 of 30 events, Jan 2016 to Jun 2022. By type: 1 security assistance or funding; "
     "1 border infrastructure (posts, checkpoints)."),
]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    with pytest.MonkeyPatch.context() as patch:  # an empty store of its own: the shipped events alone
        patch.setenv("PANJ_DATA_DIR", str(tmp_path_factory.mktemp("store")))
        return read_snapshot(LAYERS_DIR)


@pytest.mark.parametrize(("ids", "regions", "expected"), VIEWS)
def test_the_summary_counts_the_shown_events(snapshot: Snapshot, ids, regions, expected: str) -> None:
    events = snapshot.events
    shown = events if ids is None else events[events["id"].isin(ids)]
    assert len(shown) == (TOTAL_EVENTS if ids is None else len(ids))
    assert view_summary(shown, TOTAL_EVENTS, snapshot.vocabulary, snapshot.regions, regions,
                        snapshot.place_names) == expected


def test_no_event_shown_says_so(snapshot: Snapshot) -> None:
    none = snapshot.events.iloc[0:0]
    assert view_summary(none, TOTAL_EVENTS, snapshot.vocabulary, snapshot.regions, None,
                        snapshot.place_names) == "Showing 0 of 30 events."


def test_one_month_is_named_once(snapshot: Snapshot) -> None:
    events = snapshot.events
    may = events[(events["date_first"] >= pd.Timestamp(2022, 5, 1)) & (events["date_last"] <= pd.Timestamp(2022, 5, 31))]
    assert ", May 2022. By type:" in view_summary(may, TOTAL_EVENTS, snapshot.vocabulary, snapshot.regions, None,
                                                  snapshot.place_names)
