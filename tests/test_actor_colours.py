"""geo.colours: the actors of imported datasets told apart by colour.

Colour differences in the expectations are computed by tests/colour.py, an implementation of
CIEDE2000 of the tests' own, checked (like geo.colours') against Sharma, Wu and Dalal's published
test data. Stores are real SQLite files, imported from tests/fixtures/imports/."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest
import streamlit as st
from colour import ciede2000, lab as lab_expected
from conftest import CHROMIUM, notices, run_page
from test_vocabulary import SHARMA_PAIRS

from geo import colours, mapview
from geo.basemaps import BASEMAP_NONE
from geo.browser import DOCUMENT_URL, HeadlessChromium
from geo.cli import main
from geo.events import Term, Vocabulary, load_vocabulary
from geo.importers import read_file
from geo.layers import LAYERS_DIR
from geo.snapshot import DataError, build_snapshot
from geo.store import open_store

IMPORTS = Path(__file__).parent / "fixtures" / "imports"
GREY = "#8c8c8c"  # layers/import-acled.json's imported_actor colour
# Two datasets named so their ids are known: the colour files are named by them.
DATASETS = (("acled.csv", "ACLED sample", "acled-sample"), ("events.geojson", "Field notes", "field-notes"))
# The actors of the two fixtures no pattern of layers/import-acled.json maps to the vocabulary
# (read off the files: acled.csv's actor columns, events.geojson's "actors").
OWN_ACTORS = {
    "ACLED sample": {"Civilians (Afghanistan)", "Pamiri Ethnic Group (Tajikistan)", "Protesters (Tajikistan)",
                     "Teachers (Afghanistan)", "Unidentified Armed Group (Tajikistan)", "Women (Afghanistan)"},
    "Field notes": {"Border Troops of Tajikistan"},
}

# sRGB -> CIELAB (D65) of the primaries and white, as Bruce Lindbloom's calculator gives them
# (brucelindbloom.com, sRGB, D65, no adaptation).
SRGB_LAB = [
    ("#ffffff", (100.0, 0.0, 0.0)),
    ("#ff0000", (53.2408, 80.0925, 67.2032)),
    ("#00ff00", (87.7347, -86.1827, 83.1793)),
    ("#0000ff", (32.2970, 79.1875, -107.8602)),
]


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA_PAIRS)
def test_delta_e_matches_the_published_test_data(lab1, lab2, expected) -> None:
    assert colours.delta_e(lab1, lab2) == pytest.approx(expected, abs=5e-5)
    assert colours.delta_e(lab2, lab1) == pytest.approx(expected, abs=5e-5)


@pytest.mark.parametrize(("hex_colour", "expected"), SRGB_LAB)
def test_lab_matches_published_srgb_values(hex_colour: str, expected: tuple[float, float, float]) -> None:
    assert colours.lab(hex_colour) == pytest.approx(expected, abs=0.02)


def _apart(first: str, second: str) -> float:
    return ciede2000(lab_expected(first), lab_expected(second))


@pytest.fixture
def store(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}") as opened:
        for fixture, name, _ in DATASETS:
            reading = read_file(IMPORTS / fixture, dataset_name=name, existing=opened.existing())
            opened.import_dataset(name, reading, source_file=fixture, licence="", by="tests")
        yield opened


def _layers_with(tmp_path: Path, *, palette: list[str] | None = None, named: dict[str, object] | None = None) -> Path:
    """A copy of the shipped data directory with another palette and colour files."""
    folder = tmp_path / "layers"
    shutil.copytree(LAYERS_DIR, folder)
    if palette is not None:
        (folder / colours.PALETTE_NAME).write_text(json.dumps({"colours": palette}), encoding="utf-8")
    for dataset_id, content in (named or {}).items():
        (folder / colours.NAMED_DIR_NAME).mkdir(exist_ok=True)
        text = content if isinstance(content, str) else json.dumps(content)
        (folder / colours.NAMED_DIR_NAME / f"{dataset_id}.json").write_text(text, encoding="utf-8")
    return folder


def _own(snapshot) -> dict[str, Term]:
    """The imported datasets' own actors of a snapshot, by name."""
    shipped = load_vocabulary().actors
    return {term.name: term for term_id, term in snapshot.vocabulary.actors.items() if term_id not in shipped}


def test_two_datasets_actors_get_colours_apart_from_each_other_and_the_articles(store) -> None:
    snapshot = build_snapshot(LAYERS_DIR, store)
    own = _own(snapshot)
    assert set(own) == OWN_ACTORS["ACLED sample"] | OWN_ACTORS["Field notes"]
    coloured = [term.colour for term in own.values() if term.id not in snapshot.vocabulary.others]
    # Both datasets have actors of a colour of their own.
    for name in OWN_ACTORS:
        assert any(own[actor].id not in snapshot.vocabulary.others for actor in OWN_ACTORS[name])
    article = [term.colour for term in load_vocabulary().actors.values()]
    close = [(first, second, round(_apart(first, second), 1))
             for first, second in itertools.combinations(coloured, 2) if _apart(first, second) < 20]
    close += [(first, second, round(_apart(first, second), 1))
              for first in coloured for second in [*article, GREY] if _apart(first, second) < 20]
    assert close == []
    assert all(own[actor].colour == GREY for actor in own if own[actor].id in snapshot.vocabulary.others)
    assert snapshot.colour_problems == ()


