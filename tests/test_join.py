"""geo.join: events joined to layer geometry, the attributes derived from it, and the exports.

The small fixture layers are rectangles with the frontier on the parallel 37°N, so every derived
value can be checked by hand: 0.1° of latitude is ~11.1 km, and Kabul (34.53°N) lies 2.47° of
latitude, ~274 km along its meridian, south of the line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pandas as pd
import pytest
import shapely
from snapshots import load_joined_events

from geo.events import Event, load_events, load_vocabulary, parse_event
from geo.join import (
    COLUMNS,
    CSV_GEOMETRIES,
    SPREADSHEET_CELL_LIMIT,
    TRUNCATION_MARKER,
    JoinError,
    events_to_csv,
    events_to_geojson,
    join_events,
)
from geo.layers import LAYERS_DIR, feature_refs, load_layers

SMALL_LAYERS = Path(__file__).parent / "fixtures" / "layers_small"
real_layers = pytest.mark.skipif(
    not (LAYERS_DIR / "manifest.json").exists(), reason="the derived layers are not built yet"
)


@pytest.fixture(scope="module")
def small():
    return load_joined_events(SMALL_LAYERS).set_index("id", drop=False)


def test_columns_and_order(small) -> None:
    assert tuple(small.columns) == COLUMNS
    assert small.crs.to_epsg() == 4326
    # date order, ties broken by id
    assert list(small["id"]) == ["post-shaymak", "wakhan-area", "gbao-area", "on-frontier", "post-ayvoj", "kabul-meeting"]


# Each row: an event of the fixture and what its geometry must yield. Distances by hand (see above).
DERIVED = [
    # event          country        province            gbao   wakhan frontier_km post       post_km
    ("post-ayvoj",    "Tajikistan",  "Khatlon",          False, False, 11.09,      "ayvoj",   0.0),
    ("post-shaymak",  "Tajikistan",  "Gorno-Badakhshan", True,  False, 55.49,      "shaymak", 0.0),
    ("kabul-meeting", "Afghanistan", None,               False, False, 274.06,     "ayvoj",   289.8),
    # area events: the area itself is the region, its edge on 37°N touches the frontier; Shaymak lies
    # inside GBAO, and 0.5° of latitude north of the Wakhan's edge
    ("gbao-area",     "Tajikistan",  "Gorno-Badakhshan", True,  False, 0.0,        "shaymak", 0.0),
    ("wakhan-area",   "Afghanistan", "Badakhshan",       False, True,  0.0,        "shaymak", 55.49),
    # the frontier itself: on the border, so in neither country nor wholly in GBAO, 0 km from itself,
    # and 0.1° of latitude south of Ayvoj
    ("on-frontier",   None,          None,               False, False, 0.0,        "ayvoj",   11.09),
]


# Feature ids of the fixture's countries and provinces, by name.
REGION_IDS = {"Tajikistan": "tajikistan", "Afghanistan": "afghanistan", "Khatlon": "khatlon",
              "Gorno-Badakhshan": "gbao", "Badakhshan": "badakhshan"}


@pytest.mark.parametrize(
    ("event_id", "country", "province", "in_gbao", "in_wakhan", "frontier_km", "post", "post_km"),
    DERIVED,
    ids=[row[0] for row in DERIVED],
)
def test_derived_attributes(small, event_id, country, province, in_gbao, in_wakhan, frontier_km, post, post_km) -> None:
    row = small.loc[event_id]
    assert (None if pd.isna(row.country) else row.country) == country
    assert (None if pd.isna(row.province) else row.province) == province
    # Beside each name, the feature id the region filters and URLs use.
    assert (None if pd.isna(row.country_id) else row.country_id) == REGION_IDS.get(country)
    assert (None if pd.isna(row.province_id) else row.province_id) == REGION_IDS.get(province)
    assert (bool(row.in_gbao), bool(row.in_wakhan)) == (in_gbao, in_wakhan)
    assert row.frontier_km == pytest.approx(frontier_km, rel=0.005, abs=0.01)
    assert row.nearest_post == post
    assert row.nearest_post_km == pytest.approx(post_km, rel=0.005, abs=0.01)


def test_area_events_keep_their_area(small) -> None:
    gbao = small.loc["gbao-area"]
    assert gbao.geometry.geom_type == "Polygon"
    assert gbao.geometry.contains(shapely.Point(gbao.lon, gbao.lat))
    assert small.loc["post-ayvoj"].geometry.equals(shapely.Point(68.6, 37.1))
    assert (small.loc["post-ayvoj"].lon, small.loc["post-ayvoj"].lat) == (68.6, 37.1)


def test_flattened_fields(small) -> None:
    shaymak = small.loc["post-shaymak"]
    assert (shaymak.start, shaymak.end, shaymak.date_precision) == ("2016", "2022-06", "year")
    assert (shaymak.date_first, shaymak.date_last) == (dt.date(2016, 1, 1), dt.date(2022, 6, 30))
    assert shaymak.date_label == "2016 – June 2022"
    assert shaymak.place_name == "Shaymak"
    kabul = small.loc["kabul-meeting"]
    assert (kabul.status, kabul.reported, kabul.date_basis) == ("occurred", "2022-05-14", "reported")
    assert pd.isna(kabul.start)
    assert kabul.date_label == "reported 14 May 2022"
    assert kabul.citations == [{"paragraph": 3, "source": "Test Source", "source_date": "2022-06-02", "url": None}]
    assert kabul.citations_label == "¶3 Test Source (2022-06-02)"
    ayvoj = small.loc["post-ayvoj"]
    assert ayvoj.actors == ("alpha", "beta")
    assert (ayvoj.amount_usd, ayvoj.document) == (1_100_000, "test-doc")
    assert pd.isna(ayvoj.troops) and small.loc["gbao-area"].troops == 7000


def test_join_without_events_is_empty_with_columns() -> None:
    frame = join_events([], load_layers(SMALL_LAYERS))
    assert len(frame) == 0 and tuple(frame.columns) == COLUMNS


def test_join_needs_the_derivation_layers() -> None:
    layers = dict(load_layers(SMALL_LAYERS))
    del layers["posts"], layers["wakhan"]
    with pytest.raises(JoinError, match="the layers lack wakhan, posts"):
        join_events([], layers)


def test_join_rejects_unknown_place() -> None:
    layers = load_layers(SMALL_LAYERS)
    events = load_events(SMALL_LAYERS, vocabulary=load_vocabulary(SMALL_LAYERS), place_refs=feature_refs(layers))
    without_places = {key: layer for key, layer in layers.items() if key != "places"}
    with pytest.raises(JoinError, match="unknown place reference.*places:kabul"):
        join_events(events, without_places)




# --- exports -------------------------------------------------------------------------------------

def test_geojson_export(small) -> None:
    collection = json.loads(json.dumps(events_to_geojson(small)))  # must be plain JSON
    assert collection["type"] == "FeatureCollection"
    features = {feature["id"]: feature for feature in collection["features"]}
    assert len(features) == len(small)
    gbao = features["gbao-area"]
    assert gbao["geometry"]["type"] == "Polygon"  # the event's own geometry, not its point
    assert (gbao["properties"]["lon"], gbao["properties"]["lat"]) == (small.loc["gbao-area"].lon, small.loc["gbao-area"].lat)
    ayvoj = features["post-ayvoj"]["properties"]
    assert ayvoj["actors"] == ["alpha", "beta"]
    assert (ayvoj["date_first"], ayvoj["date_last"], ayvoj["end"], ayvoj["troops"]) == ("2022-01-01", "2022-12-31", None, None)
    assert features["kabul-meeting"]["properties"]["citations"][0]["source_date"] == "2022-06-02"
    assert features["kabul-meeting"]["properties"]["status"] == "occurred"


@pytest.mark.parametrize(("geometry", "extra_column"), [("wkt", "wkt"), ("ref", "geometry_ref"), ("latlon", None)])
def test_csv_export(small, geometry: str, extra_column: str | None) -> None:
    rows = list(csv.DictReader(io.StringIO(events_to_csv(small, geometry=geometry))))
    assert len(rows) == len(small)
    by_id = {row["id"]: row for row in rows}
    assert set(rows[0]) - set(COLUMNS) == ({extra_column} if extra_column else set())
    assert (float(by_id["post-ayvoj"]["lon"]), float(by_id["post-ayvoj"]["lat"])) == (68.6, 37.1)
    assert by_id["post-ayvoj"]["actors"] == "alpha;beta"
    assert by_id["post-ayvoj"]["end"] == ""
    if geometry == "wkt":
        assert by_id["post-ayvoj"]["wkt"] == "POINT (68.6 37.1)"
        assert shapely.from_wkt(by_id["gbao-area"]["wkt"]).geom_type == "Polygon"
    if geometry == "ref":
        assert (by_id["post-ayvoj"]["geometry_ref"], by_id["gbao-area"]["geometry_ref"]) == ("posts:ayvoj", "gbao:gbao")


def test_csv_export_rejects_unknown_geometry(small) -> None:
    with pytest.raises(ValueError, match="geometry must be one of wkt, ref, latlon"):
        events_to_csv(small, geometry="geojson")


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_text_a_spreadsheet_would_run_starts_with_an_apostrophe(small, text: str) -> None:
    frame = small.copy()
    frame["title"] = text
    frame["summary"] = f"safe {text}"  # only the start of a cell makes a formula
    rows = list(csv.DictReader(io.StringIO(events_to_csv(frame))))
    assert {row["title"] for row in rows} == {"'" + text}
    assert {row["summary"] for row in rows} == {f"safe {text}"}


def test_csv_numbers_stay_numbers_even_when_negative(small) -> None:
    """A negative number is a value, not a formula: it is written as a number, without apostrophe."""
    frame = small.copy()
    frame.loc["post-ayvoj", "lon"] = -3.5
    frame["frontier_km"] = -frame["frontier_km"]
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(events_to_csv(frame)))}
    assert rows["post-ayvoj"]["lon"] == "-3.5"
    assert float(rows["post-ayvoj"]["frontier_km"]) == -small.loc["post-ayvoj"].frontier_km


def test_csv_cuts_a_text_longer_than_a_cell_and_says_so(small) -> None:
    frame = small.copy()
    frame.loc["post-ayvoj", "summary"] = "x" * (SPREADSHEET_CELL_LIMIT + 10)
    notes: list[str] = []
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(events_to_csv(frame, notes=notes)))}
    summary = rows["post-ayvoj"]["summary"]
    assert len(summary) == SPREADSHEET_CELL_LIMIT and summary.endswith(TRUNCATION_MARKER)
    assert notes == [f"summary: 1 cell longer than 32,767 characters cut, ending with {TRUNCATION_MARKER.strip()!r}"]


def test_csv_geometry_modes_each_have_a_help_line() -> None:
    assert list(CSV_GEOMETRIES) == ["wkt", "ref", "latlon"]
    assert all(isinstance(text, str) and text for text in CSV_GEOMETRIES.values())


@real_layers
@pytest.mark.parametrize("geometry", list(CSV_GEOMETRIES))
def test_csv_of_the_article_fits_every_cell_of_a_spreadsheet(article, geometry: str) -> None:
    cells = [cell for row in csv.reader(io.StringIO(events_to_csv(article, geometry=geometry))) for cell in row]
    assert max(map(len, cells)) <= SPREADSHEET_CELL_LIMIT


@real_layers
def test_csv_wkt_of_an_area_too_big_for_a_cell_is_its_feature_reference(article) -> None:
    notes: list[str] = []
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(events_to_csv(article, geometry="wkt", notes=notes)))}
    too_big = [row for row in rows.values() if row["place"] in ("provinces:badakhshan", "countries:afghanistan")]
    assert too_big, "the article has events placed at a province or a country"
    assert all(row["wkt"] == row["place"] for row in too_big)
    assert len(notes) == 1 and "provinces:badakhshan" in notes[0] and "32,767" in notes[0]
    # A point's WKT is small: it stays WKT.
    assert rows["us-funds-ayvoj-post"]["wkt"].startswith("POINT (")


# --- the article's events on the real layers -----------------------------------------------------

@pytest.fixture(scope="module")
def article():
    return load_joined_events(LAYERS_DIR).set_index("id", drop=False)


@real_layers
def test_every_article_event_has_geometry(article) -> None:
    assert len(article) >= 15
    assert article.geometry.notna().all() and not article.geometry.is_empty.any()
    assert article[["lon", "lat"]].notna().all().all()


@real_layers
def test_shaymak_post_is_in_gbao_tajikistan(article) -> None:
    row = article.loc["china-shaymak-post"]
    assert (row.country, bool(row.in_gbao), row.nearest_post, row.nearest_post_km) == ("Tajikistan", True, "shaymak", 0.0)
    assert (row.country_id, row.province_id) == ("tajikistan", "gbao")


@real_layers
def test_kabul_is_in_afghanistan_far_from_the_frontier(article) -> None:
    row = article.loc["chuianzoda-kabul-mission"]
    assert row.country == "Afghanistan"
    assert row.frontier_km > 250


@real_layers
def test_ayvoj_is_at_the_frontier(article) -> None:
    row = article.loc["us-funds-ayvoj-post"]
    assert row.country == "Tajikistan"
    assert row.frontier_km < 40
    assert (row.nearest_post, row.nearest_post_km) == ("ayvoj", 0.0)


@real_layers
def test_badakhshan_province_events_are_in_afghanistan(article) -> None:
    rows = article[article["place"] == "provinces:badakhshan"]
    assert len(rows) >= 1
    assert set(rows["country"]) == {"Afghanistan"}
    assert set(rows["province"]) == {"Badakhshan"}
    assert set(rows["country_id"]) == {"afghanistan"} and set(rows["province_id"]) == {"badakhshan"}


@real_layers
def test_gbao_events_are_in_gbao(article) -> None:
    rows = article[article["place"] == "gbao:gbao"]
    assert len(rows) >= 4
    assert rows["in_gbao"].all() and set(rows["country"]) == {"Tajikistan"}
    # The article places nothing in the Afghan Wakhan; the Chinese post near Shaymak is on the Tajik side.
    assert not article["in_wakhan"].any()
    assert article.loc["china-shaymak-post"].in_gbao
    assert article.loc["russia-announces-border-post"].frontier_km == 0.0


# --- status and the dates it gives ---------------------------------------------------------------

def _event(**fields) -> Event:
    """One event of the small fixture's vocabulary at Ayvoj, with ``fields`` (status, dates, citations)."""
    layers = load_layers(SMALL_LAYERS)
    entry = {"id": "e", "title": "T", "summary": "S", "actors": ["alpha"], "event_type": "meeting",
             "place": "posts:ayvoj", "location_precision": "exact",
             "citations": [{"paragraph": 3, "source": "US Embassy Tajikistan", "source_date": "2021-09-01"}], **fields}
    problems: list = []
    event = parse_event(entry, path=Path("test.json"), item="event 'e'", document_id="doc",
                        vocabulary=load_vocabulary(SMALL_LAYERS), place_refs=feature_refs(layers), problems=problems)
    assert problems == [] and event is not None
    return event


