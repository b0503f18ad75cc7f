"""The vocabularies as the map draws them: one symbol per event type, each drawn by the map's
runtime in headless Chromium and unlike every other; actor colours far enough apart to tell, also
for readers with deuteranopia where it matters most; the frontier's change levels likewise. Colour
differences are CIEDE2000 (tests/colour.py), checked first against the formula's published test data."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest
from colour import SIMULATIONS, ciede2000, lab, lab_deuteranopia, lab_seen
from conftest import CHROMIUM, ROOT
from snapshots import snapshot_of

from geo import mapview
from geo.basemaps import BASEMAP_NONE
from geo.browser import DOCUMENT_URL, HeadlessChromium
from geo.events import load_vocabulary
from geo.layers import LAYERS_DIR

MIN_ACTOR_DELTA_E = 20
# Each event type's symbol as the shipped vocabulary file names it.
VOCABULARY_FILE_TYPES = {
    term["id"]: term["symbol"]
    for term in json.loads((LAYERS_DIR / "vocabularies.json").read_text(encoding="utf-8"))["event_types"]
}

# Sharma, Wu and Dalal (2005), Table 1: pairs 1-4, 17-20 and 21.
SHARMA_PAIRS = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 2.8361, -74.0200), (50.0, 0.0, -82.7485), 3.4412),
    ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0000),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (61.0, -5.0, 29.0), 22.8977),
    ((50.0, 2.5, 0.0), (56.0, -27.0, -3.0), 31.9030),
    ((50.0, 2.5, 0.0), (58.0, 24.0, 15.0), 19.4535),
    ((84.25, 5.74, 96.0), (84.46, 8.88, 96.49), 1.6743),
]

# Actors a reader must never confuse, even without green-sensitive cones: the powers the article
# compares, and the sides of the same conflict.
KEY_PAIRS = [
    ("russia", "china"), ("russia", "united-states"), ("china", "united-states"),
    ("taliban", "nrf"), ("taliban", "isis-k"), ("nrf", "isis-k"), ("taliban", "hekmatyar"),
    ("tajik-government", "taliban"), ("tajik-government", "russia"), ("tajik-government", "china"),
    ("gbao-protesters", "tajik-government"), ("gbao-protesters", "tajik-interior-ministry"),
    ("gbao-armed-groups", "tajik-interior-ministry"), ("russia", "russia-201st"),
]


@pytest.fixture(scope="module")
def vocabulary():
    return load_vocabulary()


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA_PAIRS)
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected) -> None:
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=5e-5)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=5e-5)


def test_every_event_type_has_its_own_symbol(vocabulary) -> None:
    symbols = [term.symbol for term in vocabulary.event_types.values()]
    assert len(symbols) == 10 and len(set(symbols)) == len(symbols)


@pytest.fixture(scope="module")
def legend_symbols(tmp_path_factory) -> dict[str, dict]:
    """The map of ten shipped events, one of each event type, drawn in headless Chromium: for each
    event type's row of the legend, and for its plain-circle row ("Place known exactly"), the
    shape the row asks for and the pixels the runtime drew on its canvas. The events are the
    article's first ten, each given another type in a copy of the data directory."""
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (set PANJ_CHROMIUM)")
    layers_dir = tmp_path_factory.mktemp("one-of-each-type") / "layers"
    shutil.copytree(LAYERS_DIR, layers_dir)
    events_file = layers_dir / "events" / "edm-v19-i92.json"
    article = json.loads(events_file.read_text(encoding="utf-8"))
    type_ids = list(VOCABULARY_FILE_TYPES)
    for entry, type_id in zip(article["events"], type_ids):
        entry["event_type"] = type_id
    events_file.write_text(json.dumps(article, ensure_ascii=False), encoding="utf-8")
    snapshot = snapshot_of(layers_dir)
    shown = snapshot.events[snapshot.events["id"].isin([entry["id"] for entry in article["events"][:len(type_ids)]])]
    assert sorted(shown["event_type"]) == sorted(type_ids)
    view = mapview.MapView(visible_layers=(), basemap=BASEMAP_NONE)
    html = mapview.standalone_html(mapview.build_map(snapshot.map_layers, shown, snapshot.vocabulary, view,
                                                     data=snapshot.map_data(), basemaps=snapshot.basemaps))
    with HeadlessChromium(CHROMIUM) as chromium:
        context = chromium.document_context(html, viewport={"width": 1000, "height": 800})
        try:
            page = context.new_page()
            page.goto(DOCUMENT_URL)
            page.wait_for_function("() => Boolean(window.panjMap && window.panjMap.ready)")
            return page.evaluate(_LEGEND_CANVASES)
        finally:
            context.close()


