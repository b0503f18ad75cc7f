"""The search answered by the store (geo.store.Store.search: SQLite's FTS5 trigram index, pg_trgm on
PostgreSQL) finds the same events as the search written row by row over the joined events, as it
was before the store answered it: every word, in any order, a substring of the title, the summary,
the place's name or one of its other spellings (layers/aliases.json), accents and case aside.
Checked on the article's events, an ACLED export and synthetic events, on SQLite and PostGIS; and
kept right through a version 2 store's migration, deletes, restores, renames and updates."""

from __future__ import annotations

import csv
import io
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import test_filters
from conftest import new_database
from test_store import IMPORTS, raw_sql

from geo.bench.synthetic import write_events_file
from geo.filters import EventIndex
from geo.importers import read_deletions, read_file
from geo.layers import LAYERS_DIR
from geo.searchtext import place_texts
from geo.snapshot import Snapshot, build_snapshot
from geo.store import SCHEMA_VERSION, Store, StoreError, open_store

ARTICLE = LAYERS_DIR / "events" / "edm-v19-i92.json"
SYNTHETIC_COUNT = 400

# Searches the table below runs: accents, case, word order, words of one and two letters, other
# spellings of places, Cyrillic, characters that are query syntax in FTS5 or LIKE, and misses.
SEARCHES = [
    "Aivaj", "ayvadzh BORDER", "border ayvadzh", "Айвадж", "АЙВАҶ", "post china", "china post", "Shaimak",
    "Gorno Badakhshan", "kuhistoni", "Душанбе", "Panjsher", "Vakhan", "KHORUGH", "khorúgh", "Khorog", "Хорог",
    "Badakhshón", "a", "k", "us", "gb", "gbao a", "20", "s 1", "site 1", "site badakhshan", "badakhshan site",
    "synthetic 12 event", "rushon", '"several"', "several", "isis-k", "$300", "7,000", "100%", "a_b", "x%y",
    "n_a", "ta_ik", "taj%", "aivaj;", "russia's", "l'", "zzzz", "re-establish TAKHAR",
    'si"te', '"ba" "da"', "synth*", "sit?", "[si]te", "NOT site", "site OR zzzz", "(site)", "NEAR(site", "-site",
]


def fold(text: str) -> str:
    """Accents dropped and case folded, as the search compares: written here from the standard library."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def defined(frame: pd.DataFrame, text: str) -> set[str]:
    """The search as first written, row by row over the joined events."""
    words = fold(text).split()
    found = set()
    for row in frame.itertuples():
        fields = [getattr(row, column) for column in ("title", "summary", "place_name", "place_aliases")]
        searched = fold("\n".join(field if isinstance(field, str) else "" for field in fields))
        if all(word in searched for word in words):
            found.add(row.id)
    return found


def matched(snapshot: Snapshot, text: str) -> set[str]:
    return set(snapshot.events.loc[snapshot.index.matching(text), "id"])


def layers_without_events(folder: Path) -> Path:
    """A copy of the data directory whose events are all in the store (no shipped file), so the
    store answers every search."""
    shutil.copytree(LAYERS_DIR, folder)
    for path in (folder / "events").glob("*.json"):
        path.unlink()
    return folder


def import_file(store: Store, path: Path, name: str, layers_dir: Path, file_format: str | None = None) -> None:
    imported = read_file(path, dataset_name=name, file_format=file_format, layers_dir=layers_dir,
                         existing=store.existing(), max_bytes=path.stat().st_size)
    assert imported.ok, imported.problems()[:3]
    store.import_dataset(name, imported, source_file=path.name, licence="", by="test")


def fill(store: Store, layers_dir: Path, workdir: Path) -> None:
    """The article's events, the ACLED fixture and synthetic events, each a dataset of ``store``."""
    import_file(store, ARTICLE, "Article", layers_dir, "panj")
    import_file(store, IMPORTS / "acled.csv", "ACLED", layers_dir)
    synthetic = workdir / "synthetic.geojson"
    write_events_file(synthetic, SYNTHETIC_COUNT, layers_dir=layers_dir)
    import_file(store, synthetic, "Synthetic", layers_dir, "geojson")


