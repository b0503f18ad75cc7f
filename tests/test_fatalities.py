"""Fatalities as a channel (geo.fatalities): the snapshot's column, the range filter, the sums the
page and a figure state, their part of the URL and of scenes, the map's file and the command line.

tests/fixtures/imports/acled-fatalities.csv holds five ACLED rows in GBAO whose ``fatalities``
cells read, by hand: FAT1 40, FAT2 10, FAT3 0, FAT4 empty (none reported), FAT5 3. The shipped
article's events report none."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo import eventdata, fatalities, figure, pagestate as ps, table, timechart
from geo.cli import main
from geo.filters import FilterState, KnownIds, ViewState, from_query_params, to_query_params
from geo.importers import read_file
from geo.layers import LAYERS_DIR
from geo.scenes import ScenesError, differs_from_scene, load_scenes
from geo.snapshot import build_snapshot, dataset_mask
from geo.store import open_store
from tests.conftest import run_page

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "imports" / "acled-fatalities.csv"
NAME = "Fatal sample"
# By hand from the fixture's "fatalities" column (None: the cell is empty).
REPORTED = {"fat1": 40, "fat2": 10, "fat3": 0, "fat4": None, "fat5": 3}


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fatalities-store")
    with open_store(f"sqlite:///{folder / 'store.sqlite3'}") as store:
        reading = read_file(FIXTURE, dataset_name=NAME, existing=store.existing())
        store.import_dataset(NAME, reading, source_file=FIXTURE.name, licence="", by="tests")
        yield build_snapshot(LAYERS_DIR, store)


def _of_dataset(snapshot):
    return snapshot.events[dataset_mask(snapshot, [NAME])]


def test_the_snapshot_keeps_each_events_fatalities_and_none_where_none_is_reported(snapshot) -> None:
    own = _of_dataset(snapshot)
    found = {event_id: (None if math.isnan(value) else value) for event_id, value in zip(own["id"], own["fatalities"])}
    assert found == REPORTED
    article = snapshot.events[~dataset_mask(snapshot, [NAME])]
    assert len(article) > 0 and article["fatalities"].isna().all()


# (at least, at most) -> the fixture's events the range keeps, by hand.
RANGES = [
    ((None, None), {"fat1", "fat2", "fat3", "fat4", "fat5"}),
    ((0, None), {"fat1", "fat2", "fat3", "fat5"}),
    ((1, None), {"fat1", "fat2", "fat5"}),
    ((None, 5), {"fat3", "fat5"}),
    ((10, 40), {"fat1", "fat2"}),
    ((3, 3), {"fat5"}),
    ((41, None), set()),
    ((0, 0), {"fat3"}),
]


@pytest.mark.parametrize(("bounds", "expected"), RANGES)
def test_the_range_keeps_the_events_reporting_counts_within_it(snapshot, bounds, expected) -> None:
    state = FilterState(fatalities_min=bounds[0], fatalities_max=bounds[1])
    shown = snapshot.events[snapshot.index.mask(state, within=dataset_mask(snapshot, [NAME]))]
    assert set(shown["id"]) == expected


def test_a_range_that_is_set_leaves_out_every_event_reporting_none(snapshot) -> None:
    # However wide: the article's events and FAT4 report none.
    shown = snapshot.events[snapshot.index.mask(FilterState(fatalities_min=0, fatalities_max=10**9))]
    assert set(shown["id"]) == {"fat1", "fat2", "fat3", "fat5"}


# (at least, at most) -> (events, reporting, total), of the fixture's events the range keeps, by hand.
SUMS = [
    ((None, None), (5, 4, 53)),
    ((1, None), (3, 3, 53)),
    ((None, 5), (2, 2, 3)),
    ((41, None), (0, 0, 0)),
]


@pytest.mark.parametrize(("bounds", "expected"), SUMS)
def test_the_sums_count_the_reported_fatalities_and_the_events_reporting_none(snapshot, bounds, expected) -> None:
    state = FilterState(fatalities_min=bounds[0], fatalities_max=bounds[1])
    shown = snapshot.events[snapshot.index.mask(state, within=dataset_mask(snapshot, [NAME]))]
    counted = fatalities.sums(shown)
    assert (counted.events, counted.reporting, counted.total) == expected
    assert counted.unreported == expected[0] - expected[1]


@pytest.mark.parametrize(("events", "reporting", "total", "text"), [
    (5, 4, 53, "53 fatalities reported (1 event with none reported)"),
    (3, 3, 53, "53 fatalities reported"),
    (12, 1, 1, "1 fatality reported (11 events with none reported)"),
    (2000, 0, 0, "none reporting fatalities"),  # not "0 fatalities reported": no event reported a zero
    (3, 3, 0, "0 fatalities reported"),
    (1500, 1500, 12345, "12,345 fatalities reported"),
])
def test_the_sums_in_words(events, reporting, total, text) -> None:
    assert fatalities.sums_text(fatalities.Sums(events=events, reporting=reporting, total=total)) == text


def test_the_figures_subtitle_gives_the_sums_and_the_range(snapshot) -> None:
    within = dataset_mask(snapshot, [NAME])
    events = snapshot.events[within]
    state = FilterState(fatalities_min=1)
    shown = snapshot.events[snapshot.index.mask(state, within=within)]
    text = figure.describe_shown(state, events, snapshot.vocabulary, snapshot.regions, shown)
    assert text == "at least 1 fatality · 3 of 5 events · May 2022 · 53 fatalities reported"
    everything = figure.describe_shown(FilterState(), events, snapshot.vocabulary, snapshot.regions, events)
    assert everything == "All 5 events, May 2022 · 53 fatalities reported (1 event with none reported)"


def test_the_subtitle_says_nothing_of_fatalities_where_no_event_reports_any(snapshot) -> None:
    article = snapshot.events[~dataset_mask(snapshot, [NAME])]
    text = figure.describe_shown(FilterState(), article, snapshot.vocabulary, snapshot.regions, article)
    assert "fatalit" not in text


UCDP = Path(__file__).resolve().parent / "fixtures" / "imports" / "ucdp-ged.csv"
UCDP_NAME = "UCDP border"
# What the rows asked carry (fatalities, low, high), by hand from acled-fatalities.csv's
# "fatalities" and ucdp-ged.csv's best, low and high (None: not reported, or no such estimate).
CARRIED = {**{event_id: (count, None, None) for event_id, count in REPORTED.items()},
           "900001": (3, 2, 5), "900002": (8, 8, 25), "900003": (6, 4, 6), "900004": (1, 1, 1)}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """A snapshot of the ACLED fixture and UCDP's GED fixture, each imported as a dataset."""
    folder = tmp_path_factory.mktemp("fatalities-both")
    with open_store(f"sqlite:///{folder / 'store.sqlite3'}") as store:
        for path, name in ((FIXTURE, NAME), (UCDP, UCDP_NAME)):
            reading = read_file(path, dataset_name=name, existing=store.existing())
            store.import_dataset(name, reading, source_file=path.name, licence="", by="tests")
        yield build_snapshot(LAYERS_DIR, store)


