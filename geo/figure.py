"""The exported figure: a layout (``geo.layout``) of a title band, the map frame and a panel holding
the legend, a locator inset and the sources line, with the scale bar and north arrow on the map in a
corner no event or name is under (docs/ARCHITECTURE.md, "Figures"); and the print styling that
hides the page's interactive controls and sets the type sizes (the map's names are the page's own,
``geo.labels``).

Each piece is a ``geo.markup.DataElement`` whose HTML/JS is a Jinja template on the class (the
figure's own script is ``geo/web/figure.js``, placed in the page and called with its numbers); text
from data reaches the page through ``|e`` (HTML) or ``|tojson`` (JavaScript), rendered once. Type
is sized in points of the figure's reference page (``geo.layout``): the same figure reads alike on
a slide and on paper.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import folium
import pandas as pd
import shapely
from jinja2 import Template
from shapely.geometry import box

from geo import assets, fatalities, layout
from geo.events import STATUSES, Vocabulary
from geo.filters import FilterState, apply_filters, date_span
from geo.frontier import SIDE_NAMES
from geo.layers import Layer
from geo.markup import DataElement

MAX_LISTED_TERMS = 3  # beyond this a title says "5 actors" rather than naming them all
DEFAULT_TITLE = "The Tajikistan–Afghanistan frontier"
LOCATOR_LAYER = "countries"
# The locator shows this much of Central Asia (W, S, E, N), widened to take in the map's extent.
LOCATOR_REGION = (55.0, 28.0, 82.0, 45.0)
LOCATOR_HIGHLIGHT = ("tajikistan", "afghanistan")
LOCATOR_SIMPLIFY_DEG = 0.03
LOCATOR_MIN_MARK_PX = 5.0  # a frame smaller than this on the locator is drawn as a box this size
_FIGURE_SCRIPT = assets.web_script("figure.js")  # the figure's own script, placed in its page


class PrintStyle(DataElement):
    """Hides zoom, layer and Leaflet attribution controls (the sources line replaces it) and sets
    the figure's type sizes from its point size (``--pt``, CSS pixels per point)."""

    _template = Template("""
{% macro header(this, kwargs) %}
<style>
  :root { --pt: {{ this.pt }}px; --panj-font: calc(var(--pt) * {{ this.map_text_pt }}); }
  html, body { background: #fff; overflow: hidden; }
  .leaflet-control-zoom, .leaflet-control-layers, .leaflet-control-attribution { display: none !important; }
  .panj-figure-text { color: #1a1a1a; font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
  /* The map's names (geo/web/panj-labels.js) at the figure's type size. A PDF keeps them as text
     only if each name is printed once, its letters close enough to read as one word: a halo of
     offset shadows prints the name nine times (blurred ones print as an image), and pdftotext
     takes letter-spacing above about 0.1em for spaces ("A F G H…"). */
  .leaflet-container .panj-label-pane { --panj-label-font: calc(var(--panj-font) * 0.85); }
  .leaflet-container .panj-label { text-shadow: 0 0 1px #fff, 0 0 1px #fff, 0 0 1px #fff, 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }
  .leaflet-container .panj-label-rank-country { letter-spacing: 0.08em; }
  .leaflet-container .panj-label-rank-province { letter-spacing: 0.06em; }
</style>
{% endmacro %}
""")

    def __init__(self, pt: float) -> None:
        super().__init__()
        self._name = "PrintStyle"
        self.pt = round(pt, 4)
        self.map_text_pt = layout.MAP_TEXT_PT


class ExactFit(DataElement):
    """Fits the map to bounds exactly: fractional zoom (zoomSnap 0), no padding, no animation."""

    _template = Template("""
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.options.zoomSnap = 0;
{{ this._parent.get_name() }}.fitBounds({{ this.leaflet_bounds|tojson }}, {animate: false, padding: [0, 0]});
{% endmacro %}
""")

    def __init__(self, bounds: tuple[float, float, float, float]) -> None:
        super().__init__()
        self._name = "ExactFit"
        west, south, east, north = bounds
        self.leaflet_bounds = [[south, west], [north, east]]


@dataclass(frozen=True)
class Locator:
    """The locator inset as SVG shapes in its own viewBox: the countries, and the map's extent."""

    width: float
    height: float
    countries: tuple[tuple[str, bool], ...]  # (SVG path, highlighted)
    extent: tuple[float, float, float, float]  # x, y, width, height of the map's extent


