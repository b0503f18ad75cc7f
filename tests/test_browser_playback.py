"""Playback and the presenter's keys in Chromium (presenter view, 1280x720): each key does what the
README says to the step, the URL and the highlighted event; a month-by-month playback of the
article's events draws, frame by frame, the counts of a table written by hand from
layers/events/edm-v19-i92.json; a link reopens a playback paused at its period; a step to an event
pauses the playback at its period, and a scene opens its own playback (or none)."""

from __future__ import annotations

import pytest
from browsing import TIMEOUT_MS, map_frame

pytestmark = pytest.mark.browser

PRESENTER = {"width": 1280, "height": 720}
MAP = "document.querySelector('iframe[title=\"streamlit_folium.st_folium\"]').contentWindow.panjMap"
# The map drawn, highlighting `id` (null: none), and the page's URL naming it.
WAIT_HIGHLIGHT = f"""(id) => {{ const m = {MAP}; const url = new URL(location.href).searchParams.get('event');
    return Boolean(m && m.ready && m.highlight === id && url === id); }}"""
# The playback drawn at `period` and the URL saying so: its state, else false.
WAIT_PERIOD = f"""(period) => {{ const m = {MAP}; if (!m || !m.ready) return false; const s = m.playback.state();
    return s.period === period && new URL(location.href).searchParams.get('period') === period
        ? Object.assign(s, {{drawn: m.eventsDrawn}}) : false; }}"""

# The step order (earliest first day, then the shorter span, then the id) of the article's events,
# read by hand from their dates: the first two begin in 1991 (ids in order), then 2002, then 2016;
# the last to begin are the ten known only to June 2022, of which "taliban-reassert-takhar" has
# the last id.
KEY_STEPS = [
    ("PageDown", "russia-201st-stationed"),
    ("PageDown", "russia-security-assistance"),
    ("ArrowRight", "us-security-funding"),
    (" ", "china-assists-tajikistan"),
    ("PageUp", "us-security-funding"),
    ("ArrowLeft", "russia-security-assistance"),
    ("End", "taliban-reassert-takhar"),
    ("Home", "russia-201st-stationed"),
]

# Month by month from August 2021 to June 2022, "this period": (events shown, of which lighter).
# By hand from the events' dates: four presences since before 2021 (1991 twice, 2002, 2016, as of
# June 2022) and the Taliban's claim of calm (August 2021 to June 2022) show, lighter, every month;
# "demands an inclusive government" (reported 10 September 2021), "backs Massoud" (1 November
# 2021) and the GBAO protests (since November 2021), all as of June 2022, join them, lighter.
# Within a month: the takeover (August 2021), the Ayvoj funding (reported 1 September 2021),
# the Shaymak post (29 October 2021), the announced Russian post (27 December 2021); in May 2022
# six dated within it (two announced NRF offensives, Hekmatyar's threat, the grant, the Kabul
# mission, the counter-terrorism operation) and two running on into June (the disturbances from
# 24 May, the deadly unrest from 18 May), lighter; in June 2022 ten known only to that month.
MONTHS = [
    ("2021-08", 6, 5), ("2021-09", 7, 6), ("2021-10", 7, 6), ("2021-11", 8, 8), ("2021-12", 9, 8),
    ("2022-01", 8, 8), ("2022-02", 8, 8), ("2022-03", 8, 8), ("2022-04", 8, 8), ("2022-05", 16, 10),
    ("2022-06", 20, 10),
]


# While a playback is on, every step key moves its period (not the highlighted event) within the
# date filter's months, August 2021 to June 2022; the period each key leads to, from December 2021.
PLAYBACK_KEYS = [
    ("PageDown", "2022-01"),
    (" ", "2022-02"),
    ("ArrowRight", "2022-03"),
    ("PageUp", "2022-02"),
    ("ArrowLeft", "2022-01"),
    ("End", "2022-06"),
    ("PageDown", "2022-06"),  # past the last month: it stays
    ("Home", "2021-08"),
    ("PageUp", "2021-08"),  # before the first: it stays
]


