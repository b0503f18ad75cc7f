"""A figure's legend never drops an item silently (issue 20 §3): with 30 imported actors drawn, every
legend row lies wholly inside the legend's part of the panel and clear of the locator, and the
actor rows it does not list are counted in the figure ("and N more actors"), at the default size and
at the smallest preset; the actors left grey (geo.colours) are one row, "Other actors". The boxes are read from the page before capture (geo/web/figure.js).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest

from geo import export, figure
from geo.cli import main
from geo.filters import FilterState, apply_filters
from geo.layers import LAYERS_DIR
from geo.mapview import MapView
from geo.snapshot import Snapshot, read_snapshot

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not (LAYERS_DIR / "manifest.json").exists(), reason="the derived layers are not built yet")]

ACTORS = 30
# One protest per actor in a line across GBAO (inside the default figure's frame), each actor a
# name no row of layers/import-acled.json maps: the dataset's own actor.
ACTOR_NAMES = [f"Protesters of village number {number:02d} (Tajikistan)" for number in range(1, ACTORS + 1)]
ACLED_COLUMNS = ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
                 "latitude", "longitude", "geo_precision", "source", "notes")
MORE = re.compile(r"^and (\d+) more actors?$")
OTHER_ROW = "Other actors"  # geo.mapview.legend_items' one row of the imported actors left grey
SYMBOL_CLEARANCE = 15  # px: the widest event symbol's radius (a group of 100 or more)
# The default size, the smallest preset's layout (877x620 CSS px), and a portrait page whose panel
# runs under the map.
SIZES = {"slides": export.PRESETS["slides"], "a4": export.PRESETS["a4"], "portrait": export.ExportSize(1240, 1754, 2.0)}


def _write_acled(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(ACLED_COLUMNS)
        for number, name in enumerate(ACTOR_NAMES):
            writer.writerow([f"TJK9{number:02d}", "2022-05-18", 1, "Protests", "Peaceful protest", name,
                             f"{37.2 + 0.05 * number:.4f}", f"{71.0 + 0.06 * number:.4f}", 1, "Asia-Plus",
                             f"Residents of village {number + 1} gathered."])


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    folder = tmp_path_factory.mktemp("thirty-actors")
    _write_acled(folder / "acled.csv")
    with pytest.MonkeyPatch.context() as patch:  # a store of its own, holding the import
        patch.setenv("PANJ_DATA_DIR", str(folder / "store"))
        assert main(["import", str(folder / "acled.csv"), "--name", "Thirty actors", "--licence", "test terms"]) == 0
        return read_snapshot(LAYERS_DIR)


@pytest.fixture(scope="module")
def renderer():
    with export.Renderer(tile_timeout_s=10) as shared:
        yield shared


def _inside(inner: dict, outer: dict, margin: float = 0.5) -> bool:
    return (inner["left"] >= outer["left"] - margin and inner["top"] >= outer["top"] - margin
            and inner["right"] <= outer["right"] + margin and inner["bottom"] <= outer["bottom"] + margin)


def _overlap(one: dict, other: dict, margin: float = 0.5) -> bool:
    return (one["left"] < other["right"] - margin and other["left"] < one["right"] - margin
            and one["top"] < other["bottom"] - margin and other["top"] < one["bottom"] - margin)


def _actors_in_frame(data: Snapshot, shown, bounds: list[float]) -> set[str]:
    """The names of the actors of the events whose symbols lie inside the figure's extent."""
    west, south, east, north = bounds
    lons, lats = data.symbol_points_of(shown)
    inside = shown[(lons >= west) & (lons <= east) & (lats >= south) & (lats <= north)]
    return {data.vocabulary.actors[actor].name for actors in inside["actors"] for actor in actors}


@pytest.mark.parametrize("size_name", list(SIZES))
def test_thirty_actors_are_all_listed_or_counted(data: Snapshot, renderer, tmp_path: Path, size_name: str) -> None:
    shown = apply_filters(data.events, FilterState())
    view = MapView(visible_layers=tuple(i for i, layer in data.layers.items() if layer.spec.visible), basemap="none")
    result = export.export_view(
        tmp_path / f"{size_name}.png", snapshot=data, shown=shown, view=view, title=figure.DEFAULT_TITLE,
        size=SIZES[size_name], renderer=renderer, exported_on=dt.date(2022, 7, 1),
    )
    boxes = result.layout
    assert boxes["legendFits"] and not result.warnings
    drawn = _actors_in_frame(data, shown, boxes["bounds"])
    assert set(ACTOR_NAMES) <= drawn  # the import is inside the frame

    items = boxes["legendItems"]
    assert items
    for item in items:
        assert _inside(item["box"], boxes["legendSlot"]), f"{item['text']!r} leaves the legend's part of the panel"
        assert _inside(item["box"], boxes["panel"]) and _inside(item["box"], boxes["figure"]), item["text"]
        assert not _overlap(item["box"], boxes["locator"]), f"{item['text']!r} is under the locator"
    for part in ("sources", "locator"):
        assert _inside(boxes[part], boxes["figure"]), f"the {part} leaves the figure"
    assert _inside(boxes["sources"], boxes["panel"]), "the sources line leaves the panel"
    if _overlap(boxes["locator"], boxes["frame"]):  # moved onto the map: inside it, off every symbol
        assert _inside(boxes["locator"], boxes["frame"])
        for event in boxes["events"]:
            symbol = {"left": event["x"] - SYMBOL_CLEARANCE, "right": event["x"] + SYMBOL_CLEARANCE,
                      "top": event["y"] - SYMBOL_CLEARANCE, "bottom": event["y"] + SYMBOL_CLEARANCE}
            assert not _overlap(boxes["locator"], symbol), f"the locator is on an event at {event}"

    # The actors left grey (geo.colours: the palette runs out long before thirty) share one row.
    grey = {data.vocabulary.actors[actor].name for actor in data.vocabulary.others}
    assert set(ACTOR_NAMES) & grey
    rows = (drawn - grey) | {OTHER_ROW}
    texts = [item["text"] for item in items]
    listed = [text for text in texts if text in rows]
    counted = [int(found.group(1)) for found in map(MORE.match, texts) if found]
    assert len(listed) == len(set(listed))
    assert len(counted) <= 1
    assert len(listed) + sum(counted) == len(rows), (listed, counted, sorted(rows))
