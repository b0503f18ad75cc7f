"""The page's workshop bar: the scene select, its caption or "changed from scene" notice, the
step buttons and the current event's caption. Widgets only; scenes are ``geo.scenes``, stepping is
``geo.timeline``, what a scene sets is ``geo.pagestate``."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from geo import pagestate as ps, placement, scenes, timeline
from geo.filters import FilterState, ViewState
from geo.markup import html_text, markdown_text
from geo.snapshot import Snapshot

NO_SCENE = "None: explore freely"

def workshop_bar(data: Snapshot, state: FilterState, view: ViewState, shown: pd.DataFrame,
                 shown_ids: Collection[str], presenter: bool) -> scenes.Scene | None:
    """Scene choice, the scene's caption or "changed from scene" notice, and the step buttons."""
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
        step_controls(data, shown, shown_ids, previous, following)
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
    """The scene select's callback: runs before the widgets are drawn, so it may set them."""
    scene = data.scenes.get(st.session_state[ps.SCENE])
    if scene is not None:
        st.session_state.update(ps.scene_values(scene, tuple(data.layers), data.span))


def step_controls(data: Snapshot, shown: pd.DataFrame, shown_ids: Collection[str], previous: DeltaGenerator,
                  following: DeltaGenerator) -> None:
    """Previous/Next through the shown events in date order (none current until the first step, so
    a scene opens on its own extent rather than on its first event)."""
    step = st.session_state.get(ps.STEP)
    # A step still shown stays current (as timeline.locate says) without ordering every shown event.
    current = step if step is None or step in shown_ids else timeline.locate(shown, step, unfiltered=data.events)
    if previous.button("◀ Previous", key="panj-prev", disabled=shown.empty, width="stretch"):
        current = timeline.step(shown, current, -1, unfiltered=data.events)
    if following.button("Next ▶", key="panj-next", disabled=shown.empty, width="stretch"):
        current = timeline.step(shown, current, +1, unfiltered=data.events)
    st.session_state[ps.STEP] = current
