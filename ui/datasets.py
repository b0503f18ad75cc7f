"""The page's datasets: which ones the map and table show (sidebar), and adding, renaming and
deleting an analyst's own (under the table). Widgets only: who may change datasets is
``geo.editing``'s decision, files are read and checked by ``geo.importers``, kept by ``geo.store``;
every name and reason from a file reaches Markdown through ``markdown_text``.

An upload is read and checked once (the check is kept in the session, keyed by the upload, the
dataset name, the format and the store's datasets), and its report shown (rows accepted, rows
rejected with row, field and reason, downloadable); nothing is stored until the reader asks, and
then all or nothing.

A session without the right to edit sees the datasets read-only and a line saying who may edit.
The Import, Rename, Delete and Unlock buttons act in callbacks. Streamlit runs a callback for a
click on a button an earlier run drew, even when the session has lost the right since (a proxy
now reports another address); so each callback asks the policy again right before it calls the
store, and checks the delete's confirmation and that the dataset is an imported one at that
moment too.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from geo import importers, pagestate as ps
from geo.editing import TOO_SOON, UNLOCKED, WRONG, EditingPolicy, PasswordGates
from geo.importers import Imported
from geo.markup import markdown_label, markdown_text
from geo.problems import ProblemsError
from geo.snapshot import Snapshot
from geo.store import TRASH_DAYS, Dataset, Store, StoreError

logger = logging.getLogger("panj.page")

KEY_SHOWN = "datasets_shown"  # the Datasets choice: ids of the datasets ticked
KEY_UPLOAD = "dataset_upload"  # followed by the session's import count: a new key empties the uploader
KEY_IMPORTS = "dataset_imports"
KEY_CHECK = "dataset_check"
KEY_TARGET = "dataset_target"  # a new dataset, or the imported one an upload updates
KEY_DELETIONS = "dataset_deletions"  # followed by the session's import count, as KEY_UPLOAD
KEY_KEEP_GOOD = "dataset_keep_good"
KEY_TRUST = "dataset_trust"
KEY_NOTICE = "dataset_notice"
KEY_LICENCE = "dataset_licence"
KEY_CHOSEN = "dataset_chosen"
KEY_NEW_NAME = "dataset_new_name"
KEY_TRASHED = "dataset_trashed"
KEY_SURE = "dataset_delete_sure"  # followed by the dataset's name: a confirmation holds for that one only
KEY_UNLOCKED = "editing_unlocked"
KEY_PASSWORD = "editing_password"
clock = time.monotonic  # the password gate's clock (seconds); tests set a clock of their own
FORMAT_CHOICES = {"auto": "Guess from the file", "acled": "ACLED CSV export", "ucdp": "UCDP GED or Candidate CSV",
                  "geojson": "GeoJSON",
                  "panj": "Panj events file"}
# geo.importers.TRUST_CHOICES as the page offers them.
TRUST_LABELS = {"point": "Where its point falls", "row": "On the province the row names"}


def hidden_datasets(data: Snapshot) -> list[str]:
    """The ids of the datasets this session hides, of those the snapshot holds (none while there
    is only one dataset, when the choice is not offered): what the URL's ``hide`` says."""
    ids = {dataset.id for dataset in data.datasets}
    return sorted(set(st.session_state.get(ps.DATASETS_HIDDEN, ())) & ids) if len(ids) > 1 else []


def dataset_filter(data: Snapshot) -> np.ndarray | None:
    """The datasets to show (all unless the reader unticks some), as the mask of the events they
    hold over ``data.events``; None when every dataset is shown.

    The session remembers the datasets the reader hid, by id (kept through a rename), not the ones
    ticked: a dataset imported or renamed while the page is open is shown, where a remembered list
    of ticked names would silently leave it out."""
    names = {dataset.id: dataset.name for dataset in data.datasets}
    if len(names) < 2:
        return None
    hidden = set(hidden_datasets(data))
    st.session_state[KEY_SHOWN] = [dataset_id for dataset_id in names if dataset_id not in hidden]

    def remember_hidden() -> None:
        st.session_state[ps.DATASETS_HIDDEN] = sorted(set(names) - set(st.session_state[KEY_SHOWN]))

    chosen = st.sidebar.multiselect("Datasets", list(names), key=KEY_SHOWN, on_change=remember_hidden,
                                    format_func=lambda dataset_id: f"{names[dataset_id]} ({_rows(data, dataset_id)} events)")
    if not hidden:
        return None
    return data.index.naming("dataset", {names[dataset_id] for dataset_id in chosen})


