"""geo.importers at scale: a CSV export is checked a column at a time, in chunks, and what that
stores and reports is exactly what the per-row path (``_Reader.acled_row`` on every row) gives;
the file is read a block at a time."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import shapely

from geo import importers
from geo.importers import read_file
from geo.store import open_store

NAME = "Scale test"
COLUMNS = ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
           "assoc_actor_1", "actor2", "latitude", "longitude", "geo_precision", "location", "admin1", "country",
           "source", "notes", "fatalities", "timestamp")
TAJIK = "Military Forces of Tajikistan (1994-)"
TALIBAN = "Military Forces of Afghanistan (2021-) Islamic Emirate of Afghanistan"
# One row per case; the last cell is what the row comes to: accepted, flagged (accepted, with a
# note) or the field it is refused for.
ROWS = (
    ("A1", "2022-05-18", "1", "Battles", "Armed clash", TAJIK, "", "Civilians (Afghanistan)",
     "37.9540", "71.5600", "1", "Rushon", "Gorno-Badakhshan", "Tajikistan", "Asia-Plus", "Clash.", "8", "1654000000",
     "accepted"),
    ("A2", "18 May 2022", "2", "Protests", "Peaceful protest", "Protesters (Tajikistan)", "", "",
     "37.4897", "71.5530", "1", "Khorugh", "", "Tajikistan", "Radio Ozodi", "", "0", "", "accepted"),
    ("A3", "03-11-2021", "3", "Explosions/Remote violence", "Remote explosive/landmine/IED",
     "Islamic State (Afghanistan)", "", TALIBAN, "37.1166", "70.5800", "3", "Fayzabad", "Badakhshan",
     "Afghanistan", "Pajhwok", "IED.", "2", "", "accepted"),
    ("A4", "2022-03-01", "1", "Strategic developments", "Arrests", TALIBAN, "Women (Afghanistan); Teachers (Afghanistan)",
     "", "36.7286", "68.8681", "2", "", "Kunduz", "Afghanistan", "Tolo News", "", "", "", "accepted"),
    ("A5", "2022-03-02", "1", "Strategic developments", "Arrests", "Teachers (Afghanistan)", "", "",
     "36.7286", "68.8681", "2", "", "", "", "Tolo News", "Same point, no place name.", "1.0", "", "accepted"),
    ("A6", "2022-03-03", "1", "Strategic developments", "Arrests", TALIBAN, "", "", "36.7286", "68.8681", "1",
     "Kunduz", "", "", "Tolo News", "", "", "", "accepted"),
    ("B1", "2022-02-30", "1", "Battles", "Armed clash", TAJIK, "", "", "37.9540", "71.5600", "1", "Rushon", "", "",
     "Asia-Plus", "", "", "", "event_date"),
    ("B2", "2022-05-18", "4", "Battles", "Armed clash", TAJIK, "", "", "37.9540", "71.5600", "1", "Rushon", "", "",
     "Asia-Plus", "", "", "", "time_precision"),
    ("B3", "2022-05-18", "1", "Battles", "Armed clash", TAJIK, "", "", "37.9540", "71.5600", "7", "Rushon", "", "",
     "Asia-Plus", "", "", "", "geo_precision"),
    ("B4", "2022-05-18", "1", "Sports", "Football", TAJIK, "", "", "37.9540", "71.5600", "1", "Rushon", "", "",
     "Asia-Plus", "", "", "", "event_type"),
    ("B5", "2022-05-18", "1", "Battles", "Armed clash", TAJIK, "", "", "37.9540", "71.5600", "1", "Rushon", "", "",
     "Asia-Plus", "", "-2", "", "fatalities"),
    ("B6", "2022-05-18", "1", "Battles", "Armed clash", TAJIK, "", "", "north", "71.5600", "1", "Rushon", "", "",
     "Asia-Plus", "", "", "", "latitude"),
    ("B7", "2022-05-18", "1", "Battles", "Armed clash", TAJIK, "", "", "71.5600", "37.9540", "1", "Rushon", "", "",
     "Asia-Plus", "", "", "", "latitude"),
    ("B8", "2022-05-18", "1", "Battles", "Armed clash", "", "", "", "37.9540", "71.5600", "1", "Rushon", "", "",
     "", "", "", "", "actor1"),
    ("A1", "2022-05-19", "1", "Battles", "Armed clash", TAJIK, "", "", "37.9540", "71.5600", "1", "Rushon", "", "",
     "Asia-Plus", "", "", "", "id"),
    ("B 9", "2022-05-18", "1", "Battles", "Armed clash", TAJIK, "", "", "37.9540", "71.5600", "1", "Rushon", "", "",
     "Asia-Plus", "", "", "", "id"),
    ("B10", "2022-05-18", "1", "Battles", "Armed clash", ";", "", "", "37.9540", "71.5600", "1", "Rushon", "", "",
     "Asia-Plus", "", "", "", "actors"),
    # Says Afghanistan, Badakhshan; its point lies over the river in GBAO: flagged, imported.
    ("C2", "2021-11-03", "1", "Battles", "Armed clash", TALIBAN, "", "", "36.7270", "71.6120", "1", "Ishkashim",
     "Badakhshan", "Afghanistan", "Pajhwok", "", "", "", "flagged"),
    ("C1", "2022-05-18", "1", "Battles", "Armed clash", TAJIK, "", "", "40.0", "60.0", "1", "Somewhere", "", "",
     "Asia-Plus", "", "", "", "flagged"),
    ("A7", "2023-07-09", "3", "Protests", "Peaceful protest", "Protesters (Tajikistan)", "", "", "38.5598", "68.7870", "3",
     "Dushanbe", "", "Tajikistan", "Radio Ozodi", "", "", "", "accepted"),
)


def write(path: Path, rows: tuple[tuple[str, ...], ...]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for number, row in enumerate(rows):
            writer.writerow(row[:-1])
            if number == 3:
                writer.writerow([""] * len(COLUMNS))  # a blank row: skipped, but counted
        writer.writerow(["short", "row"])
    return path


def per_row(reader: importers._Reader, chunk: list[tuple[int, list[str]]], header: list[str],
            mapping: importers.AcledMapping) -> None:
    """Today's path: every row through acled_row."""
    for row, cells in chunk:
        reader.acled_row(row, dict(zip(header, cells, strict=True)), mapping, geometry=None)


