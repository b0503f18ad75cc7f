"""The folium map: manifest layers in their styles, one compact events layer, legend, scale bar.

The map is two parts so the page can keep its base map identical across reruns (streamlit-folium
remounts the map, losing its view, whenever the base map's code changes: docs/ARCHITECTURE.md):

- ``build_base_map``: Leaflet and the Panj runtime (``geo/web/panj-map.js``, served locally), the
  basemap tile layers (created, not added: no tile is requested until one is chosen), every
  manifest layer (registered by URL, not yet fetched), the legend and the scale bar. Depends only
  on the data.
- ``events_overlay``: a ``folium.FeatureGroup`` holding one ``EventsLayer`` element that shows the
  view's layers and basemap, names the events' compact file (``geo.eventdata``) and which of its
  rows to draw (a bit mask, or the filter's terms for the browser to apply: ``geo.clientfilter``),
  highlights the selected event and fits the requested bounds exactly
  (fractional zoom, no padding). The page passes it to ``st_folium`` as ``feature_group_to_add``;
  ``build_map`` adds it to the base map for a standalone document.

The layers' geometry is not in the map's code: each layer's slimmed GeoJSON (``layer_file``) is
a static file of the snapshot's published folder (``geo.snapshot``, content-hashed URLs: ``MapData``),
and the runtime fetches a layer the first time it is shown; the browser caches it across reruns and visits.
The events are not in the map's code either: the browser reads their compact file once per
session and each update sends only a mask of the rows shown, or the terms of a filter the browser
applies itself, so a filter change costs at most bits per event, not a document per event. An
area event's outline comes from its layer's file (fetched even while the layer itself is hidden);
popup text is fetched when a popup opens.

When drawing completes and is painted (the requested layers fetched and drawn, the events and
their outlines drawn, then two animation frames) the browser holds ``window.panjMap = {ready: true, eventsDrawn, extentsDrawn, layers: {id:
{visible, features, title}}, basemap, highlight, frontierChange: {segments, levels}}`` (the
segments coloured by change drawn, and how many of each level); browser tests and the PNG exporter wait on
``window.panjMap.ready``. ``window.panjMap.symbolsReady`` is true sooner, once the frame with the
event symbols is painted (their area outlines may still be on their way): the map's first script
fetches and inflates the events file and asks for the labels file before Leaflet loads
(``map_scripts``; the document's head preloads the labels too, ``preload_links``: on the page the
head comes after the scripts), so the symbols are drawn before the map's first frame. A layer that cannot be fetched leaves ``ready`` false and names itself in
``window.panjMap.error``. Manifest layer paths carry the classes ``panj-layer panj-layer-<id>``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import threading
import urllib.parse
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import folium
import pandas as pd
from folium.template import Template

from geo import assets, eventdata, fatalities, labels, outlines
from geo.basemaps import Basemap
from geo.events import PLAN_STATUSES, Vocabulary
from geo.frontierchange import LevelStyle
from geo.layers import Layer
from geo.markup import DataElement
from geo.placement import Bounds, home_bounds

# An area's outline is grey, dashed and unfilled: an approximate location, not a political shading.
EXTENT_STROKE = "#555555"
GROUP_SHAPE = "group"  # the legend's swatch of a group of events (drawn by geo/web/panj-map.js)
UNREPORTED_SHAPE = "unreported"  # the legend's swatch of an event reporting no fatalities (dotted ring)
# The legend row standing for every imported actor left in its grey (geo.colours); not an actor id
# (geo.layers.ID_PATTERN has no "*"), so no actor of a vocabulary can take it.
OTHER_ACTORS = "*other"


@dataclass(frozen=True)
class MapData:
    """Where a map fetches its data: one published folder of the snapshot (``geo.snapshot``)."""

    layers: dict[str, str]  # layer id -> URL of its ``layer_file`` (full detail)
    labels: str  # URL of the labels file (``geo.labels.label_file``)
    events: eventdata.PublishedEvents  # the events file, every event of the snapshot
    # layer id -> ((zoom, URL), ...): its simplified files (``layer_files``), each drawn up to its
    # zoom, coarse to fine; a layer without any is drawn at full detail at every zoom.
    layer_levels: dict[str, tuple[tuple[int, str], ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class MapView:
    """What a map shows: layers (ids, drawn in manifest order), basemap id, the extent
    (None: open on the frontier), the highlighted event's id, and whether to bring the map into
    the reader's view with that event's popup open (``reveal``: it was chosen in the table).

    On the page, ``bounds`` is a request to move the map and ``fit_request`` numbers it: the map fits
    each number once, so the same bounds asked for again (the reader has panned away since) fit
    again, while an update the browser runs twice does not move the map twice. ``fit_beside_legend``
    fits the bounds into the part of the map the legend leaves free ("Fit to events"), not the
    whole map (a link's view, which must reopen exactly).

    ``playback`` (``geo.pagestate.Playback.browser``: step, period, mode, fade; None: off) is where
    the page last knew the playback paused, and ``playback_range`` the first and last day it may run
    over (None: no event shown); the browser chooses each period's events itself (``geo.playback``)
    and keeps its own period, but for a new ``playback_request``: the page moved the playback
    (``geo.pagestate.stepped_playback``, a scene chosen), and the browser takes ``playback``, paused."""

    visible_layers: tuple[str, ...]
    basemap: str
    bounds: Bounds | None = None
    highlight: str | None = None
    fit_request: int = 0
    reveal: bool = False
    fit_beside_legend: bool = False
    playback: Mapping[str, Any] | None = None
    playback_range: tuple[dt.date, dt.date] | None = None
    playback_request: int = 0
    # The frontier's segments coloured by their latest change level (``frontier_change``); None: not drawn.
    frontier_change: Mapping[str, Any] | None = None
    size_by: str | None = None  # geo.fatalities.SIZE_BY: symbols sized by fatalities; None: ordinary symbols


CHANGE_SECTION = "Change along the frontier"
FATALITIES_SECTION = "Fatalities"
CHANGE_WEIGHT = 5.0  # px: wider than the frontier layer's line, which it covers


@dataclass(frozen=True)
class LegendItem:
    """One legend row; ``swatch`` is ``line``, ``area``, ``point``, ``symbol`` (a shape) or ``none``."""

    section: str  # "Layers", "Actors", "Event types", "Location", "Status"
    key: str | None  # layer, actor or event-type id the row stands for
    label: str
    swatch: str
    stroke: str
    fill: str | None = None
    fill_opacity: float = 1.0
    weight: float = 1.0
    dashed: bool = False
    shape: str = "circle"


def frontier_change(segments: Mapping[str, Any], styles: Sequence[LevelStyle]) -> dict[str, Any]:
    """What the map draws of ``segments`` (``geo.frontierchange.latest_segments``): the segments
    and each level's colour and label (a segment of no level, with no norm to compare, is not drawn)."""
    return {"segments": segments, "weight": CHANGE_WEIGHT,
            "levels": {style.id: {"colour": style.colour, "label": style.label} for style in styles}}


def drawn_levels(change: Mapping[str, Any], styles: Sequence[LevelStyle]) -> list[LevelStyle]:
    """The ``styles`` of the levels some segment of ``change`` (``frontier_change``) is drawn in."""
    present = {feature["properties"]["level"] for feature in change["segments"]["features"]}
    return [style for style in styles if style.id in present]


def change_legend_items(styles: Sequence[LevelStyle]) -> list[LegendItem]:
    """A legend row per change level, in the colour its segments are drawn (the runtime shows the
    rows of the levels drawn)."""
    return [LegendItem(CHANGE_SECTION, style.id, style.label, "line", stroke=style.colour, weight=CHANGE_WEIGHT)
            for style in styles]


def legend_items(
    layers: Mapping[str, Layer],
    vocabulary: Vocabulary,
    *,
    visible_layers: Iterable[str] | None = None,
    events: pd.DataFrame | None = None,
) -> list[LegendItem]:
    """Legend rows: layers (only ``visible_layers`` when given), actors by colour and event types by
    shape (only those in ``events`` when given), how an approximate location looks, and the hollow
    symbol of a plan (only when ``events`` has a planned or announced event, or a shown layer a
    planned feature, when ``events`` is given), and the rows of symbols sized by fatalities (the
    runtime shows them while it sizes symbols, with a row per size it draws)."""
    shown = set(layers) if visible_layers is None else set(visible_layers)
    items: list[LegendItem] = []
    for layer_id, layer in layers.items():
        if layer_id not in shown:
            continue
        style, kind = layer.spec.style, layer.spec.geometry
        swatch = {"LineString": "line", "Polygon": "area"}.get(kind, "point")
        items.append(LegendItem(
            "Layers", layer_id, layer.spec.title, swatch, stroke=style.get("color") or "#333333",
            fill=style.get("fillColor"), fill_opacity=float(style.get("fillOpacity") or 0),
            weight=float(style.get("weight") or 1), dashed=bool(style.get("dashArray")),
        ))
    actors_present = types_present = None
    if events is not None:
        actors = events["actors"]
        # The snapshot's rows hold each set of actors once (a categorical of tuples, geo.compact).
        sets = (actors.cat.remove_unused_categories().cat.categories
                if isinstance(actors.dtype, pd.CategoricalDtype) else actors)
        actors_present = {actor for named in sets for actor in named}
        types_present = set(events["event_type"].unique())
    greys: list[str] = []  # the colours of the imported actors left grey (geo.colours), usually one
    for term in vocabulary.actors.values():
        if actors_present is not None and term.id not in actors_present:
            continue
        if term.id in vocabulary.others:
            greys += [term.colour] if term.colour not in greys else []
        else:
            items.append(LegendItem("Actors", term.id, term.name, "symbol", stroke="#ffffff", fill=term.colour))
    items += [LegendItem("Actors", OTHER_ACTORS, "Other actors", "symbol", stroke="#ffffff", fill=grey)
              for grey in greys]
    for term in vocabulary.event_types.values():
        if types_present is None or term.id in types_present:
            items.append(LegendItem("Event types", term.id, term.name, "symbol", stroke="#ffffff",
                                    fill="#555555", shape=term.symbol))
    # Keyed by what the runtime draws (exact symbols, approximate ones, groups): it shows only those.
    items.append(LegendItem("Location", "exact", "Place known exactly", "symbol", stroke="#ffffff", fill="#555555"))
    items.append(LegendItem("Location", "approximate", "Known only to a district, province or country: dashed outline",
                            "symbol", stroke=EXTENT_STROKE, fill="#555555", fill_opacity=0.25, weight=2, dashed=True))
    items.append(LegendItem("Location", "group", "Several events: how many, ring by actor; click for the list",
                            "symbol", stroke="#333333", fill="#ffffff", shape=GROUP_SHAPE))
    # A plan is not a fact (issue 13): drawn hollow, and said so only when one is on the map, an
    # event or a layer's feature (Ayvoj's planned facility): one row for both, as they look alike.
    if (events is None or events["status"].isin(PLAN_STATUSES).any()
            or any(has_plans(layers[layer_id]) for layer_id in shown if layer_id in layers)):
        items.append(LegendItem("Status", "planned", "Planned or announced: hollow symbol", "symbol",
                                stroke="#555555", fill="#ffffff", weight=2))
    # The runtime puts a row per size under this one (geo/web/panj-map.js, _legendSizes).
    items.append(LegendItem(FATALITIES_SECTION, "sizes", "Reported, by symbol area:", "none", stroke="#555555"))
    items.append(LegendItem(FATALITIES_SECTION, "unreported", "Fatalities not reported: ordinary size, dotted ring",
                            "symbol", stroke="#ffffff", fill="#555555", shape=UNREPORTED_SHAPE))
    return items


def has_plans(layer: Layer) -> bool:
    """Whether a point layer has a feature whose ``status`` is a plan (drawn hollow, like a
    planned event: docs/ARCHITECTURE.md, "Layers")."""
    return layer.spec.geometry == "Point" and any(
        (feature.get("properties") or {}).get("status") in PLAN_STATUSES for feature in layer.features)


def attribution_text(layers: Mapping[str, Layer], view: MapView, basemaps: Mapping[str, Basemap]) -> str:
    """Plain-text credits for the visible layers and the basemap, duplicates dropped."""
    credits: list[str] = []
    for layer_id in view.visible_layers:
        if layer_id in layers:
            credits += [part.strip() for part in layers[layer_id].spec.attribution.split(";") if part.strip()]
    basemap = basemaps.get(view.basemap)
    if basemap is not None and basemap.attribution:
        credits.append(f"Basemap: {basemap.attribution}")
    return "; ".join(dict.fromkeys(credits))


# --- map elements --------------------------------------------------------------------------------

class _Runtime(DataElement):
    """Creates ``window.panjMap`` on the map, the basemaps' tile layers, and registers the
    manifest layers by URL."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var panj = window.panjMap = new PanjMapRuntime({{ this._parent.get_name() }}, {home: {{ this.home|tojson }}, vector: {{ this.vector|tojson }}});
            {%- for basemap in this.basemaps %}
            panj.registerBasemap({{ basemap.id|tojson }}, L.tileLayer({{ basemap.url|tojson }}, {{ basemap.options|tojson }}));
            {%- endfor %}
            {%- for layer in this.layers %}
            panj.addVectorLayer({{ layer|tojson }});
            {%- endfor %}
            new PanjKeys(panj);
        })();
        {% endmacro %}
    """)

    def __init__(self, home: Bounds, basemaps: Iterable[Basemap], layers: Mapping[str, Layer], data: MapData,
                 vector_symbols_max: int | None = None, full_detail: bool = False):
        super().__init__()
        self._name = "PanjRuntime"
        # A figure draws every layer at full detail, whatever its zoom (printed at twice the pixels).
        levels = {} if full_detail else data.layer_levels
        # A vector export: outlines and (up to this many symbols in view) the events drawn as SVG.
        self.vector = None if vector_symbols_max is None else {"maxSymbols": vector_symbols_max}
        west, south, east, north = home
        self.home = [[south, west], [north, east]]
        self.basemaps = [
            {"id": b.id, "url": b.url, "options": {"attribution": b.html_attribution, "maxZoom": b.max_zoom}}
            for b in basemaps if b.url is not None
        ]
        self.layers = [
            {"id": layer.spec.id, "title": layer.spec.title, "style": _leaflet_style(layer.spec.style),
             "labelField": layer.spec.label_field, "attribution": layer.spec.attribution,
             "features": len(layer.features), "planned": has_plans(layer), "url": data.layers[layer_id],
             "levels": [list(level) for level in levels.get(layer_id, ())]}
            for layer_id, layer in layers.items()
        ]


