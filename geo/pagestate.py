"""The page's state machine, without Streamlit: what the widgets hold when the page opens from a
URL, when a scene is applied and on reset; which filters the widgets mean; what the URL should
say; which event is highlighted; where the map should move on this run; and where a playback
paused (``Playback``: the browser plays it, docs/ARCHITECTURE.md, "Playback").

``app.py`` keeps its state in ``st.session_state`` under the keys below. Every function here
takes plain values and returns plain values (often a dict of session-state updates, which the
page applies with ``st.session_state.update``), so the whole machine is table-tested in
tests/test_pagestate.py with no Streamlit running.

The map's view has one owner on each side. In the browser, ``geo/web/panj-map.js`` keeps it in
the URL (``bbox``) and answers the Render button. In Python it is ``BBOX``: the last view the
page knows (from the URL it opened with, or the Render button's click), written back into every
URL; ``OPEN_BBOX`` is the same view as a one-off request to fit the map to it on the first run.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from geo import playback as pb
from geo.events import STATUSES as EVENT_STATUSES
from geo.fatalities import SIZE_BY
from geo.filters import FilterState, KnownIds, ViewState, check_along, parse_bbox, to_query_params
from geo.frontier import SIDES as FRONTIER_SIDES
from geo.scenes import KEY_SCENE, Scene, open_from_query
from geo.table import DEFAULT_SORT, HEADING_SORTS, SORT_COLUMNS
from geo.timechart import TimeBin, brush_range, range_text
from geo.trends import PERIODS as TREND_PERIODS

Bounds = tuple[float, float, float, float]  # west, south, east, north in degrees
TABLE_ROWS = 50  # rows per page of the events table: what one rerun sends, whatever the events
DateSpan = tuple[dt.date, dt.date]

KEY_PRESENTER = "presenter"  # ?presenter=1: the map fills the window, for a projector
KEY_HIDE = "hide"  # ?hide=ID,ID: the datasets the reader unticked, by id (an id survives a rename)
# ?play=month&period=2022-05&mode=upto&fade=1: a playback, reopened paused at that period
KEY_PLAY, KEY_PERIOD, KEY_MODE, KEY_FADE = "play", "period", "mode", "fade"
KEY_SORT = "sort"  # ?sort=COLUMN, or ?sort=-COLUMN backwards: the table's order, unless by date
# ?trends_km=10&trends_segment=100&trends_period=week&trends_map=1: the change along the frontier's
# choices (ui.trends_panel), each written when it differs from the panel's first value
KEY_TRENDS_KM, KEY_TRENDS_SEGMENT, KEY_TRENDS_PERIOD, KEY_TRENDS_MAP = (
    "trends_km", "trends_segment", "trends_period", "trends_map")

# Session-state keys: the filter and view widgets (a reset or a scene writes their values) ...
DATE_FROM, DATE_TO = "f_from", "f_to"  # the From/To texts, which the histogram's brush also sets
ACTORS, TYPES, REGIONS, TEXT, BASEMAP = "f_actors", "f_types", "f_regions", "f_text", "v_basemap"
STATUSES = "f_statuses"
WITHIN, SIDES, STRETCHES = "f_within", "f_sides", "f_stretches"  # the frontier filters (geo.filters)
FATALITIES_MIN, FATALITIES_MAX = "f_fatalities_min", "f_fatalities_max"  # the fatalities range (geo.fatalities)
SIZE = "v_size"  # symbols sized by fatalities (a checkbox: ViewState.size_by)
_EPOCH = dt.date(1970, 1, 1)  # the strip's days count from it, as the browser's dates do
ALONG = "f_along"  # the km range along the frontier (from, to) the strip's brush sets; None: anywhere
# ... and the rest of the page's state.
READY = "state_ready"  # the URL has been read (first run done)
NOTICES = "notices"  # notices to show once, on the next run
TABLE = "events_table"  # the table widget's selection (one key per page: TABLE_<page number>)
SELECTED = "selected_event"  # the event highlighted through the table or the URL, by id
SCENE, STEP = "w_scene", "w_step"  # the chosen scene; the event the step buttons are on
FIT_SCENE = "w_fit_scene"  # a scene was just applied: the map moves to its extent
FIT_REQUEST = "w_fit_request"  # numbers the map's moves the page asks for (geo.mapview.MapView.fit_request)
BBOX, OPEN_BBOX = "v_bbox", "v_open_bbox"  # the last view the page knows; the URL's, to open on
SHOWN_IDS = "shown_ids"  # the ids the table listed on the last run (its page), in its row order
TABLE_PAGE = "table_page"  # the table's page number (its number input)
TABLE_FILTERS = "table_filters"  # the filters (and order) the table's page was chosen under
TABLE_SORT, TABLE_DESCENDING = "table_sort", "table_descending"  # the column the table is sorted by; backwards
PNG = "export_png"  # the last rendered figure
DATASETS_HIDDEN = "datasets_hidden"  # ids of the datasets the reader unticked (ui.datasets.dataset_filter)
PLAYBACK = "w_playback"  # the playback where it was last paused (Playback), None when off
# Numbers the page's own moves of the playback (stepped_playback, a scene chosen): the browser, which
# otherwise keeps its own period, takes each number's playback once.
PLAYBACK_REQUEST = "w_playback_request"
KEY_ACTION = "w_key_action"  # a presenter key's step ("next", "previous", "first", "last"), to take once
# The change along the frontier's widgets (ui.trends_panel): the km counted within, the segment
# length, the period and whether the map colours the frontier by change.
TRENDS_WITHIN, TRENDS_SEGMENT, TRENDS_PERIOD, TRENDS_ON_MAP = (
    "trends_within_km", "trends_segment_km", "trends_period", "trends_on_map")
# Their bounds, whole km as the widgets step them: (least, most).
TRENDS_WITHIN_KM = (0, 500)
TRENDS_SEGMENT_KM = (10, 1400)


@dataclass(frozen=True)
class TrendsChoice:
    """What the change along the frontier counts and shows: events within ``within_km`` of the
    frontier, per segment of ``segment_km`` and ``period`` (``geo.trends.PERIODS``), the frontier
    coloured by change on the map when ``on_map``. The defaults are the panel's first values."""

    within_km: int = 25
    segment_km: int = 50
    period: str = TREND_PERIODS[0]
    on_map: bool = False

    def params(self) -> dict[str, str]:
        """Its part of the URL: each choice that differs from the default."""
        default, params = TrendsChoice(), {}
        if self.within_km != default.within_km:
            params[KEY_TRENDS_KM] = str(self.within_km)
        if self.segment_km != default.segment_km:
            params[KEY_TRENDS_SEGMENT] = str(self.segment_km)
        if self.period != default.period:
            params[KEY_TRENDS_PERIOD] = self.period
        if self.on_map:
            params[KEY_TRENDS_MAP] = "1"
        return params

    def widget_values(self) -> dict[str, Any]:
        """The session-state values that make the panel's widgets show this choice."""
        return {TRENDS_WITHIN: self.within_km, TRENDS_SEGMENT: self.segment_km, TRENDS_PERIOD: self.period,
                TRENDS_ON_MAP: self.on_map}


