"""The page's export panel (AppTest, no browser): size presets, custom sizes the exporter cannot
hit exactly, and the GeoJSON/CSV downloads holding exactly the filtered events."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import streamlit as st
from conftest import run_page
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

FIXTURE = Path(__file__).parent / "fixtures" / "layers-hostile"


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """The page on the fixture layers; collects what each download button offers, by file name."""
    monkeypatch.setenv("PANJ_LAYERS_DIR", str(FIXTURE))
    st.cache_resource.clear()
    offered: dict[str, bytes] = {}
    load = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        if filename is not None and isinstance(path_or_data, bytes):
            offered[filename] = path_or_data
        return load(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    yield offered
    st.cache_resource.clear()


def _title(at: AppTest) -> str:
    return next(box.value for box in at.text_input if box.label == "Title")


def test_size_presets_and_default_title(downloads) -> None:
    at = run_page()
    assert at.selectbox(key="export_preset").options == [
        "Slides 1920×1080", "A4 landscape 300 dpi (3508×2480)", "Custom"]
    assert _title(at) == "All 3 events, Jan 2016 – Jun 2022"
    assert not at.error


@pytest.mark.parametrize(
    ("width", "height", "scale", "message"),
    [
        (1601, 1000, 2.0, "width 1601 px at scale 2 is 800.50 CSS pixels, not a whole number"),
        (1600, 1001, 2.0, "height 1001 px at scale 2 is 500.50 CSS pixels, not a whole number"),
        (1000, 1000, 1.5, "width 1000 px at scale 1.5 is 666.67 CSS pixels, not a whole number"),
    ],
)
def test_custom_size_the_exporter_cannot_hit_is_an_error(downloads, width, height, scale, message) -> None:
    at = run_page()
    at.selectbox(key="export_preset").select("custom").run()
    inputs = {box.label: box for box in at.number_input}
    inputs["Width (px)"].set_value(width)
    inputs["Height (px)"].set_value(height)
    inputs["Scale"].set_value(scale).run()
    assert not at.exception, at.exception
    (error,) = [element.value for element in at.error]
    assert error.startswith(message)


def test_valid_custom_size_shows_no_error(downloads) -> None:
    at = run_page()
    at.selectbox(key="export_preset").select("custom").run()
    {box.label: box for box in at.number_input}["Scale"].set_value(2.0).run()
    assert not at.error


def test_downloads_hold_exactly_the_filtered_events(downloads) -> None:
    at = run_page()
    at.sidebar.multiselect(key="f_actors").select("china").run()
    assert _title(at) == "China · 2 of 3 events"
    collection = json.loads(downloads["panj-events.geojson"])
    assert collection["type"] == "FeatureCollection"
    ids = sorted(feature["properties"]["id"] for feature in collection["features"])
    assert ids == ["may-talks", "old-post"]
    rows = list(csv.DictReader(io.StringIO(downloads["panj-events.csv"].decode("utf-8"))))
    assert sorted(row["id"] for row in rows) == ids
