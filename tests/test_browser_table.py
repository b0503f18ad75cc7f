"""The events table in Chromium: one page of rows with its count; selecting a row highlights the
event that row shows, on the first page and on a later one, and on a laptop brings the map into
view with that event's popup open, by mouse or by keys; a filter change goes back to the first
page."""

from __future__ import annotations

import json

import pytest
from browsing import (
    GRID,
    GRID_MARKER_X_PX,
    GRID_ROW_PX,
    TIMEOUT_MS,
    map_frame,
    select_table_row,
    table_rows,
    wait_until_idle,
)

from geo.bench import synthetic

pytestmark = pytest.mark.browser

ARTICLE_EVENTS = 30  # layers/events/edm-v19-i92.json
COUNTRIES = ("Tajikistan", "Afghanistan")  # the countries layer's names
SYNTHETIC = 120  # imported below: 150 events, three pages of 50
LAPTOP = {"width": 1366, "height": 768}
# The article's third event by date (layers/events/edm-v19-i92.json): US funding since 2002.
COUNT_LINE = f" of {ARTICLE_EVENTS} events".encode()  # the sidebar's "N of 30 events"
THIRD_ID, THIRD_TITLE = "us-security-funding", "US security funding for Tajikistan since 2002"


def _wait_for_highlight(page, event_id: str) -> None:
    page.wait_for_function("(id) => window.location.search.includes('event=' + id)", arg=event_id,
                           timeout=TIMEOUT_MS)
    map_frame(page).wait_for_function("(id) => window.panjMap.highlight === id", arg=event_id, timeout=TIMEOUT_MS)


def _highlighted(page) -> str:
    page.wait_for_function("() => window.location.search.includes('event=')", timeout=TIMEOUT_MS)
    return page.evaluate("() => new URLSearchParams(window.location.search).get('event')")


def test_selecting_a_row_highlights_its_event(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    page.get_by_text(f"Rows 1–{ARTICLE_EVENTS} of {ARTICLE_EVENTS}").wait_for(timeout=TIMEOUT_MS)
    map_frame(page)
    assert not page.get_by_role("button", name="Next ▶").count()  # one page: no page controls
    # The article's third event by date (layers/events/edm-v19-i92.json): US funding since 2002.
    assert table_rows(page)[2]["Title"] == "US security funding for Tajikistan since 2002"
    select_table_row(page, 2)
    _wait_for_highlight(page, "us-security-funding")


@pytest.mark.parametrize("how", ["mouse", "keys"])
def test_a_selected_row_brings_the_map_into_view_with_its_popup_open(browser, app_url, how) -> None:
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    try:
        page.goto(f"{app_url}/?basemap=none")
        map_frame(page)
        assert table_rows(page)[2]["Title"] == THIRD_TITLE
        if how == "mouse":
            select_table_row(page, 2)
        else:  # as the table's caption says: into the table, down two rows, Shift+Space
            grid = page.locator(GRID).first
            grid.scroll_into_view_if_needed()
            box = grid.bounding_box()
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + GRID_ROW_PX * 1.5)  # a cell of the first row
            page.keyboard.press("ArrowDown")
            page.keyboard.press("ArrowDown")
            page.keyboard.press("Shift+Space")
        _wait_for_highlight(page, THIRD_ID)
        title = map_frame(page).locator(".panj-popup h4").first
        title.wait_for(state="visible", timeout=TIMEOUT_MS)
        assert title.inner_text() == THIRD_TITLE
        frame_box = page.locator("iframe[title='streamlit_folium.st_folium']").bounding_box()
        assert frame_box["y"] < LAPTOP["height"] and frame_box["y"] + frame_box["height"] > 0, frame_box
        # The popup's title is in the window and nothing of the page (Streamlit's header) covers it.
        box = title.bounding_box()
        assert 0 <= box["y"] and box["y"] + box["height"] <= LAPTOP["height"], box
        centre = [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]
        assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).tagName", centre) == "IFRAME"
    finally:
        context.close()


def test_a_later_page_selects_its_own_rows_and_a_filter_goes_back_to_the_first(page, own_app_url, tmp_path) -> None:
    path = tmp_path / "synthetic.geojson"
    synthetic.write_events_file(path, SYNTHETIC)
    titles = {feature["properties"]["id"]: feature["properties"]["title"]
              for feature in json.loads(path.read_text(encoding="utf-8"))["features"]}
    page.goto(f"{own_app_url}/?basemap=none")
    map_frame(page)
    page.get_by_text("Your own events: import ACLED, UCDP, GeoJSON or Panj files").click()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    page.get_by_role("button", name=f"Import {SYNTHETIC} events").click()
    total = ARTICLE_EVENTS + SYNTHETIC
    page.get_by_text(f"Rows 1–50 of {total}").wait_for(timeout=TIMEOUT_MS)
    # The count can show before the grid is redrawn: wait for a grid holding an imported event (at
    # most 30 of the first 50 by date are the article's).
    page.wait_for_function("(titles) => { const table = document.querySelector('[data-testid=stDataFrame] table');"
                           " return table !== null && titles.some(title => table.innerText.includes(title)); }",
                           arg=list(titles.values()), timeout=TIMEOUT_MS)

    first_page = table_rows(page)
    page.get_by_role("button", name="Next ▶").click()
    page.get_by_text(f"Rows 51–100 of {total}").wait_for(timeout=TIMEOUT_MS)
    # The table is briefly absent while the page reruns: wait for one that no longer holds page 1's row.
    page.wait_for_function("(title) => { const table = document.querySelector('[data-testid=stDataFrame] table');"
                           " return table !== null && !table.innerText.includes(title); }",
                           arg=first_page[0]["Title"], timeout=TIMEOUT_MS)
    second_page = table_rows(page)
    assert second_page[0]["First day"] >= first_page[-1]["First day"]  # still by date, across pages
    select_table_row(page, 1)
    chosen = _highlighted(page)
    assert titles.get(chosen) == second_page[1]["Title"]  # the row's own event, not page 1's second
    map_frame(page).wait_for_function("(id) => window.panjMap.highlight === id", arg=chosen, timeout=TIMEOUT_MS)

    search = page.get_by_label("Search titles and summaries")
    search.fill("in")
    search.press("Enter")
    page.get_by_text("Rows 1–50 of").wait_for(timeout=TIMEOUT_MS)
    assert page.outside_requests == [] and page.dialogs == []


