"""The sidebar's charts by keyboard in real Chromium (static/charts.js): Tab reaches an actor's row
by its accessible name and Enter filters as a click does; the histogram's bins are reached and
chosen the same way; and while a playback plays, the histogram frames the bar of its period.

The expected names and counts come from the hand tables below, read off
layers/events/edm-v19-i92.json."""

from __future__ import annotations

import pytest
from browsing import TIMEOUT_MS, count_text, map_frame

pytestmark = pytest.mark.browser

TOTAL = 30
# Events naming the Taliban among their actors: the most of any actor, so the first row.
TALIBAN_EVENTS = ["taliban-takeover", "taliban-claims-calm", "resistance-panjshir", "resistance-baghlan",
                  "nrf-offensive-panjshir-valley", "nrf-offensive-andarab-valley", "taliban-reassert-takhar",
                  "taliban-reassert-badakhshan", "isisk-contests-taliban", "tajikistan-demands-inclusive-government",
                  "taliban-accuse-tajikistan", "chuianzoda-kabul-mission"]
RUSSIA_EVENTS = ["russia-security-assistance", "russia-201st-stationed", "russia-announces-border-post",
                 "majlisi-oli-russian-grant", "russia-201st-strength"]
# The histogram's bar of 2021 (years: the article's dates run from 1991): dated within 2021, and
# reaching into it from beyond (ongoing facts begun in 1991, 2002, 2016 or 2021 and running on).
WITHIN_2021 = ["taliban-takeover", "us-funds-ayvoj-post", "china-shaymak-post", "russia-announces-border-post"]
REACHING_2021 = ["tajikistan-backs-massoud", "russia-security-assistance", "russia-201st-stationed",
                 "us-security-funding", "china-assists-tajikistan", "taliban-claims-calm",
                 "tajikistan-demands-inclusive-government", "gbao-protests"]
# Every event allowing a day of 2020 runs on into 2021: 2020 to 2021 shows the events of 2021.
REACHING_2020 = ["russia-security-assistance", "russia-201st-stationed", "us-security-funding",
                 "china-assists-tajikistan"]
# The protesters' events (gbao-protests from November 2021 on, the disturbances reported on 24 May
# 2022, the crackdown in June 2022): their histogram counts months, November 2021 to June 2022, and
# so does a playback of them, month by month.
PROTESTER_MONTHS = {"2021-11": "Nov 2021", "2021-12": "Dec 2021", "2022-01": "Jan 2022", "2022-02": "Feb 2022",
                    "2022-03": "Mar 2022", "2022-04": "Apr 2022", "2022-05": "May 2022", "2022-06": "Jun 2022"}

MAP = "document.querySelector('iframe[title=\"streamlit_folium.st_folium\"]').contentWindow.panjMap"
FOCUSED = "() => { const a = document.activeElement; return a ? a.getAttribute('aria-label') || '' : ''; }"
# The playback's period and the histogram bars under its frame, read together once the frame shows
# that period: the bars whose middle lies inside the frame, by the name before their colon.
MARKED = """() => {
    const chart = document.querySelector('[data-testid=stSidebar] [data-testid=stVegaLiteChart]');
    const mark = chart && chart.querySelector('.panj-period-mark');
    const state = %s.playback.state();
    if (!mark || mark.dataset.first !== state.first) return null;
    const box = mark.getBoundingClientRect();
    const under = [...chart.querySelectorAll('path[role=button]')].filter(bar => {
        const b = bar.getBoundingClientRect(), middle = b.left + b.width / 2;
        return middle > box.left && middle < box.right;
    }).map(bar => bar.getAttribute('aria-label').split(':')[0]);
    const served = chart.querySelector('.period_marks');
    return {period: state.period, playing: state.playing, under: under,
            servedShown: Boolean(served) && getComputedStyle(served).display !== 'none'};
}""" % MAP


def _wait_for_count(page, expected: int) -> None:
    page.wait_for_function(
        "n => [...document.querySelectorAll('[data-testid=stSidebar] p')].some(p => p.innerText.startsWith(n + ' of '))",
        arg=expected, timeout=TIMEOUT_MS)


def _wait_for_focus(page, name: str) -> None:
    """Until the focused element is named ``name``: after a rerun, the chart's mark drawn again."""
    page.wait_for_function(f"n => ({FOCUSED})() === n", arg=name, timeout=TIMEOUT_MS)


def _wait_for_dates(page, first: str, last: str) -> None:
    """Until the From and To boxes read ``first`` and ``last``."""
    page.wait_for_function(
        "([f, t]) => { const box = n => document.querySelector(`[data-testid=stSidebar] input[aria-label='${n}']`);"
        " return box('From') && box('From').value === f && box('To').value === t; }",
        arg=[first, last], timeout=TIMEOUT_MS)


def _tab_until(page, prefix: str, key: str = "Tab", presses: int = 12) -> str:
    """Press ``key`` until the focused element's name starts with ``prefix``; its name."""
    for _ in range(presses):
        page.keyboard.press(key)
        name = page.evaluate(FOCUSED)
        if name.startswith(prefix):
            return name
    raise AssertionError(f"{presses} presses of {key} did not reach {prefix!r}")


