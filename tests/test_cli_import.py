"""``panj import`` and ``panj datasets``: exit 0 done, 1 invalid data (with the report), 2 bad usage;
the store is the one PANJ_DATABASE_URL or PANJ_DATA_DIR names. ``panj import`` loads the data
directory's events files first (the shipped dataset edm-v19-i92), as the page does at start."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from geo.cli import main
from geo.store import open_store

ROOT = Path(__file__).resolve().parents[1]
IMPORTS = Path(__file__).parent / "fixtures" / "imports"


@pytest.fixture(autouse=True)
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("PANJ_DATABASE_URL", raising=False)
    monkeypatch.delenv("PANJ_IMPORT_MAX_MB", raising=False)
    monkeypatch.setenv("PANJ_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


SHIPPED = "edm-v19-i92"  # layers/events/edm-v19-i92.json


def dataset_names() -> list[str]:
    """The imported datasets' names (not the shipped ones)."""
    with open_store() as store:
        return [dataset.name for dataset in store.datasets() if not dataset.shipped]


def test_import_list_rename_delete(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(IMPORTS / "acled.csv"), "--name", "ACLED 2022", "--licence", "ACLED terms"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("imported 4 events into dataset 'ACLED 2022'")
    assert "flagged: row 5, field 'actors': actor 'Women (Afghanistan)'" in err  # the first row naming it
    assert main(["import", str(IMPORTS / "events.geojson"), "--name", "Field notes", "--format", "geojson"]) == 0
    capsys.readouterr()
    assert main(["datasets"]) == 0
    listing = {line.split("\t")[0]: line for line in capsys.readouterr().out.splitlines()}
    assert sorted(listing) == ["ACLED 2022", "Field notes", SHIPPED]
    assert listing["ACLED 2022"].split("\t")[:3] == ["ACLED 2022", "4 events", "acled"]
    assert listing["ACLED 2022"].endswith("\tacled.csv\tACLED terms")
    assert listing["Field notes"].startswith("Field notes\t3 events\tgeojson")
    assert listing[SHIPPED].endswith("\tshipped") and f"\tevents/{SHIPPED}.json\t" in listing[SHIPPED]
    assert main(["datasets", "--rename", "ACLED 2022", "ACLED Tajikistan"]) == 0
    assert main(["datasets", "--delete", "Field notes"]) == 0
    assert dataset_names() == ["ACLED Tajikistan"]


def test_invalid_data_exits_1_with_every_row_field_and_reason(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    report = tmp_path / "report.csv"
    assert main(["import", str(IMPORTS / "many-problems.csv"), "--name", "Broken", "--report", str(report)]) == 1
    err = capsys.readouterr().err
    for row, field in ((2, "event_date"), (3, "time_precision"), (4, "event_type"), (5, "longitude")):
        assert f"many-problems.csv: row {row}, field '{field}': " in err
    assert "nothing imported: 0 rows accepted, 4 rejected" in err
    assert [row[:4] for row in csv.reader(report.open(encoding="utf-8"))][1:] == [
        ["2", "rejected", "tjk101", "event_date"], ["3", "rejected", "tjk102", "time_precision"],
        ["4", "rejected", "afg201", "event_type"], ["5", "rejected", "afg202", "longitude"]]
    assert dataset_names() == []


@pytest.mark.parametrize("fixture", ["empty.csv", "latin-1.csv", "bad.geojson", "bad-article.json"])
def test_each_bad_file_exits_1_and_stores_nothing(fixture: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(IMPORTS / fixture), "--name", "Bad"]) == 1
    assert "panj import: nothing imported" in capsys.readouterr().err
    assert dataset_names() == []


def test_a_file_over_the_limit_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(IMPORTS / "acled.csv"), "--name", "Big", "--max-size", "0.0001"]) == 1
    assert "over the import limit of 0.0 MB" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["import", str(IMPORTS / "acled.csv")], "one of the arguments --name --update is required"),
        (["import", str(IMPORTS / "acled.csv"), "--name", "x", "--format", "xlsx"], "invalid choice: 'xlsx'"),
        (["import", "no-such-file.csv", "--name", "x"], "no such file"),
        (["import", str(IMPORTS / "acled.csv"), "--name", "!!!"], "must hold a letter or a digit"),
        (["import", str(IMPORTS / "acled.csv"), "--name", "x", "--max-size", "0"], "--max-size 0: must be a positive"),
        (["datasets", "--delete", "Nothing"], "no dataset called 'Nothing'; the store has none"),
        (["datasets", "--delete", "a", "--rename", "b", "c"], "not allowed with argument"),
    ],
)
def test_bad_usage_exits_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_name_taken_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(IMPORTS / "acled.csv"), "--name", "ACLED"]) == 0
    assert main(["import", str(IMPORTS / "acled-2017.csv"), "--name", "ACLED"]) == 2
    assert main(["import", str(IMPORTS / "second-article.json"), "--name", "Second"]) == 0
    assert main(["datasets", "--rename", "Second", "ACLED"]) == 2
    assert "a dataset called 'ACLED' exists already" in capsys.readouterr().err