def locator(layers: Mapping[str, Layer], extent: layout.Bounds, width_px: float = 300.0) -> Locator | None:
    """The locator inset from the shipped countries layer (``LOCATOR_LAYER``), or None without that
    layer or when the map's extent is nowhere near it."""
    if LOCATOR_LAYER not in layers:
        return None
    frame = layers[LOCATOR_LAYER].frame
    west, south, east, north = shapely.total_bounds(frame.geometry.to_numpy())
    if extent[2] < west or extent[0] > east or extent[3] < south or extent[1] > north:
        return None
    region = (min(LOCATOR_REGION[0], extent[0]), min(LOCATOR_REGION[1], extent[1]),
              max(LOCATOR_REGION[2], extent[2]), max(LOCATOR_REGION[3], extent[3]))
    # Plate carrée squeezed by the cosine of the middle latitude: near enough true shapes at this size.
    squeeze = math.cos(math.radians((region[1] + region[3]) / 2))
    scale = width_px / ((region[2] - region[0]) * squeeze)
    height_px = (region[3] - region[1]) * scale

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - region[0]) * squeeze * scale, (region[3] - lat) * scale

    window = box(*region)
    countries = []
    for feature_id, geometry in zip(frame.index, frame.geometry, strict=True):
        clipped = geometry.intersection(window).simplify(LOCATOR_SIMPLIFY_DEG)
        path = _svg_path(clipped, project)
        if path:
            countries.append((path, str(feature_id) in LOCATOR_HIGHLIGHT))
    left, top = project(extent[0], extent[3])
    right, bottom = project(extent[2], extent[1])
    mark_w, mark_h = max(right - left, LOCATOR_MIN_MARK_PX), max(bottom - top, LOCATOR_MIN_MARK_PX)
    centre_x, centre_y = (left + right) / 2, (top + bottom) / 2
    return Locator(round(width_px, 2), round(height_px, 2), tuple(countries),
                   tuple(round(v, 2) for v in (centre_x - mark_w / 2, centre_y - mark_h / 2, mark_w, mark_h)))


def _svg_path(geometry: shapely.Geometry, project) -> str:
    parts = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            points = [project(x, y) for x, y in ring.coords]
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(parts)


