"""The page's change along the frontier (AppTest, no browser): the shown events counted per segment,
and the CSV download holding every period.

The fixture (tests/fixtures/layers-hostile) has its frontier on 37°N from 67°E and one event on a
point, at Khorugh (71.55°E 37.49°N, 11 May 2022): 0.49° of latitude, about 54 km, from the frontier,
and (71.55 - 67) × 89.0 km ≈ 405 km along it (the 37th parallel's km per degree, WGS84)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import streamlit as st
from conftest import run_page
from streamlit.runtime.media_file_manager import MediaFileManager

import geo.mapview
from geo.trends import COLUMNS

FIXTURE = Path(__file__).parent / "fixtures" / "layers-hostile"


@pytest.fixture
def offered(monkeypatch) -> dict[str, bytes]:
    """The page on the fixture layers; what each download button offers, by file name."""
    monkeypatch.setenv("PANJ_LAYERS_DIR", str(FIXTURE))
    st.cache_resource.clear()
    found: dict[str, bytes] = {}
    add = MediaFileManager.add

    def recording(self, path_or_data, mimetype, coordinates, file_name=None, **kwargs):
        found[file_name] = path_or_data
        return add(self, path_or_data, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add", recording)
    yield found
    st.cache_resource.clear()


def test_an_event_beyond_the_distance_is_not_counted(offered) -> None:
    at = run_page()
    assert any("No event shown stands on a point within 25 km" in caption.value for caption in at.caption)
    assert "panj-trends-month.csv" not in offered


def test_the_event_within_the_distance_is_counted_in_its_segment(offered) -> None:
    at = run_page()
    at.number_input(key="trends_within_km").set_value(60).run()
    assert not at.exception, at.exception
    [table] = [frame.value for frame in at.dataframe if "Segment (km)" in frame.value.columns]
    counted = table[table["Events"] > 0]
    assert list(counted["Segment (km)"]) == ["400–450"] and list(counted["Events"]) == [1]
    assert list(counted["Stretch"]) == ["East of 70°E"]
    rows = list(csv.DictReader(io.StringIO(offered["panj-trends-month.csv"].decode("utf-8"))))
    assert tuple(rows[0]) == COLUMNS
    assert {row["period"] for row in rows} == {"2022-05"}
    assert [(row["segment_from_km"], row["events"]) for row in rows if row["events"] != "0"] == [("400.0", "1")]


@pytest.fixture
def updates(offered, monkeypatch) -> list[dict]:
    """The map's updates (``geo.mapview.EventsLayer``) the page sends, in order."""
    sent: list[dict] = []
    made = geo.mapview.EventsLayer.__init__

    def recording(self, *args, **kwargs):
        made(self, *args, **kwargs)
        sent.append(self.update)

    monkeypatch.setattr(geo.mapview.EventsLayer, "__init__", recording)
    return sent


def test_ticking_the_choice_colours_the_frontier_on_the_map(updates) -> None:
    # From January: May is measured against January to April, with no event (a norm of 0 and one
    # event in May is too few to call a change: limited).
    at = run_page({"from": "2022-01-01"})
    assert updates[-1]["frontierChange"] is None  # off until ticked
    at.number_input(key="trends_within_km").set_value(60).run()
    at.checkbox(key="trends_on_map").check().run()
    assert not at.exception, at.exception
    change = updates[-1]["frontierChange"]
    features = change["segments"]["features"]
    # The fixture's frontier, 67°E to 75°E on 37°N, is 8 × 89.0 ≈ 712 km: 14 segments of 50 km and one of 12.
    assert [feature["properties"]["from_km"] for feature in features] == [50.0 * n for n in range(15)]
    assert {feature["properties"]["period"] for feature in features} == {"2022-05"}
    assert {feature["properties"]["level"] for feature in features} == {"limited"}
    assert [feature["properties"]["from_km"] for feature in features if feature["properties"]["events"]] == [400.0]
    assert set(change["levels"]) == {"large-increase", "moderate-increase", "limited", "large-decrease"}
    at.checkbox(key="trends_on_map").uncheck().run()
    assert updates[-1]["frontierChange"] is None
