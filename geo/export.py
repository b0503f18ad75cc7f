"""Exports: a map view as a print-quality PNG through headless Chromium, and the filtered events
as GeoJSON or CSV downloads.

The page and the command line both go through `export_view`, which builds the map with
`geo.mapview.build_map(..., for_export=True)`, adds the figure furniture (`geo.figure`) and hands
the HTML to `Renderer`. The renderer serves the document and `/app/static/*` itself and aborts
every other request, except the tile hosts of a tile basemap the HTML itself declares.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import struct
import sys
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit

import geopandas as gpd
import pandas as pd

from geo import assets, figure, join, mapview
from geo.events import Vocabulary, load_documents, load_vocabulary
from geo.filters import (
    NO_LAYERS,
    FilterState,
    apply_filters,
    parse_bbox,
    range_end,
    range_start,
    region_choices,
)
from geo.layers import LAYERS_DIR, Layer, load_layers
from geo.mapview import MapView

# The document's own address: ".invalid" never resolves, so nothing can leak past the router.
DOCUMENT_URL = "http://panj.invalid/export.html"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
READY_TIMEOUT_S = 30.0
MAX_SIDE_PX = 10_000  # larger captures exhaust Chromium's compositor long before they are useful
INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: apt-get install chromium) or point PANJ_CHROMIUM "
    "(or --browser on the command line) at a Chromium or Chrome executable"
)

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

_TILE_LAYER_CALL = re.compile(r"""L\.tileLayer\(\s*("(?:[^"\\]|\\.)*")""")
_TILE_PLACEHOLDER = re.compile(r"\\\{[a-z]+\\\}")


class BrowserNotFound(RuntimeError):
    """No Chromium to render with; the message says what to install or set."""


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


def find_browser(browser_path: str | None = None) -> str:
    """The Chromium executable to use: the argument, else $PANJ_CHROMIUM, else Debian's, else
    Playwright's own download. An explicit choice that does not exist is an error, not skipped."""
    for origin, candidate in (("--browser", browser_path), ("PANJ_CHROMIUM", os.environ.get("PANJ_CHROMIUM"))):
        if candidate:
            if Path(candidate).is_file() and os.access(candidate, os.X_OK):
                return candidate
            raise BrowserNotFound(f"{origin} names {candidate!r}, which is not an executable file: {INSTALL_HINT}")
    if DEBIAN_CHROMIUM.is_file():
        return str(DEBIAN_CHROMIUM)
    bundled = _playwright_chromium()
    if bundled:
        return bundled
    raise BrowserNotFound(f"no Chromium found (looked for {DEBIAN_CHROMIUM} and Playwright's browsers): {INSTALL_HINT}")


def _playwright_chromium() -> str | None:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            path = playwright.chromium.executable_path
    except PlaywrightError:
        return None
    return path if Path(path).is_file() else None


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


def _tile_host_patterns(html: str) -> list[re.Pattern[str]]:
    """Scheme + host patterns of every tile layer the HTML declares ({s} subdomains become wildcards)."""
    patterns = []
    for literal in _TILE_LAYER_CALL.findall(html):
        parts = urlsplit(json.loads(literal))
        if parts.scheme in ("http", "https") and parts.netloc:
            host = _TILE_PLACEHOLDER.sub("[a-z0-9-]+", re.escape(parts.netloc))
            patterns.append(re.compile(rf"{parts.scheme}://{host}/"))
    return patterns


def with_png_dpi(png: bytes, dpi: float) -> bytes:
    """The PNG with a pHYs chunk saying `dpi`, so word processors place it at its print size."""
    signature, ihdr_end = png[:8], 8 + 8 + 13 + 4  # signature, then IHDR: length+type, data, CRC
    if signature != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    per_metre = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    return png[:ihdr_end] + chunk + png[ihdr_end:]


