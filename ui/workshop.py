"""The page's workshop bar: the scene select, its caption or "changed from scene" notice, the
step buttons and the current event's caption; the playback control and the presenter's keys.
Widgets only; scenes are ``geo.scenes``, stepping is ``geo.timeline``, what a scene sets is
``geo.pagestate``, the playback's rule ``geo.playback`` (run in the browser: static/playback.js)."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from geo import pagestate as ps, placement, scenes, timeline
from geo.filters import FilterState, ViewState
from geo.markup import html_text, markdown_text
from geo.snapshot import Snapshot
from ui.assets import static_text

NO_SCENE = "None: explore freely"
KEY_PLAYBACK = "panj-playback-control"

# Native controls, no text from data: the component's HTML is fixed.
_PLAYBACK_HTML = """<div class="panj-playback" role="group" aria-label="Playback" hidden>
<button type="button" data-act="play" aria-pressed="false">▶ Play</button>
<button type="button" data-act="back" aria-label="Previous period">◀</button>
<button type="button" data-act="forward" aria-label="Next period">▶</button>
<label>Step <select data-field="step"><option value="">Off</option><option value="day">Day</option>
<option value="week">Week</option><option value="month">Month</option><option value="year">Year</option></select></label>
<label>Show <select data-field="mode"><option value="this">This period</option>
<option value="upto">Up to this period</option></select></label>
<label>Earlier <select data-field="fade"><option value="0">Hidden</option><option value="1">1 period faded</option>
<option value="2">2 periods faded</option></select></label>
<label>Speed <select data-field="interval"><option value="2000">2 s a step</option>
<option value="1000" selected>1 s a step</option><option value="500">0.5 s a step</option></select></label>
<output class="panj-playback-period" aria-live="polite"></output>
<button type="button" data-act="keys" aria-label="Presenter keys" hidden>?</button>
</div>"""
_playback_control = st.components.v2.component("panj_playback", html=_PLAYBACK_HTML, css=static_text("playback.css"),
                                               js=static_text("playback.js"))


def playback_bar(playback: ps.Playback | None, presenter: bool) -> None:
    """The playback control (play, pause, a period back or on, step, mode, earlier periods, speed)
    and, in presenter view, the keys; the browser plays, and tells the page where it paused."""
    with st.container(key="panj-playback"):
        _playback_control(key=KEY_PLAYBACK, data={"playback": None if playback is None else playback.browser(),
                                                  "presenter": presenter},
                          on_playback_change=_playback_paused, on_key_change=_key_pressed, height="content")


def _playback_paused() -> None:
    """Where the browser's playback paused (or that it was turned off): kept for the URL, the map
    and the histogram. A value the page would not write itself is dropped."""
    value = st.session_state[KEY_PLAYBACK].get("playback") or {}
    try:
        st.session_state[ps.PLAYBACK] = ps.playback_from(value) if value.get(ps.KEY_PLAY) else None
    except ValueError:
        return


def _key_pressed() -> None:
    """A presenter key's step, taken by the step buttons' code on this run."""
    value = st.session_state[KEY_PLAYBACK].get("key") or {}
    st.session_state[ps.KEY_ACTION] = value.get("action")

def workshop_bar(data: Snapshot, state: FilterState, view: ViewState, shown: pd.DataFrame,
                 shown_ids: Collection[str], presenter: bool,
                 playback_range: ps.DateSpan | None = None) -> scenes.Scene | None:
    """Scene choice, the scene's caption or "changed from scene" notice, and the step buttons (a
    step moves a playback on over the days ``playback_range`` to the event's period)."""
    if data.scenes_error is not None:
        st.error(f"Workshop scenes are unavailable: {markdown_text(data.scenes_error, limit=None)}")
    if not data.scenes and not presenter:
        return None
    with st.container(key="panj-workshop"):
        choice, previous, following, note = st.columns([3, 1.4, 1.4, 7], vertical_alignment="bottom")
        choice.selectbox(
            "Scene", [None, *data.scenes], key=ps.SCENE, placeholder=NO_SCENE, on_change=apply_scene, args=(data,),
            format_func=lambda scene_id: NO_SCENE if scene_id is None else data.scenes[scene_id].title,
        )
        scene = data.scenes.get(st.session_state[ps.SCENE])
        if scene is None and not presenter:
            return None
        step_controls(data, shown, shown_ids, previous, following, playback_range)
        if scene is not None:
            changed = scenes.differs_from_scene(scene, state, view)
            text = f"Changed from scene “{scene.title}”: {', '.join(changed)}." if changed else scene.caption
            note.html(f'<p class="panj-scene-note" data-changed="{str(bool(changed)).lower()}">{html_text(text)}</p>')
    return scene