def search_rows_agree(url: str) -> None:
    """One search row per event, and SQLite's index in step with the folded text it indexes."""
    assert raw_sql(url, "SELECT count(*) FROM panj_search") == raw_sql(url, "SELECT count(*) FROM panj_events")
    assert raw_sql(url, "SELECT count(*) FROM panj_search s LEFT JOIN panj_events e ON e.id = s.event_id "
                        "WHERE e.id IS NULL") == [(0,)]
    if url.startswith("sqlite"):
        raw_sql(url, "INSERT INTO panj_search_fts (panj_search_fts) VALUES ('integrity-check')")


@pytest.fixture(scope="module", params=["sqlite", "postgis"])
def filled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A store of each kind holding ``fill``'s datasets, and its data directory."""
    workdir = tmp_path_factory.mktemp(f"search-{request.param}")
    layers_dir = layers_without_events(workdir / "layers")
    if request.param == "sqlite":
        url = f"sqlite:///{workdir / 'store.sqlite3'}"
        with open_store(url) as store:
            fill(store, layers_dir, workdir)
        yield url, layers_dir
        return
    with new_database(request.getfixturevalue("postgis_url")) as url:
        with open_store(url) as store:
            fill(store, layers_dir, workdir)
        yield url, layers_dir


@pytest.fixture(scope="module")
def searched(filled: tuple[str, Path]) -> Snapshot:
    """The snapshot a read command builds: the store opened for reading only."""
    url, layers_dir = filled
    snapshot = build_snapshot(layers_dir, open_store(url, create=False))
    assert snapshot.index.stored is not None and snapshot.index.stored.rows.all()  # the store answers every row
    return snapshot


@pytest.mark.parametrize("text", SEARCHES)
def test_the_store_finds_what_the_search_found_row_by_row(searched: Snapshot, text: str) -> None:
    expected = defined(searched.details(searched.events), text)
    assert matched(searched, text) == expected
    in_memory = EventIndex(searched.details(searched.events))  # no store, the text in the rows
    assert set(searched.events.loc[in_memory.matching(text), "id"]) == expected


@pytest.mark.parametrize(("text", "expected"), test_filters.ARTICLE_SEARCHES, ids=[row[0] for row in test_filters.ARTICLE_SEARCHES])
def test_the_store_finds_the_article_places_by_their_spellings(searched: Snapshot, text: str, expected: set[str]) -> None:
    article = set(searched.events.loc[searched.events["dataset"] == "Article", "id"])
    assert matched(searched, text) & article == expected


@pytest.mark.parametrize(("text", "expected"), [
    # By hand from tests/fixtures/imports/acled.csv: its own places (Rushon, Khorugh, Kunduz) are
    # named in the store; Fayzabad's row is placed on the province of Badakhshan.
    ("rushon", {"tjk101"}),
    ('"several" killed', {"tjk101"}),
    ("khorugh square", {"tjk102"}),
    ("kunduz arrests", {"afg202"}),
    ("ied badakhshan", {"afg201"}),
    ("Бадахшан", set()),
])
def test_the_store_finds_acled_rows_by_hand(searched: Snapshot, text: str, expected: set[str]) -> None:
    acled = set(searched.events.loc[searched.events["dataset"] == "ACLED", "id"])
    assert matched(searched, text) & acled == expected


def test_the_search_rows_are_one_per_event(filled: tuple[str, Path]) -> None:
    search_rows_agree(filled[0])


@pytest.mark.parametrize("text", ["site badakhshan", "border", "a", "zzzz"])
def test_a_search_at_the_snapshots_revision_answers_with_search_rows(filled: tuple[str, Path], searched: Snapshot,
                                                                     text: str) -> None:
    url, _ = filled
    places = place_texts(searched.layers, searched.aliases)
    by_id = searched.store.search(text, places)
    by_row = searched.store.search(text, places, rows_at=searched.revision)
    if not url.startswith("sqlite"):  # PostgreSQL's search table numbers no row: ids either way
        assert by_row.rows is None and sorted(by_row.event_ids) == sorted(by_id.event_ids)
        return
    named = dict(raw_sql(url, "SELECT row, event_id FROM panj_search"))
    assert by_row.event_ids == [] and sorted(named[row] for row in by_row.rows.tolist()) == sorted(by_id.event_ids)
    ids = searched.events["id"].to_numpy()
    assert sorted(ids[searched.search_rows.positions_of(by_row.rows)].tolist()) == sorted(by_id.event_ids)
    moved_on = searched.store.search(text, places, rows_at=searched.revision - 1)  # rows of another revision: ids
    assert moved_on.rows is None and sorted(moved_on.event_ids) == sorted(by_id.event_ids)


