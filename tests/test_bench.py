"""geo.bench: the benchmark runs, and the compact events layer is smaller than the naive map.

Sizes only: timings vary with the machine and are never asserted."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo import bench, browser, cli, synthetic
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


# --- the synthetic events (geo.synthetic) --------------------------------------------------------

SYNTHETIC_COUNT = 2_000


@pytest.fixture(scope="module")
def synthetic_file(tmp_path_factory) -> tuple[Path, synthetic.Summary]:
    path = tmp_path_factory.mktemp("synthetic") / "events.geojson"
    return path, synthetic.write_events_file(path, SYNTHETIC_COUNT)


def _features(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


@real_layers
def test_synthetic_events_are_reproducible_from_their_seed(tmp_path, synthetic_file) -> None:
    path, summary = synthetic_file
    again = synthetic.write_events_file(tmp_path / "again.geojson", SYNTHETIC_COUNT)
    other = synthetic.write_events_file(tmp_path / "other.geojson", SYNTHETIC_COUNT, seed=synthetic.SEED + 1)
    assert (tmp_path / "again.geojson").read_bytes() == path.read_bytes() and again == summary
    assert (tmp_path / "other.geojson").read_bytes() != path.read_bytes()
    assert summary.count == SYNTHETIC_COUNT == len(_features(path))
    assert len({feature["properties"]["id"] for feature in _features(path)}) == SYNTHETIC_COUNT


@real_layers
def test_synthetic_events_fall_inside_tajikistan_or_afghanistan(synthetic_file) -> None:
    # Checked against the committed GeoJSON read here, not through the generator's own loading.
    countries = gpd.read_file(LAYERS_DIR / "countries.geojson").set_index("id")
    provinces = gpd.read_file(LAYERS_DIR / "provinces.geojson").set_index("id")
    region = shapely.union_all(countries.loc[["tajikistan", "afghanistan"]].geometry.to_numpy())
    features = _features(synthetic_file[0])
    points = [shapely.Point(feature["geometry"]["coordinates"]) for feature in features if feature["geometry"]]
    assert len(points) > SYNTHETIC_COUNT * 0.8
    assert all(region.contains(point) for point in points)
    areas = [feature["properties"]["place"] for feature in features if not feature["geometry"]]
    assert areas and all(
        place in ("countries:tajikistan", "countries:afghanistan")
        or (place.startswith("provinces:") and provinces.loc[place.split(":", 1)[1], "country"] in ("tajikistan", "afghanistan"))
        for place in areas)


@real_layers
def test_synthetic_events_draw_dates_actors_and_types_from_their_ranges(synthetic_file) -> None:
    vocabulary = json.loads((LAYERS_DIR / "vocabularies.json").read_text(encoding="utf-8"))
    actors = {term["id"] for term in vocabulary["actors"]}
    types = {term["id"] for term in vocabulary["event_types"]}
    properties = [feature["properties"] for feature in _features(synthetic_file[0])]
    for entry in properties:
        assert 1 <= len(entry["actors"]) <= 2 and set(entry["actors"]) <= actors
        assert len(set(entry["actors"])) == len(entry["actors"])
        assert entry["event_type"] in types
        for name in ("start", "end", "reported", "as_of"):
            if name in entry:
                assert "2015" <= entry[name][:4] <= "2024"
    precisions = {len(entry.get("start", entry.get("reported"))) for entry in properties}
    assert precisions == {4, 7, 10}  # year, month and day
    statuses = [entry["status"] for entry in properties]
    assert statuses.count("occurred") > len(statuses) * 0.8 and set(statuses) > {"occurred"}


@real_layers
def test_synthetic_location_precisions_have_their_stated_shares(synthetic_file) -> None:
    path, summary = synthetic_file
    written = [feature["properties"]["location_precision"] for feature in _features(path)]
    for precision, share in synthetic.LOCATION_SHARES.items():
        assert summary.location_shares[precision] == written.count(precision) / len(written)
        assert abs(summary.location_shares[precision] - share) < 0.03


@real_layers
def test_synthetic_events_come_back_joined_as_the_page_reads_them(tmp_path) -> None:
    result = synthetic.joined_events(300, workdir=tmp_path)
    events = result.events
    assert len(events) == 300 and events["id"].is_unique and set(events["dataset"]) == {synthetic.DATASET_NAME}
    assert set(events["country_id"]) <= {"tajikistan", "afghanistan"}
    assert events["date_first"].min() >= dt.date(2015, 1, 1) and events["date_last"].max() <= dt.date(2024, 12, 31)
    assert set(events["document"]) == set(result.documents)
    assert result.summary.count == 300