# November 2021, "this period", with 0, 1 or 2 earlier months faded: (faded, the map's note). Of
# the events November leaves out, the Shaymak post (29 October 2021) falls in the month before and
# the Ayvoj funding (reported 1 September 2021) two before; the takeover (August 2021) is three back.
FADED = [
    ("0", 0, "this period · 8 events, 8 lighter"),
    ("1", 1, "this period · 8 events, 8 lighter, 1 faded"),
    ("2", 2, "this period · 8 events, 8 lighter, 2 faded"),
]


@pytest.fixture
def presenter(browser):
    context = browser.new_context(viewport=PRESENTER)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def _wait_period(page, period: str) -> dict:
    return page.wait_for_function(WAIT_PERIOD, arg=period, timeout=TIMEOUT_MS).json_value()


def test_each_key_steps_the_presenter_and_the_url_follows(presenter, app_url) -> None:
    page = presenter
    page.goto(f"{app_url}/?presenter=1")
    map_frame(page)
    for key, expected in KEY_STEPS:
        page.keyboard.press(key)
        page.wait_for_function(WAIT_HIGHLIGHT, arg=expected, timeout=TIMEOUT_MS)
        look = map_frame(page).evaluate("() => window.panjMap.highlightLook()")
        assert look["event"] == expected and (look["outlined"] or look["ring"] is not None), key
    # With the focus in the map's frame, the keys still step (and Leaflet does not pan).
    page.mouse.click(640, 600)
    page.keyboard.press("PageDown")
    page.wait_for_function(WAIT_HIGHLIGHT, arg="russia-security-assistance", timeout=TIMEOUT_MS)
    # In a text box a key is the text box's: PageDown in the scene's search field sends no step.
    presses = page.evaluate("() => window.panjPlaybackControl.presses")
    page.get_by_role("combobox").first.focus()
    page.keyboard.press("PageDown")
    assert page.evaluate("() => window.panjPlaybackControl.presses") == presses
    assert "event=russia-security-assistance" in page.url
    assert page.errors == []


def test_the_step_keys_move_a_playbacks_period_from_the_page_and_the_maps_frame(presenter, app_url) -> None:
    page = presenter
    page.goto(f"{app_url}/?presenter=1&from=2021-08&to=2022-06&play=month&period=2021-12")
    map_frame(page)
    _wait_period(page, "2021-12")
    for key, period in PLAYBACK_KEYS:
        page.keyboard.press(key)
        state = _wait_period(page, period)
        assert not state["playing"], key
        assert "event" not in page.evaluate("() => [...new URL(location.href).searchParams.keys()]"), key
    # The focus in the map's frame (a click on an empty part of the map): the keys are the
    # presenter's there too, and B blanks the screen over the frame.
    page.mouse.click(640, 600)
    assert page.evaluate("() => document.activeElement.tagName") == "IFRAME"
    page.keyboard.press("PageDown")
    _wait_period(page, "2021-09")
    page.keyboard.press("End")
    _wait_period(page, "2022-06")
    blank = page.locator("#panj-blank")
    page.keyboard.press("b")
    blank.wait_for(state="visible", timeout=TIMEOUT_MS)
    assert page.evaluate("() => document.elementFromPoint(640, 600).id") == "panj-blank"
    page.keyboard.press("b")
    blank.wait_for(state="hidden", timeout=TIMEOUT_MS)
    assert page.errors == []


