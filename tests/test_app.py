"""The page through streamlit.testing.v1.AppTest (no browser): widgets, counts, table, reset,
URL state, and that a filter change needs no data file, publishes nothing and keeps the base map."""

from __future__ import annotations

import json
import shutil
import threading
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from conftest import notices as page_notices, run_page, shown_text
from streamlit.testing.v1 import AppTest

import geo.assets
import geo.compactread
import geo.layers
from geo.snapshot import read_snapshot
from geo.table import events_table as table_columns

FIXTURE = Path(__file__).parent / "fixtures" / "layers-hostile"


@pytest.fixture
def calls(monkeypatch) -> dict[str, int]:
    """Run the page on the fixture layers, counting how often it loads layers and events."""
    monkeypatch.setenv("PANJ_LAYERS_DIR", str(FIXTURE))
    st.cache_resource.clear()
    counts = {"layers": 0, "events": 0}
    # The snapshot reads and joins its events in one step (geo.compactread.read_compact).
    load_layers, load_events = geo.layers.load_layers, geo.compactread.read_compact

    def counted_layers(*args, **kwargs):
        counts["layers"] += 1
        return load_layers(*args, **kwargs)

    def counted_events(*args, **kwargs):
        counts["events"] += 1
        return load_events(*args, **kwargs)

    monkeypatch.setattr(geo.layers, "load_layers", counted_layers)
    monkeypatch.setattr(geo.compactread, "read_compact", counted_events)
    yield counts
    st.cache_resource.clear()


def _count(at: AppTest) -> str:
    return next(md.value for md in at.sidebar.markdown if md.value.endswith(" events**"))


def _table_titles(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["Title"])


def test_widgets_exist(calls) -> None:
    at = run_page()
    assert (at.sidebar.text_input(key="f_from").value, at.sidebar.text_input(key="f_to").value) == ("", "")
    assert at.sidebar.multiselect(key="f_actors").options == ["Taliban", "Russia", "China"]
    assert at.sidebar.multiselect(key="f_types").options == ["Offensive", "Diplomacy"]
    # Each region once: the fixture's GBAO layer is titled "Gbao", and its province is that region.
    assert at.sidebar.multiselect(key="f_regions").options == [
        "Gbao", "Wakhan", "Afghanistan (country)", "Tajikistan (country)", "Badakhshan (province)"]
    assert at.sidebar.text_input(key="f_text").value == ""
    assert [box.label for box in at.sidebar.checkbox] == [
        "Countries", "Provinces", "Gbao", "Wakhan", "Frontier", "Places", "Posts"]
    assert at.sidebar.selectbox(key="v_basemap").value == "street"
    assert _count(at) == "**3 of 3 events**"
    assert [button.label for button in at.sidebar.button] == ["Reset filters"]
    assert any(button.label == "Fit to events" for button in at.button)


def test_filter_changes_count_and_table_and_reset_restores(calls) -> None:
    at = run_page()
    assert _table_titles(at) == ["Post built", "Talks in May", "<img src=x onerror=alert(1)>"]
    at.sidebar.multiselect(key="f_actors").select("china").run()
    assert _count(at) == "**2 of 3 events**"
    assert _table_titles(at) == ["Post built", "Talks in May"]
    at.sidebar.text_input(key="f_text").input("talks").run()
    assert _count(at) == "**1 of 3 events**"
    # The date at its own precision, and said to be a report's: the event's own date is not known.
    assert list(at.dataframe[0].value["Date"]) == ["reported May 2022"]
    assert list(at.dataframe[0].value["Status"]) == ["Occurred"]
    at.sidebar.checkbox(key="v_layer_frontier").uncheck().run()
    at.sidebar.selectbox(key="v_basemap").select("none").run()
    assert at.query_params["actor"] == "china" and at.query_params["basemap"] == "none"

    at.sidebar.button[0].click().run()
    assert _count(at) == "**3 of 3 events**"
    assert at.sidebar.multiselect(key="f_actors").value == []
    assert at.sidebar.text_input(key="f_text").value == ""
    assert at.sidebar.checkbox(key="v_layer_frontier").value is True
    assert at.sidebar.selectbox(key="v_basemap").value == "street"
    assert "actor" not in at.query_params


