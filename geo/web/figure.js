// The exported figure's script (geo.figure.FigurePage), placed in the figure's page after the map is
// created and called there as panjFigureSetup(map, {pt, legendPt, minPt, northArrow, width, height}).
// It moves the legend into the panel, puts the north arrow and scale bar in one box on the map, and
// sets window.panjFigure: finish(tiles), which the exporter calls once the map and its tiles are
// drawn, and measure(), every part's box for the exporter's report and the tests.
window.panjFigureSetup = function (map, options) {
  var PT = options.pt, LEGEND_PT = options.legendPt, MIN_PT = options.minPt;
  var CORNERS = ["bottomleft", "bottomright", "topleft", "topright"];
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

  function fitLegend() {
    if (!legend) { return true; }
    var columnsMax = Math.max(1, Math.floor(legendSlot.clientWidth / (PT * 80)));
    for (var size = LEGEND_PT; size >= MIN_PT - 1e-6; size -= 0.5) {
      for (var columns = 1; columns <= columnsMax; columns += 1) {
        legend.style.fontSize = (size * PT) + "px";
        legend.style.columnCount = String(columns);
        if (legend.scrollHeight <= legendSlot.clientHeight + 0.5 && legend.scrollWidth <= legendSlot.clientWidth + 0.5) {
          return true;
        }
      }
    }
    return false;  // the panel clips it (never past the figure); the exporter warns
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

  function placeFurniture() {
    var frame = map.getContainer().getBoundingClientRect(), around = obstacles();
    for (var i = 0; i < CORNERS.length; i += 1) {
      furniture.setPosition(CORNERS[i]);
      var r = box.getBoundingClientRect();
      var left = r.left - frame.left, top = r.top - frame.top, right = r.right - frame.left, bottom = r.bottom - frame.top;
      var covered = around.some(function (o) {
        return o.x + o.r > left && o.x - o.r < right && o.y + o.r > top && o.y - o.r < bottom;
      });
      if (!covered) { return CORNERS[i]; }
    }
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
      var legendFits = fitLegend();
      var where = placeFurniture();
      map.fire("moveend");  // the names are laid out again, clear of the furniture where it now is
      return {legendFits: legendFits, furniture: where, basemapCredited: Boolean(credit && drawn)};
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
        legendRows: Array.prototype.filter.call(document.querySelectorAll("#panj-figure-legend .panj-legend-item"), function (row) {
          return !row.hidden;
        }).map(function (row) { return row.textContent.trim(); }),
        sourcesText: document.getElementById("panj-figure-sources").innerText,
        bounds: [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      };
    }
  };
};