def test_importing_the_same_events_twice_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(IMPORTS / "acled.csv"), "--name", "ACLED"]) == 0
    assert main(["import", str(IMPORTS / "acled.csv"), "--name", "ACLED again"]) == 1
    assert "row 2, field 'id': event 'tjk101' is already in dataset 'ACLED'" in capsys.readouterr().err


def test_python_m_geo_imports_into_the_same_store(data_dir: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "geo", "import", str(IMPORTS / "second-article.json"), "--name", "Second"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    listed = subprocess.run([sys.executable, "-m", "geo", "datasets"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert listed.returncode == 0 and "\nSecond\t2 events\tpanj" in f"\n{listed.stdout}"
    assert (data_dir / "panj.sqlite3").is_file()


def test_the_import_runs_on_postgis(postgis_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PANJ_DATABASE_URL", postgis_url)
    assert main(["import", str(IMPORTS / "events.geojson"), "--name", "Field notes on PostGIS"]) == 0
    assert "(postgresql://" in capsys.readouterr().out
    assert main(["datasets", "--delete", "Field notes on PostGIS"]) == 0


def test_a_deleted_dataset_is_restored_from_the_trash(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(IMPORTS / "acled.csv"), "--name", "ACLED"]) == 0
    assert main(["datasets", "--delete", "ACLED"]) == 0
    assert "panj datasets --restore ACLED brings it back" in capsys.readouterr().out
    assert main(["datasets", "--trash"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith("ACLED\t4 events\tdeleted ") and " UTC by command line\trestorable until " in line
    assert main(["import", str(IMPORTS / "acled.csv"), "--name", "ACLED"]) == 0  # not blocked by the trash
    capsys.readouterr()
    assert main(["datasets", "--restore", "ACLED"]) == 1
    assert "cannot be restored: another dataset has taken its name" in capsys.readouterr().err
    assert main(["datasets", "--delete", "ACLED"]) == 0
    assert main(["datasets", "--restore", "ACLED"]) == 0  # the one deleted last
    assert dataset_names() == ["ACLED"]
    assert main(["datasets", "--restore", "Nothing"]) == 2
    assert "no dataset called 'Nothing' in the trash" in capsys.readouterr().err


def test_the_log_lists_every_change_newest_first(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(IMPORTS / "acled.csv"), "--name", "ACLED"]) == 0
    assert main(["datasets", "--rename", "ACLED", "ACLED 2022"]) == 0
    assert main(["datasets", "--delete", "ACLED 2022"]) == 0
    assert main(["datasets", "--restore", "ACLED 2022"]) == 0
    capsys.readouterr()
    assert main(["datasets", "--log"]) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [line[1:] for line in lines] == [
        ["restore", "ACLED 2022", "command line"],
        ["delete", "ACLED 2022", "command line"],
        ["rename", "ACLED -> ACLED 2022", "command line"],
        ["import", "ACLED", "command line"],
        ["import", SHIPPED, "command line"],  # panj import loads the data directory's events first
    ]
    assert all(line[0].endswith(" UTC") for line in lines)


def test_a_shipped_dataset_is_not_changed_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(IMPORTS / "acled.csv"), "--name", "ACLED"]) == 0
    for argv in (["datasets", "--delete", SHIPPED], ["datasets", "--rename", SHIPPED, "Mine"]):
        assert main(argv) == 2
        assert f"dataset '{SHIPPED}' is the data directory's events/{SHIPPED}.json" in capsys.readouterr().err
