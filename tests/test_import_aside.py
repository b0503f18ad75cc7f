"""An import reads its file in a process of its own (``geo.store._read_aside``) while the
importing process writes: the chunks arrive in order, what the reader gives or raises comes back
as it was, a failure on either side ends the reader and leaves the store (its search index
included) as it was, and a search after an import finds the new rows."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
from pathlib import Path

import pytest
from conftest import new_database
from test_import_streamed import disk_full_at_second_chunk
from test_store import IMPORTS

from geo import importers, store as store_module
from geo.importers import Imported, ImportFileError, read_file
from geo.problems import Problem
from geo.store import StoreError, open_store

NAME = "Aside"


def pids_and_result(sink) -> Imported:
    """A read handing three chunks over, each naming the process that made it."""
    for number in range(3):
        sink([number], [os.getpid()])
    return Imported(Path("made.csv"), "acled", "made", {"id": "made"})


def prepared(events: list, places: list) -> tuple[list, list]:
    return places, events


def test_chunks_come_in_order_from_another_process_and_the_result_after() -> None:
    written: list[tuple[list, list]] = []
    imported = store_module._read_aside(pids_and_result, prepared, written.append)
    assert [events for _, events in written] == [[0], [1], [2]]
    assert {pid for places, _ in written for pid in places} != {os.getpid()}
    assert len({pid for places, _ in written for pid in places}) == 1
    assert imported.path == Path("made.csv") and imported.dataset_id == "made"
    assert multiprocessing.active_children() == []


def refusing(sink) -> Imported:
    sink([1], [])
    raise ImportFileError([Problem(Path("bad.csv"), "row 7", "date", "not a date")])


def test_what_the_reader_raises_is_raised_here_with_its_problems() -> None:
    written: list[tuple[list, list]] = []
    with pytest.raises(ImportFileError) as raised:
        store_module._read_aside(refusing, prepared, written.append)
    assert raised.value.problems == [Problem(Path("bad.csv"), "row 7", "date", "not a date")]
    assert written == [([], [1])]
    assert multiprocessing.active_children() == []


def endless(sink) -> Imported:
    number = 0
    while True:  # stopped only by the importing process
        sink([number], [])
        number += 1


def test_a_failed_write_ends_the_reader() -> None:
    def write(rows: tuple[list, list]) -> None:
        raise OSError("no space left on the device")

    with pytest.raises(OSError, match="no space left"):
        store_module._read_aside(endless, prepared, write)
    assert multiprocessing.active_children() == []


def vanishing(sink) -> Imported:
    os._exit(3)  # as the kernel's out-of-memory killer would end it


def test_a_reader_that_dies_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="ended without its result"):
        store_module._read_aside(vanishing, prepared, lambda rows: None)


def fts_ok(path: Path) -> None:
    """FTS5's own check that the index holds exactly its content table's rows."""
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO panj_search_fts (panj_search_fts) VALUES ('integrity-check')")


def test_a_search_after_an_import_finds_its_rows_and_a_failed_one_leaves_the_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """tests/fixtures/imports: events.geojson's "khorugh-statement" is "Statement in Khorugh";
    acled.csv's TJK102 (id "tjk102") is in Khorugh and TJK101 near Rushon."""
    path = tmp_path / "store.sqlite3"
    monkeypatch.setattr(importers, "_CHUNK_ROWS", 1)  # each row its own chunk and its own index statement
    with open_store(f"sqlite:///{path}") as opened:
        assert opened.search("khorugh").event_ids == []
        opened.import_file("Earlier", IMPORTS / "events.geojson", source_file="events.geojson", licence="", by="test")
        assert opened.search("khorugh").event_ids == ["khorugh-statement"]
        fts_ok(path)

        written = store_module._insert_events
        chunks = disk_full_at_second_chunk(monkeypatch)
        with pytest.raises(OSError, match="no space left"):
            opened.import_file(NAME, IMPORTS / "acled.csv", source_file="acled.csv", licence="", by="test")
        assert chunks == [1, 1]
        assert opened.search("khorugh").event_ids == ["khorugh-statement"]
        assert opened.search("rushon").event_ids == []
        fts_ok(path)

        monkeypatch.setattr(store_module, "_insert_events", written)
        opened.import_file(NAME, IMPORTS / "acled.csv", source_file="acled.csv", licence="", by="test")
        assert sorted(opened.search("khorugh").event_ids) == ["khorugh-statement", "tjk102"]
        assert opened.search("rushon").event_ids == ["tjk101"]
        fts_ok(path)