def test_blank_help_and_play_keys(presenter, app_url) -> None:
    page = presenter
    page.goto(f"{app_url}/?presenter=1&from=2021-08")
    map_frame(page)
    blank = page.locator("#panj-blank")
    for key, shown in (("b", True), ("B", False), (".", True), (".", False)):
        page.keyboard.press(key)
        blank.wait_for(state="visible" if shown else "hidden", timeout=TIMEOUT_MS)
        # Black over everything, the map's frame included, while shown.
        covering = page.evaluate("() => document.elementFromPoint(640, 400).id")
        assert (covering == "panj-blank") == shown, key
    page.keyboard.press("?")
    page.get_by_role("dialog", name="Presenter keys").wait_for(state="visible", timeout=TIMEOUT_MS)
    assert "PageDown" in page.get_by_role("dialog", name="Presenter keys").inner_text()
    page.keyboard.press("?")
    page.get_by_role("dialog", name="Presenter keys").wait_for(state="hidden", timeout=TIMEOUT_MS)
    # P plays months from the first period the dates allow; P again pauses, and the URL keeps where.
    page.keyboard.press("p")
    first = _wait_period(page, "2021-08")
    assert first["playing"] and first["step"] == "month"
    _wait_period(page, "2021-09")
    page.keyboard.press("p")
    paused = page.wait_for_function(f"() => {{ const s = {MAP}.playback.state(); return !s.playing && s; }}",
                                    timeout=TIMEOUT_MS).json_value()
    _wait_period(page, paused["period"])
    assert page.errors == []


def test_a_month_by_month_playback_draws_the_hand_counted_events(presenter, app_url) -> None:
    page = presenter
    page.goto(f"{app_url}/?presenter=1&from=2021-08&play=month&period=2021-08")
    map_frame(page)
    # Stepped with the clicker's key: each month drawn, its counts those of the table.
    frames = []
    for index, (period, _, _) in enumerate(MONTHS):
        if index:
            page.keyboard.press("PageDown")
        state = _wait_period(page, period)
        frames.append((state["period"], state["shown"], state["partial"]))
        assert state["drawn"] == state["shown"] and not state["playing"]
    assert frames == MONTHS
    page.keyboard.press("PageDown")  # past the last month: it stays
    assert _wait_period(page, "2022-06")["index"] == len(MONTHS) - 1
    # Played: back to the first month, then every month in turn until the playback stops at the last.
    page.keyboard.press("Home")
    _wait_period(page, "2021-08")
    page.locator("[data-field='interval']").select_option("2000")
    page.keyboard.press("p")
    played = []
    for period, _, _ in MONTHS:
        state = _wait_period(page, period)
        played.append((state["period"], state["shown"], state["partial"]))
    assert played == MONTHS
    page.wait_for_function(f"() => !{MAP}.playback.state().playing", timeout=TIMEOUT_MS)
    assert page.errors == []


@pytest.mark.parametrize(("query", "period", "mode", "shown", "partial"), [
    # Up to May 2022: all but the ten known only to June; lighter, the ten running on into June.
    ("play=month&period=2022-05&mode=upto", "2022-05", "upto", 20, 10),
    # The week of 16 May 2022: the eight that run through it and the two NRF offensives known only to
    # May (lighter), the operation (18 May) and the unrest from 18 May on into June (lighter).
    ("play=week&period=2022-05-18", "2022-05-16", "this", 12, 11),
])
def test_a_link_reopens_the_playback_paused_at_its_period(presenter, app_url, query, period, mode, shown,
                                                          partial) -> None:
    page = presenter
    page.goto(f"{app_url}/?presenter=1&{query}")
    map_frame(page)
    state = _wait_period(page, period)
    assert (state["mode"], state["playing"], state["shown"], state["partial"]) == (mode, False, shown, partial)
    label = map_frame(page).locator(".panj-period-label")
    assert label.inner_text() == state["label"]


