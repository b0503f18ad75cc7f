"""The sidebar's bar charts of events by actor and by event type: a click on a bar toggles that
term in its multiselect. Widgets only; counts and the chart are ``geo.timechart``."""

from __future__ import annotations

import hashlib
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
    # A new key whenever the bars change, so the chart forgets its last click: clicking the same
    # bar again toggles it back.
    key = f"{widget_key}_chart_" + hashlib.sha256(counts.to_json().encode()).hexdigest()[:12]
    slot.vega_lite_chart(compact_datasets(timechart.term_chart(counts, subject)), key=key,
                         on_select=partial(_picked, key, widget_key), selection_mode=timechart.PICK, width="stretch")


def _picked(key: str, widget_key: str) -> None:
    """The chart's selection callback: runs before the multiselect is drawn, so it may set it."""
    clicked = [point["id"] for point in st.session_state[key]["selection"].get(timechart.PICK, [])]
    if clicked:
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