def _plain(value) -> int | None:
    return None if value is None or pd.isna(value) else value


@pytest.mark.parametrize("geometry", [False, True])
def test_the_rows_asked_carry_their_fatalities_and_ucdps_estimates(both, geometry) -> None:
    details = both.details(both.events, geometry=geometry)
    assert list(details.columns[-4:]) == ["fatalities", "fatalities_low", "fatalities_high", "dataset"]
    found = {event_id: tuple(_plain(value) for value in values) for event_id, *values
             in details[["id", *fatalities.DETAIL_COLUMNS]].itertuples(index=False)}
    assert {event_id: values for event_id, values in found.items() if event_id in CARRIED} == CARRIED
    assert {values for event_id, values in found.items() if event_id not in CARRIED} == {(None, None, None)}


@pytest.mark.parametrize("database", ["sqlite", "postgis"])
def test_the_store_gives_the_estimates_with_the_text(request, tmp_path, database) -> None:
    url = (f"sqlite:///{tmp_path / 'store.sqlite3'}" if database == "sqlite"
           else request.getfixturevalue("postgis_url"))
    name = f"UCDP estimates {database}"
    with open_store(url) as store:
        store.import_dataset(name, read_file(UCDP, dataset_name=name, existing=store.existing()),
                             source_file=UCDP.name, licence="", by="tests")
        try:
            records = store.event_records(["900001", "900003", "no-such-event"], fatalities.RANGE_COLUMNS)
            assert {event_id: properties for event_id, (_, properties) in records.items()} == {
                "900001": {"fatalities_low": 2, "fatalities_high": 5},
                "900003": {"fatalities_low": 4, "fatalities_high": 6}}
            assert json.loads(records["900001"][0])["id"] == "900001"
            assert store.event_records(["900001"], ("no_such_property",))["900001"][1] == {}
            with pytest.raises(ValueError, match="'x; drop table' is not a property name"):
                store.event_records(["900001"], ("x; drop table",))
        finally:
            store.delete(name, by="tests")


