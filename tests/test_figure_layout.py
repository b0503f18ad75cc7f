"""geo/layout.py and the exported figure checked as a reader would (issue 12 §3): element boxes read
from the page before capture, exact pixel sizes, PDF and SVG files that open.

The layout tests need no browser; the figure tests drive Debian's Chromium and poppler-utils.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from snapshots import snapshot_of

from geo import export, figure, layout
from geo.filters import FilterState, apply_filters
from geo.mapview import MapView
from geo.snapshot import Snapshot

# The shipped events' source as the figure credits it (its citation: tests/test_events.py).
ARTICLE_CITATION = "Jamestown Foundation – Eurasia Daily Monitor, vol. 19, no. 92 (June 2022)"
GBAO_BBOX = (70.5, 36.6, 75.2, 39.5)
SYMBOL_CLEARANCE = 15  # px: the widest event symbol's radius (a group of 100 or more)


# --- the layout, no browser ----------------------------------------------------------------------

@pytest.mark.parametrize(("width", "height", "side"), [(1280, 720, "right"), (877, 620, "right"), (620, 877, "bottom"),
                                                       (800, 800, "bottom")])
def test_panel_side_follows_the_aspect_ratio(width: int, height: int, side: str) -> None:
    page = layout.figure_layout(width, height, subtitle="All 29 events")
    assert page.panel_side == side
    parts = [page.title, page.frame, page.panel]
    for part in parts:  # inside the figure
        assert part.left >= 0 and part.top >= 0 and part.right <= width and part.bottom <= height
    for i, one in enumerate(parts):  # and apart
        for other in parts[i + 1:]:
            assert (one.right <= other.left or other.right <= one.left
                    or one.bottom <= other.top or other.bottom <= one.top)
    assert all(float(v).is_integer() for v in (page.frame.left, page.frame.top, page.frame.width, page.frame.height))


def test_a_caption_sits_under_the_map() -> None:
    page = layout.figure_layout(1280, 720, subtitle="S", caption="A scene's caption " * 8)
    assert page.caption is not None and page.caption.top >= page.frame.bottom
    assert page.caption.left == pytest.approx(page.frame.left, abs=1)


def test_points_are_true_points_on_a4_and_scale_with_the_figure() -> None:
    a4_pt = layout.points_to_css(*layout.paper_css("a4", "landscape"))
    assert a4_pt == pytest.approx(96 / 72, rel=0.002)
    # A4 at 300 dpi (3508x2480 at scale 4): 7 pt is at least 7/72 inch at 300 dpi.
    size = export.PRESETS["a4"]
    pt = layout.points_to_css(*size.css)
    assert layout.MIN_TEXT_PT * pt * size.scale >= 7 / 72 * 300 - 0.5
    # The map's event symbol, 12 CSS px across (geo/web/panj-map.js), is at least 2.5 mm on paper.
    assert 12 * size.scale / 300 * 25.4 >= 2.5


@pytest.mark.parametrize(("width", "height", "wanted", "scale"),
                         [(1920, 1080, 1.5, 1.5), (1600, 1000, 1.5, 200 / 133), (1601, 1000, 1.5, 1.0),
                          (3508, 2480, 3.125, 4.0)])
def test_dividing_scale(width: int, height: int, wanted: float, scale: float) -> None:
    assert layout.dividing_scale(width, height, wanted) == pytest.approx(scale)
    assert layout.divides(width, height, layout.dividing_scale(width, height, wanted))


@pytest.mark.parametrize(("paper", "orientation", "pixels"),
                         [("a4", "landscape", (3508, 2480)), ("a4", "portrait", (2480, 3508)),
                          ("letter", "landscape", (3300, 2550)), ("a3", "landscape", (4960, 3508))])
def test_paper_pixels_at_300_dpi(paper: str, orientation: str, pixels: tuple[int, int]) -> None:
    size, _ = export.paper_png(paper, orientation, 300)
    assert (size.width, size.height) == pixels  # A3 gives up one pixel (0.08 mm) for scale 4
    assert size.dpi == 300 and layout.divides(size.width, size.height, size.scale)


def test_fitted_bounds_grow_the_short_side_about_the_centre() -> None:
    west, south, east, north = layout.fitted_bounds((70.0, 37.0, 72.0, 38.0), 1000, 1000)
    assert (west, east) == pytest.approx((70.0, 72.0))  # the wide side fits
    assert south < 37.0 and north > 38.0


# --- the figure, in the browser ------------------------------------------------------------------

@pytest.fixture(scope="module")
def data() -> Snapshot:
    return snapshot_of()


@pytest.fixture(scope="module")
def renderer():
    with export.Renderer(tile_timeout_s=10) as shared:
        yield shared


def _figure(data: Snapshot, renderer, path: Path, size: export.ExportSize, *, bounds=None,
            state: FilterState | None = None, output: str = "png", locator: bool = True) -> export.ExportResult:
    events, vocabulary = data.events, data.vocabulary
    state = state or FilterState()
    shown = apply_filters(events, state)
    view = MapView(visible_layers=tuple(i for i, layer in data.layers.items() if layer.spec.visible), basemap="none",
                   bounds=bounds)
    return export.export_view(
        path, snapshot=data, shown=shown, view=view, title=figure.DEFAULT_TITLE, size=size,
        renderer=renderer, description=figure.describe_shown(state, events, vocabulary, None, shown),
        exported_on=dt.date(2022, 7, 1), output=output, locator=locator,
    )


def _overlap(one: dict, other: dict, margin: float = 0.5) -> bool:
    return (one["left"] < other["right"] - margin and other["left"] < one["right"] - margin
            and one["top"] < other["bottom"] - margin and other["top"] < one["bottom"] - margin)


def _inside(inner: dict, outer: dict, margin: float = 0.5) -> bool:
    return (inner["left"] >= outer["left"] - margin and inner["top"] >= outer["top"] - margin
            and inner["right"] <= outer["right"] + margin and inner["bottom"] <= outer["bottom"] + margin)


def _check_reads_as_a_figure(boxes: dict) -> None:
    frame = boxes["frame"]
    for part in ("title", "legend", "sources", "locator"):
        assert boxes[part] is not None, part
        assert not _overlap(boxes[part], frame), f"{part} overlaps the map frame"
        assert _inside(boxes[part], boxes["figure"]), f"{part} leaves the figure"
    assert _inside(boxes["legend"], boxes["legendSlot"]) and boxes["legendFits"]
    assert boxes["labels"], "no names drawn"
    for label in boxes["labels"]:
        assert _inside(label["box"], frame), f"{label['text']!r} is cut at the frame's edge"
    for part in ("scaleBar", "northArrow"):
        furniture = boxes[part]
        for label in boxes["labels"]:
            assert not _overlap(furniture, label["box"]), f"{part} is on {label['text']!r}"
        for event in boxes["events"]:
            symbol = {"left": event["x"] - SYMBOL_CLEARANCE, "right": event["x"] + SYMBOL_CLEARANCE,
                      "top": event["y"] - SYMBOL_CLEARANCE, "bottom": event["y"] + SYMBOL_CLEARANCE}
            assert not _overlap(furniture, symbol), f"{part} is on an event at {event}"


@pytest.mark.browser
@pytest.mark.parametrize("preset", list(export.PRESETS))
def test_presets_read_as_figures(data, renderer, preset: str, tmp_path: Path) -> None:
    size = export.PRESETS[preset]
    result = _figure(data, renderer, tmp_path / f"{preset}.png", size)
    assert (result.width, result.height) == (size.width, size.height)
    assert export.png_size(result.path.read_bytes()) == (size.width, size.height)
    _check_reads_as_a_figure(result.layout)
    assert "All 29 events" in result.layout["sourcesText"] or result.layout["sourcesText"].startswith("Map data")
    assert f"Events: {ARTICLE_CITATION}" in result.layout["sourcesText"]


@pytest.mark.browser
def test_gbao_view_at_1600_by_1000(data, renderer, tmp_path: Path) -> None:
    size, note = export.sized(1600, 1000, 1.5)
    assert note is not None and "1.504" in note
    state = FilterState(regions=frozenset({"gbao"}))
    result = _figure(data, renderer, tmp_path / "gbao.png", size, bounds=GBAO_BBOX, state=state)
    assert export.png_size(result.path.read_bytes()) == (1600, 1000)
    _check_reads_as_a_figure(result.layout)
    # The extent Leaflet fitted is the one the legend and locator were computed for (to a pixel).
    frame = result.layout["frame"]
    expected = layout.fitted_bounds(GBAO_BBOX, round(frame["right"] - frame["left"]), round(frame["bottom"] - frame["top"]))
    assert result.layout["bounds"] == pytest.approx(list(expected), abs=0.005)
    assert "Taliban (Islamic Emirate)" not in result.layout["legendRows"]  # no Taliban event in GBAO


@pytest.mark.browser
def test_no_locator(data, renderer, tmp_path: Path) -> None:
    result = _figure(data, renderer, tmp_path / "plain.png", export.PRESETS["slides"], locator=False)
    assert result.layout["locator"] is None


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


@pytest.mark.browser
@needs_poppler
def test_pdf_is_one_vector_page_of_the_paper(data, renderer, tmp_path: Path) -> None:
    result = _figure(data, renderer, tmp_path / "figure.pdf", export.paper_page("a4", "landscape"), output="pdf")
    info = subprocess.run(["pdfinfo", str(result.path)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info
    assert "841.92 x 595.92 pts (A4)" in info
    text = subprocess.run(["pdftotext", str(result.path), "-"], capture_output=True, text=True, check=True).stdout
    assert figure.DEFAULT_TITLE in text and "Exported 2022-07-01 with Panj" in text
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(result.path), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").exists()
    assert result.layout["eventsRasterised"] == {"events": 0, "symbols": 0} and result.warnings == ()
    _check_reads_as_a_figure(result.layout)


SVG = "{http://www.w3.org/2000/svg}"
PT_PER_CSS_PX = 72 / 96  # Chromium prints 96 CSS pixels to the inch


def _pdf_images(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every image `pdfimages -list` finds in the PDF."""
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    images = []
    for row in listing.splitlines()[2:]:
        cells = row.split()
        width, height, x_ppi, y_ppi = int(cells[3]), int(cells[4]), float(cells[12]), float(cells[13])
        images.append((width / x_ppi * 72, height / y_ppi * 72))
    return images


