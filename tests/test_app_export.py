"""The page's export panel (AppTest, no browser): size presets, custom sizes the exporter cannot
hit exactly, and the GeoJSON/CSV downloads holding exactly the filtered events."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import streamlit as st
from conftest import run_page, shown_text
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

import geo.export
import ui.export_panel

FIXTURE = Path(__file__).parent / "fixtures" / "layers-hostile"


@dataclass
class Downloads:
    offered: dict[str, bytes] = field(default_factory=dict)  # file name -> what its button offers, last run
    written: list[str] = field(default_factory=list)  # the files written so far, in order


@pytest.fixture
def downloads(monkeypatch) -> Downloads:
    """The page on the fixture layers; collects what each download button offers, by file name, and
    which event files were written."""
    monkeypatch.setenv("PANJ_LAYERS_DIR", str(FIXTURE))
    st.cache_resource.clear()
    found = Downloads()
    add = MediaFileManager.add

    def recording(self, path_or_data, mimetype, coordinates, file_name=None, **kwargs):
        found.offered[file_name] = path_or_data
        return add(self, path_or_data, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add", recording)
    monkeypatch.setattr(MediaFileManager, "add_deferred", _refused)
    for name in ("filtered_events_geojson", "filtered_events_csv"):
        monkeypatch.setattr(geo.export, name, _counted(getattr(geo.export, name), found.written))
    yield found
    st.cache_resource.clear()


def _refused(*args, **kwargs):
    # A file written after the click reaches Chromium only on the reader's next click.
    raise AssertionError("a download button was given a callable")


def _counted(write: Callable[..., bytes], written: list[str]) -> Callable[..., bytes]:
    def counted(*arguments) -> bytes:
        written.append(write.__name__)
        return write(*arguments)

    return counted


def _text(at: AppTest, label: str) -> str:
    return next(box.value for box in at.text_input if box.label == label)


def test_size_presets_and_default_title(downloads) -> None:
    at = run_page()
    assert at.selectbox(key="export_preset").options == [
        "Slides 1920×1080", "A4 landscape 300 dpi (3508×2480)", "Custom"]
    assert _text(at, "Title") == "The Tajikistan–Afghanistan frontier"
    assert _text(at, "Subtitle") == "All 3 events, Jan 2016 – Jun 2022"
    assert not at.error


def test_formats_offer_paper_sizes(downloads) -> None:
    at = run_page()
    assert at.selectbox(key="export_format").options == [
        "PNG (image)", "PDF (vector, paper size)", "SVG (vector, paper size)"]
    at.selectbox(key="export_format").select("pdf").run()
    assert at.selectbox(key="export_paper").options == ["A4", "A3", "Letter"]
    assert at.selectbox(key="export_orientation").options == ["landscape", "portrait"]
    assert not at.error and not at.exception


def test_custom_size_without_a_scale_chooses_one(downloads) -> None:
    at = run_page()
    at.selectbox(key="export_preset").select("custom").run()
    assert not at.error
    assert any("laid out at scale 1.504" in shown_text(caption.value) for caption in at.caption)


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
    (error,) = [shown_text(element.value) for element in at.error]
    assert error.startswith(message)


def test_valid_custom_size_shows_no_error(downloads) -> None:
    at = run_page()
    at.selectbox(key="export_preset").select("custom").run()
    {box.label: box for box in at.number_input}["Scale"].set_value(2.0).run()
    assert not at.error


def _ids(downloads: Downloads) -> tuple[list[str], list[str]]:
    """The event ids of the GeoJSON and the CSV the buttons offer."""
    collection = json.loads(downloads.offered["panj-events.geojson"])
    assert collection["type"] == "FeatureCollection"
    rows = csv.DictReader(io.StringIO(downloads.offered["panj-events.csv"].decode("utf-8")))
    return sorted(feature["properties"]["id"] for feature in collection["features"]), sorted(row["id"] for row in rows)


OPEN = {ui.export_panel.PANEL_OPEN: True}  # the Export panel opened


def test_a_closed_panel_writes_no_event_files_until_opened(downloads) -> None:
    at = run_page()
    assert downloads.written == [] and "panj-events.csv" not in downloads.offered
    assert not [button for button in at.button if button.key == "export_prepare"]
    at.session_state[ui.export_panel.PANEL_OPEN] = True  # as the reader's click on "Export" sets it
    at.run()
    assert _ids(downloads) == (["hostile", "may-talks", "old-post"],) * 2


def test_downloads_hold_exactly_the_filtered_events(downloads) -> None:
    at = run_page(state=OPEN)
    assert _ids(downloads) == (["hostile", "may-talks", "old-post"],) * 2  # tests/fixtures/layers-hostile
    at.sidebar.multiselect(key="f_actors").select("china").run()
    assert _text(at, "Subtitle") == "China · 2 of 3 events · Jan 2016 – Jun 2022"
    assert _ids(downloads) == (["may-talks", "old-post"],) * 2


def test_event_files_are_written_once_per_shown_set(downloads) -> None:
    at = run_page(state=OPEN)
    assert downloads.written == ["filtered_events_geojson", "filtered_events_csv"]
    next(box for box in at.text_input if box.label == "Title").set_value("Another title").run()
    assert len(downloads.written) == 2  # the same events: the files already written
    at.sidebar.multiselect(key="f_actors").select("china").run()
    assert len(downloads.written) == 4


def test_a_large_set_is_written_when_the_reader_asks(downloads, monkeypatch) -> None:
    monkeypatch.setattr(ui.export_panel, "AUTO_FILES_MAX_EVENTS", 2)  # the fixture's 3 events are "large"
    at = run_page(state=OPEN)
    assert downloads.written == [] and "panj-events.csv" not in downloads.offered
    [prepare] = [button for button in at.button if button.key == "export_prepare"]
    assert prepare.label == "Prepare the 3 shown events as GeoJSON and CSV"
    prepare.click().run()
    assert _ids(downloads) == (["hostile", "may-talks", "old-post"],) * 2
    at.sidebar.multiselect(key="f_actors").select("china").run()  # 2 events: small again
    assert _ids(downloads) == (["may-talks", "old-post"],) * 2


def test_playback_offers_steps_modes_and_videos_over_the_shown_span(downloads) -> None:
    at = run_page()
    assert at.selectbox(key="export_play_step").options == ["day", "week", "month", "year"]
    assert at.selectbox(key="export_play_step").value == "month"
    assert at.selectbox(key="export_play_mode").options == ["this period", "up to this period"]
    assert at.selectbox(key="export_play_format").options == ["WebM video", "MP4 video", "Animated GIF"]
    # The fixture's three events span January 2016 to June 2022: 6 years and 6 months.
    captions = [shown_text(caption.value) for caption in at.caption]
    assert "January 2016 to June 2022: 78 frames, 1920×1080 px" in captions
    at.selectbox(key="export_play_step").select("year").run()
    assert "2016 to 2022: 7 frames, 1920×1080 px" in [shown_text(caption.value) for caption in at.caption]
    assert not at.error and not at.exception


def test_a_playback_of_too_many_periods_is_refused_on_the_page(downloads) -> None:
    at = run_page()
    at.selectbox(key="export_play_step").select("week").run()
    # 28 December 2015 (the Monday of 1 January 2016's week) to 30 June 2022 is 2,376 days: 340 weeks.
    said = [shown_text(element.value) for element in at.caption]
    assert any(text.startswith("340 periods of a week: the page plays at most 120") for text in said)
    assert not at.error  # what to change is said quietly, and no playback is offered
    assert not [button for button in at.get("download_button") if button.key == "export_play_download"]