class HeadlessChromium:
    """One headless Chromium whose pages see only the document they are given and Panj's own
    static files. A context manager; `Renderer` (PNG export) and `geo.bench.DrawTimer` build on it."""

    def __init__(self, browser_path: str | None = None) -> None:
        # Resolved now so that a missing browser fails before any work is done.
        self.executable = find_browser(browser_path)
        self._playwright: Any = None
        self._browser: Any = None

    def __enter__(self) -> Self:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        # The page's /app/static/ URLs are answered from STATIC_DIR, which start-up fills.
        assets.install_static()
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(executable_path=self.executable, args=list(CHROMIUM_ARGS))
        except PlaywrightError as error:
            self._playwright.stop()
            self._playwright = None
            first_line = str(error).strip().splitlines()[0]
            raise BrowserNotFound(f"could not start {self.executable}: {first_line}: {INSTALL_HINT}") from None
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None,
    ) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()
        self._browser = self._playwright = None

    def document_context(
        self, html: str, *, allow: Sequence[re.Pattern[str]] = (), blocked: list[str] | None = None,
        **options: Any,
    ) -> Any:
        """A new browser context (Playwright's ``new_context(**options)``) that answers DOCUMENT_URL
        with `html` and its /app/static/ URLs from the local files, lets through requests matching
        `allow`, and refuses every other, appending its URL to `blocked`. The caller closes it."""
        if self._browser is None:
            raise RuntimeError(f"{type(self).__name__} used outside its `with` block")
        refused = blocked if blocked is not None else []

        def route(request_route: Any) -> None:
            url = request_route.request.url
            parts = urlsplit(url)
            if url == DOCUMENT_URL:
                request_route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            elif _origin(url) == _origin(DOCUMENT_URL) and parts.path.startswith(assets.STATIC_URL):
                local = assets.local_file(parts.path)
                if local is None:
                    refused.append(url)
                    request_route.fulfill(status=404, body="")
                else:
                    request_route.fulfill(status=200, path=str(local))
            elif any(pattern.match(url) for pattern in allow):
                request_route.continue_()
            else:
                refused.append(url)
                request_route.abort("blockedbyclient")

        context = self._browser.new_context(**options)
        context.route("**/*", route)
        return context


