/* Panj map runtime: event symbols on canvas (SVG in a vector export), layer and basemap switching, legend, highlight.
 *
 * geo/mapview.py emits small calls into this file; it is served from /app/static/vendor/panj/
 * (copied there by geo/assets.py). The manifest layers' GeoJSON is fetched from static files
 * (same origin, cacheable) the first time a layer is shown, or the first time an area event needs
 * one of its features' outline (the layer itself may stay hidden). State the browser tests and the
 * PNG exporter read lives on window.panjMap: {ready, error, eventsDrawn, extentsDrawn, layers: {id:
 * {visible, features, title}}, basemap, highlight}; ready is true once the last update's layers are
 * fetched and drawn and its events and their outlines drawn. window.panjMap.groups() lists the
 * event groups in view ({x, y, ids} in container pixels) and openEvent(id) opens an event's popup.
 */
(function () {
  "use strict";

  // How an approximate location looks: its area's outline or a halo around its point, grey, dashed
  // and unfilled, so a country-wide event does not read as political shading (docs/ARCHITECTURE.md).
  var EXTENT_STYLE = { color: "#555555", weight: 1.2, opacity: 0.8, dashArray: "5 4", fill: false };
  var SYMBOL_RADIUS = 6, HIGHLIGHT_RADIUS = 9;
  // Places closer than this (pixels) at the map's zoom are one group: more than two of the widest
  // group symbols' radius (15), so no two groups overlap (docs/ARCHITECTURE.md).
  var GROUP_DISTANCE = 32;
  var LIST_PAGE = 100;  // rows a group's list shows at a time
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
        tracePolygon(ctx, x, y, ring(5, r * 1.3, r * 0.55, 0));
        break;
      case "cross":
        tracePolygon(ctx, x, y, plus(r, r * 0.38, 0));
        break;
      case "x":
        tracePolygon(ctx, x, y, plus(r * 1.15, r * 0.36, Math.PI / 4));
        break;
      default:
        ctx.arc(x, y, r, 0, Math.PI * 2, false);
    }
  }

  /* One event's symbol on a canvas context, centred on (x, y) with radius r: its type's shape
   * (options.shape) filled with its actors' colours (options.actorColours, in the event's order) in
   * equal slices clockwise from the top, so every actor shows, not only the first. An approximate
   * location (options.approximate) is a pale fill ringed in its first actor's colour. A planned or
   * announced event (options.hollow) is white inside, its outline in the same actor slices: a plan
   * is not drawn as a fact (docs/ARCHITECTURE.md, "Events"). */
  var Symbol_ = {
    draw: function (ctx, x, y, r, options) {
      var colours = options.actorColours.length ? options.actorColours : ["#666666"];
      var step = (2 * Math.PI) / colours.length, reach = r * 2;  // past every shape's outline
      if (options.hollow) {
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
          ctx.lineWidth = 2.5;
          ctx.strokeStyle = colour;
          ctx.stroke();
          ctx.restore();
        });
        return;
      }
      ctx.save();
      tracePath(ctx, options.shape, x, y, r);
      ctx.clip();
      ctx.globalAlpha = options.approximate ? 0.3 : 0.9;
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
      ctx.lineWidth = options.approximate ? 2 : 1;
      ctx.strokeStyle = options.approximate ? colours[0] : "#ffffff";
      ctx.stroke();
    }
  };

  function groupRadius(count) { return count < 10 ? 11 : count < 100 ? 13 : 15; }

  function countLabel(count) {
    return count < 1000 ? String(count) : (count / 1000).toFixed(count < 10000 ? 1 : 0) + "k";
  }

  /* A group of events: a ring cut by actor, each actor's arc as long as its share of the group's
   * actor mentions (clockwise from the top, in the vocabulary's order), the count in the middle;
   * its rim dashed when every event in it has only an approximate place. */
  function drawGroup(ctx, x, y, r, group, actorColours) {
    var total = 0, start = -Math.PI / 2, inner = r - (r < 10 ? 3 : 4.5);
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
    this._add("path", attributes);
  };
  SvgContext.prototype.setLineDash = function (dash) { this._dash = dash.slice(); };
  SvgContext.prototype.save = function () {
    this._stack.push({ parent: this._parent, fillStyle: this.fillStyle, strokeStyle: this.strokeStyle,
                       lineWidth: this.lineWidth, globalAlpha: this.globalAlpha, dash: this._dash,
                       font: this.font, textAlign: this.textAlign, textBaseline: this.textBaseline });
  };
  SvgContext.prototype.restore = function () {
    var state = this._stack.pop();
    if (!state) { return; }
    this._parent = state.parent; this.fillStyle = state.fillStyle; this.strokeStyle = state.strokeStyle;
    this.lineWidth = state.lineWidth; this.globalAlpha = state.globalAlpha; this._dash = state.dash;
    this.font = state.font; this.textAlign = state.textAlign; this.textBaseline = state.textBaseline;
  };
  SvgContext.prototype.clip = function () {
    var id = "panj-clip-" + (SvgContext.clips = (SvgContext.clips || 0) + 1);
    var defs = this._defs || (this._defs = this._add("defs", {}, this._root));
    this._add("path", { d: this._d }, this._add("clipPath", { id: id }, defs));
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

  /* The events as groups on one canvas (docs/ARCHITECTURE.md, "The map in the browser"). Events
   * of one place (its feature reference) form a place; places closer than GROUP_DISTANCE pixels at
   * the map's zoom form a group, drawn as one symbol and hit-tested here (no Leaflet layer per
   * event). Per event the runtime keeps one slot of an Int32Array; per place its projected point
   * at zoom 0 (two Float64Array slots). Grouping a zoom is one pass over the places with a grid of
   * GROUP_DISTANCE cells (O(places)), cached per zoom; drawing walks the groups in view. */
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
    this.features = [];
    this.highlight = null;
    this._vocabulary = null;
    this._places = { count: 0, start: new Int32Array(1), members: new Int32Array(0), x: new Float64Array(0),
                     y: new Float64Array(0), seeds: new Int32Array(0) };
    this._actorColours = [];
    this._byZoom = {};
    map.on("moveend resize", this.draw, this);
  }

  /* New events (GeoJSON features with properties.ref), their vocabulary and the highlighted id. */
  EventGroups.prototype.setData = function (features, vocabulary, highlight) {
    var map = this.map, placeOf = new Int32Array(features.length), index = {}, sizes = [], places = 0;
    features.forEach(function (feature, i) {
      var p = feature.properties, c = feature.geometry.coordinates;
      var key = p.ref !== undefined ? p.ref : c[0] + "," + c[1];
      if (index[key] === undefined) { index[key] = places; sizes.push(0); places += 1; }
      placeOf[i] = index[key];
      sizes[placeOf[i]] += 1;
    });
    // Members listed place by place (a counting sort): place k holds members[start[k] .. start[k + 1]).
    var start = new Int32Array(places + 1), fill = new Int32Array(places), members = new Int32Array(features.length);
    var x = new Float64Array(places), y = new Float64Array(places), k, i;
    for (k = 0; k < places; k++) { start[k + 1] = start[k] + sizes[k]; }
    for (i = 0; i < features.length; i++) {
      k = placeOf[i];
      if (fill[k] === 0) {
        var c = features[i].geometry.coordinates, point = map.project([c[1], c[0]], 0);
        x[k] = point.x; y[k] = point.y;
      }
      members[start[k] + fill[k]] = i;
      fill[k] += 1;
    }
    // Seeds in order of size: a place holding many events keeps its own position.
    var seeds = new Int32Array(places);
    for (k = 0; k < places; k++) { seeds[k] = k; }
    seeds.sort(function (a, b) { return sizes[b] - sizes[a] || a - b; });
    this.features = features;
    this.highlight = highlight;
    this._vocabulary = vocabulary;
    this._places = { count: places, start: start, members: members, x: x, y: y, seeds: seeds };
    this._actorColours = Object.keys(vocabulary.actors).map(function (id) {
      return { id: id, colour: vocabulary.actors[id].colour };
    });
    this._byZoom = {};
  };

  function cellKey(column, row) { return column * 8388608 + row; }  // 2^23 cells a side: zoom 19 and more

  /* The groups at a zoom, {list, cells}: each group {x, y (pixels at that zoom), ids (feature
   * indices), count, actors: {id: events}, approximate, highlighted}; cells: grid key -> groups
   * seeded in that cell (for hit tests). */
  EventGroups.prototype.groupsAt = function (zoom) {
    if (this._byZoom[zoom]) { return this._byZoom[zoom]; }
    var places = this._places, features = this.features, highlight = this.highlight;
    var scale = Math.pow(2, zoom), size = GROUP_DISTANCE, n = places.count;
    var px = new Float64Array(n), py = new Float64Array(n), owner = new Int32Array(n).fill(-1);
    var grid = new Map(), cells = new Map(), list = [], k;
    for (k = 0; k < n; k++) {
      px[k] = places.x[k] * scale; py[k] = places.y[k] * scale;
      var key = cellKey(Math.floor(px[k] / size), Math.floor(py[k] / size));
      if (!grid.has(key)) { grid.set(key, []); }
      grid.get(key).push(k);
    }
    places.seeds.forEach(function (seed) {
      if (owner[seed] !== -1) { return; }
      var column = Math.floor(px[seed] / size), row = Math.floor(py[seed] / size), mine = [seed], dx, dy;
      owner[seed] = list.length;
      for (dx = -1; dx <= 1; dx++) {
        for (dy = -1; dy <= 1; dy++) {
          (grid.get(cellKey(column + dx, row + dy)) || []).forEach(function (other) {
            var ex = px[other] - px[seed], ey = py[other] - py[seed];
            if (owner[other] === -1 && ex * ex + ey * ey < size * size) { owner[other] = list.length; mine.push(other); }
          });
        }
      }
      var group = { x: px[seed], y: py[seed], ids: [], count: 0, actors: {}, approximate: true, highlighted: false };
      mine.forEach(function (place) {
        for (var m = places.start[place]; m < places.start[place + 1]; m++) {
          var p = features[places.members[m]].properties;
          group.ids.push(places.members[m]);
          p.actors.forEach(function (id) { group.actors[id] = (group.actors[id] || 0) + 1; });
          if (p.extent === undefined && p.halo_m === undefined) { group.approximate = false; }
          if (features[places.members[m]].id === highlight) { group.highlighted = true; }
        }
      });
      group.count = group.ids.length;
      var cell = cellKey(column, row);
      if (!cells.has(cell)) { cells.set(cell, []); }
      cells.get(cell).push(group);
      list.push(group);
    });
    this._byZoom[zoom] = { list: list, cells: cells };
    return this._byZoom[zoom];
  };

  /* Pixels at the map's zoom of the container's top-left corner. */
  EventGroups.prototype._containerOrigin = function () {
    return this.map.getPixelOrigin().add(this.map.containerPointToLayerPoint([0, 0]));
  };

  EventGroups.prototype.radius = function (group) {
    return group.count === 1 ? (group.highlighted ? HIGHLIGHT_RADIUS : SYMBOL_RADIUS) : groupRadius(group.count);
  };

  /* The groups whose centre lies in the map's container, in container pixels. */
  EventGroups.prototype.inView = function () {
    var size = this.map.getSize(), origin = this._containerOrigin();
    return this.groupsAt(this.map.getZoom()).list.map(function (group) {
      return { group: group, x: group.x - origin.x, y: group.y - origin.y };
    }).filter(function (at) { return at.x >= 0 && at.y >= 0 && at.x <= size.x && at.y <= size.y; });
  };

  /* The group drawn under a container point, or null. */
  EventGroups.prototype.hit = function (point) {
    var self = this, at = this.groupsAt(this.map.getZoom()), origin = this._containerOrigin();
    var x = point.x + origin.x, y = point.y + origin.y, size = GROUP_DISTANCE, best = null, bestDistance = Infinity;
    var column = Math.floor(x / size), row = Math.floor(y / size), dx, dy;
    for (dx = -1; dx <= 1; dx++) {
      for (dy = -1; dy <= 1; dy++) {
        (at.cells.get(cellKey(column + dx, row + dy)) || []).forEach(function (group) {
          var distance = Math.sqrt((group.x - x) * (group.x - x) + (group.y - y) * (group.y - y));
          if (distance <= self.radius(group) + 3 && distance < bestDistance) { best = group; bestDistance = distance; }
        });
      }
    }
    return best;
  };

  /* The group's point as a LatLng (its seed place's own point). */
  EventGroups.prototype.latLng = function (group) {
    return this.map.unproject([group.x, group.y], this.map.getZoom());
  };

  /* Draws the groups on a canvas covering the view and half of it again on every side (panning
   * shows them before moveend redraws), the highlighted group last, ringed. */
  EventGroups.prototype.draw = function () {
    var map = this.map, size = map.getSize(), margin = size.divideBy(2).round(), canvas = this.canvas;
    var ratio = window.devicePixelRatio || 1, width = size.x + 2 * margin.x, height = size.y + 2 * margin.y;
    var topLeft = map.containerPointToLayerPoint([0, 0]).subtract(margin);
    var origin = map.getPixelOrigin().add(topLeft), reach = 20, self = this, last = null, shown = [];
    this.groupsAt(map.getZoom()).list.forEach(function (group) {
      var x = group.x - origin.x, y = group.y - origin.y;
      if (x < -reach || y < -reach || x > width + reach || y > height + reach) { return; }
      if (group.highlighted) { last = group; } else { shown.push(group); }
    });
    if (last !== null) { shown.push(last); }
    var vector = this.vector !== null && shown.length <= this.vector.maxSymbols, ctx;
    this.rasterised = { events: 0, symbols: 0 };
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
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.style.width = width + "px";
      canvas.style.height = height + "px";
      L.DomUtil.setPosition(canvas, topLeft);
      ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      if (this.vector !== null) {
        shown.forEach(function (group) { self.rasterised.events += group.count; });
        this.rasterised.symbols = shown.length;
      }
    }
    if (!this.features.length) { return; }
    shown.forEach(function (group) {
      var x = group.x - origin.x, y = group.y - origin.y, r = self.radius(group);
      if (group.count === 1) {
        var feature = self.features[group.ids[0]];
        Symbol_.draw(ctx, x, y, r, symbolOptions(feature, self._vocabulary));
      } else {
        drawGroup(ctx, x, y, r, group, self._actorColours);
      }
      if (group.highlighted) {
        ctx.beginPath();
        ctx.arc(x, y, r + 6, 0, 2 * Math.PI);
        ctx.lineWidth = 3;
        ctx.strokeStyle = "#111111";
        ctx.stroke();
      }
    });
  };

  var PLAN_STATUSES = { planned: true, announced: true };

  /* How an event's symbol is drawn: its type's shape, its actors' colours, approximate or not,
   * hollow for a plan. */
  function symbolOptions(feature, vocabulary) {
    var p = feature.properties;
    return {
      shape: (vocabulary.event_types[p.type] || { symbol: "circle" }).symbol,
      actorColours: p.actors.map(function (id) { return (vocabulary.actors[id] || { colour: "#666666" }).colour; }),
      approximate: p.extent !== undefined || p.halo_m !== undefined,
      hollow: PLAN_STATUSES[p.status] === true
    };
  }

  function PanjMap(map, config) {
    this.map = map;
    this.ready = false;
    this.error = null;
    this.eventsDrawn = 0;
    this.extentsDrawn = 0;  // events whose area outline is drawn (events of one place share it)
    this.layers = {};
    this.basemap = "none";
    this.highlight = null;
    this._layerOrder = [];
    this._layerSpecs = {};
    this._layerLoads = {};  // id -> promise of the Leaflet layer, from the first time it is needed
    this._layerFeatures = {};  // id -> {feature id: GeoJSON feature}, for area events' outlines
    this._leafletLayers = {};
    this._wanted = {};
    this._update = 0;
    this._basemaps = {};
    this._attributions = {};
    this._attribution = null;
    this._lastFitRequest = null;
    this._lastHighlight = null;
    this._reveal = null;  // the highlighted event to bring into view once its outline is drawn
    // Outlines arrive after the symbols (their layer may still be on its way): their own pane keeps
    // them under the symbols whatever the order, both above the vector layers, below tooltips.
    map.createPane("panjExtents").style.zIndex = 440;
    map.createPane("panjEvents").style.zIndex = 450;
    // config.vector ({maxSymbols}), set by the exporter for a PDF or SVG: outlines and, up to
    // maxSymbols symbols in view, the events are SVG, which Chromium prints as vector paths.
    this.vector = config.vector || null;
    this.svg = L.svg();
    this.extentCanvas = this.vector ? L.svg({ pane: "panjExtents", padding: 0.2 })
      : L.canvas({ pane: "panjExtents", padding: 0.2 });
    this.events = new EventGroups(map, "panjEvents", this.vector);
    map.on("click", this._onMapClick, this);
    map.on("mousemove", this._onMapHover, this);
    map.on("zoomend", this._legendLocations, this);
    this.home = config.home;  // [[south, west], [north, east]]
    // Not animated: a zoom animation still running when an update's fit() arrives would end by
    // putting back the zoom it was animating to.
    map.fitBounds(this.home, { animate: false });
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

  /* One manifest layer, registered by URL: {id, title, style, labelField, attribution, features, url}. */
  PanjMap.prototype.addVectorLayer = function (spec) {
    this._layerSpecs[spec.id] = spec;
    this._attributions[spec.id] = spec.attribution;
    this._layerOrder.push(spec.id);
    this.layers[spec.id] = { visible: false, features: spec.features, title: spec.title };
  };

  /* The layer's Leaflet layer, fetched and built once; a failed fetch is retried next time. */
  PanjMap.prototype._loadLayer = function (id) {
    var self = this, spec = this._layerSpecs[id];
    if (!spec) { return Promise.reject(new Error("layer " + id + " is not on this map")); }
    if (!this._layerLoads[id]) {
      this._layerLoads[id] = fetch(spec.url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { throw new Error("layer " + id + ": " + spec.url + " answered HTTP " + response.status); }
        return response.json();
      }).then(function (data) {
        var byId = {};
        data.features.forEach(function (feature) { byId[(feature.properties || {}).id] = feature; });
        self._layerFeatures[id] = byId;
        self._leafletLayers[id] = self._vectorLayer(spec, data);
        return self._leafletLayers[id];
      }).catch(function (error) {
        delete self._layerLoads[id];
        throw error;
      });
    }
    return this._layerLoads[id];
  };

  /* SVG paths with class panj-layer-<id> and escaped tooltips. */
  PanjMap.prototype._vectorLayer = function (spec, data) {
    var self = this, style = L.extend({}, spec.style, { className: "panj-layer panj-layer-" + spec.id });
    return L.geoJSON(data, {
      renderer: this.svg,
      style: function () { return style; },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, L.extend({ renderer: self.svg }, style));
      },
      onEachFeature: function (feature, featureLayer) {
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
      var layer = self._leafletLayers[id];
      if (!wanted[id]) {
        if (layer && self.map.hasLayer(layer)) { self.map.removeLayer(layer); }
        self.layers[id].visible = false;
      }
    });
    this._legendShow("data-panj-legend-layer", wanted);
    this._updateAttribution(ids);
    return Promise.all(Object.keys(wanted).map(function (id) {
      return self._loadLayer(id).then(function (layer) {
        // Still wanted? A later setLayers may have hidden it while it was on its way.
        if (self._wanted[id] && !self.map.hasLayer(layer)) { layer.addTo(self.map); }
        self.layers[id].visible = self.map.hasLayer(layer);
        self._restack();
      });
    }));
  };

  /* Layers arrive in any order; SVG stacks them by insertion, so restore the manifest's order. */
  PanjMap.prototype._restack = function () {
    var self = this;
    this._layerOrder.forEach(function (id) {
      var layer = self._leafletLayers[id];
      if (layer && self.map.hasLayer(layer)) { layer.bringToFront(); }
    });
  };

  /* An update (one EventsLayer) begins: not ready until finishUpdate says it is drawn. */
  /* One update from the page (geo.mapview.EventsLayer): {basemap, layers, events, vocabulary,
   * highlight, bounds, fitRequest}; ready turns true once its layers and events are drawn. */
  PanjMap.prototype.update = function (group, u) {
    var update = this.beginUpdate();
    this.setBasemap(u.basemap);
    var layersDrawn = this.setLayers(u.layers);
    var eventsDrawn = this.drawEvents(group, u.events, u.vocabulary, u.highlight);
    this.fit(u.bounds, u.fitRequest);
    this.finishUpdate(update, Promise.all([layersDrawn, eventsDrawn]));
  };

  PanjMap.prototype.beginUpdate = function () {
    this.ready = false;
    this.error = null;
    this._update += 1;
    return this._update;
  };

  /* Ready once the update's layers are drawn, unless a newer update has begun meanwhile. */
  PanjMap.prototype.finishUpdate = function (update, layersDrawn) {
    var self = this;
    return layersDrawn.then(function () {
      if (update === self._update) { self.ready = true; }
    }, function (error) {
      if (update === self._update) { self.error = String(error.message || error); }
      if (window.console) { window.console.error("Panj map: " + (error.message || error)); }
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
    var shown = L.extend({}, this._locationsPresent);
    shown.group = this.events.groupsAt(this.map.getZoom()).list.some(function (group) { return group.count > 1; });
    this._legendShow("data-panj-legend-location", shown);
  };

  /* The events: grouped and drawn on their canvas at once (EventGroups), a click on a group opening
   * its list or its one event's popup; then, on the canvas below, area outlines (features of the
   * layers' files, data.extents: {place: {layer, feature}}), one per place, or halos for places
   * known only to a district, province, region or country, one per place and precision. Returns a
   * promise settled once the outlines are drawn (rejected, after drawing what it can, if a layer
   * cannot be fetched). */
  PanjMap.prototype.drawEvents = function (group, data, vocabulary, highlight) {
    var self = this, update = this._update, features = data.features;
    var actorsPresent = {}, typesPresent = {}, locations = {}, statuses = {}, highlighted = null;
    features.forEach(function (feature) {
      var p = feature.properties;
      p.actors.forEach(function (id) { actorsPresent[id] = true; });
      typesPresent[p.type] = true;
      if (PLAN_STATUSES[p.status] === true) { statuses.planned = true; }
      locations[p.extent !== undefined || p.halo_m !== undefined ? "approximate" : "exact"] = true;
      if (feature.id === highlight) { highlighted = feature; }
    });
    this._data = data;
    this._vocabulary = vocabulary;
    this.map.closePopup();
    this.events.setData(features, vocabulary, highlighted === null ? null : highlight);
    this.events.draw();
    this._legendShow("data-panj-legend-actor", actorsPresent);
    this._legendShow("data-panj-legend-type", typesPresent);
    this._legendShow("data-panj-legend-status", statuses);
    this._locationsPresent = locations;
    this._legendLocations();
    this._showEmptyNote(features.length === 0);
    this.eventsDrawn = features.length;
    this.extentsDrawn = 0;
    this.highlight = highlighted === null ? null : highlight;
    // A newly highlighted event is brought into view once its outline is known, unless a fit of
    // this update (fit() runs next) asks for another view.
    var reveal = this._reveal = highlighted !== null && this._lastHighlight !== highlight ? highlighted : null;
    this._lastHighlight = this.highlight;

    return this._extentFeatures(data.extents).then(function (found) {
      // One outline per area place and one halo per place and precision, as one group.
      var extents = L.featureGroup(), drawn = {}, count = 0;
      features.forEach(function (feature) {
        var p = feature.properties, c = feature.geometry.coordinates;
        if (p.extent !== undefined && found.features[p.extent]) {
          count += 1;
          if (!drawn[p.extent]) {
            drawn[p.extent] = true;
            extents.addLayer(L.geoJSON(found.features[p.extent], {
              renderer: self.extentCanvas, interactive: false, style: EXTENT_STYLE
            }));
          }
        }
        var halo = p.halo_m !== undefined ? p.ref + "@" + p.halo_m : null;
        if (halo !== null && !drawn[halo]) {
          drawn[halo] = true;
          extents.addLayer(L.circle(L.latLng(c[1], c[0]), L.extend(
            { renderer: self.extentCanvas, interactive: false, radius: p.halo_m }, EXTENT_STYLE)));
        }
      });
      group.addLayer(extents);
      if (update === self._update) { self.extentsDrawn = count; }
      if (reveal !== null && self._reveal === reveal) { self._bringIntoView(reveal, found.features); }
      if (found.error !== null) { throw found.error; }
    });
  };

  /* The groups in view for tests and tools: [{x, y (container pixels), ids (event ids)}]. */
  PanjMap.prototype.groups = function () {
    var features = this.events.features;
    return this.events.inView().map(function (at) {
      return { x: at.x, y: at.y, ids: at.group.ids.map(function (i) { return features[i].id; }) };
    });
  };

  /* Open one event's popup as a click on it would (at its group), by id; false if not drawn. */
  PanjMap.prototype.openEvent = function (id) {
    var events = this.events, found = null;
    events.groupsAt(this.map.getZoom()).list.forEach(function (group) {
      group.ids.forEach(function (i) { if (events.features[i].id === id) { found = { group: group, feature: events.features[i] }; } });
    });
    if (found === null) { return false; }
    this._openPopup(events.latLng(found.group), this._eventContent(found.feature, null));
    return true;
  };

  PanjMap.prototype._onMapClick = function (e) {
    var group = this.events.hit(e.containerPoint);
    if (group === null) { return; }
    var latlng = this.events.latLng(group);
    if (group.count === 1) {
      this._openPopup(latlng, this._eventContent(this.events.features[group.ids[0]], null));
    } else {
      this._openPopup(latlng, this._listContent(group));
    }
  };

  PanjMap.prototype._onMapHover = function (e) {
    var group = this.events.hit(e.containerPoint), container = this.map.getContainer();
    container.classList.toggle("panj-over-event", group !== null);
    if (group === null) {
      if (this._hoverTip) { this.map.closeTooltip(this._hoverTip); }
      return;
    }
    if (!this._hoverTip) {
      this._hoverTip = L.tooltip({ className: "panj-tooltip", direction: "top", offset: [0, -8] });
    }
    this._hoverTip.setLatLng(this.events.latLng(group)).setContent(this._tooltip(group));
    this.map.openTooltip(this._hoverTip);
  };

  /* A popup no taller than half the map (it scrolls), nor wider than the map allows, panned clear
   * of what floats over the map (the open legend, a presenter caption: _freePadding). */
  PanjMap.prototype._openPopup = function (latlng, content) {
    var size = this.map.getSize(), free = this._freePadding();
    if (this._hoverTip) { this.map.closeTooltip(this._hoverTip); }
    return L.popup({
      maxWidth: Math.min(340, size.x - 60), minWidth: Math.min(220, size.x - 60),
      maxHeight: Math.max(120, Math.floor(size.y / 2) - 30), className: "panj-popup-frame",
      autoPanPaddingTopLeft: free.paddingTopLeft, autoPanPaddingBottomRight: free.paddingBottomRight
    }).setLatLng(latlng).setContent(content).openOn(this.map);
  };

  PanjMap.prototype._showEmptyNote = function (show) {
    if (!this._emptyNote) {
      this._emptyNote = L.DomUtil.create("div", "panj-map-note", this.map.getContainer());
      this._emptyNote.setAttribute("role", "status");
      this._emptyNote.textContent = "No event matches the filters";
    }
    this._emptyNote.hidden = !show;
  };

  /* The features data.extents names, as {features: {place: GeoJSON feature}, error}: every layer
   * involved is fetched (hidden or not); error is the first failure, null when all arrived. */
  PanjMap.prototype._extentFeatures = function (extents) {
    var self = this, found = { features: {}, error: null };
    return Promise.all(Object.keys(extents).map(function (place) {
      var ref = extents[place];
      return self._loadLayer(ref.layer).then(function () {
        var feature = self._layerFeatures[ref.layer][ref.feature];
        if (!feature) { throw new Error("place " + place + ": no feature " + ref.feature + " in layer " + ref.layer); }
        found.features[place] = feature;
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

  PanjMap.prototype._bringIntoView = function (feature, outlines) {
    var c = feature.geometry.coordinates, outline = outlines[feature.properties.extent];
    var padding = this._freePadding();
    if (outline !== undefined) {
      this.map.fitBounds(L.geoJSON(outline).getBounds(), L.extend({ maxZoom: 9, animate: false }, padding));
      return;
    }
    // The point goes to the middle of the free part of the map, not the middle of the map.
    var zoom = Math.max(this.map.getZoom(), 8), size = this.map.getSize();
    var free = L.point(
      (padding.paddingTopLeft[0] + size.x - padding.paddingBottomRight[0]) / 2,
      (padding.paddingTopLeft[1] + size.y - padding.paddingBottomRight[1]) / 2
    );
    var shift = free.subtract(size.divideBy(2));
    var centre = this.map.unproject(this.map.project(L.latLng(c[1], c[0]), zoom).subtract(shift), zoom);
    this.map.setView(centre, zoom, { animate: false });
  };

  /* Fit the map to [[south, west], [north, east]] exactly, once per request: the view a copied link
   * names must reopen as that view, not the whole zoom level around it. The page numbers its
   * requests, so asking twice for the same bounds ("Fit to events" after panning away) fits again,
   * while the same update run twice does not. Fractional zoom only for this fit: the reader's own
   * zooming keeps to whole levels (crisp tiles). Margins, where wanted, are in the bounds. */
  PanjMap.prototype.fit = function (bounds, request) {
    var snap = this.map.options.zoomSnap;
    if (bounds === null || request === this._lastFitRequest) { return; }
    this._lastFitRequest = request;
    this._reveal = null;  // the requested view wins over bringing the highlight into view
    this.map.options.zoomSnap = 0;
    this.map.fitBounds(bounds, { padding: [0, 0], animate: false });
    this.map.options.zoomSnap = snap;
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

  /* An event's symbol as a small canvas (list rows, the popup's type line). */
  function symbolCanvas(parent, feature, vocabulary) {
    var canvas = element("canvas", "panj-popup-symbol", parent), ratio = window.devicePixelRatio || 1, size = 16;
    canvas.width = size * ratio; canvas.height = size * ratio;
    canvas.style.width = size + "px"; canvas.style.height = size + "px";
    canvas.setAttribute("aria-hidden", "true");
    var ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    Symbol_.draw(ctx, size / 2, size / 2, 5, symbolOptions(feature, vocabulary));
    return canvas;
  }

  var PLACE_PRECISION = { exact: "exact place" };

  /* "reported 1 September 2021 · known to the day": the join's date label says whether it is the
   * event's own date, a report's, or how long an ongoing fact held (geo/join.py date_label). */
  function dateLine(p) {
    return p.date + " · known to the " + p.precision;
  }

  var STATUS_TEXT = {
    occurred: "Occurred", ongoing: "Ongoing (true as of the date given)",
    planned: "Planned: not reported as done", announced: "Announced: not reported as done"
  };

  PanjMap.prototype._tooltip = function (group) {
    var features = this.events.features, first = features[group.ids[0]].properties;
    if (group.count === 1) { return "<strong>" + esc(first.title) + "</strong><br>" + esc(first.date); }
    var places = {};
    group.ids.forEach(function (i) { places[features[i].properties.place] = true; });
    var where = Object.keys(places).length === 1 ? first.place : Object.keys(places).length + " places";
    return "<strong>" + esc(group.count + " events") + "</strong> · " + esc(where) + "<br>Click for the list";
  };

  /* A group's list: one row per event (type symbol, date, title), LIST_PAGE at a time; a row opens
   * that event's popup, which leads back to the list. */
  PanjMap.prototype._listContent = function (group) {
    var self = this, features = this.events.features, vocabulary = this._vocabulary, places = {};
    group.ids.forEach(function (i) { places[features[i].properties.place] = true; });
    var several = Object.keys(places).length > 1;
    var root = element("div", "panj-popup panj-popup-list");
    element("p", "panj-popup-count", root, group.count + " events " +
      (several ? "in " + Object.keys(places).length + " places" : "· " + features[group.ids[0]].properties.place));
    var list = element("ul", null, root), shown = 0, more = null;
    var back = { label: "All " + group.count + " events", open: function () { self._openPopup(self.events.latLng(group), self._listContent(group)); } };
    function showMore() {
      group.ids.slice(shown, shown + LIST_PAGE).forEach(function (i) {
        var feature = features[i], p = feature.properties, item = element("li", null, list);
        var row = element("button", "panj-popup-row", item);
        row.type = "button";
        row.setAttribute("data-event-id", feature.id);
        symbolCanvas(row, feature, vocabulary);
        element("span", "panj-popup-date", row, p.date);
        element("span", "panj-popup-title", row, several ? p.title + " (" + p.place + ")" : p.title);
        row.addEventListener("click", function () {
          self._openPopup(self.events.latLng(group), self._eventContent(feature, back));
        });
      });
      shown = Math.min(group.ids.length, shown + LIST_PAGE);
      if (more) { more.remove(); more = null; }
      if (shown < group.ids.length) {
        more = element("button", "panj-popup-more", root, "Show " + Math.min(LIST_PAGE, group.ids.length - shown) + " more");
        more.type = "button";
        more.addEventListener("click", showMore);
      }
    }
    showMore();
    return root;
  };

  /* One event: title, status, date line, summary, then actors, type, place, distances, amounts and
   * the source (document title and publisher, then each citation: paragraph, cited source, with
   * links where known). */
  PanjMap.prototype._eventContent = function (feature, back) {
    var p = feature.properties, vocabulary = this._vocabulary, data = this._data;
    var documents = data.documents || {}, root = element("div", "panj-popup");
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
    type.insertBefore(symbolCanvas(null, feature, vocabulary), type.firstChild);
    var region = [p.province, p.country].filter(function (name) { return name && name !== p.place; });
    if (p.gbao) { region.push("in GBAO"); }
    if (p.wakhan) { region.push("in the Wakhan corridor"); }
    row("Place", p.place + " (" + (PLACE_PRECISION[p.loc] || "known to the " + p.loc) + ")" +
      (region.length ? "; " + region.join(", ") : ""));
    var distances = [];
    if (p.frontier_km !== undefined) { distances.push(p.frontier_km + " km to the frontier"); }
    if (p.post !== undefined) { distances.push(p.post_km + " km to the nearest post, " + (data.names.post[p.post] || p.post)); }
    row("Distance", distances.join("; "));
    if (p.usd !== undefined) { row("Amount", "US$ " + Number(p.usd).toLocaleString("en")); }
    if (p.troops !== undefined) { row("Troops", Number(p.troops).toLocaleString("en")); }
    var doc = documents[p.doc], source = row("Source", doc ? "“" + doc.title + "”, " + (doc.label || doc.publisher) : p.doc);
    if (doc && doc.url) {
      source.appendChild(document.createTextNode(" "));
      webLink(source, doc.url, "(read it)");
    }
    var cites = element("ul", "panj-popup-cites", source);
    (p.cites || []).forEach(function (cite) {
      var item = element("li", null, cites, "¶" + cite.para + ": " + (cite.source === "none cited"
        ? "cites no source" : cite.source + (cite.date ? " (" + cite.date + ")" : "")));
      if (cite.url) {
        item.appendChild(document.createTextNode(" "));
        webLink(item, cite.url, "(the cited source)");
      }
    });
    return root;
  };

  /* The legend: a Leaflet control around the server-rendered #panj-legend, symbols drawn with the
   * same path function as the map. options: {position, open}; open null means open unless the
   * window is phone-narrow (the width panj-map.css calls narrow). */
  PanjMap.prototype.initLegend = function (options) {
    var element = document.getElementById("panj-legend");
    if (!element) { return; }
    var toggle = element.querySelector(".panj-legend-toggle");
    var open = options.open !== null ? options.open : !window.matchMedia("(max-width: 640px)").matches;
    function setOpen(value) {
      element.classList.toggle("panj-legend-open", value);
      toggle.setAttribute("aria-expanded", String(value));
    }
    var control = L.control({ position: options.position });
    control.onAdd = function () { return element; };
    control.addTo(this.map);
    L.DomEvent.disableClickPropagation(element);
    L.DomEvent.disableScrollPropagation(element);
    setOpen(open);
    toggle.addEventListener("click", function () { setOpen(!element.classList.contains("panj-legend-open")); });
    Array.prototype.forEach.call(element.querySelectorAll("canvas[data-shape]"), function (canvas) {
      var ctx = canvas.getContext("2d"), ratio = window.devicePixelRatio || 1, size = canvas.width;
      canvas.width = size * ratio; canvas.height = size * ratio;
      canvas.style.width = size + "px"; canvas.style.height = size + "px";
      ctx.scale(ratio, ratio);
      if (canvas.dataset.shape === "group") {
        drawGroup(ctx, size / 2, size / 2, size / 2 - 1, { actors: { a: 2, b: 1 }, count: 3, approximate: false },
          [{ id: "a", colour: "#888888" }, { id: "b", colour: "#cccccc" }]);
        return;
      }
      tracePath(ctx, canvas.dataset.shape, size / 2, size / 2, size * 0.3);
      ctx.fillStyle = canvas.dataset.fill; ctx.globalAlpha = Number(canvas.dataset.fillOpacity || 1); ctx.fill();
      ctx.globalAlpha = 1; ctx.strokeStyle = canvas.dataset.stroke; ctx.lineWidth = Number(canvas.dataset.weight || 1);
      if (canvas.dataset.dash) { ctx.setLineDash([2, 2]); }
      ctx.stroke();
    });
  };

  window.PanjMapRuntime = PanjMap;
})();
