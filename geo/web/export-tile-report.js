// Evaluated by the exporter once the tiles have settled or timed out: each tile layer on the map,
// with its URL template and how many tiles loaded, failed or are still loading.
() => window.__panjExport.tileLayers
  .filter(r => r.layer._map)
  .map(r => ({ url: r.url, loaded: r.loaded, failed: r.failed, loading: r.layer.isLoading() }))
