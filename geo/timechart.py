"""The sidebar's charts, without Streamlit: the histogram of events over time that sets the date
range, and the bar charts of events by actor and by event type that toggle those filters.

Bins. The histogram counts by year when the events it counts touch more than ``MAX_MONTH_BINS``
calendar months (four years), else by month. An event's dates allow the days
``[date_first, date_last]``; it counts in every bin those days touch: *exactly* in a bin that holds
all of them, *partly* in each bin when they spread over several (a year-precision "2022" counts
partly in each month of 2022; a 2016 - June 2022 presence partly in every year it spans).

The range. A brush over the histogram selects the bins it touches: the range runs from the first
day of the first bin to the last day of the last one, written as From/To text at the bins'
precision (``2021``, ``2021-11``). From/To take a year, a month or a day; a partial From starts at
its first day, a partial To ends at its last (``geo.filters.range_start``/``range_end``).

docs/ARCHITECTURE.md, "The time filter", says what each chart counts and why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from geo.fatalities import COLUMN as FATALITIES_COLUMN, Sums, sums_text
from geo.filters import range_end, range_start

BinUnit = Literal["year", "month"]
Spec = dict[str, Any]  # a part of a Vega-Lite specification, as JSON
Records = list[dict[str, Any]]  # a dataset's rows
# Streamlit's own charts name this schema; the page's charts keep to what it draws.
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
MAX_MONTH_BINS = 48  # more months than this and the histogram counts years
EXACT, PARTIAL = "Dated within the bar", "Dates reach beyond it"
BRUSH, PICK = "brush", "pick"  # the charts' selection names, as the page reads them back
BAR_COLOUR, FADED_COLOUR = "#3366aa", "#b3c6e0"  # exact counts and chosen bars; partial and unchosen ones
PERIOD_COLOUR = "#d95f02"  # the playback's period: an orange frame, apart from the blues of the bars
COLUMNS_VIEW, ROWS_VIEW = "columns", "rows"  # the layers carrying the brush and the pick
PERIOD_MARK = "period"  # the frame's layer, as static/charts.js finds it (Vega names its marks "period_marks")
CHOSEN_MARK = "chosen"  # the From/To days' shading (Vega names its marks "chosen_marks")
CHOSEN_COLOUR = "#333333"  # grey at Vega-Lite's brush opacity: the shading looks as a drawn brush does
KEY_ROLE = "button"  # the role of a chart's pickable marks; static/charts.js makes them keyboard-operable
CHART_HEIGHT = 110  # px, the histogram
ROW_HEIGHT = 15  # px per label line in the bar charts
LABEL_CHARACTERS = 24  # a name wraps at this width: the sidebar has about 300 px ...
LABEL_SHARE = 0.55  # ... of which the names take this share
# The charts' descriptions, which Vega puts on their SVG as its label, say what a chart is and what
# it does, never its counts: a specification the same from run to run lets Streamlit update the
# chart's data in place (docs/ARCHITECTURE.md, "The sidebar's charts in place"). Each bin's column
# and each term's row names its own counts (``bin_names``, ``term_counts``).
HISTOGRAM_DESCRIPTION = ("Histogram of events over time, a bar per month or per year: events dated within a bar "
                         "dark, those whose dates reach beyond it lighter. Drag across the bars to choose the "
                         "dates shown, or press Enter on a bar to choose its dates.")


@dataclass(frozen=True)
class TimeBin:
    """One bar of the histogram: the days ``first``..``last``."""

    first: dt.date
    last: dt.date
    unit: BinUnit

    @property
    def following(self) -> dt.date:
        """The first day after the bin: where its bar ends."""
        return self.last + dt.timedelta(days=1)

    @property
    def text(self) -> str:
        """The bin at its own precision, as From/To read it: ``2021`` or ``2021-11``."""
        return f"{self.first:%Y}" if self.unit == "year" else f"{self.first:%Y-%m}"


def bin_unit(first: dt.date, last: dt.date) -> BinUnit:
    """Years when the days ``first``..``last`` touch more than ``MAX_MONTH_BINS`` months, else months."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    return "year" if months > MAX_MONTH_BINS else "month"


