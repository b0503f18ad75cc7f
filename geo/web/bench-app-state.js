// The app benchmark's wait (geo.bench.app), evaluated in the page's top frame on every animation
// frame. It answers {error} when the page shows an exception or the map an error, {shown, total} once
// the count differs from `before` and a map frame is ready having drawn that many events, else null
// (keep waiting). It reads the sidebar's bold text by textContent, which needs no layout: the whole
// page's innerText, read on every frame, took the page's own thread from the run it measures
// (docs/performance.md, "The benchmark's own wait").
(before) => {
  const exception = document.querySelector('[data-testid="stException"]');
  if (exception) { return {error: 'exception on the page: ' + exception.innerText.slice(0, 500)}; }
  const frames = [...document.querySelectorAll('iframe')];
  for (const frame of frames) {
    try { const map = frame.contentWindow.panjMap; if (map && map.error) { return {error: 'map error: ' + map.error}; } }
    catch (error) { /* another origin's frame: not the map */ }
  }
  let count = null;
  for (const bold of document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stMarkdownContainer"] strong')) {
    count = bold.textContent.match(/^([\d,]+) of ([\d,]+) events/);
    if (count) { break; }
  }
  if (!count) { return null; }
  const shown = Number(count[1].replace(/,/g, '')), total = Number(count[2].replace(/,/g, ''));
  if (shown === before) { return null; }
  for (const frame of frames) {
    try {
      const map = frame.contentWindow.panjMap;
      if (map && map.ready && map.eventsDrawn === shown) { return {shown: shown, total: total}; }
    } catch (error) { /* as above */ }
  }
  return null;
}
