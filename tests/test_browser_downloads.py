"""The Export panel's event files in Chromium: each button delivers its own file on its own click.

A download Chromium sees start after the click has been handled waits for the reader's next click
(its guard against unasked downloads). Playwright's own download handling lets such a late one
through, so the page also records, for each download link the page clicks, whether that happened
while the reader's click was being handled.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from browsing import TIMEOUT_MS, count_text, map_frame

pytestmark = pytest.mark.browser

DOWNLOAD_TIMEOUT_MS = 20_000
# Streamlit starts a download by clicking a link it makes (HTMLAnchorElement.click): each such
# click is recorded with whether a trusted click was still being dispatched. The flag drops in the
# next task, after every listener of that click has run.
WATCH_DOWNLOAD_LINKS = """(() => {
    let inClick = false;
    window.panjLinkClicks = [];
    window.addEventListener('click', event => {
        if (event.isTrusted) { inClick = true; setTimeout(() => { inClick = false; }, 0); }
    }, true);
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function () {
        window.panjLinkClicks.push({href: this.href, inClick: inClick});
        return click.call(this);
    };
})()"""
# Columns any events CSV has: the event model's id and title, and where the event is.
CSV_COLUMNS = {"id", "title", "lon", "lat"}


def _csv_ids(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    assert header[0] == "id" and CSV_COLUMNS <= set(header)
    return [row["id"] for row in csv.DictReader(io.StringIO(text))]


def _geojson_ids(path: Path) -> list[str]:
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    return [feature["properties"]["id"] for feature in collection["features"]]


def test_each_event_file_arrives_on_its_own_click(page, app_url) -> None:
    page.add_init_script(WATCH_DOWNLOAD_LINKS)
    page.goto(f"{app_url}/?basemap=none")
    map_frame(page)
    shown, _ = count_text(page)
    arrived = []
    page.on("download", lambda download: arrived.append(download.suggested_filename))
    page.get_by_text("Export", exact=True).click()
    buttons = {"csv": page.get_by_role("button", name="Events as CSV"),
               "geojson": page.get_by_role("button", name="Events as GeoJSON")}
    buttons["csv"].wait_for(timeout=TIMEOUT_MS)
    read = {"csv": _csv_ids, "geojson": _geojson_ids}
    ids = []
    for kind in ("csv", "geojson", "csv"):
        with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as started:
            buttons[kind].click()
        download = started.value
        assert download.suggested_filename == f"panj-events.{kind}"
        ids.append(read[kind](Path(download.path())))
    assert all(len(found) == shown for found in ids)
    assert all(sorted(found) == sorted(ids[0]) for found in ids)
    assert len(set(ids[0])) == shown
    assert arrived == ["panj-events.csv", "panj-events.geojson", "panj-events.csv"]
    links = page.evaluate("() => window.panjLinkClicks")
    assert [link["inClick"] for link in links] == [True, True, True], links
