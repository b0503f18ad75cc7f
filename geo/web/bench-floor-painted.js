// The app benchmark's check once its floor page's map is laid out (geo.bench.app): two animation
// frames in the map's frame, so its first frame has been painted; false when no frame holds it.
async () => {
  for (const frame of document.querySelectorAll('iframe')) {
    let map = null;
    try { map = frame.contentDocument.querySelector('.leaflet-container'); } catch (error) { continue; }
    if (map && map.clientHeight > 0) {
      const view = frame.contentWindow;
      await new Promise(done => view.requestAnimationFrame(() => view.requestAnimationFrame(done)));
      return true;
    }
  }
  return false;
}