def test_the_popups_say_each_events_fatalities_and_estimates(both) -> None:
    rows = {}
    for _, content in eventdata.popup_files(both.events, both.details):
        written = json.loads(content)
        rows.update((row[written["columns"].index("id")], dict(zip(written["columns"], row, strict=True)))
                    for row in written["rows"])
    assert {event_id: (row["fatalities"], row["low"], row["high"]) for event_id, row in rows.items()
            if event_id in CARRIED} == CARRIED
    assert len(rows) == len(both.events)


def test_the_maps_fatalities_file_holds_each_rows_count(snapshot) -> None:
    counts = eventdata.read_fatalities_file(eventdata.fatalities_file(snapshot.events))
    expected = [eventdata.NOT_REPORTED if (found := REPORTED.get(event_id)) is None else found
                for event_id in snapshot.events["id"]]
    assert counts.tolist() == expected


# --- the URL -----------------------------------------------------------------------------------

VIEW = ViewState(visible_layers=("frontier",), basemap="none")
KNOWN = KnownIds(layers=("frontier",), basemaps=frozenset({"none"}))

# (filters, view) -> the query string written, by hand.
URLS = [
    (FilterState(fatalities_min=5), VIEW, {"fatalities_min": "5"}),
    (FilterState(fatalities_max=0), VIEW, {"fatalities_max": "0"}),
    (FilterState(fatalities_min=1, fatalities_max=100), VIEW, {"fatalities_min": "1", "fatalities_max": "100"}),
    (FilterState(), ViewState(visible_layers=("frontier",), basemap="none", size_by="fatalities"), {"size": "fatalities"}),
    (FilterState(), VIEW, {}),
]


@pytest.mark.parametrize(("state", "view", "written"), URLS)
def test_the_range_and_the_sizes_go_through_the_url_and_back(state, view, written) -> None:
    params = to_query_params(state, view)
    assert {key: value for key, value in params.items() if key not in ("layers", "basemap")} == written
    read, read_view, notices = from_query_params(params, KNOWN, VIEW)
    assert (read, read_view, notices) == (state, view, [])


SCENE_STATE = FilterState(fatalities_min=5, fatalities_max=50)
SCENE_VIEW = ViewState(visible_layers=("frontier",), basemap="none", size_by="fatalities")


@pytest.mark.parametrize(("state", "view", "written"), [
    (SCENE_STATE, SCENE_VIEW, {}),
    (FilterState(fatalities_max=50), SCENE_VIEW, {"fatalities_min": "any"}),
    (FilterState(fatalities_min=5), VIEW, {"fatalities_max": "any", "size": "none"}),
])
def test_against_a_scene_only_the_changes_are_written(state, view, written) -> None:
    params = to_query_params(state, view, (SCENE_STATE, SCENE_VIEW))
    assert params == written
    assert from_query_params(params, KNOWN, SCENE_VIEW, SCENE_STATE) == (state, view, [])


@pytest.mark.parametrize(("query", "notice"), [
    ({"fatalities_min": "-1"}, "Ignored 'fatalities_min=-1': the fatalities must be a whole number, 0 or more."),
    ({"fatalities_max": "2.5"}, "Ignored 'fatalities_max=2.5': the fatalities must be a whole number, 0 or more."),
    ({"fatalities_min": "many"}, "Ignored 'fatalities_min=many': expected a whole number of fatalities."),
    ({"fatalities_min": "9", "fatalities_max": "2"},
     "Ignored the fatalities range: 'fatalities_min' (9) is more than 'fatalities_max' (2)."),
    ({"size": "troops"}, "Ignored unknown symbol size 'troops'."),
])
def test_a_bad_value_in_the_url_is_ignored_with_a_notice(query, notice) -> None:
    state, view, notices = from_query_params(query, KNOWN, VIEW)
    assert (state, view, notices) == (FilterState(), VIEW, [notice])


