"""The Export panel's "Export playback" in Chromium: the shown events of the date filter's months,
rendered as a video of the view on screen and offered as a download (read with ffprobe)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from browsing import map_frame, wait_until_idle

pytestmark = pytest.mark.browser

RENDER_TIMEOUT_MS = 300_000


def test_export_playback_offers_the_filtered_months_as_a_video(page, app_url) -> None:
    # May and June 2022: two monthly frames.
    page.goto(f"{app_url}/?basemap=none&from=2022-05&to=2022-06")
    map_frame(page)  # the map's first value reruns the page
    page.get_by_text("Export", exact=True).click(timeout=RENDER_TIMEOUT_MS)
    # Opening the panel reruns the page, which writes the event files: click once that run has ended.
    page.get_by_role("button", name="Events as GeoJSON").wait_for(timeout=RENDER_TIMEOUT_MS)
    wait_until_idle(page)
    page.get_by_text("May 2022 to June 2022: 2 frames, 1920×1080 px").wait_for(timeout=RENDER_TIMEOUT_MS)
    page.get_by_role("button", name="Export playback (WEBM)").click()
    download_button = page.get_by_role("button", name="Download WEBM")
    download_button.wait_for(timeout=RENDER_TIMEOUT_MS)
    assert page.get_by_text("Rendered: 2 frames, 1920×1080 px, month by month").is_visible()
    with page.expect_download(timeout=RENDER_TIMEOUT_MS) as started:
        download_button.click()
    download = started.value
    assert download.suggested_filename == "panj-playback.webm"
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
         "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "json", str(Path(download.path()))],
        capture_output=True, text=True, check=True,
    )
    assert json.loads(probe.stdout)["streams"][0] == {"codec_name": "vp9", "width": 1920, "height": 1080,
                                                      "nb_read_frames": "2"}
    assert page.outside_requests == []
