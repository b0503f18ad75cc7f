"""geo.bench: the benchmark runs, and the compact events layer is smaller than the naive map.

Sizes only: timings vary with the machine and are never asserted."""

from __future__ import annotations

import re

import pytest

from geo import bench, browser, cli
from geo.join import load_joined_events
from geo.layers import LAYERS_DIR

real_layers = pytest.mark.skipif(
    not (LAYERS_DIR / "manifest.json").exists(), reason="the derived layers are not built yet"
)


@real_layers
def test_synthetic_events_replicate_and_jitter() -> None:
    real = load_joined_events()
    events = bench.synthetic_events(real, len(real) * 2 + 3)
    assert len(events) == len(real) * 2 + 3 and events["id"].is_unique
    assert list(events["title"].iloc[: len(real)]) == list(real["title"])  # copies, in order
    moved = (events["lon"].iloc[: len(real)].to_numpy() - real["lon"].to_numpy())
    assert 0 < abs(moved).max() <= bench.JITTER_DEGREES
    assert set(events.geometry.geom_type) == {"Point"}
    assert (events.geometry.x.round(6) == events["lon"]).all()


@real_layers
def test_bench_runs_on_a_tiny_size() -> None:
    results = bench.run([5])
    assert [(result.kind, result.events) for result in results] == [("naive", 5), ("panj", 5)]
    assert all(result.html_bytes > 0 and result.drawn_s is None for result in results)
    table = bench.format_table(results)
    assert re.search(r"^\s+5\s+\d", table, flags=re.MULTILINE)
    assert "drawn" not in table  # no browser, no browser columns


@real_layers
def test_compact_html_is_smaller_than_naive_for_a_thousand_events() -> None:
    naive, panj = bench.run([1_000])
    assert (naive.kind, panj.kind) == ("naive", "panj")
    assert panj.html_bytes < naive.html_bytes


def test_cli_rejects_an_empty_size(capsys) -> None:
    assert cli.main(["bench", "--sizes", "0"]) == 2
    assert "every size must be at least 1" in capsys.readouterr().err


@real_layers
@pytest.mark.browser
def test_browser_times_both_maps_with_the_exporters_chromium() -> None:
    # DrawTimer finds and launches Chromium as the PNG export does, and serves the same routes:
    # the Panj map reports ready only once its runtime and data came from /app/static/.
    with bench.DrawTimer() as timer:
        assert timer.executable == browser.find_browser()
        results = bench.run([5], timer=timer)
    assert [(result.kind, result.events) for result in results] == [("naive", 5), ("panj", 5)]
    assert all(result.drawn_s is not None and result.drawn_s >= 0 for result in results)
    assert re.search(r"^\s*events .* drawn naive\s+drawn Panj", bench.format_table(results), flags=re.MULTILINE)


def test_browser_option_without_a_chromium_says_what_to_install(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("PANJ_CHROMIUM", str(tmp_path / "nowhere" / "chromium"))
    assert cli.main(["bench", "--sizes", "1", "--browser"]) == 1
    err = capsys.readouterr().err
    assert "PANJ_CHROMIUM names" in err and "apt-get install chromium" in err