def test_from_to_filter_by_overlap(calls) -> None:
    at = run_page()
    at.sidebar.text_input(key="f_from").input("2022-05-20")
    at.sidebar.text_input(key="f_to").input("2022-06-10").run()
    # "May 2022" may be 20-31 May; 11 May 2022 is not; 2016-June 2022 spans the range.
    assert _table_titles(at) == ["Post built", "Talks in May"]
    assert (at.query_params["from"], at.query_params["to"]) == ("2022-05-20", "2022-06-10")
    at.sidebar.text_input(key="f_from").input("2022-05").run()  # a month From starts on its first day
    assert _table_titles(at) == ["Post built", "Talks in May", "<img src=x onerror=alert(1)>"]
    assert at.query_params["from"] == "2022-05-01"


@pytest.mark.parametrize(("typed_from", "typed_to", "error"), [
    ("2022-13", "", "From '2022-13' is not a date: month 13 does not exist (e.g. 2021, 2021-11, 2021-11-05)"),
    ("2022-06", "2022-05", "From (2022-06-01) is after To (2022-05-31): no date filter."),
])
def test_unreadable_from_to_say_why_and_filter_nothing(calls, typed_from, typed_to, error) -> None:
    at = run_page()
    at.sidebar.text_input(key="f_from").input(typed_from)
    at.sidebar.text_input(key="f_to").input(typed_to).run()
    assert [shown_text(message.value) for message in at.sidebar.error] == [error]
    assert _count(at) == "**3 of 3 events**"
    assert "from" not in at.query_params and "to" not in at.query_params


@pytest.fixture
def layers_copy(calls, tmp_path, monkeypatch) -> Path:
    """Besides ``calls``: the page runs on a copy of the fixture layers, which a test may take away."""
    folder = tmp_path / "layers"
    shutil.copytree(FIXTURE, folder)
    monkeypatch.setenv("PANJ_LAYERS_DIR", str(folder))
    return folder


def _base_map(at: AppTest) -> tuple[str, str, str]:
    """The base map as the page sends it to the browser: the streamlit-folium component's script,
    header and HTML arguments (the events overlay travels apart, as ``feature_group``, and is
    updated in place on the drawn map)."""
    (component,) = at.get("component_instance")
    arguments = json.loads(component.proto.json_args)
    return arguments["script"], arguments["header"], arguments["html"]


def _published() -> dict[str, tuple[int, int]]:
    """Every published data file under static/vendor/data/: its size and modification time."""
    folder = geo.assets.STATIC_DIR / "vendor" / "data"
    return {str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in folder.rglob("*") if path.is_file()}


def _popups_written(timeout_s: float = 60) -> dict[str, tuple[int, int]]:
    """``_published`` once the popup text is written, which a thread of the snapshot writes after
    the page's first run (geo.snapshot, "panj-popups-<folder>")."""
    for thread in threading.enumerate():
        if thread.name.startswith("panj-popups-"):
            thread.join(timeout_s)
            assert not thread.is_alive(), f"{thread.name} still writing after {timeout_s} s"
    return _published()


def test_filter_changes_need_no_data_file_publish_nothing_and_keep_the_base_map(calls, layers_copy, tmp_path) -> None:
    at = run_page()
    opened_calls = dict(calls)
    assert opened_calls["events"] == 1  # the events are joined once, on opening
    base_maps = [_base_map(at)]
    published = _popups_written()
    # What the page opened with is all a filter change needs: without the data directory it still works.
    layers_copy.rename(tmp_path / "moved-away")
    at.sidebar.multiselect(key="f_types").select("offensive").run()
    base_maps.append(_base_map(at))
    at.sidebar.text_input(key="f_text").input("post").run()
    base_maps.append(_base_map(at))
    at.sidebar.checkbox(key="v_layer_posts").uncheck().run()
    base_maps.append(_base_map(at))
    next(button for button in at.button if button.label == "Fit to events").click().run()
    base_maps.append(_base_map(at))
    assert not at.exception
    assert [title.value for title in at.title] == ["Panj: the Tajikistan–Afghanistan frontier"]
    assert _count(at) == "**1 of 3 events**"
    assert calls == opened_calls
    # No data file written or rewritten (one a cleanup removed is no new file).
    assert {name: stamp for name, stamp in _published().items() if published.get(name) != stamp} == {}
    # The same base map on every run: the map in the browser is never drawn anew.
    assert len(set(base_maps)) == 1


