"""geo.store: datasets kept in SQLite and in a real PostgreSQL with PostGIS (a throwaway cluster,
tests/pgcluster.py), the same tests on both: what is stored comes back as the model's events,
joinable like the article's; a failed import leaves the store as it was."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.events import load_events, load_vocabulary
from geo.importers import read_file
from geo.join import join_events
from geo.layers import LAYERS_DIR, feature_refs, load_layers
from geo.store import SCHEMA_VERSION, Store, StoreError, default_url, load_shipped, open_store

IMPORTS = Path(__file__).parent / "fixtures" / "imports"
PG_FAILING_TRIGGER = """
CREATE FUNCTION panj_fail_midway() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.dataset_id = 'second' AND NEW.row_number = 4 THEN RAISE EXCEPTION 'injected failure'; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER panj_fail_midway BEFORE INSERT ON panj_events FOR EACH ROW EXECUTE FUNCTION panj_fail_midway();
"""
SQLITE_FAILING_TRIGGER = """
CREATE TRIGGER panj_fail_midway BEFORE INSERT ON panj_events
WHEN NEW.dataset_id = 'second' AND NEW.row_number = 4 BEGIN SELECT RAISE(ABORT, 'injected failure'); END
"""


@pytest.fixture(params=["sqlite", "postgis"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty store of each kind: a SQLite file, or a new database of the session's cluster."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    import psycopg

    cluster = request.getfixturevalue("postgis_url")
    database = f"panj_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(cluster, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {database}")
    yield cluster.replace("/postgres?", f"/{database}?")
    with psycopg.connect(cluster, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE {database} WITH (FORCE)")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def imported(store: Store, fixture: str, name: str):
    return read_file(IMPORTS / fixture, dataset_name=name, existing=store.existing())


def snapshot(store: Store) -> tuple:
    stored = store.events()
    return ([(d.name, d.row_count) for d in store.datasets()], [e.id for e in stored.events],
            sorted(stored.places), sorted(stored.actors))


def test_a_dataset_comes_back_as_the_models_events(store: Store) -> None:
    reading = imported(store, "acled.csv", "ACLED Tajikistan 2022")
    dataset = store.import_dataset("ACLED Tajikistan 2022", reading, source_file="acled.csv", licence="ACLED terms of use")
    assert (dataset.name, dataset.source_file, dataset.row_count, dataset.licence) == (
        "ACLED Tajikistan 2022", "acled.csv", 4, "ACLED terms of use")
    assert dataset.imported_at.tzinfo is not None
    assert store.datasets() == [dataset]

    stored = store.events()
    assert stored.events == [event.event for event in reading.events]  # equal, field by field
    assert stored.properties["tjk101"]["fatalities"] == 8
    assert set(stored.dataset_of.values()) == {"ACLED Tajikistan 2022"}
    assert stored.documents["acled-tajikistan-2022"].title == "ACLED Tajikistan 2022"
    assert set(stored.actors) == set(reading.actors)
    places = stored.places["imported-acled-tajikistan-2022"].frame
    assert places.loc["khorugh"].geometry.equals(reading.places["khorugh"].geometry)  # WKB round trip

    layers = load_layers()
    joined = join_events(stored.events, {**layers, **stored.places}).set_index("id")
    assert joined.loc["tjk102", "in_gbao"] and joined.loc["tjk102", "country_id"] == "tajikistan"
    assert joined.loc["afg201", "province_id"] == "badakhshan"  # geo_precision 3: the province itself
    assert joined.loc["afg201"].geometry.geom_type in ("Polygon", "MultiPolygon")


def test_datasets_are_chosen_renamed_and_deleted(store: Store) -> None:
    store.import_dataset("ACLED", imported(store, "acled.csv", "ACLED"), source_file="a.csv", licence="")
    store.import_dataset("Field notes", imported(store, "events.geojson", "Field notes"), source_file="n.geojson", licence="CC BY 4.0")
    assert [event.id for event in store.events(["Field notes"]).events] == [
        "ishkashim-market", "shugnan-patrols", "khorugh-statement"]
    store.rename("ACLED", "ACLED 2022")
    assert [d.name for d in store.datasets()] == ["ACLED 2022", "Field notes"]
    assert store.events(["ACLED 2022"]).documents["acled"].title == "ACLED 2022"  # the id stays
    with pytest.raises(StoreError, match="exists already"):
        store.rename("ACLED 2022", "Field notes")
    with pytest.raises(StoreError, match="no dataset called 'Nothing'"):
        store.delete("Nothing")
    store.delete("ACLED 2022")
    assert [d.name for d in store.datasets()] == ["Field notes"]
    assert "imported-acled" not in store.events().places
    with pytest.raises(StoreError, match="no dataset called 'ACLED 2022'"):
        store.events(["ACLED 2022"])


def test_a_failed_import_leaves_the_store_as_it_was(store_url: str) -> None:
    with open_store(store_url) as store:
        store.import_dataset("first", imported(store, "acled-2017.csv", "first"), source_file="old.csv", licence="")
        before = snapshot(store)
    if store_url.startswith("sqlite"):  # a real failure inside the database, at the third event of four
        with sqlite3.connect(store_url.removeprefix("sqlite:///")) as connection:
            connection.execute(SQLITE_FAILING_TRIGGER)
    else:
        import psycopg

        with psycopg.connect(store_url, autocommit=True) as connection:
            connection.execute(PG_FAILING_TRIGGER)
    with open_store(store_url) as store:
        reading = imported(store, "acled.csv", "second")
        with pytest.raises(StoreError, match="injected failure"):
            store.import_dataset("second", reading, source_file="acled.csv", licence="")
        assert snapshot(store) == before
        assert store.existing().event_ids.keys() == {"afg7", "afg8"}


def test_the_shipped_events_are_a_dataset(store: Store, tmp_path: Path) -> None:
    layers_dir = tmp_path / "layers"
    shutil.copytree(LAYERS_DIR, layers_dir)
    [shipped] = load_shipped(store, layers_dir)
    assert (shipped.name, shipped.format, shipped.source_file) == ("edm-v19-i92", "panj", "events/edm-v19-i92.json")
    article = load_events(layers_dir, vocabulary=load_vocabulary(layers_dir), place_refs=feature_refs(load_layers(layers_dir)))
    assert store.events().events == article
    assert load_shipped(store, layers_dir) == []  # unchanged: left alone
    path = layers_dir / "events" / "edm-v19-i92.json"
    path.write_text(path.read_text(encoding="utf-8").replace("Taliban take power", "The Taliban take power"), encoding="utf-8")
    [replaced] = load_shipped(store, layers_dir)
    assert replaced.source_sha256 != shipped.source_sha256
    assert store.events().events[0].title == "The Taliban take power in Afghanistan"


def test_the_shipped_datasets_follow_the_data_directory(store: Store, tmp_path: Path) -> None:
    # Another data directory's shipped files are not this one's: their datasets go; imports stay.
    shutil.copytree(LAYERS_DIR, tmp_path / "article")
    other = tmp_path / "second"
    shutil.copytree(LAYERS_DIR, other)
    (other / "events" / "edm-v19-i92.json").rename(other / "events" / "second-copy.json")
    load_shipped(store, tmp_path / "article")
    store.import_dataset("Own", imported(store, "acled.csv", "Own"), source_file="own.csv", licence="")
    load_shipped(store, other)
    assert sorted(dataset.name for dataset in store.datasets()) == ["Own", "second-copy"]


def test_the_schema_is_made_once_and_a_newer_one_refused(store_url: str) -> None:
    with open_store(store_url) as store:
        store.import_dataset("ACLED", imported(store, "acled.csv", "ACLED"), source_file="a.csv", licence="")
    with open_store(store_url) as store:  # opening again keeps what is there
        assert [d.name for d in store.datasets()] == ["ACLED"]
        store._execute("UPDATE panj_schema SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError, match="newer than this Panj's"):
        open_store(store_url)


def test_where_the_store_is(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PANJ_DATABASE_URL", raising=False)
    monkeypatch.setenv("PANJ_DATA_DIR", str(tmp_path / "data"))
    assert default_url() == f"sqlite:///{tmp_path / 'data' / 'panj.sqlite3'}"
    with open_store() as store:
        assert store.location == str(tmp_path / "data" / "panj.sqlite3")
    monkeypatch.setenv("PANJ_DATABASE_URL", "postgresql://panj:secret@db.example/panj")
    assert default_url() == "postgresql://panj:secret@db.example/panj"
    with pytest.raises(StoreError, match=r"must start sqlite:/// or postgresql://"):
        open_store("mysql://somewhere/panj")
