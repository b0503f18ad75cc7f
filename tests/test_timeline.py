"""Step order, wrapping, hidden current events and captions, on a tiny inline frame."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo import timeline

D = dt.date

# (id, date_first, date_last, date_label), listed out of order on purpose.
ROWS = [
    ("grant", D(2022, 5, 11), D(2022, 5, 11), "11 May 2022"),
    ("protests", D(2021, 11, 1), D(2021, 11, 30), "November 2021"),
    ("nrf-offensive", D(2022, 5, 1), D(2022, 5, 31), "May 2022"),
    ("china-post", D(2016, 1, 1), D(2016, 12, 31), "2016"),
    ("nrf-statement", D(2022, 5, 1), D(2022, 5, 1), "1 May 2022"),
    ("tass-post", D(2021, 12, 27), D(2021, 12, 27), "27 December 2021"),
    ("b-same-day", D(2022, 5, 18), D(2022, 5, 18), "18 May 2022"),
    ("a-same-day", D(2022, 5, 18), D(2022, 5, 18), "18 May 2022"),
]
ORDER = [
    "china-post",  # the earliest first day
    "protests",
    "tass-post",
    "nrf-statement",  # same first day as nrf-offensive, shorter span first
    "nrf-offensive",
    "grant",
    "a-same-day",  # same dates: the id decides
    "b-same-day",
]


def _frame(ids: list[str] | None = None) -> gpd.GeoDataFrame:
    rows = [row for row in ROWS if ids is None or row[0] in ids]
    return gpd.GeoDataFrame(
        {
            "id": [row[0] for row in rows],
            "date_first": [row[1] for row in rows],
            "date_last": [row[2] for row in rows],
            "date_label": [row[3] for row in rows],
            "title": [f"Title of {row[0]}" for row in rows],
            "summary": [f"Summary of {row[0]}" for row in rows],
        },
        geometry=[Point(70.0, 37.5) for _ in rows],
        crs="EPSG:4326",
    )


ALL = _frame()


def test_order_is_date_first_then_date_last_then_id() -> None:
    assert timeline.ordered_ids(ALL) == ORDER


def test_stepping_forward_visits_every_event_in_order_then_wraps() -> None:
    visited, current = [], None
    for _ in range(len(ORDER) + 1):
        current = timeline.step(ALL, current, +1)
        visited.append(current)
    assert visited == ORDER + [ORDER[0]]


def test_stepping_backward_visits_every_event_in_reverse_then_wraps() -> None:
    visited, current = [], None
    for _ in range(len(ORDER) + 1):
        current = timeline.step(ALL, current, -1)
        visited.append(current)
    assert visited == ORDER[::-1] + [ORDER[-1]]


# Shown events for the hidden-current rows: the filters removed the November 2021 protests,
# the TASS announcement and the grant.
SHOWN = ["china-post", "nrf-statement", "nrf-offensive", "a-same-day", "b-same-day"]


@pytest.mark.parametrize(
    ("shown", "current", "direction", "expected"),
    [
        (None, "tass-post", +1, "nrf-statement"),  # plain next
        (None, "tass-post", -1, "protests"),  # plain previous
        (None, "b-same-day", +1, "china-post"),  # next after the last wraps to the first
        (None, "china-post", -1, "b-same-day"),  # previous before the first wraps to the last
        (None, None, +1, "china-post"),  # no current yet: next starts at the beginning
        (None, None, -1, "b-same-day"),  # no current yet: previous starts at the end
        (None, "no-such-event", +1, "china-post"),  # stale id from an old URL
        (None, "no-such-event", -1, "b-same-day"),
        (SHOWN, "protests", +1, "nrf-statement"),  # hidden current: first shown after its date
        (SHOWN, "protests", -1, "china-post"),  # hidden current: last shown before its date
        (SHOWN, "grant", +1, "a-same-day"),
        (SHOWN, "grant", -1, "nrf-offensive"),
        (["china-post", "protests"], "grant", +1, "china-post"),  # nothing after: wraps to the first
        (["grant", "b-same-day"], "protests", -1, "b-same-day"),  # nothing before: wraps to the last
        (["grant"], "grant", +1, "grant"),  # a single event steps onto itself
        ([], "grant", +1, None),  # nothing shown, nothing to step to
        ([], None, -1, None),
    ],
)
def test_step(shown: list[str] | None, current: str | None, direction: int, expected: str | None) -> None:
    frame = ALL if shown is None else _frame(shown)
    assert timeline.step(frame, current, direction, unfiltered=ALL) == expected


@pytest.mark.parametrize(
    ("shown", "current", "expected"),
    [
        (None, "grant", "grant"),  # shown: stays
        (SHOWN, "protests", "nrf-statement"),  # hidden: the first shown event at or after its date
        (SHOWN, "grant", "a-same-day"),
        (["china-post", "protests"], "grant", "china-post"),  # nothing at or after: the first
        (SHOWN, None, "china-post"),  # no current: the first
        (SHOWN, "no-such-event", "china-post"),
        ([], "grant", None),
    ],
)
def test_locate(shown: list[str] | None, current: str | None, expected: str | None) -> None:
    frame = ALL if shown is None else _frame(shown)
    assert timeline.locate(frame, current, unfiltered=ALL) == expected


def test_hidden_current_without_unfiltered_events_starts_from_the_ends() -> None:
    shown = _frame(SHOWN)
    assert timeline.step(shown, "protests", +1) == "china-post"
    assert timeline.step(shown, "protests", -1) == "b-same-day"
    assert timeline.locate(shown, "protests") == "china-post"


def test_the_frame_order_does_not_matter() -> None:
    reversed_frame = ALL.iloc[::-1]
    assert timeline.ordered_ids(reversed_frame) == ORDER
    assert timeline.step(reversed_frame, "nrf-statement", +1) == "nrf-offensive"


@pytest.mark.parametrize("direction", [0, 2, -2])
def test_direction_must_be_one_step(direction: int) -> None:
    with pytest.raises(ValueError, match="direction must be"):
        timeline.step(ALL, "grant", direction)


def test_caption_holds_title_date_label_and_summary() -> None:
    row = ALL.set_index("id").loc["tass-post"]
    assert timeline.caption(row) == {
        "title": "Title of tass-post",
        "date_label": "27 December 2021",
        "summary": "Summary of tass-post",
    }


def test_caption_keeps_markup_as_plain_text_and_only_its_three_fields() -> None:
    # Escaping belongs to the page, where the text reaches HTML; the caption must not alter it.
    row = pd.Series({
        "id": "grant", "title": "<b>Grant</b> & $1.1 million", "date_label": "11 May 2022",
        "summary": "*not* markdown <script>x</script>", "actors": ("russia",), "amount_usd": 1_100_000.0,
    })
    assert timeline.caption(row) == {
        "title": "<b>Grant</b> & $1.1 million",
        "date_label": "11 May 2022",
        "summary": "*not* markdown <script>x</script>",
    }


# Symbol points per event of ALL (lon, lat): 0.01° of latitude is 1.11 km, 0.005° is 0.56 km.
SPOTS = {"grant": (70.0, 37.5), "protests": (70.0, 37.505), "nrf-offensive": (70.0, 37.51),
         "china-post": (70.0, 37.5), "nrf-statement": (71.0, 37.5), "tass-post": (70.0, 37.5),
         "b-same-day": (70.0, 37.495), "a-same-day": (69.0, 37.5)}


@pytest.mark.parametrize(("event_id", "expected"), [
    ("grant", ["china-post", "protests", "tass-post", "grant", "b-same-day"]),  # within 1 km, step order
    ("nrf-offensive", ["protests", "nrf-offensive"]),  # 1.11 km from grant: only protests is near
    ("nrf-statement", ["nrf-statement"]),
    ("unknown", []),
])
def test_here_lists_the_events_at_one_spot_in_step_order(event_id, expected) -> None:
    lons = ALL["id"].map(lambda event: SPOTS[event][0]).to_numpy(dtype=float)
    lats = ALL["id"].map(lambda event: SPOTS[event][1]).to_numpy(dtype=float)
    assert timeline.here(ALL, lons, lats, event_id) == expected


@pytest.mark.parametrize(("place", "precision", "is_area", "here_ids", "event_id", "expected"), [
    ("Afghanistan", "country", True, ["a", "b", "c"], "a", "Country-wide: Afghanistan, outlined on the map · 1 of 3 here"),
    ("Gorno-Badakhshan", "region", True, ["a", "b"], "b", "Area-wide: Gorno-Badakhshan, outlined on the map · 2 of 2 here"),
    ("Tajikistan", "country", True, ["a"], "a", "Country-wide: Tajikistan, outlined on the map"),
    ("Dushanbe", "locality", False, ["a", "b", "c"], "c", "3 of 3 here"),
    ("Kabul", "locality", False, ["a"], "a", ""),
    ("Kabul", "locality", False, [], "a", ""),
])
def test_place_note_says_country_wide_and_the_place_in_the_group(place, precision, is_area, here_ids, event_id,
                                                                  expected) -> None:
    assert timeline.place_note(place, precision, is_area=is_area, here_ids=here_ids, event_id=event_id) == expected
