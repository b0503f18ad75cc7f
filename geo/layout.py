"""The exported figure's layout: where the title band, the map frame, the panel (legend, locator,
sources) and a scene's caption go, in CSS pixels, and the sizes that make a figure print right
(docs/ARCHITECTURE.md, "Figures").

Pure arithmetic, no browser: the boxes are fixed here, so the map's frame is known before the page
is drawn, and the extent Leaflet fits to it (``fitted_bounds``) says what lies inside the frame.

Type is measured in points of the figure's reference page (A4 in the figure's orientation, or the
paper it is printed on), scaled to fit the figure: an A4 figure has true points, and the same figure
at 1920×1080 looks the same, only smaller.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Bounds = tuple[float, float, float, float]  # west, south, east, north in degrees

CSS_PX_PER_INCH = 96  # Chromium lays out and prints at 96 CSS pixels to the inch
MM_PER_INCH = 25.4
PT_PER_INCH = 72
PAPERS_MM = {"a4": (210.0, 297.0), "a3": (297.0, 420.0), "letter": (215.9, 279.4)}  # portrait width, height
ORIENTATIONS = ("landscape", "portrait")

# Type sizes in points. 7 pt is the smallest body text a printed figure should carry.
TITLE_PT = 14.0
SUBTITLE_PT = 8.5
CAPTION_PT = 9.0
SOURCES_PT = 7.0
LEGEND_PT = 8.5  # the legend starts here and shrinks to MIN_TEXT_PT (then takes columns) to fit its panel
MIN_TEXT_PT = 7.0
MAP_TEXT_PT = 9.0  # the map's own names (geo/web/panj-labels.js) are 0.85 of this: 7.65 pt
MARGIN_PT = 7.0  # around the figure and between its parts
SIDE_PANEL_ASPECT = 1.15  # figures at least this much wider than tall put the panel beside the map
SIDE_PANEL_SHARE = 0.27  # of the figure's width
BOTTOM_PANEL_SHARE = 0.3  # of the figure's height
LOCATOR_SHARE = 0.62  # of the side panel's height at most; its height is 0.7 of its width
AVERAGE_CHAR_EM = 0.55  # a sans-serif character's average width: how many lines a text will take


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def as_dict(self) -> dict[str, float]:
        return {"left": self.left, "top": self.top, "width": self.width, "height": self.height}


@dataclass(frozen=True)
class FigureLayout:
    width: float  # CSS pixels
    height: float
    pt: float  # CSS pixels per point
    panel_side: str  # "right" or "bottom"
    title: Box
    frame: Box  # the map; whole CSS pixels, so Leaflet's size is exactly this
    panel: Box
    caption: Box | None
    subtitle_lines: int


def reference_points(width: float, height: float, paper: str = "a4") -> tuple[float, float]:
    """The reference page's (width, height) in points, turned to the figure's orientation."""
    short, long = (side / MM_PER_INCH * PT_PER_INCH for side in PAPERS_MM[paper])
    return (long, short) if width >= height else (short, long)


def points_to_css(width: float, height: float, paper: str = "a4") -> float:
    """CSS pixels per point for a figure of width x height CSS pixels: its reference page scaled to fit."""
    page_width, page_height = reference_points(width, height, paper)
    return min(width / page_width, height / page_height)


def lines_needed(text: str, width_px: float, font_px: float) -> int:
    """About how many lines ``text`` takes in a box ``width_px`` wide (a layout estimate)."""
    per_line = max(width_px / (font_px * AVERAGE_CHAR_EM), 1.0)
    return max(1, math.ceil(len(text) / per_line))


def figure_layout(
    width: float, height: float, *, subtitle: str, caption: str | None = None, paper: str = "a4",
) -> FigureLayout:
    """The boxes of a figure width x height CSS pixels: a title band across the top; the map frame;
    the panel beside the map (wide figures) or under it (the rest); a scene's caption under the map."""
    pt = points_to_css(width, height, paper)
    margin = MARGIN_PT * pt
    inner_width = width - 2 * margin
    subtitle_lines = min(2, lines_needed(subtitle, inner_width, SUBTITLE_PT * pt))
    band_height = TITLE_PT * pt * 1.25 + subtitle_lines * SUBTITLE_PT * pt * 1.35 + 2 * pt
    title = Box(margin, margin, inner_width, band_height)
    body_top = title.bottom + margin * 0.6
    body_height = height - margin - body_top
    if width >= SIDE_PANEL_ASPECT * height:
        side = "right"
        panel_width = max(SIDE_PANEL_SHARE * width, 150 * pt)
        map_area = Box(margin, body_top, inner_width - panel_width - margin, body_height)
        panel = Box(map_area.right + margin, body_top, panel_width, body_height)
    else:
        side = "bottom"
        panel_height = BOTTOM_PANEL_SHARE * height
        map_area = Box(margin, body_top, inner_width, body_height - panel_height - margin)
        panel = Box(margin, map_area.bottom + margin, inner_width, panel_height)
    caption_box = None
    if caption:
        lines = min(3, lines_needed(caption, map_area.width, CAPTION_PT * pt))
        caption_height = lines * CAPTION_PT * pt * 1.35 + 4 * pt
        caption_box = Box(map_area.left, map_area.bottom - caption_height, map_area.width, caption_height)
        map_area = Box(map_area.left, map_area.top, map_area.width, map_area.height - caption_height - 3 * pt)
    # Whole pixels inside the area: Leaflet's map size is an integer, and the fit is to that size.
    left, top = math.ceil(map_area.left), math.ceil(map_area.top)
    frame = Box(left, top, math.floor(map_area.right) - left, math.floor(map_area.bottom) - top)
    return FigureLayout(width, height, pt, side, title, frame, panel, caption_box, subtitle_lines)


