// The exporter's init script (geo.export.Renderer): runs before any page script. It catches Leaflet
// as it is assigned to window.L so that every map is created without fade or zoom animations (a
// capture mid-fade shows half-transparent tiles: Leaflet #7234), and it records each map and each
// tile layer's progress in window.__panjExport for the waits that follow.
(() => {
  const state = { maps: [], tileLayers: [] };
  window.__panjExport = state;
  let leaflet;
  Object.defineProperty(window, "L", {
    configurable: true,
    get() { return leaflet; },
    set(value) {
      leaflet = value;
      if (!value || !value.Map || value.__panjExportHooked) return;
      value.__panjExportHooked = true;
      value.Map.mergeOptions({ fadeAnimation: false, zoomAnimation: false, markerZoomAnimation: false });
      value.Map.addInitHook(function () { state.maps.push(this); });
      value.TileLayer.addInitHook(function () {
        const record = { layer: this, url: this._url, loaded: 0, failed: 0 };
        state.tileLayers.push(record);
        this.on("tileload", () => { record.loaded += 1; });
        this.on("tileerror", () => { record.failed += 1; });
      });
    },
  });
})();