@pytest.mark.parametrize(
    ("query", "typed", "notices", "shown", "written"),
    [
        # The fixture's events: 11 May 2022, May 2022, and 2016 - June 2022. From/To show the moved
        # day at the shortest form that reads back as it; the URL drops a date on the span's edge.
        ({"from": "1980"}, ("2016", ""), ["start date 1980-01-01 to 2016-01-01"], 3, {}),
        ({"to": "2030"}, ("", "2022-06"), ["end date 2030-12-31 to 2022-06-30"], 3, {}),
        ({"from": "2023"}, ("2022-06-30", ""), ["start date 2023-01-01 to 2022-06-30"], 1, {"from": "2022-06-30"}),
        ({"to": "1990-05"}, ("", "2016-01-01"), ["end date 1990-05-31 to 2016-01-01"], 1, {"to": "2016-01-01"}),
        ({"from": "1980", "to": "2030"}, ("2016", "2022-06"),
         ["start date 1980-01-01 to 2016-01-01", "end date 2030-12-31 to 2022-06-30"], 3, {}),
        ({"from": "2016-03", "to": "2022-06-30"}, ("2016-03", "2022-06"), [], 3, {"from": "2016-03-01"}),  # inside
    ],
    ids=["from-before", "to-after", "from-after", "to-before", "both-outside", "inside"],
)
def test_url_dates_outside_the_events_span_are_moved_inside_it(calls, query, typed, notices, shown, written) -> None:
    at = run_page(query)
    assert (at.sidebar.text_input(key="f_from").value, at.sidebar.text_input(key="f_to").value) == typed
    assert page_notices(at) == [
        f"Moved the {moved}: the events run from 2016-01-01 to 2022-06-30." for moved in notices]
    assert _count(at) == f"**{shown} of 3 events**"
    assert {key: at.query_params[key] for key in ("from", "to") if key in at.query_params} == written


def test_url_restores_filters_and_view(calls) -> None:
    at = run_page({"actor": ["russia"], "layers": ["frontier", "posts"], "basemap": "none", "event": "may-talks"})
    assert _count(at) == "**1 of 3 events**"
    assert at.sidebar.multiselect(key="f_actors").value == ["russia"]
    assert at.sidebar.checkbox(key="v_layer_countries").value is False
    assert at.sidebar.checkbox(key="v_layer_frontier").value is True
    assert at.sidebar.selectbox(key="v_basemap").value == "none"
    assert not at.warning


def test_bad_url_values_show_notices(calls) -> None:
    at = run_page({"actor": "martians", "from": "not-a-date", "basemap": "mapbox"})
    assert _count(at) == "**3 of 3 events**"
    notices = page_notices(at)
    assert len(notices) == 3
    assert any("martians" in notice for notice in notices)
    assert any("mapbox" in notice for notice in notices)


def test_url_keeps_bbox_scene_and_presenter(calls) -> None:
    at = run_page({"bbox": "71,37,73.5,38.25", "scene": "offensives", "presenter": "1", "actor": "china"})
    assert not at.warning
    assert (at.query_params["bbox"], at.query_params["scene"], at.query_params["presenter"]) == (
        "71,37,73.5,38.25", "offensives", "1")
    at.sidebar.text_input(key="f_text").input("post").run()  # a change rewrites the URL
    assert (at.query_params["bbox"], at.query_params["scene"], at.query_params["q"]) == (
        "71,37,73.5,38.25", "offensives", "post")


def test_malformed_bbox_in_the_url_is_a_notice(calls) -> None:
    at = run_page({"bbox": "73,37,71,38"})
    assert page_notices(at) == [
        "Ignored 'bbox=73,37,71,38': need -180 <= W < E <= 180 (longitudes)."]
    assert "bbox" not in at.query_params