def test_search_rows_find_the_frame_rows_holding_them() -> None:
    from geo.filters import SearchRows

    numbers = SearchRows(np.array([7, -1, 3, 12, 2**40, 5]))  # row 1 has none; one number past 32 bits
    found = numbers.positions_of(np.array([3, 5, 7, 12, 2**40, 4, 13, 0, -1]))
    assert found.tolist() == [2, 5, 0, 3, 4, -1, -1, -1, -1]
    assert SearchRows(np.array([-1, -1])).positions_of(np.array([1])).tolist() == [-1]
    assert SearchRows(np.array([4])).positions_of(np.array([], dtype=np.int64)).tolist() == []


def test_the_shipped_files_are_searched_as_the_store_searches_them(searched: Snapshot) -> None:
    # Without a store the article's events come from their file and are searched in memory.
    from_files = build_snapshot(LAYERS_DIR, None)
    assert from_files.index.stored is None
    article = set(searched.events.loc[searched.events["dataset"] == "Article", "id"])
    assert article == set(from_files.events["id"])
    for text in SEARCHES:
        assert matched(from_files, text) == matched(searched, text) & article, text


# --- kept in step ---------------------------------------------------------------------------------

def agrees(url: str, layers_dir: Path, texts: list[str]) -> dict[str, set[str]]:
    """Each text's matches through the store, after checking them against the row-by-row search."""
    snapshot = build_snapshot(layers_dir, open_store(url, create=False))
    search_rows_agree(url)
    found = {}
    for text in texts:
        found[text] = matched(snapshot, text)
        assert found[text] == defined(snapshot.details(snapshot.events), text), text
    return found


def update_files(folder: Path) -> tuple[Path, Path]:
    """An ACLED update of tests/fixtures/imports/acled.csv: TJK101 revised, TJK103 new, AFG202 deleted."""
    with (IMPORTS / "acled.csv").open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        header, rows = list(reader.fieldnames or []), {row["event_id_cnty"]: row for row in reader}
    revised = dict(rows["TJK101"], timestamp="1655000000", notes="Revised: nine killed near Rushon.")
    new = dict(rows["TJK101"], event_id_cnty="TJK103", timestamp="1655100000", notes="A new clash.")
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows([revised, new])
    update, deletions = folder / "update.csv", folder / "deleted.csv"
    update.write_text(out.getvalue(), encoding="utf-8")
    deletions.write_text("event_id_cnty,deleted_timestamp\nAFG202,1656000000\n", encoding="utf-8")
    return update, deletions


STEP_SEARCHES = ["rushon", "several", "nine killed", "new clash", "kunduz", "khorugh", "a"]


def test_delete_restore_rename_and_update_keep_the_search_in_step(store_url: str, tmp_path: Path) -> None:
    layers_dir = layers_without_events(tmp_path / "layers")
    with open_store(store_url) as store:
        import_file(store, IMPORTS / "acled.csv", "ACLED", layers_dir)
        import_file(store, ARTICLE, "Article", layers_dir, "panj")
        before = agrees(store_url, layers_dir, STEP_SEARCHES)
        assert (before["rushon"], before["several"], before["kunduz"]) == ({"tjk101"}, {"tjk101"}, {"afg202"})
        store.delete("ACLED", by="test")
        gone = agrees(store_url, layers_dir, STEP_SEARCHES)
        assert (gone["rushon"], gone["khorugh"], gone["kunduz"]) == (set(), set(), set())
        assert raw_sql(store_url, "SELECT count(*) FROM panj_search WHERE event_id LIKE ?",
                       parameters=("tjk%",)) == [(0,)]
        store.restore("ACLED", by="test")
        assert agrees(store_url, layers_dir, STEP_SEARCHES) == before
        store.rename("ACLED", "ACLED Tajikistan", by="test")
        assert agrees(store_url, layers_dir, STEP_SEARCHES) == before
        update, deletions = update_files(tmp_path)
        imported = read_file(update, dataset_name="ACLED Tajikistan", layers_dir=layers_dir,
                             existing=store.existing(besides="ACLED Tajikistan"), dataset_key="acled")
        counts = store.update_dataset("ACLED Tajikistan", imported, deletions=read_deletions(deletions),
                                      source_file=update.name, by="test")
        assert (counts.added, counts.revised, counts.deleted) == (1, 1, 1)
        after = agrees(store_url, layers_dir, STEP_SEARCHES)
    # TJK101's summary was rewritten: "several" no longer finds it, "nine killed" does; AFG202 is gone.
    assert (after["several"], after["nine killed"], after["new clash"], after["kunduz"]) == (
        set(), {"tjk101"}, {"tjk103"}, set())
    assert after["rushon"] == {"tjk101", "tjk103"}