def layer_file(layer: Layer, geometries: list[dict[str, Any] | None] | None = None) -> bytes:
    """The layer's GeoJSON as the map fetches it: ids and labels only, no sources (the snapshot
    publishes it with its other files, under a content-hashed URL: never stale). ``geometries``,
    one per feature (None: the feature's own), replace the full-detail ones (``geo.outlines``)."""
    shapes = geometries or [None] * len(layer.features)
    collection = {"type": "FeatureCollection",
                  "features": [_slim(feature, layer.spec.label_field, shape)
                               for feature, shape in zip(layer.features, shapes)]}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def level_file_name(layer_id: str, zoom: int) -> str:
    """The file name of a layer's geometry simplified for zooms up to ``zoom``."""
    return f"{layer_id}.z{zoom}.geojson"


_LEVELS_KEPT = 4  # sets of layers whose simplified files one process keeps (a data directory's, a test's)
_levels_lock = threading.Lock()
_levels_made: OrderedDict[bytes, dict[str, bytes]] = OrderedDict()


def layer_files(layers: Mapping[str, Layer]) -> dict[str, bytes]:
    """Every layer's file at full detail (``<id>.geojson``, ``layer_file``) and, for its lines and
    outlines, at each detail level of ``geo.outlines`` that drops vertices
    (``level_file_name``), by file name. The levels are simplified as one topology (shared borders
    keep the same vertices) and made once per distinct set of layers: every revision of a data
    directory shares its manifest layers, so a new snapshot costs no second simplification."""
    files = {f"{layer_id}.geojson": layer_file(layer) for layer_id, layer in layers.items()}
    digest = hashlib.sha256()
    for name, content in files.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    key = digest.digest()
    with _levels_lock:
        levels = _levels_made.get(key)
        if levels is not None:
            _levels_made.move_to_end(key)
    if levels is None:
        levels = {level_file_name(layer_id, zoom): layer_file(layers[layer_id], geometries)
                  for zoom, level in outlines.simplified_geometries(layers).items()
                  for layer_id, geometries in level.items()}
        with _levels_lock:
            _levels_made[key] = levels
            while len(_levels_made) > _LEVELS_KEPT:
                _levels_made.popitem(last=False)
    return {**files, **levels}