def time_bins(first: dt.date, last: dt.date) -> list[TimeBin]:
    """The bins from the one holding ``first`` to the one holding ``last``, at ``bin_unit``'s unit."""
    unit = bin_unit(first, last)
    bins = []
    if unit == "year":
        for year in range(first.year, last.year + 1):
            bins.append(TimeBin(dt.date(year, 1, 1), dt.date(year, 12, 31), unit))
        return bins
    start = dt.date(first.year, first.month, 1)
    while start <= last:
        following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        bins.append(TimeBin(start, following - dt.timedelta(days=1), unit))
        start = following
    return bins


def histogram_counts(events: pd.DataFrame) -> tuple[list[TimeBin], pd.DataFrame] | None:
    """The histogram's bins over the days of ``events`` (``date_first``, ``date_last``, and
    ``fatalities`` where some event reports any) and their ``bin_counts``; None without events."""
    if events.empty:
        return None
    bins = time_bins(pd.Timestamp(events["date_first"].min()).date(), pd.Timestamp(events["date_last"].max()).date())
    return bins, bin_counts(events, bins)


def bin_counts(events: pd.DataFrame, bins: Sequence[TimeBin]) -> pd.DataFrame:
    """Per bin, the events dated within it (``exact``) and those whose dates reach into it from
    beyond (``partial``): the histogram's data, one row per bin with ``first``, ``following``
    (ISO days, where the bar starts and ends) and ``label``. ``events`` has ``date_first`` and
    ``date_last`` (dates or datetime64); the bins run on without gaps, as ``time_bins`` gives them.
    Where ``events`` has a ``fatalities`` column (NaN: none reported), also ``fatalities``: the sum
    the events dated within each bin report, and ``unreported``: how many of them report none (an
    event reaching beyond a bin cannot say which of its days its fatalities fell on)."""
    first, last = _days(events["date_first"]), _days(events["date_last"])
    starts = np.array([time_bin.first for time_bin in bins], dtype="datetime64[D]")
    ends = np.array([time_bin.last for time_bin in bins], dtype="datetime64[D]")
    exact = np.zeros(len(bins), dtype=np.int64)
    partial = np.zeros(len(bins), dtype=np.int64)
    with_fatalities = FATALITIES_COLUMN in events.columns
    fatalities = np.zeros(len(bins), dtype=np.int64)
    unreported = np.zeros(len(bins), dtype=np.int64)
    if len(bins) and len(first):
        # The bins holding each event's first and last day (-1 before the first bin; the last bin
        # also holds the days after it, which ``ends[-1]`` tells apart: the bins have no gaps).
        low = np.searchsorted(starts, first, side="right") - 1
        high = np.searchsorted(starts, last, side="right") - 1
        within = (low == high) & (low >= 0) & (last <= ends[-1])
        exact = np.bincount(low[within], minlength=len(bins))
        if with_fatalities:
            values = events[FATALITIES_COLUMN].to_numpy(dtype=float)[within]
            reported = ~np.isnan(values)
            fatalities = np.rint(np.bincount(low[within][reported], weights=values[reported],
                                             minlength=len(bins))).astype(np.int64)
            unreported = np.bincount(low[within][~reported], minlength=len(bins))
        # Every other event touching a bin counts partly in each bin from its first day's to its last's.
        reaching = ~within & (first <= ends[-1]) & (last >= starts[0]) & (low <= high)
        inside_low = np.maximum(low[reaching], 0)
        inside_high = np.minimum(high[reaching], len(bins) - 1)
        steps = (np.bincount(inside_low, minlength=len(bins) + 1)
                 - np.bincount(inside_high + 1, minlength=len(bins) + 1))
        partial = np.cumsum(steps)[:-1]
    rows = [{"first": time_bin.first.isoformat(), "following": time_bin.following.isoformat(),
             "label": f"{time_bin.first:%Y}" if time_bin.unit == "year" else f"{time_bin.first:%b %Y}",
             "exact": int(exact_count), "partial": int(partial_count)}
            for time_bin, exact_count, partial_count in zip(bins, exact, partial)]
    frame = pd.DataFrame(rows, columns=["first", "following", "label", "exact", "partial"])
    if with_fatalities:
        frame["fatalities"], frame["unreported"] = fatalities, unreported
    return frame


def _days(dates: pd.Series) -> np.ndarray:
    """``dates`` (datetime64, or dates) as days."""
    if pd.api.types.is_datetime64_dtype(dates.dtype):
        return dates.to_numpy().astype("datetime64[D]")
    return pd.to_datetime(dates).to_numpy().astype("datetime64[D]")