# --- what the frame shows ------------------------------------------------------------------------

TILE_PX = 256  # Leaflet's world is 256 px across at zoom 0


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    """Web Mercator in world units (0..1 across), y downwards, as Leaflet projects."""
    lat = max(min(lat, 85.0511287798), -85.0511287798)
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return (lon + 180.0) / 360.0, 0.5 - y / (2 * math.pi)


def _unmercator(x: float, y: float) -> tuple[float, float]:
    lat = math.degrees(2 * math.atan(math.exp((0.5 - y) * 2 * math.pi)) - math.pi / 2)
    return x * 360.0 - 180.0, lat


def fitted_bounds(bounds: Bounds, width: int, height: int) -> Bounds:
    """The extent a ``width`` x ``height`` px Leaflet map shows after fitting ``bounds`` exactly
    (fractional zoom, no padding: the longer side fits, the other grows about the same centre)."""
    west, south, east, north = bounds
    x0, y1 = _mercator(west, south)
    x1, y0 = _mercator(east, north)
    world_px = min(width / (x1 - x0), height / (y1 - y0))  # the world's width in pixels at the fitted zoom
    centre_x, centre_y = (x0 + x1) / 2, (y0 + y1) / 2
    half_x, half_y = width / world_px / 2, height / world_px / 2
    west_out, north_out = _unmercator(centre_x - half_x, centre_y - half_y)
    east_out, south_out = _unmercator(centre_x + half_x, centre_y + half_y)
    return (west_out, south_out, east_out, north_out)


# --- sizes ---------------------------------------------------------------------------------------

def divides(width: int, height: int, scale: float) -> bool:
    """Whether width/scale and height/scale are whole numbers of CSS pixels."""
    return all(abs(side / scale - round(side / scale)) <= 1e-6 for side in (width, height))


def dividing_scale(width: int, height: int, wanted: float) -> float:
    """The scale nearest ``wanted`` that lays width x height pixels out in whole CSS pixels: one of
    g/m for g = gcd(width, height) (scale 1 always is)."""
    common = math.gcd(width, height)
    best = min(range(1, common + 1), key=lambda m: (abs(common / m - wanted), m))
    return common / best


def paper_pixels(paper: str, orientation: str, dpi: float) -> tuple[int, int]:
    """The paper's (width, height) in pixels at ``dpi``."""
    short, long = (round(side / MM_PER_INCH * dpi) for side in PAPERS_MM[paper])
    return (long, short) if orientation == "landscape" else (short, long)


def paper_css(paper: str, orientation: str) -> tuple[int, int]:
    """The paper's (width, height) in whole CSS pixels as Chromium prints it (96 to the inch): the
    figure laid out for a PDF page."""
    short, long = (math.floor(side / MM_PER_INCH * CSS_PX_PER_INCH) for side in PAPERS_MM[paper])
    return (long, short) if orientation == "landscape" else (short, long)


def paper_mm(paper: str, orientation: str) -> tuple[float, float]:
    short, long = PAPERS_MM[paper]
    return (long, short) if orientation == "landscape" else (short, long)