def step_caption(data: Snapshot, shown: pd.DataFrame, shown_ids: Collection[str]) -> None:
    """The current step's event (if ``shown_ids`` holds it): title, date, where it is (country- or
    area-wide, its place in a group of ``shown``) and summary. Drawn under the map, so stepping
    never pushes the map down; in presenter view it floats over the map (static/presenter.css)."""
    current = st.session_state.get(ps.STEP)
    if current is None or current not in shown_ids:
        return
    position = data.index.position(current)
    row = data.details([position]).iloc[0]
    caption = timeline.caption(row)
    lons, lats = data.symbol_points_of(shown)
    note = timeline.place_note(
        str(row["place_name"]), str(row["location_precision"]),
        is_area=bool(placement.area_rows(data.events.iloc[[position]])[0]),
        here_ids=timeline.here(shown, lons, lats, current), event_id=current)
    place = f'<p class="panj-caption-place">{html_text(note)}</p>' if note else ""
    with st.container(key="panj-caption"):
        st.html(f'<div class="panj-caption"><h3>{html_text(caption["title"])}</h3>'
                f'<p class="panj-caption-date">{html_text(caption["date_label"])}</p>{place}'
                f'<p>{html_text(caption["summary"])}</p></div>')


def apply_scene(data: Snapshot) -> None:
    """The scene select's callback: runs before the widgets are drawn, so it may set them. The
    scene's playback (or none) replaces the reader's, and the map is told to apply it."""
    scene = data.scenes.get(st.session_state[ps.SCENE])
    if scene is not None:
        st.session_state.update(ps.scene_values(scene, tuple(data.layers), data.span))
        st.session_state[ps.PLAYBACK_REQUEST] = st.session_state.get(ps.PLAYBACK_REQUEST, 0) + 1


def step_controls(data: Snapshot, shown: pd.DataFrame, shown_ids: Collection[str], previous: DeltaGenerator,
                  following: DeltaGenerator, playback_range: ps.DateSpan | None = None) -> None:
    """Previous/Next through the shown events in date order (none current until the first step, so
    a scene opens on its own extent rather than on its first event), and the presenter's keys for
    them (``ps.KEY_ACTION``: next, previous, first, last). A step while a playback is on pauses it
    at the event's period (``ps.stepped_playback``)."""
    step = st.session_state.get(ps.STEP)
    action = st.session_state.get(ps.KEY_ACTION)
    st.session_state[ps.KEY_ACTION] = None
    # A step still shown stays current (as timeline.locate says) without ordering every shown event.
    current = step if step is None or step in shown_ids else timeline.locate(shown, step, unfiltered=data.events)
    back = previous.button("◀ Previous", key="panj-prev", disabled=shown.empty, width="stretch") or action == "previous"
    if back:
        current = timeline.step(shown, current, -1, unfiltered=data.events)
    forward = following.button("Next ▶", key="panj-next", disabled=shown.empty, width="stretch") or action == "next"
    if forward:
        current = timeline.step(shown, current, +1, unfiltered=data.events)
    if action in ("first", "last") and not shown.empty:
        ordered = timeline.ordered_ids(shown)
        current = ordered[0] if action == "first" else ordered[-1]
    st.session_state[ps.STEP] = current
    if (back or forward or action in ("first", "last")) and current is not None:
        first_day = pd.Timestamp(data.events["date_first"].iloc[data.index.position(current)]).date()
        st.session_state.update(ps.stepped_playback(st.session_state.get(ps.PLAYBACK), first_day, playback_range,
                                                    st.session_state.get(ps.PLAYBACK_REQUEST, 0)))
