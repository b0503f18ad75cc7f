/* Panj map runtime: event symbols on canvas (SVG in a vector export), layer and basemap switching, legend, highlight.
 *
 * geo/mapview.py emits small calls into this file; it is served from /app/static/vendor/panj/
 * (copied there by geo/assets.py). The events come as one compact file (geo/eventdata.py) read
 * once per page, each update naming the rows to show by a bit mask, or by the filter's terms that
 * the runtime applies itself (geo/clientfilter.py: termRows); popup text is fetched when a
 * popup opens. The manifest layers' GeoJSON is fetched from static files (same origin, cacheable)
 * the first time a layer is shown, or the first time an area event needs one of its features'
 * outline (the layer itself may stay hidden), simplified for the map's zoom (geo/outlines.py:
 * another file when a zoom crosses a level; a figure draws the full detail). State the browser
 * tests and the PNG exporter read lives on window.panjMap: {ready, error, eventsDrawn,
 * extentsDrawn, layers: {id: {visible, features, title, file (the URL drawn)}}, detailZoom, basemap,
 * highlight, symbolsReady}; ready is true once the last update's layers are fetched and drawn, its events and
 * their outlines drawn, and the frame painted (and again after a zoom to another level);
 * symbolsReady as soon as the frame with its event symbols is painted (outlines still to be
 * fetched are drawn after that frame). window.panjMap.groups()
 * lists the event groups in view ({x, y, ids} in container pixels), symbols() every drawn symbol's
 * circle ({x, y, r}, its ring included), and openEvent(id) opens an event's popup. The map fires
 * "panjsymbols" after each drawing of the symbols but the page's first, whose names and buttons
 * come with the next (EventGroups.widen): the names lay out clear of them again, and the
 * keyboard's buttons follow the groups (keyTargets, details and openAt serve geo/web/panj-keys.js).
 * An update's sizeBy sizes the symbols by the fatalities their events report (geo/fatalities.py:
 * area proportional, from fatalities.bin.gz), with a legend row per size drawn.
 */