def histogram_chart(counts: pd.DataFrame, shown_range: tuple[dt.date, dt.date] | None,
                    period: tuple[dt.date, dt.date, str] | None = None) -> Spec:
    """The histogram's Vega-Lite specification: exact counts dark, partial ones stacked on them
    lighter; the From/To days ``shown_range`` shaded (from the first day's start to the last day's
    end; None: nothing shaded); the bars holding the playback's ``period`` (first day, last day,
    label) framed over the plot's whole height; over each bin, a column for the pointer and the
    keyboard (``KEY_ROLE``), named in words (``bin_names``), carrying a brush over x (``BRUSH``)
    that starts empty. Its data are in its ``datasets``, as rows."""
    datasets: dict[str, Records] = {}
    bars = pd.concat([
        counts.assign(kind=EXACT, base=0, height=counts["exact"]),
        counts.assign(kind=PARTIAL, base=counts["exact"], height=counts["exact"] + counts["partial"]),
    ], ignore_index=True)
    bars = bars[bars["height"] > bars["base"]]
    # A UTC time scale: the bins are calendar days, whatever the reader's time zone.
    def x() -> Spec:
        return {"field": "first", "type": "temporal", "scale": {"type": "utc"}}

    def over_plot() -> Spec:  # from a bin's first day to the next's, the plot's whole height
        return {"x": x(), "x2": {"field": "following"}, "y": {"value": 0}, "y2": {"value": "height"}}

    # No Vega legend: at the sidebar's width it squeezes the plot away; the page's caption says
    # which shade is which. The bars are drawn only: the columns over them are what a screen reader reads.
    layers: list[Spec] = [{
        "data": _named(datasets, bars), "mark": {"type": "rect", "x2Offset": -1, "aria": False},
        "encoding": {
            "x": {**x(), "title": None, "axis": {"labelOverlap": True, "labelFlush": True, "tickCount": 4, "grid": False}},
            "x2": {"field": "following"},
            "y": {"field": "base", "type": "quantitative", "title": "Events",
                  "axis": {"tickMinStep": 1, "grid": False}},
            "y2": {"field": "height"},
            "color": {"field": "kind", "type": "nominal", "legend": None,
                      "scale": {"domain": [EXACT, PARTIAL], "range": [BAR_COLOUR, FADED_COLOUR]}},
        },
    }]
    if shown_range is not None:
        first, last = shown_range
        days = pd.DataFrame([{"first": first.isoformat(), "following": (last + dt.timedelta(days=1)).isoformat()}])
        # Drawn from From/To on every run, so it always shows the filter; the columns above it take
        # the pointer, so it is never dragged.
        layers.append({"name": CHOSEN_MARK, "data": _named(datasets, days), "encoding": over_plot(),
                       "mark": {"type": "rect", "fill": CHOSEN_COLOUR, "fillOpacity": 0.125, "stroke": CHOSEN_COLOUR,
                                "strokeOpacity": 0.6, "aria": False}})
    framed = _period_bins(counts, period)
    if framed is not None:
        # Named, so the page script finds the frame: it draws the period itself while the browser
        # plays (static/charts.js).
        layers.append({"name": PERIOD_MARK, "data": _named(datasets, framed), "encoding": over_plot(),
                       "mark": {"type": "rect", "x2Offset": -1, "fill": PERIOD_COLOUR, "fillOpacity": 0.15,
                                "stroke": PERIOD_COLOUR, "strokeWidth": 2, "aria": False}})
    chosen = pd.Series(False, index=counts.index)
    if shown_range is not None:
        chosen = (counts["first"] <= shown_range[1].isoformat()) & (counts["following"] > shown_range[0].isoformat())
    columns = counts.assign(chosen=chosen, name=bin_names(counts, chosen))
    # An almost transparent column over each bin's bar (as wide, a pixel apart), on top, carrying
    # the brush (so its rectangle stays above them and can still be dragged) and the tooltip.
    layers.append({
        "name": COLUMNS_VIEW, "data": _named(datasets, columns),
        "mark": {"type": "rect", "x2Offset": -1, "opacity": 0.001, "ariaRole": KEY_ROLE, "ariaRoleDescription": KEY_ROLE},
        "encoding": {**over_plot(), "description": {"field": "name", "type": "nominal"},
                     "tooltip": [{"field": "label", "type": "nominal", "title": "When"},
                                 {"field": "exact", "type": "quantitative", "title": EXACT},
                                 {"field": "partial", "type": "quantitative", "title": PARTIAL},
                                 *_fatalities_tooltip(counts, "Fatalities reported (dated within)")]},
    })
    # The brush starts empty: Streamlit does not count a brush's starting value as a selection, so
    # clearing one would tell the server nothing (docs/ARCHITECTURE.md, "The time filter").
    brush = {"name": BRUSH, "select": {"type": "interval", "encodings": ["x"]}, "views": [COLUMNS_VIEW]}
    # Described in words for a screen reader (docs/ARCHITECTURE.md, "Accessibility").
    return {"$schema": VEGA_LITE_SCHEMA, "description": HISTOGRAM_DESCRIPTION, "height": CHART_HEIGHT,
            "layer": layers, "params": [brush], "datasets": datasets}