def trends_from_widgets(values: Mapping[str, Any]) -> TrendsChoice:
    """The choice the panel's widgets hold (session-state ``values``); a widget not drawn yet holds
    its first value."""
    default = TrendsChoice()
    return TrendsChoice(within_km=int(values.get(TRENDS_WITHIN, default.within_km)),
                        segment_km=int(values.get(TRENDS_SEGMENT, default.segment_km)),
                        period=str(values.get(TRENDS_PERIOD, default.period)),
                        on_map=bool(values.get(TRENDS_ON_MAP, default.on_map)))


def trends_from_query(query: Mapping[str, Sequence[str]]) -> tuple[TrendsChoice, list[str]]:
    """The change along the frontier's choice a URL asks for, and a notice for each value it gets
    wrong (that choice keeps its default)."""
    default, notices = TrendsChoice(), []
    chosen: dict[str, Any] = {}
    for key, field, (least, most) in ((KEY_TRENDS_KM, "within_km", TRENDS_WITHIN_KM),
                                      (KEY_TRENDS_SEGMENT, "segment_km", TRENDS_SEGMENT_KM)):
        if query.get(key):
            text = query[key][-1].strip()
            if text.isdigit() and least <= int(text) <= most:
                chosen[field] = int(text)
            else:
                notices.append(f"Ignored '{key}={text}': expected a whole number of km from {least} to {most}.")
    if query.get(KEY_TRENDS_PERIOD):
        text = query[KEY_TRENDS_PERIOD][-1].strip()
        if text in TREND_PERIODS:
            chosen["period"] = text
        else:
            notices.append(f"Ignored '{KEY_TRENDS_PERIOD}={text}': expected one of {', '.join(TREND_PERIODS)}.")
    if query.get(KEY_TRENDS_MAP):
        text = query[KEY_TRENDS_MAP][-1].strip()
        if text in ("0", "1"):
            chosen["on_map"] = text == "1"
        else:
            notices.append(f"Ignored '{KEY_TRENDS_MAP}={text}': expected 1 (colour the frontier by change) or 0.")
    return replace(default, **chosen), notices