def _slim(feature: Mapping[str, Any], label_field: str, geometry: dict[str, Any] | None) -> dict[str, Any]:
    # The map shows only the label and the status (a planned feature is drawn hollow); sources and
    # other properties stay in the layer files.
    props = feature.get("properties") or {}
    return {"type": "Feature", "geometry": feature["geometry"] if geometry is None else geometry,
            "properties": {key: props[key] for key in ("id", label_field, "status") if key in props}}


def _leaflet_style(style: Mapping[str, Any]) -> dict[str, Any]:
    # null means "Leaflet's default" in the manifest; Leaflet wants the key absent for that.
    return {key: value for key, value in style.items() if value is not None}


class Legend(DataElement):
    """The map legend: a Leaflet control with a button that folds it away (CSS in
    ``geo/web/panj-map.css``). On the page it sits top right, compact and scrolling, open on wide
    windows and folded on phones; ``expanded`` (exports) keeps it open, every row shown, without
    the button. Rows whose layer, actor, type or kind of location is not on the map are hidden by
    the runtime, and so is a section whose rows all are."""

    _template = Template("""
        {% macro html(this, kwargs) %}
        <div id="panj-legend" class="panj-legend leaflet-control{% if this.expanded %} panj-legend-open panj-legend-fixed{% endif %}" role="region" aria-label="Legend">
          <button type="button" class="panj-legend-toggle" aria-controls="panj-legend-body" aria-expanded="{{ 'true' if this.expanded else 'false' }}">Legend</button>
          <div class="panj-legend-body" id="panj-legend-body" tabindex="0" role="group" aria-label="Legend entries">
          {%- for section, items in this.sections %}
            <h4>{{ section|e }}</h4>
            {%- for item in items %}
            <div class="panj-legend-item"{% if item.key and this.attributes[section] %} {{ this.attributes[section] }}="{{ item.key|e }}"{% endif %}>
              {%- if item.swatch == "line" %}
              <svg width="22" height="14" aria-hidden="true"><line x1="1" y1="7" x2="21" y2="7" stroke="{{ item.stroke|e }}" stroke-width="{{ item.weight|e }}"{% if item.dashed %} stroke-dasharray="3 2"{% endif %}/></svg>
              {%- elif item.swatch == "area" %}
              <svg width="22" height="14" aria-hidden="true"><rect x="1" y="2" width="20" height="10" fill="{{ (item.fill or 'none')|e }}" fill-opacity="{{ item.fill_opacity|e }}" stroke="{{ item.stroke|e }}" stroke-width="{{ item.weight|e }}"{% if item.dashed %} stroke-dasharray="3 2"{% endif %}/></svg>
              {%- elif item.swatch == "none" %}
              {%- elif item.swatch == "point" %}
              <svg width="22" height="14" aria-hidden="true"><circle cx="11" cy="7" r="4.5" fill="{{ (item.fill or 'none')|e }}" fill-opacity="{{ item.fill_opacity|e }}" stroke="{{ item.stroke|e }}" stroke-width="{{ item.weight|e }}"/></svg>
              {%- else %}
              <canvas width="18" height="18" aria-hidden="true" data-shape="{{ item.shape|e }}" data-fill="{{ (item.fill or 'none')|e }}" data-fill-opacity="{{ item.fill_opacity|e }}" data-stroke="{{ item.stroke|e }}" data-weight="{{ item.weight|e }}"{% if item.dashed %} data-dash="1"{% endif %}></canvas>
              {%- endif %}
              <span>{{ item.label|e }}</span>
            </div>
            {%- endfor %}
          {%- endfor %}
          </div>
        </div>
        {% endmacro %}

        {% macro script(this, kwargs) %}
        window.panjMap.initLegend({{ this.options|tojson }});
        {% endmacro %}
    """)

    attributes = {"Layers": "data-panj-legend-layer", "Actors": "data-panj-legend-actor",
                  "Event types": "data-panj-legend-type", "Location": "data-panj-legend-location",
                  "Status": "data-panj-legend-status", CHANGE_SECTION: "data-panj-legend-change",
                  FATALITIES_SECTION: "data-panj-legend-fatalities"}

    def __init__(self, items: Iterable[LegendItem], *, position: str = "topright", expanded: bool = False,
                 folded: bool = False):
        super().__init__()
        self._name = "PanjLegend"
        self.expanded = expanded
        # open: null lets the runtime choose by the window's width (open unless phone-narrow).
        self.options = {"position": position, "open": True if expanded else (False if folded else None)}
        sections: dict[str, list[LegendItem]] = {}
        for item in items:
            sections.setdefault(item.section, []).append(item)
        self.sections = list(sections.items())