class FigurePage(DataElement):
    """The figure around the map: the map's frame placed by the layout, the title band, the panel
    (legend moved in from the map, locator, sources), a scene's caption, and on the map one control
    holding the north arrow and the scale bar.

    ``window.panjFigure.finish(tiles)`` (the exporter calls it once the map and its tiles are
    drawn, with the tile report) drops the basemap credit when no tile was drawn, fits the legend to
    its part of the panel (more columns, then smaller type down to 7 pt; then the locator moves to a
    corner of the map no symbol is under; then the last actor rows give way to a row saying "and N
    more actors"), and puts the scale bar and
    north arrow in the first corner of the map with no event or point symbol under them, else in
    the panel; ``window.panjFigure.measure()`` gives every part's box in CSS pixels, the drawn
    names and event symbols, and the map's extent, for the exporter's report and the tests."""

    _template = Template("""
{% macro header(this, kwargs) %}
<style>
  .folium-map {
    position: absolute !important; left: {{ this.frame.left }}px !important; top: {{ this.frame.top }}px !important;
    width: {{ this.frame.width }}px !important; height: {{ this.frame.height }}px !important;
    outline: calc(var(--pt) * 0.6) solid #444; background: #fff;
  }
  .panj-figure-part { position: absolute; box-sizing: border-box; overflow: hidden; }
  #panj-figure-title h1 { margin: 0; font-size: calc(var(--pt) * {{ this.title_pt }}); font-weight: 700; line-height: 1.25;
    white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  #panj-figure-title p { margin: calc(var(--pt) * 2) 0 0; font-size: calc(var(--pt) * {{ this.subtitle_pt }}); line-height: 1.35; color: #333; }
  #panj-figure-panel { display: flex; flex-direction: {{ "column" if this.panel_side == "right" else "row" }};
    gap: calc(var(--pt) * 5); }
  /* The side column keeps its own height (locator, furniture, sources) and the legend has the rest,
     whatever its length: how much room it has does not depend on how much it holds. */
  #panj-figure-panel .panj-figure-side { display: flex; flex-direction: column; gap: calc(var(--pt) * 5);
    {{ "flex: 0 1 auto; min-height: 0;" if this.panel_side == "right" else "flex: 0 0 34%;" }} }
  #panj-figure-legend { flex: 1 1 0; min-height: 0; min-width: 0; overflow: hidden; }
  #panj-figure-legend .panj-legend {
    position: static; margin: 0; padding: 0; max-width: none; width: 100%; box-sizing: border-box;
    background: none; box-shadow: none; border-radius: 0; color: #1a1a1a;
    font: calc(var(--pt) * {{ this.legend_pt }})/1.25 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif;
    column-gap: calc(var(--pt) * 6);
  }
  #panj-figure-legend .panj-legend-toggle { display: none !important; }
  #panj-figure-legend .panj-legend-body { display: block !important; margin: 0; max-height: none; overflow: visible; padding: 0; }
  #panj-figure-legend .panj-legend h4 { font-size: 1.05em; margin: 0.5em 0 0.15em; break-after: avoid; }
  #panj-figure-legend .panj-legend h4:first-child { margin-top: 0; }
  #panj-figure-legend .panj-legend-item { align-items: flex-start; gap: 0.45em; margin: 0.12em 0; break-inside: avoid; }
  #panj-figure-legend .panj-legend-item span { overflow-wrap: anywhere; }
  #panj-figure-legend .panj-legend-item svg { width: 1.8em; height: 1.15em; flex: none; }
  #panj-figure-legend .panj-legend-item canvas { width: 1.3em !important; height: 1.3em !important; flex: none; margin: -0.05em 0.25em 0; }
  #panj-figure-legend .panj-legend-more { display: block; padding-left: 2.25em; font-style: italic; }
  #panj-figure-locator svg { display: block; width: 100%; height: auto; max-height: 100%; }
  /* The locator moved onto the map to give the legend the panel (geo/web/figure.js). */
  .leaflet-container .leaflet-control.panj-map-locator { margin: calc(var(--pt) * 5); background: #fff;
    outline: calc(var(--pt) * 0.6) solid #444; }
  #panj-figure-sources { font-size: calc(var(--pt) * {{ this.sources_pt }}); line-height: 1.35; color: #333; flex: none; }
  #panj-figure-furniture:empty { display: none; }
  #panj-figure-furniture { flex: none; }
  #panj-figure-caption { font-size: calc(var(--pt) * {{ this.caption_pt }}); line-height: 1.35; font-style: italic;
    border-left: calc(var(--pt) * 1.5) solid #888; padding-left: calc(var(--pt) * 4); }
  /* The scale bar and north arrow: one box on the map (or in the panel when no corner is free). */
  .panj-map-furniture { display: flex; align-items: flex-end; gap: calc(var(--pt) * 5);
    background: rgba(255, 255, 255, 0.85); padding: calc(var(--pt) * 2.5) calc(var(--pt) * 4); border-radius: 2px; }
  .leaflet-container .leaflet-control.panj-map-furniture { margin: calc(var(--pt) * 5); }
  .panj-map-furniture .panj-north svg { display: block; width: calc(var(--pt) * 13); height: calc(var(--pt) * 19); }
  .leaflet-control-scale:not(.panj-scale) { display: none; }
  .panj-map-furniture .leaflet-control-scale { margin: 0; float: none; }
  .panj-map-furniture .leaflet-control-scale-line {
    font: 700 calc(var(--pt) * 7.5)/1.2 "DejaVu Sans", Arial, sans-serif; color: #1a1a1a; background: none;
    border: calc(var(--pt) * 1.3) solid #1a1a1a; border-top: none; padding: 0 0.4em;
  }
</style>
{% endmacro %}
{% macro html(this, kwargs) %}
<div id="panj-figure-title" class="panj-figure-part panj-figure-text" style="{{ this.style('title') }}">
  <h1>{{ this.title|e }}</h1>
  <p id="panj-figure-subtitle">{{ this.subtitle|e }}</p>
</div>
<div id="panj-figure-panel" class="panj-figure-part panj-figure-text" style="{{ this.style('panel') }}">
  <div id="panj-figure-legend"></div>
  <div class="panj-figure-side">
    {%- if this.locator %}
    <div id="panj-figure-locator" aria-label="Locator map">
      <svg viewBox="0 0 {{ this.locator.width }} {{ this.locator.height }}" preserveAspectRatio="xMidYMid meet">
        <rect x="0" y="0" width="{{ this.locator.width }}" height="{{ this.locator.height }}" fill="#eef3f7" stroke="#666" stroke-width="1"/>
        {%- for path, highlighted in this.locator.countries %}
        <path d="{{ path|e }}" fill="{{ '#d9d4c7' if highlighted else '#f3f1ea' }}" stroke="#8a8a8a" stroke-width="0.7"/>
        {%- endfor %}
        <rect class="panj-locator-extent" x="{{ this.locator.extent[0] }}" y="{{ this.locator.extent[1] }}"
              width="{{ this.locator.extent[2] }}" height="{{ this.locator.extent[3] }}"
              fill="rgba(214, 39, 40, 0.12)" stroke="#d62728" stroke-width="2"/>
      </svg>
    </div>
    {%- endif %}
    <div id="panj-figure-furniture"></div>
    <div id="panj-figure-sources">
      {%- for line in this.sources %}<div{% if line.credit %} data-panj-credit="{{ line.credit|e }}"{% endif %}>{{ line.text|e }}</div>{% endfor -%}
    </div>
  </div>
</div>
{%- if this.caption %}
<div id="panj-figure-caption" class="panj-figure-part panj-figure-text" style="{{ this.style('caption') }}">{{ this.caption|e }}</div>
{%- endif %}
{% endmacro %}
{% macro script(this, kwargs) %}
{{ this.script }}
panjFigureSetup({{ this._parent.get_name() }}, {{ this.options|tojson }});
{% endmacro %}
""")

    north_arrow = ('<div class="panj-north"><svg viewBox="0 0 22 32" aria-label="North">'
                   '<text x="11" y="9" text-anchor="middle" font-size="9" font-weight="700" font-family="DejaVu Sans, sans-serif">N</text>'
                   '<polygon points="11,11 18,31 11,26 4,31" fill="#1a1a1a"/>'
                   '<polygon points="11,11 11,26 4,31" fill="#ffffff" stroke="#1a1a1a" stroke-width="1"/></svg></div>')

    def __init__(
        self, figure_layout: layout.FigureLayout, *, title: str, subtitle: str, sources: Sequence[SourceLine],
        locator_inset: Locator | None = None, caption: str | None = None,
    ) -> None:
        super().__init__()
        self._name = "FigurePage"
        self.layout = figure_layout
        self.width, self.height, self.pt = figure_layout.width, figure_layout.height, figure_layout.pt
        self.frame = figure_layout.frame
        self.panel_side = figure_layout.panel_side
        self.title, self.subtitle, self.caption = title, subtitle, caption
        self.sources = list(sources)
        self.locator = locator_inset
        self.title_pt, self.subtitle_pt, self.legend_pt = layout.TITLE_PT, layout.SUBTITLE_PT, layout.LEGEND_PT
        self.sources_pt, self.caption_pt, self.min_pt = layout.SOURCES_PT, layout.CAPTION_PT, layout.MIN_TEXT_PT
        self.script = _FIGURE_SCRIPT
        self.options = {"pt": self.pt, "legendPt": self.legend_pt, "minPt": self.min_pt, "northArrow": self.north_arrow,
                        "width": self.width, "height": self.height, "panelSide": self.panel_side}

    def style(self, part: str) -> str:
        """The part's position, from the layout (numbers only)."""
        place: layout.Box = getattr(self.layout, part)
        return (f"left: {place.left:.2f}px; top: {place.top:.2f}px; "
                f"width: {place.width:.2f}px; height: {place.height:.2f}px;")