def _rows(data: Snapshot, dataset_id: str) -> int:
    return next(dataset.row_count for dataset in data.datasets if dataset.id == dataset_id)


# --- who may edit --------------------------------------------------------------------------------

def session_address() -> str | None:
    """The address this session's browser connects from, as the server's socket sees it (None when
    unknown). ``st.context.ip_address`` cannot serve: it reports 127.0.0.1 and ::1 as None, the
    same as an unknown address. Behind a proxy on this machine that sends X-Forwarded-For, the
    server takes the reader's address from that header (uvicorn trusts it from loopback only)."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx()
    if context is None or not runtime.exists():
        return None
    client = runtime.get_instance().get_client(context.session_id)
    address = None if client is None or client.client_context is None else client.client_context.remote_ip
    return address if isinstance(address, str) else None  # AppTest's runtime answers with stand-ins


def editing_policy() -> EditingPolicy:
    """The server's editing policy, read from its environment now; a bad setting is logged once."""
    policy = EditingPolicy.from_environment(os.environ)
    if policy.problem is not None:
        _log_once(policy.problem)
    return policy


@functools.lru_cache(maxsize=4)
def _log_once(problem: str) -> None:
    logger.warning("editing on the page is off: %s", problem)


@st.cache_resource(show_spinner=False, max_entries=1)  # no argument: one value
def _gates() -> PasswordGates:
    """The process's password pauses, by client address: a new tab does not wait less."""
    return PasswordGates()


def _unlocked() -> bool:
    """Whether this session typed the password (kept server-side: no widget has this key)."""
    return st.session_state.get(KEY_UNLOCKED) is True


def may_edit(policy: EditingPolicy) -> bool:
    """Whether this session may change datasets at this moment."""
    return policy.may_edit(session_address(), _unlocked())


def _allowed() -> bool:
    """The check each action makes right before it calls the store; a refusal is said on the page."""
    policy = editing_policy()
    if may_edit(policy):
        return True
    _notice("error", f"Nothing was changed. {markdown_text(policy.who_may_edit())}")
    return False


def _notice(kind: str, text: str) -> None:
    """Say ``text`` (Markdown, already escaped) at the top of the panel on the next run: the
    callbacks that change data run before the page is drawn."""
    st.session_state[KEY_NOTICE] = (kind, text)


def _unlock() -> None:
    typed = st.session_state.get(KEY_PASSWORD) or ""
    st.session_state[KEY_PASSWORD] = ""  # the password is not kept in the session
    attempt = _gates().attempt(editing_policy(), session_address(), typed, clock())
    if attempt.outcome == UNLOCKED:
        st.session_state[KEY_UNLOCKED] = True
        _notice("success", "Editing unlocked for this browser tab.")
    elif attempt.outcome == WRONG:
        _notice("error", f"Wrong password. The next attempt is heard in {math.ceil(attempt.wait_s)} s.")
    elif attempt.outcome == TOO_SOON:
        _notice("error", f"Too soon after a wrong password: try again in {math.ceil(attempt.wait_s)} s.")


# --- the panel -----------------------------------------------------------------------------------

def datasets_panel(data: Snapshot, store: Store) -> None:
    """The datasets as a table; a session that may edit imports a file as a dataset and renames or
    deletes an imported one, and one that may not is told who may."""
    policy = editing_policy()
    with st.expander("Your own events: import ACLED, UCDP, GeoJSON or Panj files"):
        notice = st.session_state.pop(KEY_NOTICE, None)
        if notice is not None:
            kind, text = notice
            (st.success if kind == "success" else st.error)(text)
        editor = may_edit(policy)
        if editor:
            import_panel(data, store)
        else:
            st.caption(markdown_text(policy.who_may_edit()))
            if policy.needs_password:
                left, right = st.columns([3, 1], vertical_alignment="bottom")
                left.text_input("Editor password", type="password", key=KEY_PASSWORD, max_chars=200)
                right.button("Unlock editing", key="editing_unlock", on_click=_unlock)
        st.dataframe(pd.DataFrame([{"Dataset": d.name, "Events": d.row_count, "Format": d.format,
                                    "Source file": d.source_file, "Imported (UTC)": d.imported_at.strftime("%Y-%m-%d %H:%M"),
                                    "Licence": d.licence} for d in data.datasets]), hide_index=True, width="stretch")
        for problem in data.colour_problems:  # the entry was skipped, or a close colour kept (geo.colours)
            st.warning(f"Actor colours: {markdown_text(problem, limit=None)}")
        if editor:
            manage(data, store)