@dataclass(frozen=True)
class Playback:
    """A playback as the page keeps it between reruns: its ``step``, the ``period`` it is paused at
    (None: the first the bounds allow), its ``mode`` and how many earlier periods stay ``fade``d
    (``geo.playback``). While it plays, the browser alone knows the period; a pause tells the page."""

    step: pb.Step
    period: pb.Period | None = None
    mode: pb.Mode = "this"
    fade: int = 0

    def within(self, first: dt.date, last: dt.date) -> Playback:
        """The playback with its period moved into the periods holding ``first``..``last``."""
        period = self.period or pb.period_of(first, self.step)
        return replace(self, period=pb.clamp(period, first, last))

    def params(self) -> dict[str, str]:
        """Its part of the URL: ``play``, ``period`` and, when not the defaults, ``mode`` and ``fade``."""
        params = {KEY_PLAY: self.step}
        if self.period is not None:
            params[KEY_PERIOD] = self.period.text
        if self.mode != "this":
            params[KEY_MODE] = self.mode
        if self.fade:
            params[KEY_FADE] = str(self.fade)
        return params

    def browser(self) -> dict[str, Any]:
        """What the map's runtime and the page's control read: step, period text, mode, fade."""
        return {"step": self.step, "period": self.period.text if self.period else None, "mode": self.mode,
                "fade": self.fade}


def playback_from(values: Mapping[str, str | None]) -> Playback:
    """The playback ``values`` describe (``play``, ``period``, ``mode``, ``fade``, as a URL or the
    page's control gives them); ValueError names the first value that is wrong."""
    step = pb.check_step(str(values.get(KEY_PLAY)))
    period_text, mode = values.get(KEY_PERIOD), values.get(KEY_MODE) or "this"
    period = pb.parse_period(period_text, step) if period_text else None
    fade_text = str(values.get(KEY_FADE) or "0")
    if not fade_text.isdigit() or int(fade_text) > pb.FADE_MAX:
        raise ValueError(f"fade {fade_text!r} is not a number of periods from 0 to {pb.FADE_MAX}")
    return Playback(step=step, period=period, mode=pb.check_mode(mode), fade=int(fade_text))


def playback_from_query(query: Mapping[str, Sequence[str]],
                        scene: Scene | None = None) -> tuple[Playback | None, list[str]]:
    """The playback a URL asks for: without ``play``, that of the ``scene`` it names
    (``scene_playback``; None without one); and a notice when it is malformed (then no playback)."""
    keys = (KEY_PLAY, KEY_PERIOD, KEY_MODE, KEY_FADE)
    if not query.get(KEY_PLAY):
        return (None if scene is None else scene_playback(scene)), []
    try:
        return playback_from({key: query[key][-1] for key in keys if query.get(key)}), []
    except ValueError as error:
        return None, [f"Ignored the playback: {error}."]


def stepped_playback(playback: Playback | None, first_day: dt.date | None, bounds: DateSpan | None,
                     requests: int) -> dict[str, Any]:
    """A step to an event whose first day is ``first_day`` while ``playback`` is on: the playback
    paused at the period holding that day, moved into ``bounds`` (``playback_bounds``), and the
    next request number (``requests`` + 1), so the browser draws that period and the event's
    highlight with it (it draws only the period's events). {} with no playback, or no event."""
    if playback is None or first_day is None:
        return {}
    moved = replace(playback, period=pb.period_of(first_day, playback.step))
    return {PLAYBACK: moved if bounds is None else moved.within(*bounds), PLAYBACK_REQUEST: requests + 1}