class EventsLayer(DataElement):
    """The view's layers, basemap, highlight and bounds (fitted exactly, or beside the legend:
    ``MapView``), and which events to draw: the URL of their compact file (``geo.eventdata``, read
    once per session by the browser) and a bit mask of the rows shown (None: all), or instead the
    ``terms`` of a filter for the browser to apply (``geo.clientfilter``; None: the mask says).
    Must be a child of a ``folium.FeatureGroup``."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        window.panjMap.update({{ this._parent.get_name() }}, {{ this.update|tojson }});
        {% endmacro %}
    """)

    def __init__(self, published: eventdata.PublishedEvents, mask: str | None, vocabulary: Vocabulary,
                 layers: Mapping[str, Layer], view: MapView, terms: Mapping[str, Any] | None = None):
        super().__init__()
        self._name = "PanjEvents"
        # One JSON value, the runtime's update(): the view's basemap and layers (in drawing order),
        # the events' file and mask, their vocabulary, the highlighted event and the bounds to fit
        # (and whether beside the legend).
        self.update = {
            "basemap": view.basemap,
            "layers": [layer_id for layer_id in layers if layer_id in set(view.visible_layers)],
            "data": published.reference(),
            "mask": mask,
            "terms": None if terms is None else dict(terms),
            "vocabulary": {
                # "other": drawn grey, shown in the legend's one "Other actors" row (OTHER_ACTORS).
                "actors": {t.id: {"name": t.name, "colour": t.colour, **({"other": True} if t.id in vocabulary.others else {})}
                           for t in vocabulary.actors.values()},
                "event_types": {t.id: {"name": t.name, "symbol": t.symbol} for t in vocabulary.event_types.values()},
            },
            "highlight": view.highlight,
            "reveal": view.reveal,
            "bounds": None if view.bounds is None else [[view.bounds[1], view.bounds[0]], [view.bounds[3], view.bounds[2]]],
            "fitRequest": view.fit_request,
            "fitBesideLegend": view.fit_beside_legend,
            "playback": None if view.playback is None else dict(view.playback),
            "playbackRange": None if view.playback_range is None else [day.isoformat() for day in view.playback_range],
            "playbackRequest": view.playback_request,
            "frontierChange": None if view.frontier_change is None else dict(view.frontier_change),
            # Symbols sized by fatalities (geo.fatalities: the scale), read from the events' fatalities file.
            "sizeBy": None if view.size_by is None else {"channel": view.size_by, "maxRadius": fatalities.MAX_RADIUS,
                                                         "minRadius": fatalities.MIN_RADIUS},
        }