@pytest.mark.parametrize(
    ("fields", "label", "first", "last"),
    [
        ({"status": "occurred", "start": "2022-05-11"}, "11 May 2022", dt.date(2022, 5, 11), dt.date(2022, 5, 11)),
        ({"status": "occurred", "start": "2022-05", "end": "2022-06"}, "May 2022 – June 2022",
         dt.date(2022, 5, 1), dt.date(2022, 6, 30)),
        ({"status": "occurred", "reported": "2021-09-01"}, "reported 1 September 2021",
         dt.date(2021, 9, 1), dt.date(2021, 9, 1)),
        # true as of June 2022, not "ended then": the interval runs to as_of's last day
        ({"status": "ongoing", "start": "1991", "as_of": "2022-06"}, "since 1991 (as of June 2022)",
         dt.date(1991, 1, 1), dt.date(2022, 6, 30)),
        ({"status": "ongoing", "reported": "2022-05-24", "as_of": "2022-06"}, "reported 24 May 2022 (as of June 2022)",
         dt.date(2022, 5, 24), dt.date(2022, 6, 30)),
        ({"status": "ongoing", "reported": "2022-06", "as_of": "2022-06"}, "ongoing as of June 2022",
         dt.date(2022, 6, 1), dt.date(2022, 6, 30)),
        # a plan sits at the day it was reported, not in the year it is planned for
        ({"status": "planned", "reported": "2021-09-01", "planned_for": "2022"},
         "planned for 2022 (reported 1 September 2021)", dt.date(2021, 9, 1), dt.date(2021, 9, 1)),
        ({"status": "announced", "reported": "2021-12-27"}, "reported 27 December 2021",
         dt.date(2021, 12, 27), dt.date(2021, 12, 27)),
    ],
)
def test_dates_follow_the_status(fields: dict, label: str, first: dt.date, last: dt.date) -> None:
    [row] = join_events([_event(**fields)], load_layers(SMALL_LAYERS)).itertuples(index=False)
    assert (row.date_label, row.date_first, row.date_last) == (label, first, last)
    assert row.date_basis == ("event" if "start" in fields else "reported")
    def given(value):
        return None if pd.isna(value) else value
    assert (row.status, given(row.as_of), given(row.planned_for)) == (fields["status"], fields.get("as_of"), fields.get("planned_for"))