def playback_bounds(state: FilterState, date_first: pd.Series | Sequence[dt.date],
                    date_last: pd.Series | Sequence[dt.date]) -> tuple[dt.date, dt.date] | None:
    """The days a playback runs over: the date filter's From and To, an open end at the shown
    events' (``date_first``/``date_last``) first or last day, as the histogram's bars run; None
    when no event is shown."""
    if not len(date_first):
        return None
    # pandas' own min and max: Python's walk a column of 100,000 dates one Timestamp at a time,
    # seconds before the map (docs/performance.md, "First load").
    first = state.date_from or _day(pd.Series(date_first).min())
    last = state.date_to or _day(pd.Series(date_last).max())
    return first, max(first, last)


def _day(value: dt.date) -> dt.date:
    """A day (the snapshot's dates are datetime64, read back as timestamps: datetimes)."""
    return value.date() if isinstance(value, dt.datetime) else value


def layer_key(layer_id: str) -> str:
    """The session-state key of a layer's checkbox."""
    return f"v_layer_{layer_id}"


# --- widget values -------------------------------------------------------------------------------

def dates_in_span(span: DateSpan, state: FilterState) -> tuple[tuple[dt.date | None, dt.date | None], list[str]]:
    """The state's dates moved inside the events' span (a range outside it would show nothing, or
    all as if unfiltered; from <= to still holds), with a notice per date moved. An open end stays open."""
    first, last = span
    start = None if state.date_from is None else min(max(state.date_from, first), last)
    end = None if state.date_to is None else max(min(state.date_to, last), start or first)
    notices = [
        f"Moved the {which} date {asked:%Y-%m-%d} to {used:%Y-%m-%d}: the events run from {first:%Y-%m-%d} "
        f"to {last:%Y-%m-%d}."
        for which, asked, used in (("start", state.date_from, start), ("end", state.date_to, end))
        if asked is not None and asked != used
    ]
    return (start, end), notices


def widget_values(
    state: FilterState, view: ViewState, layer_ids: Sequence[str], span: DateSpan | None,
) -> tuple[dict[str, Any], list[str]]:
    """The session-state values that make the widgets show ``state`` and ``view``, and notices for
    the dates moved into the events' span."""
    values: dict[str, Any] = {
        ACTORS: sorted(state.actors or ()), TYPES: sorted(state.event_types or ()),
        STATUSES: [status for status in EVENT_STATUSES if status in (state.statuses or ())],
        REGIONS: sorted(state.regions or ()), TEXT: state.text, BASEMAP: view.basemap,
        WITHIN: state.within_km, SIDES: [side for side in FRONTIER_SIDES if side in (state.sides or ())],
        STRETCHES: sorted(state.stretches or ()), ALONG: state.along_km,
        FATALITIES_MIN: state.fatalities_min, FATALITIES_MAX: state.fatalities_max, SIZE: view.size_by is not None,
    }
    values.update({layer_key(layer_id): layer_id in view.visible_layers for layer_id in layer_ids})
    notices: list[str] = []
    dates = (state.date_from, state.date_to)
    if span is not None:
        dates, notices = dates_in_span(span, state)
    values[DATE_FROM], values[DATE_TO] = range_text(dates[0], end=False), range_text(dates[1], end=True)
    return values, notices


def opening_values(
    query: Mapping[str, Sequence[str]], scenes: Mapping[str, Scene], known: KnownIds, default_view: ViewState,
    layer_ids: Sequence[str], span: DateSpan | None, dataset_ids: Collection[str] = (),
) -> dict[str, Any]:
    """Everything a session's first run sets: the view the URL describes, the scene it names, the
    datasets it hides (of ``dataset_ids``), the change along the frontier's choice, and notices for
    what it got wrong."""
    scene, state, view, notices = open_from_query(query, scenes, known, default_view)
    values, moved = widget_values(state, view, layer_ids, span)
    hidden, unknown = hidden_from_query(query, dataset_ids)
    playback, playback_notices = playback_from_query(query, scene)
    values.update({PLAYBACK: playback, PLAYBACK_REQUEST: 0, KEY_ACTION: None})
    unknown = unknown + playback_notices
    (column, descending), unsorted = sort_from_query(query)
    trends, trends_notices = trends_from_query(query)
    values.update(trends.widget_values())
    unknown = unknown + trends_notices
    values.update({
        SCENE: scene.id if scene is not None else None, FIT_SCENE: scene is not None, STEP: None,
        SELECTED: view.selected_event, BBOX: view.bbox, OPEN_BBOX: view.bbox, FIT_REQUEST: 0,
        DATASETS_HIDDEN: hidden, TABLE_SORT: column, TABLE_DESCENDING: descending,
        NOTICES: notices + moved + unknown + unsorted, READY: True,
    })
    return values


