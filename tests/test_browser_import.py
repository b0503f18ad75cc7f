"""Analysts' own events on the page, in Chromium: an upload is checked and reported before
anything is saved; a clean file imports as a dataset the map, count and table then show, and the
dataset can be deleted again; a file with bad rows is refused whole, its report naming row, field
and reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browsing import TIMEOUT_MS, count_text, map_frame

pytestmark = pytest.mark.browser

IMPORTS = Path(__file__).parent / "fixtures" / "imports"
ARTICLE_EVENTS = 30  # layers/events/edm-v19-i92.json
ACLED_ROWS = 4  # tests/fixtures/imports/acled.csv: four events, all valid


def _open_panel(page) -> None:
    """Open the import panel (an expander stays open across reruns: click only when closed)."""
    uploader = page.locator("[data-testid='stFileUploaderDropzoneInput']")
    if not uploader.count() or not page.locator("[data-testid='stFileUploader']").first.is_visible():
        page.get_by_text("Your own events: import ACLED, UCDP, GeoJSON or Panj files").click()


def test_a_clean_file_imports_shows_on_the_map_and_can_be_deleted(page, own_app_url) -> None:
    page.goto(f"{own_app_url}/?basemap=none")
    map_frame(page)
    assert count_text(page) == (ARTICLE_EVENTS, ARTICLE_EVENTS)
    _open_panel(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(IMPORTS / "acled.csv"))
    page.get_by_text(f"{ACLED_ROWS} rows accepted, 0 rejected").wait_for(timeout=TIMEOUT_MS)
    assert count_text(page) == (ARTICLE_EVENTS, ARTICLE_EVENTS)  # nothing saved yet
    page.get_by_role("button", name="Import 4 events").click()
    total = ARTICLE_EVENTS + ACLED_ROWS
    page.wait_for_function(f"() => document.body.innerText.includes('{total} of {total} events')", timeout=TIMEOUT_MS)
    # The new actors change the legend, so the map is drawn afresh in a new frame: ask every frame.
    page.wait_for_function(
        """(total) => [...document.querySelectorAll('iframe')].some(f => {
               try { const p = f.contentWindow.panjMap; return p && p.ready && p.eventsDrawn === total; }
               catch (error) { return false; } })""", arg=total, timeout=TIMEOUT_MS)

    _open_panel(page)
    page.get_by_text("Yes, delete it").click()
    page.get_by_role("button", name="Delete").click()
    page.wait_for_function(f"() => document.body.innerText.includes('{ARTICLE_EVENTS} of {ARTICLE_EVENTS} events')",
                           timeout=TIMEOUT_MS)
    assert page.outside_requests == [] and page.dialogs == []


def test_a_file_with_bad_rows_is_refused_with_its_report(page, own_app_url) -> None:
    page.goto(f"{own_app_url}/?basemap=none")
    map_frame(page)
    before = count_text(page)
    _open_panel(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(IMPORTS / "many-problems.csv"))
    page.get_by_text("0 rows accepted, 4 rejected").wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("Nothing was saved").wait_for(timeout=TIMEOUT_MS)
    # The report names each bad row's field and reason.
    page.get_by_text("is not a date").first.wait_for(state="attached", timeout=TIMEOUT_MS)
    # No action stores anything ("Import N events as …", "Update … with N rows"); the "Import into"
    # choice's help button is not one.
    assert page.get_by_role("button", name=re.compile(r"^(Import \d|Update )")).count() == 0
    assert count_text(page) == before
