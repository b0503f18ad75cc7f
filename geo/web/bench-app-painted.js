// The app benchmark's check (geo.bench.app) once the map is ready: two animation frames in the
// map's frame, so the frame it drew has been painted; false when no map frame has drawn `shown`.
async (shown) => {
  for (const frame of document.querySelectorAll('iframe')) {
    let map = null;
    try { map = frame.contentWindow.panjMap; } catch (error) { continue; }
    if (map && map.ready && map.eventsDrawn === shown) {
      const view = frame.contentWindow;
      await new Promise(done => view.requestAnimationFrame(() => view.requestAnimationFrame(done)));
      return true;
    }
  }
  return false;
}