class PeriodBox(DataElement):
    """A playback's period, large at the right end of the title band, with how many events it
    shows under it; the title and subtitle keep clear of it. A video's frames change its text
    (``geo.export.export_playback``); here it holds the first frame's."""

    _template = Template("""
{% macro header(this, kwargs) %}
<style>
  #panj-figure-title { padding-right: {{ this.reserve }}px; }
  #panj-figure-period { text-align: right; display: flex; flex-direction: column; justify-content: center; }
  #panj-figure-period-label { font-size: calc(var(--pt) * {{ this.period_pt }}); font-weight: 700; line-height: 1.1;
    white-space: nowrap; }
  #panj-figure-period-count { font-size: calc(var(--pt) * {{ this.count_pt }}); line-height: 1.3; color: #333; white-space: nowrap; }
</style>
{% endmacro %}
{% macro html(this, kwargs) %}
<div id="panj-figure-period" class="panj-figure-part panj-figure-text" style="{{ this.style }}">
  <div id="panj-figure-period-label">{{ this.label|e }}</div>
  <div id="panj-figure-period-count">{{ this.count|e }}</div>
</div>
{% endmacro %}
""")

    def __init__(self, figure_layout: layout.FigureLayout, *, label: str, count: str) -> None:
        super().__init__()
        self._name = "PeriodBox"
        title = figure_layout.title
        width = title.width * PERIOD_SHARE
        self.reserve = round(width, 2)
        self.style = (f"left: {title.right - width:.2f}px; top: {title.top:.2f}px; "
                      f"width: {width:.2f}px; height: {title.height:.2f}px;")
        self.period_pt, self.count_pt = PERIOD_PT, layout.SUBTITLE_PT
        self.label, self.count = label, count


