// The exported figure's script (geo.figure.FigurePage), placed in the figure's page after the map is
// created and called there as panjFigureSetup(map, {pt, legendPt, minPt, northArrow, width, height, panelSide}).
// It moves the legend into the panel, puts the north arrow and scale bar in one box on the map, and
// sets window.panjFigure: finish(tiles), which the exporter calls once the map and its tiles are
// drawn (it fits the legend to its slot: columns, smaller type, the locator moved onto the map,
// then the last actors left out with a row saying how many), and measure(), every part's box (each
// legend row's too) for the exporter's report and the tests.
window.panjFigureSetup = function (map, options) {
  var PT = options.pt, LEGEND_PT = options.legendPt, MIN_PT = options.minPt;
  var CORNERS = ["bottomleft", "bottomright", "topleft", "topright"];
  var SIDE_SOURCES_ONLY = "24%";  // of a panel under the map: the sources line without the locator (34% with it)
  var SYMBOL_CLEARANCE = 17;  // px around an event group's centre: its widest symbol (15) and outline
  var legend = document.getElementById("panj-legend");
  var legendSlot = document.getElementById("panj-figure-legend");
  if (legend) { legendSlot.appendChild(legend); }  // out of the map, into the panel
  var box = L.DomUtil.create("div", "panj-map-furniture panj-figure-text");
  box.innerHTML = options.northArrow;
  var furniture = L.control({position: CORNERS[0]});
  furniture.onAdd = function () { return box; };
  furniture.addTo(map);
  var scale = L.control.scale({metric: true, imperial: false, maxWidth: Math.round(Math.min(map.getSize().x * 0.25, PT * 110))}).addTo(map);
  scale.getContainer().classList.add("panj-scale");
  box.appendChild(scale.getContainer());

  var fitted = {locatorMoved: false, actorsLeftOut: 0, more: null};  // what fitting the legend has done so far

  function legendFitsSlot() {
    return legend.scrollHeight <= legendSlot.clientHeight + 0.5 && legend.scrollWidth <= legendSlot.clientWidth + 0.5;
  }

  // The first type size (from LEGEND_PT down to MIN_PT) and column count at which the legend fits
  // its slot; more columns are tried before smaller type.
  function fitSizes() {
    var columnsMax = Math.max(1, Math.floor(legendSlot.clientWidth / (PT * 80)));
    for (var size = LEGEND_PT; size >= MIN_PT - 1e-6; size -= 0.5) {
      for (var columns = 1; columns <= columnsMax; columns += 1) {
        legend.style.fontSize = (size * PT) + "px";
        legend.style.columnCount = String(columns);
        if (legendFitsSlot()) { return true; }
      }
    }
    return false;
  }

  // The locator leaves the panel for a corner of the map no event or point symbol is under, a
  // quarter of the map's width, so the legend has the panel's height (beside the map) or more of
  // its width (under the map: the side column then holds only the sources, narrower); false when
  // no corner is free.
  function moveLocator() {
    var inset = document.getElementById("panj-figure-locator");
    if (!inset) { return false; }
    var side = legendSlot.parentNode.querySelector(".panj-figure-side");
    var holder = L.DomUtil.create("div", "panj-map-locator");
    holder.style.width = Math.round(Math.min(map.getSize().x * 0.25, legendSlot.clientWidth)) + "px";
    var control = L.control({position: CORNERS[0]});
    control.onAdd = function () { return holder; };
    control.addTo(map);
    holder.appendChild(inset);
    if (freeCorner(control, holder)) {
      if (options.panelSide === "bottom") { side.style.flexBasis = SIDE_SOURCES_ONLY; }
      return true;
    }
    side.insertBefore(inset, side.querySelector("#panj-figure-furniture"));
    control.remove();
    return false;
  }

  // The last actor rows (of those the runtime shows) give way to one row saying how many are left
  // out, as few as the legend needs to fit; every actor row comes back when even that is not enough.
  function leaveOutActors() {
    var actors = Array.prototype.filter.call(legend.querySelectorAll(".panj-legend-item[data-panj-legend-actor]"), function (row) {
      return !row.hidden || row.hasAttribute("data-panj-left-out");
    });
    if (!actors.length) { return false; }
    if (!fitted.more) {
      fitted.more = document.createElement("div");
      fitted.more.className = "panj-legend-item panj-legend-more";
      actors[actors.length - 1].after(fitted.more);
    }
    for (var left = fitted.actorsLeftOut + 1; left <= actors.length; left += 1) {
      actors[actors.length - left].hidden = true;
      actors[actors.length - left].setAttribute("data-panj-left-out", "");
      fitted.more.textContent = "and " + left + " more actor" + (left === 1 ? "" : "s");
      if (fitSizes()) {
        fitted.actorsLeftOut = left;
        return true;
      }
    }
    actors.forEach(function (row) { row.hidden = false; row.removeAttribute("data-panj-left-out"); });
    fitted.more.remove();
    fitted.more = null;
    fitted.actorsLeftOut = 0;
    return false;
  }

  // Larger type and fewer columns first; then the locator moves to the map; then actors are left
  // out. Called again when the slot has shrunk since (the furniture went to the panel), it goes on
  // from where it stopped. False when the legend does not fit: the panel clips it (never past the
  // figure) and the exporter warns.
  function fitLegend() {
    if (!legend || fitSizes()) { return true; }
    if (!fitted.locatorMoved && !fitted.actorsLeftOut) {
      fitted.locatorMoved = moveLocator();
      if (fitted.locatorMoved && fitSizes()) { return true; }
    }
    return leaveOutActors() || fitSizes();
  }

  function obstacles() {
    var frame = map.getContainer().getBoundingClientRect(), found = [];
    (window.panjMap.groups ? window.panjMap.groups() : []).forEach(function (group) {
      found.push({x: group.x, y: group.y, r: SYMBOL_CLEARANCE});
    });
    // The point layers' symbols (places, posts) are small SVG paths.
    Array.prototype.forEach.call(map.getContainer().querySelectorAll("path.panj-layer"), function (path) {
      var r = path.getBoundingClientRect();
      if (r.width > 0 && r.width < 40 && r.height < 40) {
        found.push({x: (r.left + r.right) / 2 - frame.left, y: (r.top + r.bottom) / 2 - frame.top, r: r.width / 2 + 2});
      }
    });
    return found;
  }

  // The first map corner where `element`, as the Leaflet control `control`, covers no event or
  // point symbol (its control is left there), or null.
  function freeCorner(control, element) {
    var frame = map.getContainer().getBoundingClientRect(), around = obstacles();
    for (var i = 0; i < CORNERS.length; i += 1) {
      control.setPosition(CORNERS[i]);
      var r = element.getBoundingClientRect();
      var left = r.left - frame.left, top = r.top - frame.top, right = r.right - frame.left, bottom = r.bottom - frame.top;
      var covered = around.some(function (o) {
        return o.x + o.r > left && o.x - o.r < right && o.y + o.r > top && o.y - o.r < bottom;
      });
      if (!covered) { return CORNERS[i]; }
    }
    return null;
  }

  function placeFurniture() {
    var corner = freeCorner(furniture, box);
    if (corner) { return corner; }
    document.getElementById("panj-figure-furniture").appendChild(box);
    return "panel";
  }

  function rect(element) {
    if (!element || element.hidden) { return null; }
    var r = element.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
  }

  window.panjFigure = {
    finish: function (tiles) {
      var drawn = (tiles || []).some(function (layer) { return layer.loaded > 0; });
      var credit = document.querySelector("[data-panj-credit=basemap]");
      if (credit && !drawn) { credit.remove(); }
      var fits = fitLegend();
      var where = placeFurniture();
      if (where === "panel") { fits = fitLegend(); }  // the furniture took some of the legend's room
      map.fire("moveend");  // the names are laid out again, clear of the furniture where it now is
      return {legendFits: fits, locatorOnMap: fitted.locatorMoved, actorsLeftOut: fitted.actorsLeftOut,
              furniture: where, basemapCredited: Boolean(credit && drawn)};
    },
    measure: function () {
      var frame = map.getContainer().getBoundingClientRect(), bounds = map.getBounds();
      return {
        figure: {left: 0, top: 0, right: options.width, bottom: options.height},
        frame: rect(map.getContainer()),
        title: rect(document.getElementById("panj-figure-title")),
        panel: rect(document.getElementById("panj-figure-panel")),
        legend: rect(legend),
        legendSlot: rect(legendSlot),
        sources: rect(document.getElementById("panj-figure-sources")),
        locator: rect(document.getElementById("panj-figure-locator")),
        caption: rect(document.getElementById("panj-figure-caption")),
        scaleBar: rect(scale.getContainer()),
        northArrow: rect(box.querySelector(".panj-north")),
        labels: (window.panjMap.labels ? window.panjMap.labels() : []).map(function (label) {
          return {text: label.text, box: label.box};
        }),
        events: (window.panjMap.groups ? window.panjMap.groups() : []).map(function (group) {
          return {x: frame.left + group.x, y: frame.top + group.y, count: group.ids.length};
        }),
        legendItems: Array.prototype.filter.call(document.querySelectorAll("#panj-figure-legend h4, #panj-figure-legend .panj-legend-item"), function (row) {
          return !row.hidden && row.getClientRects().length > 0;
        }).map(function (row) { return {text: row.textContent.trim(), box: rect(row)}; }),
        legendRows: Array.prototype.filter.call(document.querySelectorAll("#panj-figure-legend .panj-legend-item"), function (row) {
          return !row.hidden;
        }).map(function (row) { return row.textContent.trim(); }),
        sourcesText: document.getElementById("panj-figure-sources").innerText,
        bounds: [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      };
    }
  };
};