def stored(imported: importers.Imported, folder: Path) -> list[tuple]:
    with open_store(f"sqlite:///{folder / 'store.sqlite3'}") as store:
        store.import_dataset(NAME, imported, source_file="scale.csv", licence="test", by="test", keep_good=True)
        with store._transaction(write=False) as session:
            events = session.query("SELECT id, row_number, entry, properties FROM panj_events ORDER BY row_number")
            places = session.query("SELECT id, name, geometry FROM panj_places ORDER BY id")
            actors = session.query("SELECT id, name, colour, symbol FROM panj_actors ORDER BY id")
    return [events, places, actors]


@pytest.mark.parametrize("chunk_rows", [1, 4, 10_000])
def test_the_column_checks_store_and_report_what_the_per_row_path_does(
        chunk_rows: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "scale.csv", ROWS)
    monkeypatch.setattr(importers, "_CHUNK_ROWS", chunk_rows)
    fast = read_file(path, dataset_name=NAME)
    with monkeypatch.context() as patched:
        patched.setattr(importers._Reader, "acled_chunk", per_row)
        slow = read_file(path, dataset_name=NAME)

    assert fast.lines == slow.lines
    assert [(event.row, event.entry, event.event, event.properties) for event in fast.events] == \
           [(event.row, event.entry, event.event, event.properties) for event in slow.events]
    assert {key: (place.name, place.geometry.wkb) for key, place in fast.places.items()} == \
           {key: (place.name, place.geometry.wkb) for key, place in slow.places.items()}
    assert fast.actors == slow.actors
    (tmp_path / "fast").mkdir()
    (tmp_path / "slow").mkdir()
    assert stored(fast, tmp_path / "fast") == stored(slow, tmp_path / "slow")

    # The table's own verdicts: file rows count from 2 (the header is row 1), the blank row after
    # the fourth row takes a number.
    numbers = [number + 2 + (number > 3) for number in range(len(ROWS))]
    accepted = [number for number, row in zip(numbers, ROWS, strict=True) if row[-1] in ("accepted", "flagged")]
    refused = {(number, row[-1]) for number, row in zip(numbers, ROWS, strict=True)
               if row[-1] not in ("accepted", "flagged")}
    assert [event.row for event in fast.events] == accepted
    assert {(line.row, line.field) for line in fast.rejected} >= refused
    assert {line.row for line in fast.rejected} == {number for number, _ in refused} | {numbers[-1] + 1}
    assert [line.row for line in fast.flagged if line.field == "latitude"] == [numbers[-2]]
    assert [line.row for line in fast.flagged if line.field == "country"] == [numbers[-3]]
    assert fast.events[2].entry["place"] == "provinces:badakhshan"
    assert fast.events[1].entry["start"] == "2022-05-15" and fast.events[1].entry["end"] == "2022-05-21"
    assert fast.events[-1].entry["start"] == "2023-07"
    assert fast.events[4].properties["fatalities"] == 1


def test_a_large_file_is_read_in_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A block smaller than a line: the first line, the digest and the UTF-8 check span blocks."""
    path = write(tmp_path / "scale.csv", ROWS[:3])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # a byte order mark, as Excel writes
    whole = read_file(path, dataset_name=NAME)
    monkeypatch.setattr(importers, "_BLOCK_BYTES", 7)
    blocks = read_file(path, dataset_name=NAME)
    assert [event.entry for event in blocks.events] == [event.entry for event in whole.events]
    assert len(blocks.events) == 3 and blocks.sha256 == whole.sha256
    assert shapely.get_coordinates(blocks.places["rushon"].geometry).tolist() == [[71.56, 37.954]]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(path.read_bytes()[:40] + b"\xfc" + path.read_bytes()[40:])
    assert read_file(bad, dataset_name=NAME).rejected[0].reason.startswith("not UTF-8: byte 0xfc at line 1 (byte 41)")
