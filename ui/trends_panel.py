"""The page's change along the frontier (``geo.trends``): each segment's shown events in the latest
period against the periods before, with ACLED Trendfinder's change level, and the whole table as
CSV (docs/DATA.md, "Change along the frontier"). Widgets only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from geo import mapview, pagestate as ps
from geo.filters import FilterState
from geo.frontierchange import latest_segments
from geo.snapshot import Snapshot
from geo.trends import PERIODS

PANEL_OPEN = "trends_open"  # session state: whether the reader has the panel open
LEVEL_LABELS = {"large-increase": "Large increase", "moderate-increase": "Moderate increase",
                "limited": "Limited change", "large-decrease": "Large decrease"}


def trends_table(data: Snapshot, shown: pd.DataFrame, state: FilterState
                 ) -> tuple[ps.TrendsChoice, Callable[[], pd.DataFrame]]:
    """The panel's choice (its widgets' values: the map, drawn before the panel, reads them too) and
    what counts the ``shown`` events' table by it, for the map and the panel when they draw it (a
    run with the panel closed and the frontier not coloured counts nothing; the snapshot keeps the
    tables asked for last)."""
    choice = ps.trends_from_widgets(st.session_state)
    return choice, lambda: data.trends(shown, within_km=float(choice.within_km), segment_km=float(choice.segment_km),
                                       period=choice.period, span=(state.date_from, state.date_to))


def frontier_change(data: Snapshot, choice: ps.TrendsChoice, table: Callable[[], pd.DataFrame]
                    ) -> dict[str, Any] | None:
    """What the map draws of the change along the frontier when the panel's "Colour the frontier by
    change" is ticked (``geo.mapview.frontier_change``), from the ``table`` (``trends_table``);
    None when it is not."""
    if not choice.on_map:
        return None
    return mapview.frontier_change(latest_segments(data.frontier, table(), float(choice.segment_km)),
                                   data.trend_levels)


def trends_panel(data: Snapshot, choice: ps.TrendsChoice, counted: Callable[[], pd.DataFrame]) -> None:
    """The shown events (the filters applied) counted per segment of the frontier and period by
    ``choice``: the table ``counted`` gives (``trends_table``)."""
    # Opening or closing the panel reruns the page: the table and its CSV (a row per segment and
    # period since the first event) are made only while it is open (docs/performance.md, "A run at
    # a million events").
    panel = st.expander("Change along the frontier", key=PANEL_OPEN, on_change="rerun")
    with panel:
        within_column, segment_column, period_column = st.columns(3)
        (least, most), (shortest, longest) = ps.TRENDS_WITHIN_KM, ps.TRENDS_SEGMENT_KM
        # Their values come from the session (ps.opening_values: the URL's, else the first ones).
        within_column.number_input("Count events within (km)", min_value=least, max_value=most, step=5,
                                   key=ps.TRENDS_WITHIN)
        segment_column.number_input("Segment length (km)", min_value=shortest, max_value=longest, step=10,
                                    key=ps.TRENDS_SEGMENT)
        period_column.selectbox("Period", PERIODS, key=ps.TRENDS_PERIOD, format_func=str.capitalize)
        st.checkbox("Colour the frontier by change", key=ps.TRENDS_ON_MAP,
                    help="Draw each segment of the frontier on the map in the colour of its latest change level")
        if not panel.open:
            return
        table = counted()
        if table.empty:
            st.caption(f"No event shown stands within {choice.within_km:g} km of the frontier.")
            return
        latest_period = table["period"].max()
        latest = table[table["period"] == latest_period]
        st.caption(f"{latest_period}: each segment's events against the mean of the 4 {choice.period}s before, with "
                   "ACLED Trendfinder's change levels. An event counts where its nearest frontier point lies, in "
                   "the period it starts; one placed on a whole area counts in every segment within the distance "
                   "of its area.")
        # The level and the counts first: a phone's width shows three or four columns before scrolling.
        st.dataframe(pd.DataFrame({
            "Segment (km)": [f"{start:g}–{end:g}" for start, end in zip(latest["segment_from_km"],
                                                                          latest["segment_to_km"], strict=True)],
            "Level": [LEVEL_LABELS.get(level, "") for level in latest["level"]],
            "Events": latest["events"].to_numpy(),
            # Text, so that no change (a mean of 0, or none before) reads blank rather than "None".
            "Change (%)": ["" if pd.isna(change) else f"{change:+.1f}" for change in latest["change_4"]],
            "Mean of 4 before": latest["mean_4"].to_numpy(),
            "Stretch": [data.stretch_names.get(stretch, "") for stretch in latest["stretch"]],
        }), hide_index=True)
        st.download_button("Download every period (CSV)", table.to_csv(index=False, lineterminator="\r\n"),
                           file_name=f"panj-trends-{choice.period}.csv", mime="text/csv", key="trends_download")