(function () {
  "use strict";

  // How an approximate location looks: its area's outline or a halo around its point, grey, dashed
  // and unfilled, so a country-wide event does not read as political shading (docs/ARCHITECTURE.md).
  var EXTENT_STYLE = { color: "#555555", weight: 1.2, opacity: 0.8, dashArray: "5 4", fill: false };
  var SYMBOL_RADIUS = 6, HIGHLIGHT_RADIUS = 9;
  var SYMBOL_EDGE = "#333333";  // outside an event symbol's outline, as round a group's
  // A lone symbol's lines: the white line on an exact place's outline (it stands against dark
  // imagery), a planned event's line in its actors' colours, and the dark edge outside either
  // (it stands against pale land: WCAG 1.4.11, docs/ARCHITECTURE.md, "Accessibility").
  var OUTLINE_WIDTH = 1, HOLLOW_WIDTH = 2.5, EDGE_WIDTH = 1.5;
  // How far past its radius a lone symbol reaches: a star's tips (1.3 radii), then half the wider
  // line on them and the dark edge (round joins: no mitre pokes farther).
  var SHAPE_REACH = 1.3, EDGE_REACH = HOLLOW_WIDTH / 2 + EDGE_WIDTH;
  // The highlight, readable on a projector: a ring at least RING_SYMBOLS symbol radii round a point
  // event (pulsing in once), or an area event's own outline, drawn over the dashed ones.
  var RING_SYMBOLS = 3.5;
  var HIGHLIGHT_AREA_STYLE = { color: "#111111", weight: 3, opacity: 0.9, fill: true, fillColor: "#f2c14e", fillOpacity: 0.12 };
  // A point event is brought into view with its nearest neighbours (at most NEIGHBOURS places, no
  // farther than NEIGHBOUR_KM) and never closer than MIN_VIEW_KM across: a lone city filling the
  // screen says nothing about where it is.
  var MIN_VIEW_KM = 300, NEIGHBOURS = 2, NEIGHBOUR_KM = 600, KM_PER_DEGREE = 111.195;
  var RING_RIM = 6;  // the pale rim's stroke under the dark ring: how far the ring reaches past its radius, doubled
  // Places closer than this (pixels) at the map's zoom are one group: more than two of the widest
  // group symbols' radius (15), so no two groups overlap (docs/ARCHITECTURE.md).
  var GROUP_DISTANCE = 32;
  // The symbols' canvas and the outlines' renderers (their padding) reach this share of the map's
  // size past each side, so a drag shows all of them as far. The symbols' half a size, as before,
  // made a canvas of four times the view, whose clearing and each frame's commit cost a zoom step
  // and the first paint more than the symbols drawn on it (docs/performance.md, "The omnibox and
  // the canvas").
  var CANVAS_MARGIN = 0.2;
  var OTHER_ACTORS = "*other";  // the legend row of the imported actors left grey (geo.mapview.OTHER_ACTORS)
  var LIST_PAGE = 100;  // rows a group's list shows at a time
  var NARROW = "(max-width: 640px)";  // a phone-narrow window, as panj-map.css calls it
  // A map this narrow opens with its legend folded: open, its 250 px would take over a third of
  // the map (a 1400 px window zoomed to 200 % leaves the map about 650 px).
  var LEGEND_FOLDED = "(max-width: 760px)";
  var POPUP_FRAME = 44;  // a popup's tip and the frame around its content (leaflet.css), in pixels
  // How a playback draws an event (geo/playback.py): in full, partly known to the period (its
  // dates reach beyond it, as the histogram's light bars), or faded (shown in a period just before).
  var WEIGHT_FULL = 0, WEIGHT_PARTIAL = 1, WEIGHT_FADED = 2, WEIGHT_ALPHA = [1, 0.45, 0.2];
  var ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) {
      return ESCAPES[c];
    });
  }

  /* Closed path through points given as [dx, dy] offsets from (x, y). */
  function tracePolygon(ctx, x, y, offsets) {
    offsets.forEach(function (offset, i) {
      if (i === 0) { ctx.moveTo(x + offset[0], y + offset[1]); } else { ctx.lineTo(x + offset[0], y + offset[1]); }
    });
    ctx.closePath();
  }

  /* Offsets of a regular polygon (or a star, with an inner radius) with a vertex straight up,
   * turned by "turn" radians. */
  function ring(corners, outer, inner, turn) {
    var offsets = [], steps = inner ? corners * 2 : corners, i, a, k;
    for (i = 0; i < steps; i++) {
      a = -Math.PI / 2 + turn + (i * 2 * Math.PI) / steps;
      k = inner && i % 2 === 1 ? inner : outer;
      offsets.push([k * Math.cos(a), k * Math.sin(a)]);
    }
    return offsets;
  }

  /* A plus sign of arm half-width w and reach r, turned by "turn" radians ("x" is a turned cross). */
  function plus(r, w, turn) {
    var arms = [[-w, -r], [w, -r], [w, -w], [r, -w], [r, w], [w, w], [w, r], [-w, r], [-w, w], [-r, w], [-r, -w], [-w, -w]];
    var cos = Math.cos(turn), sin = Math.sin(turn);
    return arms.map(function (p) { return [p[0] * cos - p[1] * sin, p[0] * sin + p[1] * cos]; });
  }

  /* Path of a symbol centred on (x, y) with "radius" r; one function for map and legend. Ten
   * shapes, one per event type (geo.events.SYMBOLS), told apart by outline alone; sizes are
   * balanced so each covers about the same area as the circle. */
  function tracePath(ctx, shape, x, y, r) {
    var k;
    ctx.beginPath();
    switch (shape) {
      case "square":
        k = r * 0.85;
        ctx.rect(x - k, y - k, 2 * k, 2 * k);
        break;
      case "diamond":
        tracePolygon(ctx, x, y, ring(4, r * 1.2, 0, 0));
        break;
      case "triangle":
        k = r * 1.2;
        tracePolygon(ctx, x, y, [[0, -k], [k * 0.95, k * 0.65], [-k * 0.95, k * 0.65]]);
        break;
      case "triangle-down":
        k = r * 1.2;
        tracePolygon(ctx, x, y, [[0, k], [k * 0.95, -k * 0.65], [-k * 0.95, -k * 0.65]]);
        break;
      case "pentagon":
        tracePolygon(ctx, x, y, ring(5, r * 1.1, 0, 0));
        break;
      case "hexagon":
        tracePolygon(ctx, x, y, ring(6, r * 1.05, 0, Math.PI / 6));  // flat top, unlike the diamond's point
        break;
      case "star":
        tracePolygon(ctx, x, y, ring(5, r * 1.3, r * 0.62, 0));  // points broad enough to show the colour
        break;
      case "cross":  // arms wide enough that the actors' colour fills them inside the white line
        tracePolygon(ctx, x, y, plus(r, r * 0.45, 0));
        break;
      case "x":
        tracePolygon(ctx, x, y, plus(r * 1.15, r * 0.42, Math.PI / 4));
        break;
      default:
        ctx.arc(x, y, r, 0, Math.PI * 2, false);
    }
  }

  /* One event's symbol on a canvas context, centred on (x, y) with radius r: its type's shape
   * (options.shape) filled with its actors' colours (options.actorColours, in the event's order) in
   * equal slices clockwise from the top, so every actor shows, not only the first. An approximate
   * location (options.approximate) is a pale fill ringed in its first actor's colour, with a dark
   * edge outside the ring. A planned or
   * announced event (options.hollow) is white inside, its outline in the same actor slices: a plan
   * is not drawn as a fact (docs/ARCHITECTURE.md, "Events"). An exact or planned one has a dark
   * edge outside its outline's line, so the colours inside keep the whole shape. */
  var Symbol_ = {
    draw: function (ctx, x, y, r, options, alpha) {
      var colours = options.actorColours.length ? options.actorColours : ["#666666"];
      var step = (2 * Math.PI) / colours.length, reach = r * 2;  // past every shape's outline
      var opacity = alpha === undefined ? 1 : alpha;  // a playback draws an event partly known to its period lighter
      ctx.globalAlpha = opacity;
      ctx.lineJoin = "round";
      if (options.hollow) {
        outerEdge(ctx, options.shape, x, y, r, HOLLOW_WIDTH);
        tracePath(ctx, options.shape, x, y, r);
        ctx.fillStyle = "#ffffff";
        ctx.fill();
        colours.forEach(function (colour, i) {
          ctx.save();
          ctx.beginPath();
          ctx.moveTo(x, y);
          ctx.arc(x, y, reach + 4, -Math.PI / 2 + i * step, -Math.PI / 2 + (i + 1) * step, false);
          ctx.closePath();
          ctx.clip();
          tracePath(ctx, options.shape, x, y, r);
          ctx.lineWidth = HOLLOW_WIDTH;
          ctx.strokeStyle = colour;
          ctx.stroke();
          ctx.restore();
        });
        ctx.globalAlpha = 1;
        ctx.lineJoin = "miter";
        return;
      }
      ctx.save();
      tracePath(ctx, options.shape, x, y, r);
      ctx.clip();
      ctx.globalAlpha = opacity * (options.approximate ? 0.3 : 0.9);
      colours.forEach(function (colour, i) {
        ctx.beginPath();
        ctx.moveTo(x, y);
        ctx.arc(x, y, reach, -Math.PI / 2 + i * step, -Math.PI / 2 + (i + 1) * step, false);
        ctx.closePath();
        ctx.fillStyle = colour;
        ctx.fill();
      });
      ctx.restore();
      tracePath(ctx, options.shape, x, y, r);
      if (options.approximate) {
        // The ring in the actor's colour lies inside the outline, a dark edge outside it: a pale
        // colour alone stood under 3:1 against the base map (WCAG 1.4.11; docs/ARCHITECTURE.md,
        // "Accessibility"). The two cover what the ring alone covered.
        ctx.lineWidth = 2;
        ctx.strokeStyle = SYMBOL_EDGE;
        ctx.stroke();
        ctx.save();
        tracePath(ctx, options.shape, x, y, r);
        ctx.clip();
        tracePath(ctx, options.shape, x, y, r);
        ctx.lineWidth = 4;
        ctx.strokeStyle = colours[0];
        ctx.stroke();
        ctx.restore();
      } else {
        outerEdge(ctx, options.shape, x, y, r, OUTLINE_WIDTH);
        tracePath(ctx, options.shape, x, y, r);
        ctx.lineWidth = OUTLINE_WIDTH;
        ctx.strokeStyle = "#ffffff";
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
      ctx.lineJoin = "miter";
    }
  };

  /* The dark edge EDGE_WIDTH wide outside a line of width "line" centred on a symbol's outline,
   * drawn only outside the shape (an even-odd clip between the shape and a square round it), so
   * none of the actors' colours inside is covered. */
  function outerEdge(ctx, shape, x, y, r, line) {
    var box = SHAPE_REACH * r + EDGE_REACH + 1;
    ctx.save();
    tracePath(ctx, shape, x, y, r);
    ctx.rect(x - box, y - box, 2 * box, 2 * box);
    ctx.clip("evenodd");
    tracePath(ctx, shape, x, y, r);
    ctx.lineWidth = line + 2 * EDGE_WIDTH;
    ctx.strokeStyle = SYMBOL_EDGE;
    ctx.stroke();
    ctx.restore();
  }

  /* How far a lone symbol of radius r reaches from its point. */
  function symbolReach(r) { return SHAPE_REACH * r + EDGE_REACH; }

  function groupRadius(count) { return count < 10 ? 11 : count < 100 ? 13 : 15; }

  function countLabel(count) {
    return count < 1000 ? String(count) : (count / 1000).toFixed(count < 10000 ? 1 : 0) + "k";
  }

  /* A group of events: a ring cut by actor, each actor's arc as long as its share of the group's
   * actor mentions (clockwise from the top, in the vocabulary's order), the count in the middle;
   * its rim dashed when every event in it has only an approximate place. */
  function drawGroup(ctx, x, y, r, group, actorColours, alpha) {
    var total = 0, start = -Math.PI / 2, inner = r - (r < 10 ? 3 : 4.5);
    ctx.globalAlpha = alpha === undefined ? 1 : alpha;
    actorColours.forEach(function (entry) { total += group.actors[entry.id] || 0; });
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fillStyle = "#ffffff";
    ctx.fill();
    actorColours.forEach(function (entry) {
      var share = (group.actors[entry.id] || 0) / total;
      if (!share) { return; }
      ctx.beginPath();
      ctx.arc(x, y, r, start, start + share * 2 * Math.PI, false);
      ctx.arc(x, y, inner, start + share * 2 * Math.PI, start, true);
      ctx.closePath();
      ctx.fillStyle = entry.colour;
      ctx.fill();
      start += share * 2 * Math.PI;
    });
    ctx.beginPath();
    ctx.arc(x, y, r + 0.5, 0, 2 * Math.PI);
    ctx.lineWidth = 1;
    ctx.strokeStyle = "#333333";
    ctx.setLineDash(group.approximate ? [3, 2] : []);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = "#111111";
    ctx.font = "bold " + (r < 10 || group.count >= 1000 ? 9 : 11) + "px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(countLabel(group.count), x, y + 0.5);
    ctx.globalAlpha = 1;
  }

  /* The canvas calls tracePath, Symbol_.draw and drawGroup make, recorded as SVG elements under
   * `parent` instead (a vector export: Chromium prints SVG as vector paths, a canvas as an image),
   * so one drawing code serves both. Clips nest as <g clip-path>, as save/restore nest. */
  var SVG_NS = "http://www.w3.org/2000/svg";
  function n(value) { return String(Math.round(value * 1000) / 1000); }
  function SvgContext(parent) {
    this._root = this._parent = parent;
    this._d = "";
    this._point = false;  // whether the path has a current point (an arc then joins it by a line)
    this._stack = [];
    this._dash = [];
    this._clips = 0;
    this.fillStyle = "#000000"; this.strokeStyle = "#000000"; this.lineWidth = 1; this.globalAlpha = 1;
    this.lineJoin = "miter";
    this.font = "10px sans-serif"; this.textAlign = "start"; this.textBaseline = "alphabetic";
  }
  SvgContext.prototype._add = function (tag, attributes, parent) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    (parent || this._parent).appendChild(node);
    return node;
  };
  SvgContext.prototype.setTransform = function () {};
  SvgContext.prototype.beginPath = function () { this._d = ""; this._point = false; };
  SvgContext.prototype.moveTo = function (x, y) { this._d += "M" + n(x) + " " + n(y); this._point = true; };
  SvgContext.prototype.lineTo = function (x, y) {
    this._d += (this._point ? "L" : "M") + n(x) + " " + n(y); this._point = true;
  };
  SvgContext.prototype.closePath = function () { if (this._d) { this._d += "Z"; } };
  SvgContext.prototype.rect = function (x, y, w, h) {
    this._d += "M" + n(x) + " " + n(y) + "h" + n(w) + "v" + n(h) + "h" + n(-w) + "Z"; this._point = true;
  };
  /* Canvas arc semantics: a line from the current point to the arc's start, then the arc. */
  SvgContext.prototype.arc = function (x, y, r, from, to, anticlockwise) {
    var full = anticlockwise ? from - to >= 2 * Math.PI : to - from >= 2 * Math.PI;
    var turn = 2 * Math.PI, delta = anticlockwise ? from - to : to - from;
    delta = full ? turn : ((delta % turn) + turn) % turn;
    var sweep = anticlockwise ? 0 : 1, sign = anticlockwise ? -1 : 1;
    this.lineTo(x + r * Math.cos(from), y + r * Math.sin(from));
    if (delta === 0) { return; }
    if (full) {  // two half circles: one SVG arc cannot end where it starts
      var mid = from + sign * Math.PI;
      this._d += "A" + n(r) + " " + n(r) + " 0 0 " + sweep + " " + n(x + r * Math.cos(mid)) + " " + n(y + r * Math.sin(mid));
      this._d += "A" + n(r) + " " + n(r) + " 0 0 " + sweep + " " + n(x + r * Math.cos(from)) + " " + n(y + r * Math.sin(from));
      return;
    }
    var end = from + sign * delta;
    this._d += "A" + n(r) + " " + n(r) + " 0 " + (delta > Math.PI ? 1 : 0) + " " + sweep + " " +
      n(x + r * Math.cos(end)) + " " + n(y + r * Math.sin(end));
  };
  SvgContext.prototype.fill = function () {
    var attributes = { d: this._d, fill: this.fillStyle, stroke: "none" };
    if (this.globalAlpha !== 1) { attributes["fill-opacity"] = n(this.globalAlpha); }
    this._add("path", attributes);
  };
  SvgContext.prototype.stroke = function () {
    var attributes = { d: this._d, fill: "none", stroke: this.strokeStyle, "stroke-width": n(this.lineWidth) };
    if (this.globalAlpha !== 1) { attributes["stroke-opacity"] = n(this.globalAlpha); }
    if (this._dash.length) { attributes["stroke-dasharray"] = this._dash.join(" "); }
    if (this.lineJoin !== "miter") { attributes["stroke-linejoin"] = this.lineJoin; }
    this._add("path", attributes);
  };
  SvgContext.prototype.setLineDash = function (dash) { this._dash = dash.slice(); };
  SvgContext.prototype.save = function () {
    this._stack.push({ parent: this._parent, fillStyle: this.fillStyle, strokeStyle: this.strokeStyle,
                       lineWidth: this.lineWidth, globalAlpha: this.globalAlpha, dash: this._dash, lineJoin: this.lineJoin,
                       font: this.font, textAlign: this.textAlign, textBaseline: this.textBaseline });
  };
  SvgContext.prototype.restore = function () {
    var state = this._stack.pop();
    if (!state) { return; }
    this._parent = state.parent; this.fillStyle = state.fillStyle; this.strokeStyle = state.strokeStyle;
    this.lineWidth = state.lineWidth; this.globalAlpha = state.globalAlpha; this._dash = state.dash;
    this.lineJoin = state.lineJoin;
    this.font = state.font; this.textAlign = state.textAlign; this.textBaseline = state.textBaseline;
  };
  SvgContext.prototype.clip = function (rule) {
    var id = "panj-clip-" + (SvgContext.clips = (SvgContext.clips || 0) + 1);
    var defs = this._defs || (this._defs = this._add("defs", {}, this._root));
    this._add("path", { d: this._d, "clip-rule": rule || "nonzero" }, this._add("clipPath", { id: id }, defs));
    this._parent = this._add("g", { "clip-path": "url(#" + id + ")" });
  };
  SvgContext.prototype.fillText = function (text, x, y) {
    var node = this._add("text", {
      x: n(x), y: n(y), fill: this.fillStyle, style: "font: " + this.font,
      "text-anchor": { center: "middle", right: "end", end: "end" }[this.textAlign] || "start",
      "dominant-baseline": { middle: "central", top: "hanging", hanging: "hanging" }[this.textBaseline] || "auto"
    });
    node.textContent = text;
  };

  /* The events of one compact file (geo/eventdata.py), read once per URL for the page's life:
   * {count, header, lon, lat (Int32Array, degrees × header.scale), style, area, place, ids, details(rows),
   * detailsFrom(url)}. The ids are a file of their own (loadIds), read once it has arrived. Popup
   * text comes in files of header.detailsRows events, fetched when first needed from the folder
   * the update names (detailsFrom). */
  var MAGIC = "PANJEV2";
  var IDS_FILE = "events-ids.bin.gz";  // beside the events file (geo/eventdata.py IDS_FILE)
  var eventFiles = {};  // url -> promise of the file's data
  var idFiles = {};  // url of an ids file -> promise of its events' data, once data.ids can be read

  /* The server prunes a published folder once no reader should still need it (geo/snapshot.py).
   * A page left open past that reloads, and the server hands it the current data with the same
   * view (the URL holds it). At most once a minute, so a file that is truly missing cannot make
   * the page reload in a loop; an exported figure (no parent page) just reports the failure. */
  var RELOAD_KEY = "panj-data-gone";
  function dataGone(response) {
    if (response.status !== 404 || !window.parent || window.parent === window) { return; }
    try {
      var storage = window.parent.sessionStorage, last = Number(storage.getItem(RELOAD_KEY) || 0);
      if (Date.now() - last < 60000) { return; }
      storage.setItem(RELOAD_KEY, String(Date.now()));
      window.parent.location.reload();
    } catch (error) {
      if (window.console) { window.console.error("Panj map: cannot reload the page: " + error); }
    }
  }
  window.PanjDataGone = dataGone;  // the labels' runtime (panj-labels.js) fetches from the same folder

  /* The popup text is written after its folder is published (geo/snapshot.py), and its folder
   * appears whole: a file not there yet is asked for again after these pauses (some 30 s in all),
   * then the folder is taken to be gone. */
  var DETAILS_PAUSES_MS = [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000, 5000];
  function fetchDetails(url, attempt) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (response.status === 404 && attempt < DETAILS_PAUSES_MS.length) {
        return new Promise(function (resolve) { window.setTimeout(resolve, DETAILS_PAUSES_MS[attempt]); })
          .then(function () { return fetchDetails(url, attempt + 1); });
      }
      if (!response.ok) { dataGone(response); throw new Error("events: " + url + " answered HTTP " + response.status); }
      return response.json();
    });
  }

  /* Promise of a stream's bytes as one ArrayBuffer, read chunk by chunk: a reader, unlike
   * Response.arrayBuffer(), settles within the microtasks once the bytes are there, so a file
   * inflated before the document's update is drawn before the next frame (panj-early.js). */
  function readAll(stream) {
    var reader = stream.getReader(), chunks = [], length = 0;
    function next(step) {
      if (step.done) {
        var bytes = new Uint8Array(length), offset = 0;
        chunks.forEach(function (chunk) { bytes.set(chunk, offset); offset += chunk.length; });
        return bytes.buffer;
      }
      chunks.push(step.value);
      length += step.value.length;
      return reader.read().then(next);
    }
    return reader.read().then(next);
  }

  /* Promise of a published column file (gzipped when published, a poor connection carrying a
   * third of the bytes: geo/eventdata.py) inflated and read by ``read`` (an ArrayBuffer -> its
   * columns), fetched once per page and URL (``files``: url -> promise); a failed one is
   * forgotten, so a later call asks again. ``what`` names the file in an error. */
  function loadColumns(files, url, what, read) {
    if (!files[url]) {
      // The map's first script may have fetched and inflated it already (panj-early.js).
      var early = window.PanjEarly ? window.PanjEarly.take(url) : null;
      files[url] = (early || fetch(url, { credentials: "same-origin" })).then(function (got) {
        if (got instanceof ArrayBuffer) { return got; }
        if (!got.ok) { dataGone(got); throw new Error(what + ": " + url + " answered HTTP " + got.status); }
        return readAll(got.body.pipeThrough(new DecompressionStream("gzip")));
      }).then(read).catch(function (error) {
        delete files[url];
        throw error;
      });
    }
    return files[url];
  }

  function loadEventFile(url) {
    return loadColumns(eventFiles, url, "events", function (buffer) { return readEventFile(url, buffer); });
  }

  /* Promise of data (from loadEventFile) once its ids can be read: the ids file beside the events
   * file, fetched once per page. The first draw reads no id, and at a million events the ids
   * were 17 of the 30.7 MB that had to arrive and be inflated before it (docs/performance.md,
   * "The ids apart"); what reads them waits on this (a highlight, ready, so a test's groups()).
   * A worker fetches and inflates them, so they arrive while this thread draws the symbols: read
   * here, a response's body waits for the thread, and the ids came in only after the draw. */
  function loadIds(data) {
    var url = data.url.slice(0, data.url.lastIndexOf("/") + 1) + IDS_FILE;
    if (!idFiles[url]) {
      idFiles[url] = inflatedApart(new URL(url, document.baseURI).href).then(function (buffer) {
        data.idsArrived(buffer);
        return data;
      }).catch(function (error) {
        delete idFiles[url];  // a later update asks again
        throw error;
      });
    }
    return idFiles[url];
  }

  // The worker's script: fetch a gzipped file, inflate it and hand its buffer back (transferred,
  // not copied), or the response's status, or the error.
  var INFLATE_WORKER = "onmessage = function (event) {" +
    " fetch(event.data, { credentials: 'same-origin' }).then(function (response) {" +
    "  if (!response.ok) { postMessage({ status: response.status }); return null; }" +
    "  return new Response(response.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer()" +
    "   .then(function (buffer) { postMessage({ buffer: buffer }, [buffer]); });" +
    " }).catch(function (error) { postMessage({ error: String(error) }); });" +
    "};";
  var inflateWorkerUrl = null;

  /* Promise of a gzipped file's inflated content (an ArrayBuffer), fetched and inflated by a
   * worker of its own, which ends with it. */
  function inflatedApart(url) {
    return new Promise(function (resolve, reject) {
      if (inflateWorkerUrl === null) {
        inflateWorkerUrl = URL.createObjectURL(new Blob([INFLATE_WORKER], { type: "text/javascript" }));
      }
      var worker = new Worker(inflateWorkerUrl);
      worker.onmessage = function (event) {
        var answer = event.data;
        worker.terminate();
        if (answer.buffer) { resolve(answer.buffer); return; }
        if (answer.status) { dataGone({ status: answer.status }); }
        reject(new Error("ids: " + url + (answer.status ? " answered HTTP " + answer.status : ": " + answer.error)));
      };
      worker.onerror = function (event) {
        worker.terminate();
        reject(new Error("ids: " + url + ": " + (event.message || "the worker failed")));
      };
      worker.postMessage(url);
    });
  }

  function readEventFile(url, buffer) {
    var bytes = new Uint8Array(buffer), text = new TextDecoder();
    if (text.decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) { throw new Error("events: " + url + " is not a Panj events file"); }
    var view = new DataView(buffer), length = view.getUint32(8, true), offset = 12;
    var header = JSON.parse(text.decode(bytes.subarray(offset, offset + length))), count = header.count;
    offset += length;
    function column(Type) {
      var values = new Type(buffer, offset, count);
      offset += Math.ceil((count * Type.BYTES_PER_ELEMENT) / 4) * 4;
      return values;
    }
    var data = {
      url: url, count: count, header: header,
      lon: column(Int32Array), lat: column(Int32Array),
      style: column(header.styleBytes === 4 ? Uint32Array : Uint16Array),
      area: column(header.areaBytes === 4 ? Uint32Array : Uint16Array),
      place: column(Uint32Array)  // 0: a point no earlier row has; else 1 + its place (placesOf)
    };
    // The ids (a million lines at a million events) are split into strings the first time one is
    // read (a highlight, a test's groups), not when their file arrives (loadIds).
    var idBytes = null, ids = null;
    data.idsArrived = function (buffer) { idBytes = new Uint8Array(buffer); };
    Object.defineProperty(data, "ids", {
      get: function () {
        if (ids === null) {
          if (idBytes === null) { throw new Error("events: the ids of " + url + " are read before their file arrived"); }
          ids = count ? text.decode(idBytes).split("\n") : [];
          idBytes = null;
        }
        return ids;
      }
    });
    placesOf(data);
    var chunks = {}, base = null;
    /* The folder of the popup files (the update's data.details): another one (the folder
     * published again) starts afresh. */
    data.detailsFrom = function (url) {
      if (url !== base) { base = url; chunks = {}; }
    };
    /* Promise of {row: popup text} for these rows. */
    data.details = function (rows) {
      var wanted = {}, from = chunks;
      rows.forEach(function (row) { wanted[Math.floor(row / header.detailsRows)] = true; });
      return Promise.all(Object.keys(wanted).map(function (chunk) {
        if (!from[chunk]) {
          from[chunk] = fetchDetails(base + "details-" + chunk + ".json", 0)
            .catch(function (error) { delete from[chunk]; throw error; });
        }
        return from[chunk];
      })).then(function () {
        var found = {};
        return Promise.all(rows.map(function (row) {
          return from[Math.floor(row / header.detailsRows)].then(function (chunk) {
            var values = chunk.rows[row % header.detailsRows], text = {};
            chunk.columns.forEach(function (name, i) { text[name] = values[i]; });
            found[row] = text;
          });
        })).then(function () { return found; });
      });
    };
    return data;
  }

  /* A table of integer pairs (x, y) -> a non-negative integer: open addressing over typed arrays,
   * sized for `entries` pairs and doubled whenever it is half full: the grid cells of groupsAt. A
   * million events' places (numbered by the file now: placesOf) and grid cells went through a Map of numbers before, which boxed each key and took most of a million-event
   * first draw (docs/performance.md, "First load at a million events"); a grid's cells are far fewer
   * than its places, so its table starts small instead of at one slot pair per place, whose zeroing
   * and collection cost more than the cells (docs/performance.md, "Grouping a million places"). */
  function PairTable(entries) {
    var capacity = 16;
    while (capacity < 2 * entries) { capacity *= 2; }  // at most half full: short probes
    this.used = 0;
    this._allocate(capacity);
  }
  PairTable.prototype._allocate = function (capacity) {
    this.mask = capacity - 1;
    this.xs = new Int32Array(capacity);
    this.ys = new Int32Array(capacity);
    this.values = new Int32Array(capacity).fill(-1);
  };
  /* The slot of (x, y): the pair's own, or the empty one where it would go. */
  PairTable.prototype.slot = function (x, y) {
    var h = Math.imul(x ^ Math.imul(y, 0x27d4eb2d), 0x9e3779b1), values = this.values, xs = this.xs, ys = this.ys;
    h = (h ^ (h >>> 15)) & this.mask;
    while (values[h] !== -1 && (xs[h] !== x || ys[h] !== y)) { h = (h + 1) & this.mask; }
    return h;
  };
  /* A new pair goes into slot h; the table doubles once it is half full. */
  PairTable.prototype._add = function (h, x, y, value) {
    this.xs[h] = x; this.ys[h] = y; this.values[h] = value;
    this.used += 1;
    if (2 * this.used <= this.mask + 1) { return; }
    var xs = this.xs, ys = this.ys, values = this.values, i, to;
    this._allocate(2 * (this.mask + 1));
    for (i = 0; i < values.length; i++) {
      if (values[i] !== -1) {
        to = this.slot(xs[i], ys[i]);
        this.xs[to] = xs[i]; this.ys[to] = ys[i]; this.values[to] = values[i];
      }
    }
  };
  /* The value of (x, y), or -1. */
  PairTable.prototype.get = function (x, y) { return this.values[this.slot(x, y)]; };
  /* Sets (x, y) to value; returns the value it held, or -1. */
  PairTable.prototype.put = function (x, y, value) {
    var h = this.slot(x, y), before = this.values[h];
    if (before === -1) { this._add(h, x, y, value); } else { this.values[h] = value; }
    return before;
  };
  /* The value of (x, y); a pair the table does not hold yet is given `value` first. */
  PairTable.prototype.intern = function (x, y, value) {
    var h = this.slot(x, y);
    if (this.values[h] === -1) { this._add(h, x, y, value); return value; }
    return this.values[h];
  };

  /* Places: the distinct points events stand on (an area event's point stands for its area), each
   * with its projected point at zoom 0 (Leaflet's spherical Mercator, 256-pixel tiles), numbered
   * in the order of their first row as the file's place column says (geo/eventdata.py
   * place_column): hashing every row's point here took a third of a million-event first draw
   * (docs/performance.md, "The ids apart"). */
  var MAX_LATITUDE = 85.0511287798;
  function placesOf(data) {
    var n = data.count, lon = data.lon, lat = data.lat, known = data.place, placeOf = new Int32Array(n);
    var xs = new Float64Array(n), ys = new Float64Array(n), lats = new Float64Array(n), count = 0, i;
    var scale = data.header.scale;
    for (i = 0; i < n; i++) {
      var place = known[i] === 0 ? count : known[i] - 1;
      if (place === count) {
        count++;
        var radians = Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat[i] / scale)) * Math.PI / 180;
        xs[place] = (lon[i] / scale / 360 + 0.5) * 256;
        ys[place] = (0.5 - Math.log(Math.tan(Math.PI / 4 + radians / 2)) / (2 * Math.PI)) * 256;
        lats[place] = lat[i] / scale;
      }
      placeOf[i] = place;
    }
    data.placeOf = placeOf;
    // Views, not copies: a copy of each was 7 MB more to allocate and collect at a million places.
    data.places = { count: count, x: xs.subarray(0, count), y: ys.subarray(0, count), lat: lats.subarray(0, count) };
  }

  /* Promise of a mask's bits (base64 of a zlib stream of one bit per row, the first row the
   * first byte's top bit: geo/eventdata.py shown_mask), null for no mask. Needs no events file, so
   * it is inflated while the file is still on its way. */
  function maskBits(mask) {
    if (mask === null || mask === undefined) { return Promise.resolve(null); }
    var text = atob(mask), packed = new Uint8Array(text.length), i;
    for (i = 0; i < text.length; i++) { packed[i] = text.charCodeAt(i); }
    // Written straight into the inflating stream: a Blob's stream is read through the browser's
    // process, a task or more, and the symbols would wait a frame for it (readAll).
    var stream = new DecompressionStream("deflate"), writer = stream.writable.getWriter();
    writer.write(packed).catch(function () {});  // a corrupt mask rejects the read below
    writer.close().catch(function () {});
    return readAll(stream.readable).then(function (buffer) { return new Uint8Array(buffer); });
  }

  /* The rows of count that a mask's bits (maskBits) show; every row for none. */
  function shownRows(bits, count) {
    var rows = new Int32Array(count), i, n = 0;
    if (bits === null) {
      for (i = 0; i < count; i++) { rows[i] = i; }
      return rows;
    }
    for (i = 0; i < count; i++) {
      if (bits[i >> 3] & (128 >> (i & 7))) { rows[n++] = i; }
    }
    return rows.slice(0, n);
  }

  var termFiles = {};  // url -> promise of terms.bin.gz's columns (geo/clientfilter.py)

  /* Promise of terms.bin.gz's columns for count rows: Uint16 codes (0: none) of each row's dataset,
   * country and province, and a Uint8 of its region flags. Fetched once per page. */
  function loadTerms(url, count) {
    return loadColumns(termFiles, url, "terms", function (buffer) {
      return { dataset: new Uint16Array(buffer, 0, count), country_id: new Uint16Array(buffer, 2 * count, count),
               province_id: new Uint16Array(buffer, 4 * count, count), flags: new Uint8Array(buffer, 6 * count, count) };
    });
  }

  /* Promise of the rows a filter's terms show (geo/clientfilter.py BrowserFilters.terms), by
   * geo/filters.py's rule: a type, status or actor chosen (any of the row's actors), days that
   * overlap the range, a region the row lies in, a dataset kept. The styles are judged once each;
   * the dates and terms files are fetched only when a term needs them. */
  function termRows(data, terms) {
    var folder = data.url.slice(0, data.url.lastIndexOf("/") + 1);
    var dated = terms.days ? loadDates(folder + "dates.bin.gz", data.count) : Promise.resolve(null);
    var coded = terms.regions || terms.datasets ? loadTerms(folder + "terms.bin.gz", data.count) : Promise.resolve(null);
    return Promise.all([dated, coded]).then(function (got) {
      var days = got[0], codes = got[1], styles = data.header.styles, styleKept = new Uint8Array(styles.length);
      function chosen(list) { return list ? new Set(list) : null; }
      function table(list) {
        var kept = new Uint8Array(65536);
        list.forEach(function (code) { kept[code] = 1; });
        return kept;
      }
      var types = chosen(terms.types), statuses = chosen(terms.statuses), actors = chosen(terms.actors);
      styles.forEach(function (style, s) {
        styleKept[s] = (types === null || types.has(style[0])) && (statuses === null || statuses.has(style[2])) &&
          (actors === null || style[1].some(function (id) { return actors.has(id); })) ? 1 : 0;
      });
      var from = days !== null && terms.days[0] !== null ? terms.days[0] : -Infinity;
      var to = days !== null && terms.days[1] !== null ? terms.days[1] : Infinity;
      var datasets = terms.datasets ? table(terms.datasets) : null, regions = terms.regions || null;
      var flags = regions ? regions.flags : 0;
      var countries = regions ? table(regions.country_id) : null, provinces = regions ? table(regions.province_id) : null;
      var rows = new Int32Array(data.count), n = 0, i, style = data.style;
      for (i = 0; i < data.count; i++) {
        if (!styleKept[style[i]]) { continue; }
        if (days !== null && (days.last[i] < from || days.first[i] > to)) { continue; }
        if (datasets !== null && !datasets[codes.dataset[i]]) { continue; }
        if (regions !== null && !(codes.flags[i] & flags) && !countries[codes.country_id[i]] &&
            !provinces[codes.province_id[i]]) { continue; }
        rows[n++] = i;
      }
      return rows.slice(0, n);
    });
  }

  /* The events as groups on one canvas (docs/ARCHITECTURE.md, "Events in the browser"). Places
   * (distinct points) closer than GROUP_DISTANCE pixels at the map's zoom form a group, drawn as one
   * symbol and hit-tested here (no Leaflet layer per event). Everything is typed arrays over rows,
   * places and groups: grouping a zoom is one pass over the shown places with a hashed grid of
   * GROUP_DISTANCE cells (O(places)), cached per zoom; drawing walks the groups near the view. */
  function EventGroups(map, pane, vector) {
    this.map = map;
    this.canvas = L.DomUtil.create("canvas", "panj-events-canvas leaflet-zoom-hide", map.getPane(pane));
    // A vector export ({maxSymbols}) draws the symbols as SVG while there are at most maxSymbols in
    // view, else on the canvas (an image in the PDF); rasterised says what the last draw put there.
    this.vector = vector || null;
    this.svg = null;
    this.rasterised = { events: 0, symbols: 0 };
    if (this.vector) {
      this.svg = L.SVG.create("svg");
      this.svg.setAttribute("class", "panj-events-svg leaflet-zoom-hide");
      this.svg.style.position = "absolute";
      this.svg.style.pointerEvents = "none";
      map.getPane(pane).appendChild(this.svg);
    }
    this.data = null;
    this.rows = new Int32Array(0);  // the rows shown
    this.weight = null;
    this.highlightRow = -1;
    this.ringed = false;  // a point event is highlighted: its group is ringed (an area event is outlined)
    this.ring = null;  // the ring last drawn: {x, y, radius} in container pixels
    this.styles = [];  // per style: {shape, actorColours, actors, approximate, hollow, halo}
    // Symbols sized by fatalities: {counts (Int32Array per data row, -1 none reported), maxRadius,
    // minRadius}, or null: every symbol its ordinary size.
    this.sizing = null;
    this._actorColours = [];
    this._places = null;
    this._byZoom = {};
    // How far the canvas reaches past the view, in view sizes: nothing until the first symbols are
    // painted, then CANVAS_MARGIN (widen).
    this._margin = 0;
    map.on("moveend resize", this.draw, this);
  }

  /* Whether the canvas covers the view alone (widen has not run yet). */
  EventGroups.prototype.narrow = function () { return this._margin !== CANVAS_MARGIN; };

  /* The canvas drawn again reaching CANVAS_MARGIN past the view, if it did not yet. The page's
   * first symbols are drawn over the view alone, and the margin once their frame is painted, with
   * the outlines: the first frame fills and commits half the pixels, and makes no names' layout
   * and no keyboard buttons (docs/performance.md, "The symbols in the first frame"). */
  EventGroups.prototype.widen = function () {
    if (!this.narrow()) { return; }
    this._margin = CANVAS_MARGIN;
    this.draw();
  };

  /* The events to draw: rows of data shown, how each style looks, the highlighted row (-1), and
   * how strongly a playback draws each row (weight, per data row: WEIGHT_FULL, WEIGHT_PARTIAL or
   * WEIGHT_FADED; null: all in full). */
  EventGroups.prototype.setData = function (data, rows, vocabulary, highlightRow, weight, sizing) {
    this.data = data;
    this.sizing = sizing || null;
    this.rows = rows;
    this.weight = weight || null;
    this.highlightRow = highlightRow;
    this.ringed = highlightRow >= 0 && data.area[highlightRow] === 0;
    this.styles = data.header.styles.map(function (style) {
      return styleLook(style, vocabulary);
    });
    this._actorColours = Object.keys(vocabulary.actors).map(function (id) {
      return { id: id, colour: vocabulary.actors[id].colour };
    });
    // Every actor the styles name, numbered, and each style's actors by number (summary).
    var actorIds = [], actorNumber = {};
    this._styleActors = this.styles.map(function (look) {
      return Int32Array.from(look.actors, function (id) {
        if (!(id in actorNumber)) { actorNumber[id] = actorIds.length; actorIds.push(id); }
        return actorNumber[id];
      });
    });
    this._actorIds = actorIds;
    // The same as one list (_summariseAll reads it event by event): style s's actors are
    // styleActorList[styleActorStart[s] .. styleActorStart[s + 1]).
    var actorStart = new Int32Array(this._styleActors.length + 1);
    this._styleActors.forEach(function (named, s) { actorStart[s + 1] = actorStart[s] + named.length; });
    var actorList = new Int32Array(actorStart[this._styleActors.length]);
    this._styleActors.forEach(function (named, s) { actorList.set(named, actorStart[s]); });
    this._styleActorStart = actorStart;
    this._styleActorList = actorList;
    this._actorTally = new Int32Array(actorIds.length);
    this._styleApproximate = Uint8Array.from(this.styles, function (look) { return look.approximate ? 1 : 0; });
    this._styleTally = new Int32Array(this.styles.length);  // summary's events by style, zero between groups
    this._stylesSeen = new Int32Array(this.styles.length);
    // The shown places and their rows, listed place by place (a counting sort): shown place k is
    // data place placeIds[k] and holds rows members[start[k] .. start[k + 1]).
    var all = data.places.count, sizes = new Int32Array(all), slot = new Int32Array(all).fill(-1);
    var n = 0, i, k;
    for (i = 0; i < rows.length; i++) { sizes[data.placeOf[rows[i]]] += 1; }
    var placeIds = new Int32Array(all);
    for (k = 0; k < all; k++) { if (sizes[k] > 0) { slot[k] = n; placeIds[n++] = k; } }
    placeIds = placeIds.slice(0, n);
    var start = new Int32Array(n + 1), fill = new Int32Array(n), members = new Int32Array(rows.length), most = 0;
    for (k = 0; k < n; k++) { start[k + 1] = start[k] + sizes[placeIds[k]]; most = Math.max(most, sizes[placeIds[k]]); }
    for (i = 0; i < rows.length; i++) {
      k = slot[data.placeOf[rows[i]]];
      members[start[k] + fill[k]] = rows[i];
      fill[k] += 1;
    }
    // Seeds by size, the largest first (a counting sort again): a place holding many events keeps
    // its own position, and ties keep the data's order so a view groups the same way every time.
    var bySize = new Int32Array(most + 2), seeds = new Int32Array(n);
    for (k = 0; k < n; k++) { bySize[most - (start[k + 1] - start[k]) + 1] += 1; }
    for (k = 1; k < bySize.length; k++) { bySize[k] += bySize[k - 1]; }
    for (k = 0; k < n; k++) { seeds[bySize[most - (start[k + 1] - start[k])]++] = k; }
    this._places = { count: n, ids: placeIds, start: start, members: members, seeds: seeds };
    this._byZoom = {};
  };

  function styleLook(style, vocabulary) {
    var actors = style[1], precision = style[3];
    return {
      shape: (vocabulary.event_types[style[0]] || { symbol: "circle" }).symbol,
      actors: actors,
      actorColours: actors.map(function (id) { return (vocabulary.actors[id] || { colour: "#666666" }).colour; }),
      approximate: precision !== "exact",
      hollow: PLAN_STATUSES[style[2]] === true,
      halo: style[4]  // metres, from the data (geo.eventdata.halo_metres)
    };
  }

  /* The groups at a zoom: typed arrays over groups g < count: x, y (pixels at that zoom, of the
   * group's seed place), size (events), places (shown places, listed from placeStart[g]), and a
   * hashed grid of the groups by their seed's cell (head: a PairTable of cell column and row ->
   * first group; next: the following group of that cell, -1 after the last). */
  EventGroups.prototype.groupsAt = function (zoom) {
    if (this._byZoom[zoom]) { return this._byZoom[zoom]; }
    var places = this._places, all = this.data.places, n = places.count, size = GROUP_DISTANCE;
    var scale = Math.pow(2, zoom), px = new Float64Array(n), py = new Float64Array(n);
    // The places by grid cell, each cell's contiguous (a counting sort), with how many in each no
    // group holds yet: a seed reads its nine cells in order and skips those all taken, where
    // following a chain of places through the whole map missed the cache at every step.
    var owner = new Int32Array(n).fill(-1), grid = new PairTable(0), cellOf = new Int32Array(n), cells = 0, k, c;
    for (k = 0; k < n; k++) {
      px[k] = all.x[places.ids[k]] * scale; py[k] = all.y[places.ids[k]] * scale;
      cellOf[k] = grid.intern(Math.floor(px[k] / size), Math.floor(py[k] / size), cells);
      if (cellOf[k] === cells) { cells++; }
    }
    var cellStart = new Int32Array(cells + 1), left = new Int32Array(cells);
    for (k = 0; k < n; k++) { cellStart[cellOf[k] + 1] += 1; left[cellOf[k]] += 1; }
    for (c = 0; c < cells; c++) { cellStart[c + 1] += cellStart[c]; }
    // Whether a place is taken is kept in the cells' order too (taken[j], place inCell[j] at cellAt[k]):
    // a seed's scan reads its cells' places one after another, where owner[] by place missed the
    // cache at each (docs/performance.md, "Grouping a million places").
    var filled = cellStart.slice(0, cells), inCell = new Int32Array(n), cellX = new Float64Array(n), cellY = new Float64Array(n), j;
    var cellAt = new Int32Array(n), taken = new Uint8Array(n);
    for (k = 0; k < n; k++) {
      j = filled[cellOf[k]]++;
      inCell[j] = k; cellX[j] = px[k]; cellY[j] = py[k]; cellAt[k] = j;
    }
    var count = 0, s, seed, dx, dy, end, g;
    for (s = 0; s < n; s++) {
      seed = places.seeds[s];
      if (owner[seed] !== -1) { continue; }
      var column = Math.floor(px[seed] / size), row = Math.floor(py[seed] / size), sx = px[seed], sy = py[seed];
      owner[seed] = count;
      taken[cellAt[seed]] = 1;
      left[cellOf[seed]] -= 1;
      for (dx = -1; dx <= 1; dx++) {
        for (dy = -1; dy <= 1; dy++) {
          c = grid.get(column + dx, row + dy);
          if (c === -1 || left[c] === 0) { continue; }
          for (j = cellStart[c], end = cellStart[c + 1]; j < end; j++) {
            var ex = cellX[j] - sx, ey = cellY[j] - sy;
            if (taken[j] === 0 && ex * ex + ey * ey < size * size) { taken[j] = 1; owner[inCell[j]] = count; left[c] -= 1; }
          }
        }
      }
      count += 1;
    }
    // Each group's places, listed group by group, the seed first (no place a group takes comes
    // before its seed among the seeds). The groups' arrays are sized by the groups, not the places:
    // a few hundred groups at a million places' opening zoom, where arrays of a slot a place were
    // 20 MB to zero and collect (docs/performance.md, "The ids apart").
    var placeStart = new Int32Array(count + 1), placeFill = new Int32Array(count), placeList = new Int32Array(n);
    var gsize = new Int32Array(count);
    for (k = 0; k < n; k++) { placeStart[owner[k] + 1] += 1; gsize[owner[k]] += places.start[k + 1] - places.start[k]; }
    for (k = 0; k < count; k++) { placeStart[k + 1] += placeStart[k]; }
    for (s = 0; s < n; s++) {
      k = places.seeds[s];
      placeList[placeStart[owner[k]] + placeFill[owner[k]]++] = k;
    }
    var gx = new Float64Array(count), gy = new Float64Array(count), head = new PairTable(0), next = new Int32Array(count);
    for (g = 0; g < count; g++) {
      seed = placeList[placeStart[g]];
      gx[g] = px[seed]; gy[g] = py[seed];
      next[g] = head.put(Math.floor(px[seed] / size), Math.floor(py[seed] / size), g);
    }
    // Sized by fatalities: each group's reported sum and how many of its events report any; the
    // largest sum at this zoom is drawn at maxRadius (geo/fatalities.py).
    var sums = null, reporting = null, largest = 0;
    if (this.sizing !== null) {
      var counts = this.sizing.counts, m;
      sums = new Float64Array(count); reporting = new Int32Array(count);
      for (k = 0; k < n; k++) {
        for (m = places.start[k]; m < places.start[k + 1]; m++) {
          var reported = counts[places.members[m]];
          if (reported >= 0) { sums[owner[k]] += reported; reporting[owner[k]] += 1; }
        }
      }
      for (k = 0; k < count; k++) { largest = Math.max(largest, sums[k]); }
    }
    var highlighted = -1;
    if (this.highlightRow >= 0) {
      var at = this._shownPlace(this.highlightRow);
      if (at >= 0) { highlighted = owner[at]; }
    }
    this._byZoom[zoom] = {
      zoom: zoom, count: count, x: gx, y: gy, size: gsize,
      placeStart: placeStart, places: placeList, head: head, next: next, highlighted: highlighted,
      actorCounts: new Map(), sums: sums, reporting: reporting, largest: largest
    };
    return this._byZoom[zoom];
  };

  /* The shown place holding a row, or -1 (a binary search: shown places keep the data's order). */
  EventGroups.prototype._shownPlace = function (row) {
    var ids = this._places.ids, place = this.data.placeOf[row], low = 0, high = ids.length - 1;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (ids[middle] === place) { return middle; }
      if (ids[middle] < place) { low = middle + 1; } else { high = middle - 1; }
    }
    return -1;
  };

  /* A group's rows, place by place (the seed place's first). */
  EventGroups.prototype.rowsOf = function (groups, g) {
    var places = this._places, rows = [], p, m;
    for (p = groups.placeStart[g]; p < groups.placeStart[g + 1]; p++) {
      var place = groups.places[p];
      for (m = places.start[place]; m < places.start[place + 1]; m++) { rows.push(places.members[m]); }
    }
    return rows;
  };

  /* {actor id: mentions} in a group, and whether all its events have only an approximate place.
   * A zoom of at most SUMMARISE_ALL_GROUPS groups has every group's counted at its first summary,
   * in one pass over the shown places in their order (_summariseAll); a zoom of more (few of them in
   * view) has each group's counted when asked, its events by style first and then each style's
   * actors once. Going group by group read the events in no order, a cache miss each, and took a
   * tenth of a million-event first load (docs/performance.md, "Grouping a million places"). */
  var SUMMARISE_ALL_GROUPS = 4096;
  // ...and whose groups-by-actors table stays within this many cells (8 MB): an import's open
  // vocabulary of actors could otherwise make it hundreds of megabytes.
  var SUMMARY_TABLE_CELLS = 1 << 21;
  EventGroups.prototype.summary = function (groups, g) {
    var known = groups.actorCounts.get(g);
    if (known) { return known; }
    if (groups.count <= SUMMARISE_ALL_GROUPS && groups.count * this._actorIds.length <= SUMMARY_TABLE_CELLS) {
      this._summariseAll(groups);
      return groups.actorCounts.get(g);
    }
    var places = this._places, style = this.data.style, members = places.members, start = places.start;
    var actorsOf = this._styleActors, counts = this._actorTally, byStyle = this._styleTally, seen = this._stylesSeen;
    var approximateStyle = this._styleApproximate;
    var approximate = true, styles = 0, p, m, k, s, end;
    counts.fill(0);
    for (p = groups.placeStart[g]; p < groups.placeStart[g + 1]; p++) {
      var place = groups.places[p];
      for (m = start[place], end = start[place + 1]; m < end; m++) {
        s = style[members[m]];
        if (byStyle[s]++ === 0) { seen[styles++] = s; }
      }
    }
    for (k = 0; k < styles; k++) {
      s = seen[k];
      var named = actorsOf[s], times = byStyle[s], a;
      for (a = 0; a < named.length; a++) { counts[named[a]] += times; }
      if (!approximateStyle[s]) { approximate = false; }
      byStyle[s] = 0;  // clear for the next group
    }
    known = this._summaryOf(counts, 0, approximate, groups.size[g]);
    groups.actorCounts.set(g, known);
    return known;
  };

  /* Every group's summary at once: the shown places in order, their events in order, each event's
   * actors counted into its group's row of a groups-by-actors table. */
  EventGroups.prototype._summariseAll = function (groups) {
    var places = this._places, style = this.data.style, members = places.members, start = places.start;
    var actorStart = this._styleActorStart, actorList = this._styleActorList, approximateStyle = this._styleApproximate;
    var actors = this._actorIds.length, n = places.count, owner = new Int32Array(n), g, p, k, m, a, s, end, row;
    for (g = 0; g < groups.count; g++) {
      for (p = groups.placeStart[g]; p < groups.placeStart[g + 1]; p++) { owner[groups.places[p]] = g; }
    }
    var counts = new Int32Array(groups.count * actors), exact = new Uint8Array(groups.count);
    for (k = 0; k < n; k++) {
      row = owner[k] * actors;
      for (m = start[k], end = start[k + 1]; m < end; m++) {
        s = style[members[m]];
        for (a = actorStart[s]; a < actorStart[s + 1]; a++) { counts[row + actorList[a]] += 1; }
        if (!approximateStyle[s]) { exact[owner[k]] = 1; }
      }
    }
    for (g = 0; g < groups.count; g++) {
      groups.actorCounts.set(g, this._summaryOf(counts, g * actors, exact[g] === 0, groups.size[g]));
    }
  };

  /* A summary from the actor counts at counts[from .. from + actors). */
  EventGroups.prototype._summaryOf = function (counts, from, approximate, size) {
    var actors = {}, k;
    for (k = 0; k < this._actorIds.length; k++) {
      if (counts[from + k]) { actors[this._actorIds[k]] = counts[from + k]; }
    }
    return { actors: actors, approximate: approximate, count: size };
  };

  /* The groups one zoom step in and one out, kept (groupsAt), and the actor counts (summary) of
   * the groups a step about the view's centre would draw (EventGroups.draw's canvas): the first
   * step into a zoom spent about half its script on them at 10,000 events (docs/performance.md,
   * "The first zoom step"), and the map does them while the reader looks instead. */
  EventGroups.prototype.prepareZooms = function () {
    var map = this.map, zoom = map.getZoom(), size = map.getSize(), self = this;
    var half = size.multiplyBy(0.5 + CANVAS_MARGIN), reach = 20;
    [zoom + 1, zoom - 1].forEach(function (at) {
      if (at < map.getMinZoom() || at > map.getMaxZoom()) { return; }
      var groups = self.groupsAt(at), centre = map.project(map.getCenter(), at), g;
      for (g = 0; g < groups.count; g++) {
        if (groups.size[g] > 1 && Math.abs(groups.x[g] - centre.x) <= half.x + reach &&
            Math.abs(groups.y[g] - centre.y) <= half.y + reach) { self.summary(groups, g); }
      }
    });
  };

  /* Pixels at the map's zoom of the container's top-left corner. */
  EventGroups.prototype._containerOrigin = function () {
    return this.map.getPixelOrigin().add(this.map.containerPointToLayerPoint([0, 0]));
  };

  /* The highlight ring's radius round a symbol of radius r. */
  function ringRadius(r) { return Math.max(RING_SYMBOLS * SYMBOL_RADIUS, r + 6); }

  EventGroups.prototype.radius = function (groups, g) {
    var ordinary = groups.size[g] === 1 ? (groups.highlighted === g ? HIGHLIGHT_RADIUS : SYMBOL_RADIUS) : groupRadius(groups.size[g]);
    if (groups.sums === null || groups.reporting[g] === 0) { return ordinary; }  // none reported: never drawn as zero
    var r = sizedRadius(groups.sums[g], groups.largest, this.sizing);
    return groups.size[g] === 1 ? r : Math.max(r, ordinary);  // a group keeps room for its count
  };

  /* The radius of a reported count: area proportional, the largest count drawn at maxRadius, none
   * smaller than minRadius (0 among them). */
  function sizedRadius(count, largest, sizing) {
    return largest > 0 ? Math.max(sizing.minRadius, sizing.maxRadius * Math.sqrt(count / largest)) : sizing.minRadius;
  }

  /* Whether a group's events report no fatalities at all while symbols are sized by them. */
  EventGroups.prototype.unreported = function (groups, g) {
    return groups.sums !== null && groups.reporting[g] === 0;
  };

  /* The groups whose centre lies in the map's container: [{g, x, y}] in container pixels. */
  EventGroups.prototype.inView = function () {
    if (!this._places) { return []; }
    var size = this.map.getSize(), origin = this._containerOrigin(), groups = this.groupsAt(this.map.getZoom()), found = [];
    for (var g = 0; g < groups.count; g++) {
      var x = groups.x[g] - origin.x, y = groups.y[g] - origin.y;
      if (x >= 0 && y >= 0 && x <= size.x && y <= size.y) { found.push({ g: g, x: x, y: y }); }
    }
    return found;
  };

  /* The group drawn under a container point, or -1. */
  EventGroups.prototype.hit = function (point) {
    if (!this._places) { return -1; }
    var groups = this.groupsAt(this.map.getZoom()), origin = this._containerOrigin();
    var x = point.x + origin.x, y = point.y + origin.y, size = GROUP_DISTANCE, best = -1, bestDistance = Infinity;
    var column = Math.floor(x / size), row = Math.floor(y / size), dx, dy, g;
    for (dx = -1; dx <= 1; dx++) {
      for (dy = -1; dy <= 1; dy++) {
        for (g = groups.head.get(column + dx, row + dy); g !== -1; g = groups.next[g]) {
          var distance = Math.sqrt((groups.x[g] - x) * (groups.x[g] - x) + (groups.y[g] - y) * (groups.y[g] - y));
          if (distance <= this.radius(groups, g) + 3 && distance < bestDistance) { best = g; bestDistance = distance; }
        }
      }
    }
    return best;
  };

  /* A group's point as a LatLng (its seed place's own point). */
  EventGroups.prototype.latLng = function (groups, g) {
    return this.map.unproject([groups.x[g], groups.y[g]], groups.zoom);
  };

  /* Draws the groups on a canvas covering the view and, once widened, CANVAS_MARGIN of it again on
   * every side (panning shows them before moveend redraws): first the halos of approximate places
   * standing alone, one path for all, then the symbols, the highlighted group last, ringed. */
  EventGroups.prototype.draw = function () {
    var map = this.map, size = map.getSize(), margin = size.multiplyBy(this._margin).round(), canvas = this.canvas;
    var ratio = window.devicePixelRatio || 1, width = size.x + 2 * margin.x, height = size.y + 2 * margin.y;
    var topLeft = map.containerPointToLayerPoint([0, 0]).subtract(margin);
    var origin = map.getPixelOrigin().add(topLeft), reach = 20, self = this, shown = [], g;
    var groups = this._places ? this.groupsAt(map.getZoom()) : null;
    if (groups !== null) {
      for (g = 0; g < groups.count; g++) {
        var gx = groups.x[g] - origin.x, gy = groups.y[g] - origin.y;
        if (gx < -reach || gy < -reach || gx > width + reach || gy > height + reach || g === groups.highlighted) { continue; }
        shown.push(g);
      }
      if (groups.highlighted >= 0) { shown.push(groups.highlighted); }
    }
    var vector = this.vector !== null && shown.length <= this.vector.maxSymbols, ctx;
    this.rasterised = { events: 0, symbols: 0 };
    this.ring = null;
    if (this.svg !== null) {
      while (this.svg.firstChild) { this.svg.removeChild(this.svg.firstChild); }
      this.svg.setAttribute("width", width);
      this.svg.setAttribute("height", height);
      this.svg.setAttribute("viewBox", "0 0 " + width + " " + height);
      L.DomUtil.setPosition(this.svg, topLeft);
    }
    if (vector) {  // the canvas empty and out of the print
      canvas.width = 0;
      canvas.height = 0;
      canvas.style.display = "none";
      ctx = new SvgContext(this.svg);
    } else {
      canvas.style.display = "";
      ctx = canvas.getContext("2d");
      if (canvas.width === Math.round(width * ratio) && canvas.height === Math.round(height * ratio)) {
        // The same size: cleared, not allocated again (a zoom or a pan redraws the whole canvas).
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.clearRect(0, 0, canvas.width, canvas.height);
      } else {
        canvas.width = Math.round(width * ratio);
        canvas.height = Math.round(height * ratio);
      }
      canvas.style.width = width + "px";
      canvas.style.height = height + "px";
      L.DomUtil.setPosition(canvas, topLeft);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      if (this.vector !== null) {
        shown.forEach(function (g) { self.rasterised.events += groups.size[g]; });
        this.rasterised.symbols = shown.length;
      }
    }
    // The names and the keyboard's buttons follow the symbols in view (panjsymbols): made with the
    // widened canvas, after the first symbols' frame, whose commit they would otherwise add to.
    if (this._margin === CANVAS_MARGIN) { map.fire("panjsymbols"); }
    if (groups === null || !shown.length) { return; }
    this._drawHalos(ctx, groups, shown, origin);
    if (groups.sums !== null) {  // sized: the large symbols first, so the small ones stay on top
      var last = shown[shown.length - 1], ringedLast = last === groups.highlighted;
      if (ringedLast) { shown.pop(); }
      var radii = new Map();
      shown.forEach(function (g) { radii.set(g, self.radius(groups, g)); });
      shown.sort(function (a, b) { return radii.get(b) - radii.get(a); });
      if (ringedLast) { shown.push(last); }
    }
    shown.forEach(function (g) {
      var x = groups.x[g] - origin.x, y = groups.y[g] - origin.y, r = self.radius(groups, g);
      var alpha = self._alpha(groups, g);
      if (groups.size[g] === 1) {
        Symbol_.draw(ctx, x, y, r, self.styles[self.data.style[self.rowsOf(groups, g)[0]]], alpha);
      } else {
        drawGroup(ctx, x, y, r, self.summary(groups, g), self._actorColours, alpha);
      }
      if (self.unreported(groups, g)) { unreportedRing(ctx, x, y, r, alpha); }
      if (g === groups.highlighted && self.ringed) {
        var ring = ringRadius(r);
        ctx.beginPath();
        ctx.arc(x, y, ring, 0, 2 * Math.PI);
        ctx.lineWidth = RING_RIM;  // a pale rim under the dark ring keeps it visible on a dark basemap
        ctx.strokeStyle = "rgba(255, 255, 255, 0.85)";
        ctx.stroke();
        ctx.lineWidth = 3;
        ctx.strokeStyle = "#111111";
        ctx.stroke();
        self.ring = { x: x - margin.x, y: y - margin.y, radius: ring };
      }
    });
  };

  /* The dotted ring round a symbol whose events report no fatalities while symbols are sized by
   * them: it keeps its ordinary size, and this says its size means nothing. */
  function unreportedRing(ctx, x, y, r, alpha) {
    ctx.globalAlpha = alpha === undefined ? 1 : alpha;
    ctx.beginPath();
    ctx.arc(x, y, r + 3, 0, 2 * Math.PI);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = "#222222";
    ctx.setLineDash([1.5, 2]);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
  }

  /* A group's opacity under a playback: that of its most strongly drawn event. */
  EventGroups.prototype._alpha = function (groups, g) {
    if (this.weight === null) { return 1; }
    var weight = this.weight, strongest = WEIGHT_FADED;
    this.rowsOf(groups, g).forEach(function (row) { strongest = Math.min(strongest, weight[row]); });
    return WEIGHT_ALPHA[strongest];
  };

  /* How far a group's drawing reaches from its point: a lone symbol's shape (a star's tips reach
   * 1.3 radii), its line and dark edge, a group's rim, the highlight's ring. */
  EventGroups.prototype.reach = function (groups, g) {
    var r = this.radius(groups, g);
    if (g === groups.highlighted && this.ringed) { return ringRadius(r) + RING_RIM / 2; }
    var ringed = this.unreported(groups, g) ? r + 4 : 0;
    return Math.max(ringed, groups.size[g] === 1 ? symbolReach(r) : r + 1);
  };

  /* Every drawn symbol reaching into the view: [{x, y, r}] in container pixels, r its reach. */
  EventGroups.prototype.circles = function () {
    if (!this._places) { return []; }
    var size = this.map.getSize(), origin = this._containerOrigin(), groups = this.groupsAt(this.map.getZoom()), found = [];
    for (var g = 0; g < groups.count; g++) {
      var x = groups.x[g] - origin.x, y = groups.y[g] - origin.y, r = this.reach(groups, g);
      if (x >= -r && y >= -r && x <= size.x + r && y <= size.y + r) { found.push({ x: x, y: y, r: r }); }
    }
    return found;
  };

  /* One dashed halo per place and halo size, for places that stand alone as their group (a group
   * of several places says "approximate" by its dashed rim instead), as one path. */
  EventGroups.prototype._drawHalos = function (ctx, groups, shown, origin) {
    var self = this, places = this._places, all = this.data.places, zoom = groups.zoom, any = false;
    // Metres per pixel at the equator at this zoom (Leaflet's spherical Mercator, 256-pixel tiles).
    var metres = 2 * Math.PI * 6378137 / (256 * Math.pow(2, zoom));
    ctx.beginPath();
    shown.forEach(function (g) {
      if (groups.placeStart[g + 1] - groups.placeStart[g] !== 1) { return; }
      var place = groups.places[groups.placeStart[g]], drawn = {}, m;
      for (m = places.start[place]; m < places.start[place + 1]; m++) {
        var row = places.members[m], halo = self.data.area[row] === 0 ? self.styles[self.data.style[row]].halo : 0;
        if (!halo || drawn[halo]) { continue; }
        drawn[halo] = true;
        var r = halo / (metres * Math.cos(all.lat[places.ids[place]] * Math.PI / 180));
        var x = groups.x[g] - origin.x, y = groups.y[g] - origin.y;
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, 2 * Math.PI, false);
        any = true;
      }
    });
    if (!any) { return; }
    ctx.lineWidth = EXTENT_STYLE.weight;
    ctx.strokeStyle = EXTENT_STYLE.color;
    ctx.globalAlpha = EXTENT_STYLE.opacity;
    ctx.setLineDash([5, 4]);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
  };

  var PLAN_STATUSES = { planned: true, announced: true };

  /* Leaflet focuses the map on a press (its keyboard handler's mousedown, which a tap sends too)
   * so the arrow keys pan it. A plain focus() scrolls every scrolling ancestor until the whole
   * map shows, the Streamlit page around the map's frame included, and Leaflet puts back only its
   * own window's scroll: when the map was partly out of view, the page moved between the press and
   * the click (117 px on a 1366x768 laptop), so the click landed that far from the symbol pressed
   * and opened nothing. The same focus, without the scroll. */
  function focusWithoutScrolling(map) {
    var keyboard = map.keyboard;
    if (!keyboard) { return; }
    var enabled = keyboard.enabled();
    keyboard.disable();  // its listeners go with the old method, and come back with this one
    keyboard._onMouseDown = function () {
      if (!this._focused) { this._map.getContainer().focus({ preventScroll: true }); }
    };
    if (enabled) { keyboard.enable(); }
  }

  /* Leaflet projects every vertex of a line or an outline again on each zoom: a LatLng through the
   * Mercator formulas to a point object, a third of a zoom step's work at 10,000 events
   * (docs/performance.md, "The paint floor"). These lines and outlines keep each vertex's
   * projection before the zoom's scale (Leaflet's own arithmetic: its transformation at scale 1)
   * in a typed array, so a zoom step only scales and rounds it: the very points Leaflet makes. */
  function cachedProjectLatlngs(latlngs, result, projectedBounds) {
    var i, n = latlngs.length;
    if (!(latlngs[0] instanceof L.LatLng)) {
      for (i = 0; i < n; i++) { this._projectLatlngs(latlngs[i], result, projectedBounds); }
      return;
    }
    var crs = this._map.options.crs, unscaled = latlngs.panjProjected, p;
    if (!unscaled) {
      unscaled = latlngs.panjProjected = new Float64Array(2 * n);
      for (i = 0; i < n; i++) {
        p = crs.transformation._transform(crs.projection.project(latlngs[i]), 1);
        unscaled[2 * i] = p.x; unscaled[2 * i + 1] = p.y;
      }
    }
    var scale = crs.scale(this._map.getZoom()), origin = this._map.getPixelOrigin(), ring = new Array(n);
    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity, x, y;
    for (i = 0; i < n; i++) {
      x = Math.round(scale * unscaled[2 * i]) - origin.x; y = Math.round(scale * unscaled[2 * i + 1]) - origin.y;
      ring[i] = new L.Point(x, y);
      if (x < minX) { minX = x; } if (x > maxX) { maxX = x; }
      if (y < minY) { minY = y; } if (y > maxY) { maxY = y; }
    }
    if (n) { projectedBounds.extend(new L.Point(minX, minY)); projectedBounds.extend(new L.Point(maxX, maxY)); }
    result.push(ring);
  }

  /* A GeoJSON feature's line or outline drawn with cachedProjectLatlngs (points and markers as Leaflet draws them). */
  function projectOnce(layer) {
    if (layer instanceof L.Polyline) { layer._projectLatlngs = cachedProjectLatlngs; }
  }

  /* Leaflet's canvas renderer, on a zoom without animation (setZoom, setView, fitBounds), sizes its
   * canvas at moveend and again at viewreset, projects every path at zoomend and again at
   * viewreset, and clips and simplifies every path twice at viewreset (each path's _reset, then
   * the update it postponed at viewprereset). This one does each once, at viewreset, where
   * Leaflet's last pass ran: the same projection, the same parts, the same drawing
   * (docs/performance.md, "The first zoom step"). An animated zoom or a pan (no viewprereset) is
   * Leaflet's own, but for the canvas: cleared when its size is the same, as the symbols' is, not
   * allocated again. Made with the first map: the strip's figure loads this file without Leaflet
   * (geo/stripfigure.py). */
  var OutlineCanvas = null;
  function outlineCanvas(options) {
    if (OutlineCanvas === null) { OutlineCanvas = L.Canvas.extend(OUTLINE_CANVAS); }
    return new OutlineCanvas(options);
  }
  var OUTLINE_CANVAS = {
    _onZoomEnd: function () {
      if (!this._postponeUpdatePaths) { L.Canvas.prototype._onZoomEnd.call(this); }
    },
    _update: function () {
      if (!this._postponeUpdatePaths) { this._fit(); }
    },
    /* Leaflet's Canvas._update: the bounds, the canvas over them, and the paths' update. Every
     * path's drawing sets the context's style it uses (Canvas._fillStroke), so a canvas cleared
     * rather than sized anew draws the same. */
    _fit: function () {
      if (this._map._animatingZoom && this._bounds) { return; }
      L.Renderer.prototype._update.call(this);
      var bounds = this._bounds, canvas = this._container, size = bounds.getSize(), ratio = L.Browser.retina ? 2 : 1;
      L.DomUtil.setPosition(canvas, bounds.min);
      if (canvas.width === ratio * size.x && canvas.height === ratio * size.y) {
        this._ctx.setTransform(1, 0, 0, 1, 0, 0);
        this._ctx.clearRect(0, 0, canvas.width, canvas.height);
      } else {
        canvas.width = ratio * size.x;
        canvas.height = ratio * size.y;
        canvas.style.width = size.x + "px";
        canvas.style.height = size.y + "px";
      }
      this._ctx.setTransform(ratio, 0, 0, ratio, -ratio * bounds.min.x, -ratio * bounds.min.y);
      this.fire("update");
    },
    _reset: function () {
      if (!this._postponeUpdatePaths) { L.Canvas.prototype._reset.call(this); return; }
      this._fit();  // the bounds and the canvas; the paths' update still postponed
      this._updateTransform(this._center, this._zoom);
      for (var id in this._layers) { this._layers[id]._project(); }
      this._postponeUpdatePaths = false;
      this._updatePaths();  // each path clipped and simplified, then all drawn
    }
  };

  var DETAIL_STEPS = 1;  // zoom steps a layer's drawing may be from the zoom its file was chosen for

  function PanjMap(map, config) {
    this.map = map;
    this.ready = false;
    this.symbolsReady = false;
    this.error = null;
    this.eventsDrawn = 0;
    this.extentsDrawn = 0;  // events whose area outline is drawn (events of one place share it)
    this.layers = {};
    // The frontier's segments drawn by change level (setFrontierChange): how many, and of each level.
    this.frontierChange = { segments: 0, levels: {} };
    this._changeLayer = null;
    this._plannedLayers = false;  // whether a shown layer has a planned feature (setLayers)
    this.basemap = "none";
    this.highlight = null;
    this._layerOrder = [];
    this._layerSpecs = {};
    this._layerLoads = {};  // file URL -> promise of its GeoJSON, from the first time it is needed
    this._layerFeatures = {};  // file URL -> {feature id: GeoJSON feature}, for area events' outlines
    this._leafletLayers = {};  // file URL -> the Leaflet layer drawn from it
    this._shownLayers = {};  // layer id -> the Leaflet layer on the map (of one of its files)
    this._wanted = {};
    this._update = 0;
    this._frame = 0;  // numbers what is drawn: each update, and each playback frame between updates
    this._group = null;  // the last update's events group (Leaflet), which a playback frame draws into
    this._filtered = new Int32Array(0);  // the rows the last update shows (its mask or terms)
    this._filteredUpdate = 0;  // the update whose mask gave _filtered
    this._shown = null;  // what the strip draws: shownEvents
    this._lighter = null;  // the rows an update's faded mask draws lighter (a video's frame), or null
    this._sizeBy = null;  // the last update's sizeBy ({channel, maxRadius, minRadius}), or null
    this._sizing = null;  // that with the fatalities' counts, as EventGroups.sizing
    this._asked = { highlight: null };  // the last update's highlighted event
    this._drawings = 0;  // drawings begun (updates, and redrawing at another detail): the last sets ready
    this._drawn = Promise.resolve();  // the last update's drawing
    this._redrawn = Promise.resolve();  // the last drawing again at another detail
    this.detailZoom = null;  // the zoom the layers' files were chosen for (_detailUrl)
    this._levels = false;  // whether any layer has simplified levels
    this._outlineState = null;  // the last update's area outlines, to draw again at another detail
    this._basemaps = {};
    this._attributions = {};
    this._attribution = null;
    this._lastFitRequest = null;
    this._lastHighlight = null;
    this._reveal = null;  // the highlighted event to bring into view once its outline is drawn
    this._legendOpen = null;  // whether the page's legend is open, and its setter (initLegend)
    this._swatchesDue = null;  // draws the legend's swatches, until they are drawn (initLegend)
    this._locationRows = null;  // the Location rows last shown (_legendLocations)
    this._setLegendOpen = null;
    this.labelsLoaded = null;  // a promise, set by geo/web/panj-labels.js when the map has names
    // Outlines arrive after the symbols (their layer may still be on its way): their own pane keeps
    // them under the symbols whatever the order, above the areas' layers, below tooltips. The
    // layers of lines and points (the frontier, its change segments, places, posts) lie over the
    // outlines: an area's dashed grey edge along the frontier would otherwise darken its red. The
    // highlighted area's outline lies over those, under the symbols.
    map.createPane("panjExtents").style.zIndex = 440;
    map.createPane("panjLines").style.zIndex = 444;
    map.createPane("panjHighlight").style.zIndex = 446;
    map.createPane("panjEvents").style.zIndex = 450;
    // config.vector ({maxSymbols}), set by the exporter for a PDF or SVG: outlines and, up to
    // maxSymbols symbols in view, the events are SVG, which Chromium prints as vector paths.
    this.vector = config.vector || null;
    this.svg = L.svg();
    this.linesSvg = L.svg({ pane: "panjLines" });
    this.extentCanvas = this.vector ? L.svg({ pane: "panjExtents", padding: CANVAS_MARGIN })
      : outlineCanvas({ pane: "panjExtents", padding: CANVAS_MARGIN });
    this.events = new EventGroups(map, "panjEvents", this.vector);
    this.highlightRenderer = L.svg({ pane: "panjHighlight", padding: CANVAS_MARGIN });  // SVG: its outline can animate
    this.highlightOutline = null;  // the highlighted area event's outline layer
    this.playback = new Playback(this);
    try {  // the page's playback control hears the keys pressed in this frame too (static/playback.js)
      if (window.parent !== window && typeof window.parent.panjMapArrived === "function") { window.parent.panjMapArrived(window); }
    } catch (error) {
      // A page of another origin: no control there.
    }
    map.on("click", this._onMapClick, this);
    map.on("mousemove", this._onMapHover, this);
    map.on("zoomend", this._legendLocations, this);
    map.on("zoomend", this._legendSizes, this);
    map.on("zoomend", this._zoomDetail, this);
    this.home = config.home;  // [[south, west], [north, east]]
    // Not animated: a zoom animation still running when an update's fit() arrives would end by
    // putting back the zoom it was animating to.
    map.fitBounds(this.home, { animate: false });
    focusWithoutScrolling(map);
    // The wheel scrolls the page past the map until the reader clicks or focuses it (a click
    // focuses Leaflet's container); leaving it hands the wheel back to the page.
    if (map.scrollWheelZoom) {
      map.scrollWheelZoom.disable();
      map.on("focus", function () { map.scrollWheelZoom.enable(); });
      map.on("blur", function () { map.scrollWheelZoom.disable(); });
    }
    // Leaflet credited as text: with no basemap, no link on the page leads off this machine.
    if (map.attributionControl) { map.attributionControl.setPrefix("Leaflet"); }
    window.PanjView.follow(this.map);
  }

  PanjMap.prototype.registerBasemap = function (id, tileLayer) {
    this._basemaps[id] = tileLayer;
  };

  PanjMap.prototype.setBasemap = function (id) {
    var id_ = this._basemaps[id] ? id : "none";
    if (id_ === this.basemap) { return; }
    if (this._basemaps[this.basemap]) { this.map.removeLayer(this._basemaps[this.basemap]); }
    if (this._basemaps[id_]) { this._basemaps[id_].addTo(this.map); }
    this.basemap = id_;
  };

  /* One manifest layer, registered by URL: {id, title, style, labelField, attribution, features,
   * url, levels}; levels ([[zoom, url], ...], coarse to fine, geo.outlines) are its lines and
   * outlines simplified for the zooms up to each zoom, url its full detail. */
  PanjMap.prototype.addVectorLayer = function (spec) {
    this._layerSpecs[spec.id] = spec;
    this._attributions[spec.id] = spec.attribution;
    this._layerOrder.push(spec.id);
    this.layers[spec.id] = { visible: false, features: spec.features, title: spec.title, file: null };
    if (this.detailZoom === null) { this.detailZoom = this.map.getZoom(); }
    this._levels = this._levels || (spec.levels || []).length > 0;
  };

  /* The file of a layer drawn for a zoom (detailZoom unless given): the coarsest level made for
   * that zoom or beyond (a fractional zoom takes the next level up: finer than half a pixel there
   * too), else full detail. */
  PanjMap.prototype._detailUrl = function (id, at) {
    var spec = this._layerSpecs[id], zoom = at === undefined ? this.detailZoom : at, levels = spec.levels || [], i;
    for (i = 0; i < levels.length; i++) { if (zoom <= levels[i][0] + 1e-6) { return levels[i][1]; } }
    return spec.url;
  };

  /* A file of the layer, fetched once (its features by id kept for area outlines); a failed fetch
   * is retried next time. */
  PanjMap.prototype._loadLayer = function (id, url) {
    var self = this, spec = this._layerSpecs[id];
    if (!spec) { return Promise.reject(new Error("layer " + id + " is not on this map")); }
    if (!this._layerLoads[url]) {
      this._layerLoads[url] = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { dataGone(response); throw new Error("layer " + id + ": " + url + " answered HTTP " + response.status); }
        return response.json();
      }).then(function (data) {
        var byId = {};
        data.features.forEach(function (feature) { byId[(feature.properties || {}).id] = feature; });
        self._layerFeatures[url] = byId;
        return data;
      }).catch(function (error) {
        delete self._layerLoads[url];
        throw error;
      });
    }
    return this._layerLoads[url];
  };

  /* SVG paths with class panj-layer-<id> and escaped tooltips; a feature whose status is a plan
   * (a facility not yet built) is drawn hollow, as a planned event is, with class panj-planned. */
  PanjMap.prototype._vectorLayer = function (spec, data) {
    var self = this, style = L.extend({}, spec.style, { className: "panj-layer panj-layer-" + spec.id });
    var planned = L.extend({}, style, { fillColor: "#ffffff", className: style.className + " panj-planned" });
    function look(feature) {
      return PLAN_STATUSES[((feature && feature.properties) || {}).status] === true ? planned : style;
    }
    // A layer with no area (lines, points) is drawn over the events' area outlines (the constructor).
    var areas = data.features.some(function (feature) { return /Polygon/.test((feature.geometry || {}).type || ""); });
    var renderer = areas ? this.svg : this.linesSvg;
    return L.geoJSON(data, {
      renderer: renderer,
      style: look,
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, L.extend({ renderer: renderer }, look(feature)));
      },
      onEachFeature: function (feature, featureLayer) {
        projectOnce(featureLayer);
        var label = (feature.properties || {})[spec.labelField];
        if (label !== undefined && label !== null) {
          featureLayer.bindTooltip(esc(label), { sticky: true, className: "panj-tooltip" });
        }
      }
    });
  };

  /* Show exactly these layers, keeping the manifest's drawing order; a promise settled when every
   * one of them is fetched and on the map (rejected if one cannot be fetched). */
  PanjMap.prototype.setLayers = function (ids) {
    var self = this, wanted = {};
    ids.forEach(function (id) { if (self._layerSpecs[id]) { wanted[id] = true; } });
    this._wanted = wanted;
    this._layerOrder.forEach(function (id) {
      if (!wanted[id]) {
        if (self._shownLayers[id]) { self.map.removeLayer(self._shownLayers[id]); }
        delete self._shownLayers[id];
        self.layers[id].visible = false;
        self.layers[id].file = null;
      }
    });
    this._legendShow("data-panj-legend-layer", wanted);
    // A shown layer's planned feature is drawn hollow like a planned event: the legend's status row
    // explains both (_drawShown).
    this._plannedLayers = Object.keys(wanted).some(function (id) { return self._layerSpecs[id].planned === true; });
    this._updateAttribution(ids);
    return this._showLayers();
  };

  /* Each wanted layer drawn from its file for the map's zoom; a layer shown at another detail stays
   * until the new file has arrived, so a zoom never leaves it blank. */
  PanjMap.prototype._showLayers = function () {
    var self = this;
    return Promise.all(Object.keys(this._wanted).map(function (id) {
      var url = self._detailUrl(id);
      return self._loadLayer(id, url).then(function (data) {
        // Hidden since, or zoomed to another detail (whose own drawing follows): nothing to do.
        if (!self._wanted[id] || self._detailUrl(id) !== url) { return; }
        // Built the first time it is shown: a layer fetched only for an area's outline never is.
        var layer = self._leafletLayers[url] || (self._leafletLayers[url] = self._vectorLayer(self._layerSpecs[id], data));
        var before = self._shownLayers[id];
        if (before !== layer) {
          if (before) { self.map.removeLayer(before); }
          layer.addTo(self.map);
          self._shownLayers[id] = layer;
        }
        self.layers[id].visible = true;
        self.layers[id].file = url;
        self._restack();
      });
    }));
  };

  /* Layers arrive in any order; SVG stacks them by insertion, so restore the manifest's order, with
   * the frontier's change segments over them all. */
  PanjMap.prototype._restack = function () {
    var self = this;
    this._layerOrder.forEach(function (id) {
      if (self._shownLayers[id]) { self._shownLayers[id].bringToFront(); }
    });
    if (this._changeLayer) { this._changeLayer.bringToFront(); }
  };

  /* The frontier in segments coloured by their latest change level (geo.mapview.frontier_change:
   * {segments: GeoJSON, levels: {id: {colour, label}}, weight}), or none (null); a segment of no level is
   * not drawn. Its legend rows are those of the levels drawn. */
  PanjMap.prototype.setFrontierChange = function (change) {
    var drawn = { segments: 0, levels: {} }, shown = {};
    if (this._changeLayer) { this.map.removeLayer(this._changeLayer); }
    this._changeLayer = null;
    if (change !== null) {
      var levels = change.levels, weight = change.weight;
      this._changeLayer = L.geoJSON(change.segments, {
        renderer: this.linesSvg,
        filter: function (feature) { return Boolean(levels[feature.properties.level]); },
        style: function (feature) {
          return { color: levels[feature.properties.level].colour, weight: weight, opacity: 1,
                   lineCap: "butt", className: "panj-frontier-change panj-change-" + feature.properties.level };
        },
        onEachFeature: function (feature, layer) {
          var p = feature.properties;
          drawn.segments += 1;
          drawn.levels[p.level] = (drawn.levels[p.level] || 0) + 1;
          shown[p.level] = true;
          layer.bindTooltip(esc("km " + p.from_km + "\u2013" + p.to_km + ", " + p.period + ": " + p.events +
            " event" + (p.events === 1 ? "" : "s") + " against a mean of " + p.mean_4 + " before. " +
            levels[p.level].label), { sticky: true, className: "panj-tooltip" });
        }
      }).addTo(this.map);
    }
    this.frontierChange = drawn;
    this._legendShow("data-panj-legend-change", shown);
  };

  /* Once painted, the files the next zoom out or in past DETAIL_STEPS would draw, for the layers
   * drawn (shown, or outlining an area event), are fetched while the reader looks. */
  PanjMap.prototype._prefetchDetail = function () {
    var self = this, zoom = this.detailZoom, ids = L.extend({}, this._wanted), state = this._outlineState;
    if (state !== null) { Object.keys(state.extents).forEach(function (code) { ids[state.extents[code].layer] = true; }); }
    Object.keys(ids).forEach(function (id) {
      [zoom - DETAIL_STEPS - 1, zoom + DETAIL_STEPS + 1].forEach(function (at) {
        self._loadLayer(id, self._detailUrl(id, at)).catch(function () {});  // asked again, and reported, when drawn
      });
    });
  };

  /* Once the map is drawn, when the page is idle: the groups one zoom step in and out, with the
   * actor counts of those a step would draw (EventGroups.prepareZooms), unless an update or a
   * playback frame has begun meanwhile. Above PREPARE_MAX_PLACES shown places it is left to the
   * zoom itself: grouping them twice would be one long task the page could be busy with. */
  var PREPARE_MAX_PLACES = 100000;
  PanjMap.prototype._prepareZooms = function () {
    var self = this, update = this._update, frame = this._frame;
    if (this.events._places === null || this.events._places.count > PREPARE_MAX_PLACES) { return; }
    var whenIdle = window.requestIdleCallback || function (run) { return window.setTimeout(run, 0); };
    whenIdle(function () {
      if (update === self._update && frame === self._frame && self.ready) { self.events.prepareZooms(); }
    }, { timeout: 1000 });
  };

  /* A zoom more than DETAIL_STEPS from the one the files were chosen for draws the shown layers and
   * the area outlines again from the files for the new zoom; ready is false until they are
   * painted. Within it the drawing stays: a level drawn one zoom in is simplified to a pixel, as
   * Leaflet simplifies every path anyway, and one zoom out it is finer than needed; redrawing
   * on every step would cost more than the vertices it saves. */
  PanjMap.prototype._zoomDetail = function () {
    var zoom = this.map.getZoom();
    // A figure's layers have no levels (full detail at every zoom): nothing to draw again.
    if (!this._levels || Math.abs(zoom - this.detailZoom) <= DETAIL_STEPS + 1e-6) { return; }
    this.detailZoom = zoom;
    this.ready = false;
    var state = this._outlineState;
    var outlines = state === null ? null : this._drawOutlines(state, this._extentFeatures(state.extents), false);
    this._redrawn = Promise.all([this._showLayers(), outlines]);
    this.finishUpdate(this._update, Promise.all([this._drawn, this._redrawn]));
  };

  /* One update from the page (geo.mapview.EventsLayer): {basemap, layers, data: {url, count},
   * mask (or terms: termRows), vocabulary, highlight, bounds, fitRequest, fitBesideLegend}, a playback's (playback,
   * playbackRange), the frontier coloured by change (frontierChange, or null: setFrontierChange),
   * and a video frame's faded (a mask, as mask, of the rows drawn lighter); ready
   * turns true once its layers and events are drawn and the frame painted. */
  PanjMap.prototype.update = function (group, u) {
    var update = this.beginUpdate();
    this.playback.fromUpdate(u.playback || null, u.playbackRange || null, u.playbackRequest || 0);
    this.setBasemap(u.basemap);
    // Drawn now, not once the layers arrive (an older update's layers could arrive after a newer
    // update's); _restack keeps the segments over each layer as it comes.
    this.setFrontierChange(u.frontierChange || null);
    var layersDrawn = this.setLayers(u.layers);
    this._sizeBy = u.sizeBy || null;
    var eventsDrawn = this.drawEvents(group, u.data, u.mask, u.vocabulary, u.highlight, u.reveal, u.faded, u.terms);
    // A fit to another detail's zoom draws the layers and outlines again (_zoomDetail: _redrawn).
    this.fit(u.bounds, u.fitRequest, u.fitBesideLegend === true);
    this._drawn = Promise.all([layersDrawn, eventsDrawn]);
    this.finishUpdate(update, Promise.all([this._drawn, this._redrawn]));
  };

  PanjMap.prototype.beginUpdate = function () {
    this.ready = false;
    this.symbolsReady = false;
    this.error = null;
    this._update += 1;
    this._frame += 1;
    return this._update;
  };

  /* Ready once the update's layers and events are drawn, the labels' file has arrived
   * (geo/web/panj-labels.js), the legend's swatches are drawn, and two animation frames later (the
   * first runs before the browser paints what was drawn, the second after), unless a newer
   * update, or a drawing at another detail, has begun meanwhile (that one sets it). */
  PanjMap.prototype.finishUpdate = function (update, drawn) {
    var self = this, frame = this._frame, drawing = ++this._drawings;
    return Promise.all([drawn, this.labelsLoaded]).then(function () {
      self._drawSwatches();  // if the symbols' frame has not drawn them yet
      return new Promise(function (resolve) {
        window.requestAnimationFrame(function () { window.requestAnimationFrame(resolve); });
      });
    }).then(function () {
      if (update === self._update && frame === self._frame && drawing === self._drawings) {
        self.ready = true;
        self._prefetchDetail();
        self._prepareZooms();
      }
      self._notifyShown(update);
    }, function (error) {
      self._drawSwatches();  // the legend stays whole when a file cannot be fetched
      if (update === self._update) { self.error = String(error.message || error); }
      if (window.console) { window.console.error("Panj map: " + (error.message || error)); }
      self._notifyShown(update);  // the strip draws the rows the map has, whatever it could not fetch
    });
  };

  /* A promise settled in the first task after the next frame: work started then does not delay
   * that frame. */
  function afterPaint() {
    return new Promise(function (resolve) {
      window.requestAnimationFrame(function () { window.setTimeout(resolve, 0); });
    });
  }

  /* A promise settled in a task of the highest priority right after the next frame: before the
   * frame after it, where a timer's task may wait behind that frame on a busy page. */
  function afterFrame() {
    return new Promise(function (resolve) {
      window.requestAnimationFrame(function () {
        if (window.scheduler && window.scheduler.postTask) {
          window.scheduler.postTask(resolve, { priority: "user-blocking" });
        } else {
          window.setTimeout(resolve, 0);
        }
      });
    });
  }

  /* symbolsReady turns true right after the frame that shows the symbols of the current update
   * (or playback frame) is made, unless another update or frame has begun meanwhile: the first
   * frame a reader sees every event in, while layers, outlines and names may still be on their way
   * (ready waits for those too). Returns a promise settled then. Set in a second animation frame's
   * callback instead, it came after the callbacks other scripts had asked for in the frame before,
   * and one looking each frame saw it a frame late (docs/performance.md, "The symbols in the first
   * frame"). */
  PanjMap.prototype._symbolsDrawn = function () {
    var self = this, update = this._update, frame = this._frame;
    this.symbolsReady = false;
    return afterFrame().then(function () {
      if (update === self._update && frame === self._frame) { self.symbolsReady = true; }
    });
  };

  /* One credit line for the visible layers, each source named once. */
  PanjMap.prototype._updateAttribution = function (ids) {
    var self = this, seen = {}, parts = [], control = this.map.attributionControl;
    ids.forEach(function (id) {
      String(self._attributions[id] || "").split(";").forEach(function (part) {
        part = part.trim();
        if (part && !seen[part]) { seen[part] = true; parts.push(part); }
      });
    });
    if (!control) { return; }
    if (this._attribution) { control.removeAttribution(this._attribution); }
    this._attribution = parts.length ? esc(parts.join("; ")) : null;
    if (this._attribution) { control.addAttribution(this._attribution); }
  };

  PanjMap.prototype._legendShow = function (attribute, shown) {
    var items = document.querySelectorAll("[" + attribute + "]");
    Array.prototype.forEach.call(items, function (item) {
      item.hidden = !shown[item.getAttribute(attribute)];
    });
    // A section heading goes with its rows: hidden when every row under it is.
    Array.prototype.forEach.call(document.querySelectorAll(".panj-legend-body h4"), function (heading) {
      var row = heading.nextElementSibling, any = false;
      for (; row && row.tagName !== "H4"; row = row.nextElementSibling) { any = any || !row.hidden; }
      heading.hidden = !any;
    });
  };

  /* The Location rows: exact and approximate symbols as the events hold them, groups as drawn at
   * this zoom. */
  PanjMap.prototype._legendLocations = function () {
    var shown = L.extend({}, this._locationsPresent), groups;
    if (this.events.data !== null) {
      groups = this.events.groupsAt(this.map.getZoom());
      shown.group = groups.count < this.events.rows.length;
    }
    // A zoom step seldom changes the rows: the legend's elements are touched only when it does.
    var key = JSON.stringify(shown);
    if (key === this._locationRows) { return; }
    this._locationRows = key;
    this._legendShow("data-panj-legend-location", shown);
  };

  /* The Fatalities rows while symbols are sized: a row per size drawn at this zoom (0 when a drawn
   * symbol reports 0, the powers of ten up to the largest, and the largest), each symbol drawn at
   * the radius the map gives that count, and "not reported" when a drawn symbol reports none. */
  PanjMap.prototype._legendSizes = function () {
    var events = this.events, shown = {}, values = [], groups = null, largestApart = false, g;
    if (events.data !== null && events.sizing !== null) {
      groups = events.groupsAt(this.map.getZoom());
      var zero = false;
      for (g = 0; g < groups.count; g++) {
        if (groups.reporting[g] === 0) { shown.unreported = true; } else if (groups.sums[g] === 0) { zero = true; }
      }
      if (groups.largest > 0 || zero) {
        shown.sizes = true;
        var powers = [];
        for (var power = 1; power <= groups.largest; power *= 10) { powers.push(power); }
        powers = powers.slice(-3);  // 1, 10, 100 ... the three largest up to the largest count
        largestApart = groups.largest > 0 && powers[powers.length - 1] !== groups.largest;
        values = (zero ? [0] : []).concat(powers, largestApart ? [groups.largest] : []);
      }
    }
    this._legendShow("data-panj-legend-fatalities", shown);
    var row = document.querySelector('[data-panj-legend-fatalities="sizes"]');
    if (!row) { return; }
    var list = row.nextElementSibling && row.nextElementSibling.classList.contains("panj-legend-sizes") ? row.nextElementSibling : null;
    if (list === null) {
      list = document.createElement("div");
      list.className = "panj-legend-sizes";
      row.parentNode.insertBefore(list, row.nextSibling);
    }
    list.hidden = row.hidden;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var sizing = events.sizing, widest = sizing === null ? 0 : sizing.maxRadius;
    values.forEach(function (value) {
      var r = sizedRadius(value, groups.largest, sizing), item = element("div", "panj-legend-item panj-legend-size", list);
      item.setAttribute("data-panj-legend-size", String(value));
      item.setAttribute("data-radius", String(r));
      var canvas = element("canvas", null, item), ratio = window.devicePixelRatio || 1;
      var width = 2 * widest + 4, height = 2 * r + 4;
      canvas.setAttribute("aria-hidden", "true");
      canvas.width = width * ratio; canvas.height = height * ratio;
      // At the map's own scale, wherever the legend is (a figure's panel sizes its swatches by its type).
      canvas.style.setProperty("width", width + "px", "important");
      canvas.style.setProperty("height", height + "px", "important");
      var ctx = canvas.getContext("2d");
      ctx.scale(ratio, ratio);
      ctx.beginPath();
      ctx.arc(width / 2, height / 2, r, 0, 2 * Math.PI);
      ctx.fillStyle = "rgba(85, 85, 85, 0.35)"; ctx.fill();
      ctx.lineWidth = 1; ctx.strokeStyle = "#333333"; ctx.stroke();
      element("span", null, item, value.toLocaleString("en") + (largestApart && value === groups.largest ? ", the largest drawn" : ""));
    });
  };

  /* The events: the file named by data ({url, count}: read once, geo/eventdata.py), the rows the
   * mask (or the terms: termRows) shows grouped and drawn on their canvas at once (EventGroups), a click on a group opening
   * its list or its one event's popup; then, on the canvas below, the outlines of the area places
   * shown (features of the layers' files), one per place, the highlighted area event's drawn
   * over them. A newly highlighted event is brought into view; with toReader (it was chosen in the
   * page's table) the map also scrolls into the reader's view with its popup open. Returns a
   * promise settled once the outlines are drawn (rejected, after drawing what it can, if a file
   * cannot be fetched). */
  PanjMap.prototype.drawEvents = function (group, reference, mask, vocabulary, highlight, toReader, faded, terms) {
    var self = this, update = this._update;
    this._vocabulary = vocabulary;
    var masks = Promise.all([maskBits(mask), faded ? maskBits(faded) : null]);
    return Promise.all([loadEventFile(reference.url), masks]).then(function (got) {
      var data = got[0], bits = got[1];
      data.detailsFrom(reference.details);
      // Asked for now, so they arrive while the symbols are drawn; only a highlight waits for them.
      var idsRead = loadIds(data), highlighted = highlight !== null && highlight !== undefined;
      var sizes = self._sizeBy !== null ? loadFatalities(data) : Promise.resolve(null);
      var filtered = terms ? termRows(data, terms) : Promise.resolve(shownRows(bits[0], data.count));
      return Promise.all([self.playback.datesFor(data), sizes, filtered, highlighted ? idsRead : null]).then(function (found) {
        return { data: data, rows: found[2], lighter: faded ? shownRows(bits[1], data.count) : null,
                 fatalities: found[1], idsRead: idsRead };
      });
    }).then(function (loaded) {
      if (update !== self._update) { return null; }  // a newer update draws instead
      self._group = group;
      self._filtered = loaded.rows;
      self._filteredUpdate = update;
      self._lighter = loaded.lighter;
      self._sizing = loaded.fatalities === null ? null : L.extend({ counts: loaded.fatalities }, self._sizeBy);
      self._asked = { highlight: highlight };
      var drawn = self._drawShown(loaded.data, highlight, toReader, true);
      self.playback._notify(false);  // the period's counts, now drawn
      // Ready once the ids have arrived too: what a reader or a test does next may read them.
      return Promise.all([drawn, loaded.idsRead]);
    });
  };

  /* Draws the rows the filters show (this._filtered), or those of the playback's period among
   * them, into the update's group (see drawEvents); a playback's frame draws again without
   * moving the map (mayReveal false). */
  PanjMap.prototype._drawShown = function (data, highlight, toReader, mayReveal) {
    var self = this, update = this._update, frame = this._frame, group = this._group;
    var picked = this.playback.pick(data, this._filtered);
    if (picked.weight === null && this._lighter) {  // a video frame's partial events (geo.export)
      picked.weight = new Uint8Array(data.count);
      this._lighter.forEach(function (row) { picked.weight[row] = WEIGHT_PARTIAL; });
    }
    var rows = picked.rows, header = data.header, highlightRow = -1, i;
    var styleShown = new Uint8Array(header.styles.length), areaShown = new Int32Array(header.areas.length + 1);
    for (i = 0; i < rows.length; i++) { styleShown[data.style[rows[i]]] = 1; areaShown[data.area[rows[i]]] += 1; }
    if (highlight !== null && highlight !== undefined) {
      for (i = 0; i < rows.length; i++) { if (data.ids[rows[i]] === highlight) { highlightRow = rows[i]; break; } }
    }
    // The outlines' layer files are asked for first, to arrive while the symbols are drawn. Files
    // not fetched yet are drawn from only once the frame with the symbols is painted: parsing and
    // drawing them first would hold the symbols back (docs/performance.md, "The paint floor").
    var extents = {};
    header.areas.forEach(function (ref, a) { if (areaShown[a + 1]) { extents[a + 1] = ref; } });
    var fetching = Object.keys(extents).some(function (code) {
      return !self._layerFeatures[self._detailUrl(extents[code].layer)];
    });
    var outlinesFetched = self._extentFeatures(extents);
    var actorsPresent = {}, typesPresent = {}, locations = {}, statuses = {};
    header.styles.forEach(function (style, s) {
      if (!styleShown[s]) { return; }
      style[1].forEach(function (id) {
        actorsPresent[id] = true;
        if ((self._vocabulary.actors[id] || {}).other) { actorsPresent[OTHER_ACTORS] = true; }
      });
      typesPresent[style[0]] = true;
      if (PLAN_STATUSES[style[2]] === true) { statuses.planned = true; }
      locations[style[3] === "exact" ? "exact" : "approximate"] = true;
    });
    if (self._plannedLayers) { statuses.planned = true; }
    self._data = data;
    if (mayReveal) { self.map.closePopup(); }
    var narrow = self.events.narrow();  // the page's first symbols: the margin comes after their frame
    self.events.setData(data, rows, self._vocabulary, highlightRow, picked.weight, self._sizing);
    self.events.draw();
    var symbolsShown = self._symbolsDrawn(), painted = symbolsShown.then(afterPaint);
    // The swatches and the symbols' margin in the task that parses the outlines: the frame after
    // it shows them all.
    painted.then(function () { self._drawSwatches(); self.events.widen(); });
    if (fetching) {
      outlinesFetched = Promise.all([outlinesFetched, painted]).then(function (both) { return both[0]; });
    }
    self._legendShow("data-panj-legend-actor", actorsPresent);
    self._legendShow("data-panj-legend-type", typesPresent);
    self._legendShow("data-panj-legend-status", statuses);
    self._locationsPresent = locations;
    self._legendLocations();
    self._legendSizes();
    self._showEmptyNote(rows.length === 0, picked.empty);
    self.eventsDrawn = rows.length;
    self.extentsDrawn = 0;
    if (self.highlightOutline !== null) { group.removeLayer(self.highlightOutline); }
    self.highlightOutline = null;
    self.highlight = highlightRow < 0 ? null : highlight;
    // A newly highlighted event is brought into view once its outline is known, unless a fit of
    // this update (fit() ran already) asked for another view since.
    var reveal = self._reveal = mayReveal && highlightRow >= 0 && self._lastHighlight !== highlight ? highlightRow : null;
    if (mayReveal) { self._lastHighlight = self.highlight; }
    // This update's (or playback frame's) outlines, drawn by _drawOutlines now and again when the
    // zoom moves to another detail; a playback frame draws into the same group, replacing the last.
    var previous = self._outlineState;
    var state = { group: group, extents: extents, areaShown: areaShown, areaWeight: picked.areaWeight, data: data,
                  highlightRow: highlightRow, update: update, frame: frame, highlight: null,
                  outlines: previous !== null && previous.group === group ? previous.outlines : null };
    self._outlineState = state;
    // Thickening in once: when newly highlighted, and never in an export (no animation there).
    var outlinesDrawn = self._drawOutlines(state, outlinesFetched, reveal !== null && self._animates());
    // Drawn in full (ready) only once the margin, the names and the buttons are too.
    if (narrow) { outlinesDrawn = Promise.all([outlinesDrawn, painted]).then(function (both) { return both[0]; }); }
    return outlinesDrawn.then(function (found) {
      if (update !== self._update || frame !== self._frame) { return; }  // a newer update or frame draws instead
      var outline = highlightRow >= 0 ? found.features[data.area[highlightRow]] : undefined;
      self.extentsDrawn = Object.keys(found.features).reduce(function (sum, code) { return sum + areaShown[code]; }, 0);
      if (reveal !== null && self._reveal === reveal) {
        self._bringIntoView(reveal, found.features[data.area[reveal]]);
        if (outline === undefined) { self._pulse(); }
        if (toReader) { self._showToReader(highlight); }
      }
      if (found.error !== null) { throw found.error; }
    });
  };

  /* The area outlines of one update (state, from drawEvents) once their features are fetched
   * (found, from _extentFeatures), replacing those drawn before at another detail; the
   * highlighted area event's own outline over them (thickening in when once). Outlines fetched
   * for a detail the map has zoomed away from meanwhile are not drawn: the zoom's own drawing
   * follows. Settles with found. */
  PanjMap.prototype._drawOutlines = function (state, fetched, once) {
    var self = this;
    return fetched.then(function (found) {
      if (state !== self._outlineState || state.update !== self._update || state.frame !== self._frame ||
          found.detail !== self.detailZoom) { return found; }
      var outlines = L.featureGroup();
      Object.keys(found.features).forEach(function (code) {
        outlines.addLayer(L.geoJSON(found.features[code], {
          renderer: self.extentCanvas, interactive: false,
          // A playback draws the outlines of its partial and faded events lighter, as their symbols.
          style: L.extend({}, EXTENT_STYLE, { opacity: EXTENT_STYLE.opacity * WEIGHT_ALPHA[state.areaWeight[code]] }),
          onEachFeature: function (feature, layer) { projectOnce(layer); }
        }));
      });
      if (state.outlines !== null) { state.group.removeLayer(state.outlines); }
      state.outlines = outlines;
      state.group.addLayer(outlines);
      var outline = state.highlightRow >= 0 ? found.features[state.data.area[state.highlightRow]] : undefined;
      if (state.highlight !== null) { state.group.removeLayer(state.highlight); }
      state.highlight = outline === undefined ? null : L.geoJSON(outline, {
        renderer: self.highlightRenderer, interactive: false,
        style: L.extend({ className: "panj-highlight-area" + (once ? " panj-highlight-once" : "") }, HIGHLIGHT_AREA_STYLE)
      });
      if (state.highlight !== null) { state.group.addLayer(state.highlight); }
      self.highlightOutline = state.highlight;
      return found;
    });
  };

  /* How the highlight is drawn, for tests and tools: {event, outlined (its area's outline drawn),
   * ring ({x, y, radius} in container pixels, or null), symbolRadius}. */
  PanjMap.prototype.highlightLook = function () {
    var outline = this.highlightOutline;
    return { event: this.highlight, outlined: outline !== null && this.map.hasLayer(outline), ring: this.events.ring,
             symbolRadius: SYMBOL_RADIUS };
  };

  /* Once, on a newly highlighted point event: a ring closing in on its group from three times its
   * size (panj-map.css), so the eye finds it; none in exports (no animation there). */
  PanjMap.prototype._pulse = function () {
    var ring = this.events.ring, self = this;
    if (ring === null || !this._animates()) { return; }
    if (this._pulseMarker) { this.map.removeLayer(this._pulseMarker); }
    var size = 2 * ring.radius, marker = L.marker(this.map.containerPointToLatLng([ring.x, ring.y]), {
      icon: L.divIcon({ className: "panj-highlight-pulse", iconSize: [size, size], html: "<span></span>" }),
      interactive: false, keyboard: false, pane: "panjEvents"
    }).addTo(this.map);
    this._pulseMarker = marker;
    marker.getElement().firstChild.addEventListener("animationend", function () {
      if (self._pulseMarker === marker) { self.map.removeLayer(marker); self._pulseMarker = null; }
    });
  };

  /* Whether the map animates: not in an export, which turns Leaflet's animations off. */
  PanjMap.prototype._animates = function () {
    return Boolean(this.map.options.zoomAnimation) && !this.vector;
  };

  /* The event chosen in the page's table: the map's frame scrolled into the page's view (the
   * table sits below it) and the event's popup opened. */
  PanjMap.prototype._showToReader = function (id) {
    var frame = null;
    try { frame = window.frameElement; } catch (error) { frame = null; }  // a page of another origin
    if (frame) { frame.scrollIntoView({ block: "center", inline: "nearest" }); }
    this.openEvent(id);
  };

  /* The groups in view for tests and tools: [{x, y (container pixels), r (the symbol's radius), ids (event ids)}]. */
  PanjMap.prototype.groups = function () {
    var events = this.events, ids = events.data ? events.data.ids : [];
    if (events.data === null) { return []; }
    var groups = events.groupsAt(this.map.getZoom());
    return events.inView().map(function (at) {
      return { x: at.x, y: at.y, r: events.radius(groups, at.g),
               ids: events.rowsOf(groups, at.g).map(function (row) { return ids[row]; }) };
    });
  };

  /* The groups in view for the keyboard (geo/web/panj-keys.js): [{x, y (container pixels), r (the
   * symbol's radius), first (the group's first row, of its seed place), count (its events), places
   * (how many)}]. Not the rows themselves: listing every row in view cost a zoom step more than
   * the buttons. */
  PanjMap.prototype.keyTargets = function () {
    var events = this.events;
    if (events.data === null) { return []; }
    var groups = events.groupsAt(this.map.getZoom()), places = events._places;
    return events.inView().map(function (at) {
      return { x: at.x, y: at.y, r: events.radius(groups, at.g), count: groups.size[at.g],
               first: places.members[places.start[groups.places[groups.placeStart[at.g]]]],
               places: groups.placeStart[at.g + 1] - groups.placeStart[at.g] };
    });
  };

  /* Promise of the popup text of rows ({row: {id, title, date, place, ...}}), fetched as a popup's is. */
  PanjMap.prototype.details = function (rows) { return this._data.details(rows); };

  /* Open what a click at a container point opens (an event's popup, a group's list); a promise
   * settled once its text is shown, or null when no group is drawn there. */
  PanjMap.prototype.openAt = function (x, y) { return this._onMapClick({ containerPoint: L.point(x, y) }); };

  /* The drawn symbols' circles, for the names' layout and the tests: [{x, y, r}] (container pixels). */
  PanjMap.prototype.symbols = function () { return this.events.circles(); };

  /* A shown layer's lines as drawn at this zoom, for the names' layout: [[{x, y}, ...], ...] in
   * container pixels; none while the layer is hidden. */
  PanjMap.prototype.linePixels = function (id) {
    var layer = this._shownLayers[id], map = this.map, out = [];
    if (!layer) { return out; }
    layer.eachLayer(function (part) {
      if (!(part instanceof L.Polyline) || part instanceof L.Polygon) { return; }
      var lines = part.getLatLngs();
      (L.LineUtil.isFlat(lines) ? [lines] : lines).forEach(function (line) {
        out.push(line.map(function (at) { return map.latLngToContainerPoint(at); }));
      });
    });
    return out;
  };

  /* Open one event's popup as a click on it would (at its group), by id; false if not drawn. */
  PanjMap.prototype.openEvent = function (id) {
    var events = this.events;
    if (events.data === null) { return false; }
    var groups = events.groupsAt(this.map.getZoom()), row = -1, i;
    for (i = 0; i < events.rows.length; i++) { if (events.data.ids[events.rows[i]] === id) { row = events.rows[i]; break; } }
    if (row < 0) { return false; }
    var place = events._shownPlace(row), g;
    for (g = 0; g < groups.count; g++) {
      for (var p = groups.placeStart[g]; p < groups.placeStart[g + 1]; p++) {
        if (groups.places[p] === place) { this._openEventPopup(events.latLng(groups, g), row, null); return true; }
      }
    }
    return false;
  };

  PanjMap.prototype._onMapClick = function (e) {
    var g = this.events.hit(e.containerPoint);
    if (g < 0) { return null; }
    var groups = this.events.groupsAt(this.map.getZoom()), latlng = this.events.latLng(groups, g);
    if (groups.size[g] === 1) {
      return this._openEventPopup(latlng, this.events.rowsOf(groups, g)[0], null);
    }
    return this._openListPopup(latlng, groups, g);
  };

  PanjMap.prototype._onMapHover = function (e) {
    var self = this, g = this.events.hit(e.containerPoint), container = this.map.getContainer();
    container.classList.toggle("panj-over-event", g >= 0);
    if (g < 0) {
      this._hovered = null;
      if (this._hoverTip) { this.map.closeTooltip(this._hoverTip); }
      return;
    }
    var groups = this.events.groupsAt(this.map.getZoom()), key = groups.zoom + ":" + g;
    if (this._hovered === key) { return; }
    this._hovered = key;
    if (!this._hoverTip) {
      this._hoverTip = L.tooltip({ className: "panj-tooltip", direction: "top", offset: [0, -8] });
    }
    var rows = this.events.rowsOf(groups, g), places = groups.placeStart[g + 1] - groups.placeStart[g];
    this._data.details([rows[0]]).then(function (details) {
      if (self._hovered !== key) { return; }
      var first = details[rows[0]];
      var content = rows.length === 1 ? "<strong>" + esc(first.title) + "</strong><br>" + esc(first.date)
        : "<strong>" + esc(rows.length + " events") + "</strong> · " + esc(places === 1 ? first.place : places + " places") +
          "<br>Click for the list";
      self._hoverTip.setLatLng(self.events.latLng(groups, g)).setContent(content);
      self.map.openTooltip(self._hoverTip);
    }).catch(function (error) {  // no tooltip then; a click's popup says what went wrong
      if (window.console) { window.console.error("Panj map: " + (error.message || error)); }
    });
  };

  /* How much of the map the page around its frame hides, in pixels of the map's container: at the
   * top under Streamlit's fixed header or above the window, at the bottom below the window. None
   * for a map that is a document of its own (an export) or that cannot see its page. */
  function pageCover(box) {
    var cover = { top: 0, bottom: 0 };
    try {
      var frame = window.frameElement;
      if (!frame) { return cover; }
      var page = frame.ownerDocument, at = frame.getBoundingClientRect();
      var top = at.top + frame.clientTop + box.top, bottom = top + box.height, covered = 0;
      var header = page.querySelector('[data-testid="stHeader"]');
      if (header) {
        var h = header.getBoundingClientRect();
        if (h.height > 0 && h.left < at.right && h.right > at.left) { covered = h.bottom; }
      }
      cover.top = Math.max(0, covered - top);
      cover.bottom = Math.max(0, bottom - page.defaultView.innerHeight);
    } catch (error) {  // a page of another origin: nothing is known of it
      return cover;
    }
    return cover;
  }

  /* A popup no taller than half the map nor than its clear part (it scrolls), nor wider than the
   * map allows, panned into the part of the map nothing covers (_popupPadding). On a phone-narrow
   * window an open legend folds first: beside it no popup would fit. */
  PanjMap.prototype._openPopup = function (latlng, content) {
    var size = this.map.getSize(), width = Math.min(340, size.x - 60);
    if (this._hoverTip) { this.map.closeTooltip(this._hoverTip); }
    if (this._legendOpen && this._legendOpen() && window.matchMedia(NARROW).matches) { this._setLegendOpen(false); }
    var clear = this._popupPadding(width);
    var room = size.y - clear.paddingTopLeft[1] - clear.paddingBottomRight[1] - POPUP_FRAME;
    return L.popup({
      maxWidth: width, minWidth: Math.min(220, size.x - 60),
      maxHeight: Math.max(120, Math.min(Math.floor(size.y / 2) - 30, room)), className: "panj-popup-frame",
      autoPanPaddingTopLeft: clear.paddingTopLeft, autoPanPaddingBottomRight: clear.paddingBottomRight
    }).setLatLng(latlng).setContent(content).openOn(this.map);
  };

  /* Where a popup of this width may go, as Leaflet's autoPan paddings (container pixels): clear of
   * every control shown over the map (zoom, legend, scale bar, credits), of the presenter's
   * caption, and of the parts of the map the page hides (pageCover). The controls of the top
   * corners are passed beside or below them, those of the bottom corners beside or above,
   * whichever costs the map less. */
  PanjMap.prototype._popupPadding = function (width) {
    var margin = 8, size = this.map.getSize(), container = this.map.getContainer();
    var box = container.getBoundingClientRect(), left = margin, right = margin, depth = {};
    ["top", "bottom"].forEach(function (edge) {
      var sides = { left: 0, right: 0 }, reach = 0;
      ["left", "right"].forEach(function (side) {
        var corner = container.querySelector(".leaflet-control-container .leaflet-" + edge + ".leaflet-" + side);
        Array.prototype.forEach.call(corner ? corner.children : [], function (control) {
          var r = control.getBoundingClientRect();
          if (r.width === 0 || r.height === 0) { return; }
          sides[side] = Math.max(sides[side], side === "left" ? r.right - box.left : box.right - r.left);
          reach = Math.max(reach, edge === "top" ? r.bottom - box.top : box.bottom - r.top);
        });
      });
      // Beside when the popup fits there and that gives up a smaller share of the map's width
      // than going below (or above) would of its height.
      var across = sides.left + sides.right + 2 * margin;
      if (size.x - across >= width && across / size.x < (reach + margin) / size.y) {
        left = Math.max(left, sides.left + margin);
        right = Math.max(right, sides.right + margin);
        depth[edge] = margin;
      } else {
        depth[edge] = reach + margin;
      }
    });
    var cover = pageCover(box), caption = this._freePadding().paddingTopLeft[0];  // presenter view's
    return {
      paddingTopLeft: [Math.max(left, caption), Math.max(depth.top, cover.top + margin)],
      paddingBottomRight: [right, Math.max(depth.bottom, cover.bottom + margin)]
    };
  };

  /* The note over a map with no event to draw: none matches the filters, or (text) none shows in
   * the playback's period. */
  PanjMap.prototype._showEmptyNote = function (show, text) {
    if (!this._emptyNote) {
      this._emptyNote = L.DomUtil.create("div", "panj-map-note", this.map.getContainer());
      this._emptyNote.setAttribute("role", "status");
    }
    this._emptyNote.textContent = text || "No event matches the filters";
    this._emptyNote.hidden = !show;
  };

  /* The features extents ({code: {layer, feature}}) name, as {features: {code: GeoJSON feature},
   * error}: every layer involved is fetched (hidden or not); error is the first failure, null when
   * all arrived. */
  PanjMap.prototype._extentFeatures = function (extents) {
    var self = this, found = { features: {}, error: null, detail: this.detailZoom };
    return Promise.all(Object.keys(extents).map(function (code) {
      var ref = extents[code], url = self._detailUrl(ref.layer);
      return self._loadLayer(ref.layer, url).then(function () {
        var feature = self._layerFeatures[url][ref.feature];
        if (!feature) { throw new Error("area place " + ref.layer + ":" + ref.feature + ": no such feature"); }
        found.features[code] = feature;
      }).catch(function (error) {
        if (found.error === null) { found.error = error; }
      });
    })).then(function () { return found; });
  };

  /* Where the map is free to show a highlighted event: padding (container pixels) for what floats
   * over it. The legend, when open, takes the right side; in presenter view the current event's
   * caption floats bottom left on the page (static/presenter.css: 1.5rem from the edge, at most
   * min(40rem, 44vw) wide), and may not be drawn yet when the map moves, so its room is kept
   * from the style sheet's numbers. */
  PanjMap.prototype._freePadding = function () {
    var margin = 16, left = margin, right = margin;
    var container = this.map.getContainer().getBoundingClientRect();
    var legend = document.getElementById("panj-legend");
    if (legend) {
      var box = legend.getBoundingClientRect();
      if (box.width > 0) { right = Math.max(right, container.right - box.left + margin); }
    }
    var presenter = getComputedStyle(document.documentElement).getPropertyValue("--panj-presenter").trim() === "1";
    if (presenter) {
      var rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
      left = Math.max(left, 1.5 * rem + Math.min(40 * rem, 0.44 * window.innerWidth) + margin);
    }
    return { paddingTopLeft: [left, margin], paddingBottomRight: [right, margin] };
  };

  /* Brings a row's event into view: its area's outline (a GeoJSON feature) when it has one. */
  PanjMap.prototype._bringIntoView = function (row, outline) {
    var data = this._data, scale = data.header.scale, padding = this._freePadding();
    if (outline !== undefined) {
      this.map.fitBounds(L.geoJSON(outline).getBounds(), L.extend({ maxZoom: 9, animate: false }, padding));
      return;
    }
    // The point, its nearest neighbours and at least MIN_VIEW_KM around it, in the free part of the
    // map, with room for the widest group's ring at the edges.
    var room = ringRadius(groupRadius(Infinity)) + 3;
    padding = { paddingTopLeft: [padding.paddingTopLeft[0] + room, padding.paddingTopLeft[1] + room],
                paddingBottomRight: [padding.paddingBottomRight[0] + room, padding.paddingBottomRight[1] + room] };
    var point = L.latLng(data.lat[row] / scale, data.lon[row] / scale);
    var half = MIN_VIEW_KM / 2 / KM_PER_DEGREE, across = half / Math.max(0.1, Math.cos(point.lat * Math.PI / 180));
    var bounds = L.latLngBounds([[point.lat - half, point.lng - across], [point.lat + half, point.lng + across]]);
    this._neighbours(row).forEach(function (latlng) { bounds.extend(latlng); });
    this.map.fitBounds(bounds, L.extend({ maxZoom: 9, animate: false }, padding));
  };

  /* The shown places nearest a row's, other than its own (at most NEIGHBOURS, within NEIGHBOUR_KM). */
  PanjMap.prototype._neighbours = function (row) {
    var data = this._data, places = this.events._places, all = data.places, own = data.placeOf[row], found = [], k;
    var lat = all.lat[own] * Math.PI / 180, cos = Math.cos(lat);
    for (k = 0; k < places.count; k++) {
      var other = places.ids[k];
      if (other === own) { continue; }
      // Zoom-0 pixels to km: 256 pixels are the equator's 40,030 km, shrunk by the cosine of the latitude.
      var dx = all.x[other] - all.x[own], dy = all.y[other] - all.y[own];
      var km = Math.sqrt(dx * dx + dy * dy) / 256 * 2 * Math.PI * 6371.0088 * cos;
      if (km <= NEIGHBOUR_KM) { found.push({ km: km, latlng: this.map.unproject([all.x[other], all.y[other]], 0) }); }
    }
    found.sort(function (a, b) { return a.km - b.km; });
    return found.slice(0, NEIGHBOURS).map(function (entry) { return entry.latlng; });
  };

  /* Fit the map to [[south, west], [north, east]] exactly, once per request: the view a copied link
   * names must reopen as that view, not the whole zoom level around it. The page numbers its
   * requests, so asking twice for the same bounds ("Fit to events" after panning away) fits again,
   * while the same update run twice does not. Fractional zoom only for this fit: the reader's own
   * zooming keeps to whole levels (crisp tiles). Margins, where wanted, are in the bounds.
   * besideLegend ("Fit to events") fits them into the part of the map the legend leaves free. */
  PanjMap.prototype.fit = function (bounds, request, besideLegend) {
    var snap = this.map.options.zoomSnap;
    if (bounds === null || request === this._lastFitRequest) { return; }
    this._lastFitRequest = request;
    this._reveal = null;  // the requested view wins over bringing the highlight into view
    this.map.options.zoomSnap = 0;
    var padding = besideLegend ? this._legendPadding(bounds) : { padding: [0, 0] };
    this.map.fitBounds(bounds, L.extend({ animate: false }, padding));
    this.map.options.zoomSnap = snap;
  };

  /* fitBounds' padding that keeps the legend's box (open or folded) out of the fitted view: the
   * strip beside it or the strip below it, whichever lets the bounds show larger. */
  PanjMap.prototype._legendPadding = function (bounds) {
    var legend = document.getElementById("panj-legend"), none = { padding: [0, 0] };
    if (!legend) { return none; }
    var box = legend.getBoundingClientRect(), container = this.map.getContainer().getBoundingClientRect(), margin = 8;
    if (box.width === 0 || box.height === 0) { return none; }
    var map = this.map, latLngBounds = L.latLngBounds(bounds), options = [
      { paddingTopLeft: [0, 0], paddingBottomRight: [container.right - box.left + margin, 0] },
      { paddingTopLeft: [0, box.bottom - container.top + margin], paddingBottomRight: [0, 0] }
    ];
    function zoom(option) {
      return map.getBoundsZoom(latLngBounds, false, L.point(option.paddingTopLeft).add(option.paddingBottomRight));
    }
    return zoom(options[0]) >= zoom(options[1]) ? options[0] : options[1];
  };

  /* A new element with text (set as text, never parsed as HTML) under parent. */
  function element(tag, className, parent, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (parent) { parent.appendChild(node); }
    return node;
  }

  /* A link opening in a new tab, only to an http or https address; nothing for anything else. */
  function webLink(parent, address, text) {
    var url;
    try { url = new URL(String(address)); } catch (error) { return null; }
    if (url.protocol !== "http:" && url.protocol !== "https:") { return null; }
    var link = element("a", null, parent, text);
    link.setAttribute("href", url.href);
    link.setAttribute("target", "_blank");
    link.setAttribute("rel", "noopener noreferrer");
    return link;
  }

  /* An event's symbol (a style's look, EventGroups.styles) as a small canvas (list rows, the
   * popup's type line). */
  function symbolCanvas(parent, look) {
    var canvas = element("canvas", "panj-popup-symbol", parent), ratio = window.devicePixelRatio || 1;
    var size = Math.ceil(2 * symbolReach(5));  // a 5 px symbol with its dark edge
    canvas.width = size * ratio; canvas.height = size * ratio;
    canvas.style.width = size + "px"; canvas.style.height = size + "px";
    canvas.setAttribute("aria-hidden", "true");
    var ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    Symbol_.draw(ctx, size / 2, size / 2, 5, look);
    return canvas;
  }

  var PLACE_PRECISION = { exact: "exact place" };

  /* The distances to the frontier and the nearest post (geo/join.py). A point place's are the
   * event's own. An area's (or a line's) are from its nearest point, so the event lies at least
   * that far, and 0 (to the tenth of a km the details keep) only says the area reaches the frontier
   * or holds the post. An event known only to a whole country could have happened anywhere in it:
   * its distances say nothing. */
  function distanceText(p, isArea, postName) {
    if (p.loc === "country") { return "does not apply to an event known only to the whole country"; }
    var parts = [];
    if (p.frontier_km !== null) {
      parts.push(!isArea ? p.frontier_km + " km to the frontier"
        : p.frontier_km === 0 ? "reaches the frontier" : "at least " + p.frontier_km + " km from the frontier");
    }
    if (postName !== null) {
      parts.push(!isArea ? p.post_km + " km to the nearest post, " + postName
        : p.post_km === 0 ? "holds a post, " + postName : "at least " + p.post_km + " km from the nearest post, " + postName);
    }
    return parts.join("; ");
  }

  /* How closely a date is known (the join's date_precision): a day, a month, a year as the date is
   * written, or what its source says where the dates cannot (an ACLED week is stored as its seven
   * days, geo.importers.SOURCE_DATE_PRECISIONS). */
  var DATE_PRECISION_TEXT = {
    day: "known to the day", days: "within these days", week: "within a week",
    month: "within a month", year: "within a year"
  };

  /* "reported 1 September 2021 · known to the day": the join's date label says whether it is the
   * event's own date, a report's, or how long an ongoing fact held (geo/join.py date_label). */
  function dateLine(p) {
    return p.date + " · " + (DATE_PRECISION_TEXT[p.precision] || "known to the " + p.precision);
  }

  /* "12 reported (low 10, high 15)": the count, with UCDP's low and high estimates where the dataset
   * gives them (geo/fatalities.py RANGE_COLUMNS). */
  function fatalitiesText(p) {
    var text = Number(p.fatalities).toLocaleString("en") + " reported";
    if (p.low !== undefined && p.low !== null && p.high !== undefined && p.high !== null) {
      text += " (low " + Number(p.low).toLocaleString("en") + ", high " + Number(p.high).toLocaleString("en") + ")";
    }
    return text;
  }

  var STATUS_TEXT = {
    occurred: "Occurred", ongoing: "Ongoing (true as of the date given)",
    planned: "Planned: not reported as done", announced: "Announced: not reported as done"
  };

  /* An event's popup: opened at once with a note, filled when its text has arrived. */
  PanjMap.prototype._openEventPopup = function (latlng, row, back) {
    var self = this, popup = this._openPopup(latlng, loadingNote());
    return this._data.details([row]).then(function (details) {
      if (self.map.hasLayer(popup)) { popup.setContent(self._eventContent(row, details[row], back)); }
    }, function (error) {
      if (self.map.hasLayer(popup)) { popup.setContent(failedNote(error)); }
    });
  };

  /* A group's list: one row per event (type symbol, date, title), LIST_PAGE at a time, each page's
   * text fetched when shown; a row opens that event's popup, which leads back to the list. */
  PanjMap.prototype._openListPopup = function (latlng, groups, g) {
    var self = this, events = this.events, rows = events.rowsOf(groups, g), data = this._data;
    var places = groups.placeStart[g + 1] - groups.placeStart[g], several = places > 1;
    var popup = this._openPopup(latlng, loadingNote()), root = element("div", "panj-popup panj-popup-list");
    var count = element("p", "panj-popup-count", root, rows.length + " events" + (several ? " in " + places + " places" : ""));
    var list = element("ul", null, root), shown = 0, more = null;
    var back = { label: "All " + rows.length + " events", open: function () { self._openListPopup(latlng, groups, g); } };
    function showMore() {
      var page = rows.slice(shown, shown + LIST_PAGE);
      return data.details(page).then(function (details) {
        if (shown === 0 && !several) { count.textContent = rows.length + " events · " + details[page[0]].place; }
        page.forEach(function (row) {
          var text = details[row], item = element("li", null, list), button = element("button", "panj-popup-row", item);
          button.type = "button";
          button.setAttribute("data-event-id", text.id);
          symbolCanvas(button, events.styles[data.style[row]]);
          element("span", "panj-popup-date", button, text.date);
          element("span", "panj-popup-title", button, several ? text.title + " (" + text.place + ")" : text.title);
          button.addEventListener("click", function () { self._openEventPopup(latlng, row, back); });
        });
        shown = Math.min(rows.length, shown + LIST_PAGE);
        if (more) { more.remove(); more = null; }
        if (shown < rows.length) {
          more = element("button", "panj-popup-more", root, "Show " + Math.min(LIST_PAGE, rows.length - shown) + " more");
          more.type = "button";
          more.addEventListener("click", function () { showMore().then(function () { popup.update(); }); });
        }
      });
    }
    return showMore().then(function () {
      if (self.map.hasLayer(popup)) { popup.setContent(root); }
    }, function (error) {
      if (self.map.hasLayer(popup)) { popup.setContent(failedNote(error)); }
    });
  };

  function loadingNote() { return element("p", "panj-popup-loading", null, "Loading…"); }

  function failedNote(error) {
    if (window.console) { window.console.error("Panj map: " + (error.message || error)); }
    return element("p", "panj-popup-loading", null, "This event's text could not be fetched: " + (error.message || error));
  }

  /* One event: title, status, date line, summary, then actors, type, place, distances, amounts and
   * the source (document title and publisher, then each citation: paragraph, cited source, with
   * links where known). */
  PanjMap.prototype._eventContent = function (eventRow, p, back) {
    var vocabulary = this._vocabulary, header = this._data.header, look = this.events.styles[this._data.style[eventRow]];
    var documents = header.documents || {}, root = element("div", "panj-popup");
    function name(kind, id) { var term = vocabulary[kind][id]; return term ? term.name : id; }
    if (back) {
      var backButton = element("button", "panj-popup-back", root, "‹ " + back.label);
      backButton.type = "button";
      backButton.addEventListener("click", back.open);
    }
    element("h4", null, root, p.title);
    element("p", "panj-popup-status", root, STATUS_TEXT[p.status] || p.status);
    element("p", "panj-popup-when", root, dateLine(p));
    element("p", "panj-popup-summary", root, p.summary);
    var rows = element("dl", null, root);
    function row(label, value) {
      if (value === undefined || value === null || value === "") { return null; }
      element("dt", null, rows, label);
      return element("dd", null, rows, value);
    }
    row("Actors", p.actors.map(function (id) { return name("actors", id); }).join(", "));
    var type = row("Type", name("event_types", p.type));
    type.insertBefore(symbolCanvas(null, look), type.firstChild);
    var region = [p.province, p.country].filter(function (name) { return name && name !== p.place; });
    if (p.gbao) { region.push("in GBAO"); }
    if (p.wakhan) { region.push("in the Wakhan corridor"); }
    row("Place", p.place + " (" + (PLACE_PRECISION[p.loc] || "known to the " + p.loc) + ")" +
      (region.length ? "; " + region.join(", ") : ""));
    row("Distance", distanceText(p, this._data.area[eventRow] > 0, p.post === null ? null : header.names.post[p.post] || p.post));
    if (p.usd !== null) { row("Amount", "US$ " + Number(p.usd).toLocaleString("en")); }
    if (p.troops !== null) { row("Troops", Number(p.troops).toLocaleString("en")); }
    if (p.fatalities !== undefined && p.fatalities !== null) {  // a popup file older than the column has none
      row("Fatalities", fatalitiesText(p));
    } else if (this._sizing !== null) {  // the symbols are sized by a count this event does not report
      row("Fatalities", "none reported");
    }
    var doc = documents[p.doc], source = row("Source", doc ? "“" + doc.title + "”, " + (doc.label || doc.publisher) : p.doc);
    if (doc && doc.url) {
      source.appendChild(document.createTextNode(" "));
      webLink(source, doc.url, "(read it)");
    }
    var cites = element("ul", "panj-popup-cites", source);
    (p.cites || []).forEach(function (cite) {
      var item = element("li", null, cites, "¶" + cite.paragraph + ": " + (cite.source === "none cited"
        ? "cites no source" : cite.source + (cite.source_date ? " (" + cite.source_date + ")" : "")));
      if (cite.url) {
        item.appendChild(document.createTextNode(" "));
        webLink(item, cite.url, "(the cited source)");
      }
    });
    return root;
  };

  /* The legend: a Leaflet control around the server-rendered #panj-legend, symbols drawn with the
   * same path function as the map. options: {position, open}; open null means open unless the
   * map is narrow (LEGEND_FOLDED). */
  PanjMap.prototype.initLegend = function (options) {
    var element = document.getElementById("panj-legend");
    if (!element) { return; }
    var toggle = element.querySelector(".panj-legend-toggle");
    var open = options.open !== null ? options.open : !window.matchMedia(LEGEND_FOLDED).matches;
    function setOpen(value) {
      element.classList.toggle("panj-legend-open", value);
      toggle.setAttribute("aria-expanded", String(value));
    }
    if (!element.classList.contains("panj-legend-fixed")) {  // a popup on a phone folds it (_openPopup)
      this._legendOpen = function () { return element.classList.contains("panj-legend-open"); };
      this._setLegendOpen = setOpen;
    }
    var control = L.control({ position: options.position });
    control.onAdd = function () { return element; };
    control.addTo(this.map);
    L.DomEvent.disableClickPropagation(element);
    L.DomEvent.disableScrollPropagation(element);
    setOpen(open);
    toggle.addEventListener("click", function () { setOpen(!element.classList.contains("panj-legend-open")); });
    // The swatches are drawn once the first symbols' frame is painted (or before ready, whichever
    // comes first): the legend's 36 small canvases held back the first symbols (docs/performance.md,
    // "The paint floor"). Each canvas keeps its size meanwhile, so nothing moves when they are drawn.
    var swatches = element.querySelectorAll("canvas[data-shape]");
    this._swatchesDue = function () { Array.prototype.forEach.call(swatches, drawSwatch); };
  };

  /* The legend's swatches drawn, if initLegend left them to draw (once). */
  PanjMap.prototype._drawSwatches = function () {
    var due = this._swatchesDue;
    this._swatchesDue = null;
    if (due) { due(); }
  };

  /* One legend swatch: its canvas's data-shape (an event type's, a group's, an unreported
   * count's) in its fill, stroke and dash. */
  function drawSwatch(canvas) {
    var ctx = canvas.getContext("2d"), ratio = window.devicePixelRatio || 1, size = canvas.width;
    canvas.width = size * ratio; canvas.height = size * ratio;
    canvas.style.width = size + "px"; canvas.style.height = size + "px";
    ctx.scale(ratio, ratio);
    if (canvas.dataset.shape === "unreported") {  // a symbol at its ordinary size, dotted round
      tracePath(ctx, "circle", size / 2, size / 2, size * 0.25);
      ctx.fillStyle = canvas.dataset.fill; ctx.fill();
      unreportedRing(ctx, size / 2, size / 2, size * 0.25);
      return;
    }
    if (canvas.dataset.shape === "group") {
      drawGroup(ctx, size / 2, size / 2, size / 2 - 1, { actors: { a: 2, b: 1 }, count: 3, approximate: false },
        [{ id: "a", colour: "#888888" }, { id: "b", colour: "#cccccc" }]);
      return;
    }
    tracePath(ctx, canvas.dataset.shape, size / 2, size / 2, size * 0.3);
    ctx.fillStyle = canvas.dataset.fill; ctx.globalAlpha = Number(canvas.dataset.fillOpacity || 1); ctx.fill();
    ctx.globalAlpha = 1;
    if (canvas.dataset.stroke === "#ffffff") {  // an exact place's look: its dark edge, as on the map
      ctx.lineJoin = "round";
      outerEdge(ctx, canvas.dataset.shape, size / 2, size / 2, size * 0.3, OUTLINE_WIDTH);
      tracePath(ctx, canvas.dataset.shape, size / 2, size / 2, size * 0.3);
    }
    ctx.strokeStyle = canvas.dataset.stroke; ctx.lineWidth = Number(canvas.dataset.weight || 1);
    if (canvas.dataset.dash) { ctx.setLineDash([2, 2]); }
    ctx.stroke();
  }

  /* --- Playback: the events one period at a time --------------------------------------------------
   * The browser copy of geo/playback.py's rule, over the dates file (geo/eventdata.py, dates.bin.gz:
   * each row's first and last day): a period's rows are chosen here among those the update's mask or terms
   * show, so stepping and playing redraw the symbols without a rerun or a reload
   * (docs/ARCHITECTURE.md, "Playback"). The page's control (static/playback.js) drives it and hears
   * of each change through page.panjPlaybackChanged. */
  var DAY_MS = 86400000;
  var STEPS = ["day", "week", "month", "year"];
  var MODES = { "this": "this period", upto: "up to this period" };
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];
  var FADE_MAX = 2;
  var dateFiles = {};  // url -> promise of {first, last} (Int32Array of days since 1970-01-01)

  function loadDates(url, count) {
    return loadColumns(dateFiles, url, "dates", function (buffer) {
      return { first: new Int32Array(buffer, 0, count), last: new Int32Array(buffer, count * 4, count) };
    });
  }

  var fatalityFiles = {};  // url -> promise of an Int32Array (geo/eventdata.py: fatalities.bin.gz, -1 none reported)

  /* Promise of the fatalities of an events file's rows, fetched once per page. */
  function loadFatalities(data) {
    var url = data.url.slice(0, data.url.lastIndexOf("/") + 1) + "fatalities.bin.gz";
    return loadColumns(fatalityFiles, url, "fatalities", function (buffer) { return new Int32Array(buffer, 0, data.count); });
  }

  /* The first day a text names ("2022", "2022-05", "2022-05-11"), in days since 1970; null if none. */
  function dayNumber(text) {
    var parts = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(String(text || "").trim());
    return parts ? Date.UTC(Number(parts[1]), parts[2] ? Number(parts[2]) - 1 : 0, parts[3] ? Number(parts[3]) : 1) / DAY_MS : null;
  }

  function utcDate(day) { return new Date(day * DAY_MS); }

  /* The period of step holding day: {step, first, last} in days; weeks start on Monday. */
  function periodOf(day, step) {
    var date = utcDate(day), year = date.getUTCFullYear(), month = date.getUTCMonth(), first, last;
    if (step === "day") {
      first = last = day;
    } else if (step === "week") {
      first = day - (date.getUTCDay() + 6) % 7;
      last = first + 6;
    } else if (step === "month") {
      first = Date.UTC(year, month, 1) / DAY_MS;
      last = Date.UTC(year, month + 1, 1) / DAY_MS - 1;
    } else {
      first = Date.UTC(year, 0, 1) / DAY_MS;
      last = Date.UTC(year + 1, 0, 1) / DAY_MS - 1;
    }
    return { step: step, first: first, last: last };
  }

  function shiftPeriod(period, count) {
    var date = utcDate(period.first);
    if (period.step === "day" || period.step === "week") {
      return periodOf(period.first + count * (period.step === "day" ? 1 : 7), period.step);
    }
    if (period.step === "month") {
      return periodOf(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + count, 1) / DAY_MS, period.step);
    }
    return periodOf(Date.UTC(date.getUTCFullYear() + count, 0, 1) / DAY_MS, period.step);
  }

  /* "11 May 2022", "week of 2 May 2022", "May 2022", "2022" (geo.playback.Period.label). */
  function periodLabel(period) {
    var date = utcDate(period.first), month = MONTHS[date.getUTCMonth()] + " " + date.getUTCFullYear();
    var day = date.getUTCDate() + " " + month;
    return { day: day, week: "week of " + day, month: month, year: String(date.getUTCFullYear()) }[period.step];
  }

  /* The period in a URL: "2022", "2022-05" or its first day (geo.playback.Period.text). */
  function periodText(period) {
    var iso = utcDate(period.first).toISOString().slice(0, 10);
    return period.step === "year" ? iso.slice(0, 4) : period.step === "month" ? iso.slice(0, 7) : iso;
  }

  function Playback(owner) {
    this.owner = owner;
    this.on = false;
    this.step = "month";
    this.period = null;  // {step, first, last}
    this.mode = "this";
    this.fade = 0;
    this.playing = false;
    this.interval = 1000;  // ms a period stays on the map while playing
    this.range = null;  // [first day, last day] the date filter or the shown events allow
    this.counts = { shown: 0, partial: 0, faded: 0 };
    this._opened = false;  // the first update's playback (the link's) applied: later ones only echo this one's
    this._request = 0;  // the number of the page's last move of the playback, applied
    this._timer = null;
    this._dates = null;  // the dates of the events file drawn, once fetched
    this._label = null;  // the period's control on the map
  }

  /* The page's playback in an update ({step, period, mode, fade} or null), the days it may run
   * over ([first, last] as ISO days, or null when no event is shown) and the number of the page's
   * last move of it. Only the first update's playback is applied (the link's, or where the page
   * last paused), and then one with a new request number (a step to an event moved it there,
   * geo.pagestate.stepped_playback, or a scene chose its own or none), paused: every other change
   * starts here and the server only hears of it, so a rerun's copy, older whenever the reader
   * stepped or played meanwhile, never pulls the period back. */
  Playback.prototype.fromUpdate = function (asked, range, request) {
    this.range = range ? [dayNumber(range[0]), dayNumber(range[1])] : null;
    if (!this._opened || request !== this._request) {
      this._opened = true;
      this._request = request;
      this._stop();
      this.on = asked !== null;
      if (asked !== null) {
        this.step = STEPS.indexOf(asked.step) >= 0 ? asked.step : "month";
        this.mode = MODES[asked.mode] ? asked.mode : "this";
        this.fade = Math.max(0, Math.min(FADE_MAX, Number(asked.fade) || 0));
        var day = dayNumber(asked.period);
        this.period = day === null ? null : periodOf(day, this.step);
      }
    }
    this._place();
    this._notify(false);
  };

  /* The period moved into the range (the first period when there was none). */
  Playback.prototype._place = function () {
    if (!this.on || this.range === null) { return; }
    var low = periodOf(this.range[0], this.step), high = periodOf(Math.max(this.range[0], this.range[1]), this.step);
    if (this.period === null || this.period.step !== this.step || this.period.first < low.first) {
      this.period = this.period !== null && this.period.step !== this.step && this.period.first >= low.first
        ? periodOf(this.period.first, this.step) : low;
    }
    if (this.period.first > high.first) { this.period = high; }
  };

  /* The bounds' periods: [first, last] of the current step, or null. */
  Playback.prototype._ends = function () {
    if (this.range === null) { return null; }
    return [periodOf(this.range[0], this.step), periodOf(Math.max(this.range[0], this.range[1]), this.step)];
  };

  /* Promise of the dates file of an events file, when a playback needs it (null otherwise). */
  Playback.prototype.datesFor = function (data) {
    var self = this;
    if (!this.on) { return Promise.resolve(null); }
    return loadDates(data.url.slice(0, data.url.lastIndexOf("/") + 1) + "dates.bin.gz", data.count).then(function (dates) {
      self._dates = { url: data.url, dates: dates };
      return dates;
    });
  };

  /* The rows of `filtered` to draw and how strongly: all in full with no playback; else those
   * shown in the period (partial when their days reach beyond it) and, in "this period" mode,
   * those of the fade periods before it (geo.playback.shown_in, partial_in, faded_in). */
  Playback.prototype.pick = function (data, filtered) {
    var counts = this.counts = { shown: 0, partial: 0, faded: 0 };
    var areaWeight = new Uint8Array(data.header.areas.length + 1);
    if (!this.on || this.period === null || !this._dates || this._dates.url !== data.url) {
      counts.shown = filtered.length;
      return { rows: filtered, weight: null, areaWeight: areaWeight, empty: null };
    }
    var first = this._dates.dates.first, last = this._dates.dates.last, period = this.period;
    var weight = new Uint8Array(data.count), rows = new Int32Array(filtered.length), n = 0, i;
    var fadeFirst = this.mode === "this" && this.fade > 0 ? shiftPeriod(period, -this.fade).first : period.first;
    areaWeight.fill(WEIGHT_FADED);
    for (i = 0; i < filtered.length; i++) {
      var row = filtered[i], f = first[row], l = last[row], w;
      if (this.mode === "upto" ? f <= period.last : f <= period.last && l >= period.first) {
        w = l > period.last || (this.mode === "this" && f < period.first) ? WEIGHT_PARTIAL : WEIGHT_FULL;
        counts.shown += 1;
        if (w === WEIGHT_PARTIAL) { counts.partial += 1; }
      } else if (f < period.first && l >= fadeFirst) {
        w = WEIGHT_FADED;
        counts.faded += 1;
      } else {
        continue;
      }
      weight[row] = w;
      rows[n++] = row;
      areaWeight[data.area[row]] = Math.min(areaWeight[data.area[row]], w);
    }
    return { rows: rows.slice(0, n), weight: weight, areaWeight: areaWeight,
             empty: "No event in " + periodLabel(period) };
  };

  /* {on, step, period ("2022-05"), label ("May 2022"), first, last (ISO days), mode, fade,
   * playing, interval, index and periods (its place among the bounds' periods, from 0), shown,
   * partial, faded}: for the page's control, the URL and tests. */
  Playback.prototype.state = function () {
    var ends = this._ends(), period = this.period, index = 0, periods = 0;
    if (ends !== null && period !== null) {
      for (var at = ends[0]; at.first <= ends[1].first; at = shiftPeriod(at, 1)) {
        if (at.first < period.first) { index += 1; }
        periods += 1;
      }
    }
    return {
      on: this.on, step: this.step, mode: this.mode, fade: this.fade, playing: this.playing,
      interval: this.interval, period: period ? periodText(period) : null, label: period ? periodLabel(period) : null,
      first: period ? utcDate(period.first).toISOString().slice(0, 10) : null,
      last: period ? utcDate(period.last).toISOString().slice(0, 10) : null,
      index: index, periods: periods, shown: this.counts.shown, partial: this.counts.partial, faded: this.counts.faded
    };
  };

  /* Changes from the page's control: {step (null: no playback), period, mode, fade, interval}. */
  Playback.prototype.set = function (changes) {
    if (changes.step !== undefined) {
      this.on = changes.step !== null;
      if (this.on) {
        this.step = STEPS.indexOf(changes.step) >= 0 ? changes.step : "month";
        if (this.period !== null) { this.period = periodOf(this.period.first, this.step); }
      } else {
        this._stop();
      }
    }
    if (changes.mode !== undefined && MODES[changes.mode]) { this.mode = changes.mode; }
    if (changes.fade !== undefined) { this.fade = Math.max(0, Math.min(FADE_MAX, Number(changes.fade) || 0)); }
    if (changes.interval !== undefined && Number(changes.interval) > 0) { this.interval = Number(changes.interval); }
    if (changes.period !== undefined && this.on) {
      var day = dayNumber(changes.period);
      if (day !== null) { this.period = periodOf(day, this.step); }
    }
    this._place();
    return this._show(!this.playing);
  };

  /* One period on (count 1) or back (-1), or to the first or last; a manual step pauses. */
  Playback.prototype.go = function (count) {
    if (!this.on) { return Promise.resolve(); }
    this._stop();
    return this._moveTo(this.period === null ? null : shiftPeriod(this.period, count));
  };

  Playback.prototype.first = function () { this._stop(); return this._moveTo(this._ends() && this._ends()[0]); };

  Playback.prototype.last = function () { this._stop(); return this._moveTo(this._ends() && this._ends()[1]); };

  Playback.prototype._moveTo = function (period) {
    var ends = this._ends();
    if (!this.on || period === null || ends === null) { return Promise.resolve(); }
    this.period = period.first < ends[0].first ? ends[0] : period.first > ends[1].first ? ends[1] : period;
    return this._show(true);
  };

  /* Plays from the current period (from the first when at the last), a playback of months when
   * none was on. */
  Playback.prototype.play = function () {
    var self = this;
    if (!this.on) { this.on = true; this.period = null; this._place(); }
    var ends = this._ends();
    if (ends === null) { return; }
    if (this.period === null || this.period.first >= ends[1].first) { this.period = ends[0]; }
    this.playing = true;
    this._show(false).then(function () { self._schedule(); });
  };

  Playback.prototype.pause = function () {
    if (!this.playing) { return; }
    this._stop();
    this._notify(true);
  };

  Playback.prototype.toggle = function () {
    if (this.playing) { this.pause(); } else { this.play(); }
  };

  Playback.prototype._stop = function () {
    this.playing = false;
    clearTimeout(this._timer);
    this._timer = null;
  };

  /* The next period after interval ms, once the current one is drawn; at the last, a pause. */
  Playback.prototype._schedule = function () {
    var self = this;
    clearTimeout(this._timer);
    if (!this.playing) { return; }
    this._timer = setTimeout(function () {
      var ends = self._ends();
      if (!self.playing || ends === null) { return; }
      if (self.period.first >= ends[1].first) { self.pause(); return; }
      self.period = shiftPeriod(self.period, 1);
      self._show(false).then(function () { self._schedule(); });
    }, this.interval);
  };

  /* Draws the current period (fetching the dates first when needed) and tells the page;
   * `settled` says the page should keep this state (not while playing). */
  Playback.prototype._show = function (settled) {
    var self = this, owner = this.owner;
    this._notify(settled);
    if (!owner._data) { return Promise.resolve(); }
    return this.datesFor(owner._data).then(function () {
      return owner._replay();
    }).then(function () { self._notify(settled); }, function (error) {
      owner.error = String(error.message || error);
    });
  };

  /* The large period label on the map (top left, under the zoom buttons, where popups and fits
   * already keep clear: _popupPadding) and the page's control told of the change. */
  Playback.prototype._notify = function (settled) {
    var state = this.state(), map = this.owner.map;
    if (this.on && this._label === null) {
      var control = L.control({ position: "topleft" }), box = L.DomUtil.create("div", "panj-period");
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      L.DomUtil.create("strong", "panj-period-label", box);
      L.DomUtil.create("span", "panj-period-note", box);
      control.onAdd = function () { return box; };
      control.addTo(map);
      this._label = { control: control, box: box };
    }
    if (this._label !== null) {
      this._label.box.hidden = !this.on;
      this._label.box.firstChild.textContent = state.label || "No events";
      var note = MODES[state.mode] + " · " + state.shown + (state.shown === 1 ? " event" : " events");
      if (state.partial) { note += ", " + state.partial + " lighter"; }
      if (state.faded) { note += ", " + state.faded + " faded"; }
      this._label.box.lastChild.textContent = note;
    }
    try {
      var page = window.parent;
      if (page !== window && typeof page.panjPlaybackChanged === "function") { page.panjPlaybackChanged(state, settled); }
    } catch (error) {
      // A page of another origin, or one gone: nothing to tell.
    }
  };

  /* A playback frame: the last update's rows drawn again for the current period. */
  PanjMap.prototype._replay = function () {
    if (!this._data || this._group === null) { return Promise.resolve(); }
    var self = this, update = this._update, frame = ++this._frame;
    this.ready = false;
    var drawn = this._drawShown(this._data, this._asked.highlight, false, false);
    return Promise.all([drawn, this.labelsLoaded]).then(function () {
      return new Promise(function (resolve) {
        window.requestAnimationFrame(function () { window.requestAnimationFrame(resolve); });
      });
    }).then(function () {
      if (update === self._update && frame === self._frame) { self.ready = true; }
    });
  };

  /* What the frontier strip (geo/web/panj-strip.js, in the page) draws from: the events file, the
   * rows the last update drawn whole shows (mask or terms), their vocabulary and that update's
   * number (an update still drawing has not replaced them yet: _notifyShown); null before the first. */
  PanjMap.prototype.shownEvents = function () {
    return this._shown;
  };

  /* The page's strip is told once per update, when the map has drawn it (ready, or failed): the
   * strip runs in the page's thread, which the map's frame shares, and drawing a million events
   * there before the map's outlines held the map back by seconds (static/strip.js). */
  PanjMap.prototype._notifyShown = function (update) {
    if (update !== this._update || update !== this._filteredUpdate ||
        (this._shown !== null && this._shown.update === update)) { return; }
    this._shown = { data: this._data, rows: this._filtered, vocabulary: this._vocabulary, update: update };
    try {
      var page = window.parent;
      // The page's strip redraws on it (static/strip.js), and a session's first run waits for it to
      // draw what lies below the map (ui/map_first.py).
      if (page !== window) { page.dispatchEvent(new page.CustomEvent("panj-map-shown")); }
    } catch (error) {
      // A page of another origin, or one gone: nothing to tell.
    }
  };

  window.PanjMapRuntime = PanjMap;
  // The symbols' drawing and the dates file, shared with the frontier strip (geo/web/panj-strip.js).
  window.PanjShared = {
    drawSymbol: function (ctx, x, y, r, look) { Symbol_.draw(ctx, x, y, r, look); },
    symbolReach: symbolReach,
    styleLook: styleLook,
    loadDates: loadDates
  };
})();