def _named(datasets: dict[str, Records], frame: pd.DataFrame) -> Spec:
    """A reference to ``frame``'s rows, added to ``datasets`` under a name their content gives, as
    Altair named them: when a chart's data change, so does the name."""
    rows = frame.to_dict("records")
    name = "data-" + hashlib.md5(json.dumps(rows, sort_keys=True).encode()).hexdigest()
    datasets[name] = rows
    return {"name": name}


def _period_bins(counts: pd.DataFrame, period: tuple[dt.date, dt.date, str] | None) -> pd.DataFrame | None:
    """The playback's frame: from the first day of the first bin ``period`` touches to the end of
    the last, or None without a period or when it touches no bin."""
    if period is None:
        return None
    first, last, label = period
    touched = counts[(counts["first"] <= last.isoformat()) & (counts["following"] > first.isoformat())]
    if touched.empty:
        return None
    return pd.DataFrame([{"first": touched["first"].iloc[0], "following": touched["following"].iloc[-1],
                          "label": label}])


def bin_names(counts: pd.DataFrame, chosen: Sequence[bool]) -> list[str]:
    """Each bin in words, as its column's accessible name: "Nov 2021: 2 events dated within the
    month, 3 reaching beyond it, chosen" (``chosen``: the bins the date range touches)."""
    names = []
    for label, exact, partial, is_chosen in zip(counts["label"], counts["exact"], counts["partial"], chosen):
        unit = "year" if len(label) == 4 else "month"
        text = f"{label}: {_events_text(exact)} dated within the {unit}, {partial} reaching beyond it"
        if "fatalities" in counts.columns:
            within = Sums(exact, exact - int(counts["unreported"].iloc[len(names)]),
                          int(counts["fatalities"].iloc[len(names)]))
            text += f"; those dated within: {sums_text(within)}"
        names.append(text + (", chosen" if is_chosen else ""))
    return names


def _events_text(count: int) -> str:
    return f"{count} event" if count == 1 else f"{count} events"




def histogram_summary(counts: pd.DataFrame) -> str:
    """What the histogram shows, in words, under it (its description on the chart is the same on
    every run, so a filter change keeps the drawing): its first and last bins, the events dated
    within one bin and the fullest bin. ``counts`` as ``bin_counts`` gives it."""
    if counts.empty:
        return "No dates."
    unit = "year" if len(counts["label"].iloc[0]) == 4 else "month"
    fullest = counts.loc[counts["exact"].idxmax()]
    exact = int(counts["exact"].sum())
    text = (f"From {counts['label'].iloc[0]} to {counts['label'].iloc[-1]}: {_events_text(exact)} dated within "
            f"one {unit}")
    return text + (f", most in {fullest['label']} ({int(fullest['exact'])})." if fullest["exact"] else ".")


def brush_range(values: Sequence[float], bins: Sequence[TimeBin]) -> tuple[TimeBin, TimeBin] | None:
    """The first and last bin a brush over ``values`` (two instants in ms since 1970 UTC, as the
    chart reports them) touches, or None when it touches none. A bin is touched when the brush
    covers some of its bar, not only its edge."""
    start, end = sorted(values)
    touched = [time_bin for time_bin in bins if _ms(time_bin.first) < end and _ms(time_bin.following) > start]
    return (touched[0], touched[-1]) if touched else None


def _ms(day: dt.date) -> float:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp() * 1000


# --- From/To as text ----------------------------------------------------------------------------

def read_range_end(text: str, *, end: bool) -> dt.date | None:
    """The day a From (``end=False``) or To text means: None when empty; a partial From at its
    first day, a partial To at its last. ValueError says what is wrong."""
    text = text.strip()
    if not text:
        return None
    try:
        return range_end(text) if end else range_start(text)
    except ValueError as error:
        raise ValueError(f"{'To' if end else 'From'} '{text}' is not a date: {error} (e.g. 2021, 2021-11, "
                         "2021-11-05)") from None