def test_a_country_wide_event_shows_no_frontier_distance(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    page.get_by_text(f"Rows 1–{ARTICLE_EVENTS} of {ARTICLE_EVENTS}").wait_for(timeout=TIMEOUT_MS)
    table_rows(page)
    # The grid draws only the columns in view: scroll it to its right-hand columns.
    page.locator(GRID).first.evaluate("g => { const s = g.querySelector('.dvn-scroller'); s.scrollLeft = s.scrollWidth; }")
    page.wait_for_function(f"() => [...document.querySelectorAll({GRID!r} + ' table th')]"
                           ".some(th => th.innerText.trim() === 'Frontier (km)')", timeout=TIMEOUT_MS)
    rows = table_rows(page)
    # The article's events placed on a whole country name it as their place: no distance (the grid
    # draws "n/a"; its accessible table leaves the cell empty); every other row has a number, 0 for
    # an area reaching the frontier.
    country_wide = [row for row in rows if row["Place"] in COUNTRIES]
    assert country_wide and all(row["Frontier (km)"] == "" for row in country_wide)
    assert all(float(row["Frontier (km)"]) >= 0 for row in rows if row["Place"] not in COUNTRIES)


def test_a_click_on_a_heading_sorts_the_whole_table(page, app_url) -> None:
    page.goto(f"{app_url}/?basemap=none")
    page.get_by_text(f"Rows 1–{ARTICLE_EVENTS} of {ARTICLE_EVENTS}, by date.").wait_for(timeout=TIMEOUT_MS)
    map_frame(page)  # the map's first value reruns the page: click once that run has ended
    wait_until_idle(page)
    oldest = table_rows(page)[0]["First day"]
    grid = page.locator(GRID).first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 4 * GRID_MARKER_X_PX, box["y"] + GRID_ROW_PX / 2)  # the first heading: Date
    page.get_by_text(f"Rows 1–{ARTICLE_EVENTS} of {ARTICLE_EVENTS}, by date (descending).").wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function("() => window.location.search.includes('sort=-date')", timeout=TIMEOUT_MS)
    page.wait_for_function("(oldest) => { const table = document.querySelector('[data-testid=stDataFrame] table');"
                           " return table !== null && !table.querySelector('tr:nth-child(2)').innerText.includes(oldest); }",
                           arg=oldest, timeout=TIMEOUT_MS)
    rows = table_rows(page)
    assert rows[0]["First day"] > oldest and rows[0]["First day"] >= max(row["First day"] for row in rows)
    assert page.get_by_role("radio", name="Descending").is_checked()  # the order above the table says so
    assert page.dialogs == []


def test_a_sort_reruns_the_table_alone_and_writes_its_order_in_the_link(page, app_url) -> None:
    """The sidebar's count ("N of 30 events") goes out on every run of the whole page, as a search
    shows, and not on a sort: the table's controls rerun the table alone (ui/table.py)."""
    frames: list[bytes] = []
    page.on("websocket", lambda socket: socket.on("framereceived", lambda payload: frames.append(
        payload if isinstance(payload, bytes) else payload.encode())))
    page.goto(f"{app_url}/?basemap=none")
    page.get_by_text(f"Rows 1–{ARTICLE_EVENTS} of {ARTICLE_EVENTS}, by date.").wait_for(timeout=TIMEOUT_MS)
    map_frame(page)
    wait_until_idle(page)
    frames.clear()
    page.get_by_text("Descending", exact=True).click()
    page.get_by_text(f"Rows 1–{ARTICLE_EVENTS} of {ARTICLE_EVENTS}, by date (descending).").wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function("() => window.location.search.includes('sort=-date')", timeout=TIMEOUT_MS)
    wait_until_idle(page)
    assert frames and not any(COUNT_LINE in frame for frame in frames)
    frames.clear()
    page.get_by_label("Search titles and summaries").fill("Ayvoj")
    page.get_by_label("Search titles and summaries").press("Enter")
    page.wait_for_function("() => window.location.search.includes('q=Ayvoj')", timeout=TIMEOUT_MS)
    wait_until_idle(page)
    assert any(COUNT_LINE in frame for frame in frames)  # a whole run sends the sidebar's count
    assert "sort=-date" in page.evaluate("() => window.location.search")  # the page's link keeps the order
    assert page.get_by_role("radio", name="Descending").is_checked()
