"""Exports: a map view as a print-quality PNG through headless Chromium, and the filtered events
as GeoJSON or CSV downloads.

The page and the command line both go through `export_view`, which builds the map with
`geo.mapview.build_map(..., for_export=True)`, adds the figure furniture (`geo.figure`) and hands
the HTML to `Renderer` with the view's basemap tile URL. The renderer (a `geo.browser.HeadlessChromium`)
serves the document and `/app/static/*` itself and aborts every other request, except those to the
tile hosts it is given.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import geopandas as gpd
import pandas as pd

from geo import figure, join, mapview
from geo.browser import DOCUMENT_URL, SLOT_TIMEOUT_S, HeadlessChromium
from geo.events import Vocabulary, load_documents
from geo.layers import LAYERS_DIR, Layer
from geo.mapview import MapView

logger = logging.getLogger(__name__)

READY_TIMEOUT_S = 30.0
MAX_SIDE_PX = 10_000  # larger captures exhaust Chromium's compositor long before they are useful

# Runs before any page script. Catches Leaflet as it is assigned to window.L so that every map is
# created without fade/zoom animations (a capture mid-fade shows half-transparent tiles: Leaflet
# #7234), and records each map and each tile layer's progress for the wait below.
_INIT_SCRIPT = """
(() => {
  const state = { maps: [], tileLayers: [] };
  window.__panjExport = state;
  let leaflet;
  Object.defineProperty(window, "L", {
    configurable: true,
    get() { return leaflet; },
    set(value) {
      leaflet = value;
      if (!value || !value.Map || value.__panjExportHooked) return;
      value.__panjExportHooked = true;
      value.Map.mergeOptions({ fadeAnimation: false, zoomAnimation: false, markerZoomAnimation: false });
      value.Map.addInitHook(function () { state.maps.push(this); });
      value.TileLayer.addInitHook(function () {
        const record = { layer: this, url: this._url, loaded: 0, failed: 0 };
        state.tileLayers.push(record);
        this.on("tileload", () => { record.loaded += 1; });
        this.on("tileerror", () => { record.failed += 1; });
      });
    },
  });
})();
"""

_READY_CONDITION = "() => Boolean(window.panjMap && window.panjMap.ready === true)"

# A tile layer is settled when it is off the map or Leaflet has fired its `load` (isLoading false).
_TILES_SETTLED = """
() => window.__panjExport.tileLayers.every(r => !r.layer._map || !r.layer.isLoading())
"""

_TILE_REPORT = """
() => window.__panjExport.tileLayers
  .filter(r => r.layer._map)
  .map(r => ({ url: r.url, loaded: r.loaded, failed: r.failed, loading: r.layer.isLoading() }))
"""

# Leaflet's canvas renderer redraws on the next animation frame; fonts may still be loading.
_SETTLED_FRAME = """
() => document.fonts.ready.then(() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done))))
"""


class ExportError(RuntimeError):
    """The page could not be rendered; the message says what the browser reported."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    width: int  # pixels in the PNG
    height: int
    failed_tiles: tuple[str, ...]  # URL templates of tile layers that did not (fully) load
    warnings: tuple[str, ...]
    blocked_urls: tuple[str, ...]  # requests the page tried that the router refused


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
    signature, ihdr_end = png[:8], 8 + 8 + 13 + 4  # signature, then IHDR: length+type, data, CRC
    if signature != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    per_metre = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    return png[:ihdr_end] + chunk + png[ihdr_end:]


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
        dpi: float | None = None, tile_urls: Sequence[str] = (),
    ) -> ExportResult:
        """Render `html` (a full page whose script sets window.panjMap.ready) to a PNG of exactly
        width x height pixels; `dpi`, when given, is written into the PNG. Beyond the document and
        /app/static/, only the hosts of the tile URL templates `tile_urls` are reached."""
        from playwright.sync_api import Error as PlaywrightError

        css_width, css_height = css_viewport(width, height, scale)
        blocked: list[str] = []
        page_errors: list[str] = []
        context = self.document_context(
            html, tile_urls=tile_urls, blocked=blocked,
            viewport={"width": css_width, "height": css_height}, device_scale_factor=scale, service_workers="block",
        )
        try:
            context.add_init_script(_INIT_SCRIPT)
            page = context.new_page()
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.goto(DOCUMENT_URL, wait_until="domcontentloaded")
            try:
                page.wait_for_function(_READY_CONDITION, timeout=READY_TIMEOUT_S * 1000)
            except PlaywrightError:
                detail = f"; page errors: {' | '.join(page_errors)}" if page_errors else ""
                message = f"the map did not report ready (window.panjMap.ready) within {READY_TIMEOUT_S:g} s{detail}"
                logger.error("export failed: %s; blocked requests: %s", message, blocked or "none")
                raise ExportError(message) from None
            tiles_timed_out = False
            try:
                page.wait_for_function(_TILES_SETTLED, timeout=self.tile_timeout_s * 1000)
            except PlaywrightError:
                tiles_timed_out = True
            tile_report = page.evaluate(_TILE_REPORT)
            page.evaluate(_SETTLED_FRAME)
            png = page.screenshot(clip={"x": 0, "y": 0, "width": css_width, "height": css_height}, type="png")
        except PlaywrightError as error:
            # The browser itself failed (crashed, ran out of memory), not the page.
            logger.exception("export failed: the browser failed while rendering")
            first_line = str(error).strip().splitlines()[0]
            raise ExportError(f"the browser failed while rendering: {first_line}") from None
        finally:
            context.close()

        failed, warnings = _tile_problems(tile_report, tiles_timed_out, self.tile_timeout_s)
        if dpi is not None:
            png = with_png_dpi(png, dpi)
        path = Path(out_path)
        path.write_bytes(png)
        pixel_width, pixel_height = png_size(png)
        return ExportResult(
            path=path, width=pixel_width, height=pixel_height, failed_tiles=failed,
            warnings=warnings, blocked_urls=tuple(blocked),
        )


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
        warnings.append(f"tiles from {host}: {reason}; the PNG shows the vector layers without them")
    return tuple(failed), tuple(warnings)


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    return struct.unpack(">II", png[16:24])


