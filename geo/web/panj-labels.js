/* Panj map labels: names of countries, places, posts, areas and the frontier's rivers, laid out in
 * screen space after every zoom, move, resize and layer change (docs/ARCHITECTURE.md, "Labels").
 *
 * geo/labels.py (MapLabels) names a static file holding {ranks: [{id, size, minZoom}], labels:
 * [{layer, feature, text, rank, kind: "point" | "area" | "line", anchors, radius}]}, labels in
 * rank order. A label is shown while its layer is visible and the zoom is at least its rank's
 * minZoom. Highest rank first, each label takes the first of its candidate positions (sides,
 * corners, then slid below or above a point; an area's anchors in view; above or below a river's
 * line) that lies wholly inside the map, clear of the map's controls (legend, figure furniture),
 * of the event symbols (groups, their counts, the highlight's ring: window.panjMap.symbols()), of
 * the point layers' symbols of its rank or higher and of every label already placed; among those,
 * the one covering fewest lower-ranked point symbols and, for a point's name, lying off the
 * frontier (the map's subject). A place under an event symbol is named beside that symbol. A
 * label with no such position is not drawn. Text is set with textContent only. The same file
 * serves the page and the exported figure. window.panjMap.labels() lists the drawn labels: {text,
 * rank, layer, feature, box: {left, top, right, bottom}} in the document's CSS pixels.
 */