NEW_DATASET = ""  # the "Import into" choice of a new dataset; any other is the name of the one to update


def import_panel(data: Snapshot, store: Store) -> None:
    """Choose a file and a new dataset's name, or an imported dataset to update (with a deletions
    file, as ACLED publishes them); the check's report, and Import when the rows passed (or the
    reader keeps the accepted ones)."""
    imports = st.session_state.get(KEY_IMPORTS, 0)
    own = _imported_names(data.datasets)
    target = st.selectbox("Import into", [NEW_DATASET, *own], key=KEY_TARGET,
                          format_func=lambda name: f"Update “{name}”" if name else "A new dataset",
                          help="An update matches rows by their source's id (ACLED's event_id_cnty, UCDP's id, a feature's id): "
                               "a row revised later replaces the stored one, new ids are added, the rest is kept.")
    upload = st.file_uploader("File", type=["csv", "txt", "json", "geojson"], key=f"{KEY_UPLOAD}{imports}",
                              help="Up to 200 MB. Nothing is saved until you press Import.")
    left, middle = st.columns(2)
    deletions = None
    if target == NEW_DATASET:
        name = left.text_input("Dataset name", value=Path(upload.name).stem if upload else "", max_chars=80).strip()
    else:
        name = target
        deletions = left.file_uploader("Deletions (optional)", type=["csv"], key=f"{KEY_DELETIONS}{imports}",
                                       help="ACLED's deletions file: event_id_cnty and deleted_timestamp.")
    file_format = middle.selectbox("Format", list(FORMAT_CHOICES), format_func=FORMAT_CHOICES.get, key="dataset_format")
    trust = st.radio("A row whose own country or province disagrees with its point stands",
                     list(TRUST_LABELS), format_func=TRUST_LABELS.get, key=KEY_TRUST, horizontal=True,
                     help="ACLED and UCDP rows name their country and province beside their coordinates. Each "
                          "disagreement is flagged in the report either way; a row known only to its province "
                          "always stands on the province it names.")
    if target == NEW_DATASET:
        st.text_input("Licence or terms of the data", max_chars=500, key=KEY_LICENCE,
                      placeholder="e.g. ACLED: for non-commercial use, cite ACLED")
    if upload is None or not name:
        st.session_state.pop(KEY_CHECK, None)  # a check's rows are not kept once its upload is gone
        return
    check = upload_check(data, store, upload, name, None if file_format == "auto" else file_format,
                         update=target != NEW_DATASET, deletions=deletions, trust=trust)
    if check.error is not None:
        st.error(check.error)
        return
    imported = check.imported
    st.markdown(f"**{len(imported.events)} rows accepted, {len(imported.rejected)} rejected, "
                f"{len(imported.flagged)} flagged** in {markdown_text(check.file_name)}"
                + (f"; **{len(check.deletions)} deletions** in {markdown_text(check.deletions_file)}"
                   if check.deletions is not None else "") + ".")
    if imported.placement_text():
        st.caption(markdown_text(imported.placement_text(), limit=None))
    lines = imported.rejected + imported.flagged
    if lines:
        st.dataframe(pd.DataFrame([{"Row": line.row, "Outcome": line.outcome, "Field": line.field,
                                    "Reason": line.reason} for line in lines]), hide_index=True, width="stretch")
    st.download_button("Download the report (CSV)", imported.report_csv(), file_name=f"{importers.dataset_id(name)}-report.csv",
                       mime="text/csv", key="dataset_report")
    keep_good = False
    if imported.rejected and imported.events:
        keep_good = st.checkbox(f"Keep the {len(imported.events)} accepted rows and leave out the rejected ones",
                                key=KEY_KEEP_GOOD)
    if not imported.events and not check.deletions or imported.rejected and not keep_good:
        st.warning("Nothing was saved: fix the rejected rows and upload the file again"
                   + (", or keep the accepted rows." if imported.events else "."))
        return
    label = (f"Update “{markdown_label(name)}” with {len(imported.events)} rows" if check.update
             else f"Import {len(imported.events)} events as “{markdown_label(name)}”")
    st.button(label, key="dataset_import", on_click=_import, args=(store,))


