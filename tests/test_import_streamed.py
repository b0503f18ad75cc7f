"""``Store.import_file``: a file streamed into the store's one transaction a chunk at a time stores
and reports exactly what reading it whole first (``read_file`` then ``Store.import_dataset``)
does, rejected rows and ``keep_good`` included; a file not to be stored, or a failure midway,
leaves the store as it was."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from conftest import new_database
from test_importers_scale import ROWS, write
from test_store import IMPORTS

from geo import importers, store as store_module
from geo.importers import read_file
from geo.store import StoreError, open_store

NAME = "Streamed"


def contents(url: str) -> dict[str, list[tuple]]:
    """Every row an import writes, in a stable order (a dataset's import time left out)."""
    with open_store(url) as opened, opened._transaction(write=False) as session:
        geometry = session.dialect.geometry_out
        return {
            "datasets": session.query("SELECT id, name, format, source_file, source_sha256, row_count, licence, "
                                      "document FROM panj_datasets ORDER BY id"),
            "events": session.query("SELECT id, dataset_id, row_number, entry, properties FROM panj_events ORDER BY id"),
            "places": [(key, place, name, bytes(wkb)) for key, place, name, wkb in session.query(
                f"SELECT dataset_id, id, name, {geometry} FROM panj_places ORDER BY dataset_id, id")],
            "actors": session.query("SELECT dataset_id, id, name, colour, symbol FROM panj_actors ORDER BY dataset_id, id"),
            "search": session.query("SELECT event_id, place, text FROM panj_search ORDER BY event_id"),
            "log": session.query("SELECT revision, kind, dataset FROM panj_log ORDER BY revision, position"),
            "revision": session.query("SELECT revision FROM panj_revision"),
        }


def whole_then_stored(url: str, path: Path, keep_good: bool) -> importers.Imported:
    """Today's path, as ``panj import`` took it before: read the whole file, then store what it gave."""
    with open_store(url) as opened:
        imported = read_file(path, dataset_name=NAME, existing=opened.existing())
        if imported.ok or keep_good and imported.events:
            opened.import_dataset(NAME, imported, source_file=path.name, licence="test", by="test", keep_good=keep_good)
    return imported


def files(folder: Path) -> dict[str, Path]:
    return {"scale table": write(folder / "scale.csv", ROWS),
            **{name: IMPORTS / name for name in ("acled.csv", "many-problems.csv", "events.geojson", "bad.geojson",
                                                 "ucdp-ged.csv", "second-article.json", "empty.csv")}}


@pytest.mark.parametrize("keep_good", [False, True])
@pytest.mark.parametrize("chunk_rows", [1, 20_000])
@pytest.mark.parametrize("name", ["scale table", "acled.csv", "many-problems.csv", "events.geojson", "bad.geojson",
                                  "ucdp-ged.csv", "second-article.json", "empty.csv"])
def test_a_streamed_import_stores_and_reports_what_reading_first_does(
        name: str, chunk_rows: int, keep_good: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = files(tmp_path)[name]
    whole, streamed = f"sqlite:///{tmp_path / 'whole.sqlite3'}", f"sqlite:///{tmp_path / 'streamed.sqlite3'}"
    expected = whole_then_stored(whole, path, keep_good)
    monkeypatch.setattr(importers, "_CHUNK_ROWS", chunk_rows)
    with open_store(streamed) as opened:
        imported, dataset = opened.import_file(NAME, path, source_file=path.name, licence="test", by="test",
                                               keep_good=keep_good)

    assert imported.report_csv() == expected.report_csv()
    assert imported.lines == expected.lines
    assert imported.accepted == len(expected.events)
    assert imported.placement_text() == expected.placement_text()
    assert imported.events == [] and imported.places == {}  # handed to the store, not held
    assert contents(streamed) == contents(whole)
    assert (dataset is not None) == bool(contents(streamed)["datasets"])
    assert contents(streamed)["search"] == reindexed(streamed)


def reindexed(url: str) -> list[tuple]:
    """The search rows as the store makes them from the stored events alone (its migration's way),
    in a transaction rolled back after."""
    with open_store(url) as opened, pytest.raises(LookupError), opened._transaction(write=True, by="test") as change:
        change.execute("DELETE FROM panj_search")
        store_module._index_events(change)
        rows = change.query("SELECT event_id, place, text FROM panj_search ORDER BY event_id")
        raise LookupError("roll back")
    return rows


@pytest.mark.parametrize("keep_good", [False, True])
def test_the_scale_tables_verdicts_decide_what_is_stored(keep_good: bool, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The table's own verdicts: rows count from 2 (the header is row 1) and the blank row after
    the fourth takes a number; the table has refused rows, so only --keep-good stores any."""
    path = write(tmp_path / "scale.csv", ROWS)
    monkeypatch.setattr(importers, "_CHUNK_ROWS", 2)
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    with open_store(url) as opened:
        before = contents(url)
        imported, dataset = opened.import_file(NAME, path, source_file=path.name, licence="test", by="test",
                                               keep_good=keep_good)
    numbers = [number + 2 + (number > 3) for number in range(len(ROWS))]
    accepted = [number for number, row in zip(numbers, ROWS, strict=True) if row[-1] in ("accepted", "flagged")]
    assert list(imported.sunk_rows) == accepted
    if keep_good:
        assert dataset is not None and dataset.row_count == len(accepted)
        assert sorted(row[2] for row in contents(url)["events"]) == accepted
    else:
        assert dataset is None
        assert contents(url) == before


@pytest.mark.parametrize("kind", ["sqlite", "postgis"])
def test_a_failure_midway_leaves_the_store_unchanged(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     request: pytest.FixtureRequest) -> None:
    """The second chunk's write fails, after the first one went into the transaction."""
    if kind == "sqlite":
        failing_midway(f"sqlite:///{tmp_path / 'store.sqlite3'}", monkeypatch)
    else:
        with new_database(request.getfixturevalue("postgis_url")) as url:
            failing_midway(url, monkeypatch)


def disk_full_at_second_chunk(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make the store's second writing of an import's events fail as a full disk would; the rows
    of each writing asked for, in order."""
    written = store_module._insert_events
    chunks: list[int] = []

    def fail_second(session: store_module._Session, key: str, rows: list) -> None:
        chunks.append(len(rows))
        if len(chunks) == 2:
            raise OSError("no space left on the device")
        written(session, key, rows)

    monkeypatch.setattr(store_module, "_insert_events", fail_second)
    return chunks


def failing_midway(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(url) as opened:
        opened.import_dataset("Earlier", read_file(IMPORTS / "events.geojson", dataset_name="Earlier"),
                              source_file="events.geojson", licence="", by="test")
        before = contents(url)
        monkeypatch.setattr(importers, "_CHUNK_ROWS", 1)
        written = store_module._insert_events
        chunks = disk_full_at_second_chunk(monkeypatch)
        with pytest.raises(OSError, match="no space left"):
            opened.import_file(NAME, IMPORTS / "acled.csv", source_file="acled.csv", licence="", by="test")
        assert chunks == [1, 1]
        assert contents(url) == before

        # A database's own refusal midway: the same, as a StoreError.
        monkeypatch.setattr(store_module, "_insert_events", written)
        monkeypatch.setattr(store_module, "_insert_places", lambda session, key, places: session.execute(
            "INSERT INTO panj_no_such_table VALUES (1)"))
        with pytest.raises(StoreError, match="refused the change, which was rolled back"):
            opened.import_file(NAME, IMPORTS / "acled.csv", source_file="acled.csv", licence="", by="test")
        assert contents(url) == before


def test_rows_go_to_the_store_a_chunk_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """acled.csv holds 4 accepted rows (tests/fixtures/imports): chunks of 3 hand over 3, then 1."""
    monkeypatch.setattr(importers, "_CHUNK_ROWS", 3)
    written = store_module._insert_events
    sizes: list[int] = []

    def counted(session: store_module._Session, key: str, events: list) -> None:
        sizes.append(len(events))
        written(session, key, events)

    monkeypatch.setattr(store_module, "_insert_events", counted)
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}") as opened:
        imported, dataset = opened.import_file(NAME, IMPORTS / "acled.csv", source_file="acled.csv", licence="",
                                               by="test")
    assert [size for size in sizes if size] == [3, 1]
    assert dataset is not None and dataset.row_count == 4 == imported.accepted


@pytest.mark.parametrize("fails", [False, True])
def test_the_cycle_collector_is_off_while_rows_are_written_and_on_again_after(
        fails: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    written = store_module._insert_events
    collecting: list[bool] = []

    def watched(session: store_module._Session, key: str, events: list) -> None:
        collecting.append(gc.isenabled())
        if fails:
            raise OSError("no space left on the device")
        written(session, key, events)

    monkeypatch.setattr(store_module, "_insert_events", watched)
    assert gc.isenabled()
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}") as opened:
        if fails:
            with pytest.raises(OSError, match="no space left"):
                opened.import_file(NAME, IMPORTS / "acled.csv", source_file="acled.csv", licence="", by="test")
        else:
            opened.import_file(NAME, IMPORTS / "acled.csv", source_file="acled.csv", licence="", by="test")
    assert collecting and not any(collecting)
    assert gc.isenabled()


def test_a_taken_name_is_refused_before_any_row_is_read(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    with open_store(url) as opened:
        opened.import_file(NAME, IMPORTS / "events.geojson", source_file="events.geojson", licence="", by="test")
        before = contents(url)
        with pytest.raises(StoreError, match=r"dataset 'Streamed' \(id 'streamed'\) clashes with dataset 'Streamed'"):
            opened.import_file(NAME, IMPORTS / "acled.csv", source_file="acled.csv", licence="", by="test")
    assert contents(url) == before


def _collection(tmp_path: Path, name: str, change) -> Path:
    """events.geojson's text changed by ``change``, written as ``name``."""
    path = tmp_path / name
    path.write_text(change((IMPORTS / "events.geojson").read_text("utf-8")), "utf-8")
    return path


@pytest.mark.parametrize(("name", "change", "reason"), [
    # The JSON breaks after its last feature, once every row has gone into the transaction: the
    # error json.loads gives for the whole text, and nothing else.
    ("cut.geojson", lambda text: text.rstrip().removesuffix("}").rstrip().removesuffix("]"), "invalid JSON"),
    ("extra.geojson", lambda text: text + "\n{}", "invalid JSON"),
    # A later "type" of another kind: decoded whole, the collection is no FeatureCollection.
    ("retyped.geojson", lambda text: text.rstrip().removesuffix("}") + ', "type": "Feature"}', "expected a GeoJSON"),
])
@pytest.mark.parametrize("keep_good", [False, True])
def test_a_collection_refused_after_its_rows_were_read_stores_nothing_and_says_why_alone(
        name: str, change, reason: str, keep_good: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _collection(tmp_path, name, change)
    try:
        json_error = None
        raw = importers.json.loads(path.read_text("utf-8"))
    except importers.json.JSONDecodeError as error:
        json_error = f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
    else:
        assert raw["type"] == "Feature"
    monkeypatch.setattr(importers, "_CHUNK_ROWS", 1)  # every feature a chunk: all were handed over first
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    with open_store(url) as opened:
        before = contents(url)
        imported, dataset = opened.import_file(NAME, path, source_file=path.name, licence="test", by="test",
                                               keep_good=keep_good)
    assert dataset is None and contents(url) == before
    assert [(line.row, line.outcome, line.reason) for line in imported.lines] == [
        (None, "rejected", json_error or importers.NOT_A_COLLECTION)]
    assert imported.lines[0].reason.startswith(reason)
    assert imported.accepted == 0 and imported.actors == {} and imported.placements == {}


def test_a_collection_typed_after_its_features_reads_as_before(tmp_path: Path) -> None:
    """Its features are decoded whole (the streaming needs the type first): the same rows."""
    moved = _collection(tmp_path, "late-type.geojson",
                        lambda text: text.replace('"type": "FeatureCollection",', "", 1).rstrip().removesuffix("}")
                        + ', "type": "FeatureCollection"}')
    assert list(importers.json.loads(moved.read_text("utf-8")))[-1] == "type"
    expected, read = (read_file(path, dataset_name=NAME, file_format="geojson") for path in (IMPORTS / "events.geojson",
                                                                                             moved))
    assert read.lines == expected.lines and [event.entry for event in read.events] == [
        event.entry for event in expected.events] and read.ok


def test_a_collection_is_never_decoded_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """A well-formed collection is read a chunk of features at a time: json.loads is never asked
    for the whole text (a million features decoded at once held 3.6 GB: docs/performance.md)."""
    expected = read_file(IMPORTS / "events.geojson", dataset_name=NAME)
    collection, loads = (IMPORTS / "events.geojson").read_text("utf-8"), importers.json.loads

    def whole(text: str, *args, **kwargs):  # the layers and vocabulary are still read as JSON
        assert text != collection, "the collection was decoded whole"
        return loads(text, *args, **kwargs)

    monkeypatch.setattr(importers.json, "loads", whole)
    monkeypatch.setattr(importers, "_CHUNK_ROWS", 2)
    read = read_file(IMPORTS / "events.geojson", dataset_name=NAME)
    assert read.lines == expected.lines and len(read.events) == len(expected.events) > 2
