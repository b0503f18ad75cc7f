"""The frontier coloured by change in a figure (``panj export --trends``, geo.export): its legend
lists the levels drawn, without and with a browser."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from snapshots import snapshot_of

from geo import cli, export
from geo.filters import FilterState
from geo.frontierchange import latest_segments
from geo.mapview import MapView, frontier_change
from geo.snapshot import Snapshot
from geo.trends import COLUMNS

# layers/trend-levels.json, written out: the legend's label and the colour of each level.
LEVELS = {"large-increase": ("Large increase (25 % or more)", (0xD5, 0x5E, 0x00)),
          "moderate-increase": ("Moderate increase (10 to 25 %)", (0xE6, 0x9F, 0x00)),
          "limited": ("Limited change", (0x99, 0x99, 0x99)),
          "large-decrease": ("Large decrease (25 % or more)", (0x00, 0x72, 0xB2))}


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return snapshot_of()


def _change(snapshot: Snapshot, levels: list[str | None]) -> dict:
    """The frontier in 100 km segments, the latest period's levels given by hand, west to east."""
    length_km = snapshot.frontier.length_km
    starts = np.arange(0.0, length_km, 100.0)
    table = {name: [] for name in COLUMNS}
    for number, start in enumerate(starts):
        for name, value in zip(COLUMNS, (start, min(start + 100.0, length_km), "panj", "2022-05", 3, 2.0, 1.0, 50.0,
                                         levels[number % len(levels)]), strict=True):
            table[name].append(value)
    return frontier_change(latest_segments(snapshot.frontier, pd.DataFrame(table), 100.0), snapshot.trend_levels)


def test_the_figure_legend_lists_only_the_levels_drawn(snapshot: Snapshot) -> None:
    view = MapView(visible_layers=("frontier",), basemap="none", frontier_change=_change(snapshot, ["large-increase", None]))
    built = export._build_figure(snapshot, snapshot.events, view, title="T", size=export.ExportSize(1200, 800, 1.0),
                                 description="", caption=None, locator=False, exported_on=dt.date(2022, 7, 1),
                                 vector_symbols_max=None)
    page = built.fmap.get_root().render()
    assert 'data-panj-legend-change="large-increase"' in page and LEVELS["large-increase"][0] in page
    for level in ("moderate-increase", "limited", "large-decrease"):
        assert f'data-panj-legend-change="{level}"' not in page


@pytest.mark.parametrize(("options", "message"), [
    (["--segment-km", "10"], "--segment-km: say how to colour the frontier: add --trends"),
    (["--trends", "--segment-km", "0"], "--segment-km 0: must be more than 0 km"),
    (["--trends", "--animate", "month", "--from", "2022-01", "--to", "2022-03"], "--trends: colours a still figure"),
])
def test_cli_rejects_bad_trends_options(options: list[str], message: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / ("map.webm" if "--animate" in options else "map.png")
    status = cli.main(["export", "--out", str(out), *options, "--browser", "/nonexistent"])
    assert status == 2 and message in capsys.readouterr().err
    assert not out.exists()


@pytest.fixture(scope="module")
def renderer():
    with export.Renderer(tile_timeout_s=10) as shared:
        yield shared


@pytest.mark.browser
def test_the_figure_draws_each_level_in_its_colour_with_its_legend_row(snapshot: Snapshot, renderer,
                                                                      tmp_path: Path) -> None:
    view = MapView(visible_layers=("countries", "frontier"), basemap="none",
                   frontier_change=_change(snapshot, list(LEVELS)))
    shown = snapshot.events[snapshot.index.mask(FilterState(text="no such words"))]  # nothing over the line
    result = export.export_view(tmp_path / "change.png", snapshot=snapshot, shown=shown, view=view, title="Change",
                                size=export.ExportSize(1200, 800, 1.0), renderer=renderer, description="",
                                exported_on=dt.date(2022, 7, 1))
    assert [label for label, _ in LEVELS.values()] == [row for row in result.layout["legendRows"]
                                                       if row in {label for label, _ in LEVELS.values()}]
    with Image.open(result.path) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
    for level, (_, colour) in LEVELS.items():
        # Four segments of 100 km a level, 5 px wide: far more than the legend's swatch.
        assert (np.abs(pixels - np.array(colour)).max(axis=2) <= 6).sum() > 400, level


@pytest.mark.browser
def test_cli_exports_the_coloured_frontier(tmp_path: Path) -> None:
    out = tmp_path / "trends.png"
    command = [sys.executable, "-m", "geo", "export", "--out", str(out), "--trends", "--within-km", "50",
               "--segment-km", "100", "--from", "2021-06", "--to", "2022-06", "--width", "1200", "--height", "800",
               "--scale", "1"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).parent.parent, timeout=180,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert export.png_size(out.read_bytes()) == (1200, 800)
