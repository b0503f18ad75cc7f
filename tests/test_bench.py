"""geo.bench.maps and geo.bench.synthetic: the map benchmark writes well-formed records for both maps, and the
synthetic events are what docs/performance.md says they are.

Timings vary with the machine and are never asserted."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo import assets, cli, mapview
from geo.bench import maps as bench, synthetic
from geo.layers import LAYERS_DIR

real_layers = pytest.mark.skipif(
    not (LAYERS_DIR / "manifest.json").exists(), reason="the derived layers are not built yet"
)


# --- the map benchmark (geo.bench.maps) ----------------------------------------------------------

BENCH_SIZE = 200
APP_FIELDS = ("filter_s", "sent_bytes", "rss_mb", "first_load_s")


@pytest.fixture(scope="module")
def bench_json(tmp_path_factory) -> tuple[dict, str]:
    """One run of `panj bench` on BENCH_SIZE events: its JSON file and its table."""
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    with contextlib.redirect_stdout(io.StringIO()) as table:
        status = cli.main(["bench", "--sizes", str(BENCH_SIZE), "--json", str(out)])
    assert status == 0  # a wrong number of events drawn would exit 1
    return json.loads(out.read_text(encoding="utf-8")), table.getvalue()


@real_layers
@pytest.mark.browser
def test_bench_writes_one_well_formed_record_per_map(bench_json) -> None:
    document, _ = bench_json
    records = document["records"]
    assert [(record["impl"], record["size"]) for record in records] == [("naive", BENCH_SIZE), ("panj", BENCH_SIZE)]
    fields = [field.name for field in dataclasses.fields(bench.Record)]
    for record in records:
        assert list(record) == fields
        assert isinstance(record["build_s"], float) and record["build_s"] > 0
        assert isinstance(record["payload_bytes"], int) and record["payload_bytes"] > 0
        for name in ("paint_s", "settled_s", "zoom_s", "pan_s", "heap_mb"):
            assert isinstance(record[name], float) and record[name] > 0, name
        assert all(record[name] is None for name in APP_FIELDS) and record["note"] is None
    naive, panj = records
    # The naive map draws everything at once; Panj's symbols come before the rest, never after.
    assert naive["settled_s"] == naive["paint_s"] and panj["settled_s"] >= panj["paint_s"]
    # Only Panj's map plays back through time.
    assert naive["step_s"] is None and isinstance(panj["step_s"], float) and panj["step_s"] > 0


@real_layers
@pytest.mark.browser
def test_bench_json_names_the_machine_and_method_and_prints_a_table(bench_json) -> None:
    document, table = bench_json
    machine = document["machine"]
    assert set(machine) >= {"cpu", "cores", "memory_gb", "os", "python", "chromium"}
    assert machine["cores"] >= 1 and re.fullmatch(r"\d+(\.\d+)+", machine["chromium"])
    method = document["method"]
    assert method["paint_timeout_s"] == bench.PAINT_TIMEOUT_S and method["seed"] == synthetic.SEED
    assert set(method["location_shares"][str(BENCH_SIZE)]) == set(synthetic.LOCATION_SHARES)
    assert re.search(rf"^{BENCH_SIZE}\s+build\s+\d", table, flags=re.MULTILINE)
    for label in ("payload", "paint", "all drawn", "zoom", "pan", "JS heap"):
        assert re.search(rf"^\s+{label}\s+\d", table, flags=re.MULTILINE), label
    assert re.search(r"^\s+playback step\s+–\s+\d", table, flags=re.MULTILINE)


@real_layers
@pytest.mark.browser
def test_a_wrong_number_of_events_drawn_is_an_error(tmp_path) -> None:
    data = synthetic.joined_events(20, workdir=tmp_path)
    fmap = bench.panj_map(data.snapshot, data.events)
    with bench.PageTimer() as timer, bench.PageServer() as server:
        server.document = mapview.standalone_html(fmap).encode("utf-8")
        assert timer.measure(server.url, "panj", 20).paint_s is not None
        with pytest.raises(bench.BenchError, match="drew 20 events of 21"):
            timer.measure(server.url, "panj", 21)


def test_page_server_serves_the_document_and_static_files_only() -> None:
    leaflet = dict(assets.MAP_JS)["leaflet"]
    with bench.PageServer() as server:
        server.document = b"<!doctype html><p>map</p>"
        with urllib.request.urlopen(server.url) as response:
            assert response.read() == server.document
        with urllib.request.urlopen(server.url.rstrip("/") + leaflet) as response:
            assert response.read() == assets.local_file(leaflet).read_bytes()
        for path in ("app/static/../pyproject.toml", "pyproject.toml", "app/static/nothing.js"):
            with pytest.raises(urllib.error.HTTPError, match="404"):
                urllib.request.urlopen(server.url + path)


def test_table_shows_a_missing_figure_as_a_dash() -> None:
    records = [bench.Record("naive", 10, build_s=2.0, note="not painted within 120 s"),
               bench.Record("panj", 10, build_s=0.5, payload_bytes=1000, paint_s=0.2)]
    table = bench.format_table(records)
    assert re.search(r"^10\s+build\s+2\.00 s\s+0\.50 s\s+4\.0$", table, flags=re.MULTILINE)
    assert re.search(r"^\s+paint\s+–\s+0\.20 s\s+–$", table, flags=re.MULTILINE)
    assert "not painted within 120 s" in bench.progress_line(records[0])


@pytest.mark.parametrize("given", [["100,200"], ["100", "200"], ["100,200", "100"]])
def test_cli_reads_sizes_with_commas_or_spaces(monkeypatch, given) -> None:
    asked = []

    def run(sizes, **options):
        asked.append(sizes)
        return bench.Result([], {}, {})

    monkeypatch.setattr(bench, "run", run)
    assert cli.main(["bench", "--sizes", *given]) == 0
    assert asked == [[100, 200]]


def test_cli_rejects_an_empty_size(capsys) -> None:
    assert cli.main(["bench", "--sizes", "0"]) == 2
    assert "every size must be at least 1" in capsys.readouterr().err


def test_cli_rejects_a_size_that_is_no_number(capsys) -> None:
    assert cli.main(["bench", "--sizes", "1000,ten"]) == 2
    assert "is not a list of whole numbers" in capsys.readouterr().err


def test_bench_without_a_chromium_says_what_to_install(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("PANJ_CHROMIUM", str(tmp_path / "nowhere" / "chromium"))
    assert cli.main(["bench", "--sizes", "1"]) == 1
    err = capsys.readouterr().err
    assert "PANJ_CHROMIUM names" in err and "apt-get install chromium" in err

# --- the synthetic events (geo.bench.synthetic) --------------------------------------------------

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
    synthetic.write_events_file(tmp_path / "other.geojson", SYNTHETIC_COUNT, seed=synthetic.SEED + 1)
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
    assert set(events["document"]) <= set(result.snapshot.documents)
    # On the page the shipped article's events stand beside them; the benchmark shows only its own.
    assert len(result.snapshot.events) == 300 + 30
    assert result.summary.count == 300
