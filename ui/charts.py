"""The sidebar's bar charts of events by actor and by event type: a click on a bar toggles that
term in its multiselect. Widgets only; counts and the chart are ``geo.timechart``."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import pandas as pd
import pyarrow as pa
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from geo import pagestate as ps, timechart
from geo.fatalities import Sums


def term_bars(slot: DeltaGenerator, counted: Mapping[str, int], names: Mapping[str, str], widget_key: str,
              subject: str, fatality_sums: Mapping[str, Sums] | None = None) -> None:
    """Bars in ``slot`` of how many events name each term (``counted``: events per term, of the
    events the other filters show; ``fatality_sums``: their fatalities per term, where some event
    reports any); clicking one toggles it in the multiselect ``widget_key``. ``subject`` names a
    term in the chart's description ("actor")."""
    counts = timechart.term_counts(counted, names, st.session_state[widget_key], fatality_sums)
    if counts.empty:
        return
    key = chart_key(f"{widget_key}_chart")
    slot.vega_lite_chart(compact_datasets(timechart.term_chart(counts, subject)), key=key,
                         on_select=partial(_picked, key, widget_key), selection_mode=timechart.PICK, width="stretch",
                         height=timechart.term_chart_height(counts))


def chart_key(name: str) -> str:
    """The key of the chart ``name`` for this run: the same until its own selection callback
    counts a selection that holds something (``selected``). A filter elsewhere then changes the chart's data in place
    instead of drawing the chart anew, and a click or a drag gives a new chart that holds no
    selection: clicking the same bar again toggles it back, and the brush gives way to the shading
    of the dates it set (docs/ARCHITECTURE.md, "The sidebar's charts in place")."""
    return f"{name}_{st.session_state.get(_selections_key(name), 0)}"


def selected(name: str) -> None:
    """Count a selection of the chart ``name``: its next run has a new key (``chart_key``)."""
    st.session_state[_selections_key(name)] = st.session_state.get(_selections_key(name), 0) + 1


def _selections_key(name: str) -> str:
    return f"{name}_selections"


def _picked(key: str, widget_key: str) -> None:
    """The chart's selection callback: runs before the multiselect is drawn, so it may set it.
    Streamlit also calls it with an empty selection (the chart's first value, or a click beside
    the rows), which changes nothing and keeps the chart."""
    clicked = [point["id"] for point in st.session_state[key]["selection"].get(timechart.PICK, [])]
    if clicked:
        selected(f"{widget_key}_chart")
        st.session_state[widget_key] = ps.toggled(st.session_state[widget_key], clicked)


def compact_datasets(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with its named datasets (rows) as Arrow stream bytes without pandas' schema
    metadata, which Streamlit's own conversion adds (about 1 KB a dataset) and which the chart does
    not read: every filter change sends the sidebar's charts again (docs/performance.md, "What a
    filter change sends")."""
    datasets = {}
    for name, rows in spec["datasets"].items():
        table = pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False).replace_schema_metadata(None)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        datasets[name] = sink.getvalue().to_pybytes()
    return {**spec, "datasets": datasets}
