/* The frontier strip's drawing (docs/ARCHITECTURE.md, "The frontier strip"): the frontier as the
 * horizontal axis, west (0 km) to east, the places along it marked, and time down each of two
 * bands, the Tajik bank's above the Afghan bank's; each event a symbol at its km along and its
 * first day, drawn by the map's own symbol code (window.PanjShared from geo/web/panj-map.js: its
 * type's shape in its actors' colours). The page (static/strip.js) and the exported figure
 * (geo.strip, geo.export.export_strip) both draw through window.PanjStrip.
 *
 * new PanjStrip(container, {shared, onBrush}) puts a canvas (and, with onBrush, a brush layer
 * over it) into container; setData(d) takes {lengthKm, places: [{name, from, to}], sides: [{code,
 * name}], looks: [symbol looks], along, side, day, look (per row), rows (the rows to draw),
 * dayFrom, dayTo, selection: {fromKm, toKm, fromDay, toDay} or null} and draws. A drag over a
 * band calls onBrush({fromKm, toKm, fromDay, toDay}). drawn is {events, symbols} of the last
 * drawing: the events in one 3-pixel cell are one symbol, the last one's. setPeriod({fromDay,
 * toDay} or null) marks a playback's current period across both bands, on the brush layer, so a
 * step of the playback never redraws the symbols.
 */
