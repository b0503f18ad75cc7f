"""Who may change datasets on the page, through AppTest: what a session without the right sees,
that a click it should not have made (a control drawn before it lost the right, or a disabled one
forged enabled) changes nothing in the store, the password's unlock and pause, the delete
confirmation, and that the import panel reads an upload once and says what it imported.

The session's address is set through ``ui.datasets.session_address`` (under AppTest no browser
connects); the password gate's clock through ``ui.datasets.clock``."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from conftest import run_page, shown_text
from streamlit.testing.v1 import AppTest

import geo.importers
import ui.datasets
from geo.store import open_store

IMPORTS = Path(__file__).parent / "fixtures" / "imports"
SHIPPED = "edm-v19-i92"  # layers/events/edm-v19-i92.json, loaded into the store by the page
ELSEWHERE = "203.0.113.7"  # a documentation address: another machine


@pytest.fixture
def session(monkeypatch) -> dict:
    """The page on the shipped layers, its editing settings unset; ``session["address"]`` is the
    address the page sees this session's browser at (the server's own machine unless a test
    changes it) and ``session["now"]`` the password gate's clock."""
    monkeypatch.delenv("PANJ_LAYERS_DIR", raising=False)
    monkeypatch.delenv("PANJ_EDITING", raising=False)
    monkeypatch.delenv("PANJ_EDITOR_PASSWORD", raising=False)
    st.cache_resource.clear()
    state = {"address": "127.0.0.1", "now": 1000.0}
    monkeypatch.setattr(ui.datasets, "session_address", lambda: state["address"])
    monkeypatch.setattr(ui.datasets, "clock", lambda: state["now"])
    yield state
    st.cache_resource.clear()


def _seed(*names_and_files: tuple[str, str]) -> None:
    """Import test files into the test's store as datasets, as `panj import` does."""
    with open_store() as store:
        for name, file_name in names_and_files:
            imported = geo.importers.read_file(IMPORTS / file_name, dataset_name=name, existing=store.existing())
            store.import_dataset(name, imported, source_file=file_name, licence="", by="tests")


def _stored() -> set[str]:
    with open_store() as store:
        return {dataset.name for dataset in store.datasets()}


def _keys(at: AppTest) -> set[str]:
    return {widget.key for widget in [*at.button, *at.text_input, *at.checkbox, *at.selectbox] if widget.key}


def _notices(at: AppTest) -> list[str]:
    return [shown_text(element.value) for element in [*at.success, *at.error]]


def _captions(at: AppTest) -> list[str]:
    return [shown_text(caption.value) for caption in at.caption]


EDIT_CONTROLS = {"dataset_import", "dataset_rename", "dataset_delete", "dataset_new_name", "dataset_chosen",
                 "dataset_update"}


@pytest.mark.parametrize(("environ", "address", "line", "password_box"), [
    ({}, ELSEWHERE, ("Only a browser on the server's own machine (at http://localhost) may import, rename or "
                     "delete datasets here; others see them read-only."), False),
    ({}, None, ("Only a browser on the server's own machine (at http://localhost) may import, rename or "
                "delete datasets here; others see them read-only."), False),
    ({"PANJ_EDITING": "off"}, "127.0.0.1",
     "Editing is off on this server (PANJ_EDITING=off): the datasets are read-only here.", False),
    ({"PANJ_EDITING": "password", "PANJ_EDITOR_PASSWORD": "s3cret"}, "127.0.0.1",
     "To import, rename or delete datasets, unlock editing with the editor password.", True),
    ({"PANJ_EDITING": "password"}, "127.0.0.1",
     ("PANJ_EDITING=password but PANJ_EDITOR_PASSWORD is not set: nobody may import, rename or delete "
      "datasets until it is."), False),
    ({"PANJ_EDITING": "yes"}, "127.0.0.1",
     ("PANJ_EDITING='yes' is not one of local, password, off: nobody may import, rename or delete datasets "
      "until it is fixed."), False),
], ids=["local-elsewhere", "local-unknown-address", "off", "password-locked", "password-unset", "unknown-mode"])
def test_a_reader_without_the_right_sees_the_datasets_read_only(session, monkeypatch, environ, address, line,
                                                                password_box) -> None:
    for variable, value in environ.items():
        monkeypatch.setenv(variable, value)
    session["address"] = address
    _seed(("Field notes", "acled.csv"))
    at = run_page()
    assert not at.file_uploader
    assert not EDIT_CONTROLS & _keys(at)
    assert line in _captions(at)
    assert ({"editing_password", "editing_unlock"} <= _keys(at)) is password_box
    assert any(list(frame.value.get("Dataset", [])) == ["Field notes", SHIPPED] for frame in at.dataframe)


