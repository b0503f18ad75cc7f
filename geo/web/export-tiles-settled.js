// Waited for by the exporter: every tile layer is settled, off the map or done loading (Leaflet has
// fired its `load`, so isLoading() is false).
() => window.__panjExport.tileLayers.every(r => !r.layer._map || !r.layer.isLoading())