def read_range(from_text: str, to_text: str) -> tuple[dt.date | None, dt.date | None, list[str]]:
    """From and To as days, and what is wrong with them: an unreadable end is left open, and a
    From after its To leaves both open."""
    errors: list[str] = []
    days: list[dt.date | None] = []
    for text, end in ((from_text, False), (to_text, True)):
        try:
            days.append(read_range_end(text, end=end))
        except ValueError as error:
            errors.append(str(error))
            days.append(None)
    first, last = days
    if first is not None and last is not None and first > last:
        errors.append(f"From ({first:%Y-%m-%d}) is after To ({last:%Y-%m-%d}): no date filter.")
        first = last = None
    return first, last, errors


def range_text(day: dt.date | None, *, end: bool) -> str:
    """The shortest text that reads back as ``day`` as a From (``end=False``) or To: ``2021``
    for 1 January 2021 as a From or 31 December 2021 as a To, ``2021-11`` for a month's first (last)
    day, else the day; empty for None."""
    if day is None:
        return ""
    for text in (f"{day:%Y}", f"{day:%Y-%m}"):
        if (range_end(text) if end else range_start(text)) == day:
            return text
    return f"{day:%Y-%m-%d}"


# --- events by actor and by type ---------------------------------------------------------------

def term_counts(counted: Mapping[str, int], names: Mapping[str, str], chosen: Iterable[str],
                fatality_sums: Mapping[str, Sums] | None = None) -> pd.DataFrame:
    """Per vocabulary term, how many events name it (``counted``: events per term, as
    ``geo.filters.EventIndex.counts`` gives them), most first, then in vocabulary order; terms no
    event names are left out unless ``chosen``; a counted term not in ``names`` is left out.
    Columns ``id``, ``label`` (the name wrapped at ``LABEL_CHARACTERS``, lines split by a newline),
    ``events``, ``chosen``, ``top``/``lines``: where the row starts and how tall it is, in lines, and
    ``name``: the row in words, its accessible name ("Russia: 5 events, chosen"). With
    ``fatality_sums`` (per term, where some event reports fatalities), also ``fatalities`` (the sum
    reported) and the name says it ("Taliban: 7 events, 12 fatalities reported (2 events with
    none reported)")."""
    counted = {term: counted.get(term, 0) for term in names}
    chosen = set(chosen)
    order = {term: position for position, term in enumerate(names)}
    kept = sorted((term for term, count in counted.items() if count or term in chosen),
                  key=lambda term: (-counted[term], order[term]))
    labels = [textwrap.wrap(names[term], LABEL_CHARACTERS) or [term] for term in kept]
    lines = [len(label) for label in labels]
    tops = [sum(lines[:position]) for position in range(len(kept))]
    columns = ["id", "label", "events", "chosen", "top", "lines", "name"]
    sums = {term: (fatality_sums or {}).get(term, Sums(counted[term], 0, 0)) for term in kept}
    frame = pd.DataFrame({
        "id": kept, "label": ["\n".join(label) for label in labels], "events": [counted[term] for term in kept],
        "chosen": [term in chosen for term in kept], "top": tops, "lines": lines,
        "name": [f"{names[term]}: {_events_text(counted[term])}"
                 + (f", {sums_text(sums[term])}" if fatality_sums is not None else "")
                 + (", chosen" if term in chosen else "") for term in kept],
    }, columns=columns)
    if fatality_sums is not None:
        frame["fatalities"] = [sums[term].total for term in kept]
    return frame


