// The frontier strip figure's script (geo.stripfigure): reads the figure's data (the JSON element
// panj-strip-data, geo.strip.figure_data), draws the legend's symbols and the strip with the map's
// own symbol code (window.PanjShared, geo/web/panj-map.js) and window.PanjStrip
// (geo/web/panj-strip.js), then sets window.panjMap.ready, which the exporter waits for, and
// window.panjStripFigure, what was drawn ({events, symbols, places}).
(function () {
  var data = JSON.parse(document.getElementById("panj-strip-data").textContent);
  var options = window.panjStripFigureOptions, shared = window.PanjShared, pt = options.pt;
  var GREY = "#777777";
  window.panjMap = { ready: false, error: null };
  var looks = data.styles.map(function (style) { return shared.styleLook(style, data.vocabulary); });
  var count = data.events.side.length, rows = new Int32Array(count);
  for (var i = 0; i < count; i++) { rows[i] = i; }
  var legend = document.getElementById("panj-strip-legend");

  function swatch(look) {
    var canvas = document.createElement("canvas"), radius = Math.round(14 * pt * 1.4) * 0.3, ratio = window.devicePixelRatio || 1;
    var size = Math.ceil(2 * shared.symbolReach(radius));  // the symbol with its dark edge
    canvas.width = Math.round(size * ratio);
    canvas.height = Math.round(size * ratio);
    canvas.style.width = size + "px";
    canvas.style.height = size + "px";
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    shared.drawSymbol(ctx, size / 2, size / 2, radius, look);
    return canvas;
  }

  function section(heading, entries) {
    if (!entries.length) { return; }
    var row = document.createElement("div"), title = document.createElement("strong");
    title.textContent = heading;
    row.appendChild(title);
    entries.forEach(function (entry) {
      var item = document.createElement("span");
      item.appendChild(swatch(entry.look));
      item.appendChild(document.createTextNode(entry.name));
      row.appendChild(item);
    });
    legend.appendChild(row);
  }

  section("Actors", data.legend.actors.map(function (id) {
    var actor = data.vocabulary.actors[id];
    return { name: actor.name, look: { shape: "circle", actorColours: [actor.colour] } };
  }));
  section("Event types", data.legend.types.map(function (id) {
    var type = data.vocabulary.event_types[id];
    return { name: type.name, look: { shape: type.symbol, actorColours: [GREY] } };
  }));
  var kinds = [];
  if (data.legend.approximate) {
    kinds.push({ name: "Place known only roughly", look: { shape: "circle", actorColours: [GREY], approximate: true } });
  }
  if (data.legend.planned) {
    kinds.push({ name: "Planned or announced", look: { shape: "circle", actorColours: [GREY], hollow: true } });
  }
  section("Symbols", kinds);

  var container = document.getElementById("panj-strip");
  var drawing = new window.PanjStrip(container, { shared: shared, fontPx: options.fontPx });
  drawing.setData({
    lengthKm: data.lengthKm, places: data.places, sides: data.sides, looks: looks,
    along: data.events.along, side: data.events.side, day: data.events.day, look: data.events.style,
    rows: rows, dayFrom: data.dayFrom, dayTo: data.dayTo, selection: null, height: container.clientHeight
  });
  window.panjStripFigure = {
    events: drawing.drawn.events, symbols: drawing.drawn.symbols,
    places: data.places.map(function (place) { return place.name; })
  };
  window.panjMap.ready = true;
})();
