"""Map furniture for exported figures: title, legend, scale bar, north arrow, sources line, and
the print styling that hides the page's interactive controls and sets the type sizes (the map's
names are the page's own, ``geo.labels``).

Each piece is a ``geo.markup.DataElement`` whose HTML/JS is a Jinja template on the class; text
from data reaches the page through ``|e`` (HTML) or ``|tojson`` (JavaScript), rendered once. Sizes are in
viewport units with pixel bounds, so the same figure reads well on a 1280-px slide and on an A4
page rendered at 1754 CSS pixels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import folium
import pandas as pd
from jinja2 import Template

from geo.events import Vocabulary
from geo.filters import FilterState, apply_filters, date_span
from geo.markup import DataElement

# The figure's one font size, from which every piece scales: ~13 px on a 1280-px slide, ~18 px on A4.
BASE_FONT = "clamp(9px, 1.05vmax, 22px)"
MAX_LISTED_TERMS = 3  # beyond this a title says "5 actors" rather than naming them all


class PrintStyle(DataElement):
    """Hides zoom, layer and Leaflet attribution controls (the sources line replaces it) and sets
    the figure's type sizes."""

    _template = Template("""
{% macro header(this, kwargs) %}
<style>
  :root { --panj-font: {{ this.base_font }}; }
  .leaflet-control-zoom, .leaflet-control-layers, .leaflet-control-attribution { display: none !important; }
  .panj-figure-box {
    background: rgba(255, 255, 255, 0.92); color: #1a1a1a;
    font: var(--panj-font)/1.3 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif;
    border: 1px solid #555; border-radius: 3px; box-shadow: 0 1px 3px rgba(0, 0, 0, 0.25);
    padding: 0.45em 0.7em;
  }
  .leaflet-container .leaflet-control.panj-figure-box { margin: 0.8em; }
  /* The page's legend (geo.mapview), always open and at the figure's type size. */
  .leaflet-container .panj-legend {
    font-size: calc(var(--panj-font) * 0.8); max-width: 34vw; max-height: none; overflow: visible;
    padding: 0.5em 0.7em; margin: 0.8em; border: 1px solid #555; border-radius: 3px;
  }
  .panj-legend h4 { font-size: 1.05em; margin: 0.4em 0 0.1em; }
  .panj-legend .panj-legend-toggle { display: none !important; }
  .panj-legend .panj-legend-body { display: block !important; }
  .panj-legend-item svg { width: 1.8em; height: 1.15em; }
  .panj-legend-item canvas { width: 1.5em !important; height: 1.5em !important; }
  /* The map's names (geo/web/panj-labels.js) at the figure's type size. */
  .leaflet-container .panj-label-pane { --panj-label-font: calc(var(--panj-font) * 0.85); }
</style>
{% endmacro %}
""")

    def __init__(self) -> None:
        super().__init__()
        self._name = "PrintStyle"
        self.base_font = BASE_FONT


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


class _FigureBox(DataElement):
    """A box of the figure's furniture in a map corner: a Leaflet control holding ``inner_html()``.

    Subclasses give ``position``, the box's CSS class and its style sheet (trusted constants), and
    ``inner_html``, which escapes whatever comes from data."""

    position = "topleft"
    css_class = ""
    css = ""
    _template = Template("""
{% macro header(this, kwargs) %}
<style>{{ this.css }}</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
  const control = L.control({position: {{ this.position|tojson }}});
  control.onAdd = function () {
    const box = L.DomUtil.create("div", {{ ("panj-figure-box " ~ this.css_class)|tojson }});
    box.innerHTML = {{ this.inner_html()|tojson }};
    return box;
  };
  control.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
""")

    def __init__(self) -> None:
        super().__init__()
        self._name = type(self).__name__

    def inner_html(self) -> str:
        raise NotImplementedError


class TitleBox(_FigureBox):
    """The figure's title, top left."""

    position, css_class = "topleft", "panj-title"
    css = """
  .panj-title { max-width: 55vw; }
  .panj-title h1 { margin: 0; font-size: 1.55em; font-weight: 700; line-height: 1.2; }
"""
    _inner = Template("""<h1>{{ title|e }}</h1>""")

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title = title

    def inner_html(self) -> str:
        return self._inner.render(title=self.title)


