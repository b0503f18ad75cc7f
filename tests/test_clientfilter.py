"""Which filter states the map applies itself (geo.clientfilter): the decision, the terms sent, and
terms.bin.gz's columns, on a few events written out here."""

from __future__ import annotations

import datetime as dt
import gzip

import numpy as np
import pandas as pd
import pytest

from geo import mapview
from geo.clientfilter import BrowserFilters
from geo.eventdata import PublishedEvents
from geo.events import Vocabulary
from geo.filters import EventIndex, FilterState

# id, first day, last day, actors, type, status, dataset, country, province, in GBAO, in the Wakhan
ROWS = [
    ("a", "2021-01-01", "2021-01-31", ("russia",), "diplomacy", "occurred", "shipped", "tajikistan", "gbao", True, False),
    ("b", "2021-03-05", "2021-03-05", ("china", "russia"), "military-presence", "planned", "shipped", "afghanistan",
     "badakhshan", False, True),
    ("c", "2022-01-01", "2022-12-31", ("china",), "diplomacy", "occurred", "mine", "afghanistan", None, False, False),
    ("d", "2023-06-01", "2023-06-02", ("taliban",), "clash", "ongoing", "mine", None, None, False, False),
]
COLUMNS = ["id", "date_first", "date_last", "actors", "event_type", "status", "dataset", "country_id", "province_id",
           "in_gbao", "in_wakhan"]
DAY_2021_02_01 = 18659  # days from 1 January 1970
DAY_2022_06_30 = 19173


