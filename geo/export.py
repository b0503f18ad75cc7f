"""Exports: a map view as a report-grade figure (PNG, vector PDF or SVG) through headless
Chromium, and the filtered events as GeoJSON or CSV downloads.

The page and the command line both go through `export_view`, which builds the page's own map
for export, lays it out as a figure (`geo.layout`, `geo.figure`: title band, map frame, panel with
legend, locator and sources) and hands the HTML to `Renderer` with the view's basemap tile URL. A
PDF is Chromium's print of the same page at the paper's size; an SVG is that PDF converted by
poppler's `pdftocairo` (docs/ARCHITECTURE.md, "Figures"). The renderer (a `geo.browser.HeadlessChromium`)
serves the document and `/app/static/*` itself and aborts every other request, except those to the
tile hosts it is given.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import math
import os
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box

from geo import assets, eventdata, figure, join, layout, mapview, playback
from geo.basemaps import BASEMAP_NONE
from geo.browser import DOCUMENT_URL, SLOT_TIMEOUT_S, HeadlessChromium
from geo.layers import Layer
from geo.mapview import MapView
from geo.placement import home_bounds
from geo.snapshot import Snapshot

logger = logging.getLogger(__name__)

READY_TIMEOUT_S = 30.0
# A capture waits for the page's next stable frame: on two cores with other browsers at work (a load
# average of 16), one 1920×1080 capture of `panj export --animate` took longer than Playwright's own
# 30 s and failed the export.
CAPTURE_TIMEOUT_S = 120.0
MAX_SIDE_PX = 10_000  # larger captures exhaust Chromium's compositor long before they are useful
FORMATS = ("png", "pdf", "svg")
MIME_TYPES = {"png": "image/png", "pdf": "application/pdf", "svg": "image/svg+xml"}
PDF_DEVICE_SCALE = 3.125  # 300 dpi for whatever a PDF holds as pixels (tiles, events above the limit)
# A PDF or SVG draws the area outlines and the event symbols and groups as SVG, printed as vector
# paths, while the frame holds at most this many symbols (a group is one symbol; groups keep symbols
# 32 px apart, so an A4 frame holds some 600 at most); above it the symbols are drawn on the events
# canvas, one 300-dpi image, and the result warns (docs/ARCHITECTURE.md, "Figures").
VECTOR_SYMBOLS_MAX = 2000
# Chromium prints a canvas drawn again for print opaque, hiding the layers under it: a map canvas
# (the events above the limit) keeps its image. The legend's symbols sit on the white panel and print as vectors.
MAP_CANVASES = ".leaflet-container canvas"
PRINTED_GROUP_LABEL = "Several events at one place: how many, ring by actor"
POPPLER_HINT = "install poppler-utils (Debian/Ubuntu: apt-get install poppler-utils) for SVG export"

# What the renderer hands to Chromium; each file says what it does and when it runs.
_INIT_SCRIPT = assets.web_script("export-init.js")
_VECTOR_CANVAS_SCRIPT = assets.web_script("export-vector-canvas.js")
_READY_CONDITION = "() => Boolean(window.panjMap && window.panjMap.ready === true)"
_TILES_SETTLED = assets.web_script("export-tiles-settled.js")
_TILE_REPORT = assets.web_script("export-tile-report.js")
_SETTLED_FRAME = assets.web_script("export-settled-frame.js")
_PLAYBACK_SHOW = assets.web_script("export-playback-show.js")
_PLAYBACK_READ = assets.web_script("export-playback-read.js")


class ExportError(RuntimeError):
    """The page could not be rendered; the message says what the browser reported."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    width: int  # pixels in the PNG; for a PDF or SVG, CSS pixels of the page (96 to the inch)
    height: int
    failed_tiles: tuple[str, ...]  # URL templates of tile layers that did not (fully) load
    warnings: tuple[str, ...]
    blocked_urls: tuple[str, ...]  # requests the page tried that the router refused
    layout: dict[str, Any] | None = None  # the figure's parts as drawn (geo.figure.FigurePage.measure)
    notes: tuple[str, ...] = ()  # what the exporter chose for the reader (a scale, rasterised events)


def css_viewport(width: int, height: int, scale: float) -> tuple[int, int]:
    """The CSS viewport that yields exactly width x height pixels at device scale `scale`.

    Raises ValueError when a side is not positive, too large, or not a whole number of CSS pixels
    (Chromium would round it, and the PNG would be a pixel short)."""
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    sides = {}
    for name, pixels in (("width", width), ("height", height)):
        if not isinstance(pixels, int) or pixels <= 0:
            raise ValueError(f"{name} must be a positive whole number of pixels, got {pixels!r}")
        if pixels > MAX_SIDE_PX:
            raise ValueError(f"{name} {pixels} px is larger than the {MAX_SIDE_PX} px this exporter supports")
        css = pixels / scale
        if abs(css - round(css)) > 1e-6:
            lower, upper = math.floor(css) * scale, math.ceil(css) * scale
            raise ValueError(
                f"{name} {pixels} px at scale {scale:g} is {css:.2f} CSS pixels, not a whole number; "
                f"use a {name} that scale divides (e.g. {lower:g} or {upper:g}) or another scale"
            )
        sides[name] = round(css)
    return sides["width"], sides["height"]


