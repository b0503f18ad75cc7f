"""The frontier strip as a figure (``panj export --kind strip``, geo.stripfigure): a PDF whose place
names are text, of the paper's size; a PNG of the preset's size drawing the events the strip
keeps (tests/test_strip.py's hand table); the map's own options refused."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from snapshots import snapshot_of

from geo import cli, export
from geo.filters import FilterState
from geo.snapshot import Snapshot
from geo.stripfigure import export_strip, strip_figure_html

ROOT = Path(__file__).resolve().parent.parent
# The places of layers/strip-places.json, as the axis names them.
PLACE_NAMES = ("Tripoint with Uzbekistan (Termez)", "Ayvoj", "Shahritus", "Panji Poyon", "Khorugh", "Ishkashim",
               "Wakhan", "Shaymak", "Tripoint with China")
A4_LANDSCAPE_PT = (297 / 25.4 * 72, 210 / 25.4 * 72)  # 841.9 x 595.3


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return snapshot_of()


@pytest.fixture(scope="module")
def renderer():
    with export.Renderer(tile_timeout_s=10) as shared:
        yield shared


@pytest.mark.parametrize(("options", "message"), [
    (["--bbox", "70,36,72,38"], "--bbox: the map's own; leave them out with --kind strip"),
    (["--trends"], "--trends: the map's own"),
    (["--animate", "month", "--from", "2022-01", "--to", "2022-03"], "--animate: the map's own"),
])
def test_the_strip_refuses_the_maps_own_options(options: list[str], message: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / ("strip.webm" if "--animate" in options else "strip.png")
    status = cli.main(["export", "--kind", "strip", "--out", str(out), *options, "--browser", "/nonexistent"])
    assert status == 2 and message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.browser
@pytest.mark.parametrize(("within_km", "events"), [(25, 2), (300, 6)])
def test_the_png_draws_the_events_within_the_distance(snapshot: Snapshot, renderer, tmp_path: Path,
                                                      within_km: float, events: int) -> None:
    result = export_strip(tmp_path / "strip.png", snapshot=snapshot, shown=snapshot.events, within_km=within_km,
                          title="Strip", description="", size=export.PRESETS["slides"], renderer=renderer,
                          exported_on=dt.date(2022, 7, 1))
    assert export.png_size(result.path.read_bytes()) == (1920, 1080)
    assert result.layout["events"] == events
    assert set(result.layout["places"]) == set(PLACE_NAMES)  # their order: tests/test_strip.py


@pytest.mark.browser
def test_the_pdf_names_the_places_as_text_on_its_paper(snapshot: Snapshot, renderer, tmp_path: Path) -> None:
    shown = snapshot.events[snapshot.index.mask(FilterState(within_km=300))]
    result = export_strip(tmp_path / "strip.pdf", snapshot=snapshot, shown=shown, within_km=300, title="Strip",
                          description="", size=export.paper_page("a4", "landscape"), renderer=renderer,
                          output="pdf", alt="Six events")
    text = subprocess.run(["pdftotext", str(result.path), "-"], capture_output=True, text=True, check=True).stdout
    for name in ("Khorugh", "Panji Poyon", "Shaymak", "Tajik bank", "Afghan bank"):
        assert name in text, name
    info = subprocess.run(["pdfinfo", str(result.path)], capture_output=True, text=True, check=True).stdout
    width, height = (float(side) for side in re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert width == pytest.approx(A4_LANDSCAPE_PT[0], abs=1) and height == pytest.approx(A4_LANDSCAPE_PT[1], abs=1)
    assert re.search(r"Subject:\s+Six events", info)


@pytest.mark.browser
def test_cli_writes_the_strip_as_svg(tmp_path: Path) -> None:
    out = tmp_path / "strip.svg"
    done = subprocess.run([sys.executable, "-m", "geo", "export", "--kind", "strip", "--out", str(out),
                           "--within-km", "300", "--title", "Along the frontier"],
                          capture_output=True, text=True, cwd=ROOT, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    assert "6 of 17 shown events within 300 km of the frontier" in done.stdout
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") or svg.lstrip().startswith("<svg")
    assert "<title>Along the frontier</title>" in svg


def test_the_figure_credits_the_cited_places_coordinates(snapshot: Snapshot) -> None:
    page = strip_figure_html(snapshot, snapshot.events.iloc[:0], title="T", subtitle="", within_km=25, width=1200,
                             height=800, paper="a4", first=dt.date(2021, 1, 1), last=dt.date(2022, 1, 1),
                             exported_on=dt.date(2022, 7, 1))
    # layers/strip-places.json cites Panji Poyon's coordinate; the others are the layers' own features.
    assert "Panji Poyon: Wikipedia, &quot;Panji Poyon&quot;, infobox" in page
    assert "Khorugh: places:khorugh" not in page