(function () {
  "use strict";

  var GAP = 3;  // px between a point's symbol and its name, and between a river and its name
  var EDGE = 3;  // px every label keeps from the map's edge
  var SPACING = 2;  // px kept between two labels
  var ARROWS = [["\u2196", "\u2191", "\u2197"], ["\u2190", "", "\u2192"], ["\u2199", "\u2193", "\u2198"]];
  var MAX_TILT = 35;  // degrees: a river name steeper than this is written level, beside the line
  // A label repeating a shown name this close is left out: a province named like its capital,
  // a river's name twice in a short stretch.
  var SAME_NAME_PX = { point: 250, area: 250, line: 120 };
  // The line a point's name keeps off where it has another place: the frontier, the map's subject.
  var SUBJECT_LAYER = "frontier";
  var CELL = 4;  // px: the frontier is marked on a grid of cells this wide

  function Box(left, top, width, height) {
    this.left = left; this.top = top; this.right = left + width; this.bottom = top + height;
  }
  Box.prototype.overlaps = function (other, margin) {
    return this.left < other.right + margin && other.left < this.right + margin &&
      this.top < other.bottom + margin && other.top < this.bottom + margin;
  };
  Box.prototype.inside = function (width, height, margin) {
    return this.left >= margin && this.top >= margin && this.right <= width - margin && this.bottom <= height - margin;
  };

  /* The labels of the static file at url (geo/labels.py label_file, in the snapshot's published
   * folder), placed once it has arrived; panj.labelsLoaded settles then (the map is not ready
   * before its names are). A folder pruned meanwhile reloads the page, as panj-map.js does. */
  function PanjLabels(panj, url) {
    var self = this;
    this.panj = panj;
    this.drawnLabels = [];
    panj.labels = this.labels.bind(this);
    panj.labelsLoaded = fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) {
        if (window.PanjDataGone) { window.PanjDataGone(response); }
        throw new Error("labels: " + url + " answered HTTP " + response.status);
      }
      return response.json();
    }).then(function (data) { self._start(data); });
  }

  PanjLabels.prototype._start = function (data) {
    var self = this, ranks = {}, panj = this.panj;
    data.ranks.forEach(function (rank, index) { ranks[rank.id] = L.extend({ priority: index }, rank); });
    this.map = panj.map;
    this.ranks = ranks;
    this.items = data.labels;
    this._frame = null;
    // Above the vector layers and event symbols (panes 400-450), below tooltips and popups;
    // hidden while a zoom animates, like the vectors' own panes.
    this.pane = this.map.createPane("panjLabels");
    this.pane.style.zIndex = 620;
    this.pane.classList.add("panj-label-pane", "leaflet-zoom-hide");
    this.items.forEach(function (item) {
      var element = document.createElement("div");
      element.className = "panj-label panj-label-" + item.kind + " panj-label-rank-" + item.rank;
      element.style.fontSize = "calc(var(--panj-label-font) * " + Number(ranks[item.rank].size) + ")";
      element.textContent = item.text;  // a text node: names never become markup
      element.hidden = true;
      self.pane.appendChild(element);
      item.element = element;
    });
    var schedule = this.schedule.bind(this);
    // panjsymbols: the event symbols were drawn again (new data, a highlight), maybe elsewhere.
    this.map.on("moveend zoomend resize viewreset layeradd layerremove panjsymbols", schedule);
    if (document.fonts) { document.fonts.ready.then(schedule); }
    // The legend opens and folds, the figure's furniture arrives after the map: controls change size.
    // The controls' container keeps the map's size whatever they do, so each control is watched.
    if (window.ResizeObserver) {
      var resized = new window.ResizeObserver(schedule), container = this.map.getContainer();
      resized.observe(container.querySelector(".leaflet-control-container"));
      Array.prototype.forEach.call(container.querySelectorAll(".leaflet-control"), function (control) { resized.observe(control); });
    }
    schedule();
  };

  /* Lay out again on the next frame (one layout however many events ask for it). */
  PanjLabels.prototype.schedule = function () {
    var self = this;
    if (this._frame !== null) { return; }
    this._frame = window.requestAnimationFrame(function () { self._frame = null; self.layout(); });
  };

  /* The drawn labels, laid out first if a layout is due. */
  PanjLabels.prototype.labels = function () {
    if (this._frame !== undefined && this._frame !== null) {
      window.cancelAnimationFrame(this._frame);
      this._frame = null;
      this.layout();
    }
    return this.drawnLabels.map(function (item) {
      var rect = item.element.getBoundingClientRect();
      return { text: item.text, rank: item.rank, layer: item.layer, feature: item.feature,
               box: { left: rect.left, top: rect.top, right: rect.right, bottom: rect.bottom } };
    });
  };

  PanjLabels.prototype._wanted = function (item, zoom) {
    var layer = this.panj.layers[item.layer];
    return Boolean(layer && layer.visible) && this.ranks[item.rank].minZoom <= zoom + 1e-6;
  };

  /* What no label may cover: the map's controls and the event symbols (boxes in container
   * pixels; events: their circles too, {x, y, r}); and the visible point layers' symbols (a label
   * may cover those of a lower rank when it has no other place). */
  PanjLabels.prototype._obstacles = function () {
    var self = this, map = this.map, container = map.getContainer(), origin = container.getBoundingClientRect();
    var hard = [], symbols = [], events = this.panj.symbols();
    Array.prototype.forEach.call(container.querySelectorAll(".leaflet-control"), function (control) {
      var rect = control.getBoundingClientRect();
      if (rect.width > 0 && rect.height > 0) {
        hard.push(new Box(rect.left - origin.left, rect.top - origin.top, rect.width, rect.height));
      }
    });
    this.items.forEach(function (item) {
      var layer = self.panj.layers[item.layer];
      if (item.kind === "point" && layer && layer.visible) {
        var p = map.latLngToContainerPoint(item.anchors[0].at), r = item.radius;
        item.symbol = new Box(p.x - r, p.y - r, 2 * r, 2 * r);
        item.symbol.priority = self.ranks[item.rank].priority;
        symbols.push(item.symbol);
      }
    });
    events.forEach(function (circle) { hard.push(new Box(circle.x - circle.r, circle.y - circle.r, 2 * circle.r, 2 * circle.r)); });
    return { hard: hard, symbols: symbols, events: events, subject: subjectCells(this.panj.linePixels(SUBJECT_LAYER), map.getSize()) };
  };

  /* The cells of a CELL-pixel grid over the map that the lines (container pixels) pass through:
   * {columns, rows, marked: Uint8Array}. */
  function subjectCells(lines, size) {
    var columns = Math.ceil(size.x / CELL) + 1, rows = Math.ceil(size.y / CELL) + 1, marked = new Uint8Array(columns * rows);
    lines.forEach(function (line) {
      for (var i = 1; i < line.length; i++) {
        var a = line[i - 1], b = line[i], steps = Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / (CELL / 2)) || 1;
        for (var k = 0; k <= steps; k++) {
          var x = a.x + (b.x - a.x) * k / steps, y = a.y + (b.y - a.y) * k / steps;
          if (x >= 0 && y >= 0 && x < size.x && y < size.y) { marked[Math.floor(y / CELL) * columns + Math.floor(x / CELL)] = 1; }
        }
      }
    });
    return { columns: columns, rows: rows, marked: marked };
  }

  /* Whether a box (container pixels) lies on a marked cell. */
  function onSubject(box, cells) {
    var left = Math.max(0, Math.floor(box.left / CELL)), right = Math.min(cells.columns - 1, Math.floor(box.right / CELL));
    var top = Math.max(0, Math.floor(box.top / CELL)), bottom = Math.min(cells.rows - 1, Math.floor(box.bottom / CELL));
    for (var row = top; row <= bottom; row++) {
      for (var column = left; column <= right; column++) {
        if (cells.marked[row * cells.columns + column]) { return true; }
      }
    }
    return false;
  }

  /* How far a point's name keeps from its point: its own symbol's radius, or, when event symbols
   * lie on the point (events at that place), the far side of those symbols. */
  function pointClearance(p, radius, events) {
    return events.reduce(function (reach, circle) {
      var distance = Math.hypot(circle.x - p.x, circle.y - p.y);
      return distance < circle.r ? Math.max(reach, distance + circle.r) : reach;
    }, radius);
  }

  function clamp(value, low, high) { return Math.max(low, Math.min(high, value)); }

  /* Whether a point of a rank named off the view (offView) lies outside the map, but less than
   * the map's own size away; if so its label gets an arrow pointing to it. */
  PanjLabels.prototype._offView = function (item, frame) {
    var p = this.map.latLngToContainerPoint(item.anchors[0].at);
    var dx = p.x < 0 ? -1 : p.x > frame.x ? 1 : 0, dy = p.y < 0 ? -1 : p.y > frame.y ? 1 : 0;
    var near = p.x > -frame.x && p.x < 2 * frame.x && p.y > -frame.y && p.y < 2 * frame.y;
    var off = Boolean(this.ranks[item.rank].offView) && (dx !== 0 || dy !== 0) && near;
    item.element.dataset.arrow = off ? ARROWS[dy + 1][dx + 1] : "";
    item.element.classList.toggle("panj-label-off-view", off);
    return off;
  };

  /* Candidate positions of a label of measured size ({w, h, font, narrow: {w, h} or null}), best
   * first: {box, x, y, angle, w, h, narrow}, (x, y) the centre of the text in container pixels,
   * w x h the text's size there, narrow whether it is wrapped to the narrower measure. */
  PanjLabels.prototype._candidates = function (item, size, frame, events) {
    var map = this.map, out = [], w = size.w, h = size.h;
    function level(x, y) { out.push({ box: new Box(x - w / 2, y - h / 2, w, h), x: x, y: y, angle: 0, w: w, h: h, narrow: false }); }
    if (item.offView) {
      // Just outside the view: named at the map's edge, towards where it is.
      var q = map.latLngToContainerPoint(item.anchors[0].at);
      level(clamp(q.x, EDGE + w / 2, frame.x - EDGE - w / 2), clamp(q.y, EDGE + h / 2, frame.y - EDGE - h / 2));
    } else if (item.kind === "point") {
      var p = map.latLngToContainerPoint(item.anchors[0].at), reach = pointClearance(p, item.radius, events);
      // Beside event symbols a diagonal name clears the corner of their box, not only their round edge.
      var r = reach + GAP, d = reach > item.radius ? r : r * 0.7;
      // The four sides, then the four corners; a long name also wrapped narrower after each, which
      // may fit between symbols where its widest wrapping does not.
      var wraps = size.narrow ? [{ w: w, h: h, narrow: false }, { w: size.narrow.w, h: size.narrow.h, narrow: true }] : [{ w: w, h: h, narrow: false }];
      var sides = [[1, 0, r], [-1, 0, r], [0, -1, r], [0, 1, r]], corners = [[1, -1, d], [1, 1, d], [-1, -1, d], [-1, 1, d]];
      [sides, corners].forEach(function (offsets) {
        wraps.forEach(function (wrap) {
          offsets.forEach(function (o) {
            var x = p.x + o[0] * (o[2] + wrap.w / 2), y = p.y + o[1] * (o[2] + wrap.h / 2);
            out.push({ box: new Box(x - wrap.w / 2, y - wrap.h / 2, wrap.w, wrap.h), x: x, y: y, angle: 0, w: wrap.w, h: wrap.h, narrow: wrap.narrow });
          });
        });
      });
      // Last, above or below and slid a third of its width either way, the point still over the
      // name: room between the map's edge and a line the centred name would cross.
      wraps.forEach(function (wrap) {
        [[1, -1], [1, 1], [-1, -1], [-1, 1]].forEach(function (o) {
          var x = p.x + o[0] * wrap.w / 3, y = p.y + o[1] * (r + wrap.h / 2);
          out.push({ box: new Box(x - wrap.w / 2, y - wrap.h / 2, wrap.w, wrap.h), x: x, y: y, angle: 0, w: wrap.w, h: wrap.h, narrow: wrap.narrow });
        });
      });
    } else if (item.kind === "area") {
      var shifted = [];
      item.anchors.forEach(function (anchor) {
        // Only where the part holding the anchor is large enough on screen to hold the name.
        var sw = map.latLngToContainerPoint(anchor.extent[0]), ne = map.latLngToContainerPoint(anchor.extent[1]);
        if (ne.x - sw.x < w * 0.6 || sw.y - ne.y < h) { return; }
        // Slid sideways into the map, as long as the name still covers its anchor.
        var p = map.latLngToContainerPoint(anchor.at), x = clamp(p.x, EDGE + w / 2, frame.x - EDGE - w / 2);
        if (Math.abs(x - p.x) > w / 2) { x = p.x; }
        level(x, p.y);
        level(x, p.y - h);
        level(x, p.y + h);
        // Failing those (a symbol or a name on the anchor), the name moved along, one end still on it.
        [-w / 3, w / 3].forEach(function (dx) {
          if (Math.abs(x + dx - p.x) <= w / 2) { shifted.push([x + dx, p.y]); }
        });
      });
      shifted.forEach(function (at) { level(at[0], at[1]); });
    } else {
      item.anchors.forEach(function (anchor) {
        var p = map.latLngToContainerPoint(anchor.at);
        var a = map.latLngToContainerPoint(anchor.along[0]), b = map.latLngToContainerPoint(anchor.along[1]);
        var angle = Math.atan2(b.y - a.y, b.x - a.x) * 180 / Math.PI;
        if (angle > 90) { angle -= 180; } else if (angle < -90) { angle += 180; }  // never upside down
        if (Math.abs(angle) <= MAX_TILT) {
          var t = angle * Math.PI / 180, off = h / 2 + GAP + size * 0.1;
          var nx = -Math.sin(t), ny = Math.cos(t);  // the text's "down"
          var bw = w * Math.abs(Math.cos(t)) + h * Math.abs(Math.sin(t));
          var bh = w * Math.abs(Math.sin(t)) + h * Math.abs(Math.cos(t));
          [-1, 1].forEach(function (side) {
            var x = p.x + side * nx * off, y = p.y + side * ny * off;
            out.push({ box: new Box(x - bw / 2, y - bh / 2, bw, bh), x: x, y: y, angle: angle, w: w, h: h, narrow: false });
          });
        } else {
          level(p.x + GAP + 2 + w / 2, p.y);
          level(p.x - GAP - 2 - w / 2, p.y);
        }
      });
    }
    return out;
  };

  PanjLabels.prototype.layout = function () {
    var self = this, map = this.map, zoom = map.getZoom(), frame = map.getSize();
    var wanted = this.items.filter(function (item) { return self._wanted(item, zoom); });
    this.items.forEach(function (item) { item.element.hidden = true; });
    // No name to place (no named layer shown): nothing to measure or to keep clear of.
    if (!wanted.length) {
      this.drawnLabels = [];
      return;
    }
    // Measure every wanted label at once (one reflow), untransformed.
    wanted.forEach(function (item) {
      item.offView = item.kind === "point" && self._offView(item, frame);
      item.element.style.transform = "none";
      item.element.hidden = false;
    });
    var sizes = wanted.map(function (item) {
      return { w: item.element.offsetWidth, h: item.element.offsetHeight,
               font: parseFloat(window.getComputedStyle(item.element).fontSize) || 12, narrow: null };
    });
    // A second reflow: the points' names wrapped to the narrower measure, kept where it is narrower.
    function wraps(item) { return item.kind === "point" && !item.offView; }
    wanted.forEach(function (item) { item.element.classList.toggle("panj-label-narrow", wraps(item)); });
    wanted.forEach(function (item, index) {
      var w = item.element.offsetWidth;
      if (wraps(item) && w < sizes[index].w) { sizes[index].narrow = { w: w, h: item.element.offsetHeight }; }
    });
    wanted.forEach(function (item) { item.element.classList.remove("panj-label-narrow"); });
    var obstacles = this._obstacles(), placed = [], drawn = [];
    wanted.forEach(function (item, index) {
      var size = sizes[index], priority = self.ranks[item.rank].priority, best = null, bestCost = Infinity, anchor = map.latLngToContainerPoint(item.anchors[0].at);
      var repeated = drawn.some(function (other) {
        return other.text === item.text && Math.hypot(other.centre.x - anchor.x, other.centre.y - anchor.y) < SAME_NAME_PX[item.kind];
      });
      if (!repeated && size.w > 0) {
        self._candidates(item, size, frame, obstacles.events).some(function (candidate) {
          var box = candidate.box;
          if (!box.inside(frame.x, frame.y, EDGE)) { return false; }
          if (placed.some(function (other) { return box.overlaps(other, SPACING); })) { return false; }
          if (obstacles.hard.some(function (other) { return box.overlaps(other, 1); })) { return false; }
          var covered = obstacles.symbols.filter(function (other) { return other !== item.symbol && box.overlaps(other, 1); });
          if (covered.some(function (other) { return other.priority <= priority; })) { return false; }
          var cost = covered.length + (item.kind === "point" && onSubject(box, obstacles.subject) ? 1 : 0);
          if (cost < bestCost) { best = candidate; bestCost = cost; }
          return cost === 0;
        });
      }
      if (best === null) {
        item.element.hidden = true;
        return;
      }
      placed.push(best.box);
      item.centre = { x: best.x, y: best.y };
      drawn.push(item);
      item.element.classList.toggle("panj-label-narrow", best.narrow);
      var p = map.containerPointToLayerPoint([best.x - best.w / 2, best.y - best.h / 2]);
      item.element.style.transform = "translate(" + p.x + "px," + p.y + "px)" + (best.angle ? " rotate(" + best.angle + "deg)" : "");
    });
    this.drawnLabels = drawn;
  };

  window.PanjLabels = PanjLabels;
})();
