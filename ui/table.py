"""The events table under the map: one page of the shown events at a time, by date, with the count
and the page controls; selecting a row highlights its event and brings the map into view with its
popup open (geo/web/panj-map.js). Widgets only; which rows a page holds is
``geo.pagestate.table_page``, the columns ``geo.table.events_table``.

Only the page's rows reach the browser, so a filter change sends at most ``TABLE_ROWS`` rows
however many events it shows (docs/ARCHITECTURE.md, "The paged table").
"""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from geo import pagestate as ps, table
from geo.snapshot import Snapshot


def events_table(data: Snapshot, shown: pd.DataFrame, total: int, filters: object) -> None:
    """The page of ``shown`` the reader is on (the first again whenever ``filters``, what chose
    ``shown``, differ from the last run's); ``total``: the events of the datasets shown."""
    changed = st.session_state.get(ps.TABLE_FILTERS) != filters
    page = ps.table_page(len(shown), st.session_state.get(ps.TABLE_PAGE), filters_changed=changed)
    st.session_state[ps.TABLE_FILTERS] = filters
    st.session_state[ps.TABLE_PAGE] = page.number  # before the page input is drawn, so it shows this page
    rows = shown.iloc[page.start:page.stop]
    st.session_state[ps.SHOWN_IDS] = list(rows["id"])
    if shown.empty:
        st.info(f"No event matches the filters: “Reset filters” shows all {total}.")
        return
    caption, previous, number, following = st.columns([4, 1.3, 1.2, 1.3], vertical_alignment="bottom")
    caption.caption(f"{page.caption}, by date. Select a row to show its event on the map, its popup open: "
                    f"click the box at the row's left, or with the keys, Tab into the table, move with the arrow "
                    f"keys and press Shift+Space.")
    if page.pages > 1:
        previous.button("◀ Previous", key="table_previous", disabled=page.number == 1, width="stretch",
                        on_click=_turn, args=(-1,))
        number.number_input("Page", min_value=1, max_value=page.pages, step=1, key=ps.TABLE_PAGE,
                            help=f"{page.pages:,} pages of {ps.TABLE_ROWS} rows")
        following.button("Next ▶", key="table_next", disabled=page.number == page.pages, width="stretch",
                         on_click=_turn, args=(1,))
    # A key per page: a row selected on one page is not shown selected on the next.
    key = f"{ps.TABLE}_{page.number}"
    st.dataframe(
        table.events_table(data.details(rows), data.vocabulary), key=key, on_select=partial(_selected, key),
        selection_mode="single-row", hide_index=True, width="stretch",
        placeholder="n/a",  # the only missing cells: a country-wide event's distance (geo.table)
        column_config={
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
    """The table's selection callback: the row names an event of the page as it was listed."""
    rows = st.session_state[key].selection.rows
    st.session_state[ps.SELECTED] = ps.table_selection(rows, st.session_state.get(ps.SHOWN_IDS, []))
    st.session_state[ps.STEP] = None