# Each legend row's key, the shape its canvas was asked for, its image and how many of its pixels
# are painted.
_LEGEND_CANVASES = """() => {
  const rows = {};
  for (const row of document.querySelectorAll("[data-panj-legend-type], [data-panj-legend-location=exact]")) {
    const canvas = row.querySelector("canvas");
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { painted += 1; } }
    const key = row.dataset.panjLegendType || "exact";
    rows[key] = {shape: canvas.dataset.shape || null, image: canvas.toDataURL(), painted: painted};
  }
  return rows;
}"""


@pytest.mark.browser
def test_the_legend_asks_for_each_event_types_symbol(legend_symbols) -> None:
    drawn = {key: row["shape"] for key, row in legend_symbols.items() if key != "exact"}
    assert drawn == VOCABULARY_FILE_TYPES


@pytest.mark.browser
@pytest.mark.parametrize("event_type", list(VOCABULARY_FILE_TYPES))
def test_the_runtime_draws_each_symbol_the_vocabulary_uses(legend_symbols, event_type: str) -> None:
    row = legend_symbols[event_type]
    assert row["painted"] > 0
    # A shape the runtime did not know would be drawn as its default, the plain circle.
    is_circle = VOCABULARY_FILE_TYPES[event_type] == "circle"
    assert (row["image"] == legend_symbols["exact"]["image"]) == is_circle


@pytest.mark.browser
def test_no_two_event_types_look_alike(legend_symbols) -> None:
    images = [legend_symbols[event_type]["image"] for event_type in VOCABULARY_FILE_TYPES]
    assert len(set(images)) == len(images)


def test_actor_colours_are_at_least_20_apart(vocabulary) -> None:
    close = [(a.id, b.id, round(ciede2000(lab(a.colour), lab(b.colour)), 1))
             for a, b in itertools.combinations(vocabulary.actors.values(), 2)
             if ciede2000(lab(a.colour), lab(b.colour)) < MIN_ACTOR_DELTA_E]
    assert close == []


@pytest.mark.parametrize(("first", "second"), KEY_PAIRS, ids=[f"{a}-{b}" for a, b in KEY_PAIRS])
def test_key_actor_pairs_stay_apart_under_deuteranopia(vocabulary, first: str, second: str) -> None:
    colours = (vocabulary.actors[first].colour, vocabulary.actors[second].colour)
    assert ciede2000(lab_deuteranopia(colours[0]), lab_deuteranopia(colours[1])) >= MIN_ACTOR_DELTA_E


def _worst_pair(colours: dict[str, str], deficiency: str) -> tuple[float, str, str]:
    """The closest two of ``colours`` (id -> #rrggbb) as a reader with ``deficiency`` sees them."""
    return min((round(ciede2000(lab_seen(colours[a], deficiency), lab_seen(colours[b], deficiency)), 1), *sorted((a, b)))
               for a, b in itertools.combinations(colours, 2))


def _documented(deficiency: str, column: int) -> tuple[float, str, str] | None:
    """The closest pair docs/ARCHITECTURE.md ("Accessibility") states under ``deficiency``: the
    actors' (column 1) or the change levels' (column 3), with its ΔE00 in the next column."""
    for line in (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip(" `") for cell in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] == deficiency:
            first, second = sorted(cells[column].split(" and "))
            return float(cells[column + 1]), first, second
    return None


@pytest.mark.parametrize("deficiency", list(SIMULATIONS))
def test_the_documented_closest_actor_colours_under_each_simulation_are_the_vocabularys(vocabulary, deficiency) -> None:
    # The docs state the closest pair under each simulation: the reason meaning never rests on
    # colour alone. A palette change must keep that table true.
    colours = {actor.id: actor.colour for actor in vocabulary.actors.values()}
    assert _documented(deficiency, 1) == _worst_pair(colours, deficiency)


TREND_LEVELS = {level["id"]: level["colour"] for level in
                json.loads((LAYERS_DIR / "trend-levels.json").read_text(encoding="utf-8"))["levels"]}


def test_the_change_levels_are_at_least_20_apart() -> None:
    close = [(a, b) for a, b in itertools.combinations(TREND_LEVELS, 2)
             if ciede2000(lab(TREND_LEVELS[a]), lab(TREND_LEVELS[b])) < MIN_ACTOR_DELTA_E]
    assert close == []


@pytest.mark.parametrize("deficiency", list(SIMULATIONS))
def test_the_documented_closest_change_levels_under_each_simulation_are_the_files(deficiency) -> None:
    assert _documented(deficiency, 3) == _worst_pair(TREND_LEVELS, deficiency)