def hidden_from_query(query: Mapping[str, Sequence[str]], dataset_ids: Collection[str]) -> tuple[list[str], list[str]]:
    """The datasets ``?hide=`` names that the store holds (sorted), and a notice for those it does
    not (deleted since the link was made, or mistyped)."""
    asked = [item.strip() for value in query.get(KEY_HIDE, ()) for item in value.split(",") if item.strip()]
    unknown = sorted({item for item in asked if item not in dataset_ids})
    notices = [f"Ignored unknown dataset(s): {', '.join(map(repr, unknown))}."] if unknown else []
    return sorted({item for item in asked if item in dataset_ids}), notices


def sort_from_query(query: Mapping[str, Sequence[str]]) -> tuple[tuple[str, bool], list[str]]:
    """The table's order ``?sort=`` names, as (column, descending): the last value wins; by date,
    forwards, with a notice, when it names no column of the table."""
    asked = (query.get(KEY_SORT) or [""])[-1].strip()
    column, descending = asked.removeprefix("-"), asked.startswith("-")
    if not asked:
        return (DEFAULT_SORT, False), []
    if column not in SORT_COLUMNS:
        return (DEFAULT_SORT, False), [f"Ignored the table's order {asked!r}: it sorts by "
                                       f"{', '.join(SORT_COLUMNS)} (a leading '-' for backwards)."]
    return (column, descending), []


def sort_param(column: str, descending: bool) -> str | None:
    """``?sort=``'s value for the table's order; None for the default (by date, forwards)."""
    if (column, descending) == (DEFAULT_SORT, False):
        return None
    return f"-{column}" if descending else column


def with_sort(query: Mapping[str, Sequence[str]], column: str, descending: bool) -> dict[str, list[str]]:
    """The link ``query`` (as ``st.query_params`` holds it) with the table's order set to (``column``,
    ``descending``) and nothing else changed: the table reorders without the rest of the page
    running (ui/table.py), so it updates its own part of the link."""
    updated = {key: list(values) for key, values in query.items() if key != KEY_SORT}
    if (order := sort_param(column, descending)) is not None:
        updated[KEY_SORT] = [order]
    return updated


def scene_values(scene: Scene, layer_ids: Sequence[str], span: DateSpan | None) -> dict[str, Any]:
    """Applying ``scene``: its filters, layers and basemap; its playback paused at its first period
    (none without ``play``); no event highlighted; the map moves to the scene's extent (the view the
    page knew is dropped)."""
    values, notices = widget_values(scene.filters, scene.view_state(), layer_ids, span)
    values.update({NOTICES: notices, STEP: None, SELECTED: None, FIT_SCENE: True, BBOX: None,
                   PLAYBACK: scene_playback(scene)})
    return values


def scene_playback(scene: Scene) -> Playback | None:
    """The playback ``scene`` opens on the page: its ``play``'s step and mode, paused at the period
    holding its first day; None when it has none. (The page's date filter, the scene's own, bounds it.)"""
    if scene.play is None:
        return None
    return Playback(step=scene.play.step, period=pb.period_of(scene.play.first, scene.play.step),
                    mode=scene.play.mode)


def reset_values(default_view: ViewState, layer_ids: Sequence[str], span: DateSpan | None) -> dict[str, Any]:
    """"Reset filters": no filter, the default layers and basemap, nothing highlighted."""
    values, _ = widget_values(FilterState(), default_view, layer_ids, span)
    values[SELECTED] = None
    return values


