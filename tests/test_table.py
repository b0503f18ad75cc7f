"""The events table's columns: a country-wide event's distance is missing ("n/a" on the page), never 0."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.layers import LAYERS_DIR
from geo.snapshot import read_snapshot
from geo.table import SortOrder, events_table, sort_order

pytestmark = pytest.mark.skipif(not (LAYERS_DIR / "manifest.json").exists(), reason="the derived layers are not built yet")

# The article's events placed on a whole country (location_precision "country" in
# layers/events/edm-v19-i92.json).
COUNTRY_WIDE = {
    "taliban-takeover", "taliban-claims-calm", "isisk-contests-taliban", "taliban-accuse-tajikistan",
    "hekmatyar-threat", "isisk-rockets-into-tajikistan", "russia-security-assistance", "us-security-funding",
    "china-assists-tajikistan", "russia-201st-stationed", "russia-201st-strength",
    "tajikistan-demands-inclusive-government", "tajikistan-backs-massoud",
}
# (event, whether its area reaches the frontier): GBAO and Badakhshan lie along the Panj, Baghlan
# does not; Kabul is a town far from it.
PLACED = [("gbao-protests", True), ("taliban-reassert-badakhshan", True), ("resistance-baghlan", False),
          ("chuianzoda-kabul-mission", False)]


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    with pytest.MonkeyPatch.context() as patch:  # an empty store of its own: the shipped events alone
        patch.setenv("PANJ_DATA_DIR", str(tmp_path_factory.mktemp("store")))
        snapshot = read_snapshot(LAYERS_DIR)
    events = snapshot.details(snapshot.events)
    return events_table(events, snapshot.vocabulary).set_axis(events["id"])


def test_a_country_wide_event_has_no_frontier_distance(table: pd.DataFrame) -> None:
    missing = set(table.index[table["Frontier (km)"].isna()])
    assert missing == COUNTRY_WIDE


@pytest.mark.parametrize(("event_id", "reaches"), PLACED)
def test_other_events_keep_theirs(table: pd.DataFrame, event_id: str, reaches: bool) -> None:
    distance = table.loc[event_id, "Frontier (km)"]
    assert (distance == 0) if reaches else (distance > 0)


# Five events whose order by some column is 3, 0, 4 with 1 and 2 (in date order) having no value.
ORDER = SortOrder(rows=np.array([3, 0, 4, 1, 2], dtype=np.int32), missing=2)


@pytest.mark.parametrize(("shown", "descending", "expected"), [
    ([True] * 5, False, [3, 0, 4, 1, 2]),
    ([True] * 5, True, [4, 0, 3, 1, 2]),  # backwards, but the events without a value stay last
    ([True, False, True, True, False], False, [3, 0, 2]),
    ([True, False, True, True, False], True, [0, 3, 2]),
    ([False, True, True, False, False], True, [1, 2]),  # none with a value
    ([False] * 5, True, []),
])
def test_an_order_lists_the_shown_events(shown, descending, expected) -> None:
    assert list(ORDER.of(np.array(shown), descending)) == expected


def test_an_unknown_column_is_named() -> None:
    with pytest.raises(ValueError, match="'colour'"):
        sort_order(None, "colour")
