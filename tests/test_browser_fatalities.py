"""Symbols sized by fatalities, in real Chromium: a symbol's area is proportional to the fatalities
its event reports, the legend has a row per size drawn, and an event reporting none keeps its
ordinary size with the "not reported" row; a popup says the count, with UCDP's low and high
estimates where the dataset gives them, and how closely the source knows the date.

The page serves the shipped layers with tests/fixtures/imports/acled-fatalities.csv imported (see
tests/test_fatalities.py: FAT1 40, FAT2 10, FAT3 0, FAT4 none reported, FAT5 3, each at a town of
GBAO far enough from the others to stand alone at this view). The scale is geo.fatalities': the
largest count drawn (40) gets 24 px, a count's radius is 24 × √(count / 40), never under 3 px."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from browsing import TIMEOUT_MS, map_frame
from conftest import ROOT, free_port, serving

pytestmark = pytest.mark.browser

IMPORTS = Path(__file__).resolve().parent / "fixtures" / "imports"
FIXTURE = IMPORTS / "acled-fatalities.csv"
VIEW = "basemap=none&layers=frontier&bbox=70.2,36.4,74.6,38.9&size=fatalities"
LEGEND_ROWS = """() => [...document.querySelectorAll('[data-panj-legend-size]')].filter(row => !row.closest('[hidden]'))
    .map(row => [row.querySelector('span').textContent, Number(row.dataset.radius)])"""
SHOWN_FATALITIES = """() => [...document.querySelectorAll('[data-panj-legend-fatalities]')]
    .filter(row => !row.hidden).map(row => row.dataset.panjLegendFatalities)"""


def _page_with(imports: list[tuple[Path, str]]):
    """The page with each (file, dataset name) imported into a store of its own."""
    env = {key: value for key, value in os.environ.items() if key not in ("PANJ_LAYERS_DIR", "PANJ_DATABASE_URL")}
    env["PANJ_DATA_DIR"] = tempfile.mkdtemp(prefix="panj-fatalities-")
    for path, name in imports:
        subprocess.run([sys.executable, "-m", "geo", "import", str(path), "--name", name], cwd=ROOT, env=env,
                       check=True, capture_output=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with serving([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                  "--server.headless", "true", "--server.address", "127.0.0.1"], url=url, cwd=ROOT, env=env):
        yield url


@pytest.fixture(scope="module")
def fatal_app_url():
    yield from _page_with([(FIXTURE, "Fatal sample")])


def _radii(frame) -> dict[str, float]:
    """Each lone event's drawn radius, by id."""
    return {group["ids"][0]: group["r"] for group in frame.evaluate("() => window.panjMap.groups()")
            if len(group["ids"]) == 1}


def test_a_symbols_area_is_proportional_to_its_fatalities(page, fatal_app_url) -> None:
    # The range keeps the four events reporting a count (the article's events and FAT4 report none).
    page.goto(f"{fatal_app_url}/?{VIEW}&fatalities_min=0", timeout=TIMEOUT_MS)
    frame = map_frame(page)
    radii = _radii(frame)
    assert set(radii) == {"fat1", "fat2", "fat3", "fat5"}
    assert radii["fat1"] ** 2 / radii["fat2"] ** 2 == pytest.approx(40 / 10)
    assert radii["fat1"] == pytest.approx(24)
    assert radii["fat5"] == pytest.approx(24 * math.sqrt(3 / 40))
    assert radii["fat3"] == pytest.approx(3)  # 0 reported: the smallest size
    # 0 (drawn), the powers of ten up to 40, and 40 itself, each at the radius its count gets.
    assert frame.evaluate(LEGEND_ROWS) == [
        ["0", pytest.approx(3)], ["1", pytest.approx(24 * math.sqrt(1 / 40))], ["10", pytest.approx(12)],
        ["40, the largest drawn", pytest.approx(24)]]
    assert frame.evaluate(SHOWN_FATALITIES) == ["sizes"]
    assert page.get_by_text("53 fatalities reported").first.is_visible()
    assert _fatalities_row(frame, "fat1") == "40 reported"


def test_an_event_reporting_none_keeps_its_ordinary_size(page, fatal_app_url) -> None:
    page.goto(f"{fatal_app_url}/?{VIEW}&q=Kalaikhum", timeout=TIMEOUT_MS)
    frame = map_frame(page)
    assert _radii(frame) == {"fat4": 6}  # the ordinary symbol's radius, not the smallest size
    assert frame.evaluate(SHOWN_FATALITIES) == ["unreported"]
    assert frame.evaluate(LEGEND_ROWS) == []
    assert _fatalities_row(frame, "fat4") == "none reported"


def _fatalities_row(frame, event_id: str) -> str:
    """The Fatalities row of an event's popup."""
    return _popup(frame, event_id)[1]


def _popup(frame, event_id: str) -> tuple[str, str]:
    """An event's popup, opened: its date line and its Fatalities row."""
    assert frame.evaluate("(id) => window.panjMap.openEvent(id)", event_id)
    frame.wait_for_function("() => [...document.querySelectorAll('.panj-popup dt')]"
                            ".some(dt => dt.textContent === 'Fatalities')", timeout=TIMEOUT_MS)
    return tuple(frame.evaluate("() => [document.querySelector('.panj-popup-when').textContent, "
                                "[...document.querySelectorAll('.panj-popup dt')]"
                                ".find(dt => dt.textContent === 'Fatalities').nextElementSibling.textContent]"))


@pytest.fixture(scope="module")
def sources_app_url():
    yield from _page_with([(IMPORTS / "acled.csv", "ACLED sample"), (IMPORTS / "ucdp-ged.csv", "UCDP sample")])


# Event id -> (the end of its popup's date line, its Fatalities row), by hand from the files' rows:
# acled.csv's time_precision (1 the day, 2 a week, 3 a month) and fatalities; ucdp-ged.csv's
# date_prec (1 the day, 2 some days, 4 a month), best, low and high. Symbols are not sized: the
# popup gives the count all the same.
POPUPS = {
    "tjk101": ("known to the day", "8 reported"),
    "tjk102": ("within a week", "0 reported"),
    "afg201": ("within a month", "2 reported"),
    "900001": ("known to the day", "3 reported (low 2, high 5)"),
    "900002": ("within these days", "8 reported (low 8, high 25)"),
    "900003": ("within a month", "6 reported (low 4, high 6)"),
}


@pytest.mark.parametrize(("event_id", "expected"), list(POPUPS.items()))
def test_a_popup_gives_the_date_precision_and_the_estimates(page, sources_app_url, event_id, expected) -> None:
    page.goto(f"{sources_app_url}/?basemap=none&layers=frontier&bbox=68.5,36.4,74.6,38.9", timeout=TIMEOUT_MS)
    when, killed = _popup(map_frame(page), event_id)
    assert (when.rsplit(" · ", 1)[1], killed) == expected


def test_without_the_choice_the_symbols_are_ordinary(page, fatal_app_url) -> None:
    page.goto(f"{fatal_app_url}/?{VIEW.replace('&size=fatalities', '')}&fatalities_min=0", timeout=TIMEOUT_MS)
    frame = map_frame(page)
    assert set(_radii(frame).values()) == {6}
    assert frame.evaluate(SHOWN_FATALITIES) == []
    page.get_by_text("Size symbols by fatalities").click()
    page.wait_for_function("() => [...document.querySelectorAll('iframe')].some(f => f.contentWindow.panjMap && "
                           "f.contentWindow.panjMap.ready && f.contentWindow.panjMap.groups().some(g => g.r > 6))",
                           timeout=TIMEOUT_MS)
    assert "size=fatalities" in page.url