def filters_from_widgets(
    *, dates: tuple[dt.date | None, dt.date | None], span: DateSpan | None, actors: Collection[str],
    event_types: Collection[str], regions: Collection[str], text: str, statuses: Collection[str] = (),
    within_km: float | None = None, sides: Collection[str] = (), stretches: Collection[str] = (),
    fatalities_range: tuple[float | None, float | None] = (None, None), along_km: tuple[float, float] | None = None,
    scene_filters: FilterState | None = None,
) -> FilterState:
    """The filters the widgets mean. A From/To at or beyond the events' span is no date filter, so
    events added later are not cut off, unless it is the date the applied scene (``scene_filters``)
    set: that stays the scene's, so the page does not read the scene as changed. Empty choices are "all";
    an empty km (None) is any distance, an empty end of ``fatalities_range`` open (the number
    boxes give floats: a bound is the whole number at or inside it)."""
    date_from, date_to = dates
    scene_from, scene_to = (scene_filters.date_from, scene_filters.date_to) if scene_filters else (None, None)
    if span is not None:
        date_from = None if date_from is not None and date_from <= span[0] and date_from != scene_from else date_from
        date_to = None if date_to is not None and date_to >= span[1] and date_to != scene_to else date_to
    return FilterState(
        date_from=date_from, date_to=date_to, actors=frozenset(actors) or None,
        event_types=frozenset(event_types) or None, regions=frozenset(regions) or None, text=text.strip(),
        statuses=frozenset(statuses) or None, within_km=within_km, sides=frozenset(sides) or None,
        stretches=frozenset(stretches) or None, along_km=along_km,
        fatalities_min=None if fatalities_range[0] is None else math.ceil(fatalities_range[0]),
        fatalities_max=None if fatalities_range[1] is None else math.floor(fatalities_range[1]),
    )


def sized_by(checked: bool) -> str | None:
    """``ViewState.size_by`` for the "Size symbols by fatalities" checkbox."""
    return SIZE_BY if checked else None


def brushed_values(selection: Mapping[str, Sequence[float]], bins: Sequence[TimeBin]) -> dict[str, str]:
    """From/To for a brush over the histogram (``selection``: the x field's two instants, as the
    chart reports them): the bins it touches, at their precision; a cleared brush (or one over no
    bin) clears both, so no date filter is left."""
    values = next(iter(selection.values()), None)
    touched = brush_range(values, bins) if values else None
    if touched is None:
        return {DATE_FROM: "", DATE_TO: ""}
    return {DATE_FROM: touched[0].text, DATE_TO: touched[1].text}


def strip_brushed_values(brush: Mapping[str, Any], length_km: float) -> dict[str, Any]:
    """The frontier strip's brush (geo/web/panj-strip.js: ``fromKm``, ``toKm`` along the frontier,
    ``fromDay``, ``toDay`` in days since 1970) as the widgets' values: the km range along the
    frontier (within its length) and From/To as days. ValueError when the browser sent anything
    else."""
    try:
        start_km, end_km = (min(max(float(brush[key]), 0.0), length_km) for key in ("fromKm", "toKm"))
        first, last = (_EPOCH + dt.timedelta(days=int(brush[key])) for key in ("fromDay", "toDay"))
    except (KeyError, TypeError, ValueError, OverflowError):
        raise ValueError(f"not a brush of the strip: {brush!r}") from None
    along = check_along(round(start_km, 1), round(end_km, 1))
    if last < first:
        raise ValueError(f"the brush's days run backwards: {first} to {last}")
    return {ALONG: along, DATE_FROM: first.isoformat(), DATE_TO: last.isoformat()}



def toggled(chosen: Sequence[str], clicked: Collection[str]) -> list[str]:
    """A multiselect's value after a click on the bars ``clicked``: each is added if absent, removed
    if chosen."""
    return sorted(set(chosen).symmetric_difference(clicked))


# --- URL -------------------------------------------------------------------------------------------

def url_params(state: FilterState, view: ViewState, scene: Scene | None, presenter: bool,
               hidden: Collection[str] = (), playback: Playback | None = None,
               sort: tuple[str, bool] = (DEFAULT_SORT, False),
               trends: TrendsChoice = TrendsChoice()) -> dict[str, list[str]]:
    """The query string that reopens this page: on a scene, ``scene=ID`` and only what differs from
    it; the ``hidden`` datasets' ids as ``hide=ID,ID``; presenter mode as ``presenter=1``; the
    ``playback`` paused where it is; the table's ``sort`` (column, descending) as ``sort=``
    (``sort_param``); the change along the frontier's choice where it differs from the panel's
    first (``TrendsChoice.params``). Every value is a list (as ``st.query_params`` holds them)."""
    params = to_query_params(state, view, scene.url_base() if scene is not None else None)
    if playback is not None:
        params.update(playback.params())
    params.update(trends.params())
    if scene is not None:
        params[KEY_SCENE] = scene.id
    if hidden:
        params[KEY_HIDE] = ",".join(sorted(hidden))
    if (order := sort_param(*sort)) is not None:
        params[KEY_SORT] = order
    if presenter:
        params[KEY_PRESENTER] = "1"
    return {key: value if isinstance(value, list) else [value] for key, value in params.items()}


