"""The page's fatalities widgets: the range filter and the choice that sizes symbols by them, drawn
only where some dataset shown reports fatalities (``geo.fatalities``). Widgets only."""

from __future__ import annotations

import numpy as np
import streamlit as st

from geo import fatalities, pagestate as ps
from geo.snapshot import Snapshot


def carried(data: Snapshot) -> bool:
    """Whether any event of the snapshot reports fatalities."""
    return data.index.reports_fatalities


def fatalities_range(data: Snapshot) -> tuple[float | None, float | None]:
    """The range's two boxes (empty: that end open). Where no event reports fatalities they are not
    drawn, and the range a link or a scene set is kept as it is (it shows no event: "Reset filters"
    clears it), so the page does not read the scene as changed."""
    if not carried(data):
        return st.session_state.get(ps.FATALITIES_MIN), st.session_state.get(ps.FATALITIES_MAX)
    low, high = st.sidebar.columns(2)
    note = "An event with no fatalities reported is hidden while either box holds a number."
    at_least = low.number_input("Fatalities, at least", value=None, min_value=0, step=1, key=ps.FATALITIES_MIN,
                                placeholder="Any", help=note)
    at_most = high.number_input("Fatalities, at most", value=None, min_value=0, step=1, key=ps.FATALITIES_MAX,
                                placeholder="Any", help=note)
    return at_least, at_most


def size_choice(data: Snapshot) -> str | None:
    """The "Size symbols by fatalities" choice (``ViewState.size_by``); where no event reports
    fatalities it is not drawn and the choice a link or a scene made is kept (every symbol then keeps
    its ordinary size, ringed as reporting none)."""
    if not carried(data):
        return ps.sized_by(bool(st.session_state.get(ps.SIZE)))
    checked = st.sidebar.checkbox(
        "Size symbols by fatalities", key=ps.SIZE,
        help=f"A symbol's area grows with the fatalities its events report (a group's, summed), the largest "
             f"on the map {fatalities.MAX_RADIUS:g} px across its radius; an event with none reported keeps its "
             f"ordinary size, ringed with dots.")
    return ps.sized_by(checked)


def count_line(shown_rows: np.ndarray, data: Snapshot) -> str:
    """The fatalities of the shown events (``shown_rows``, a mask) in words, "" when no event reports any."""
    if not carried(data):
        return ""
    return fatalities.sums_text(fatalities.sums_of(data.index.fatalities[shown_rows]))
