"""The frontier strip as a figure (``panj export --kind strip``, the page's Export panel): a
title band, the strip drawn by geo/web/panj-strip.js with the map's symbols, a legend of the
actors and types drawn, and the sources line, rendered by Chromium as the map's figures are
(``geo.export.Renderer``: a PNG, a vector PDF whose names are text, or an SVG converted from it)."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
from typing import Any

import numpy as np
import pandas as pd

from geo import assets, figure, layout, strip
from geo.events import PLAN_STATUSES
from geo.export import ExportResult, ExportSize, Renderer, check_output, render_figure
from geo.snapshot import Snapshot

DEFAULT_TITLE = "Events along the Tajikistan–Afghanistan frontier"
_MAP_JS = dict(assets.MAP_JS)["panj_map"]
_MEASURE = "() => window.panjStripFigure"
_FIGURE_SCRIPT = assets.web_script("strip-figure.js")
# A strip whose events all fall on one day still spans this many days either side.
_PAD_DAYS = 15


def strip_events(snapshot: Snapshot, shown: pd.DataFrame, within_km: float) -> pd.DataFrame:
    """The rows of ``shown`` (rows of ``snapshot.events``) the strip draws (``geo.strip.strip_mask``)."""
    return shown[drawn_mask(snapshot, shown, within_km)]


def drawn_mask(snapshot: Snapshot, shown: pd.DataFrame, within_km: float) -> np.ndarray:
    """Which rows of ``shown`` (rows of ``snapshot.events``) the strip draws (``geo.strip.strip_mask``)."""
    km = snapshot.index.frontier_km[snapshot.events.index.get_indexer(shown.index)]
    return strip.strip_mask(shown, km, within_km)


def strip_days(first_days: pd.Series | np.ndarray, date_from: dt.date | None, date_to: dt.date | None,
               span: tuple[dt.date, dt.date] | None) -> tuple[dt.date, dt.date]:
    """The days the strip's time axis runs over: the date filter's, else those of the drawn events'
    ``first_days`` (``span``, the data's, when none is drawn), at least ``_PAD_DAYS`` either side
    of one day."""
    firsts = np.asarray(first_days, dtype="datetime64[D]")
    span = span or (dt.date.today(), dt.date.today())
    first = date_from or (firsts.min().item() if len(firsts) else span[0])
    last = date_to or (firsts.max().item() if len(firsts) else span[1])
    if last <= first:
        first, last = first - dt.timedelta(days=_PAD_DAYS), last + dt.timedelta(days=_PAD_DAYS)
    return first, last


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no "</script>" or "<!--" can close or change it."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


def strip_figure_html(snapshot: Snapshot, drawn: pd.DataFrame, *, title: str, subtitle: str, within_km: float,
                      width: int, height: int, paper: str, first: dt.date, last: dt.date,
                      exported_on: dt.date) -> str:
    """The figure's page, ``width`` x ``height`` CSS pixels: data from ``geo.strip.figure_data``
    drawn by panj-strip.js once the page has laid out, which then sets ``window.panjMap.ready``
    (what the renderer waits for) and ``window.panjStripFigure`` (what it drew, for the tests)."""
    length_km, _ = snapshot.frontier_axis
    data = strip.figure_data(drawn, snapshot.vocabulary, snapshot.strip_places, length_km, within_km)
    epoch = dt.date(1970, 1, 1)
    data["dayFrom"], data["dayTo"] = (first - epoch).days, (last - epoch).days
    actors = [actor for actor in snapshot.vocabulary.actors
              if any(actor in style[1] for style in data["styles"])]
    types = [kind for kind in snapshot.vocabulary.event_types if any(kind == style[0] for style in data["styles"])]
    data["legend"] = {"actors": actors, "types": types,
                      "planned": bool(drawn["status"].isin(PLAN_STATUSES).any()) if len(drawn) else False,
                      "approximate": bool((drawn["location_precision"] != "exact").any()) if len(drawn) else False}
    pt = layout.points_to_css(width, height, paper)
    credits = [f"Frontier: {snapshot.layers['frontier'].spec.attribution}"] if "frontier" in snapshot.layers else []
    credits += [f"{place.name}: {place.source}" for place in snapshot.strip_places if place.cited]
    sources = figure.sources_lines("; ".join(credits), snapshot.event_sources(drawn), exported_on)
    sources_html = "".join(f"<div>{html.escape(line)}</div>" for line in sources)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
html, body {{ margin: 0; padding: 0; background: #fff; }}
body {{ width: {width}px; height: {height}px; box-sizing: border-box; padding: {7 * pt:.2f}px;
  display: flex; flex-direction: column; gap: {4 * pt:.2f}px; color: #111;
  font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; overflow: hidden; }}
h1 {{ font-size: {layout.TITLE_PT * pt:.2f}px; margin: 0; }}
.subtitle {{ font-size: {layout.SUBTITLE_PT * pt:.2f}px; margin: {1 * pt:.2f}px 0 0; color: #333; }}
#panj-strip {{ flex: 1 1 auto; min-height: 0; position: relative; }}
#panj-strip-legend {{ font-size: {layout.LEGEND_PT * pt:.2f}px; }}
#panj-strip-legend div {{ display: flex; flex-wrap: wrap; gap: {2 * pt:.2f}px {9 * pt:.2f}px; align-items: center;
  margin-top: {2 * pt:.2f}px; }}
#panj-strip-legend span {{ display: inline-flex; align-items: center; gap: {2.5 * pt:.2f}px; }}
#panj-strip-legend strong {{ margin-right: {2 * pt:.2f}px; }}
.sources {{ font-size: {layout.SOURCES_PT * pt:.2f}px; color: #444; }}
</style>
<script src="{_MAP_JS}"></script>
<script src="{assets.STRIP_JS}"></script>
</head><body>
<header><h1>{html.escape(title)}</h1><p class="subtitle">{html.escape(subtitle)}</p></header>
<div id="panj-strip"></div>
<div id="panj-strip-legend"></div>
<footer class="sources">{sources_html}</footer>
<script id="panj-strip-data" type="application/json">{_script_json(data)}</script>
<script>window.panjStripFigureOptions = {{ pt: {pt:.4f}, fontPx: {max(7.0, layout.LEGEND_PT * pt):.3f} }};</script>
<script>{_FIGURE_SCRIPT}</script>
</body></html>"""


def export_strip(
    out_path: str | os.PathLike[str], *, snapshot: Snapshot, shown: pd.DataFrame, within_km: float, title: str,
    description: str, size: ExportSize, renderer: Renderer, date_from: dt.date | None = None,
    date_to: dt.date | None = None, output: str = "png", alt: str = "", exported_on: dt.date | None = None,
) -> ExportResult:
    """The strip of the ``shown`` events (rows of ``snapshot.events``, already filtered) within
    ``within_km`` of the frontier, as a figure at ``size``: a PNG, or with ``output`` "pdf" or
    "svg" a vector page of ``size.page_mm``; its time axis runs over ``date_from``..``date_to``
    (the date filter's), else the drawn events' days. The result's ``layout`` is what was drawn
    ({events, symbols, places})."""
    check_output(output, size)
    drawn = strip_events(snapshot, shown, within_km)
    first, last = strip_days(drawn["date_first"], date_from, date_to, snapshot.span)
    css_width, css_height = size.css
    subtitle = " · ".join(part for part in (
        description, f"{len(drawn)} of the {len(shown)} events shown are drawn: within {within_km:g} km of the "
                     "frontier, on either bank, placed on a point (not a whole area), each at its first day") if part)
    page = strip_figure_html(snapshot, drawn, title=title, subtitle=subtitle, within_km=within_km, width=css_width,
                             height=css_height, paper=size.paper, first=first, last=last,
                             exported_on=exported_on or dt.date.today())
    return render_figure(renderer, page, out_path, output, size, title=title, alt=alt, measure=_MEASURE)