@dataclass(frozen=True)
class UploadCheck:
    """One upload read and checked for one dataset name and format against one list of datasets
    (``key``): the result (``imported``, and for an update the ``deletions``) or why it could not
    be read (``error``, Markdown)."""

    key: tuple[Any, ...]
    name: str
    file_name: str
    imported: Imported | None
    error: str | None = None
    update: bool = False  # into the imported dataset ``name``
    deletions: dict[str, str] | None = None  # event id -> when deleted (geo.importers.read_deletions)
    deletions_file: str = ""


def upload_check(data: Snapshot, store: Store, upload: Any, name: str, file_format: str | None, *,
                 update: bool = False, deletions: Any = None, trust: str = "point") -> UploadCheck:
    """The check of ``upload`` as dataset ``name`` (with ``update``, as an update of that imported
    dataset, with the ``deletions`` upload if any; ``trust`` as geo.importers.read_file's): the
    session's last one when nothing it depends on changed (a filter click reruns the page, and must
    not read a 200 MB file again)."""
    key = (upload.file_id, upload.size, upload.name, name, file_format, data.revision, update,
           None if deletions is None else deletions.file_id, trust)
    check = st.session_state.get(KEY_CHECK)
    if not isinstance(check, UploadCheck) or check.key != key:
        check = _read_upload(data, store, upload, name, file_format, key, update=update, deletions=deletions,
                             trust=trust)
        st.session_state[KEY_CHECK] = check
    return check


def _read_upload(data: Snapshot, store: Store, upload: Any, name: str, file_format: str | None,
                 key: tuple[Any, ...], *, update: bool, deletions: Any, trust: str) -> UploadCheck:
    try:
        importers.dataset_id(name)
    except ValueError as error:  # a name with no letter or digit
        return UploadCheck(key, name, upload.name, None, markdown_text(error, limit=None))
    if update and file_format == "panj":
        return UploadCheck(key, name, upload.name, None, "An update takes an ACLED, UCDP or GeoJSON file: a Panj "
                                                         "events file is an article's, imported as a new dataset.")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        try:
            held = next((dataset for dataset in store.datasets() if dataset.name == name), None) if update else None
            if update and (held is None or held.shipped):
                raise StoreError(f"no imported dataset called {name!r}")
            imported = importers.read_file(path, dataset_name=name, file_format=file_format,
                                           layers_dir=data.layers_dir,
                                           existing=store.existing(besides=name if update else None),
                                           dataset_key=held.id if held is not None else None, trust=trust)
            deleted = None
            if deletions is not None:
                deletions_path = Path(folder) / f"deletions-{Path(deletions.name).name}"
                deletions_path.write_bytes(deletions.getvalue())
                deleted = importers.read_deletions(deletions_path)
        except (ProblemsError, StoreError) as error:  # the file, a mapping file that fails; the store's own
            return UploadCheck(key, name, upload.name, None, markdown_text(error, limit=None))
        except Exception:  # a bug, not the reader's file: logged with its traceback for a report
            logger.exception("reading the upload %s failed", upload.name)
            return UploadCheck(key, name, upload.name, None,
                               "Panj could not read this file because of an error of its own, logged on the server.")
    return UploadCheck(key, name, upload.name, imported, update=update, deletions=deleted,
                       deletions_file="" if deletions is None else deletions.name)


def _import(store: Store) -> None:
    """Import (or update with) the checked upload; then say so and empty the uploaders (new keys)."""
    check = st.session_state.get(KEY_CHECK)
    if not _allowed() or not isinstance(check, UploadCheck) or check.imported is None:
        return
    imported, keep_good = check.imported, st.session_state.get(KEY_KEEP_GOOD) is True
    if imported.rejected and not keep_good or not imported.events and not check.deletions:
        return
    try:
        if check.update:
            counts = store.update_dataset(check.name, imported, deletions=check.deletions,
                                          source_file=check.file_name, by=_editor(), keep_good=keep_good)
            said = (f"Updated the dataset “{markdown_text(check.name)}” from {markdown_text(check.file_name)}: "
                    f"{counts.added} added, {counts.revised} revised, {counts.unchanged} unchanged, "
                    f"{counts.deleted} deleted, {counts.rejected} rejected; {counts.row_count} events now.")
        else:
            store.import_dataset(check.name, imported, source_file=check.file_name,
                                 licence=(st.session_state.get(KEY_LICENCE) or "").strip(), by=_editor(),
                                 keep_good=keep_good)
            said = (f"Imported {len(imported.events)} events from {markdown_text(check.file_name)} "
                    f"as the dataset “{markdown_text(check.name)}”"
                    + (f"; {len({line.row for line in imported.rejected})} rows were left out." if imported.rejected
                       else "."))
    except (StoreError, ProblemsError) as error:
        _notice("error", markdown_text(error, limit=None))
        return
    del st.session_state[KEY_CHECK]
    st.session_state[KEY_IMPORTS] = st.session_state.get(KEY_IMPORTS, 0) + 1
    st.session_state[KEY_LICENCE] = ""
    st.session_state[KEY_KEEP_GOOD] = False
    _notice("success", said)


