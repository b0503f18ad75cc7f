"""layers/scenes.schema.json: the shape of scenes.json for editors; the shipped file follows it.

geo/scenes.py stays the validator that counts (it also checks ids against the loaded data); the
schema must accept what it accepts and reject the shape errors it rejects.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from geo.layers import LAYERS_DIR

FIXTURES = Path(__file__).parent / "fixtures" / "scenes"
SCHEMA = json.loads((LAYERS_DIR / "scenes.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)


def test_schema_is_a_valid_json_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)


def test_shipped_scenes_follow_the_schema() -> None:
    scenes = json.loads((LAYERS_DIR / "scenes.json").read_text(encoding="utf-8"))
    assert [error.message for error in VALIDATOR.iter_errors(scenes)] == []


@pytest.mark.parametrize("case", ["missing-title", "negative-buffer", "many-problems"])
def test_schema_rejects_the_shape_errors_the_loader_rejects(case: str) -> None:
    scenes = json.loads((FIXTURES / case / "scenes.json").read_text(encoding="utf-8"))
    assert list(VALIDATOR.iter_errors(scenes)), f"{case} should not follow the schema"


@pytest.mark.parametrize("play", [
    {"from": "2021-08", "to": "2022-06", "step": "fortnight"},
    {"from": "2021-08", "step": "month"},
    {"from": "August 2021", "to": "2022-06", "step": "month"},
    {"from": "2021-08", "to": "2022-06", "step": "month", "mode": "all"},
    {"from": "2021-08", "to": "2022-06", "step": "month", "speed": 2},
])
def test_schema_rejects_the_playback_shapes_the_loader_rejects(play: dict) -> None:
    scene = {"id": "plays", "title": "Plays", "caption": "Month by month.", "layers": ["countries"],
             "extent": [67, 36, 75, 39], "play": play}
    assert list(VALIDATOR.iter_errors({"scenes": [scene]}))