def test_the_server_s_own_machine_may_edit_by_default(session) -> None:
    _seed(("Field notes", "acled.csv"))
    at = run_page()
    assert [uploader.key for uploader in at.file_uploader] == ["dataset_upload0"]
    assert {"dataset_rename", "dataset_delete", "dataset_chosen"} <= _keys(at)
    assert at.selectbox(key="dataset_chosen").options == ["Field notes"]  # the shipped dataset is not offered


def test_a_delete_clicked_after_the_session_lost_the_right_changes_nothing(session) -> None:
    _seed(("Field notes", "acled.csv"))
    at = run_page()
    at.checkbox(key="dataset_delete_sure:Field notes").check().run()
    session["address"] = ELSEWHERE  # e.g. a proxy that now reports the reader's own address
    at.button(key="dataset_delete").click().run()
    assert not at.exception
    assert _stored() == {"Field notes", SHIPPED}
    assert _notices(at) == [("Nothing was changed. Only a browser on the server's own machine (at http://localhost) "
                             "may import, rename or delete datasets here; others see them read-only.")]
    assert not EDIT_CONTROLS & _keys(at)


def test_a_rename_clicked_after_the_session_lost_the_right_changes_nothing(session) -> None:
    _seed(("Field notes", "acled.csv"))
    at = run_page()
    at.text_input(key="dataset_new_name").input("Renamed").run()
    session["address"] = None
    at.button(key="dataset_rename").click().run()
    assert _stored() == {"Field notes", SHIPPED}


def test_an_import_clicked_after_the_session_lost_the_right_changes_nothing(session) -> None:
    at = run_page()
    at.file_uploader[0].set_value(("acled.csv", (IMPORTS / "acled.csv").read_bytes(), "text/csv")).run()
    session["address"] = ELSEWHERE
    at.button(key="dataset_import").click().run()
    assert _stored() == {SHIPPED}
    assert not at.file_uploader


def test_a_forged_click_on_the_disabled_delete_changes_nothing(session) -> None:
    _seed(("Field notes", "acled.csv"))
    at = run_page()
    delete = at.button(key="dataset_delete")
    assert delete.disabled  # "Yes, delete it" is not ticked
    delete.proto.disabled = False  # what a browser that ignores "disabled" would send
    delete.click().run()
    assert _stored() == {"Field notes", SHIPPED}


def test_a_delete_sent_with_its_confirmation_withdrawn_changes_nothing(session) -> None:
    _seed(("Field notes", "acled.csv"))
    at = run_page()
    at.checkbox(key="dataset_delete_sure:Field notes").check().run()  # Delete is enabled now
    at.checkbox(key="dataset_delete_sure:Field notes").uncheck()
    at.button(key="dataset_delete").click().run()  # both in one message, as a forged one may be
    assert _stored() == {"Field notes", SHIPPED}