# --- maps ----------------------------------------------------------------------------------------

def build_base_map(
    layers: Mapping[str, Layer],
    vocabulary: Vocabulary,
    *,
    basemaps: Mapping[str, Basemap],
    data: MapData,
    legend: Iterable[LegendItem] | None = None,
    for_export: bool = False,
    presenter: bool = False,
    home: Bounds | None = None,
    vector_symbols_max: int | None = None,
    change_levels: Sequence[LevelStyle] = (),
) -> folium.Map:
    """The map without events: identical for identical data, so the page keeps it across reruns.

    ``legend`` defaults to every layer and term and the ``change_levels`` of the frontier's
    segments (the runtime hides what is not on the map).
    ``for_export`` turns off animations and the zoom control, and keeps the legend open in the
    bottom-right corner (the figure's furniture holds the others). ``presenter`` folds the legend
    behind its button (a projector has no room to spare over the map). ``home`` is
    ``home_bounds(layers)`` unless given (the snapshot holds it). ``data`` names the files of
    ``layers`` and of the labels.
    ``vector_symbols_max``, for a PDF or SVG export, draws area outlines and, while at most that
    many event symbols are in view, the symbols as SVG (vector paths in print), not on canvas."""
    west, south, east, north = home or home_bounds(layers)
    options: dict[str, Any] = {}
    if for_export:
        options.update(fade_animation=False, zoom_animation=False, marker_zoom_animation=False)
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2], zoom_start=6, tiles=None, control_scale=True,
        prefer_canvas=True, zoom_control=not for_export, **options,
    )
    # Only Leaflet and the Panj runtime, served locally; folium's jQuery, Bootstrap and
    # awesome-markers (from CDNs) are not needed by anything on this map.
    fmap.default_js = map_scripts(data)
    fmap.default_css = list(assets.MAP_CSS)
    fmap.get_root().header.add_child(folium.Element(preload_links(data)), name="panj_preload")
    _Runtime((west, south, east, north), basemaps.values(), layers, data, vector_symbols_max,
             full_detail=for_export).add_to(fmap)
    labels.MapLabels(data.labels).add_to(fmap)
    Legend(legend_items(layers, vocabulary) + change_legend_items(change_levels) if legend is None else legend,
           position="bottomright" if for_export else "topright", expanded=for_export,
           folded=presenter).add_to(fmap)
    return fmap


