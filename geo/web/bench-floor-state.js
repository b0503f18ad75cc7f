// The app benchmark's wait for its floor page (geo.bench.app), evaluated in the page's top frame:
// {error} when the page shows an exception, true once a frame holds a Leaflet map laid out to a
// height, else false (keep waiting).
() => {
  const exception = document.querySelector('[data-testid="stException"]');
  if (exception) { return {error: 'exception on the page: ' + exception.innerText.slice(0, 500)}; }
  for (const frame of document.querySelectorAll('iframe')) {
    try {
      const map = frame.contentDocument.querySelector('.leaflet-container');
      if (map && map.clientHeight > 0 && map.querySelector('.leaflet-map-pane')) { return true; }
    } catch (error) { /* another origin's frame: not the map */ }
  }
  return false;
}
