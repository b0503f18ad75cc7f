// The soak benchmark's wait (geo.bench.soak), evaluated in the page's top frame. It answers {error}
// when the page shows an exception or the map an error, {total} once the page's count says `total`
// events (any total when `total` is -1) and a map frame is ready having drawn the shown ones, else
// null (keep waiting).
(total) => {
  const exception = document.querySelector('[data-testid="stException"]');
  if (exception) { return {error: 'exception on the page: ' + exception.innerText.slice(0, 500)}; }
  const count = document.body.innerText.match(/([\d,]+) of ([\d,]+) events/);
  if (!count) { return null; }
  const shown = Number(count[1].replace(/,/g, '')), all = Number(count[2].replace(/,/g, ''));
  if (total !== -1 && all !== total) { return null; }
  for (const frame of document.querySelectorAll('iframe')) {
    try {
      const map = frame.contentWindow.panjMap;
      if (map && map.error) { return {error: 'map error: ' + map.error}; }
      if (map && map.ready && map.eventsDrawn === shown) { return {total: all}; }
    } catch (error) { /* another origin's frame: not the map */ }
  }
  return null;
}