class NorthArrow(_FigureBox):
    """A north arrow, top right (Web Mercator keeps north up everywhere on the map)."""

    position, css_class = "topright", "panj-north"
    css = """
  .panj-north { padding: 0.3em 0.45em 0.2em; text-align: center; }
  .panj-north svg { display: block; width: 2.2em; height: 3.2em; }
"""

    def inner_html(self) -> str:
        return ('<svg viewBox="0 0 22 32" aria-label="North">'
                '<text x="11" y="9" text-anchor="middle" font-size="9" font-weight="700" font-family="sans-serif">N</text>'
                '<polygon points="11,11 18,31 11,26 4,31" fill="#1a1a1a"/>'
                '<polygon points="11,11 11,26 4,31" fill="#ffffff" stroke="#1a1a1a" stroke-width="1"/></svg>')


class ScaleBar(DataElement):
    """A metric scale bar sized for print, bottom left (above the sources line); it replaces
    the page's screen-sized one."""

    _template = Template("""
{% macro header(this, kwargs) %}
<style>
  /* The page's own scale bar is sized for a screen; this one replaces it. */
  .leaflet-control-scale:not(.panj-scale) { display: none; }
  .leaflet-container .leaflet-control-scale { margin: 0 0 0.4em 0.8em; }
  .leaflet-control-scale-line {
    font: 700 var(--panj-font)/1.2 "DejaVu Sans", Arial, sans-serif; color: #1a1a1a;
    border: 3px solid #1a1a1a; border-top: none; background: rgba(255, 255, 255, 0.85);
    padding: 0.1em 0.4em;
  }
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
L.control.scale({
  position: "bottomleft", metric: true, imperial: false,
  maxWidth: Math.round(window.innerWidth * {{ this.width_share }}),
}).addTo({{ this._parent.get_name() }}).getContainer().classList.add("panj-scale");
{% endmacro %}
""")

    def __init__(self, width_share: float = 0.16) -> None:
        super().__init__()
        self._name = "ScaleBar"
        self.width_share = width_share


class SourcesLine(_FigureBox):
    """Data sources, basemap attribution and export date, bottom left under the scale bar."""

    position, css_class = "bottomleft", "panj-sources"
    css = """
  .panj-sources { max-width: 55vw; font-size: 0.8em; line-height: 1.35; color: #222; }
"""
    _inner = Template(
        """{% for line in lines %}{% if not loop.first %}<br>{% endif %}{{ line|e }}{% endfor %}"""
    )

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__()
        self.lines = list(lines)

    def inner_html(self) -> str:
        return self._inner.render(lines=self.lines)


def sources_lines(credits: str, event_sources: Iterable[str], exported_on: dt.date) -> list[str]:
    """The sources line's text: map data and basemap credits (``geo.mapview.attribution_text``),
    the documents the events come from, and the export date."""
    lines = [f"Map data: {credits}"] if credits else []
    events = list(dict.fromkeys(text.strip() for text in event_sources if text.strip()))
    if events:
        lines.append("Events: " + "; ".join(events))
    lines.append(f"Exported {exported_on.isoformat()} with Panj")
    return lines


def add_furniture(
    fmap: folium.Map, *, title: str, bounds: tuple[float, float, float, float] | None, sources: Sequence[str],
) -> folium.Map:
    """Add the print furniture to a map built for export (which carries its own legend and names,
    see geo.mapview and geo.labels); returns the same map."""
    # Order matters for the bottom-left corner: Leaflet stacks later controls above earlier ones.
    for element in (PrintStyle(), SourcesLine(sources), ScaleBar(), TitleBox(title), NorthArrow()):
        element.add_to(fmap)
    if bounds is not None:
        ExactFit(bounds).add_to(fmap)
    return fmap


# --- the default title ---------------------------------------------------------------------------

def describe_filters(
    state: FilterState, events: pd.DataFrame, vocabulary: Vocabulary,
    region_names: Mapping[str, str] | None = None, *, shown: int | None = None,
) -> str:
    """A plain description of what the filters show, for a figure title.

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
        _terms(state.regions, names, "regions"),
        _date_range(state.date_from, state.date_to),
        f"“{state.text.strip()}”" if state.text.strip() else "",
        f"{shown} of {total} {noun}",
    ]
    return " · ".join(part for part in parts if part)


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
