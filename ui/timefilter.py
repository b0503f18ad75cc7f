"""The sidebar's time filter: the histogram of events over time with its brush, and the exact
From/To inputs with their "Clear dates" button; the brush and the inputs are one state
(``geo.pagestate.DATE_FROM``/``DATE_TO``), which the histogram shades.
Widgets only; bins, counts, the chart and the brush's dates are ``geo.timechart``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from geo import pagestate as ps, timechart
from geo.markup import markdown_text
from ui.charts import chart_key, compact_datasets, selected

DateRange = tuple[dt.date | None, dt.date | None]
HISTOGRAM = "f_time"  # the histogram's name, its key's stem (ui.charts.chart_key)


def date_inputs() -> DateRange:
    """From and To, side by side, with what is wrong with them below: the days they mean."""
    first_column, last_column = st.sidebar.columns(2)
    first_column.text_input("From", key=ps.DATE_FROM, max_chars=10, placeholder="e.g. 2021",
                            help="A year, a month or a day: 2021, 2021-11, 2021-11-05. A year or month starts "
                                 "at its first day.")
    last_column.text_input("To", key=ps.DATE_TO, max_chars=10, placeholder="e.g. 2022-05",
                           help="A year, a month or a day. A year or month ends at its last day.")
    if st.session_state[ps.DATE_FROM] or st.session_state[ps.DATE_TO]:
        # The chart's way to clear the dates: its brush starts empty, so there is none to click away.
        st.sidebar.button("Clear dates", icon=":material/close:", type="tertiary", on_click=_clear_dates)
    first, last, errors = timechart.read_range(st.session_state[ps.DATE_FROM], st.session_state[ps.DATE_TO])
    for error in errors:
        st.sidebar.error(markdown_text(error), icon=":material/event_busy:")
    return first, last


def _clear_dates() -> None:
    st.session_state.update({ps.DATE_FROM: "", ps.DATE_TO: ""})


def time_histogram(slot: DeltaGenerator, counted: tuple[list[timechart.TimeBin], pd.DataFrame] | None,
                   typed: DateRange, period: tuple[dt.date, dt.date, str] | None = None) -> None:
    """The histogram in ``slot`` of the events the other filters show, ``counted`` by
    ``geo.timechart.histogram_counts`` (None: no event), the ``typed`` range shaded, the playback's
    ``period`` (first day, last day, label) framed; brushing rewrites From/To."""
    if counted is None:
        slot.caption("No events to chart: the other filters hide them all.")
        return
    bins, counts = counted
    shown = _shaded_days(typed, bins)
    chart = timechart.histogram_chart(counts, shown, period)
    key = chart_key(HISTOGRAM)
    slot.vega_lite_chart(compact_datasets(chart), key=key, on_select=partial(_brushed, key, bins), selection_mode=timechart.BRUSH,
                         width="stretch")
    # What the chart shows in words comes first: its description is the same on every run.
    slot.caption(markdown_text(timechart.histogram_summary(counts), limit=None)
                 + f" Events per {bins[0].unit}: dark, dated within that {bins[0].unit}; light, dates that reach "
                 "beyond it; shaded, the dates chosen. Drag across the bars to choose dates; “Clear dates” "
                 "clears them. Keys: "
                 "the arrows move between bars, Enter chooses one, Shift+Enter stretches the range."
                 + " While a playback is on, an orange frame marks its period.")


def _shaded_days(typed: DateRange, bins: Sequence[timechart.TimeBin]) -> tuple[dt.date, dt.date] | None:
    """The typed range clipped to the histogram's bins, or None when open at both ends or outside."""
    first, last = typed
    if first is None and last is None:
        return None
    start, end = max(first or bins[0].first, bins[0].first), min(last or bins[-1].last, bins[-1].last)
    return (start, end) if start <= end else None


def _brushed(key: str, bins: Sequence[timechart.TimeBin]) -> None:
    """The histogram's selection callback: runs before the inputs are drawn, so it may set them.
    Only a drawn brush gives a new chart (an empty selection draws nothing to forget)."""
    selection = st.session_state[key]["selection"].get(timechart.BRUSH, {})
    if selection:
        selected(HISTOGRAM)
    st.session_state.update(ps.brushed_values(selection, bins))