# --- map views ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportSize:
    width: int  # pixels
    height: int
    scale: float  # device pixels per CSS pixel: the figure is laid out at width/scale x height/scale
    dpi: float | None = None  # written into the PNG for print sizes

    def __post_init__(self) -> None:
        css_viewport(self.width, self.height, self.scale)  # a size Chromium cannot hit exactly is refused here


PRESETS = {
    # A 1280x720 CSS layout at 1.5x: the furniture reads at slide distance.
    "slides": ExportSize(1920, 1080, 1.5),
    # A4 landscape at 300 dpi is 3508x2480 px: 1754x1240 CSS pixels at 2x.
    "a4": ExportSize(3508, 2480, 2.0, dpi=300),
}
PRESET_LABELS = {"slides": "Slides 1920×1080", "a4": "A4 landscape 300 dpi (3508×2480)"}


def export_view(
    out_path: str | os.PathLike[str], *, layers: dict[str, Layer], events: pd.DataFrame, vocabulary: Vocabulary,
    view: MapView, title: str, size: ExportSize, renderer: Renderer, layers_dir: Path = LAYERS_DIR,
    exported_on: dt.date | None = None,
) -> ExportResult:
    """Render `view` of the (already filtered) `events` as a figure PNG at `size`.

    The map is the page's own (`build_map(..., for_export=True)`) plus the figure furniture; a
    basemap whose tiles fail leaves the vectors in place and a warning naming that basemap."""
    basemaps = mapview.load_basemaps(layers_dir)
    fmap = mapview.build_map(layers, events, vocabulary, view, basemaps=basemaps, for_export=True)
    sources = figure.sources_lines(
        mapview.attribution_text(layers, view, basemaps), _document_labels(events, layers_dir),
        exported_on or dt.date.today(),
    )
    bounds = view.bounds if view.bounds is not None else mapview.home_bounds(layers)
    figure.add_furniture(fmap, title=title, bounds=bounds, sources=sources)
    tile_url = basemaps[view.basemap].url  # build_map has refused an unknown basemap
    result = renderer.render(
        fmap.get_root().render(), out_path, width=size.width, height=size.height, scale=size.scale, dpi=size.dpi,
        tile_urls=[tile_url] if tile_url else [],
    )
    if result.failed_tiles:
        named = tuple(f"basemap {view.basemap!r}: {warning}" for warning in result.warnings)
        result = replace(result, warnings=named)
    return result


def _document_labels(events: pd.DataFrame, layers_dir: Path) -> list[str]:
    """How the sources line names each document the shown events come from."""
    wanted = set(events["document"]) if "document" in events else set()
    return [document.citation_label for document_id, document in load_documents(layers_dir).items()
            if document_id in wanted]


# --- data downloads -----------------------------------------------------------------------------

def filtered_events_geojson(frame: gpd.GeoDataFrame) -> bytes:
    """The (filtered) joined events as a GeoJSON FeatureCollection, UTF-8."""
    return json.dumps(join.events_to_geojson(frame), ensure_ascii=False).encode("utf-8")


def filtered_events_csv(frame: gpd.GeoDataFrame) -> bytes:
    """The (filtered) joined events as CSV, UTF-8, located by lon/lat only: an area event's WKT
    (a whole country's outline) can exceed spreadsheet cell limits; the GeoJSON has every shape."""
    return join.events_to_csv(frame, geometry="latlon").encode("utf-8")