@pytest.mark.parametrize(("breakage", "named"), [
    # A manifest entry missing its title, and a layer file that is not JSON: each named with its file.
    (lambda folder: (folder / "manifest.json").write_text(
        (folder / "manifest.json").read_text(encoding="utf-8").replace('"title": "Countries",', ""),
        encoding="utf-8"), ["manifest.json", "countries", "title"]),
    (lambda folder: (folder / "posts.geojson").write_text("{not json", encoding="utf-8"), ["posts.geojson"]),
    (lambda folder: (folder / "events" / "fixture.json").write_text(
        (folder / "events" / "fixture.json").read_text(encoding="utf-8").replace('"taliban"', '"martians"', 1),
        encoding="utf-8"), ["fixture.json", "hostile", "actors", "martians"]),
], ids=["manifest-field", "layer-not-json", "event-actor"])
def test_a_broken_data_directory_is_one_clear_page(tmp_path, monkeypatch, caplog, breakage, named) -> None:
    folder = tmp_path / "layers"
    shutil.copytree(FIXTURE, folder)
    breakage(folder)
    monkeypatch.setenv("PANJ_LAYERS_DIR", str(folder))
    st.cache_resource.clear()
    try:
        at = run_page()  # no exception reaches the reader
    finally:
        st.cache_resource.clear()
    assert [title.value for title in at.title] == ["Panj cannot show this map data"]
    problems = at.code[0].value
    assert all(part in problems for part in named), problems
    assert not at.sidebar.multiselect and not at.get("iframe")  # nothing else is drawn
    assert any("refused" in record.getMessage() for record in caplog.records)  # logged for the operator


@pytest.fixture
def many_events(tmp_path, monkeypatch) -> int:
    """The shipped data plus 120 synthetic events imported into the test's own store: 150 events,
    three pages of the table."""
    from geo.bench import synthetic
    from geo.importers import read_file
    from geo.store import open_store

    monkeypatch.delenv("PANJ_LAYERS_DIR", raising=False)
    st.cache_resource.clear()
    path = tmp_path / "synthetic.geojson"
    synthetic.write_events_file(path, 120)
    store = open_store()
    imported = read_file(path, dataset_name="Synthetic", file_format="geojson", existing=store.existing())
    store.import_dataset("Synthetic", imported, source_file=path.name, licence="", by="test")
    yield 150
    st.cache_resource.clear()


def _table_caption(at: AppTest) -> str:
    return next(caption.value for caption in at.caption if caption.value.startswith(("Rows ", "No rows")))


def test_the_table_shows_one_page_and_pages_through_the_rest(many_events) -> None:
    at = run_page()
    assert _count(at) == "**150 of 150 events**"
    assert _table_caption(at).startswith("Rows 1–50 of 150, by date.")
    assert len(at.dataframe[0].value) == 50
    first_page = list(at.session_state["shown_ids"])
    assert len(first_page) == 50
    next(button for button in at.button if button.key == "table_next").click().run()
    assert _table_caption(at).startswith("Rows 51–100 of 150")
    assert at.number_input(key="table_page").value == 2
    assert len(at.dataframe[0].value) == 50 and not set(at.session_state["shown_ids"]) & set(first_page)
    at.number_input(key="table_page").set_value(3).run()
    assert _table_caption(at).startswith("Rows 101–150 of 150")
    assert next(button for button in at.button if button.key == "table_next").disabled
    # Dates in order across the pages, as one table of every row would list them.
    firsts = list(at.dataframe[0].value["From"])
    assert firsts == sorted(firsts)
    # A filter change goes back to the first page.
    at.sidebar.multiselect(key="f_statuses").select("occurred").run()
    shown, _ = _count(at).strip("*").split(" of ")
    assert _table_caption(at).startswith(f"Rows 1–{min(int(shown), 50)} of {shown}")
    assert at.number_input(key="table_page").value == 1


def test_a_small_table_has_no_page_controls(calls) -> None:
    at = run_page()
    assert _table_caption(at).startswith("Rows 1–3 of 3, by date.")
    assert not any(button.key in ("table_previous", "table_next") for button in at.button)
    at.sidebar.text_input(key="f_text").input("nothing matches this").run()
    assert not at.dataframe or all("Title" not in frame.value for frame in at.dataframe)
    assert "“Reset filters” shows all 3" in at.info[0].value


