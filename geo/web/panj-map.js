/* Panj map runtime: event symbols on canvas, layer and basemap switching, legend, highlight.
 *
 * geo/mapview.py emits small calls into this file; it is served from /app/static/vendor/panj/
 * (copied there by geo/assets.py). State the browser tests and the PNG exporter read lives on
 * window.panjMap: {ready, eventsDrawn, layers: {id: {visible, features}}, basemap, highlight}.
 */
(function () {
  "use strict";

  var ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) {
      return ESCAPES[c];
    });
  }

  /* Path of a symbol centred on (x, y) with "radius" r; one function for map and legend. */
  function tracePath(ctx, shape, x, y, r) {
    var i, a, k;
    ctx.beginPath();
    switch (shape) {
      case "square":
        k = r * 0.85;
        ctx.rect(x - k, y - k, 2 * k, 2 * k);
        break;
      case "diamond":
        k = r * 1.2;
        ctx.moveTo(x, y - k); ctx.lineTo(x + k, y); ctx.lineTo(x, y + k); ctx.lineTo(x - k, y);
        ctx.closePath();
        break;
      case "triangle":
        k = r * 1.2;
        ctx.moveTo(x, y - k); ctx.lineTo(x + k * 0.95, y + k * 0.65); ctx.lineTo(x - k * 0.95, y + k * 0.65);
        ctx.closePath();
        break;
      case "star":
        for (i = 0; i < 10; i++) {
          a = -Math.PI / 2 + (i * Math.PI) / 5;
          k = i % 2 === 0 ? r * 1.3 : r * 0.55;
          if (i === 0) { ctx.moveTo(x + k * Math.cos(a), y + k * Math.sin(a)); }
          else { ctx.lineTo(x + k * Math.cos(a), y + k * Math.sin(a)); }
        }
        ctx.closePath();
        break;
      case "cross":
        k = r * 0.38;
        ctx.moveTo(x - k, y - r); ctx.lineTo(x + k, y - r); ctx.lineTo(x + k, y - k); ctx.lineTo(x + r, y - k);
        ctx.lineTo(x + r, y + k); ctx.lineTo(x + k, y + k); ctx.lineTo(x + k, y + r); ctx.lineTo(x - k, y + r);
        ctx.lineTo(x - k, y + k); ctx.lineTo(x - r, y + k); ctx.lineTo(x - r, y - k); ctx.lineTo(x - k, y - k);
        ctx.closePath();
        break;
      default:
        ctx.arc(x, y, r, 0, Math.PI * 2, false);
    }
  }

  /* A CircleMarker (same hit test, same canvas batching) that draws its event type's shape. */
  var Symbol_ = L.CircleMarker.extend({
    options: { shape: "circle" },
    _updatePath: function () {
      var renderer = this._renderer;
      if (!(renderer instanceof L.Canvas) || this.options.shape === "circle") {
        return L.CircleMarker.prototype._updatePath.call(this);
      }
      if (!renderer._drawing || this._empty()) { return; }
      tracePath(renderer._ctx, this.options.shape, this._point.x, this._point.y, Math.max(Math.round(this._radius), 1));
      renderer._fillStroke(renderer._ctx, this);
    }
  });

  function PanjMap(map, config) {
    this.map = map;
    this.ready = false;
    this.eventsDrawn = 0;
    this.layers = {};
    this.basemap = "none";
    this.highlight = null;
    this.tilesLoading = false;
    this._layerOrder = [];
    this._leafletLayers = {};
    this._basemaps = {};
    this._attributions = {};
    this._attribution = null;
    this._lastFit = null;
    this._lastHighlight = null;
    map.createPane("panjEvents").style.zIndex = 450;  // above the vector layers, below tooltips
    this.svg = L.svg();
    this.canvas = L.canvas({ pane: "panjEvents", padding: 0.2 });
    this.home = config.home;  // [[south, west], [north, east]]
    map.fitBounds(this.home);
  }

  PanjMap.prototype.registerBasemap = function (id, tileLayer) {
    var self = this;
    this._basemaps[id] = tileLayer;
    tileLayer.on("loading", function () { self.tilesLoading = true; });
    tileLayer.on("load", function () { self.tilesLoading = false; });
  };

  PanjMap.prototype.setBasemap = function (id) {
    var id_ = this._basemaps[id] ? id : "none";
    if (id_ === this.basemap) { return; }
    if (this._basemaps[this.basemap]) { this.map.removeLayer(this._basemaps[this.basemap]); }
    if (this._basemaps[id_]) { this._basemaps[id_].addTo(this.map); }
    this.basemap = id_;
  };

  /* One manifest layer: SVG paths with class panj-layer-<id>, escaped tooltips, its attribution. */
  PanjMap.prototype.addVectorLayer = function (spec, data) {
    var self = this, style = L.extend({}, spec.style, { className: "panj-layer panj-layer-" + spec.id });
    var layer = L.geoJSON(data, {
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
    this._leafletLayers[spec.id] = layer;
    this._attributions[spec.id] = spec.attribution;
    this._layerOrder.push(spec.id);
    this.layers[spec.id] = { visible: false, features: data.features.length, title: spec.title };
  };

  /* Show exactly these layers, keeping the manifest's drawing order. */
  PanjMap.prototype.setLayers = function (ids) {
    var self = this, wanted = {};
    ids.forEach(function (id) { wanted[id] = true; });
    this._layerOrder.forEach(function (id) {
      var layer = self._leafletLayers[id], on = wanted[id] === true;
      if (on && !self.map.hasLayer(layer)) { layer.addTo(self.map); }
      if (!on && self.map.hasLayer(layer)) { self.map.removeLayer(layer); }
      self.layers[id].visible = on;
    });
    this._layerOrder.forEach(function (id) { if (wanted[id]) { self._leafletLayers[id].bringToFront(); } });
    this._legendShow("data-panj-legend-layer", wanted);
    this._updateAttribution(ids);
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

  /* The events: one symbol per event on the shared canvas, area extents or halos for places
   * known only to a district/province/region/country, one tooltip and popup bound to the group. */
  PanjMap.prototype.drawEvents = function (group, data, vocabulary, highlight) {
    var self = this, extents = L.featureGroup(), markers = L.featureGroup(), drawnExtents = {};
    var actorsPresent = {}, typesPresent = {}, highlighted = null;
    data.features.forEach(function (feature) {
      var p = feature.properties, c = feature.geometry.coordinates, latlng = L.latLng(c[1], c[0]);
      var actor = vocabulary.actors[p.actors[0]] || { colour: "#666666" };
      var type = vocabulary.event_types[p.type] || { symbol: "circle" };
      var approximate = p.extent !== undefined || p.halo_m !== undefined;
      p.actors.forEach(function (id) { actorsPresent[id] = true; });
      typesPresent[p.type] = true;
      if (p.extent !== undefined && !drawnExtents[p.extent]) {
        drawnExtents[p.extent] = true;
        extents.addLayer(L.geoJSON(data.extents[p.extent], {
          renderer: self.canvas, interactive: false,
          style: { color: actor.colour, weight: 1.5, dashArray: "4 4", fillColor: actor.colour, fillOpacity: 0.06 }
        }));
      }
      if (p.halo_m !== undefined) {
        extents.addLayer(L.circle(latlng, {
          renderer: self.canvas, interactive: false, radius: p.halo_m,
          color: actor.colour, weight: 1.5, dashArray: "4 4", fillColor: actor.colour, fillOpacity: 0.06
        }));
      }
      var marker = new Symbol_(latlng, {
        renderer: self.canvas, shape: type.symbol, radius: 6, color: approximate ? actor.colour : "#ffffff",
        weight: approximate ? 2 : 1, fillColor: actor.colour, fillOpacity: approximate ? 0.25 : 0.9
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
    group.addLayer(extents);
    group.addLayer(markers);
    this._legendShow("data-panj-legend-actor", actorsPresent);
    this._legendShow("data-panj-legend-type", typesPresent);
    this.eventsDrawn = data.features.length;
    this.highlight = highlighted === null ? null : highlight;
    if (highlighted !== null && this._lastHighlight !== highlight) {
      this._bringIntoView(highlighted.panjEvent, data.extents);
    }
    this._lastHighlight = this.highlight;
  };

  PanjMap.prototype._bringIntoView = function (feature, extents) {
    var c = feature.geometry.coordinates, p = feature.properties;
    if (p.extent !== undefined) {
      this.map.fitBounds(L.geoJSON(extents[p.extent]).getBounds(), { maxZoom: 9, padding: [20, 20] });
    } else {
      this.map.setView([c[1], c[0]], Math.max(this.map.getZoom(), 8));
    }
  };

  /* Fit the map to [[south, west], [north, east]] once per distinct request. */
  PanjMap.prototype.fit = function (bounds) {
    var key = bounds === null ? null : JSON.stringify(bounds);
    if (key !== null && key !== this._lastFit) { this.map.fitBounds(bounds, { maxZoom: 10, padding: [20, 20] }); }
    this._lastFit = key;
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
   * same path function as the map; on narrow windows it starts collapsed behind its button. */
  PanjMap.prototype.initLegend = function () {
    var element = document.getElementById("panj-legend");
    if (!element) { return; }
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () { return element; };
    control.addTo(this.map);
    L.DomEvent.disableClickPropagation(element);
    L.DomEvent.disableScrollPropagation(element);
    element.querySelector(".panj-legend-toggle").addEventListener("click", function () {
      var open = element.classList.toggle("panj-legend-open");
      this.setAttribute("aria-expanded", String(open));
    });
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
  window.panjEscape = esc;
})();