def with_png_dpi(png: bytes, dpi: float) -> bytes:
    """The PNG with a pHYs chunk saying `dpi`, so word processors place it at its print size."""
    per_metre = round(dpi / 0.0254)
    return _after_ihdr(png, _png_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)))


def with_png_text(png: bytes, texts: Mapping[str, str]) -> bytes:
    """The PNG with an iTXt chunk (UTF-8, uncompressed) for each keyword and text of `texts`: the
    PNG standard's "Title" and "Description" are where image viewers and catalogues look for a
    picture's name and its text alternative."""
    chunks = b""
    for keyword, text in texts.items():
        if not 1 <= len(keyword) <= 79 or not keyword.isascii():
            raise ValueError(f"PNG text keyword {keyword!r}: must be 1 to 79 ASCII characters")
        # keyword, NUL, not compressed, (method), no language tag, NUL, no translated keyword, NUL, text
        chunks += _png_chunk(b"iTXt", keyword.encode("ascii") + b"\0\0\0\0\0" + text.encode("utf-8"))
    return _after_ihdr(png, chunks)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _after_ihdr(png: bytes, chunks: bytes) -> bytes:
    """The PNG with `chunks` placed right after its header chunk."""
    signature, ihdr_end = png[:8], 8 + 8 + 13 + 4  # signature, then IHDR: length+type, data, CRC
    if signature != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    return png[:ihdr_end] + chunks + png[ihdr_end:]


_PDF_TRAILER = re.compile(rb"trailer\s*<<(?P<body>.*?)>>\s*startxref\s+(?P<xref>\d+)\s+%%EOF\s*$", re.S)


def with_pdf_subject(pdf: bytes, subject: str) -> bytes:
    """The PDF with `subject` as its document information's Subject, which PDF readers show as the
    document's description. Added as an incremental update (a new information dictionary, a
    cross-reference section for it and a trailer pointing back to the old one), so the pages as
    Chromium wrote them stay byte for byte. ValueError when the file does not end in a classic
    trailer naming its information dictionary (Chromium's always does)."""
    trailer = _PDF_TRAILER.match(pdf, max(pdf.rfind(b"trailer"), 0))  # the last: an update's own
    fields = {key: value for key, value in re.findall(rb"/(Size|Root|Info)\s+(\d+(?:\s+\d+\s+R)?)",
                                                        trailer["body"])} if trailer else {}
    if not {b"Size", b"Root", b"Info"} <= fields.keys():
        raise ValueError("the PDF does not end in a trailer naming its Size, Root and Info")
    info_ref = fields[b"Info"].split()
    info = re.search(rb"(?<!\d)" + info_ref[0] + rb"\s+" + info_ref[1] + rb"\s+obj\s*<<(.*?)>>\s*endobj", pdf, re.S)
    if info is None:
        raise ValueError(f"the PDF's information dictionary (object {info_ref[0].decode()}) is not in the file")
    kept = re.sub(rb"/Subject\s*(\([^)]*\)|<[0-9A-Fa-f\s]*>)", b"", info[1])
    number = int(fields[b"Size"])
    text = b"<FEFF" + subject.encode("utf-16-be").hex().upper().encode("ascii") + b">"  # any script, as UTF-16
    update = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    offset = len(update)
    update += b"%d 0 obj\n<<%s\n/Subject %s>>\nendobj\n" % (number, kept, text)
    xref = len(update)
    update += b"xref\n%d 1\n%010d 00000 n \ntrailer\n<</Size %d\n/Root %s\n/Info %d 0 R\n/Prev %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        number, offset, number + 1, fields[b"Root"], number, trailer["xref"], xref)
    return update


def with_svg_text(svg: bytes, title: str, description: str) -> bytes:
    """The SVG with `title` and `description` as its root's first children, <title> and <desc>:
    what SVG viewers and screen readers take as the picture's name and description."""
    root = re.search(rb"<svg\b[^>]*>", svg)
    if root is None:
        raise ValueError("not an SVG document: no <svg> element")
    added = "".join(f"<{tag}>{html.escape(text, quote=False)}</{tag}>"
                    for tag, text in (("title", title), ("desc", description)) if text)
    return svg[:root.end()] + b"\n" + added.encode("utf-8") + svg[root.end():]