# --- the schema -----------------------------------------------------------------------------------

def downgraded_to_version_2(url: str) -> None:
    """What a version 2 store is: this schema without the search's objects."""
    if url.startswith("sqlite"):
        raw_sql(url, "DROP TRIGGER panj_events_revised", "DROP TRIGGER panj_events_deleted",
                "DROP TABLE panj_search_fts", "DROP TABLE panj_search", "UPDATE panj_schema SET version = 2")
    else:
        raw_sql(url, "DROP TABLE panj_search", "DROP FUNCTION panj_search_forget() CASCADE",
                "UPDATE panj_schema SET version = 2")


def test_a_version_2_store_is_migrated_with_its_events_searchable(store_url: str, tmp_path: Path) -> None:
    assert SCHEMA_VERSION == 3
    layers_dir = layers_without_events(tmp_path / "layers")
    with open_store(store_url) as store:
        import_file(store, IMPORTS / "acled.csv", "ACLED", layers_dir)
        import_file(store, ARTICLE, "Article", layers_dir, "panj")
    downgraded_to_version_2(store_url)
    with pytest.raises(StoreError, match="schema version 2, older"):
        open_store(store_url, create=False)  # reading never migrates
    # A migration that fails half-way leaves version 2 as it was: one transaction.
    blocker = "panj_search_fts" if store_url.startswith("sqlite") else "panj_search_text"
    raw_sql(store_url, f"CREATE TABLE {blocker} (x INTEGER)")
    with pytest.raises(StoreError, match="could not be set up"):
        open_store(store_url)
    assert raw_sql(store_url, "SELECT version FROM panj_schema") == [(2,)]
    with pytest.raises(Exception, match="panj_search"):
        raw_sql(store_url, "SELECT count(*) FROM panj_search")
    raw_sql(store_url, f"DROP TABLE {blocker}")
    open_store(store_url).close()
    assert raw_sql(store_url, "SELECT version FROM panj_schema") == [(3,)]
    found = agrees(store_url, layers_dir, ["rushon", "aivaj border", "Хорог", "gb", "a"])
    assert found["rushon"] == {"tjk101"} and found["aivaj border"] == {"us-funds-ayvoj-post"}


# --- the index's own cache -------------------------------------------------------------------------

def test_a_search_is_asked_of_the_store_once_per_revision(searched: Snapshot) -> None:
    from geo.filters import SEARCHES_KEPT, StoredText

    asked: list[str] = []
    stored = searched.index.stored

    def search(text: str):
        asked.append(text)
        return stored.search(text)

    index = EventIndex(searched.events, StoredText(rows=stored.rows, revision=stored.revision, search=search,
                                                   search_rows=stored.search_rows))
    first = index.matching("Aivaj border")
    assert np.array_equal(index.matching("BORDER aivaj"), first) and asked == ["Aivaj border"]  # same words
    for number in range(SEARCHES_KEPT):
        index.matching(f"site {number}")
    index.matching("aivaj border")  # pushed out by the later searches: asked again
    assert asked.count("aivaj border") == 1 and len(asked) == SEARCHES_KEPT + 2


def test_an_answer_of_another_revision_is_not_kept(searched: Snapshot) -> None:
    from geo.filters import StoredText
    from geo.store import StoredMatches

    asked: list[str] = []
    stored = searched.index.stored
    places = place_texts(searched.layers, searched.aliases)

    def search(text: str) -> StoredMatches:  # the store has moved on since the snapshot was read: ids, not rows
        asked.append(text)
        return StoredMatches(stored.revision + 1, searched.store.search(text, places).event_ids)

    index = EventIndex(searched.events, StoredText(rows=stored.rows, revision=stored.revision, search=search))
    assert np.array_equal(index.matching("rushon"), index.matching("rushon")) and asked == ["rushon", "rushon"]