PERIOD_SHARE = 0.3  # of the title band's width, at its right end, for a playback's period
PERIOD_PT = 18.0  # with the count line under it, as tall as a one-line subtitle's title band


STEP_WORDS = {"day": "day by day", "week": "week by week", "month": "month by month", "year": "year by year"}


def playback_description(description: str, step: str, mode: str) -> str:
    """A playback's subtitle: what the filters show, how it steps, and what a lighter symbol means."""
    how = STEP_WORDS[step] + (", everything up to each period" if mode == "upto" else "")
    return " · ".join(part for part in (description, how, "lighter: dates reaching beyond the period") if part)


def period_count(shown: int, partial: int) -> str:
    """The line under a playback's period: how many events it shows, how many of them lighter."""
    text = f"{shown} event{'' if shown == 1 else 's'}"
    return f"{text}, {partial} lighter" if partial else text


@dataclass(frozen=True)
class SourceLine:
    text: str
    credit: str | None = None  # "basemap": dropped from the figure when no tile was drawn


def sources_lines(credits: str, event_sources: Iterable[str], exported_on: dt.date) -> list[str]:
    """The sources line's text: map data credits (``geo.mapview.attribution_text``), the documents
    the events come from, and the export date."""
    lines = [f"Map data: {credits}"] if credits else []
    events = list(dict.fromkeys(text.strip() for text in event_sources if text.strip()))
    if events:
        lines.append("Events: " + "; ".join(events))
    lines.append(f"Exported {exported_on.isoformat()} with Panj")
    return lines


def source_lines(credits: str, basemap_credit: str, event_sources: Iterable[str],
                 exported_on: dt.date) -> list[SourceLine]:
    """The sources lines of a figure (``sources_lines``), with the basemap's credit after the map
    data's, marked so that the figure drops it when none of the basemap's tiles was drawn."""
    lines = [SourceLine(text) for text in sources_lines(credits, event_sources, exported_on)]
    if basemap_credit:
        lines.insert(1 if credits else 0, SourceLine(f"Basemap: {basemap_credit}", credit="basemap"))
    return lines


def add_figure(
    fmap: folium.Map, *, figure_layout: layout.FigureLayout, title: str, subtitle: str,
    bounds: tuple[float, float, float, float], sources: Sequence[SourceLine], locator_inset: Locator | None = None,
    caption: str | None = None, period: PeriodBox | None = None,
) -> folium.Map:
    """Lay out a map built for export (which carries its own legend and names, see geo.mapview
    and geo.labels) as the figure, with a playback's `period` in its title band; returns the same map."""
    # The document's <title> becomes a PDF's Title metadata (Chromium's printing); branca's
    # template writes it unescaped.
    fmap.get_root().title = html.escape(title)
    for element in (
        PrintStyle(figure_layout.pt),
        FigurePage(figure_layout, title=title, subtitle=subtitle, sources=sources, locator_inset=locator_inset,
                   caption=caption),
        *((period,) if period is not None else ()),
        ExactFit(bounds),
    ):
        element.add_to(fmap)
    return fmap


def subtitle(description: str, *, shown: int, in_frame: int) -> str:
    """The figure's subtitle: what the filters show (``describe_shown``) and, when the map's
    extent leaves some of the shown events out, how many it holds."""
    parts = [description] if description else []
    if in_frame != shown:
        # "of the N events", not "of them": the fatalities' sums may stand just before it.
        parts.append(f"{in_frame} of the {shown} events in this map's extent" if description
                     else f"{in_frame} events in this map's extent")
    return " · ".join(parts)


# --- the default title ---------------------------------------------------------------------------