def term_chart(counts: pd.DataFrame, subject: str = "term") -> Spec:
    """The Vega-Lite specification of one row per term of ``term_counts``: its name (wrapped) on
    the left, a bar with its count on the right; a click anywhere on a row selects its id
    (``PICK``), and so does Enter on the row (``KEY_ROLE``, named by ``name``). With some terms
    chosen the others' bars are drawn faded. Its data are in its ``datasets``, as rows."""
    datasets: dict[str, Records] = {}
    # The names take the x axis's negative part, a little over half the width, so a name never
    # shares pixels with a bar however wide the sidebar is. A bar reaches ``reach`` of the right
    # part, the longest 1/1.2 of it, and its colour is in the data, the rows' lines set the y scale
    # and the page the height (``term_chart_height``): the specification is the same from run to
    # run (docs/ARCHITECTURE.md, "The sidebar's charts in place").
    left, right = -LABEL_SHARE / (1 - LABEL_SHARE), 1.0
    x_scale = {"domain": [left, right], "nice": False, "zero": False}
    faded = FADED_COLOUR if counts["chosen"].any() else BAR_COLOUR
    counts = counts.assign(reach=counts["events"] / (max(int(counts["events"].max()), 1) * 1.2),
                           colour=counts["chosen"].map({True: BAR_COLOUR, False: faded}))
    # From the first row's top (0) to the last row's bottom, as the data give it.
    y_scale = {"reverse": True, "nice": False, "zero": True}

    def rows(*more: Spec) -> list[Spec]:  # where each row's parts lie, then ``more``
        return [_calculate("bottom", "datum.top + datum.lines"), _calculate("bar_top", "datum.top + 0.15"),
                _calculate("bar_bottom", "datum.top + 0.85"), *more]

    # Names, bars and numbers are drawn only: the row over them is what a screen reader reads.
    bars = {"mark": {"type": "rect", "aria": False}, "transform": rows(_calculate("zero", "0")), "encoding": {
        "x": {"field": "zero", "type": "quantitative", "scale": x_scale, "axis": None}, "x2": {"field": "reach"},
        "y": {"field": "bar_top", "type": "quantitative", "scale": y_scale, "axis": None},
        "y2": {"field": "bar_bottom"},
        "color": {"field": "colour", "type": "nominal", "scale": None, "legend": None}}}
    names = {"mark": {"type": "text", "align": "left", "baseline": "top", "lineBreak": "\n", "dy": 1, "aria": False},
             "transform": rows(), "encoding": {
                 "x": {"datum": left}, "y": {"field": "top", "type": "quantitative", "scale": y_scale},
                 "text": {"field": "label", "type": "nominal"}}}
    numbers = {"mark": {"type": "text", "align": "left", "baseline": "middle", "dx": 3, "aria": False},
               "transform": rows(_calculate("row_middle", "datum.top + 0.5")), "encoding": {
                   "x": {"field": "reach", "type": "quantitative"},
                   "y": {"field": "row_middle", "type": "quantitative", "scale": y_scale},
                   "text": {"field": "events", "type": "quantitative"}}}
    # An almost transparent rectangle over each whole row, on top: the row is what a click picks.
    targets = {"name": ROWS_VIEW, "transform": rows(),
               "mark": {"type": "rect", "opacity": 0.001, "cursor": "pointer", "ariaRole": KEY_ROLE,
                        "ariaRoleDescription": KEY_ROLE},
               "encoding": {"x": {"datum": left}, "x2": {"datum": right},
                            "y": {"field": "top", "type": "quantitative", "scale": y_scale}, "y2": {"field": "bottom"},
                            "description": {"field": "name", "type": "nominal"},
                            "tooltip": [{"field": "label", "type": "nominal", "title": "Name"},
                                        {"field": "events", "type": "quantitative", "title": "Events"},
                                        *_fatalities_tooltip(counts)]}}
    pick = {"name": PICK, "select": {"type": "point", "fields": ["id"], "on": "click"}, "views": [ROWS_VIEW]}
    return {"$schema": VEGA_LITE_SCHEMA, "description": term_description(subject),
            "data": _named(datasets, counts),
            "layer": [bars, names, numbers, targets], "params": [pick], "datasets": datasets}


def _calculate(field: str, expression: str) -> Spec:
    return {"calculate": expression, "as": field}


def _fatalities_tooltip(counts: pd.DataFrame, title: str = "Fatalities reported") -> list[Spec]:
    """The tooltip's fatalities line, where the counts carry them."""
    return ([{"field": "fatalities", "type": "quantitative", "title": title, "format": ","}]
            if "fatalities" in counts.columns else [])


def term_chart_height(counts: pd.DataFrame) -> int:
    """The height in px of ``term_chart``'s drawing of ``counts``: ``ROW_HEIGHT`` a line."""
    return int(counts["lines"].sum()) * ROW_HEIGHT + 4


def term_description(subject: str) -> str:
    """The bars in words, for a screen reader: what they count and what a click does (each row
    names its term and count: ``term_counts``'s ``name``)."""
    return (f"Events by {subject}, most first: a row per {subject} with its name and count. Click a bar, "
            f"or press Enter on it, to choose that {subject}.")
