"""The command line's read commands read: `panj events` and `panj export` never write the store,
exports of one revision share the snapshot's one published folder, and a figure of an imported
dataset credits it with its terms (issue 19's "done when")."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from geo import cli
from geo.importers import read_file
from geo.layers import LAYERS_DIR
from geo.store import default_url, open_store

IMPORTS = Path(__file__).parent / "fixtures" / "imports"


def _files_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


@pytest.mark.parametrize("argv", [
    ["events"], ["events", "--format", "csv"], ["events", "--help"], ["export", "--help"],
    ["datasets", "--help"], ["import", "--help"],
])
def test_read_commands_leave_an_empty_data_directory_empty(argv, tmp_path, monkeypatch, capsys) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    monkeypatch.setenv("PANJ_DATA_DIR", str(data_dir))
    assert cli.main(argv) == 0
    assert _files_under(data_dir) == []


def test_events_of_another_data_directory_leave_the_store_as_it_was(tmp_path, monkeypatch, capsys) -> None:
    """Another data directory's events are shown from its own files; the store's datasets, the
    running page's article among them, stay as they were."""
    monkeypatch.setenv("PANJ_DATA_DIR", str(tmp_path / "data"))
    with open_store() as store:
        from geo.store import load_shipped

        load_shipped(store, LAYERS_DIR)
        reading = read_file(IMPORTS / "acled.csv", dataset_name="ACLED", existing=store.existing())
        store.import_dataset("ACLED", reading, source_file="acled.csv", licence="ACLED terms", by="tests")
        before = [(d.name, d.row_count, d.source_sha256, d.imported_at) for d in store.datasets()]
        revision = store.revision()
    other = tmp_path / "other-layers"
    shutil.copytree(LAYERS_DIR, other)
    (other / "events" / "edm-v19-i92.json").rename(other / "events" / "renamed-article.json")
    assert cli.main(["events", "--layers-dir", str(other), "--format", "csv"]) == 0
    printed = capsys.readouterr().out
    assert "renamed-article" in printed and "ACLED" in printed
    with open_store(default_url()) as store:
        assert [(d.name, d.row_count, d.source_sha256, d.imported_at) for d in store.datasets()] == before
        assert store.revision() == revision


@pytest.mark.browser
def test_three_exports_of_one_revision_add_one_folder_and_credit_the_dataset(
        static_dir, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PANJ_DATA_DIR", str(tmp_path / "data"))
    with open_store() as store:
        reading = read_file(IMPORTS / "acled.csv", dataset_name="ACLED Tajikistan", existing=store.existing())
        store.import_dataset("ACLED Tajikistan", reading, source_file="acled.csv",
                             licence="ACLED terms of use", by="tests")
    figures = [tmp_path / f"figure-{number}.pdf" for number in range(3)]
    for figure in figures:
        assert cli.main(["export", "--out", str(figure), "--dataset", "ACLED Tajikistan"]) == 0, capsys.readouterr().err
    assert len(list((static_dir / "vendor" / "data").iterdir())) == 1
    text = subprocess.run(["pdftotext", "-layout", str(figures[0]), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    assert "Events: ACLED Tajikistan (ACLED terms of use)" in flat
    assert "Eurasia Daily Monitor" not in flat  # the article's events are not in this figure


def test_export_refuses_an_unknown_dataset_naming_the_known_ones(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PANJ_DATA_DIR", str(tmp_path / "data"))
    assert cli.main(["export", "--out", str(tmp_path / "x.png"), "--dataset", "Nope"]) == 2
    assert "no dataset called 'Nope'; the datasets are 'edm-v19-i92'" in capsys.readouterr().err