# --- scenes ------------------------------------------------------------------------------------

def _scenes(tmp_path: Path, **fields):
    scene = {"id": "toll", "title": "The toll", "caption": "Where the killed were", "layers": ["frontier"],
             "extent": [70, 36, 75, 39], **fields}
    (tmp_path / "scenes.json").write_text(json.dumps({"scenes": [scene]}), encoding="utf-8")
    return load_scenes(tmp_path, layer_ids=("frontier",), actor_ids=(), event_type_ids=(), region_ids=(),
                       basemap_ids=("none",), feature_refs=())


def test_a_scene_carries_the_range_and_the_sizes(tmp_path) -> None:
    (scene,) = _scenes(tmp_path, filters={"fatalities_min": 1, "fatalities_max": 100}, size_by="fatalities")
    assert (scene.filters.fatalities_min, scene.filters.fatalities_max) == (1, 100)
    assert scene.view_state().size_by == "fatalities"
    assert differs_from_scene(scene, FilterState(fatalities_min=1), ViewState(("frontier",), "none")) == [
        "fatalities (at most)", "symbol sizes"]


@pytest.mark.parametrize(("fields", "field", "reason"), [
    ({"filters": {"fatalities_min": -2}}, "filters.fatalities_min",
     "the fatalities must be a whole number, 0 or more, got -2"),
    ({"filters": {"fatalities_max": "ten"}}, "filters.fatalities_max",
     "the fatalities must be a whole number, 0 or more, got 'ten'"),
    ({"filters": {"fatalities_min": 9, "fatalities_max": 2}}, "filters.fatalities_max",
     "2 is less than fatalities_min 9"),
    ({"size_by": "troops"}, "size_by", "unknown symbol size 'troops' (expected 'fatalities')"),
])
def test_a_scenes_bad_range_or_size_is_named(tmp_path, fields, field, reason) -> None:
    with pytest.raises(ScenesError) as raised:
        _scenes(tmp_path, **fields)
    assert [(problem.item, problem.field, problem.reason) for problem in raised.value.problems] == [
        ("scene 'toll'", field, reason)]


# --- the command line --------------------------------------------------------------------------

@pytest.fixture
def imported() -> None:
    """The fixture imported into the test's own store (tests/conftest.py's PANJ_DATA_DIR)."""
    assert main(["import", str(FIXTURE), "--name", NAME]) == 0


@pytest.mark.parametrize(("options", "expected"), [
    (["--fatalities-min", "1"], ["fat1", "fat2", "fat5"]),
    (["--fatalities-max", "5"], ["fat3", "fat5"]),
    (["--fatalities-min", "0", "--fatalities-max", "0"], ["fat3"]),
])
def test_panj_events_filters_by_the_range(imported, capsys, options, expected) -> None:
    capsys.readouterr()
    assert main(["events", "--dataset", NAME, *options]) == 0
    written = json.loads(capsys.readouterr().out)
    assert [feature["properties"]["id"] for feature in written["features"]] == expected