def test_earlier_periods_stay_faded_as_chosen(presenter, app_url) -> None:
    page = presenter
    page.goto(f"{app_url}/?presenter=1&from=2021-08&to=2022-06&play=month&period=2021-11")
    frame = map_frame(page)
    _wait_period(page, "2021-11")
    for fade, faded, note in FADED:
        page.locator("[data-field='fade']").select_option(fade)
        state = page.wait_for_function(
            f"""(fade) => {{ const m = {MAP}; const s = m.playback.state();
                return m.ready && String(s.fade) === fade && m.eventsDrawn === s.shown + s.faded && s; }}""",
            arg=fade, timeout=TIMEOUT_MS).json_value()
        assert (state["period"], state["shown"], state["partial"], state["faded"]) == ("2021-11", 8, 8, faded)
        assert frame.evaluate("() => document.querySelector('.panj-period-note').textContent") == note
        # Kept in the URL as the page writes it: fade=1 or 2, nothing for none.
        assert page.evaluate("() => new URL(location.href).searchParams.get('fade')") == (None if fade == "0" else fade)
    assert page.errors == []


# The article's three border posts (type=border-infrastructure), in step order with the month each
# was reported in: the Ayvoj funding (1 September 2021), the Shaymak post (29 October 2021), the
# announced Russian post (27 December 2021). A step to one pauses a month playback at its month,
# where it is the one event drawn.
POST_STEPS = [
    ("Next ▶", "us-funds-ayvoj-post", "2021-09", "September 2021"),
    ("Next ▶", "china-shaymak-post", "2021-10", "October 2021"),
    ("Next ▶", "russia-announces-border-post", "2021-12", "December 2021"),
    ("◀ Previous", "china-shaymak-post", "2021-10", "October 2021"),
]


def test_a_step_to_an_event_moves_the_playback_to_its_period(presenter, app_url) -> None:
    page = presenter
    page.goto(f"{app_url}/?presenter=1&type=border-infrastructure&play=month&period=2021-11")
    frame = map_frame(page)
    _wait_period(page, "2021-11")
    for index, (button, event, period, label) in enumerate(POST_STEPS):
        if index == len(POST_STEPS) - 1:
            page.keyboard.press("p")  # playing when the step comes: the step pauses it
            page.wait_for_function(f"() => {MAP}.playback.state().playing", timeout=TIMEOUT_MS)
        page.get_by_role("button", name=button).click()
        page.wait_for_function(WAIT_HIGHLIGHT, arg=event, timeout=TIMEOUT_MS)
        state = _wait_period(page, period)
        assert (state["label"], state["playing"], state["shown"], state["drawn"]) == (label, False, 1, 1), button
        assert frame.locator(".panj-period-label").inner_text() == label
        look = frame.evaluate("() => window.panjMap.highlightLook()")
        # Ringed where it is a point (the posts), outlined along the frontier (the announced post).
        assert look["event"] == event and (look["outlined"] or look["ring"] is not None), button
        assert page.evaluate("() => new URL(location.href).searchParams.get('event')") == event
    assert page.errors == []


def test_choosing_a_scene_opens_its_playback_paused_at_its_first_period(presenter, app_url) -> None:
    page = presenter
    page.goto(f"{app_url}/?presenter=1&play=year&period=2016")
    map_frame(page)
    _wait_period(page, "2016")
    # The GBAO scene plays its months from November 2021 (layers/scenes.json, "play"): the year
    # playback gives way to it, paused at that month.
    page.get_by_role("combobox").first.click()
    page.get_by_role("option", name="Unrest in Gorno-Badakhshan").click()
    state = _wait_period(page, "2021-11")
    assert (state["step"], state["mode"], state["playing"], state["label"]) == ("month", "this", False, "November 2021")
    # A scene with no playback turns it off, on the map and in the URL.
    page.get_by_role("combobox").first.click()
    page.get_by_role("option", name="China at Shaymak and the Wakhan").click()
    page.wait_for_function(f"""() => {{ const m = {MAP}; const url = new URL(location.href).searchParams;
        return m && m.ready && !m.playback.state().on && url.get('scene') === 'china-wakhan' && !url.has('play'); }}""",
                           timeout=TIMEOUT_MS)
    assert page.errors == []
