"""The vocabularies as the map draws them: one symbol per event type, actor colours far enough
apart to tell, also for readers with deuteranopia where it matters most. Colour differences are
CIEDE2000 (tests/colour.py), checked first against the formula's published test data."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from colour import ciede2000, lab, lab_deuteranopia

from geo.events import SYMBOLS, load_vocabulary

RUNTIME = Path(__file__).resolve().parent.parent / "geo" / "web" / "panj-map.js"
MIN_ACTOR_DELTA_E = 20

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


def test_the_runtime_draws_every_symbol() -> None:
    source = RUNTIME.read_text(encoding="utf-8")
    trace = source[source.index("function tracePath"):source.index("var Symbol_")]
    drawn = set(re.findall(r'case "([a-z-]+)":', trace)) | {"circle"}  # the circle is the default
    assert drawn == set(SYMBOLS)


def test_actor_colours_are_at_least_20_apart(vocabulary) -> None:
    close = [(a.id, b.id, round(ciede2000(lab(a.colour), lab(b.colour)), 1))
             for a, b in itertools.combinations(vocabulary.actors.values(), 2)
             if ciede2000(lab(a.colour), lab(b.colour)) < MIN_ACTOR_DELTA_E]
    assert close == []


@pytest.mark.parametrize(("first", "second"), KEY_PAIRS, ids=[f"{a}-{b}" for a, b in KEY_PAIRS])
def test_key_actor_pairs_stay_apart_under_deuteranopia(vocabulary, first: str, second: str) -> None:
    colours = (vocabulary.actors[first].colour, vocabulary.actors[second].colour)
    assert ciede2000(lab_deuteranopia(colours[0]), lab_deuteranopia(colours[1])) >= MIN_ACTOR_DELTA_E