@pytest.mark.parametrize(("options", "message"), [
    (["--fatalities-min", "-1"], "--fatalities-min -1: the fatalities must be a whole number, 0 or more"),
    (["--fatalities-min", "5", "--fatalities-max", "1"], "--fatalities-min 5 is more than --fatalities-max 1"),
    (["--fatalities-max", "2.5"], "argument --fatalities-max: invalid int value: '2.5'"),
])
def test_a_bad_range_on_the_command_line_is_refused(capsys, options, message) -> None:
    assert main(["events", *options]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("command", ["events", "trends", "export"])
def test_every_read_command_takes_the_range(capsys, command) -> None:
    assert main([command, "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--fatalities-min N events reporting at least N fatalities; an event with none reported is left out" in text
    assert "--fatalities-max N" in text


@pytest.mark.parametrize("file_format", ["csv", "geojson"])
def test_panj_events_writes_each_events_fatalities_and_ucdps_estimates(imported, capsys, file_format) -> None:
    assert main(["import", str(UCDP), "--name", UCDP_NAME]) == 0
    capsys.readouterr()
    assert main(["events", "--format", file_format, "--dataset", NAME, UCDP_NAME]) == 0
    out = capsys.readouterr().out
    if file_format == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        found = {row["id"]: tuple(int(row[name]) if row[name] else None for name in fatalities.DETAIL_COLUMNS)
                 for row in rows}
    else:
        found = {feature["id"]: tuple(feature["properties"][name] for name in fatalities.DETAIL_COLUMNS)
                 for feature in json.loads(out)["features"]}
    assert found == CARRIED


def test_panj_trends_counts_only_the_events_the_range_keeps(imported, capsys) -> None:
    capsys.readouterr()
    assert main(["trends", "--dataset", NAME, "--within-km", "500", "--fatalities-min", "10"]) == 0
    rows = csv.DictReader(io.StringIO(capsys.readouterr().out))
    # FAT1 and FAT2, both in May 2022 within 500 km of the frontier: two events counted in all.
    assert sum(int(row["events"]) for row in rows) == 2


def test_a_scene_and_the_range_on_the_command_line_do_not_mix(capsys, tmp_path) -> None:
    assert main(["export", "--scene", "x", "--fatalities-min", "1", "--out", str(tmp_path / "x.png")]) == 2
    assert ("--fatalities-min: a scene sets the filters and the view; leave these out with --scene/--all-scenes"
            in capsys.readouterr().err)



# --- the page ----------------------------------------------------------------------------------

def test_the_page_offers_the_range_and_the_sizes_and_counts_the_fatalities(imported, static_dir) -> None:
    at = run_page({"fatalities_min": "1", "size": "fatalities"})
    assert (at.number_input(key=ps.FATALITIES_MIN).value, at.number_input(key=ps.FATALITIES_MAX).value) == (1, None)
    assert at.checkbox(key=ps.SIZE).value is True
    # FAT1, FAT2 and FAT5: 53 reported, none without a count; the article's 30 events and FAT4 hidden.
    assert any("3 of 35 events**, 53 fatalities reported" in block.value for block in at.sidebar.markdown)
    at.number_input(key=ps.FATALITIES_MIN).set_value(None).run()
    assert any("35 of 35 events**, 53 fatalities reported (31 events with none reported)" in block.value
               for block in at.sidebar.markdown)


def test_without_fatalities_the_page_draws_neither_widget(static_dir) -> None:
    at = run_page()
    assert not [widget for widget in at.number_input if widget.key in (ps.FATALITIES_MIN, ps.FATALITIES_MAX)]
    assert not [widget for widget in at.checkbox if widget.key == ps.SIZE]
    assert not any("fatalit" in block.value for block in at.sidebar.markdown)


# --- the sidebar's charts say the fatalities (issue 24 §3) ---

TAJIK_FORCES = "tajik-government"  # ACLED's "Military Forces of Tajikistan (1994-)", through the mapping
# The fixture's events shown, and by hand what each chart's row or bar sums: every row names the same
# three actors and one type, FAT4 reports none.
SUBSETS = [
    ({"fat1", "fat2", "fat3", "fat4", "fat5"}, fatalities.Sums(events=5, reporting=4, total=53)),
    ({"fat3", "fat4", "fat5"}, fatalities.Sums(events=3, reporting=2, total=3)),
    ({"fat4"}, fatalities.Sums(events=1, reporting=0, total=0)),
    ({"fat1", "fat3"}, fatalities.Sums(events=2, reporting=2, total=40)),
]


@pytest.mark.parametrize(("ids", "expected"), SUBSETS)
def test_each_chart_row_sums_the_fatalities_its_shown_events_report(snapshot, ids, expected) -> None:
    rows = snapshot.events["id"].isin(ids).to_numpy()
    by_actor = snapshot.index.fatality_sums("actors", rows)
    assert by_actor[TAJIK_FORCES] == expected
    assert len(by_actor) == 3 and set(by_actor.values()) == {expected}
    assert snapshot.index.fatality_sums("event_type", rows) == {"offensive": expected}


def test_an_actor_of_the_article_alone_sums_no_fatality_but_counts_its_events(snapshot) -> None:
    # The article names the Taliban in 12 events (tests/test_browser_charts_keyboard.py's hand count), none
    # with a reported toll.
    every = np.ones(len(snapshot.events), dtype=bool)
    assert snapshot.index.fatality_sums("actors", every)["taliban"] == fatalities.Sums(events=12, reporting=0, total=0)


def test_a_bar_is_named_with_its_fatalities_and_a_tooltip_line_carries_them(snapshot) -> None:
    rows = snapshot.events["id"].isin({"fat3", "fat4", "fat5"}).to_numpy()
    counted = snapshot.index.counts("event_type", rows)
    table = timechart.term_counts(counted, {"offensive": "Offensive"}, [],
                                  snapshot.index.fatality_sums("event_type", rows))
    assert table["name"].tolist() == ["Offensive: 3 events, 3 fatalities reported (1 event with none reported)"]
    assert table["fatalities"].tolist() == [3]
    spec = timechart.term_chart(table, "event type")
    titles = [item["title"] for layer in spec["layer"] for item in layer.get("encoding", {}).get("tooltip", [])]
    assert "Fatalities reported" in titles
    # Without sums (no dataset reports any) neither the name nor the tooltip speaks of them.
    plain = timechart.term_counts(counted, {"offensive": "Offensive"}, [])
    assert plain["name"].tolist() == ["Offensive: 3 events"] and "fatalities" not in plain.columns


def test_the_histogram_sums_the_fatalities_of_the_events_dated_within_each_bar(snapshot) -> None:
    rows = dataset_mask(snapshot, [NAME])
    dates = snapshot.index.dates(rows, with_fatalities=True)
    bins = timechart.time_bins(dt.date(2022, 4, 1), dt.date(2022, 6, 30))
    counts = timechart.bin_counts(dates, bins)
    # All five are dated to a day of May 2022 (the fixture's event_date): 53 reported, FAT4 none.
    assert counts[["label", "exact", "fatalities", "unreported"]].to_dict("records") == [
        {"label": "Apr 2022", "exact": 0, "fatalities": 0, "unreported": 0},
        {"label": "May 2022", "exact": 5, "fatalities": 53, "unreported": 1},
        {"label": "Jun 2022", "exact": 0, "fatalities": 0, "unreported": 0},
    ]
    names = timechart.bin_names(counts, [False, True, False])
    assert names[1] == ("May 2022: 5 events dated within the month, 0 reaching beyond it; those dated within: "
                        "53 fatalities reported (1 event with none reported), chosen")


# --- the table (a column and a sort where some event reports fatalities) ---

def test_the_table_gives_each_events_fatalities_and_none_where_none_is_reported(snapshot) -> None:
    rows = _of_dataset(snapshot)
    own = snapshot.details(rows)
    shown = table.events_table(own, snapshot.vocabulary, with_fatalities=True).set_axis(own["id"])
    assert {event_id: (None if pd.isna(count) else int(count)) for event_id, count in shown["Fatalities"].items()} == REPORTED
    assert "Fatalities" not in table.events_table(own, snapshot.vocabulary).columns


@pytest.mark.parametrize(("descending", "expected"), [
    (False, ["fat3", "fat5", "fat2", "fat1", "fat4"]),  # 0, 3, 10, 40; FAT4 reports none: last
    (True, ["fat1", "fat2", "fat5", "fat3", "fat4"]),  # and last backwards too
])
def test_the_table_sorts_every_shown_event_by_its_fatalities(snapshot, descending, expected) -> None:
    rows = table.sort_order(snapshot, "fatalities").of(dataset_mask(snapshot, [NAME]), descending)
    assert list(snapshot.events["id"].iloc[rows]) == expected


def test_the_page_offers_the_fatalities_sort_only_where_some_event_reports_any(imported, static_dir) -> None:
    at = run_page({"sort": "fatalities"})
    assert "Fatalities" in at.selectbox(key=ps.TABLE_SORT).options and at.selectbox(key=ps.TABLE_SORT).value == "fatalities"
    [shown] = [frame.value for frame in at.dataframe if "Fatalities" in frame.value.columns]
    # The fixture's four counts in order, then FAT4 and the article's 30 events, none reported.
    assert [None if pd.isna(count) else int(count) for count in shown["Fatalities"]] == [0, 3, 10, 40] + [None] * 31


def test_without_fatalities_the_table_has_no_such_column_and_a_links_sort_by_them_falls_back(static_dir) -> None:
    at = run_page({"sort": "fatalities"})
    assert "Fatalities" not in at.selectbox(key=ps.TABLE_SORT).options
    assert at.selectbox(key=ps.TABLE_SORT).value == "date"
    assert not [frame for frame in at.dataframe if "Fatalities" in frame.value.columns]
