"""The events table under the map: one page of the shown events at a time, in the order the reader
chose (by date unless another), with the count, the order and the page controls; selecting a row
highlights its event and brings the map into view with its popup open (geo/web/panj-map.js).
Widgets only; which rows a page holds is ``geo.pagestate.table_page``, their order
``geo.table.sort_order``, the columns ``geo.table.events_table``.

Only the page's rows reach the browser, so a filter change sends at most ``TABLE_ROWS`` rows
however many events it shows (docs/ARCHITECTURE.md, "The paged table"). The sort is of every shown
row, so the grid's own sorting, which would reorder only the page, is off: with columns selectable
the grid does not sort, and a click on a heading sorts the whole table by that column instead.

The table is a fragment: its sort, order and page controls rerun only the table, not the page's
filters and map (docs/ARCHITECTURE.md, "The paged table"); a row selected, which the map shows,
reruns the whole page.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import streamlit as st

from geo import pagestate as ps, table
from geo.snapshot import Snapshot

DIRECTIONS = {False: "Ascending", True: "Descending"}
_PAGE_RERUN = "table_page_rerun"  # session state: a row was selected, which the whole page must show


@st.fragment
def events_table(data: Snapshot, shown: np.ndarray, shown_rows: bytes, total: int, filters: object,
                 sums: str = "") -> None:
    """The page of the ``shown`` events (a mask over ``data.events``; ``shown_rows``, its
    ``geo.kept.rows_key``) the reader is on, in the order chosen; the first page again whenever
    ``filters`` (what chose the rows) or the order differ from the last run's. ``total``: the events
    of the datasets shown; ``sums``: their fatalities in words (``geo.fatalities.sums_text``), ""
    where none report any."""
    if st.session_state.pop(_PAGE_RERUN, False):
        st.rerun(scope="app")
    if not shown.any():
        st.info(f"No event matches the filters: “Reset filters” shows all {total}.")
        st.session_state[ps.SHOWN_IDS] = []
        for key, default in ((ps.TABLE_SORT, table.DEFAULT_SORT), (ps.TABLE_DESCENDING, False)):
            st.session_state[key] = st.session_state.get(key, default)  # kept: an undrawn widget loses its value
        return
    column_choice, direction_choice, _ = st.columns([2, 2, 4], vertical_alignment="bottom")
    with_fatalities = data.index.reports_fatalities
    if st.session_state.get(ps.TABLE_SORT) not in table.sort_columns(with_fatalities):
        st.session_state[ps.TABLE_SORT] = table.DEFAULT_SORT  # a link's sort by fatalities, none reported here
    column = column_choice.selectbox("Sort the table by", table.sort_columns(with_fatalities), key=ps.TABLE_SORT,
                                     format_func=table.SORT_COLUMNS.get,
                                     help="Sorts every shown event, not only this page; a click on a "
                                          "column's heading does the same")
    descending = direction_choice.radio("Order", list(DIRECTIONS), key=ps.TABLE_DESCENDING, horizontal=True,
                                        format_func=DIRECTIONS.get, label_visibility="collapsed")
    # The page writes the link on its own runs only: the table's reruns put its order there themselves.
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    if (linked := ps.with_sort(current, column, descending)) != current:
        st.query_params.from_dict(linked)
    order = (filters, column, descending)
    changed = st.session_state.get(ps.TABLE_FILTERS) != order
    count = int(shown.sum())
    page = ps.table_page(count, st.session_state.get(ps.TABLE_PAGE), filters_changed=changed)
    st.session_state[ps.TABLE_FILTERS] = order
    st.session_state[ps.TABLE_PAGE] = page.number  # before the page input is drawn, so it shows this page
    # The page's rows with their text and fatalities, kept (geo.kept): a rerun that keeps the rows,
    # the order and the page sorts none of up to a million rows and reads no text again.
    listed = data.kept.get(("table page", shown_rows, column, descending, page.start, page.stop), lambda: data.details(
        data.events.iloc[table.sort_order(data, column).of(shown, descending)[page.start:page.stop]]))
    st.session_state[ps.SHOWN_IDS] = list(listed["id"])
    caption, previous, number, following = st.columns([4, 1.3, 1.2, 1.3], vertical_alignment="bottom")
    by = table.SORT_COLUMNS[column].lower() + (" (descending)" if descending else "")
    counted = f" {count:,} events, {sums}." if sums else ""
    caption.caption(f"{page.caption}, by {by}.{counted} Select a row to show its event on the map, its popup open: "
                    f"click the box at the row's left, or with the keys, Tab into the table, move with the arrow "
                    f"keys and press Shift+Space.")
    if page.pages > 1:
        previous.button("◀ Previous", key="table_previous", disabled=page.number == 1, width="stretch",
                        on_click=_turn, args=(-1,))
        number.number_input("Page", min_value=1, max_value=page.pages, step=1, key=ps.TABLE_PAGE,
                            help=f"{page.pages:,} pages of {ps.TABLE_ROWS} rows")
        following.button("Next ▶", key="table_next", disabled=page.number == page.pages, width="stretch",
                         on_click=_turn, args=(1,))
    # A key per page and order: a row selected on one page is not shown selected on another, and a
    # heading's click (a column selection) is gone once it has sorted the table.
    key = f"{ps.TABLE}_{column}_{int(descending)}_{page.number}"
    st.dataframe(
        table.events_table(listed, data.vocabulary, with_fatalities=with_fatalities), key=key, on_select=partial(_selected, key),
        selection_mode=("single-row", "single-column"), hide_index=True, width="stretch",
        placeholder="n/a",  # missing cells: a country-wide event's distance, fatalities none reported (geo.table)
        column_config={
            "Fatalities": st.column_config.NumberColumn(help="As the dataset reports them; n/a: none reported"),
            "Date": st.column_config.TextColumn(help="At the precision the source gives"),
            "From": st.column_config.DateColumn("First day", help="First day the date allows (sorts by date)"),
            "Title": st.column_config.TextColumn(width="large"),
        },
    )


def _turn(step: int) -> None:
    """Previous/Next: runs before the page input is drawn, so it may set it (the page is moved
    into range on the run)."""
    st.session_state[ps.TABLE_PAGE] = st.session_state.get(ps.TABLE_PAGE, 1) + step


def _selected(key: str) -> None:
    """The table's selection callback: a heading clicked sorts the table by its column; a row
    names an event of the page as it was listed."""
    selection = st.session_state[key].selection
    if selection.columns:
        st.session_state.update(ps.header_sort(selection.columns[0], st.session_state[ps.TABLE_SORT],
                                               st.session_state[ps.TABLE_DESCENDING]))
        return
    st.session_state[ps.SELECTED] = ps.table_selection(selection.rows, st.session_state.get(ps.SHOWN_IDS, []))
    st.session_state[ps.STEP] = None
    st.session_state[_PAGE_RERUN] = True
