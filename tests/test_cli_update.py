"""``panj import --update``: an imported ACLED dataset brought up to date with a newer export and a
deletions file, as ACLED publishes them (rows matched by ``event_id_cnty``, revised when their
``timestamp`` is newer; deletions as ``event_id_cnty,deleted_timestamp``). The expectations are
the hand table below, worked out from the files' rows, not from the code."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from geo.cli import main
from geo.importers import ImportFileError, read_deletions
from geo.store import open_store

IMPORTS = Path(__file__).parent / "fixtures" / "imports"
BASE = IMPORTS / "acled.csv"  # TJK101, TJK102, AFG201, AFG202 with their timestamps
NAME = "ACLED Tajikistan"


@pytest.fixture(autouse=True)
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("PANJ_DATABASE_URL", raising=False)
    monkeypatch.setenv("PANJ_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _rows(path: Path) -> tuple[list[str], dict[str, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        return list(reader.fieldnames or []), {row["event_id_cnty"]: row for row in reader}


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _update_files(folder: Path) -> tuple[Path, Path]:
    header, base = _rows(BASE)
    revised = dict(base["TJK101"], timestamp="1655000000", fatalities="9", notes="Revised: nine killed near Rushon.")
    same_time = dict(base["TJK102"], notes="Changed text under the same timestamp.")  # not newer: left
    older = dict(base["AFG201"], timestamp="1630000000", fatalities="5")  # older than stored: left
    new = dict(base["TJK101"], event_id_cnty="TJK103", timestamp="1655100000", notes="A new clash.")
    new_then_deleted = dict(base["TJK101"], event_id_cnty="TJK104", timestamp="1655200000")
    update = _write(folder / "update.csv", header, [revised, same_time, older, new, new_then_deleted])
    deletions = folder / "deleted.csv"
    deletions.write_text("event_id_cnty,deleted_timestamp\n"
                         "AFG202,1656000000\n"  # stored: deleted
                         "TJK104,1656000000\n"  # the update's own new row, deleted after it: never added
                         "TJK101,1654500000\n"  # deleted before the update's revision of it: the revision stands
                         "XXX999,1656000000\n", encoding="utf-8")  # never held: nothing to do
    return update, deletions


# event id -> (fatalities, summary) after the update, by hand from the table above
EXPECTED = {
    "tjk101": (9, "Revised: nine killed near Rushon."),
    "tjk102": (0, "Residents gathered in Khorugh's central square."),
    "afg201": (2, "An IED struck a Taliban vehicle in Badakhshan."),
    "tjk103": (8, "A new clash."),
}


def _stored() -> dict[str, tuple[int, str]]:
    with open_store() as store:
        stored = store.events([NAME], shipped=False)
    return {event.id: (stored.properties[event.id].get("fatalities"), event.summary) for event in stored.events}


def test_an_update_with_deletions_leaves_the_rows_acled_would_have(tmp_path, capsys) -> None:
    assert main(["import", str(BASE), "--name", NAME]) == 0
    update, deletions = _update_files(tmp_path)
    capsys.readouterr()
    assert main(["import", str(update), "--update", NAME, "--deletions", str(deletions)]) == 0
    out = capsys.readouterr().out
    assert "1 added, 1 revised, 2 unchanged, 1 deleted, 0 rejected; 4 events" in out
    assert _stored() == EXPECTED
    with open_store() as store:
        dataset = next(dataset for dataset in store.datasets() if dataset.name == NAME)
        assert (dataset.row_count, dataset.source_file) == (4, "update.csv")
        assert [change.kind for change in store.log()][:2] == ["update", "import"]


def test_an_update_follows_a_renamed_dataset(tmp_path, capsys) -> None:
    assert main(["import", str(BASE), "--name", "ACLED 2022"]) == 0
    assert main(["datasets", "--rename", "ACLED 2022", NAME]) == 0
    update, deletions = _update_files(tmp_path)
    assert main(["import", str(update), "--update", NAME, "--deletions", str(deletions)]) == 0
    assert _stored() == EXPECTED


def test_a_rejected_row_stops_the_update_unless_keep_good(tmp_path, capsys) -> None:
    assert main(["import", str(BASE), "--name", NAME]) == 0
    header, base = _rows(BASE)
    bad = dict(base["TJK101"], event_id_cnty="TJK105", timestamp="1655000000", latitude="north")
    good = dict(base["TJK101"], event_id_cnty="TJK106", timestamp="1655000000")
    update = _write(tmp_path / "update.csv", header, [bad, good])
    before = _stored()
    capsys.readouterr()
    assert main(["import", str(update), "--update", NAME]) == 1
    err = capsys.readouterr().err
    assert "row 2, field 'latitude'" in err and "nothing imported" in err and "--keep-good" in err
    assert _stored() == before
    assert main(["import", str(update), "--update", NAME, "--keep-good"]) == 0
    assert "1 added, 0 revised, 0 unchanged, 0 deleted, 1 rejected; 5 events" in capsys.readouterr().out
    assert set(_stored()) == set(before) | {"tjk106"}


def test_keep_good_imports_the_accepted_rows_of_a_new_dataset(tmp_path, capsys) -> None:
    header, base = _rows(BASE)
    rows = [dict(base["TJK101"], longitude="east"), base["TJK102"], base["AFG201"]]
    assert main(["import", str(_write(tmp_path / "some-bad.csv", header, rows)), "--name", NAME]) == 1
    assert main(["import", str(_write(tmp_path / "some-bad.csv", header, rows)), "--name", NAME, "--keep-good"]) == 0
    assert "imported 2 events into dataset 'ACLED Tajikistan', 1 rows rejected" in capsys.readouterr().out
    assert set(_stored()) == {"tjk102", "afg201"}


@pytest.mark.parametrize("argv, message", [
    (["--update", "No such dataset"], "--update No such dataset: no imported dataset of that name"),
    (["--update", "edm-v19-i92"], "--update edm-v19-i92: no imported dataset of that name"),  # the shipped one
    (["--name", NAME, "--deletions", str(BASE)], "--deletions goes with --update NAME"),
    (["--update", NAME, "--licence", "x"], "--licence goes with --name"),
    (["--update", NAME, "--format", "panj"], "--update takes ACLED, UCDP or GeoJSON files"),
    (["--update", NAME, "--name", NAME], "not allowed with argument"),
])
def test_bad_update_usage_exits_2(argv, message, capsys) -> None:
    assert main(["import", str(BASE), "--name", NAME]) == 0
    assert main(["import", str(BASE), *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_deletions_file_gives_every_problem_at_once(tmp_path) -> None:
    path = tmp_path / "deleted.csv"
    path.write_text("event_id_cnty,deleted_timestamp\n,1656000000\nAFG202,soon\nAFG203\nAFG204,2022-06-01\n",
                    encoding="utf-8")
    with pytest.raises(ImportFileError) as raised:
        read_deletions(path)
    assert [(problem.item, problem.field) for problem in raised.value.problems] == [
        ("row 2", "event_id_cnty"), ("row 3", "deleted_timestamp"), ("row 4", None)]
    path.write_text("id\nfeature-7\n", encoding="utf-8")
    assert read_deletions(path) == {"feature-7": ""}


def test_the_update_runs_on_postgis(postgis_url, monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("PANJ_DATABASE_URL", postgis_url)
    name = "ACLED update on PostGIS"
    assert main(["import", str(BASE), "--name", name]) == 0
    update, deletions = _update_files(tmp_path)
    capsys.readouterr()
    assert main(["import", str(update), "--update", name, "--deletions", str(deletions)]) == 0
    assert "1 added, 1 revised, 2 unchanged, 1 deleted, 0 rejected; 4 events" in capsys.readouterr().out
    assert main(["datasets", "--delete", name]) == 0


def test_a_geojson_dataset_is_updated_by_its_feature_ids(tmp_path, capsys) -> None:
    """events.geojson's three features: the market's summary changed (the file gives no revision
    time, so a changed feature replaces the stored one), Khorugh's statement as it was, a new
    feature, and the Shugnan patrols deleted by their id."""
    base = IMPORTS / "events.geojson"
    assert main(["import", str(base), "--name", "Field notes"]) == 0
    collection = json.loads(base.read_text(encoding="utf-8"))
    market, _, statement = collection["features"]
    market["properties"]["summary"] = "The market closed again."
    added = json.loads(json.dumps(statement))
    added["properties"].update(id="khorugh-second-statement", summary="A second statement.")
    collection["features"] = [market, statement, added]
    update = tmp_path / "update.geojson"
    update.write_text(json.dumps(collection), encoding="utf-8")
    deletions = tmp_path / "deleted.csv"
    deletions.write_text("id\nshugnan-patrols\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(update), "--update", "Field notes", "--deletions", str(deletions)]) == 0
    assert "1 added, 1 revised, 1 unchanged, 1 deleted, 0 rejected; 3 events" in capsys.readouterr().out
    with open_store() as store:
        stored = store.events(["Field notes"], shipped=False)
    assert {event.id: event.summary for event in stored.events} == {
        "ishkashim-market": "The market closed again.",
        "khorugh-statement": "A statement read in Khorugh.",
        "khorugh-second-statement": "A second statement.",
    }