def _frame_pt(boxes: dict) -> tuple[float, float, float, float]:
    frame = boxes["frame"]
    return tuple(frame[side] * PT_PER_CSS_PX for side in ("left", "top", "right", "bottom"))


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _paths_in(root: ElementTree.Element, paint: str, colour: str, box: tuple[float, float, float, float]) -> list:
    """The SVG's paths painted (`paint` "fill" or "stroke") in the #rrggbb `colour`, as pdftocairo
    writes it (rgb(r%,g%,b%)), with a point inside `box` (points)."""
    left, top, right, bottom = box
    wanted, found = _rgb(colour), []
    for path in root.iter(f"{SVG}path"):
        match = re.search(rf"(?:^|;)\s*{paint}:rgb\(([\d.]+)%,([\d.]+)%,([\d.]+)%\)", path.get("style") or "")
        if match is None or any(abs(float(p) * 2.55 - w) > 1 for p, w in zip(match.groups(), wanted)):
            continue
        numbers = [float(n) for n in re.findall(r"-?[\d.]+", path.get("d") or "")]
        a, b, c, d, e, f = [float(n) for n in re.findall(r"-?[\d.]+", path.get("transform") or "")] or [1, 0, 0, 1, 0, 0]
        if any(left <= a * x + c * y + e <= right and top <= b * x + d * y + f <= bottom
               for x, y in zip(numbers[::2], numbers[1::2])):
            found.append(path)
    return found