def test_the_same_data_gives_the_same_colours(store, tmp_path) -> None:
    first = {term.name: term.colour for term in _own(build_snapshot(LAYERS_DIR, store)).values()}
    with open_store(f"sqlite:///{tmp_path / 'again.sqlite3'}") as again:
        for fixture, name, _ in DATASETS:
            again.import_dataset(name, read_file(IMPORTS / fixture, dataset_name=name, existing=again.existing()),
                                 source_file=fixture, licence="", by="tests")
        second = {term.name: term.colour for term in _own(build_snapshot(LAYERS_DIR, again)).values()}
    assert first == second
    assert first == {term.name: term.colour for term in _own(build_snapshot(LAYERS_DIR, store)).values()}


def test_most_frequent_actors_come_first_one_dataset_at_a_time() -> None:
    vocabulary = Vocabulary({"black": Term("black", "Black", "#000000", "circle")}, {})
    own = {
        "a": {"a-1": Term("a-1", "A one", GREY, "circle"), "a-2": Term("a-2", "A two", GREY, "circle"),
              "a-3": Term("a-3", "A three", GREY, "circle")},
        "b": {"b-1": Term("b-1", "B one", GREY, "circle")},
    }
    events = [("a-2",), ("a-2", "black"), ("a-2",), ("a-1",), ("a-3", "a-1"), ("b-1",)]
    # #0a0a0a is too close to the vocabulary's black, #fe0000 to the red taken before it.
    palette = ("#0a0a0a", "#ff0000", "#0000ff", "#fe0000", "#00ff00")
    result = colours.colour_actors(vocabulary, own, events, palette=palette, layers_dir=Path("/nonexistent"))
    drawn = {term_id: term.colour for term_id, term in result.vocabulary.actors.items()}
    # Round one: a's most frequent (a-2, three events), then b's; round two: a's next (a-1 before
    # a-3, two events to one); a-3 finds no candidate left.
    assert drawn == {"black": "#000000", "a-1": "#00ff00", "a-2": "#ff0000", "a-3": GREY, "b-1": "#0000ff"}
    assert result.vocabulary.others == frozenset({"a-3"})


def test_named_colours_are_honoured_and_bad_entries_reported(store, tmp_path) -> None:
    layers_dir = _layers_with(tmp_path, named={
        "acled-sample": {"actors": {
            "Protesters (Tajikistan)": "#00ee22",
            "acled-sample-women-afghanistan": "#aaaaff",
            "Teachers (Afghanistan)": "#020202",  # the vocabulary's Taliban are #000000
            "Nobody (Nowhere)": "#123456",
            "Civilians (Afghanistan)": "red",
            "acled-sample-protesters-tajikistan": "#4363d8",
        }, "colour": "#ffffff"},
        "field-notes": "{not json",
    })
    # The two good colours are 20 apart from the article's actors, the grey and each other.
    article = [term.colour for term in load_vocabulary().actors.values()]
    assert min(_apart(named, other) for named in ("#00ee22", "#aaaaff") for other in [*article, GREY]) >= 20
    assert _apart("#00ee22", "#aaaaff") >= 20
    snapshot = build_snapshot(layers_dir, store)
    own = _own(snapshot)
    assert own["Protesters (Tajikistan)"].colour == "#00ee22"
    assert own["Women (Afghanistan)"].colour == "#aaaaff"
    assert own["Teachers (Afghanistan)"].colour == "#020202"  # too close, kept as named
    assert own["Civilians (Afghanistan)"].colour != "red"
    path = layers_dir / "actor-colours"
    expected = [
        f"{path / 'acled-sample.json'}: file, field 'colour': unknown field",
        f"{path / 'acled-sample.json'}: actor 'Nobody (Nowhere)': dataset 'acled-sample' has no actor of its own "
        "by this name or id",
        f"{path / 'acled-sample.json'}: actor 'Civilians (Afghanistan)', field 'colour': 'red' is not a hex colour "
        "like #1f77b4",
        f"{path / 'acled-sample.json'}: actor 'acled-sample-protesters-tajikistan': names the same actor as "
        "'Protesters (Tajikistan)'",
        f"{path / 'field-notes.json'}: file: invalid JSON at line 1 column 2: Expecting property name enclosed "
        "in double quotes",
    ]
    for line in expected:
        assert line in snapshot.colour_problems
    warnings = [line for line in snapshot.colour_problems if "warning" in line]
    assert len(warnings) == 1 and "actor 'Teachers (Afghanistan)', field 'colour'" in warnings[0]
    assert "'taliban'" in warnings[0]
    assert len(snapshot.colour_problems) == len(expected) + 1


