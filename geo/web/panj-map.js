/* Panj map runtime: event symbols on canvas, layer and basemap switching, legend, highlight.
 *
 * geo/mapview.py emits small calls into this file; it is served from /app/static/vendor/panj/
 * (copied there by geo/assets.py). The manifest layers' GeoJSON is fetched from static files
 * (same origin, cacheable) the first time a layer is shown, or the first time an area event needs
 * one of its features' outline (the layer itself may stay hidden). State the browser tests and the
 * PNG exporter read lives on window.panjMap: {ready, error, eventsDrawn, extentsDrawn, layers: {id:
 * {visible, features, title}}, basemap, highlight}; ready is true once the last update's layers are
 * fetched and drawn and its events and their outlines drawn.
 */
(function () {
  "use strict";

  // How an approximate location looks: its area's outline, or a halo around its point.
  function extentStyle(colour) {
    return { color: colour, weight: 1.5, dashArray: "4 4", fillColor: colour, fillOpacity: 0.06 };
  }
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

  /* A CircleMarker (same hit test, same canvas batching) that draws its event type's shape. With
   * several actors (options.actorColours, one colour each, in the event's order) the shape's fill
   * is cut into equal slices, clockwise from the top, one per actor: every actor shows, not only
   * the first. */
  var Symbol_ = L.CircleMarker.extend({
    options: { shape: "circle", actorColours: [] },
    _updatePath: function () {
      var renderer = this._renderer, colours = this.options.actorColours;
      var sliced = colours.length > 1 && this.options.fill;
      if (!(renderer instanceof L.Canvas) || (this.options.shape === "circle" && !sliced)) {
        return L.CircleMarker.prototype._updatePath.call(this);
      }
      if (!renderer._drawing || this._empty()) { return; }
      var ctx = renderer._ctx, x = this._point.x, y = this._point.y, r = Math.max(Math.round(this._radius), 1);
      if (!sliced) {
        tracePath(ctx, this.options.shape, x, y, r);
        renderer._fillStroke(ctx, this);
        return;
      }
      var step = (2 * Math.PI) / colours.length, reach = r * 2;  // past every shape's outline
      ctx.save();
      tracePath(ctx, this.options.shape, x, y, r);
      ctx.clip();
      ctx.globalAlpha = this.options.fillOpacity;
      colours.forEach(function (colour, i) {
        ctx.beginPath();
        ctx.moveTo(x, y);
        ctx.arc(x, y, reach, -Math.PI / 2 + i * step, -Math.PI / 2 + (i + 1) * step, false);
        ctx.closePath();
        ctx.fillStyle = colour;
        ctx.fill();
      });
      ctx.restore();
      tracePath(ctx, this.options.shape, x, y, r);
      renderer._fillStroke(ctx, { options: L.extend({}, this.options, { fill: false }) });
    }
  });

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
    this.svg = L.svg();
    this.extentCanvas = L.canvas({ pane: "panjExtents", padding: 0.2 });
    this.canvas = L.canvas({ pane: "panjEvents", padding: 0.2 });
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
  };

  /* The events: one symbol per event on the shared canvas, one tooltip and popup bound to the
   * group, drawn at once; then, on the canvas below, area outlines (features of the layers' files,
   * data.extents: {place: {layer, feature}}) or halos for places known only to a district,
   * province, region or country. Returns a promise settled once the outlines are drawn (rejected,
   * after drawing what it can, if a layer cannot be fetched). */
  PanjMap.prototype.drawEvents = function (group, data, vocabulary, highlight) {
    var self = this, markers = L.featureGroup(), update = this._update;
    var actorsPresent = {}, typesPresent = {}, highlighted = null;
    function colour(feature) { return (vocabulary.actors[feature.properties.actors[0]] || { colour: "#666666" }).colour; }
    data.features.forEach(function (feature) {
      var p = feature.properties, c = feature.geometry.coordinates, latlng = L.latLng(c[1], c[0]);
      var type = vocabulary.event_types[p.type] || { symbol: "circle" };
      var approximate = p.extent !== undefined || p.halo_m !== undefined;
      p.actors.forEach(function (id) { actorsPresent[id] = true; });
      typesPresent[p.type] = true;
      var marker = new Symbol_(latlng, {
        renderer: self.canvas, shape: type.symbol, radius: 6, color: approximate ? colour(feature) : "#ffffff",
        weight: approximate ? 2 : 1, fillColor: colour(feature), fillOpacity: approximate ? 0.25 : 0.9
      });
      marker.panjEvent = feature;
      if (feature.id === highlight) { highlighted = marker; } else { markers.addLayer(marker); }
    });
    if (highlighted !== null) {
      // Drawn last, so on top; ringed and enlarged.
      highlighted.setRadius(9);
      markers.addLayer(L.circleMarker(highlighted.getLatLng(), {
        renderer: self.canvas, radius: 15, color: "#111111", weight: 3, fill: false, interactive: false
      }));
      markers.addLayer(highlighted);
    }
    markers.bindTooltip(function (layer) { return self._tooltip(layer.panjEvent); }, { sticky: true, className: "panj-tooltip" });
    markers.bindPopup(function (layer) { return self._popup(layer.panjEvent, vocabulary, data.names); }, { maxWidth: 340 });
    group.addLayer(markers);
    this._legendShow("data-panj-legend-actor", actorsPresent);
    this._legendShow("data-panj-legend-type", typesPresent);
    this.eventsDrawn = data.features.length;
    this.extentsDrawn = 0;
    this.highlight = highlighted === null ? null : highlight;
    // A newly highlighted event is brought into view once its outline is known, unless a fit of
    // this update (fit() runs next) asks for another view.
    var reveal = this._reveal = highlighted !== null && this._lastHighlight !== highlight ? highlighted.panjEvent : null;
    this._lastHighlight = this.highlight;

    return this._extentFeatures(data.extents).then(function (found) {
      // Every outline and halo drawn in the events' order, as one group (so overlaps blend alike).
      var extents = L.featureGroup(), drawnPlaces = {}, drawn = 0;
      data.features.forEach(function (feature) {
        var p = feature.properties, c = feature.geometry.coordinates;
        if (p.extent !== undefined && found.features[p.extent]) {
          drawn += 1;
          if (!drawnPlaces[p.extent]) {
            drawnPlaces[p.extent] = true;
            extents.addLayer(L.geoJSON(found.features[p.extent], {
              renderer: self.extentCanvas, interactive: false, style: extentStyle(colour(feature))
            }));
          }
        }
        if (p.halo_m !== undefined) {
          extents.addLayer(L.circle(L.latLng(c[1], c[0]), L.extend(
            { renderer: self.extentCanvas, interactive: false, radius: p.halo_m }, extentStyle(colour(feature)))));
        }
      });
      group.addLayer(extents);
      if (update === self._update) { self.extentsDrawn = drawn; }
      if (reveal !== null && self._reveal === reveal) { self._bringIntoView(reveal, found.features); }
      if (found.error !== null) { throw found.error; }
    });
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

  PanjMap.prototype._tooltip = function (feature) {
    var p = feature.properties;
    return "<strong>" + esc(p.title) + "</strong><br>" + esc(p.date);
  };

  PanjMap.prototype._popup = function (feature, vocabulary, names) {
    var p = feature.properties, rows = [];
    function name(kind, id) { var term = vocabulary[kind][id]; return term ? term.name : id; }
    function row(label, value) {
      if (value !== undefined && value !== null && value !== "") { rows.push("<dt>" + esc(label) + "</dt><dd>" + esc(value) + "</dd>"); }
    }
    row("Date", p.date + " (known to the " + p.precision + (p.basis === "reported" ? "; date reported, not of the event" : "") + ")");
    row("Type", name("event_types", p.type));
    row("Actors", p.actors.map(function (id) { return name("actors", id); }).join(", "));
    row("Place", p.place + " (location known to the " + p.loc + ")");
    var region = [p.province, p.country].filter(Boolean);
    if (p.gbao) { region.push("in GBAO"); }
    if (p.wakhan) { region.push("in the Wakhan corridor"); }
    row("Region", region.join(", "));
    if (p.frontier_km !== undefined) { row("Frontier", p.frontier_km + " km away"); }
    if (p.post !== undefined) { row("Nearest post", (names.post[p.post] || p.post) + ", " + p.post_km + " km"); }
    if (p.usd !== undefined) { row("Amount", "US$ " + Number(p.usd).toLocaleString("en")); }
    if (p.troops !== undefined) { row("Troops", Number(p.troops).toLocaleString("en")); }
    row("Citation", p.doc + ", paragraph " + p.para + "; source: " + p.cited + (p.cited_date ? " (" + p.cited_date + ")" : ""));
    return '<div class="panj-popup"><h4>' + esc(p.title) + "</h4><p>" + esc(p.summary) + "</p><dl>" + rows.join("") + "</dl></div>";
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
      tracePath(ctx, canvas.dataset.shape, size / 2, size / 2, size * 0.3);
      ctx.fillStyle = canvas.dataset.fill; ctx.globalAlpha = Number(canvas.dataset.fillOpacity || 1); ctx.fill();
      ctx.globalAlpha = 1; ctx.strokeStyle = canvas.dataset.stroke; ctx.lineWidth = Number(canvas.dataset.weight || 1);
      if (canvas.dataset.dash) { ctx.setLineDash([2, 2]); }
      ctx.stroke();
    });
  };

  window.PanjMapRuntime = PanjMap;
})();