def test_the_delete_confirmation_holds_for_the_dataset_it_was_given_for(session) -> None:
    _seed(("Field notes", "acled.csv"), ("Survey", "events.geojson"))
    at = run_page()
    assert at.selectbox(key="dataset_chosen").value == "Field notes"
    at.checkbox(key="dataset_delete_sure:Field notes").check().run()
    at.selectbox(key="dataset_chosen").select("Survey").run()
    assert at.checkbox(key="dataset_delete_sure:Survey").value is False
    assert at.button(key="dataset_delete").disabled
    at.selectbox(key="dataset_chosen").select("Field notes").run()
    assert at.checkbox(key="dataset_delete_sure:Field notes").value is False  # not ticked again by itself

    at.checkbox(key="dataset_delete_sure:Field notes").check().run()
    at.button(key="dataset_delete").click().run()
    assert _stored() == {SHIPPED, "Survey"}
    assert _notices(at) == ["Deleted the dataset “Field notes”. It stays in the trash for 30 days: choose it under "
                            "“Deleted dataset” and press Restore, or on the server run panj datasets --restore "
                            "followed by its name."]
    assert at.selectbox(key="dataset_chosen").value == "Survey"
    assert at.checkbox(key="dataset_delete_sure:Survey").value is False
    assert at.button(key="dataset_delete").disabled  # one more click deletes nothing


def test_a_deleted_dataset_is_restored_from_the_page_and_the_log_names_the_editor(session) -> None:
    _seed(("Field notes", "acled.csv"))
    at = run_page()
    at.checkbox(key="dataset_delete_sure:Field notes").check().run()
    at.button(key="dataset_delete").click().run()
    assert _stored() == {SHIPPED}
    assert at.selectbox(key="dataset_trashed").value == "Field notes"
    at.button(key="dataset_restore").click().run()
    assert _stored() == {SHIPPED, "Field notes"}
    assert _notices(at) == ["Restored the dataset “Field notes”."]
    assert "dataset_trashed" not in _keys(at)  # the trash is empty again: no choice offered
    with open_store() as store:
        changes = [(change.kind, change.dataset, change.by) for change in store.log()][:2]
    assert changes == [("restore", "Field notes", "editor 127.0.0.1"), ("delete", "Field notes", "editor 127.0.0.1")]


def test_a_restore_by_a_session_without_the_right_changes_nothing(session) -> None:
    _seed(("Field notes", "acled.csv"))
    at = run_page()
    at.checkbox(key="dataset_delete_sure:Field notes").check().run()
    at.button(key="dataset_delete").click().run()
    session["address"] = ELSEWHERE  # the right is lost after the Restore button was drawn
    at.button(key="dataset_restore").click().run()
    assert _stored() == {SHIPPED}


def test_a_rename_says_so_and_keeps_the_dataset_chosen(session) -> None:
    _seed(("Field notes", "acled.csv"))
    at = run_page()
    at.text_input(key="dataset_new_name").input("Field notes 2022").run()
    at.button(key="dataset_rename").click().run()
    assert _stored() == {SHIPPED, "Field notes 2022"}
    assert _notices(at) == ["Renamed “Field notes” to “Field notes 2022”."]
    assert at.selectbox(key="dataset_chosen").value == "Field notes 2022"
    assert at.text_input(key="dataset_new_name").value == ""


PASSWORD = {"PANJ_EDITING": "password", "PANJ_EDITOR_PASSWORD": "s3cret"}


def _unlock(at: AppTest, typed: str) -> AppTest:
    at.text_input(key="editing_password").input(typed)
    return at.button(key="editing_unlock").click().run()


def test_the_editor_password_unlocks_this_session_after_a_pause_for_a_wrong_one(session, monkeypatch) -> None:
    for variable, value in PASSWORD.items():
        monkeypatch.setenv(variable, value)
    session["address"] = ELSEWHERE  # the password, not the address, decides
    _seed(("Field notes", "acled.csv"))
    at = run_page()
    _unlock(at, "guess")
    assert _notices(at) == ["Wrong password. The next attempt is heard in 1 s."]
    assert at.text_input(key="editing_password").value == ""  # not kept
    session["now"] += 0.5
    _unlock(at, "s3cret")
    assert _notices(at) == ["Too soon after a wrong password: try again in 1 s."]
    assert not at.file_uploader and not EDIT_CONTROLS & _keys(at)
    session["now"] += 0.5
    _unlock(at, "s3cret")
    assert _notices(at) == ["Editing unlocked for this browser tab."]
    assert at.file_uploader and {"dataset_rename", "dataset_delete"} <= _keys(at)
    at.checkbox(key="dataset_delete_sure:Field notes").check().run()
    at.button(key="dataset_delete").click().run()
    assert _stored() == {SHIPPED}

    other = run_page()  # another reader's session is still locked
    assert not other.file_uploader and {"editing_password", "editing_unlock"} <= _keys(other)