def test_a_search_showing_nothing_says_why_with_the_text_escaped(calls) -> None:
    typed = "*Khorog* [x](http://example.invalid)"
    at = run_page({"q": typed})
    [notice] = at.sidebar.info
    assert shown_text(notice.value) == (f"No event and no place on the map matches “{typed}”: try another spelling "
                                        "or fewer words.")
    assert "\\*Khorog\\*" in notice.value and "http://" not in notice.value  # no emphasis, no link


def test_another_spelling_finds_the_places_events_on_the_page(tmp_path, monkeypatch) -> None:
    # The shipped layers with the protests of November 2021 placed at Khorugh (layers/aliases.json
    # spells it Khorog too): the page's search finds that event by the other spelling.
    folder = tmp_path / "layers"
    shutil.copytree(geo.layers.LAYERS_DIR, folder)
    events_file = folder / "events" / "edm-v19-i92.json"
    document = json.loads(events_file.read_text(encoding="utf-8"))
    [protests] = [event for event in document["events"] if event["id"] == "gbao-protests"]
    protests.update(place="places:khorugh", location_precision="locality")
    events_file.write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.setenv("PANJ_LAYERS_DIR", str(folder))
    st.cache_resource.clear()
    at = run_page({"q": "Khorog"})
    assert _count(at) == "**1 of 30 events**"
    assert _table_titles(at) == [protests["title"]]
    assert not at.sidebar.info  # something matched: no help needed


def _folded(text: str) -> str:
    """Text as the table's order compares it: accents dropped, case folded."""
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)).casefold()


def _expected_order(heading: str, descending: bool) -> list[str]:
    """The events' ids in the order a table of every shown event sorted by ``heading`` lists them:
    the values ascending (text folded, distances as numbers), ties by first day then id, rows
    without a value last; descending lists the valued rows backwards, the others still last."""
    snapshot = read_snapshot(geo.layers.LAYERS_DIR)
    expected = table_columns(snapshot.details(snapshot.events), snapshot.vocabulary)
    rows = list(zip(expected[heading], expected["From"], snapshot.events["id"]))
    valued = [row for row in rows if not pd.isna(row[0]) and row[0] != ""]
    missing = sorted((row for row in rows if pd.isna(row[0]) or row[0] == ""), key=lambda row: (row[1], row[2]))
    valued.sort(key=lambda row: (_folded(row[0]) if isinstance(row[0], str) else row[0], row[1], row[2]))
    return [row[2] for row in (valued[::-1] if descending else valued) + missing]


@pytest.mark.parametrize(("column", "heading", "descending"), [
    ("title", "Title", False), ("place", "Place", True), ("type", "Type", False), ("frontier", "Frontier (km)", False),
    ("frontier", "Frontier (km)", True),
])
def test_the_table_sorts_every_shown_row_across_its_pages(many_events, column, heading, descending) -> None:
    at = run_page()
    next(button for button in at.button if button.key == "table_next").click().run()
    assert at.number_input(key="table_page").value == 2
    at.selectbox(key="table_sort").set_value(column).run()
    if descending:
        at.radio(key="table_descending").set_value(True).run()
    assert at.number_input(key="table_page").value == 1  # a new order starts at its first page
    assert at.query_params["sort"] == (f"-{column}" if descending else column)
    listed = []
    for page in range(1, 4):
        assert _table_caption(at).startswith(f"Rows {page * 50 - 49}–{page * 50} of 150, by {heading.lower()}")
        listed += list(at.session_state["shown_ids"])
        if page < 3:
            next(button for button in at.button if button.key == "table_next").click().run()
    assert listed == _expected_order(heading, descending)


def test_a_link_opens_the_table_in_its_order(many_events) -> None:
    at = run_page({"sort": "-title"})
    assert (at.selectbox(key="table_sort").value, at.radio(key="table_descending").value) == ("title", True)
    assert list(at.session_state["shown_ids"]) == _expected_order("Title", True)[:50]