class Renderer(HeadlessChromium):
    """One headless Chromium for a batch of exports. Use as a context manager:

    >>> with Renderer() as renderer:                      # doctest: +SKIP
    ...     renderer.render(html, "a.png", width=1920, height=1080, scale=1.5)
    """

    def __init__(self, browser_path: str | None = None, *, tile_timeout_s: float = 15.0) -> None:
        super().__init__(browser_path)
        self.tile_timeout_s = tile_timeout_s

    def render(
        self, html: str, out_path: str | os.PathLike[str], *, width: int, height: int, scale: float,
        dpi: float | None = None,
    ) -> ExportResult:
        """Render `html` (a full page whose script sets window.panjMap.ready) to a PNG of exactly
        width x height pixels; `dpi`, when given, is written into the PNG. Only the tile hosts the
        HTML itself declares are reached beyond the document and /app/static/."""
        from playwright.sync_api import Error as PlaywrightError

        css_width, css_height = css_viewport(width, height, scale)
        blocked: list[str] = []
        page_errors: list[str] = []
        context = self.document_context(
            html, allow=_tile_host_patterns(html), blocked=blocked,
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
                raise ExportError(
                    f"the map did not report ready (window.panjMap.ready) within {READY_TIMEOUT_S:g} s{detail}"
                ) from None
            tiles_timed_out = False
            try:
                page.wait_for_function(_TILES_SETTLED, timeout=self.tile_timeout_s * 1000)
            except PlaywrightError:
                tiles_timed_out = True
            tile_report = page.evaluate(_TILE_REPORT)
            page.evaluate(_SETTLED_FRAME)
            png = page.screenshot(clip={"x": 0, "y": 0, "width": css_width, "height": css_height}, type="png")
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


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


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
    # A4 landscape at 300 dpi is 3508x2480 px: 1754x1240 CSS pixels at 2x (FIELD-NOTES).
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
    labels = _point_labels(layers, view.visible_layers)
    figure.add_furniture(fmap, title=title, bounds=bounds, sources=sources, labels=labels)
    result = renderer.render(
        fmap.get_root().render(), out_path, width=size.width, height=size.height, scale=size.scale, dpi=size.dpi,
    )
    if result.failed_tiles:
        named = tuple(f"basemap {view.basemap!r}: {warning}" for warning in result.warnings)
        result = replace(result, warnings=named)
    return result


def _point_labels(layers: dict[str, Layer], visible: Iterable[str]) -> list[tuple[float, float, str]]:
    """(lon, lat, label) of every feature of the visible point layers (places, posts)."""
    labels = []
    for layer_id in visible:
        spec, frame = layers[layer_id].spec, layers[layer_id].frame
        if spec.geometry != "Point":
            continue
        for point, text in zip(frame.geometry.representative_point(), frame[spec.label_field], strict=True):
            labels.append((point.x, point.y, str(text)))
    return labels


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


# --- command line -------------------------------------------------------------------------------

_DESCRIPTION = """\
Render a view of the Panj map (layers, filtered events, basemap, extent) to a PNG figure with a
title, legend, scale bar, north arrow, sources line and export date, through headless Chromium.
The map is the same one the page draws. Filters combine as on the page: an event is shown when it
matches every option given, and any of the values given for one option."""

_EPILOG = """\
dates: YYYY, YYYY-MM or YYYY-MM-DD. A partial --from starts at its first day and a partial --to
  ends at its last: --from 2022 --to 2022 is the whole of 2022. An event is shown when the days
  its own (partial) date allows overlap that range.
regions: gbao, wakhan, country:<id> (e.g. country:afghanistan), province:<id> (e.g. province:badakhshan).
sizes: --preset slides is 1920x1080 px at scale 1.5 (a 1280x720 layout); --preset a4 is
  3508x2480 px, A4 landscape at 300 dpi, at scale 2. --width/--height/--scale override the preset;
  width/scale and height/scale must be whole numbers (the page is laid out in CSS pixels).
basemaps: tiles come from the provider's servers; when they cannot be fetched within
  --tile-timeout seconds the PNG is written without them and a warning names the basemap.
browser: --browser, else $PANJ_CHROMIUM, else /usr/bin/chromium, else Playwright's own Chromium.

exit status: 0 written; 1 no browser, unreadable data or rendering failed; 2 bad option or value.

examples:
  python -m geo export --out figure.png
  python -m geo export --out russia-china.png --actor russia china --from 2022 --to 2022 --preset a4
  python -m geo export --out gbao.png --region gbao --bbox 70.5,36.6,75.2,39.5 --basemap street"""


class _OptionError(ValueError):
    """A bad command-line value; the message names the option."""


_Value = TypeVar("_Value")


def _parser(basemaps: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo export", description=_DESCRIPTION, epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", required=True, type=Path, metavar="FILE.png", help="the PNG to write")
    parser.add_argument("--title", help="the figure's title (default: a description of the filters, "
                        "e.g. 'Russia, China · 2022 · 5 of 29 events')")
    filters_group = parser.add_argument_group("filters")
    filters_group.add_argument("--from", dest="date_from", metavar="DATE", help="first day shown")
    filters_group.add_argument("--to", dest="date_to", metavar="DATE", help="last day shown")
    filters_group.add_argument("--actor", nargs="+", action="extend", metavar="ID",
                               help="actor ids (layers/vocabularies.json)")
    filters_group.add_argument("--type", dest="event_type", nargs="+", action="extend", metavar="ID",
                               help="event-type ids")
    filters_group.add_argument("--region", nargs="+", action="extend", metavar="R", help="region ids (see below)")
    filters_group.add_argument("--text", default="", metavar="Q", help="words in an event's title or summary")
    view_group = parser.add_argument_group("view")
    view_group.add_argument("--layers", metavar="ID,ID,...",
                            help="layers to draw (default: those the manifest shows; 'none' for no layers)")
    view_group.add_argument("--bbox", metavar="W,S,E,N",
                            help="extent in degrees, fitted exactly (default: the map's home extent)")
    view_group.add_argument("--basemap", choices=basemaps, default=mapview.BASEMAP_NONE,
                            help="background tiles (default: none)")
    size_group = parser.add_argument_group("size")
    size_group.add_argument("--preset", choices=PRESETS, default="slides", help="size preset (default: slides)")
    size_group.add_argument("--width", type=int, metavar="N", help="PNG width in pixels")
    size_group.add_argument("--height", type=int, metavar="N", help="PNG height in pixels")
    size_group.add_argument("--scale", type=float, metavar="F", help="device pixels per CSS pixel")
    browser_group = parser.add_argument_group("browser")
    browser_group.add_argument("--browser", metavar="PATH", help="Chromium or Chrome executable")
    browser_group.add_argument("--tile-timeout", type=float, default=15.0, metavar="S",
                               help="seconds to wait for basemap tiles (default: 15)")
    parser.add_argument("--layers-dir", type=Path, default=LAYERS_DIR, metavar="DIR",
                        help="data directory with manifest.json, vocabularies.json and events/ (default: %(default)s)")
    return parser


def _option_value(option: str, text: str | None, read: Callable[[str], _Value]) -> _Value | None:
    """``read(text)`` (None when the option is absent), its ValueError as an _OptionError naming the option."""
    if text is None:
        return None
    try:
        return read(text)
    except ValueError as error:
        raise _OptionError(f"{option} {text}: {error}") from None


def _ids(option: str, chosen: list[str] | None, known: Iterable[str], what: str) -> frozenset[str] | None:
    if not chosen:
        return None
    known = list(known)
    unknown = [item for item in chosen if item not in known]
    if unknown:
        raise _OptionError(f"{option}: unknown {what} {', '.join(map(repr, unknown))}; known: {', '.join(known)}")
    return frozenset(chosen)


def _visible_layers(text: str | None, layers: dict[str, Layer]) -> tuple[str, ...]:
    if text is None:
        return tuple(layer_id for layer_id, layer in layers.items() if layer.spec.visible)
    if text.strip() == NO_LAYERS:
        return ()
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [item for item in chosen if item not in layers]
    if unknown or not chosen:
        raise _OptionError(f"--layers {text}: unknown layer(s) {', '.join(map(repr, unknown)) or '(none given)'}; "
                           f"known: {', '.join(layers)} or 'none'")
    return tuple(layer_id for layer_id in layers if layer_id in chosen)  # drawing order


def _size(args: argparse.Namespace) -> ExportSize:
    preset = PRESETS[args.preset]
    custom = args.width is not None or args.height is not None or args.scale is not None
    try:
        return ExportSize(
            width=preset.width if args.width is None else args.width,
            height=preset.height if args.height is None else args.height,
            scale=preset.scale if args.scale is None else args.scale,
            dpi=None if custom else preset.dpi,  # the preset's dpi no longer holds for another size
        )
    except ValueError as error:
        raise _OptionError(f"size: {error}") from None


def main(argv: list[str] | None = None) -> int:
    """``python -m geo export``: see --help. Returns the exit status."""
    # The data directory is read first: the other options are checked against its ids and basemaps.
    data_option = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    data_option.add_argument("--layers-dir", type=Path, default=LAYERS_DIR)
    layers_dir = data_option.parse_known_args(argv)[0].layers_dir
    try:
        layers = load_layers(layers_dir)
        vocabulary = load_vocabulary(layers_dir)
        basemaps = mapview.load_basemaps(layers_dir)
        events = join.load_joined_events(layers_dir)
    except ValueError as error:  # LayerError, EventsError, JoinError and a bad basemaps.json all are
        print(f"python -m geo export: cannot read the map data: {error}", file=sys.stderr)
        return 1
    regions = region_choices(events, layers)
    parser = _parser(list(basemaps))
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse has printed usage and the error (2), or the help (0)
        return int(stop.code or 0)

    try:
        if args.out.suffix.lower() != ".png":
            raise _OptionError(f"--out {args.out}: the file name must end in .png")
        if not args.out.parent.is_dir():
            raise _OptionError(f"--out {args.out}: folder {args.out.parent} does not exist")
        if not (math.isfinite(args.tile_timeout) and args.tile_timeout > 0):
            raise _OptionError(f"--tile-timeout {args.tile_timeout:g}: must be a positive number of seconds")
        date_from = _option_value("--from", args.date_from, range_start)
        date_to = _option_value("--to", args.date_to, range_end)
        if date_from and date_to and date_from > date_to:
            raise _OptionError(f"--from {args.date_from} is after --to {args.date_to}")
        state = FilterState(
            date_from=date_from, date_to=date_to,
            actors=_ids("--actor", args.actor, vocabulary.actors, "actor(s)"),
            event_types=_ids("--type", args.event_type, vocabulary.event_types, "event type(s)"),
            regions=_ids("--region", args.region, regions, "region(s)"),
            text=args.text,
        )
        view = mapview.MapView(
            visible_layers=_visible_layers(args.layers, layers), basemap=args.basemap,
            bounds=_option_value("--bbox", args.bbox, parse_bbox), highlight=None,
        )
        size = _size(args)
    except _OptionError as error:
        parser.print_usage(sys.stderr)
        print(f"python -m geo export: error: {error}", file=sys.stderr)
        return 2

    shown = apply_filters(events, state)
    title = args.title
    if title is None:
        title = figure.describe_filters(state, events, vocabulary, regions)
    try:
        with Renderer(args.browser, tile_timeout_s=args.tile_timeout) as renderer:
            result = export_view(
                args.out, layers=layers, events=shown, vocabulary=vocabulary, view=view, title=title,
                size=size, renderer=renderer, layers_dir=layers_dir,
            )
    except (BrowserNotFound, ExportError) as error:
        print(f"python -m geo export: {error}", file=sys.stderr)
        return 1
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{result.path} ({result.width}×{result.height} px, {len(shown)} of {len(events)} events)")
    return 0