def test_a_new_session_after_a_wrong_password_waits_all_the_same(session, monkeypatch) -> None:
    """A reload or a new tab is a new session: the pause belongs to the reader's address."""
    for variable, value in PASSWORD.items():
        monkeypatch.setenv(variable, value)
    session["address"] = ELSEWHERE
    _unlock(run_page(), "guess")
    fresh = run_page()
    _unlock(fresh, "s3cret")
    assert _notices(fresh) == ["Too soon after a wrong password: try again in 1 s."]
    assert not fresh.file_uploader
    session["address"] = "203.0.113.8"  # another machine's reader is heard at once
    other = run_page()
    _unlock(other, "s3cret")
    assert _notices(other) == ["Editing unlocked for this browser tab."]


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The names of the files the page reads as imports, one entry per read."""
    done: list[str] = []
    read_file = geo.importers.read_file

    def counted(path, *args, **kwargs):
        done.append(Path(path).name)
        return read_file(path, *args, **kwargs)

    monkeypatch.setattr(geo.importers, "read_file", counted)
    return done


def test_an_upload_is_checked_once_and_an_import_says_what_it_saved(session, reads) -> None:
    at = run_page()
    at.file_uploader[0].set_value(("acled.csv", (IMPORTS / "acled.csv").read_bytes(), "text/csv")).run()
    assert reads == ["acled.csv"]
    assert any(shown_text(md.value).startswith("**4 rows accepted, 0 rejected") for md in at.markdown)
    at.sidebar.text_input(key="f_text").input("khorugh").run()  # filter changes rerun the page
    at.sidebar.multiselect(key="f_statuses").select("occurred").run()
    assert reads == ["acled.csv"]
    at.selectbox(key="dataset_format").select("acled").run()  # another format is another check
    assert reads == ["acled.csv", "acled.csv"]
    at.text_input(key="dataset_licence").input("ACLED terms of use").run()  # the licence is not checked
    assert reads == ["acled.csv", "acled.csv"]

    at.button(key="dataset_import").click().run()
    assert _notices(at) == ["Imported 4 events from acled.csv as the dataset “acled”."]
    assert reads == ["acled.csv", "acled.csv"]  # the file is not checked again after it was saved
    assert [uploader.key for uploader in at.file_uploader] == ["dataset_upload1"]  # a new, empty uploader
    assert not any("rows accepted" in md.value for md in at.markdown) and not at.warning
    with open_store() as store:
        assert {(d.name, d.row_count, d.licence) for d in store.datasets()} == {
            ("acled", 4, "ACLED terms of use"), (SHIPPED, 30, "As the shipped data of Panj: see docs/DATA.md")}
    at.sidebar.text_input(key="f_text").input("").run()
    assert _notices(at) == []  # said once


def test_a_bad_setting_is_logged_once_for_the_operator(session, monkeypatch, caplog) -> None:
    monkeypatch.setenv("PANJ_EDITING", "logged-once")  # a value no other test uses: its message is new here
    at = run_page()
    at.sidebar.text_input(key="f_text").input("post").run()
    run_page()  # another session
    logged = [record.getMessage() for record in caplog.records if "logged-once" in record.getMessage()]
    assert logged == [("editing on the page is off: PANJ_EDITING='logged-once' is not one of local, password, off: "
                       "nobody may import, rename or delete datasets until it is fixed.")]