def _imported_names(datasets: list[Dataset]) -> list[str]:
    """The datasets a reader imported: the shipped ones are the data directory's files, changed there,
    so they are not offered for renaming or deleting."""
    return [dataset.name for dataset in datasets if not dataset.shipped]


def _editor() -> str:
    """Who the store's change log names for a change made on the page."""
    return f"editor {session_address() or '(address unknown)'}"


def manage(data: Snapshot, store: Store) -> None:
    """Rename or delete an imported dataset (deleting needs its own confirmation); restore a deleted one."""
    trashed = store.trash()
    if trashed:
        expiry = {dataset.name: dataset.expires_at for dataset in trashed}
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        chosen_trash = left.selectbox("Deleted dataset", list(expiry), key=KEY_TRASHED,
                                      format_func=lambda name: f"{name} (until {expiry[name]:%Y-%m-%d})")
        right.button("Restore", key="dataset_restore", on_click=_restore, args=(store, chosen_trash))
    own = _imported_names(data.datasets)
    if not own:
        return
    chosen = st.selectbox("Imported dataset", own, key=KEY_CHOSEN)
    st.button("Update this dataset", key="dataset_update", on_click=_update_into, args=(chosen,),
              help="Choose it under “Import into” above, to upload a newer export of its source (and a "
                   "deletions file).")
    left, right = st.columns(2)
    new_name = left.text_input("New name", key=KEY_NEW_NAME, max_chars=80)
    left.button("Rename", key="dataset_rename", disabled=not new_name.strip(), on_click=_rename, args=(store, chosen))
    # Keyed by the dataset: choosing another one shows a fresh, unticked box, and a deleted
    # dataset's box is gone with it.
    sure = right.checkbox("Yes, delete it", key=f"{KEY_SURE}:{chosen}")
    right.button("Delete", key="dataset_delete", disabled=not sure, on_click=_delete, args=(store, chosen))


def _update_into(name: str) -> None:
    """Make the imported dataset ``name`` the one an upload updates (the Import into choice)."""
    st.session_state[KEY_TARGET] = name
    _notice("success", f"Choose the newer file to update “{markdown_text(name)}” with, and its deletions file if "
                       "there is one.")


def _rename(store: Store, name: str) -> None:
    new_name = (st.session_state.get(KEY_NEW_NAME) or "").strip()
    if not _allowed() or not new_name or name not in _imported_names(store.datasets()):
        return
    try:
        store.rename(name, new_name, by=_editor())
    except StoreError as error:
        _notice("error", markdown_text(error, limit=None))
        return
    st.session_state[KEY_CHOSEN] = new_name
    st.session_state[KEY_NEW_NAME] = ""
    _notice("success", f"Renamed “{markdown_text(name)}” to “{markdown_text(new_name)}”.")


def _delete(store: Store, name: str) -> None:
    sure = st.session_state.get(f"{KEY_SURE}:{name}") is True
    if not _allowed() or not sure or name not in _imported_names(store.datasets()):
        return
    try:
        store.delete(name, by=_editor())
    except StoreError as error:
        _notice("error", markdown_text(error, limit=None))
        return
    st.session_state.pop(KEY_CHOSEN, None)
    _notice("success", deleted_notice(name))


def _restore(store: Store, name: str) -> None:
    if not _allowed() or name not in {dataset.name for dataset in store.trash()}:
        return
    try:
        store.restore(name, by=_editor())
    except StoreError as error:
        _notice("error", markdown_text(error, limit=None))
        return
    st.session_state.pop(KEY_TRASHED, None)
    _notice("success", f"Restored the dataset “{markdown_text(name)}”.")


def deleted_notice(name: str) -> str:
    """What the page says after a delete (Markdown): what went, and how to bring it back."""
    return (f"Deleted the dataset “{markdown_text(name)}”. It stays in the trash for {TRASH_DAYS} days: "
            "choose it under “Deleted dataset” and press Restore, or on the server run "
            f"{markdown_text('panj datasets --restore')} followed by its name.")
