"""The view in words (geo.summary): the numbers of three views of the article's events, counted by
hand from layers/events/edm-v19-i92.json, not with geo.filters; and the sentence the page writes
under the map (and its live region announces) for three filters set through the URL."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from conftest import run_page
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


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]", "category"])
def test_a_tie_names_the_place_first_by_name_and_an_event_without_a_place_counts_for_none(snapshot: Snapshot,
                                                                                          dtype) -> None:
    # Two events on Tajikistan, two on Afghanistan and one whose place is missing: "Afghanistan"
    # is first in alphabetical order. The page's frame holds Arrow strings, the command line's objects.
    events = snapshot.events
    shown = pd.concat([events[events["place"] == "countries:tajikistan"].head(2),
                       events[events["place"] == "countries:afghanistan"].head(2),
                       events[events["place"] == "posts:ayvoj"].assign(place=None)])
    shown["place"] = shown["place"].astype(dtype)
    assert view_summary(shown, TOTAL_EVENTS, snapshot.vocabulary, snapshot.regions, None,
                        snapshot.place_names).endswith(". Most in Afghanistan (2).")


TABLE_NOTE = " The table under the map lists every event shown, with the same filters."
# Three filters and the sentence under the map, counted by hand from the events file (dates by
# overlap: an event shows when a day it allows lies in From-To).
PAGE_VIEWS = [
    # GBAO in May and June 2022 (the axe test's filtered page): the five of the GBAO scene, and the
    # drug trade reported in June 2022; the protests, ongoing since November 2021, reach into May.
    ({"region": "gbao", "from": "2022-05", "to": "2022-06"},
     "Showing 6 of 30 events in Gorno-Badakhshan (GBAO), Nov 2021 to Jun 2022. By type: 3 unrest or protest; "
     "2 internal security operation; 1 cross-border trafficking. Most in Gorno-Badakhshan Autonomous Region (6)."),
    # Russia: its assistance and the 201st since 1991 (ongoing as of June 2022), the 201st's strength
    # (all three on Tajikistan as a whole), the post it announced on the frontier, the Majlisi Oli's
    # grant in Dushanbe.
    ({"actor": "russia"},
     "Showing 5 of 30 events, Jan 1991 to Jun 2022. By type: 2 security assistance or funding; "
     "2 military presence (standing fact); 1 border infrastructure (posts, checkpoints). Most in Tajikistan (3)."),
    # Statements: the Taliban's claim of calm (August 2021, ongoing as of June 2022), Hekmatyar's
    # threat (10 May 2022), the Taliban's accusation (June 2022), all on Afghanistan as a whole.
    ({"type": "statement"},
     "Showing 3 of 30 events, Aug 2021 to Jun 2022. By type: 3 statement or threat. Most in Afghanistan (3)."),
]


@pytest.mark.parametrize(("query", "expected"), PAGE_VIEWS, ids=["region-and-dates", "actor", "event-type"])
def test_the_page_writes_the_view_in_words_for_its_filters(monkeypatch, query: dict[str, str], expected: str) -> None:
    monkeypatch.delenv("PANJ_LAYERS_DIR", raising=False)  # the shipped events
    at = run_page({**query, "basemap": "none"})
    (body,) = [element.proto.body for element in at.get("html") if element.proto.body.startswith('<p class="panj-summary')]
    assert html.unescape(re.sub(r"<[^>]+>", "", body)) == expected + TABLE_NOTE
