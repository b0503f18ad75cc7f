"""Updating an imported dataset and keeping the good rows of a file, on the page (through
AppTest), with the same files and hand table as ``panj import --update`` (tests/test_cli_update.py)."""

from __future__ import annotations

from pathlib import Path

from geo.store import open_store
from tests.conftest import run_page, shown_text
from tests.test_app_editing import _notices, _seed, session  # noqa: F401  (the fixture)
from tests.test_cli_update import BASE, EXPECTED, _rows, _update_files, _write

NAME = "ACLED Tajikistan"


def _events(name: str) -> dict[str, tuple[int, str]]:
    with open_store() as store:
        stored = store.events([name], shipped=False)
    return {event.id: (stored.properties[event.id].get("fatalities"), event.summary) for event in stored.events}


def _upload(at, key: str, path: Path) -> None:
    next(uploader for uploader in at.file_uploader if uploader.key == key).set_value(
        (path.name, path.read_bytes(), "text/csv")).run()


def test_an_imported_dataset_is_updated_from_the_page(session, tmp_path) -> None:  # noqa: F811
    _seed((NAME, "acled.csv"))
    update, deletions = _update_files(tmp_path)
    at = run_page()
    at.selectbox(key="dataset_target").select(NAME).run()
    assert not any(widget.key == "dataset_licence" for widget in at.text_input)  # an update keeps its licence
    _upload(at, "dataset_upload0", update)
    _upload(at, "dataset_deletions0", deletions)
    assert any(shown_text(md.value).startswith("**5 rows accepted, 0 rejected") and "**4 deletions**" in shown_text(md.value)
               for md in at.markdown)
    at.button(key="dataset_import").click().run()
    assert _notices(at) == [f"Updated the dataset “{NAME}” from update.csv: 1 added, 1 revised, 2 unchanged, "
                            "1 deleted, 0 rejected; 4 events now."]
    assert _events(NAME) == EXPECTED


def test_update_this_dataset_chooses_it_for_the_upload(session, tmp_path) -> None:  # noqa: F811
    _seed((NAME, "acled.csv"))
    update, deletions = _update_files(tmp_path)
    at = run_page()
    assert at.selectbox(key="dataset_target").value == ""  # a new dataset, until the reader says otherwise
    at.button(key="dataset_update").click().run()
    assert at.selectbox(key="dataset_target").value == NAME
    assert _notices(at) == [f"Choose the newer file to update “{NAME}” with, and its deletions file if there is one."]
    _upload(at, "dataset_upload0", update)
    _upload(at, "dataset_deletions0", deletions)
    at.button(key="dataset_import").click().run()
    assert _events(NAME) == EXPECTED


def test_the_accepted_rows_are_kept_only_when_the_reader_says_so(session, tmp_path) -> None:  # noqa: F811
    header, base = _rows(BASE)
    some_bad = _write(tmp_path / "some-bad.csv", header,
                      [dict(base["TJK101"], longitude="east"), base["TJK102"], base["AFG201"]])
    at = run_page()
    _upload(at, "dataset_upload0", some_bad)
    assert [shown_text(warning.value) for warning in at.warning] == [
        "Nothing was saved: fix the rejected rows and upload the file again, or keep the accepted rows."]
    assert not any(button.key == "dataset_import" for button in at.button)
    at.checkbox(key="dataset_keep_good").check().run()
    at.button(key="dataset_import").click().run()
    assert _notices(at) == ["Imported 2 events from some-bad.csv as the dataset “some-bad”; 1 rows were left out."]
    assert set(_events("some-bad")) == {"tjk102", "afg201"}


def test_a_dataset_deleted_while_chosen_for_an_update_leaves_a_working_page(session) -> None:  # noqa: F811
    _seed((NAME, "acled.csv"))
    at = run_page()
    at.selectbox(key="dataset_target").select(NAME).run()
    with open_store() as store:
        store.delete(NAME, by="tests")
    at.run()
    assert not at.exception
    assert at.selectbox(key="dataset_target").value == ""