def map_scripts(data: MapData) -> list[tuple[str, str]]:
    """The map's scripts in folium's ``default_js`` form and load order: ``assets.EARLY_JS`` naming
    the events file, which it fetches and inflates at once for the runtime to take, and the labels
    file, which it preloads (on the page, the map's frame adds the head's preload links only after
    its last script), then Leaflet and the Panj runtime as one file (``assets.MAP_BUNDLE_JS``)."""
    files = urllib.parse.urlencode([("inflate", data.events.url), ("file", data.labels)])
    return [("panj_early", f"{assets.EARLY_JS}&{files}"), ("panj_map_bundle", assets.MAP_BUNDLE_JS)]


def preload_links(data: MapData) -> str:
    """A ``<link rel="preload">`` element for the labels file, first in the document's head: the
    browser fetches it beside the scripts instead of once the scripts have run, and the labels'
    own request (same URL, same credentials) takes the answer (docs/performance.md, "The paint
    floor"). The events file is the map's first script's to fetch (``map_scripts``): a preload of
    it in a head that the page's frame adds after the scripts would be a second download
    (``preload_events`` adds one where the head comes first)."""
    return f'<link rel="preload" href="{html.escape(data.labels)}" as="fetch" crossorigin="anonymous">'


def preload_events(fmap: folium.Map, data: MapData) -> None:
    """Preload the events file first in ``fmap``'s head, for a document whose head is parsed before
    its scripts (a standalone document, a figure): the map's first script, which fetches and
    inflates the file (``map_scripts``), then takes that answer, and the file is on its way a round
    trip sooner. Not on the page, whose frame adds the head after the scripts: the preload would be
    a second download there."""
    link = f'<link rel="preload" href="{html.escape(data.events.url)}" as="fetch" crossorigin="anonymous">'
    fmap.get_root().header.add_child(folium.Element(link), name="panj_preload_events", index=0)


