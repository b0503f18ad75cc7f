"""The page's change along the frontier (AppTest, no browser): the shown events counted per segment,
and the CSV download holding every period.

The fixture (tests/fixtures/layers-hostile) has its frontier on 37°N from 67°E to 75°E and one event
on a point, at Khorugh (71.55°E 37.49°N, 11 May 2022): 0.49° of latitude, about 54 km, from the
frontier, and (71.55 - 67) × 89.0 km ≈ 405 km along it (the 37th parallel's km per degree, WGS84).
Two events stand on areas that touch the frontier: talks in Badakhshan province (May 2022), whose
edge runs along it from 70°E (km 267), and a post in the Wakhan (2016), from 71.6°E (km 409.5). An
area event counts in every segment within the distance of its area."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import streamlit as st
from conftest import run_page
from streamlit.runtime.media_file_manager import MediaFileManager

import geo.mapview
import ui.trends_panel
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


# Segments of 50 km; the last ends at the China tripoint, 712.1 km.
SEGMENTS = [f"{start}–{start + 50}" for start in range(0, 700, 50)] + ["700–712.1"]
# Within 25 km: Badakhshan reaches the segments from 200–250 (17 km from its end) to the last; the
# Wakhan those from 350–400 (9.5 km) on.
OPEN = {ui.trends_panel.PANEL_OPEN: True}  # the panel opened, as the reader's click sets it
BADAKHSHAN_25 = range(200, 701, 50)
WAKHAN_25 = range(350, 701, 50)


def test_the_areas_count_within_the_distance_and_the_far_point_does_not(offered) -> None:
    at = run_page(state=OPEN)
    [table] = [frame.value for frame in at.dataframe if "Segment (km)" in frame.value.columns]
    assert list(table["Segment (km)"]) == SEGMENTS
    # May 2022: the talks in Badakhshan, one in each segment it reaches; Khorugh, 54 km off, in none.
    assert dict(zip(table["Segment (km)"], table["Events"], strict=True)) == {
        segment: int(int(segment.split("–")[0]) in BADAKHSHAN_25) for segment in SEGMENTS}
    rows = list(csv.DictReader(io.StringIO(offered["panj-trends-month.csv"].decode("utf-8"))))
    assert sorted((row["period"], row["segment_from_km"]) for row in rows if row["events"] != "0") == sorted(
        [("2022-05", f"{start:.1f}") for start in BADAKHSHAN_25] + [("2016-01", f"{start:.1f}") for start in WAKHAN_25])
    assert {row["events"] for row in rows} == {"0", "1"}


def test_the_point_within_the_distance_is_counted_in_its_segment(offered) -> None:
    at = run_page(state=OPEN)
    at.number_input(key="trends_within_km").set_value(60).run()
    assert not at.exception, at.exception
    [table] = [frame.value for frame in at.dataframe if "Segment (km)" in frame.value.columns]
    # Khorugh joins Badakhshan's talks in its segment (Badakhshan, 67 km from 150–200, still misses it).
    assert list(table.loc[table["Events"] == 2, "Segment (km)"]) == ["400–450"]
    assert list(table.loc[table["Events"] == 1, "Segment (km)"]) == [
        segment for segment in SEGMENTS[4:] if segment != "400–450"]
    assert list(table.loc[table["Segment (km)"] == "400–450", "Stretch"]) == ["East of 70°E"]
    rows = list(csv.DictReader(io.StringIO(offered["panj-trends-month.csv"].decode("utf-8"))))
    assert tuple(rows[0]) == COLUMNS
    assert [(row["segment_from_km"], row["events"]) for row in rows
            if row["period"] == "2022-05" and row["events"] == "2"] == [("400.0", "2")]


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
    at = run_page({"from": "2022-01-01"}, OPEN)
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
    # Badakhshan's segments, from 200 km on (Khorugh's, 400–450, among them).
    assert [feature["properties"]["from_km"] for feature in features if feature["properties"]["events"]] == [
        50.0 * n for n in range(4, 15)]
    assert set(change["levels"]) == {"large-increase", "moderate-increase", "limited", "large-decrease"}
    at.checkbox(key="trends_on_map").uncheck().run()
    assert updates[-1]["frontierChange"] is None


def test_a_link_reopens_the_panels_choice(updates) -> None:
    at = run_page({"from": "2022-01-01", "trends_km": "60", "trends_period": "week", "trends_map": "1"}, OPEN)
    assert not at.exception, at.exception
    assert at.number_input(key="trends_within_km").value == 60
    assert at.selectbox(key="trends_period").value == "week"
    assert at.checkbox(key="trends_on_map").value is True
    assert updates[-1]["frontierChange"] is not None  # coloured from the first run
    # By week, within 60 km: the latest week is Khorugh's (Monday 9 May 2022); the talks in Badakhshan,
    # known to May, count in the week holding 1 May.
    [table] = [frame.value for frame in at.dataframe if "Segment (km)" in frame.value.columns]
    assert list(table.loc[table["Events"] > 0, "Segment (km)"]) == ["400–450"]
    assert any(caption.value.startswith("2022-05-09:") for caption in at.caption)
    # The URL the page writes keeps the choice.
    assert (at.query_params["trends_km"], at.query_params["trends_period"], at.query_params["trends_map"]) == (
        "60", "week", "1")
    at.number_input(key="trends_within_km").set_value(25).run()
    assert "trends_km" not in at.query_params  # the first value is not written


def test_a_closed_panel_makes_no_table_and_no_csv(offered) -> None:
    at = run_page()  # the panel starts closed
    assert not [frame for frame in at.dataframe if "Segment (km)" in frame.value.columns]
    assert "panj-trends-month.csv" not in offered
    # Its choices are still drawn, so a link's choice is kept while it is closed.
    assert at.number_input(key="trends_within_km").value == 25