def _charts_drawn(page) -> None:
    """Until the sidebar's three charts have drawn their keyboard marks (they come with the run
    after the map's first: docs/ARCHITECTURE.md, "The map first")."""
    page.wait_for_function("() => { const charts = document.querySelectorAll('[data-testid=stSidebar] "
                           "[data-testid=stVegaLiteChart]'); return charts.length === 3 && [...charts].every("
                           "(chart) => chart.querySelector('path[role=button]') !== null); }", timeout=TIMEOUT_MS)


def _events(count: int) -> str:
    return f"{count} event" if count == 1 else f"{count} events"


def test_an_actor_row_by_keyboard_filters_as_a_click_does(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    map_frame(page)
    _charts_drawn(page)
    assert count_text(page) == (TOTAL, TOTAL)
    # After the Actors box, Tab passes the chart's toolbar and reaches its rows: one stop, the first.
    page.get_by_role("combobox", name="Actors").focus()
    assert _tab_until(page, "Taliban") == f"Taliban (Islamic Emirate): {_events(len(TALIBAN_EVENTS))}"
    assert _tab_until(page, "Russia", key="ArrowDown", presses=4) == f"Russia: {_events(len(RUSSIA_EVENTS))}"
    page.keyboard.press("Enter")
    _wait_for_count(page, len(RUSSIA_EVENTS))
    assert count_text(page) == (len(RUSSIA_EVENTS), TOTAL)
    page.wait_for_function("() => window.location.search.includes('actor=russia')", timeout=TIMEOUT_MS)
    actors_box = page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first
    assert [line for line in actors_box.inner_text().splitlines() if line] == ["Actors", "Russia"]
    # The chart is drawn again for the new counts; the focus comes back to the row, now chosen.
    _wait_for_focus(page, f"Russia: {_events(len(RUSSIA_EVENTS))}, chosen")
    # Space on the chosen row takes it out again, as a second click does.
    page.keyboard.press(" ")
    _wait_for_count(page, TOTAL)
    page.wait_for_function("() => !window.location.search.includes('actor=')", timeout=TIMEOUT_MS)
    _wait_for_focus(page, f"Russia: {_events(len(RUSSIA_EVENTS))}")


def test_a_histogram_bar_by_keyboard_sets_the_dates_as_the_brush_does(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    map_frame(page)
    _charts_drawn(page)
    # Back from the From box (past its help button) to the histogram's one stop, its first bar.
    page.get_by_role("textbox", name="From", exact=True).focus()
    assert _tab_until(page, "1991", key="Shift+Tab", presses=4).endswith("reaching beyond it")
    page.keyboard.press("End")
    assert _tab_until(page, "2021", key="ArrowLeft", presses=2) == (
        f"2021: {_events(len(WITHIN_2021))} dated within the year, {len(REACHING_2021)} reaching beyond it")
    page.keyboard.press("Enter")
    shown_2021 = len(WITHIN_2021) + len(REACHING_2021)
    _wait_for_count(page, shown_2021)
    _wait_for_dates(page, "2021", "2021")
    page.wait_for_function("() => window.location.search.includes('from=2021-01-01')"
                           " && window.location.search.includes('to=2021-12-31')", timeout=TIMEOUT_MS)
    _wait_for_focus(page, f"2021: {_events(len(WITHIN_2021))} dated within the year, "
                          f"{len(REACHING_2021)} reaching beyond it, chosen")
    # Shift+Enter on 2020 stretches the range back to it.
    page.keyboard.press("ArrowLeft")
    assert page.evaluate(FOCUSED) == f"2020: 0 events dated within the year, {len(REACHING_2020)} reaching beyond it"
    page.keyboard.press("Shift+Enter")
    page.wait_for_function("() => window.location.search.includes('from=2020-01-01')"
                           " && window.location.search.includes('to=2021-12-31')", timeout=TIMEOUT_MS)
    _wait_for_dates(page, "2020", "2021")
    assert count_text(page) == (shown_2021, TOTAL)
    _wait_for_focus(page, f"2020: 0 events dated within the year, {len(REACHING_2020)} reaching beyond it, chosen")


def test_the_histogram_frames_the_bar_of_the_period_while_playing(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none&actor=gbao-protesters")
    map_frame(page)
    page.locator("[data-field='interval']").select_option("2000")
    page.locator("[data-act='play']").click()
    for period in ("2021-12", "2022-02"):
        marked = page.wait_for_function(
            f"p => {{ const m = ({MARKED})(); return m && m.period === p && m; }}", arg=period,
            timeout=TIMEOUT_MS).json_value()
        # Playing, no rerun has told the server the period: the browser's frame is the only one.
        assert marked["playing"] and not marked["servedShown"]
        assert marked["under"] == [PROTESTER_MONTHS[period]]
    # Paused, the frame stays on the period the playback stopped at.
    page.wait_for_function(f"() => {MAP}.playback.state().period === '2022-03'", timeout=TIMEOUT_MS)
    page.locator("[data-act='play']").click()
    page.wait_for_function("() => window.location.search.includes('play=month')", timeout=TIMEOUT_MS)
    paused = page.wait_for_function(f"() => {{ const m = ({MARKED})(); return m && !m.playing && m; }}",
                                    timeout=TIMEOUT_MS).json_value()
    assert paused["under"] == [PROTESTER_MONTHS[paused["period"]]]