def events_overlay(
    shown: pd.DataFrame, vocabulary: Vocabulary, layers: Mapping[str, Layer], view: MapView, *, data: MapData,
    terms: Mapping[str, Any] | None = None,
) -> folium.FeatureGroup:
    """The part of the map that follows the reader's choices (see the module docstring): the
    ``shown`` events are rows of the published events (by index label, a RangeIndex over them), sent
    as a mask, or as ``terms`` when given (``geo.clientfilter.BrowserFilters.terms`` of the filter
    that chose ``shown``: the browser picks the same rows)."""
    mask = None if terms is not None else eventdata.shown_mask(shown.index.to_numpy(), data.events.count)
    group = folium.FeatureGroup(name="Events", control=False)
    EventsLayer(data.events, mask, vocabulary, layers, view, terms).add_to(group)
    return group


def build_map(
    layers: Mapping[str, Layer],
    shown: pd.DataFrame,
    vocabulary: Vocabulary,
    view: MapView,
    *,
    data: MapData,
    basemaps: Mapping[str, Basemap],
    for_export: bool = False,
) -> folium.Map:
    """The whole map for one view, as one folium.Map (standalone documents, benchmarks, tests):
    ``shown`` are rows of the events ``data`` publishes.

    Only the view's basemap is declared, and the legend lists the visible layers and the actors
    and types of ``shown``."""
    if view.basemap not in basemaps:
        raise ValueError(f"unknown basemap {view.basemap!r}; expected one of {', '.join(basemaps)}")
    legend = legend_items(layers, vocabulary, visible_layers=view.visible_layers, events=shown)
    fmap = build_base_map(layers, vocabulary, basemaps={view.basemap: basemaps[view.basemap]}, data=data,
                          legend=legend, for_export=for_export)
    events_overlay(shown, vocabulary, layers, view, data=data).add_to(fmap)
    preload_events(fmap, data)
    return fmap


def standalone_html(fmap: folium.Map) -> str:
    """The map as a complete HTML document; its asset URLs start with ``assets.STATIC_URL``."""
    return fmap.get_root().render()