(function () {
  "use strict";

  var FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  var RADIUS = 4.5;  // symbols a little smaller than the map's 6: the strip is denser
  var CELL = 3;  // pixels: the events in one such cell are one symbol, the last one's
  var SPRITES_FROM = 2000;  // symbols: above this, each look is drawn once and copied
  var DAY_MS = 86400000;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var MIN_BRUSH = 4;  // pixels: a shorter drag is a click, and selects nothing

  function PanjStrip(container, options) {
    this.container = container;
    this.shared = options.shared;
    this.onBrush = options.onBrush || null;
    this.fontPx = options.fontPx || 12;
    this.canvas = document.createElement("canvas");
    this.canvas.className = "panj-strip-canvas";
    this.canvas.setAttribute("role", "img");
    container.appendChild(this.canvas);
    this.drawn = { events: 0, symbols: 0 };
    this.data = null;
    this.frame = null;
    this.period = null;
    if (this.onBrush) {
      this.brushLayer = document.createElement("canvas");
      this.brushLayer.className = "panj-strip-brush";
      this.brushLayer.setAttribute("aria-hidden", "true");
      container.appendChild(this.brushLayer);
      this._bindBrush();
    }
  }

  /* The boxes the strip is drawn in, for a width and height in CSS pixels. */
  PanjStrip.prototype.layout = function (width, height, placeRows) {
    // Left: the band's name turned upright, then the dates.
    var f = this.fontPx, left = Math.round(f * 7), right = Math.round(f * 1.2);
    var top = Math.round(placeRows * (f + 4) + 8), bottom = Math.round(f * 3.2), gap = Math.round(f * 1.6);
    var bandHeight = Math.max(20, (height - top - bottom - gap) / 2);
    return {
      width: width, height: height, x: left, w: Math.max(20, width - left - right), top: top,
      bands: [0, 1].map(function (i) { return { y: top + i * (bandHeight + gap), h: bandHeight }; })
    };
  };

  PanjStrip.prototype.setData = function (data) {
    this.data = data;
    this.draw();
  };

  PanjStrip.prototype.kmX = function (km) { return this.frame.x + (km / this.data.lengthKm) * this.frame.w; };
  /* A day's height in a band, inset by a symbol so the first and last days' symbols stay inside. */
  PanjStrip.prototype.dayY = function (band, day) {
    var d = this.data, span = Math.max(1, d.dayTo - d.dayFrom), inset = RADIUS + 2;
    return band.y + inset + ((day - d.dayFrom) / span) * (band.h - 2 * inset);
  };

  /* The place names in rows, each in the first row where it clears the names before it. */
  PanjStrip.prototype._placeRows = function (ctx, width) {
    var d = this.data, self = this, rowEnds = [], placed = [];
    var frame = this.layout(width, 100, 1);
    ctx.font = this.fontPx + "px " + FONT;
    d.places.forEach(function (place) {
      var x = frame.x + (((place.from + place.to) / 2) / d.lengthKm) * frame.w;
      var textWidth = ctx.measureText(place.name).width;
      var start = Math.min(Math.max(x - textWidth / 2, 2), width - textWidth - 2);
      var row = 0;
      while (row < rowEnds.length && rowEnds[row] > start - self.fontPx * 0.6) { row += 1; }
      rowEnds[row] = start + textWidth;
      placed.push({ place: place, row: row, start: start, width: textWidth });
    });
    return { rows: Math.max(1, rowEnds.length), placed: placed };
  };

  PanjStrip.prototype.draw = function () {
    var d = this.data;
    if (!d) { return; }
    var width = Math.max(200, this.container.clientWidth || 800), height = d.height || 360;
    var ratio = window.devicePixelRatio || 1, canvas = this.canvas;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = width + "px";
    canvas.style.height = height + "px";
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    var names = this._placeRows(ctx, width);
    var frame = this.frame = this.layout(width, height, names.rows);
    this._drawFrame(ctx, names);
    this._drawSymbols(ctx);
    if (this.brushLayer) {
      this.brushLayer.width = canvas.width;
      this.brushLayer.height = canvas.height;
      this.brushLayer.style.width = canvas.style.width;
      this.brushLayer.style.height = canvas.style.height;
      this._drawOverlay(d.selection);
    }
    canvas.setAttribute("aria-label", "The frontier strip: " + this.drawn.events + " events by km along the " +
      "frontier (west to east, 0 to " + Math.round(d.lengthKm) + " km) and date, the Tajik bank above the Afghan bank");
    return frame;
  };

  PanjStrip.prototype._drawFrame = function (ctx, names) {
    var d = this.data, frame = this.frame, self = this, f = this.fontPx;
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, frame.width, frame.height);
    // The bands: pale, named in their top left corner.
    frame.bands.forEach(function (band, i) {
      ctx.fillStyle = i === 0 ? "#f3f6fa" : "#faf6f0";
      ctx.fillRect(frame.x, band.y, frame.w, band.h);
    });
    // The places: a line through both bands (an area's span shaded), the name above. The names go
    // on last, each on a white box, so no line of a name in a row above runs through one below.
    ctx.font = f + "px " + FONT;
    ctx.textBaseline = "alphabetic";
    ctx.textAlign = "left";
    names.placed.forEach(function (entry) {
      var place = entry.place, x0 = self.kmX(place.from), x1 = self.kmX(place.to);
      var first = frame.bands[0], last = frame.bands[1], nameY = 6 + (entry.row + 1) * (f + 4) - 4;
      if (x1 - x0 > 1) {
        ctx.fillStyle = "rgba(120, 120, 120, 0.10)";
        ctx.fillRect(x0, first.y, x1 - x0, last.y + last.h - first.y);
      }
      ctx.strokeStyle = "#9a9a9a";
      ctx.lineWidth = 0.8;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      var mid = (x0 + x1) / 2;
      ctx.moveTo(mid, nameY + 3);
      ctx.lineTo(mid, last.y + last.h);
      ctx.stroke();
      ctx.setLineDash([]);
    });
    names.placed.forEach(function (entry) {
      var nameY = 6 + (entry.row + 1) * (f + 4) - 4;
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(entry.start - 2, nameY - f, entry.width + 4, f + 4);
      ctx.fillStyle = "#222222";
      ctx.fillText(entry.place.name, entry.start, nameY);
    });
    // The km axis under the bands.
    var bottom = frame.bands[1].y + frame.bands[1].h, step = this._kmStep();
    ctx.strokeStyle = "#555555";
    ctx.fillStyle = "#333333";
    ctx.lineWidth = 1;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.beginPath();
    ctx.moveTo(frame.x, bottom + 0.5);
    ctx.lineTo(frame.x + frame.w, bottom + 0.5);
    for (var km = 0; km <= d.lengthKm; km += step) {
      var x = Math.round(this.kmX(km)) + 0.5;
      ctx.moveTo(x, bottom);
      ctx.lineTo(x, bottom + 4);
    }
    ctx.stroke();
    for (km = 0; km <= d.lengthKm; km += step) {
      ctx.fillText(km === 0 ? "0 km" : String(km), this.kmX(km), bottom + 6);
    }
    ctx.textAlign = "right";
    ctx.fillText("west to east, km along the frontier", frame.x + frame.w, bottom + 8 + f);
    // Time down each band: ticks and labels on the left, the band's name inside.
    var ticks = this._dateTicks();
    frame.bands.forEach(function (band, i) {
      ctx.strokeStyle = "#555555";
      ctx.beginPath();
      ctx.moveTo(frame.x - 0.5, band.y);
      ctx.lineTo(frame.x - 0.5, band.y + band.h);
      ticks.forEach(function (tick) {
        var y = Math.round(self.dayY(band, tick.day)) + 0.5;
        ctx.moveTo(frame.x - 4, y);
        ctx.lineTo(frame.x, y);
      });
      ctx.stroke();
      ctx.fillStyle = "#333333";
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      ctx.font = (f - 1) + "px " + FONT;
      ticks.forEach(function (tick) { ctx.fillText(tick.label, frame.x - 6, self.dayY(band, tick.day)); });
      // The band's name upright in the margin, clear of the symbols.
      ctx.save();
      ctx.translate(f * 0.2, band.y + band.h / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      ctx.font = "bold " + f + "px " + FONT;
      ctx.fillStyle = "#333333";
      ctx.fillText(d.sides[i].name, 0, 0);
      ctx.restore();
      ctx.font = f + "px " + FONT;
    });
  };

  PanjStrip.prototype._kmStep = function () {
    var perLabel = (this.fontPx * 4.5) / this.frame.w * this.data.lengthKm;
    var steps = [25, 50, 100, 200, 250, 500];
    for (var i = 0; i < steps.length; i++) { if (steps[i] >= perLabel) { return steps[i]; } }
    return 1000;
  };

  /* Years, else months (every 1, 2, 3 or 6), else days, as many as the bands' height holds. */
  PanjStrip.prototype._dateTicks = function () {
    var d = this.data, fits = Math.max(2, Math.floor(this.frame.bands[0].h / (this.fontPx * 1.6)));
    var from = new Date(d.dayFrom * DAY_MS), to = new Date(d.dayTo * DAY_MS), ticks = [], year, month;
    var years = to.getUTCFullYear() - from.getUTCFullYear();
    if (years >= fits / 2 || years > 4) {
      var every = Math.max(1, Math.ceil(years / fits));
      for (year = from.getUTCFullYear() + 1; year <= to.getUTCFullYear(); year += every) {
        ticks.push({ day: Date.UTC(year, 0, 1) / DAY_MS, label: String(year) });
      }
      return ticks;
    }
    var months = years * 12 + to.getUTCMonth() - from.getUTCMonth(), monthStep = [1, 2, 3, 6, 12];
    var every2 = monthStep.filter(function (m) { return months / m <= fits; })[0] || 12;
    if (months >= 1) {
      for (var m = from.getUTCFullYear() * 12 + from.getUTCMonth() + 1; m <= to.getUTCFullYear() * 12 + to.getUTCMonth(); m += 1) {
        if (m % every2) { continue; }
        year = Math.floor(m / 12);
        month = m % 12;
        ticks.push({ day: Date.UTC(year, month, 1) / DAY_MS, label: MONTHS[month] + " " + year });
      }
      return ticks;
    }
    var dayStep = Math.max(1, Math.ceil((d.dayTo - d.dayFrom) / fits));
    for (var day = d.dayFrom; day <= d.dayTo; day += dayStep) {
      var date = new Date(day * DAY_MS);
      ticks.push({ day: day, label: date.getUTCDate() + " " + MONTHS[date.getUTCMonth()] });
    }
    return ticks;
  };

  /* The rows' symbols: one per 3-pixel cell (the last row there, as it would be drawn on top), so
   * a million rows cost a pass over typed arrays and at most a symbol per cell. Above
   * SPRITES_FROM cells each look is drawn once and copied (a canvas image); fewer are drawn
   * one by one, which a printed figure keeps as vectors. */
  PanjStrip.prototype._drawSymbols = function (ctx) {
    var d = this.data, frame = this.frame, rows = d.rows, columns = Math.ceil(frame.width / CELL) + 1;
    var grid = new Int32Array(columns * (Math.ceil(frame.height / CELL) + 1)).fill(-1);
    var cells = new Int32Array(rows.length), count = 0, events = 0, i, row;
    for (i = 0; i < rows.length; i++) {
      row = rows[i];
      var side = d.side[row], along = d.along[row], day = d.day[row];
      if (side < 1 || side > 2 || !(along >= 0) || day < d.dayFrom || day > d.dayTo) { continue; }
      var cell = Math.floor(this.dayY(frame.bands[side - 1], day) / CELL) * columns + Math.floor(this.kmX(along) / CELL);
      if (grid[cell] < 0) { cells[count++] = cell; }
      grid[cell] = row;
      events += 1;
    }
    var sprites = count > SPRITES_FROM ? this._sprites(d.looks) : null;
    ctx.save();
    ctx.beginPath();
    frame.bands.forEach(function (band) { ctx.rect(frame.x - RADIUS, band.y - RADIUS, frame.w + 2 * RADIUS, band.h + 2 * RADIUS); });
    ctx.clip();
    for (i = 0; i < count; i++) {
      row = grid[cells[i]];
      var x = this.kmX(d.along[row]), y = this.dayY(frame.bands[d.side[row] - 1], d.day[row]);
      if (sprites) {
        var sprite = sprites[d.look[row]];
        ctx.drawImage(sprite.canvas, x - sprite.half, y - sprite.half, 2 * sprite.half, 2 * sprite.half);
      } else {
        this.shared.drawSymbol(ctx, x, y, RADIUS, d.looks[d.look[row]]);
      }
    }
    ctx.restore();
    this.drawn = { events: events, symbols: count };
  };

  /* Each look's symbol drawn once, at the screen's resolution, to be copied. */
  PanjStrip.prototype._sprites = function (looks) {
    var ratio = window.devicePixelRatio || 1, half = Math.ceil(RADIUS * 1.6) + 2, shared = this.shared;
    if (this._spriteCache && this._spriteCache.looks === looks && this._spriteCache.ratio === ratio) {
      return this._spriteCache.sprites;
    }
    var sprites = looks.map(function (look) {
      var canvas = document.createElement("canvas");
      canvas.width = canvas.height = Math.ceil(2 * half * ratio);
      var ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      shared.drawSymbol(ctx, half, half, RADIUS, look);
      return { canvas: canvas, half: half };
    });
    this._spriteCache = { looks: looks, ratio: ratio, sprites: sprites };
    return sprites;
  };

  PanjStrip.prototype.setPeriod = function (period) {
    var same = period && this.period ? period.fromDay === this.period.fromDay && period.toDay === this.period.toDay
      : period === this.period;
    this.period = period;
    if (!same && this.brushLayer && this.data) { this._drawOverlay(this.data.selection); }
  };

  /* The brush layer: the playback's period (orange, as the histogram marks it: static/charts.js),
   * then the brushed rectangle (a selection's km and days). */
  PanjStrip.prototype._drawOverlay = function (selection) {
    var layer = this.brushLayer, ctx = layer.getContext("2d"), ratio = window.devicePixelRatio || 1;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, layer.width, layer.height);
    if (!this.frame) { return; }
    var self = this, frame = this.frame, period = this.period;
    layer.dataset.period = period ? PanjStrip.dayText(period.fromDay) : "";  // what is marked, for tests
    if (period && period.toDay >= this.data.dayFrom && period.fromDay <= this.data.dayTo) {
      frame.bands.forEach(function (band) {
        var y0 = Math.max(band.y, self.dayY(band, period.fromDay) - RADIUS);
        var y1 = Math.min(band.y + band.h, self.dayY(band, period.toDay) + RADIUS);
        ctx.fillStyle = "rgba(217, 95, 2, 0.15)";
        ctx.fillRect(frame.x, y0, frame.w, y1 - y0);
        ctx.strokeStyle = "#d95f02";
        ctx.lineWidth = 1.5;
        ctx.strokeRect(frame.x + 0.75, y0 + 0.75, frame.w - 1.5, Math.max(1, y1 - y0 - 1.5));
      });
    }
    if (!selection) { return; }
    var x0 = this.kmX(selection.fromKm), x1 = this.kmX(selection.toKm);
    this.frame.bands.forEach(function (band) {
      var y0 = Math.max(band.y, self.dayY(band, selection.fromDay));
      var y1 = Math.min(band.y + band.h, self.dayY(band, selection.toDay + 1));
      if (y1 <= y0) { return; }
      ctx.fillStyle = "rgba(30, 90, 160, 0.12)";
      ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
      ctx.strokeStyle = "#1e5aa0";
      ctx.lineWidth = 1.5;
      ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
    });
  };

  /* The km and day under a point of the strip, in the band it lies in (clamped to it). */
  PanjStrip.prototype.at = function (x, y, band) {
    var d = this.data, frame = this.frame;
    var km = Math.min(d.lengthKm, Math.max(0, ((x - frame.x) / frame.w) * d.lengthKm));
    var inset = RADIUS + 2, share = Math.min(1, Math.max(0, (y - band.y - inset) / (band.h - 2 * inset)));
    return { km: km, day: Math.floor(d.dayFrom + share * (d.dayTo - d.dayFrom)) };
  };

  PanjStrip.prototype._bandAt = function (y) {
    var bands = this.frame ? this.frame.bands : [];
    for (var i = 0; i < bands.length; i++) { if (y >= bands[i].y && y <= bands[i].y + bands[i].h) { return bands[i]; } }
    return null;
  };

  PanjStrip.prototype._bindBrush = function () {
    var self = this, layer = this.brushLayer, start = null;
    function point(event) {
      var box = layer.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }
    function rectangle(a, b) {
      var from = self.at(Math.min(a.x, b.x), Math.min(a.y, b.y), start.band);
      var to = self.at(Math.max(a.x, b.x), Math.max(a.y, b.y), start.band);
      return { fromKm: Math.round(from.km), toKm: Math.round(to.km), fromDay: from.day, toDay: to.day };
    }
    layer.addEventListener("pointerdown", function (event) {
      if (!self.data || event.button !== 0) { return; }
      var at = point(event), band = self._bandAt(at.y);
      if (!band) { return; }
      start = { x: at.x, y: at.y, band: band };
      layer.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    layer.addEventListener("pointermove", function (event) {
      if (!start) { return; }
      self._drawOverlay(rectangle(start, point(event)));
    });
    function finish(event, cancelled) {
      if (!start) { return; }
      var end = point(event), from = start;
      var moved = Math.abs(end.x - from.x) >= MIN_BRUSH || Math.abs(end.y - from.y) >= MIN_BRUSH;
      var chosen = moved && !cancelled ? rectangle(from, end) : null;
      start = null;
      self._drawOverlay(chosen || self.data.selection);
      if (chosen) { self.onBrush(chosen); }
    }
    layer.addEventListener("pointerup", function (event) { finish(event, false); });
    layer.addEventListener("pointercancel", function (event) { finish(event, true); });
  };

  /* Days since 1970 as the page's date text (YYYY-MM-DD). */
  PanjStrip.dayText = function (day) { return new Date(day * DAY_MS).toISOString().slice(0, 10); };

  window.PanjStrip = PanjStrip;
})();