def stored(url: str) -> dict[str, list[tuple]]:
    with open_store(url) as opened, opened._transaction(write=False) as session:
        return {table: session.query(f"SELECT * FROM {table} ORDER BY 1, 2")
                for table in ("panj_events", "panj_places", "panj_actors", "panj_search")}


@pytest.mark.parametrize("name", ["acled.csv", "events.geojson", "many-problems.csv"])
def test_without_fork_the_file_is_read_in_the_importing_process_to_the_same_store(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    same_store_either_way(name, f"sqlite:///{tmp_path / 'aside.sqlite3'}", f"sqlite:///{tmp_path / 'in-hand.sqlite3'}",
                          monkeypatch)


@pytest.mark.parametrize("name", ["acled.csv", "events.geojson", "many-problems.csv"])
def test_a_postgis_import_read_aside_stores_what_one_read_in_hand_stores(
        name: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Its search rows too: their text is made in the reader but for the place's name, added by
    the writer from the chunk's places or read back for a place of an earlier chunk (chunks of 2)."""
    cluster = request.getfixturevalue("postgis_url")
    with new_database(cluster) as aside, new_database(cluster) as in_hand:
        same_store_either_way(name, aside, in_hand, monkeypatch)
        assert stored(aside)["panj_search"] == search_rows_from_stored_events(aside)


class _Undone(Exception):
    """Raised to roll a transaction back."""


def search_rows_from_stored_events(url: str) -> list[tuple]:
    """The search rows ``_index_events`` makes from the events as stored (the path of a store's
    migration, independent of an import's), in a transaction rolled back."""
    made: list[tuple] = []
    with open_store(url) as opened:
        with pytest.raises(_Undone), opened._transaction(write=True, by="test") as change:
            change.execute("DELETE FROM panj_search")
            store_module._index_events(change)
            made.extend(change.query("SELECT * FROM panj_search ORDER BY 1, 2"))
            raise _Undone
    return made


def same_store_either_way(name: str, aside: str, in_hand: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importers, "_CHUNK_ROWS", 2)
    forked, read_aside = [], store_module._read_aside
    # The test's process may run other threads (a browser test's server watcher), which keep an
    # import from forking: this one is asked to, and counted.
    monkeypatch.setattr(store_module, "_reads_aside", lambda: True)
    monkeypatch.setattr(store_module, "_read_aside", lambda *args: forked.append(1) or read_aside(*args))
    with open_store(aside) as opened:
        expected, _ = opened.import_file(NAME, IMPORTS / name, source_file=name, licence="", by="test", keep_good=True)
    assert forked == [1]
    monkeypatch.undo()
    monkeypatch.setattr(importers, "_CHUNK_ROWS", 2)
    monkeypatch.setattr(store_module, "_FORK", "no such start method")
    monkeypatch.setattr(store_module, "_read_aside", None)  # never called
    with open_store(in_hand) as opened:
        imported, _ = opened.import_file(NAME, IMPORTS / name, source_file=name, licence="", by="test", keep_good=True)
    assert imported.report_csv() == expected.report_csv()
    assert stored(in_hand) == stored(aside)
    assert len(stored(aside)["panj_search"]) == imported.accepted
    assert read_file(IMPORTS / name, dataset_name=NAME).accepted == imported.accepted


def test_a_process_running_another_thread_reads_its_imports_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert store_module._reads_aside()
    monkeypatch.undo()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not store_module._reads_aside()
    finally:
        stop.set()
        other.join()