def _frame(rows=ROWS) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("date_first", "date_last"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
    return frame


def _within(*ids: str) -> np.ndarray:
    return np.isin([row[0] for row in ROWS], ids)


# (filter state, rows kept by the datasets ticked (None: all), whether it goes as terms)
DECISIONS = [
    (FilterState(), None, True),
    (FilterState(event_types=frozenset({"diplomacy"})), None, True),
    (FilterState(actors=frozenset({"china"}), statuses=frozenset({"occurred", "planned"})), None, True),
    (FilterState(date_from=dt.date(2021, 2, 1)), None, True),
    (FilterState(date_from=dt.date(2021, 2, 1), date_to=dt.date(2022, 6, 30)), None, True),
    (FilterState(regions=frozenset({"gbao", "country:afghanistan", "province:badakhshan"})), None, True),
    (FilterState(regions=frozenset({"country:nowhere"})), None, True),
    (FilterState(text="   "), None, True),  # no word: no search
    (FilterState(event_types=frozenset({"diplomacy"})), _within("c", "d"), True),  # the dataset "mine" ticked
    (FilterState(), _within("a", "b", "c", "d"), True),
    (FilterState(text="kabul"), None, False),  # the store answers a search
    (FilterState(event_types=frozenset({"diplomacy"}), text="post"), None, False),
    (FilterState(within_km=25.0), None, False),
    (FilterState(sides=frozenset({"tajikistan"})), None, False),
    (FilterState(stretches=frozenset({"wakhan"})), None, False),
    (FilterState(along_km=(100.0, 250.0)), None, False),  # the strip's brush
    (FilterState(fatalities_min=1), None, False),
    (FilterState(fatalities_max=10), None, False),
    (FilterState(), _within("a", "c"), False),  # rows, not whole datasets
]


@pytest.mark.parametrize(("state", "within", "as_terms"), DECISIONS)
def test_which_filter_states_go_as_terms(state: FilterState, within: np.ndarray | None, as_terms: bool) -> None:
    terms = BrowserFilters(EventIndex(_frame())).terms(state, within)
    assert (terms is not None) is as_terms, terms


@pytest.mark.parametrize(("state", "expected"), [
    (FilterState(), {}),
    (FilterState(actors=frozenset({"russia", "china"}), event_types=frozenset({"clash"}),
                 statuses=frozenset({"ongoing"})),
     {"actors": ["china", "russia"], "types": ["clash"], "statuses": ["ongoing"]}),
    (FilterState(date_from=dt.date(2021, 2, 1)), {"days": [DAY_2021_02_01, None]}),
    (FilterState(date_to=dt.date(2022, 6, 30)), {"days": [None, DAY_2022_06_30]}),
    (FilterState(regions=frozenset({"gbao", "wakhan"})), {"regions": {"flags": 3, "country_id": [], "province_id": []}}),
    (FilterState(regions=frozenset({"country:nowhere", "elsewhere"})),
     {"regions": {"flags": 0, "country_id": [], "province_id": []}}),
])
def test_the_terms_sent(state: FilterState, expected: dict) -> None:
    assert BrowserFilters(EventIndex(_frame())).terms(state) == expected


def _columns(content: bytes, count: int) -> dict[str, np.ndarray]:
    raw = gzip.decompress(content)
    codes = np.frombuffer(raw, dtype="<u2", count=3 * count)
    return {"dataset": codes[:count], "country_id": codes[count:2 * count], "province_id": codes[2 * count:],
            "flags": np.frombuffer(raw, dtype=np.uint8, offset=6 * count)}


@pytest.mark.parametrize(("column", "region", "ids"), [
    ("country_id", "country:afghanistan", ["b", "c"]),
    ("country_id", "country:tajikistan", ["a"]),
    ("province_id", "province:badakhshan", ["b"]),
])
def test_a_regions_code_in_the_terms_marks_its_rows_in_the_terms_file(column: str, region: str, ids: list[str]) -> None:
    browser = BrowserFilters(EventIndex(_frame()))
    codes = _columns(browser.file(), len(ROWS))[column]
    wanted = browser.terms(FilterState(regions=frozenset({region})))["regions"][column]
    assert [row[0] for row, code in zip(ROWS, codes, strict=True) if code in wanted] == ids


def test_the_terms_file_flags_gbao_and_the_wakhan_and_codes_each_dataset() -> None:
    browser = BrowserFilters(EventIndex(_frame()))
    columns = _columns(browser.file(), len(ROWS))
    assert columns["flags"].tolist() == [1, 2, 0, 0]
    mine = browser.terms(FilterState(), _within("c", "d"))["datasets"]
    assert [row[0] for row, code in zip(ROWS, columns["dataset"], strict=True) if code in mine] == ["c", "d"]


def test_dates_that_are_not_whole_days_go_as_a_mask() -> None:
    frame = _frame()
    frame.loc[1, "date_last"] = pd.Timestamp("2021-03-05 12:00")
    browser = BrowserFilters(EventIndex(frame))
    assert browser.terms(FilterState(date_to=dt.date(2021, 3, 5))) is None
    assert browser.terms(FilterState(event_types=frozenset({"clash"}))) == {"types": ["clash"]}


def test_without_the_datasets_column_a_choice_of_datasets_goes_as_a_mask() -> None:
    browser = BrowserFilters(EventIndex(_frame().drop(columns=["dataset"])))
    assert browser.terms(FilterState(), _within("c", "d")) is None
    assert browser.terms(FilterState(actors=frozenset({"china"}))) == {"actors": ["china"]}


@pytest.mark.parametrize(("terms", "mask_sent"), [(None, True), ({"types": ["clash"]}, False)])
def test_the_update_carries_the_terms_or_the_mask(terms: dict | None, mask_sent: bool) -> None:
    published = PublishedEvents(url="/events.bin.gz", count=len(ROWS), payload_bytes=0, details="/popups/")
    data = mapview.MapData(layers={}, labels="/labels.json", events=published, layer_levels={})
    shown = _frame().iloc[[3]]
    group = mapview.events_overlay(shown, Vocabulary(actors={}, event_types={}), {},
                                   mapview.MapView(visible_layers=(), basemap="none"), data=data, terms=terms)
    update = next(iter(group._children.values())).update
    assert (update["mask"] is not None) is mask_sent
    assert update["terms"] == terms
