"""geo.basemaps.load_basemaps: the basemap choices, and every problem of a bad basemaps.json at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.basemaps import BASEMAP_NONE, BasemapsError, load_basemaps

NONE_ENTRY = {"id": "none", "title": "None", "provider": None}


def write_basemaps(tmp_path: Path, content: object) -> Path:
    (tmp_path / "basemaps.json").write_text(json.dumps(content), encoding="utf-8")
    return tmp_path


def test_shipped_basemaps_start_with_no_tiles_and_name_their_providers() -> None:
    basemaps = load_basemaps()
    assert next(iter(basemaps)) == BASEMAP_NONE and basemaps[BASEMAP_NONE].url is None
    street = basemaps["street"]
    assert street.url.startswith("https://") and "OpenStreetMap" in street.attribution and street.max_zoom >= 18


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"basemaps": [', r"basemaps\.json: file: invalid JSON at line 1"),
        ('{"tiles": []}', r'basemaps\.json: file: expected an object with exactly a "basemaps" list'),
        ('{"basemaps": []}', r"basemaps\.json: file, field 'basemaps': a basemap 'none' \(no tiles\) is required"),
    ],
)
def test_unusable_file_is_named(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "basemaps.json").write_text(content, encoding="utf-8")
    with pytest.raises(BasemapsError, match=message):
        load_basemaps(tmp_path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(BasemapsError, match=r"basemaps\.json: file: file not found"):
        load_basemaps(tmp_path)


def test_every_problem_of_every_entry_is_reported_at_once(tmp_path: Path) -> None:
    write_basemaps(tmp_path, {"basemaps": [
        NONE_ENTRY,
        "street",                                                      # not an object
        {"id": "street", "title": "Street"},                           # no provider
        {"id": "x", "title": "X", "provider": "No.Such", "zoom": 3},   # unknown provider, unknown field
        {"id": "Terrain", "title": " ", "provider": 7},                # bad id, title and provider
        {"id": "none", "title": "Again", "provider": None},            # duplicate id
    ]})
    with pytest.raises(BasemapsError) as error:
        load_basemaps(tmp_path)
    path = tmp_path / "basemaps.json"
    assert [(p.file, p.item, p.field) for p in error.value.problems] == [
        (path, "basemap #2", None),
        (path, "basemap 'street'", "provider"),
        (path, "basemap 'x'", "zoom"),
        (path, "basemap 'x'", "provider"),
        (path, "basemap 'Terrain'", "id"),
        (path, "basemap 'Terrain'", "title"),
        (path, "basemap 'Terrain'", "provider"),
        (path, "basemap 'none'", "id"),
    ]
    message = str(error.value)
    assert message.startswith("8 problems in the basemaps:\n")
    assert f"{path}: basemap 'x', field 'provider': unknown xyzservices provider 'No.Such'" in message
    assert f"{path}: basemap 'street', field 'provider': missing required field" in message


def test_basemaps_error_is_still_a_value_error() -> None:
    """Callers that catch ValueError (the export command, the benchmark) keep working."""
    assert issubclass(BasemapsError, ValueError)
