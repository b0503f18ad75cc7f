"""The page's datasets: which ones the map and table show (sidebar), and adding, renaming and
deleting an analyst's own (under the table). Widgets only: files are read and checked by
``geo.importers``, kept by ``geo.store``; every name and reason from a file reaches Markdown through
``markdown_text``.

An upload is read and checked first, and its report shown (rows accepted, rows rejected with row,
field and reason, downloadable); nothing is stored until the reader asks, and then all or nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from geo import importers, store as store_module
from geo.markup import markdown_text
from geo.problems import ProblemsError
from geo.pagedata import PageData
from geo.store import Store, StoreError

KEY_SHOWN = "datasets_shown"
KEY_UPLOAD = "dataset_upload"
FORMAT_CHOICES = {"auto": "Guess from the file", "acled": "ACLED CSV export", "geojson": "GeoJSON",
                  "panj": "Panj events file"}


def dataset_filter(data: PageData) -> np.ndarray | None:
    """The datasets to show (all unless the reader unticks some), as the mask of the events they
    hold over ``data.events``; None when every dataset is shown."""
    names = [dataset.name for dataset in data.datasets]
    if len(names) < 2:
        return None
    chosen = st.sidebar.multiselect("Datasets", names, default=names, key=KEY_SHOWN,
                                    format_func=lambda name: f"{name} ({_rows(data, name)} events)")
    return None if set(chosen) == set(names) else data.index.naming("dataset", chosen)


def _rows(data: PageData, name: str) -> int:
    return next(dataset.row_count for dataset in data.datasets if dataset.name == name)


def datasets_panel(data: PageData, store: Store) -> None:
    """Import a file as a dataset; rename or delete an imported one."""
    with st.expander("Your own events: import ACLED, GeoJSON or Panj files"):
        upload = st.file_uploader("File", type=["csv", "json", "geojson"], key=KEY_UPLOAD,
                                  help="Up to 200 MB. Nothing is saved until you press Import.")
        left, middle = st.columns(2)
        name = left.text_input("Dataset name", value=Path(upload.name).stem if upload else "", max_chars=80)
        file_format = middle.selectbox("Format", list(FORMAT_CHOICES), format_func=FORMAT_CHOICES.get)
        licence = st.text_input("Licence or terms of the data", max_chars=500,
                                placeholder="e.g. ACLED: for non-commercial use, cite ACLED")
        if upload is not None and name.strip():
            check_and_import(data, store, upload, name.strip(), None if file_format == "auto" else file_format, licence)
        manage(data, store)


def check_and_import(data: PageData, store: Store, upload, name: str, file_format: str | None, licence: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        try:
            imported = importers.read_file(path, dataset_name=name, file_format=file_format,
                                           layers_dir=data.layers_dir, existing=store.existing())
        except (ValueError, ProblemsError) as error:  # a bad name, a mapping file that fails
            st.error(markdown_text(error, limit=None))
            return
    st.markdown(f"**{len(imported.events)} rows accepted, {len(imported.rejected)} rejected, "
                f"{len(imported.flagged)} flagged** in {markdown_text(upload.name)}.")
    lines = imported.rejected + imported.flagged
    if lines:
        st.dataframe(pd.DataFrame([{"Row": line.row, "Outcome": line.outcome, "Field": line.field,
                                    "Reason": line.reason} for line in lines]), hide_index=True, width="stretch")
    st.download_button("Download the report (CSV)", imported.report_csv(), file_name=f"{importers.dataset_id(name)}-report.csv",
                       mime="text/csv", key="dataset_report")
    if not imported.ok:
        st.warning("Nothing was saved: fix the rejected rows and upload the file again.")
        return
    if st.button(f"Import {len(imported.events)} events as “{markdown_text(name)}”", key="dataset_import"):
        try:
            store.import_dataset(name, imported, source_file=upload.name, licence=licence.strip(), by=_editor())
        except (StoreError, ProblemsError) as error:
            st.error(markdown_text(error, limit=None))
            return
        st.success(f"Imported {markdown_text(name)}.")
        st.rerun()


def manage(data: PageData, store: Store) -> None:
    """The datasets as a table; an imported one can be renamed or deleted (the shipped ones come
    back from layers/events/ on the next start, so they are not offered)."""
    st.dataframe(pd.DataFrame([{"Dataset": d.name, "Events": d.row_count, "Format": d.format,
                                "Source file": d.source_file, "Imported (UTC)": d.imported_at.strftime("%Y-%m-%d %H:%M"),
                                "Licence": d.licence} for d in data.datasets]), hide_index=True, width="stretch")
    own = [dataset.name for dataset in data.datasets if not dataset.shipped]
    if not own:
        return
    chosen = st.selectbox("Imported dataset", own, key="dataset_chosen")
    left, right = st.columns(2)
    new_name = left.text_input("New name", key="dataset_new_name", max_chars=80)
    if left.button("Rename", key="dataset_rename", disabled=not new_name.strip()):
        _change(lambda: store.rename(chosen, new_name, by=_editor()))
    sure = right.checkbox("Yes, delete it", key="dataset_delete_sure")
    if right.button("Delete", key="dataset_delete", disabled=not sure):
        _change(lambda: store.delete(chosen, by=_editor()))


def _editor() -> str:
    """Who makes a change from the page, as the store's log records it."""
    return f"editor {st.context.ip_address or 'unknown address'}"


def _change(action) -> None:
    try:
        action()
    except store_module.StoreError as error:
        st.error(markdown_text(error, limit=None))
        return
    st.rerun()
