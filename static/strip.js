/* The frontier strip on the page (an st.components.v2 component, ui/strip_panel.py): drawn by
 * window.PanjStrip (geo/web/panj-strip.js, loaded before this file) from the map's own data in the
 * map's frame (window.panjMap.shownEvents(): the events file and the rows the last update's mask
 * or terms show; window.PanjShared: the symbols and the dates file) and the strip's column file published
 * beside them (geo.strip.STRIP_FILE), so a filter change redraws it without a rebuild. The map tells
 * the page once it has drawn an update whole (the page's "panj-map-shown" event): the strip shares the map frame's
 * thread, and a million events drawn here first would hold the map's outlines back. A brush sends its km and days to
 * the server (the "brush" trigger), which sets the km range along the frontier and From/To.
 * window.panjStrip reports what was drawn ({update, events, symbols, days: the time axis's first and
 * last day, in days since 1970}) for the tests. While the map's playback is on, its current period
 * is marked across the strip (static/playback.js tells each state through panjStripPlaybackChanged).
 */
function mapWindow() {
  const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  try {
    return frame && frame.contentWindow && frame.contentWindow.panjMap && frame.contentWindow.PanjShared
      ? frame.contentWindow : null;
  } catch (error) {
    return null;  // a frame of another origin
  }
}

const DAY_MS = 86400000;

/* A playback state's period ({first, last} ISO days: panj-map.js, Playback.state) in days since 1970. */
function periodOf(state) {
  return state && state.on && state.first
    ? { fromDay: Date.parse(state.first) / DAY_MS, toDay: Date.parse(state.last) / DAY_MS } : null;
}

const stripFiles = {};  // URL -> promise of {along, km, side}

function loadStrip(url, count) {
  if (!stripFiles[url]) {
    stripFiles[url] = fetch(url, { credentials: "same-origin" }).then((response) => {
      if (!response.ok) { throw new Error(`strip: ${url} answered HTTP ${response.status}`); }
      return new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
    }).then((buffer) => ({
      along: new Float32Array(buffer, 0, count),
      km: new Float32Array(buffer, count * 4, count),
      side: new Uint8Array(buffer, count * 8, count),
    })).catch((error) => {
      delete stripFiles[url];
      throw error;
    });
  }
  return stripFiles[url];
}

/* The map's style codes as symbol looks, once per events file and vocabulary. */
function looksOf(control, shown, shared) {
  const key = shown.data.url + JSON.stringify(shown.vocabulary);
  if (control.looksKey !== key) {
    control.looksKey = key;
    control.looks = shown.data.header.styles.map((style) => shared.styleLook(style, shown.vocabulary));
  }
  return control.looks;
}

function redraw() {
  const control = window.panjStripControl, map = mapWindow();
  if (!control || !map) { return; }
  const shown = map.panjMap.shownEvents();
  if (!shown) { return; }
  const data = shown.data, folder = data.url.slice(0, data.url.lastIndexOf("/") + 1), drawing = ++control.drawing;
  const asked = control.data;
  Promise.all([loadStrip(`${folder}strip.bin.gz`, data.count), map.PanjShared.loadDates(`${folder}dates.bin.gz`, data.count)])
    .then(([columns, dates]) => {
      if (drawing !== control.drawing) { return; }  // a newer drawing was asked for meanwhile
      // The strip's distance (geo.strip.strip_mask): the page's "within km" filter has already
      // kept only these rows when it is set; otherwise the strip's default keeps them here.
      const within = asked.withinKm, rows = shown.rows, kept = new Int32Array(rows.length);
      let n = 0;
      for (let i = 0; i < rows.length; i++) { if (columns.km[rows[i]] <= within) { kept[n++] = rows[i]; } }
      control.strip.shared = map.PanjShared;
      control.strip.setData({
        lengthKm: asked.lengthKm, places: asked.places, sides: asked.sides, looks: looksOf(control, shown, map.PanjShared),
        along: columns.along, side: columns.side, day: dates.first, look: data.style, rows: kept.subarray(0, n),
        dayFrom: asked.dayFrom, dayTo: asked.dayTo, selection: asked.selection, height: asked.height,
      });
      control.strip.setPeriod(periodOf(map.panjMap.playback ? map.panjMap.playback.state() : null));
      const drawn = control.strip.drawn;
      control.root.querySelector(".panj-strip-count").textContent = drawn.events === 1
        ? "1 event drawn" : `${drawn.events} events drawn`;
      window.panjStrip = { update: shown.update, events: drawn.events, symbols: drawn.symbols, error: null,
                           days: [asked.dayFrom, asked.dayTo] };
    }).catch((error) => {
      window.panjStrip = { update: shown.update, events: 0, symbols: 0, error: String(error) };
      control.root.querySelector(".panj-strip-count").textContent = `The strip could not be drawn: ${error.message}`;
    });
}

export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  const root = parentElement.querySelector(".panj-strip");
  let control = window.panjStripControl;
  if (!control || control.root !== root) {
    control = window.panjStripControl = { root: root, drawing: 0, looksKey: null, looks: [] };
    control.strip = new window.PanjStrip(root.querySelector(".panj-strip-plot"), {
      shared: null,
      onBrush: (brush) => { window.panjStripControl.setTriggerValue("brush", brush); },
    });
    let width = root.clientWidth;
    new ResizeObserver(() => {
      if (root.clientWidth !== width) { width = root.clientWidth; redraw(); }
    }).observe(root);
  }
  control.data = data;
  control.setTriggerValue = setTriggerValue;
  if (!window.panjStripListening) {  // once per page: the module's redraw reads the control of the day
    window.panjStripListening = true;
    window.addEventListener("panj-map-shown", redraw);
  }
  window.panjStripPlaybackChanged = (state) => { window.panjStripControl.strip.setPeriod(periodOf(state)); };
  redraw();
}
