"""The page's change along the frontier (``geo.trends``): each segment's shown events in the latest
period against the periods before, with ACLED Trendfinder's change level, and the whole table as
CSV (docs/DATA.md, "Change along the frontier"). Widgets only."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from geo import mapview
from geo.filters import FilterState
from geo.frontierchange import latest_segments
from geo.snapshot import Snapshot
from geo.trends import PERIODS, trends

KEY_ON_MAP = "trends_on_map"
# The panel's inputs and their first values: the map reads them too, drawn before the panel.
KEY_WITHIN, KEY_SEGMENT, KEY_PERIOD = "trends_within_km", "trends_segment_km", "trends_period"
FIRST_WITHIN_KM, FIRST_SEGMENT_KM = 25, 50

LEVEL_LABELS = {"large-increase": "Large increase", "moderate-increase": "Moderate increase",
                "limited": "Limited change", "large-decrease": "Large decrease"}


def _table(data: Snapshot, shown: pd.DataFrame, state: FilterState, within_km: float, segment_km: float,
           period: str) -> pd.DataFrame:
    length_km, stretches = data.frontier_axis
    return trends(shown, stretches, length_km=length_km, within_km=float(within_km), segment_km=float(segment_km),
                  period=period, span=(state.date_from, state.date_to))


def frontier_change(data: Snapshot, shown: pd.DataFrame, state: FilterState) -> dict[str, Any] | None:
    """What the map draws of the change along the frontier when the panel's "Colour the frontier by
    change" is ticked (``geo.mapview.frontier_change``), with the panel's distance, segment and
    period; None when it is not."""
    if not st.session_state.get(KEY_ON_MAP):
        return None
    segment_km = float(st.session_state.get(KEY_SEGMENT, FIRST_SEGMENT_KM))
    table = _table(data, shown, state, st.session_state.get(KEY_WITHIN, FIRST_WITHIN_KM), segment_km,
                   st.session_state.get(KEY_PERIOD, PERIODS[0]))
    return mapview.frontier_change(latest_segments(data.frontier, table, segment_km), data.trend_levels)


def trends_panel(data: Snapshot, shown: pd.DataFrame, state: FilterState) -> None:
    """The shown events (the filters applied) counted per segment of the frontier and period."""
    with st.expander("Change along the frontier"):
        within_column, segment_column, period_column = st.columns(3)
        within_km = within_column.number_input("Count events within (km)", min_value=0, max_value=500,
                                               value=FIRST_WITHIN_KM, step=5, key=KEY_WITHIN)
        segment_km = segment_column.number_input("Segment length (km)", min_value=10, max_value=1400,
                                                 value=FIRST_SEGMENT_KM, step=10, key=KEY_SEGMENT)
        period = period_column.selectbox("Period", PERIODS, key=KEY_PERIOD, format_func=str.capitalize)
        st.checkbox("Colour the frontier by change", key=KEY_ON_MAP,
                    help="Draw each segment of the frontier on the map in the colour of its latest change level")
        table = _table(data, shown, state, within_km, segment_km, period)
        if table.empty:
            st.caption(f"No event shown stands on a point within {within_km:g} km of the frontier.")
            return
        latest_period = table["period"].max()
        latest = table[table["period"] == latest_period]
        names = {stretch.id: stretch.name for stretch in data.frontier_axis[1]}
        st.caption(f"{latest_period}: each segment's events against the mean of the 4 {period}s before, with "
                   "ACLED Trendfinder's change levels. An event counts where its nearest frontier point lies, in "
                   "the period it starts; events placed on a whole area are not counted.")
        st.dataframe(pd.DataFrame({
            "Segment (km)": [f"{start:g}–{end:g}" for start, end in zip(latest["segment_from_km"],
                                                                          latest["segment_to_km"], strict=True)],
            "Stretch": [names.get(stretch, "") for stretch in latest["stretch"]],
            "Events": latest["events"].to_numpy(),
            "Mean of 4 before": latest["mean_4"].to_numpy(),
            # Text, so that no change (a mean of 0, or none before) reads blank rather than "None".
            "Change (%)": ["" if pd.isna(change) else f"{change:+.1f}" for change in latest["change_4"]],
            "Level": [LEVEL_LABELS.get(level, "") for level in latest["level"]],
        }), hide_index=True)
        st.download_button("Download every period (CSV)", table.to_csv(index=False, lineterminator="\r\n"),
                           file_name=f"panj-trends-{period}.csv", mime="text/csv", key="trends_download")