def test_a_bad_palette_stops_the_data_directory_with_every_problem(store, tmp_path) -> None:
    layers_dir = _layers_with(tmp_path, palette=["#00ee22", "green", "#00EE22"])
    with pytest.raises(DataError) as raised:
        build_snapshot(layers_dir, store)
    path = layers_dir / colours.PALETTE_NAME
    assert raised.value.problems == [f"{path}: colour #2: 'green' is not a hex colour like #1f77b4",
                                     f"{path}: colour #3: #00EE22 is listed twice"]


def test_the_legend_lists_coloured_actors_and_one_other_actors_row(store, tmp_path) -> None:
    # Two candidates only: the two datasets' most frequent actors take them, the rest stay grey.
    snapshot = build_snapshot(_layers_with(tmp_path, palette=["#00ee22", "#aaaaff"]), store)
    own = _own(snapshot)
    coloured = {name for name, term in own.items() if term.colour != GREY}
    assert len(coloured) == 2 and "Border Troops of Tajikistan" in coloured
    rows = [item for item in mapview.legend_items(snapshot.layers, snapshot.vocabulary, events=snapshot.events)
            if item.section == "Actors"]
    labels = [row.label for row in rows]
    assert labels.count("Other actors") == 1
    assert coloured <= set(labels)
    assert not (set(own) - coloured) & set(labels)
    other = next(row for row in rows if row.label == "Other actors")
    assert (other.key, other.fill) == (mapview.OTHER_ACTORS, GREY)


def test_no_other_actors_row_when_every_actor_is_coloured(store) -> None:
    snapshot = build_snapshot(LAYERS_DIR, store)
    labels = [item.label for item in mapview.legend_items(snapshot.layers, snapshot.vocabulary,
                                                          events=snapshot.events)]
    assert snapshot.vocabulary.others == frozenset()
    assert "Other actors" not in labels


def test_the_datasets_panel_lists_the_colour_files_problems(tmp_path, monkeypatch) -> None:
    layers_dir = _layers_with(tmp_path, named={"acled-sample": {"actors": {"Nobody (Nowhere)": "#123456"}}})
    assert main(["import", str(IMPORTS / "acled.csv"), "--name", "ACLED sample", "--layers-dir", str(layers_dir)]) == 0
    monkeypatch.setenv("PANJ_LAYERS_DIR", str(layers_dir))
    st.cache_resource.clear()
    shown = notices(run_page())
    path = layers_dir / colours.NAMED_DIR_NAME / "acled-sample.json"
    assert (f"Actor colours: {path}: actor 'Nobody (Nowhere)': dataset 'acled-sample' has no actor of its own by "
            "this name or id") in shown


# Whether the page's legend shows its "Other actors" row, as the map's runtime left it.
_OTHER_ROW_SHOWN = """() => {
  const row = document.querySelector('[data-panj-legend-actor="' + CSS.escape(OTHER) + '"]');
  return row === null ? null : !row.hidden;
}"""


@pytest.mark.browser
def test_the_page_shows_the_other_actors_row_only_with_a_grey_actor_drawn(store, tmp_path, static_dir) -> None:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (set PANJ_CHROMIUM)")
    snapshot = build_snapshot(_layers_with(tmp_path, palette=["#00ee22", "#aaaaff"]), store)
    others = snapshot.vocabulary.others
    grey = snapshot.events["actors"].map(lambda actors: any(actor in others for actor in actors)).astype(bool)
    assert grey.any() and not grey.all()
    view = mapview.MapView(visible_layers=(), basemap=BASEMAP_NONE)
    seen = {}
    with HeadlessChromium(CHROMIUM) as chromium:
        for label, shown in (("all", snapshot.events), ("coloured only", snapshot.events[~grey.to_numpy()])):
            # The page's way: the legend lists every actor, the runtime hides those not drawn.
            fmap = mapview.build_base_map(snapshot.map_layers, snapshot.vocabulary, basemaps=snapshot.basemaps,
                                          data=snapshot.map_data())
            mapview.events_overlay(shown, snapshot.vocabulary, snapshot.map_layers, view,
                                   data=snapshot.map_data()).add_to(fmap)
            context = chromium.document_context(mapview.standalone_html(fmap), viewport={"width": 1000, "height": 800})
            try:
                page = context.new_page()
                page.goto(DOCUMENT_URL)
                page.wait_for_function("() => Boolean(window.panjMap && window.panjMap.ready)")
                seen[label] = page.evaluate(_OTHER_ROW_SHOWN.replace("OTHER", json.dumps(mapview.OTHER_ACTORS)))
            finally:
                context.close()
    assert seen == {"all": True, "coloured only": False}
