"""The frontier strip's panel on the page (AppTest): the km range along the frontier typed, read
back from a link and refused when it is not one, and the strip rendered from the Export panel.

The article's events by km along the frontier, as tests/test_strip.py tables them: Ayvoj 38.8
and the Kabul mission 46.7 lie within the first 100 km; the NRF's offensives (199.6, 199.8) and
the Majlisi Oli's grant (290.8) follow; Shaymak is at 1315.2."""

from __future__ import annotations

import pytest
import streamlit as st
from conftest import run_page, shown_text
from streamlit.runtime.media_file_manager import MediaFileManager

from geo import export

ALONG = "Km along the frontier"


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def _count(at) -> str:
    return next(shown_text(text.value) for text in at.markdown if " of 30 events" in shown_text(text.value))


def _along(at):
    return next(box for box in at.text_input if box.label == ALONG)


def test_a_typed_km_range_filters_and_a_bad_one_is_kept_out() -> None:
    at = run_page({"basemap": "none"})
    assert _count(at) == "**30 of 30 events**"
    _along(at).input("0-100").run()
    assert _count(at) == "**2 of 30 events**"
    assert at.query_params["along"] == "0-100"
    _along(at).input("100-0").run()
    assert _count(at) == "**2 of 30 events**"
    assert _along(at).value == "0-100"  # the range kept, written back
    assert any("Kept the km range: '100-0' is not one" in shown_text(caption.value) for caption in at.caption)
    at.button(key="strip_clear").click().run()
    assert _count(at) == "**30 of 30 events**" and _along(at).value == ""


def test_a_links_km_range_is_the_filter_and_its_text() -> None:
    at = run_page({"basemap": "none", "along": "150-1400"})
    assert _count(at) == "**4 of 30 events**"  # the NRF's two offensives, the grant, Shaymak
    assert _along(at).value == "150-1400"


@pytest.mark.browser
def test_the_export_panel_renders_the_strip(monkeypatch) -> None:
    offered: dict[str, bytes] = {}
    add = MediaFileManager.add

    def recording(self, path_or_data, mimetype, coordinates, file_name=None, **kwargs):
        offered[file_name] = path_or_data
        return add(self, path_or_data, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add", recording)
    at = run_page({"basemap": "none", "within": "300"})
    at.button(key="strip_render").click().run(timeout=180)
    assert not at.exception and not at.error
    assert export.png_size(offered["panj-strip.png"]) == (1920, 1080)
    assert any("6 events drawn" in shown_text(caption.value) for caption in at.caption)