@pytest.mark.browser
@needs_poppler
def test_pdf_draws_the_map_as_vectors(data, renderer, tmp_path: Path) -> None:
    """The frontier, area outlines and event symbols are vector paths in the PDF, and no image
    covers the map (the few images are names' halos, each far smaller than the frame)."""
    layers, vocabulary = data.layers, data.vocabulary
    result = _figure(data, renderer, tmp_path / "figure.pdf", export.paper_page("a4", "landscape"), output="pdf")
    left, top, right, bottom = frame = _frame_pt(result.layout)
    for width, height in _pdf_images(result.path):
        assert width * height < 0.02 * (right - left) * (bottom - top), f"a {width:.0f}x{height:.0f} pt image"
    subprocess.run(["pdftocairo", "-svg", str(result.path), str(tmp_path / "figure.svg")], check=True)
    root = ElementTree.parse(tmp_path / "figure.svg").getroot()
    assert _paths_in(root, "stroke", layers["frontier"].spec.style["color"], frame), "no frontier path on the map"
    # Single symbols are slices in their actors' colours, groups ring arcs: each actor's colour
    # fills paths inside the frame (the legend's, in the panel, are outside it).
    for actor in ("tajik-government", "russia", "china"):
        colour = vocabulary.actors[actor].colour
        assert _paths_in(root, "fill", colour, frame), f"no event symbol in {actor}'s {colour} on the map"


@pytest.mark.browser
@needs_poppler
def test_events_above_the_vector_limit_are_an_image(data, renderer, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(export, "VECTOR_SYMBOLS_MAX", 3)
    result = _figure(data, renderer, tmp_path / "figure.pdf", export.paper_page("a4", "landscape"), output="pdf")
    rasterised = result.layout["eventsRasterised"]
    assert rasterised["symbols"] > 3 and rasterised["events"] >= rasterised["symbols"]
    assert (f"{rasterised['events']} events drawn as an image: above the vector limit of 3 symbols"
            in " ".join(result.warnings))
    left, top, right, bottom = _frame_pt(result.layout)
    assert any(width * height >= (right - left) * (bottom - top) for width, height in _pdf_images(result.path))
    _check_reads_as_a_figure(result.layout)


@pytest.mark.browser
@needs_poppler
def test_svg_parses_and_holds_the_frontier(data, renderer, tmp_path: Path) -> None:
    result = _figure(data, renderer, tmp_path / "figure.svg", export.paper_page("a4", "landscape"), output="svg")
    root = ElementTree.parse(result.path).getroot()
    assert root.tag.endswith("svg")
    # The frontier's manifest colour, #d62728, as pdftocairo writes it: a stroked path.
    frontier = [path for path in root.iter("{http://www.w3.org/2000/svg}path")
                if "stroke:rgb(83.9" in (path.get("style") or "") and "15.2" in (path.get("style") or "")]
    assert len(frontier) >= 2  # the map's line and the legend's swatch
    assert not (tmp_path / "figure.pdf.part").exists()
