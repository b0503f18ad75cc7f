// The map benchmark's init script (geo.bench.maps): runs before the page's own scripts and records
// performance.now() once the frame with the drawing is painted. The naive map: two animation
// frames after the document's load event (the second frame's callback runs once the first frame,
// with the drawing, is painted). Panj's map sets its own flags once the frame with the drawing is
// made (window.panjMap.symbolsReady, right after that frame: every event's symbol; ready, two frames
// after drawing: everything, layers, area outlines and names too), so the frame in which a flag is
// first seen is recorded: painted for symbolsReady, settled for ready. The naive map draws
// everything at once: its settled is its painted. The benchmark writes the map's kind, "naive" or
// "panj", as a JSON string in place of the upper-case name below.
(() => {
  const bench = window.__panjBench = {impl: IMPL, painted: null, settled: null, error: null};
  const twoFrames = (done) => requestAnimationFrame(() => requestAnimationFrame(done));
  if (bench.impl === "naive") {
    window.addEventListener("load", () => twoFrames(() => { bench.painted = bench.settled = performance.now(); }));
    return;
  }
  const poll = () => {
    const panj = window.panjMap;
    if (panj && panj.error) { bench.error = String(panj.error); return; }
    if (panj && panj.symbolsReady && bench.painted === null) { bench.painted = performance.now(); }
    if (panj && panj.ready && bench.settled === null) { bench.settled = performance.now(); }
    if (bench.painted === null || bench.settled === null) { requestAnimationFrame(poll); }
  };
  requestAnimationFrame(poll);
})();