class Renderer(HeadlessChromium):
    """One headless Chromium for a batch of exports; while open it holds the process's browser slot
    (`geo.browser.browser_slot`), so keep it open no longer than the batch. Use as a context manager:

    >>> with Renderer() as renderer:                      # doctest: +SKIP
    ...     renderer.render(html, "a.png", width=1920, height=1080, scale=1.5)
    """

    def __init__(
        self, browser_path: str | None = None, *, tile_timeout_s: float = 15.0,
        slot_timeout_s: float = SLOT_TIMEOUT_S, on_wait: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(browser_path, slot_timeout_s=slot_timeout_s, on_wait=on_wait)
        self.tile_timeout_s = tile_timeout_s

    def render(
        self, html: str, out_path: str | os.PathLike[str], *, width: int, height: int, scale: float,
        dpi: float | None = None, tile_urls: Sequence[str] = (), finish: str | None = None,
        measure: str | None = None, pdf_page_mm: tuple[float, float] | None = None,
        raster_canvases: str | None = None,
    ) -> ExportResult:
        """Render `html` (a full page whose script sets window.panjMap.ready) to a PNG of exactly
        width x height pixels; `dpi`, when given, is written into the PNG. Beyond the document and
        /app/static/, only the hosts of the tile URL templates `tile_urls` are reached.

        `finish`, a JavaScript function, is called with the tile report once the map and its tiles
        are drawn; `measure`, once everything has settled, and its result is the result's
        `layout`. With `pdf_page_mm` (width, height) the page, laid out at width x height CSS
        pixels, is printed to a one-page vector PDF of that size instead (canvases as vectors,
        except those matching the CSS selector `raster_canvases`)."""
        from playwright.sync_api import Error as PlaywrightError

        printing = pdf_page_mm is not None
        css_width, css_height = (width, height) if printing else css_viewport(width, height, scale)
        blocked: list[str] = []
        page_errors: list[str] = []
        context = self.document_context(
            html, tile_urls=tile_urls, blocked=blocked, viewport={"width": css_width, "height": css_height},
            device_scale_factor=PDF_DEVICE_SCALE if printing else scale, service_workers="block",
        )
        try:
            context.add_init_script(_INIT_SCRIPT)
            if printing:
                context.add_init_script(_VECTOR_CANVAS_SCRIPT)
            page = context.new_page()
            tile_report, tiles_timed_out = self._load(page, page_errors, blocked)
            finished = page.evaluate(finish, tile_report) if finish else None
            page.evaluate(_SETTLED_FRAME)
            measured = page.evaluate(measure) if measure else None
            if printing:
                page.evaluate("selector => { window.__panjExport.rasterSelector = selector; }", raster_canvases)
                page.emulate_media(media="screen")  # the layout just measured, not a print style sheet
                output = page.pdf(
                    width=f"{pdf_page_mm[0]}mm", height=f"{pdf_page_mm[1]}mm", print_background=True,
                    margin={"top": "0", "right": "0", "bottom": "0", "left": "0"}, page_ranges="1",
                )
            else:
                output = page.screenshot(clip={"x": 0, "y": 0, "width": css_width, "height": css_height}, type="png",
                                         timeout=CAPTURE_TIMEOUT_S * 1000)
        except PlaywrightError as error:
            # The browser itself failed (crashed, ran out of memory), not the page.
            logger.exception("export failed: the browser failed while rendering")
            first_line = str(error).strip().splitlines()[0]
            raise ExportError(f"the browser failed while rendering: {first_line}") from None
        finally:
            context.close()

        failed, warnings = _tile_problems(tile_report, tiles_timed_out, self.tile_timeout_s)
        if dpi is not None and not printing:
            output = with_png_dpi(output, dpi)
        path = Path(out_path)
        path.write_bytes(output)
        out_width, out_height = (css_width, css_height) if printing else png_size(output)
        if measured is not None and finished is not None:
            measured = {**measured, **finished}
        return ExportResult(
            path=path, width=out_width, height=out_height, failed_tiles=failed,
            warnings=warnings, blocked_urls=tuple(blocked), layout=measured,
        )

    def _load(self, page: Any, page_errors: list[str], blocked: list[str]) -> tuple[list[dict[str, Any]], bool]:
        """Open the document in `page` and wait for the map to report ready and its tiles to settle;
        (the tile report, whether the tiles timed out)."""
        from playwright.sync_api import Error as PlaywrightError

        page.on("pageerror", lambda error: page_errors.append(str(error)))
        page.goto(DOCUMENT_URL, wait_until="domcontentloaded")
        self._wait_ready(page, page_errors, blocked)
        tiles_timed_out = False
        try:
            page.wait_for_function(_TILES_SETTLED, timeout=self.tile_timeout_s * 1000)
        except PlaywrightError:
            tiles_timed_out = True
        return page.evaluate(_TILE_REPORT), tiles_timed_out

    @staticmethod
    def _wait_ready(page: Any, page_errors: list[str], blocked: list[str]) -> None:
        """Wait for window.panjMap.ready; ExportError, naming the page's errors, when it does not come."""
        from playwright.sync_api import Error as PlaywrightError

        try:
            page.wait_for_function(_READY_CONDITION, timeout=READY_TIMEOUT_S * 1000)
        except PlaywrightError:
            detail = f"; page errors: {' | '.join(page_errors)}" if page_errors else ""
            message = f"the map did not report ready (window.panjMap.ready) within {READY_TIMEOUT_S:g} s{detail}"
            logger.error("export failed: %s; blocked requests: %s", message, blocked or "none")
            raise ExportError(message) from None

    def render_frames(
        self, html: str, frames: Sequence[Any], out_paths: Sequence[Path], *, width: int, height: int,
        scale: float, show: str, read: str, tile_urls: Sequence[str] = (), finish: str | None = None,
        measure: str | None = None,
    ) -> tuple[ExportResult, list[Any]]:
        """Render `html` once, then each of `frames` to its PNG of `out_paths` (width x height
        pixels) without reloading: the JavaScript function `show` is called with the frame (JSON)
        and must begin a map update (window.panjMap.ready turns false, then true once drawn). `read`,
        called before each capture, gives what the frame shows, returned in order with the result;
        `finish` and `measure` run once, before the first frame, as in `render`."""
        from playwright.sync_api import Error as PlaywrightError

        if not frames or len(frames) != len(out_paths):
            raise ValueError(f"{len(frames)} frames and {len(out_paths)} file names: give one name a frame, at least one")
        css_width, css_height = css_viewport(width, height, scale)
        blocked: list[str] = []
        page_errors: list[str] = []
        read_back: list[Any] = []
        context = self.document_context(
            html, tile_urls=tile_urls, blocked=blocked, viewport={"width": css_width, "height": css_height},
            device_scale_factor=scale, service_workers="block",
        )
        try:
            context.add_init_script(_INIT_SCRIPT)
            page = context.new_page()
            tile_report, tiles_timed_out = self._load(page, page_errors, blocked)
            finished = page.evaluate(finish, tile_report) if finish else None
            page.evaluate(_SETTLED_FRAME)
            measured = page.evaluate(measure) if measure else None
            for frame, out in zip(frames, out_paths, strict=True):
                page.evaluate(show, frame)
                self._wait_ready(page, page_errors, blocked)
                page.evaluate(_SETTLED_FRAME)
                read_back.append(page.evaluate(read))
                out.write_bytes(page.screenshot(clip={"x": 0, "y": 0, "width": css_width, "height": css_height}, type="png",
                                                timeout=CAPTURE_TIMEOUT_S * 1000))
        except PlaywrightError as error:
            logger.exception("export failed: the browser failed while rendering frames")
            first_line = str(error).strip().splitlines()[0]
            raise ExportError(f"the browser failed while rendering: {first_line}") from None
        finally:
            context.close()
        failed, warnings = _tile_problems(tile_report, tiles_timed_out, self.tile_timeout_s)
        if measured is not None and finished is not None:
            measured = {**measured, **finished}
        result = ExportResult(path=out_paths[0], width=width, height=height,
                              failed_tiles=failed, warnings=warnings, blocked_urls=tuple(blocked), layout=measured)
        return result, read_back


def _tile_problems(
    report: list[dict[str, Any]], timed_out: bool, timeout_s: float,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(URL templates, warnings) for the tile layers that failed or were still loading."""
    failed: list[str] = []
    warnings: list[str] = []
    for layer in report:
        if not (layer["failed"] or layer["loading"]):
            continue
        failed.append(layer["url"])
        host = urlsplit(layer["url"]).netloc
        if layer["loading"] and timed_out:
            reason = f"still loading after {timeout_s:g} s"
        else:
            reason = f"{layer['failed']} of {layer['failed'] + layer['loaded']} failed"
        drawn = " and does not credit them" if layer["loaded"] == 0 else ""
        warnings.append(f"tiles from {host}: {reason}; the figure shows the vector layers without them{drawn}")
    return tuple(failed), tuple(warnings)


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    return struct.unpack(">II", png[16:24])


# --- map views ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportSize:
    width: int  # pixels (for a PDF or SVG: CSS pixels of the page)
    height: int
    scale: float  # device pixels per CSS pixel: the figure is laid out at width/scale x height/scale
    dpi: float | None = None  # written into the PNG for print sizes
    paper: str = "a4"  # the reference page type is sized against (geo.layout); a PDF's page
    page_mm: tuple[float, float] | None = None  # a PDF or SVG page (width, height); None for a PNG

    def __post_init__(self) -> None:
        css_viewport(self.width, self.height, self.scale)  # a size Chromium cannot hit exactly is refused here

    @property
    def css(self) -> tuple[int, int]:
        return css_viewport(self.width, self.height, self.scale)


PRESETS = {
    # A 1280x720 CSS layout at 1.5x.
    "slides": ExportSize(1920, 1080, 1.5),
    # A4 landscape at 300 dpi is 3508x2480 px; laid out at 877x620 CSS pixels (scale 4, the
    # dividing scale nearest 300/96), so the map's symbols are 4 mm across on paper.
    "a4": ExportSize(3508, 2480, 4.0, dpi=300),
}
PRESET_LABELS = {"slides": "Slides 1920×1080", "a4": "A4 landscape 300 dpi (3508×2480)"}
PAPER_LABELS = {"a4": "A4", "a3": "A3", "letter": "Letter"}


def sized(width: int, height: int, wanted_scale: float, dpi: float | None = None,
          paper: str = "a4") -> tuple[ExportSize, str | None]:
    """A PNG size of exactly width x height pixels at the scale nearest `wanted_scale` that lays it
    out in whole CSS pixels; the note says which scale, when it is not the one wanted."""
    scale = wanted_scale if layout.divides(width, height, wanted_scale) else layout.dividing_scale(width, height, wanted_scale)
    size = ExportSize(width, height, scale, dpi=dpi, paper=paper)
    if scale == wanted_scale:
        return size, None
    css_width, css_height = size.css
    return size, (f"scale {wanted_scale:g} does not divide {width}×{height} px; "
                  f"laid out at scale {scale:.4g} ({css_width}×{css_height} CSS px)")


def paper_png(paper: str, orientation: str, dpi: float) -> tuple[ExportSize, str | None]:
    """The paper at `dpi` as a PNG, laid out at about 96 CSS pixels to the inch (as printed); a
    side may lose a pixel (under 0.1 mm at 300 dpi) when that gives a scale nearer that."""
    wanted = dpi / layout.CSS_PX_PER_INCH
    exact_width, exact_height = layout.paper_pixels(paper, orientation, dpi)
    candidates = [(w, h) for w in (exact_width, exact_width - 1) for h in (exact_height, exact_height - 1)]
    width, height = min(candidates, key=lambda wh: abs(math.log(layout.dividing_scale(*wh, wanted) / wanted)))
    scale = layout.dividing_scale(width, height, wanted)
    return ExportSize(width, height, scale, dpi=dpi, paper=paper), None


def paper_page(paper: str, orientation: str) -> ExportSize:
    """A PDF or SVG page of the paper: laid out at 96 CSS pixels to the inch, as Chromium prints."""
    width, height = layout.paper_css(paper, orientation)
    return ExportSize(width, height, 1.0, paper=paper, page_mm=layout.paper_mm(paper, orientation))


def export_view(
    out_path: str | os.PathLike[str], *, snapshot: Snapshot, shown: pd.DataFrame, view: MapView, title: str,
    size: ExportSize, renderer: Renderer, exported_on: dt.date | None = None, description: str = "",
    caption: str | None = None, locator: bool = True, output: str = "png", alt: str = "",
) -> ExportResult:
    """Render `view` of the `shown` events (rows of `snapshot.events`, already filtered) as a
    figure at `size`: a PNG, or with `output` "pdf" or "svg" a vector page of ``size.page_mm``.
    The file carries the title and its text alternative `alt` (``geo.summary.view_summary``): a
    PNG's Title and Description, a PDF's Title and Subject, an SVG's <title> and <desc>.

    The map is the page's own (`build_base_map(..., for_export=True)` and its events overlay, on the
    snapshot's published files: an export publishes nothing new) in the frame `geo.layout` gives
    it, with the title, a subtitle (`description`, what the filters show:
    ``geo.figure.describe_shown``, and how many of the events the map's extent holds), legend (only
    what the frame shows), locator inset (unless `locator` is False), sources (only what is drawn:
    the layers' credits, and every dataset drawn with its licence or terms:
    ``Snapshot.event_sources``) and a scene's `caption`. A basemap whose tiles fail leaves the
    vectors in place, its credit out and a warning naming that basemap."""
    check_output(output, size)
    built = _build_figure(snapshot, shown, view, title=title, size=size, description=description, caption=caption,
                          locator=locator, exported_on=exported_on,
                          vector_symbols_max=VECTOR_SYMBOLS_MAX if output != "png" else None)
    fmap = built.fmap
    mapview.events_overlay(shown, snapshot.vocabulary, snapshot.map_layers, view, data=built.data).add_to(fmap)
    mapview.preload_events(fmap, built.data)

    result = render_figure(renderer, fmap.get_root().render(), out_path, output, size, title=title, alt=alt,
                           tile_urls=built.tile_urls, finish=_FINISH, measure=_MEASURE, raster_canvases=MAP_CANVASES)
    return _reported(result, view, output)


def check_output(output: str, size: ExportSize) -> None:
    """ValueError when ``output`` is not a format of ``FORMATS``, or is a page ``size`` has none for."""
    if output not in FORMATS:
        raise ValueError(f"unknown format {output!r}; expected one of {', '.join(FORMATS)}")
    if output != "png" and size.page_mm is None:
        raise ValueError(f"a {output.upper()} is a page: give its size with paper_page()")


def render_figure(renderer: Renderer, page: str, out_path: Path, output: str, size: ExportSize, *, title: str,
                  alt: str, **render_options: Any) -> ExportResult:
    """The figure ``page`` (its HTML) rendered by ``renderer`` into ``out_path`` as ``output`` at
    ``size`` (an SVG from the PDF Chromium prints), its ``title`` and text alternative ``alt``
    written into the file; ``render_options`` as ``Renderer.render`` takes them."""
    out = Path(out_path)
    render_to = out.with_suffix(".pdf.part") if output == "svg" else out
    result = renderer.render(page, render_to, width=size.width, height=size.height, scale=size.scale, dpi=size.dpi,
                             pdf_page_mm=size.page_mm if output != "png" else None, **render_options)
    if output == "svg":
        try:
            pdf_to_svg(render_to, out)
        finally:
            render_to.unlink(missing_ok=True)
        result = replace(result, path=out)
    _add_text_alternative(out, output, title, alt)
    return result


def _add_text_alternative(path: Path, output: str, title: str, alt: str) -> None:
    """Write the figure's title and text alternative into the file (Chromium's print already gave
    a PDF its Title, from the document's <title>)."""
    written = path.read_bytes()
    if output == "png":
        written = with_png_text(written, {"Title": title, **({"Description": alt} if alt else {})})
    elif output == "svg":
        written = with_svg_text(written, title, alt)
    elif alt:
        try:
            written = with_pdf_subject(written, alt)
        except ValueError as error:  # a PDF this code does not know how to extend: the browser's, not the reader's
            raise ExportError(f"{path.name}: could not add the text alternative as the PDF's Subject: {error}") from None
    path.write_bytes(written)


def _reported(result: ExportResult, view: MapView, output: str) -> ExportResult:
    """The result with the warnings and notes that what the page measured calls for."""
    warnings = list(result.warnings)
    if result.failed_tiles:
        warnings = [f"basemap {view.basemap!r}: {warning}" for warning in warnings]
    if result.layout is not None and not result.layout.get("legendFits", True):
        warnings.append("the legend is longer than its panel even at 7 pt in columns: its last rows are cut")
    notes = list(result.notes)
    if (result.layout or {}).get("locatorOnMap"):
        notes.append("the locator is on the map, giving the legend more of the panel")
    left_out = (result.layout or {}).get("actorsLeftOut") or 0
    if left_out:
        notes.append(f"the legend lists the first actors and says \"and {left_out} more\": all would not fit its panel")
    rasterised = (result.layout or {}).get("eventsRasterised") or {}
    if output != "png" and rasterised.get("symbols"):
        warnings.append(f"{rasterised['events']} events drawn as an image: above the vector limit of "
                        f"{VECTOR_SYMBOLS_MAX} symbols ({rasterised['symbols']} event symbols and groups in the frame)")
    return replace(result, warnings=tuple(warnings), notes=tuple(notes))


@dataclass(frozen=True)
class _Figure:
    """A figure's page before its events overlay: the map with its furniture, the files it draws
    from, the tile URLs the renderer may fetch."""

    fmap: folium.Map
    data: mapview.MapData
    tile_urls: tuple[str, ...]


def _build_figure(
    snapshot: Snapshot, shown: pd.DataFrame, view: MapView, *, title: str, size: ExportSize, description: str,
    caption: str | None, locator: bool, exported_on: dt.date | None, vector_symbols_max: int | None,
    period: tuple[str, str] | None = None,
) -> _Figure:
    """The figure of `export_view` without its events overlay; `period` (label, count line) puts a
    playback's period box in the title band."""
    basemaps, layers, vocabulary = snapshot.basemaps, snapshot.map_layers, snapshot.vocabulary
    if view.basemap not in basemaps:
        raise ValueError(f"unknown basemap {view.basemap!r}; expected one of {', '.join(basemaps)}")
    css_width, css_height = size.css
    requested = view.bounds if view.bounds is not None else home_bounds(snapshot.layers, shown)
    # The band is laid out for the longest the subtitle can be: the frame's extent decides its end.
    longest = figure.subtitle(description, shown=10**6, in_frame=0)
    figure_layout = layout.figure_layout(css_width, css_height, subtitle=longest, caption=caption, paper=size.paper)
    extent = layout.fitted_bounds(requested, figure_layout.frame.width, figure_layout.frame.height)
    in_frame = _inside(snapshot, shown, extent)
    text = figure.subtitle(description, shown=len(shown), in_frame=len(in_frame))

    drawn_layers = tuple(layer_id for layer_id in view.visible_layers
                         if layer_id in layers and _touches(layers[layer_id], extent))
    inset = figure.locator(layers, extent) if locator else None
    # Paper cannot be clicked: the group row says what the symbol is, not what a click does.
    legend = [replace(item, label=PRINTED_GROUP_LABEL) if item.shape == mapview.GROUP_SHAPE else item
              for item in mapview.legend_items(layers, vocabulary, visible_layers=drawn_layers, events=in_frame)]
    if view.frontier_change is not None:  # a row per level drawn, as on the page
        legend += mapview.change_legend_items(mapview.drawn_levels(view.frontier_change, snapshot.trend_levels))
    data = snapshot.map_data()
    fmap = mapview.build_base_map(layers, vocabulary, basemaps={view.basemap: basemaps[view.basemap]}, data=data,
                                  legend=legend, for_export=True, vector_symbols_max=vector_symbols_max)
    credited = (*drawn_layers, *([figure.LOCATOR_LAYER] if inset is not None else ()))
    credits = mapview.attribution_text(layers, MapView(visible_layers=credited, basemap=BASEMAP_NONE), basemaps)
    basemap = basemaps[view.basemap]
    lines = figure.source_lines(credits, basemap.attribution if basemap.url else "",
                                snapshot.event_sources(in_frame), exported_on or dt.date.today())
    period_box = None if period is None else figure.PeriodBox(figure_layout, label=period[0], count=period[1])
    figure.add_figure(fmap, figure_layout=figure_layout, title=title, subtitle=text, bounds=requested,
                      sources=lines, locator_inset=inset, caption=caption, period=period_box)
    return _Figure(fmap, data, (basemap.url,) if basemap.url else ())


_FINISH = "tiles => window.panjFigure.finish(tiles)"
# The figure's parts, and what the events canvas holds ({events, symbols}: none when they are SVG).
_MEASURE = "() => ({ ...window.panjFigure.measure(), eventsRasterised: window.panjMap.events.rasterised })"


# --- playback videos ----------------------------------------------------------------------------

VIDEO_FORMATS = ("webm", "mp4", "gif")
VIDEO_MIME_TYPES = {"webm": "video/webm", "mp4": "video/mp4", "gif": "image/gif"}
FFMPEG_HINT = "install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg) to encode videos"
FRAME_NAME = "frame-{:05d}.png"  # numbered from 1, as ffmpeg's image2 pattern reads them
# Each format's encoder, all in Debian's ffmpeg: VP9 and H.264 at a constant quality in the
# 4:2:0 colour every player takes; a GIF with one palette made from its own frames.
_ENCODERS = {
    "webm": ["-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "31", "-deadline", "good", "-cpu-used", "4",
             "-row-mt", "1", "-pix_fmt", "yuv420p"],
    "mp4": ["-c:v", "libx264", "-preset", "medium", "-crf", "20", "-pix_fmt", "yuv420p", "-movflags", "+faststart"],
    "gif": ["-filter_complex", "[0:v]split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse=dither=none",
            "-loop", "0"],
}


@dataclass(frozen=True)
class PlaybackFrame:
    """One frame of a playback: its period, the rows it shows and the rows of those drawn lighter
    (index labels of the events given to ``playback_frames``)."""

    period: playback.Period
    rows: np.ndarray
    partial: np.ndarray


def playback_frames(shown: pd.DataFrame, spans: Sequence[playback.Period], mode: playback.Mode) -> list[PlaybackFrame]:
    """The frames of a playback of the `shown` events over the periods `spans` (``geo.playback``)."""
    index = shown.index.to_numpy()
    frames = []
    for period in spans:
        showing = playback.shown_in(period, mode, shown["date_first"], shown["date_last"])
        partial = playback.partial_in(period, mode, shown["date_first"], shown["date_last"])
        frames.append(PlaybackFrame(period, index[showing], index[partial]))
    return frames


@dataclass(frozen=True)
class PlaybackResult:
    frames: tuple[Path, ...]  # the PNG frames, in order
    shown: tuple[dict[str, Any], ...]  # per frame, what the page showed before its capture: {label, count, drawn}
    figure: ExportResult  # the figure's report (size, tiles, warnings, layout), from before the first frame


def export_playback(
    frames_dir: str | os.PathLike[str], *, snapshot: Snapshot, shown: pd.DataFrame, frames: Sequence[PlaybackFrame],
    view: MapView, title: str, size: ExportSize, renderer: Renderer, exported_on: dt.date | None = None,
    description: str = "", caption: str | None = None, locator: bool = True,
) -> PlaybackResult:
    """Render a playback as numbered PNG frames in `frames_dir` (``FRAME_NAME``), one per frame.

    The figure is `export_view`'s (title band, legend, locator, sources, scale) laid out once for
    all the events the playback draws (`shown`, rows of ``snapshot.events``), with the period large
    in the title band; the page is loaded once and each frame changes only the events' mask, the
    faded mask and the period's text. The same inputs give the same frames, byte for byte."""
    if not frames:
        raise ValueError("a playback needs at least one frame")
    if size.page_mm is not None:
        raise ValueError("a playback's frames are PNGs: give a pixel size, not a page")
    folder = Path(frames_dir)
    drawn = shown.loc[np.unique(np.concatenate([frame.rows for frame in frames]))]
    first = frames[0]
    built = _build_figure(snapshot, drawn, view, title=title, size=size, description=description, caption=caption,
                          locator=locator, exported_on=exported_on, vector_symbols_max=None,
                          period=(first.period.label, figure.period_count(len(first.rows), len(first.partial))))
    fmap, data, vocabulary, layers = built.fmap, built.data, snapshot.vocabulary, snapshot.map_layers
    # The page opens on every event the playback draws, so the legend is fitted and the scale bar
    # placed clear of them all; each frame then shows its own.
    group = folium.FeatureGroup(name="Events", control=False)
    layer = mapview.EventsLayer(data.events, eventdata.shown_mask(drawn.index.to_numpy(), data.events.count),
                                vocabulary, layers, view)
    layer.add_to(group)
    group.add_to(fmap)
    count = data.events.count
    updates = [{
        "group": group.get_name(), "label": frame.period.label,
        "count": figure.period_count(len(frame.rows), len(frame.partial)),
        "update": {**layer.update, "mask": eventdata.shown_mask(frame.rows, count),
                   "faded": eventdata.shown_mask(frame.partial, count) if len(frame.partial) else None},
    } for frame in frames]
    paths = [folder / FRAME_NAME.format(number) for number in range(1, len(frames) + 1)]
    result, read_back = renderer.render_frames(
        fmap.get_root().render(), updates, paths, width=size.width, height=size.height, scale=size.scale,
        show=_PLAYBACK_SHOW, read=_PLAYBACK_READ, tile_urls=built.tile_urls, finish=_FINISH, measure=_MEASURE,
    )
    for path, frame, seen in zip(paths, frames, read_back, strict=True):
        if seen["drawn"] != len(frame.rows):  # the update did not reach the map: never write a wrong frame
            raise ExportError(f"{path.name} ({frame.period.label}): the map drew {seen['drawn']} events, "
                              f"the period shows {len(frame.rows)}")
    return PlaybackResult(tuple(paths), tuple(read_back), _reported(result, view, "png"))


def encode_video(frames: Sequence[Path], out: Path, *, fps: float, output: str) -> None:
    """Encode the PNG frames (named by ``FRAME_NAME`` in one folder, numbered from 1) as a video
    of `output` (``VIDEO_FORMATS``) at `fps` frames a second, with Debian's ffmpeg, offline."""
    if output not in VIDEO_FORMATS:
        raise ValueError(f"unknown video format {output!r}; expected one of {', '.join(VIDEO_FORMATS)}")
    if not frames:
        raise ValueError("no frames to encode")
    encoder = shutil.which("ffmpeg")
    if encoder is None:
        logger.error("ffmpeg not found: %s", FFMPEG_HINT)
        raise ExportError(f"no ffmpeg to encode the video: {FFMPEG_HINT}")
    pattern = frames[0].parent / FRAME_NAME.replace("{:05d}", "%05d")
    command = [encoder, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-framerate", f"{fps:g}",
               "-start_number", "1", "-i", str(pattern), "-frames:v", str(len(frames)), *_ENCODERS[output], str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        logger.error("ffmpeg failed: %s", done.stderr.strip())
        out.unlink(missing_ok=True)
        raise ExportError(f"ffmpeg could not encode the video: {done.stderr.strip()[:300]}")


def pdf_to_svg(pdf: Path, svg: Path) -> None:
    """Convert a one-page PDF to SVG with poppler's pdftocairo (paths stay paths; text becomes glyph outlines)."""
    converter = shutil.which("pdftocairo")
    if converter is None:
        logger.error("pdftocairo not found: %s", POPPLER_HINT)
        raise ExportError(f"no pdftocairo to convert the PDF to SVG: {POPPLER_HINT}")
    done = subprocess.run([converter, "-svg", str(pdf), str(svg)], capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        logger.error("pdftocairo failed: %s", done.stderr.strip())
        raise ExportError(f"pdftocairo could not convert the PDF to SVG: {done.stderr.strip()[:200]}")


def _inside(snapshot: Snapshot, shown: pd.DataFrame, extent: layout.Bounds) -> pd.DataFrame:
    """The events of ``shown`` whose symbol, where the map draws it, lies inside the extent."""
    west, south, east, north = extent
    lons, lats = snapshot.symbol_points_of(shown)
    return shown[(lons >= west) & (lons <= east) & (lats >= south) & (lats <= north)]


def _touches(layer: Layer, extent: layout.Bounds) -> bool:
    """Whether any of the layer's features reaches into the extent (is drawn in the frame)."""
    return bool(shapely.intersects(layer.frame.geometry.to_numpy(), box(*extent)).any())


# --- data downloads -----------------------------------------------------------------------------

def filtered_events_geojson(frame: gpd.GeoDataFrame, points: tuple[np.ndarray, np.ndarray]) -> bytes:
    """The (filtered) joined events as a GeoJSON FeatureCollection, UTF-8: each event at its symbol
    point (``points``, ``Snapshot.symbol_points_of``), each area it stands on once in the ``places``
    member (geo.join.events_to_geojson's "ref"), so a country-wide event does not repeat an outline."""
    return json.dumps(join.events_to_geojson(frame, "ref", points), ensure_ascii=False).encode("utf-8")


def filtered_events_csv(frame: gpd.GeoDataFrame) -> bytes:
    """The (filtered) joined events as CSV, UTF-8, located by lon/lat only: an area event's WKT
    (a whole country's outline) can exceed spreadsheet cell limits; the GeoJSON has every shape."""
    return join.events_to_csv(frame, geometry="latlon").encode("utf-8")