# --- the table's page ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TablePage:
    """One page of the events table: rows ``start`` to ``stop`` (positions in the shown events,
    ``stop`` excluded) of ``total``, page ``number`` of ``pages`` (both from 1)."""

    number: int
    pages: int
    start: int
    stop: int
    total: int

    @property
    def caption(self) -> str:
        """"Rows 51–100 of 12,345"; "No rows" for an empty table."""
        return f"Rows {self.start + 1:,}–{self.stop:,} of {self.total:,}" if self.total else "No rows"


def table_page(total: int, asked: int | None, *, filters_changed: bool = False, rows: int = TABLE_ROWS) -> TablePage:
    """The page of a table of ``total`` rows to show: the page ``asked`` moved into 1..pages (a
    filter change can leave fewer pages than the reader was on), or the first page when the
    filters or the order changed since it was asked for (or none was)."""
    pages = max(1, math.ceil(total / rows))
    number = 1 if filters_changed or asked is None else min(max(asked, 1), pages)
    start = (number - 1) * rows
    return TablePage(number=number, pages=pages, start=start, stop=min(start + rows, total), total=total)


def header_sort(heading: str, column: str, descending: bool) -> dict[str, Any]:
    """A click on the table's ``heading`` (the table is sorted by ``column``, backwards when
    ``descending``): sorts by that heading's column, forwards, or backwards when it was already
    sorted by it forwards; {} for a heading that sorts nothing."""
    clicked = HEADING_SORTS.get(heading)
    if clicked is None:
        return {}
    return {TABLE_SORT: clicked, TABLE_DESCENDING: clicked == column and not descending}


# --- the highlighted event -------------------------------------------------------------------------

def table_selection(rows: Sequence[int], listed_ids: Sequence[str]) -> str | None:
    """The event a table selection names: ``rows`` index the table's page as it was listed when the
    reader clicked (``listed_ids``, that page's ids), so a later filter change cannot move the
    selection to another event."""
    return listed_ids[rows[0]] if rows and 0 <= rows[0] < len(listed_ids) else None


def highlighted(selected: str | None, step: str | None, shown_ids: Collection[str]) -> str | None:
    """The event the map highlights: the step buttons' event while stepping, else the selected
    one; None when the filters hide it (the highlight clears rather than jump to another)."""
    chosen = step if step is not None else selected
    return chosen if chosen in shown_ids else None


def reveals(selected: str | None, step: str | None, highlight: str | None) -> bool:
    """Whether the map should come into the reader's view with the highlighted event's popup open:
    when the highlight is the table's (or the URL's) selection, not a step's (a step has its
    caption, and presenter view has no table)."""
    return highlight is not None and step is None and highlight == selected


# --- what a run draws -----------------------------------------------------------------------------

def draws_below_map(opening: bool, browser: bool) -> bool:
    """Whether a run draws what lies below the map (the view in words, the strip, the sidebar's
    charts, the export panel, the table, the datasets and the trends). A session's ``opening`` run in
    a ``browser`` draws the sidebar and the map only, so the map's frame is made and loads while
    nothing else holds the browser's one thread; once the map has drawn its events an element under
    it (ui/map_first.py) reruns the page, and that run draws the rest (docs/ARCHITECTURE.md, "The map
    first"). Without a browser (Streamlit's AppTest) nothing reports, and every run draws everything."""
    return not (opening and browser)


# --- where the map moves ---------------------------------------------------------------------------

def bounds_to_fit(
    *, opened: Bounds | None, scene_bounds: Bounds | None, fit_clicked: bool, events_bounds: Bounds | None,
) -> Bounds | None:
    """Where the map should move on this run: the events on "Fit to events", else the URL's view on
    the first run, else a newly applied scene's extent (``scene_bounds``), else nowhere (None: the
    map keeps the reader's view)."""
    if fit_clicked:
        return events_bounds
    return opened if opened is not None else scene_bounds


def clicked_bounds(text: str | None) -> Bounds | None:
    """The view the Render button read from the map: None when the map had not drawn yet or the
    text is not a view the page accepts."""
    try:
        return parse_bbox(text) if text else None
    except ValueError:
        return None
