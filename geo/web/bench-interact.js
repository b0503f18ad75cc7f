// The map benchmark's step (geo.bench.maps): one zoom step or one pan, unanimated, until two frames
// after the map has moved and (Panj's map) is ready again; the time lands in window.__panjBench[action]
// in milliseconds. The benchmark writes its pan distance in pixels in place of the upper-case name below.
(action) => {
  const bench = window.__panjBench;
  const map = Object.values(window).find((value) => value instanceof L.Map);
  bench[action] = null;
  const twoFrames = (done) => requestAnimationFrame(() => requestAnimationFrame(done));
  const start = performance.now();
  const settled = () => {
    if (window.panjMap && !window.panjMap.ready) { requestAnimationFrame(settled); return; }
    twoFrames(() => { bench[action] = performance.now() - start; });
  };
  map.once("moveend", () => requestAnimationFrame(settled));
  if (action === "zoom") { map.setZoom(map.getZoom() + 1, {animate: false}); }
  else { map.panBy([PAN_PIXELS, 0], {animate: false}); }
}