def describe_filters(
    state: FilterState, events: pd.DataFrame, vocabulary: Vocabulary,
    region_names: Mapping[str, str] | None = None, *, shown: int | None = None,
    stretch_names: Mapping[str, str] | None = None,
) -> str:
    """A plain description of what the filters show, for a figure title; ``stretch_names``: the
    frontier's stretches by id (``Snapshot.stretch_names``).

    ``events`` is the unfiltered joined frame; ``shown``, how many events the filters leave when the
    caller has them already (else they are filtered here). "All 19 events, Nov 2021 – Jun 2022"
    without filters; "Russia, China · 2022 · 5 of 19 events" with some.
    """
    total = len(events)
    noun = "event" if total == 1 else "events"
    if state.is_default:
        span = date_span(events)
        when = f", {_month_span(*span)}" if span else ""
        return f"All {total} {noun}{when}"
    if shown is None:
        shown = len(apply_filters(events, state))
    names = region_names or {}
    parts = [
        _terms(state.actors, {t.id: t.name for t in vocabulary.actors.values()}, "actors"),
        _terms(state.event_types, {t.id: t.name for t in vocabulary.event_types.values()}, "event types"),
        _terms(state.statuses, {status: status.capitalize() for status in STATUSES}, "statuses"),
        _terms(state.regions, names, "regions"),
        f"within {state.within_km:g} km of the frontier" if state.within_km is not None else "",
        _terms(state.sides, SIDE_NAMES, "banks"),
        _terms(state.stretches, stretch_names or {}, "frontier stretches"),
        fatalities.range_text(state.fatalities_min, state.fatalities_max),
        (f"{state.along_km[0]:g}–{state.along_km[1]:g} km along the frontier" if state.along_km is not None else ""),
        _date_range(state.date_from, state.date_to),
        f"“{state.text.strip()}”" if state.text.strip() else "",
        f"{shown} of {total} {noun}",
    ]
    return " · ".join(part for part in parts if part)


def describe_shown(
    state: FilterState, events: pd.DataFrame, vocabulary: Vocabulary, region_names: Mapping[str, str] | None,
    shown: pd.DataFrame, stretch_names: Mapping[str, str] | None = None,
) -> str:
    """``describe_filters``, the shown events' months when the filters name no dates, and their
    fatalities when some event reports any (``geo.fatalities.sums_text``): what a figure's
    subtitle says is shown."""
    description = describe_filters(state, events, vocabulary, region_names, shown=len(shown),
                                   stretch_names=stretch_names)
    span = date_span(shown) if not shown.empty else None
    if not (state.is_default or state.date_from or state.date_to or span is None):
        description = f"{description} · {_month_span(*span)}"
    if fatalities.carried(events):
        description = f"{description} · {fatalities.sums_text(fatalities.sums(shown))}"
    return description


def _terms(chosen: frozenset[str] | None, names: Mapping[str, str], plural: str) -> str:
    if not chosen:
        return ""
    if len(chosen) > MAX_LISTED_TERMS:
        return f"{len(chosen)} {plural}"
    # Vocabulary order, so the same choice always reads the same way.
    ordered = [term for term in names if term in chosen] + sorted(chosen - set(names))
    return ", ".join(names.get(term, term) for term in ordered)


def _month_span(first: dt.date, last: dt.date) -> str:
    start, end = first.strftime("%b %Y"), last.strftime("%b %Y")
    return start if start == end else f"{start} – {end}"


def _date_range(start: dt.date | None, end: dt.date | None) -> str:
    """'2022', 'May 2022', 'Nov 2021 – Jun 2022', '11 May – 10 Jun 2022', 'from May 2022'..."""
    if start is None and end is None:
        return ""
    if end is None:
        return f"from {_day_or_month(start, last=False)}"  # type: ignore[arg-type]
    if start is None:
        return f"until {_day_or_month(end, last=True)}"
    whole_years = (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
    if whole_years:
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    if start.day == 1 and _is_month_end(end):
        return _month_span(start, end)
    if start == end:
        return f"{start.day} {start:%b %Y}"
    left = f"{start.day} {start:%b}" + ("" if start.year == end.year else f" {start.year}")
    return f"{left} – {end.day} {end:%b %Y}"


def _day_or_month(day: dt.date, *, last: bool) -> str:
    if (_is_month_end(day) if last else day.day == 1):
        return f"{day:%b %Y}"
    return f"{day.day} {day:%b %Y}"


def _is_month_end(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).day == 1