def test_citations_are_listed_and_labelled() -> None:
    event = _event(status="occurred", start="2022", citations=[
        {"paragraph": 3, "source": "US Embassy Tajikistan", "source_date": "2021-09-01", "url": "https://example.org/a"},
        {"paragraph": 4, "source": "none cited", "source_date": None},
    ])
    [row] = join_events([event], load_layers(SMALL_LAYERS)).itertuples(index=False)
    assert row.citations == [
        {"paragraph": 3, "source": "US Embassy Tajikistan", "source_date": "2021-09-01", "url": "https://example.org/a"},
        {"paragraph": 4, "source": "none cited", "source_date": None, "url": None},
    ]
    assert row.citations_label == "¶3 US Embassy Tajikistan (2021-09-01); ¶4 none cited"
    [csv_row] = csv.DictReader(io.StringIO(events_to_csv(join_events([event], load_layers(SMALL_LAYERS)))))
    assert json.loads(csv_row["citations"])[0]["url"] == "https://example.org/a"
    assert csv_row["citations_label"] == "¶3 US Embassy Tajikistan (2021-09-01); ¶4 none cited"


def test_distances_to_a_post_are_given_to_its_stated_precision(tmp_path) -> None:
    """A post placed to about 3 km gives whole km, one placed to about 30 km tens of km (DERIVED's
    hand values: 289.8, 11.09 and 55.49 km); a post stating none keeps its metres."""
    import shutil

    layers = tmp_path / "layers"
    shutil.copytree(SMALL_LAYERS, layers)
    posts = json.loads((layers / "posts.geojson").read_text(encoding="utf-8"))
    precision_m = {"ayvoj": 3000, "shaymak": 30000}
    for feature in posts["features"]:
        feature["properties"]["location_precision_m"] = precision_m[feature["properties"]["id"]]
    (layers / "posts.geojson").write_text(json.dumps(posts), encoding="utf-8")
    stated = load_joined_events(layers).set_index("id", drop=False)
    assert stated.loc["kabul-meeting", "nearest_post_km"] == 290.0
    assert stated.loc["on-frontier", "nearest_post_km"] == 11.0
    assert stated.loc["wakhan-area", "nearest_post_km"] == 60.0
    assert stated.loc["post-ayvoj", "nearest_post_km"] == 0.0
