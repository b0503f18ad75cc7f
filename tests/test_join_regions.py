"""geo.join on the article's events: an event placed on an area (a country, a province, GBAO, the
Wakhan) takes its region and its distances from the area itself, not from a point inside it.

Every expectation is a fact of geography, not a value the join computed: Afghanistan, Tajikistan,
GBAO, the Wakhan, Badakhshan and Takhar all border the Panj (0 km to the frontier); Panjshir and
Baghlan do not; both border posts lie in Tajikistan, Shaymak in GBAO.
"""

from __future__ import annotations

import pandas as pd
import pytest
from snapshots import load_joined_events

from geo.layers import LAYERS_DIR

pytestmark = pytest.mark.skipif(not (LAYERS_DIR / "manifest.json").exists(), reason="the derived layers are not built yet")


@pytest.fixture(scope="module")
def article() -> pd.DataFrame:
    return load_joined_events(LAYERS_DIR).set_index("id", drop=False)


def _value(value: object) -> object:
    return None if pd.isna(value) else value


# event id -> country id, province id, in GBAO, in the Wakhan, touches the frontier
AREA_EVENTS = [
    # A country-wide event is in that country and in no province (not "Ghor", its middle).
    ("taliban-takeover",              "afghanistan", None,         False, False, True),
    ("hekmatyar-threat",              "afghanistan", None,         False, False, True),
    ("isisk-contests-taliban",        "afghanistan", None,         False, False, True),
    ("taliban-accuse-tajikistan",     "afghanistan", None,         False, False, True),
    ("russia-security-assistance",    "tajikistan",  None,         False, False, True),
    # A province event is in exactly that province, and in the Wakhan only if the whole of it were.
    ("taliban-reassert-badakhshan",   "afghanistan", "badakhshan", False, False, True),
    ("taliban-reassert-takhar",       "afghanistan", "takhar",     False, False, True),
    ("resistance-panjshir",           "afghanistan", "panjshir",   False, False, False),
    ("resistance-baghlan",            "afghanistan", "baghlan",    False, False, False),
    # GBAO is Tajikistan's province of that name.
    ("gbao-protests",                 "tajikistan",  "gbao",       True,  False, True),
    ("gbao-counterterrorism-operation", "tajikistan", "gbao",      True,  False, True),
    # The frontier runs between two countries: in neither, wholly in no province.
    ("russia-announces-border-post",  None,          None,         False, False, True),
]


@pytest.mark.parametrize(("event_id", "country", "province", "in_gbao", "in_wakhan", "touches"), AREA_EVENTS,
                         ids=[row[0] for row in AREA_EVENTS])
def test_an_area_event_takes_its_region_from_the_area(article, event_id, country, province, in_gbao, in_wakhan,
                                                      touches) -> None:
    row = article.loc[event_id]
    assert (_value(row.country_id), _value(row.province_id)) == (country, province)
    assert (bool(row.in_gbao), bool(row.in_wakhan)) == (in_gbao, in_wakhan)
    assert (row.frontier_km == 0.0) == touches
    if not touches:
        assert row.frontier_km > 10  # a neighbouring province away from the river, not a rounding


def test_area_events_name_their_regions(article) -> None:
    takeover = article.loc["taliban-takeover"]
    assert (takeover.country, _value(takeover.province)) == ("Afghanistan", None)
    assert article.loc["resistance-panjshir"].province == "Panjshir"
    assert article.loc["gbao-protests"].country == "Tajikistan"


def test_every_gbao_wide_event_touches_the_frontier(article) -> None:
    rows = article[article["place"] == "gbao:gbao"]
    assert len(rows) >= 4
    assert (rows["frontier_km"] == 0.0).all()


def test_a_post_inside_an_area_is_0_km_from_it(article) -> None:
    # Both posts lie in Tajikistan; Shaymak lies in GBAO.
    assert article.loc["russia-security-assistance"].nearest_post_km == 0.0
    gbao = article.loc["gbao-protests"]
    assert (gbao.nearest_post, gbao.nearest_post_km) == ("shaymak", 0.0)


def test_an_area_across_the_river_from_a_post_is_nearer_than_its_middle(article) -> None:
    # Afghanistan faces both posts across the Panj: a few km, not the ~430 km from its middle.
    assert article.loc["taliban-takeover"].nearest_post_km < 10


def test_point_events_keep_their_point_regions(article) -> None:
    kabul = article.loc["chuianzoda-kabul-mission"]
    assert (kabul.country_id, kabul.province_id) == ("afghanistan", "kabul")
    assert kabul.frontier_km > 250
    ayvoj = article.loc["us-funds-ayvoj-post"]
    assert (ayvoj.province_id, ayvoj.nearest_post, ayvoj.nearest_post_km) == ("khatlon", "ayvoj", 0.0)
