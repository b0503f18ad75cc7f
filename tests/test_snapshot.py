"""geo.snapshot: one snapshot per data directory and store revision, one published folder per
snapshot, and the pruning that keeps the published folders bounded.

The store is a real SQLite file per test; the published folders go to a temporary static folder."""

from __future__ import annotations

import dataclasses
import os
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from snapshots import with_popups

from geo import assets, eventdata, outlines, snapshot as snapshots
from geo.importers import read_file
from geo.layers import LAYERS_DIR
from geo.store import open_store

IMPORTS = Path(__file__).parent / "fixtures" / "imports"


# Published folders under a temporary static folder: each test counts only its own (conftest.py).
pytestmark = pytest.mark.usefixtures("static_dir")


@pytest.fixture
def store(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}") as opened:
        yield opened


def _import(store, fixture: str, name: str, licence: str = "") -> None:
    reading = read_file(IMPORTS / fixture, dataset_name=name, existing=store.existing())
    store.import_dataset(name, reading, source_file=fixture, licence=licence, by="tests")


class Clock:
    """A clock the test moves by hand, starting at the real time (folders' mtimes are real)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def _folders() -> set[str]:
    return set(assets.data_folders())


def test_a_revision_is_built_once_and_shared(store) -> None:
    cache = snapshots.SnapshotCache()
    first = cache.get(LAYERS_DIR, store)
    assert cache.get(LAYERS_DIR, store) is first
    assert len(first.events) == 30 and [dataset.name for dataset in first.datasets] == ["edm-v19-i92"]
    assert _folders() == {first.folder_name}
    # Everything the map fetches is in that one folder: 7 layers (the lines and outlines at full
    # detail and simplified for each zoom level), the labels, the events file and its ids, the playback's dates, the
    # terms the map filters by (geo.clientfilter) and, written after
    # them in a folder of its own, the popup text of 30 events (one file of up to 256).
    with_popups(first)
    folder = assets._DATA_DIR / first.folder_name
    files = sorted(path.name for path in folder.iterdir() if not path.name.startswith("popups-"))
    levels = [f"{layer}.z{zoom}.geojson" for layer in ("countries", "frontier", "gbao", "provinces", "wakhan")
              for zoom in outlines.DETAIL_ZOOMS]
    assert files == sorted(["countries.geojson", "dates.bin.gz", "events-ids.bin.gz", "events.bin.gz", "fatalities.bin.gz", "frontier.geojson", "gbao.geojson",
                            "labels.json",
                            "places.geojson", "posts.geojson", "provinces.geojson", "strip.bin.gz", "terms.bin.gz", "wakhan.geojson",
                            *levels])
    popups = [path for path in folder.iterdir() if path.name.startswith("popups-")]
    assert len(popups) == 1 and [path.name for path in popups[0].iterdir()] == ["details-0.json"]
    assert first.map_data().events.details == f"{assets.STATIC_URL}vendor/data/{first.folder_name}/{popups[0].name}/"


def test_sessions_asking_at_once_share_one_build(store) -> None:
    cache = snapshots.SnapshotCache()
    got: list[snapshots.Snapshot] = []
    threads = [threading.Thread(target=lambda: got.append(cache.get(LAYERS_DIR, store))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 6 and len({id(snapshot) for snapshot in got}) == 1


def test_an_import_makes_a_new_snapshot_and_the_old_folder_is_pruned_after_the_grace(store) -> None:
    clock = Clock()
    cache = snapshots.SnapshotCache(grace_s=600, keep_retired=3, clock=clock)
    before = cache.get(LAYERS_DIR, store)
    _import(store, "acled.csv", "ACLED", "ACLED terms of use")
    after = cache.get(LAYERS_DIR, store)
    assert after is not before and after.revision != before.revision
    assert len(after.events) > len(before.events)
    # A page still showing the old revision keeps its files for the grace period...
    assert _folders() == {before.folder_name, after.folder_name}
    clock.now += 599
    assert cache.prune() == [] and before.folder_name in _folders()
    # ...and not after it.
    clock.now += 2
    assert cache.prune() == [before.folder_name]
    assert _folders() == {after.folder_name}


def test_a_burst_of_revisions_keeps_a_bounded_number_of_folders(store) -> None:
    cache = snapshots.SnapshotCache(grace_s=3600, keep_retired=2)
    seen = [cache.get(LAYERS_DIR, store).folder_name]
    for cycle in range(5):
        _import(store, "events.geojson", f"Notes {cycle}")
        seen.append(cache.get(LAYERS_DIR, store).folder_name)
        store.delete(f"Notes {cycle}", by="tests")
        seen.append(cache.get(LAYERS_DIR, store).folder_name)
    # 11 revisions within the grace period; the current folder and the two before it remain.
    current = seen[-1]
    assert len(_folders()) <= 3 and current in _folders()
    assert _folders() <= set(seen)


def test_folders_of_other_processes_go_once_unused_for_the_grace_period(store) -> None:
    old = assets.publish_folder({"events.bin.gz": b"an earlier server's"})
    fresh = assets.publish_folder({"events.bin.gz": b"another server's, in use"})
    an_hour_ago = time.time() - 3600
    os.utime(old.path, (an_hour_ago, an_hour_ago))
    cache = snapshots.SnapshotCache(grace_s=600)
    current = cache.get(LAYERS_DIR, store)
    assert _folders() == {current.folder_name, fresh.name}
    assert old.name not in _folders()


def test_a_removed_folder_is_published_again(store, monkeypatch) -> None:
    monkeypatch.setattr(snapshots, "TOUCH_EVERY_S", 0)  # check the folder on every use
    cache = snapshots.SnapshotCache()
    current = cache.get(LAYERS_DIR, store)
    assets.remove_folder(current.folder_name)
    assert current.folder_name not in _folders()
    data = current.map_data()
    assert current.folder_name in _folders()
    assert assets.local_file(data.events.url) is not None


def test_each_publishing_says_how_long_it_took(store, monkeypatch) -> None:
    monkeypatch.setattr(snapshots, "TOUCH_EVERY_S", 0)
    current = snapshots.build_snapshot(LAYERS_DIR, store)
    assert current.publish_time is None  # nothing published yet
    current.map_data()
    first = current.publish_time
    assert first.wall_s > 0 and first.cpu_s > 0
    current.map_data()  # the folder is there: nothing is published, the figure stays
    assert current.publish_time is first
    assets.remove_folder(current.folder_name)
    current.map_data()
    assert current.publish_time is not first and current.publish_time.wall_s > 0
    assert current.popups_written(60)


def _published_dir(url: str) -> Path:
    assert url.startswith(assets.STATIC_URL)
    return assets.STATIC_DIR / url[len(assets.STATIC_URL):].strip("/")


def test_a_folder_another_server_published_again_gets_our_popup_text_again(store, monkeypatch) -> None:
    """Another server pruned the folder and published it again with its own popup text: the
    popup folder this page names is gone, so the next run publishes ours again."""
    monkeypatch.setattr(snapshots, "TOUCH_EVERY_S", 0)
    current = snapshots.SnapshotCache().get(LAYERS_DIR, store)
    first = current.map_data().events.details
    assert current.popups_written(60)
    assets.remove_folder(current.folder_name)
    other = snapshots.build_snapshot(LAYERS_DIR, store)  # the other server, same revision
    assert other.map_data().events.details != first and other.popups_written(60)
    assert other.folder_name == current.folder_name and current.folder_name in _folders()
    assert not _published_dir(first).is_dir()  # what this page names is gone...
    again = current.map_data().events.details
    assert again != first and current.popups_written(60)  # ...so it is written again
    assert _published_dir(again).is_dir()


def test_an_unchanged_snapshot_publishes_no_new_folder(store) -> None:
    """Exports, reruns and a second process reading the same revision all name the same folder."""
    cache = snapshots.SnapshotCache()
    current = cache.get(LAYERS_DIR, store)
    for _ in range(3):
        current.map_data()
    again = snapshots.build_snapshot(LAYERS_DIR, store)  # as `panj export` builds its own
    # The same files at the same URLs; only the popup text is each process's own (written after).
    assert dataclasses.replace(again.map_data(), events=None) == dataclasses.replace(current.map_data(), events=None)
    assert again.map_data().events.url == current.map_data().events.url
    assert _folders() == {current.folder_name}


def test_figures_credit_every_dataset_drawn_with_its_terms(store) -> None:
    _import(store, "acled.csv", "ACLED Tajikistan", "ACLED terms of use: cite ACLED")
    _import(store, "events.geojson", "Field notes")
    current = snapshots.build_snapshot(LAYERS_DIR, store)
    events = current.events
    assert current.event_sources(events[events["dataset"] == "ACLED Tajikistan"]) == [
        "ACLED Tajikistan (ACLED terms of use: cite ACLED)"]
    # In the datasets' order, by name.
    assert current.event_sources(events) == [
        "ACLED Tajikistan (ACLED terms of use: cite ACLED)",
        "Field notes (no licence or terms recorded at import)",
        "Jamestown Foundation – Eurasia Daily Monitor, vol. 19, no. 92 (June 2022)",
    ]


def test_unknown_dataset_names_are_refused_with_the_known_ones(store) -> None:
    current = snapshots.build_snapshot(LAYERS_DIR, store)
    with pytest.raises(ValueError, match=r"no dataset called 'ACLED'; the datasets are 'edm-v19-i92'"):
        snapshots.dataset_mask(current, ["ACLED"])
    assert snapshots.dataset_mask(current, ["edm-v19-i92"]).sum() == 30


def test_a_deleted_datasets_text_is_no_longer_served_after_the_grace_period(store, static_dir) -> None:
    clock = Clock()
    cache = snapshots.SnapshotCache(grace_s=600, keep_retired=3, clock=clock)
    _import(store, "acled.csv", "ACLED", "ACLED terms of use")
    with_acled = with_popups(cache.get(LAYERS_DIR, store))
    events = with_acled.details(with_acled.events)
    notes = events.loc[events["dataset"] == "ACLED", "summary"]
    marker = notes.iloc[0][:40]  # a sentence only the ACLED rows carry
    assert marker not in "".join(events.loc[events["dataset"] != "ACLED", "summary"])

    def served() -> bool:
        return any(marker.encode() in path.read_bytes() for path in (static_dir / "vendor" / "data").rglob("*.json"))

    assert served()
    store.delete("ACLED", by="tests")
    # The new revision's popup text is written in the background; wait for it, so that the scan
    # below does not walk a folder while it is being renamed into place.
    with_popups(cache.get(LAYERS_DIR, store))
    assert served()  # a page still open on the old revision can open its popups...
    clock.now += 601
    cache.prune()
    assert not served()  # ...until the grace period ends


def test_a_folder_another_process_uses_outlives_the_retired_count(store) -> None:
    """An export or a second server touched an old revision's folder after this process last did:
    it stays while in use (within BUSY_S), even past KEEP_RETIRED, and goes after the grace period."""
    clock = Clock()
    cache = snapshots.SnapshotCache(grace_s=600, keep_retired=0, clock=clock)
    first = with_popups(cache.get(LAYERS_DIR, store)).folder_name
    later = time.time() + 5  # another process's touch, after this one's
    os.utime(assets._DATA_DIR / first, (later, later))
    clock.now = later
    _import(store, "events.geojson", "Notes")
    second = cache.get(LAYERS_DIR, store).folder_name
    assert first in _folders() and second in _folders()
    clock.now += 601
    cache.prune()
    assert _folders() == {second}


def test_a_directory_that_cannot_be_shown_is_not_read_again_until_the_revision_moves(
        store, tmp_path, caplog) -> None:
    broken = tmp_path / "layers"
    shutil.copytree(LAYERS_DIR, broken)
    (broken / "frontier.geojson").write_text("{not json", encoding="utf-8")
    cache = snapshots.SnapshotCache()

    def refusals() -> int:
        return sum("refused" in record.getMessage() for record in caplog.records)

    for _ in range(3):  # three reruns of the page
        with pytest.raises(snapshots.DataError, match="frontier.geojson"):
            cache.get(broken, store)
    assert refusals() == 1
    _import(store, "events.geojson", "Notes")  # a new revision: read again
    with pytest.raises(snapshots.DataError):
        cache.get(broken, store)
    assert refusals() == 2


def test_a_store_that_fails_once_is_read_again_on_the_next_run(store, monkeypatch) -> None:
    """A database that is busy or gone for a moment is not remembered as data that cannot be shown."""
    from geo.store import StoreError

    cache = snapshots.SnapshotCache()
    reads = {"left_to_fail": 1}
    events = store.events

    def flaky(*args, **kwargs):
        if reads["left_to_fail"]:
            reads["left_to_fail"] -= 1
            raise StoreError("the store at test refused the read: database is locked")
        return events(*args, **kwargs)

    monkeypatch.setattr(store, "events", flaky)
    with pytest.raises(snapshots.DataError, match="database is locked"):
        cache.get(LAYERS_DIR, store)
    assert len(cache.get(LAYERS_DIR, store).events) == 30


def test_a_snapshot_built_apart_is_the_one_built_here(store) -> None:
    _import(store, "acled.csv", "ACLED Tajikistan", "ACLED terms of use: cite ACLED")
    _import(store, "events.geojson", "Field notes")
    here = snapshots.build_snapshot(LAYERS_DIR, store)
    apart = snapshots.build_snapshot_apart(LAYERS_DIR, store)
    pd.testing.assert_frame_equal(apart.events, here.events)
    for apart_points, here_points in zip(apart.symbol_points(), here.symbol_points(), strict=True):
        assert np.array_equal(apart_points, here_points)
    assert np.array_equal(apart.title_order.rows, here.title_order.rows)
    assert (apart.revision, apart.datasets, apart.vocabulary, apart.regions, apart.span, apart.home) == \
        (here.revision, here.datasets, here.vocabulary, here.regions, here.span, here.home)
    assert list(apart.scenes) == list(here.scenes) and set(apart.layers) == set(here.layers)
    # The text is read from the parent's store, the shipped events' from what the child read.
    pd.testing.assert_frame_equal(apart.details(apart.events), here.details(here.events))


def test_the_page_builds_a_large_store_apart(store, monkeypatch) -> None:
    built = []
    monkeypatch.setattr(snapshots, "build_snapshot_apart",
                        lambda *args: built.append("apart") or snapshots.build_snapshot(*args))
    monkeypatch.setattr(snapshots, "build_snapshot", lambda *args, build=snapshots.build_snapshot:
                        built.append("here") or build(*args))
    cache = snapshots.SnapshotCache()
    cache.get(LAYERS_DIR, store)  # no dataset imported: the article's events alone
    monkeypatch.setattr(snapshots, "BUILD_APART_MIN_EVENTS", 1)  # any imported dataset
    _import(store, "events.geojson", "Notes")
    cache.get(LAYERS_DIR, store)
    assert built[0] == "here" and built[1] == "apart"


def test_data_that_cannot_be_shown_says_so_alike_when_built_apart(store, tmp_path) -> None:
    broken = tmp_path / "layers"
    shutil.copytree(LAYERS_DIR, broken)
    (broken / "frontier.geojson").write_text("{not json", encoding="utf-8")
    with pytest.raises(snapshots.DataError) as here:
        snapshots.build_snapshot(broken, store)
    with pytest.raises(snapshots.DataError) as apart:
        snapshots.build_snapshot_apart(broken, store)
    assert apart.value.problems == here.value.problems and "frontier.geojson" in str(apart.value)
    assert apart.value.__cause__ is None  # the data's fault, not the store's: remembered until it moves


def test_a_large_snapshots_popup_text_is_written_apart_as_it_would_be_here(store, monkeypatch) -> None:
    _import(store, "acled.csv", "ACLED Tajikistan", "ACLED terms of use: cite ACLED")
    monkeypatch.setattr(snapshots, "BUILD_APART_MIN_EVENTS", 1)  # any snapshot with a store
    current = snapshots.build_snapshot(LAYERS_DIR, store)
    details = current.map_data().events.details
    assert current.popups_written(120)
    written = _published_dir(details)
    expected = dict(eventdata.popup_files(current.events, current.details))
    assert {path.name: path.read_bytes() for path in written.iterdir()} == expected
