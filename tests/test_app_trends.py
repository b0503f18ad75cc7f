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
