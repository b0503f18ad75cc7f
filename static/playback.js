/* The playback control and the presenter's keys (an st.components.v2 component running in the page).
 *
 * The map's runtime owns the playback (geo/web/panj-map.js, window.panjMap.playback in the map's
 * frame): it chooses each period's events in the browser, so playing reruns nothing. This control
 * drives it, shows its state, keeps it in the page's URL (?play=month&period=2022-05, as
 * geo/pagestate.py writes it) and tells the server where it paused (the "playback" trigger), so
 * the histogram marks that period and a copied link reopens it. In presenter view it also takes
 * the keys a clicker sends, wherever the focus is but a text box (docs/ARCHITECTURE.md, "Playback").
 */
const KEYS = [
  ["PageDown, Right, Space", "next step (next period while a playback is on)"],
  ["PageUp, Left", "previous step"],
  ["Home, End", "first, last step"],
  ["P", "play or pause"],
  ["B or .", "blank the screen to black, and back"],
  ["?", "show or hide these keys"],
];
const PARAMS = ["play", "period", "mode", "fade"];

function mapWindow() {
  const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  try {
    return frame && frame.contentWindow && frame.contentWindow.panjMap ? frame.contentWindow : null;
  } catch (error) {
    return null;  // a frame of another origin
  }
}

function playback() {
  const map = mapWindow();
  return map ? map.panjMap.playback : null;
}

/* The URL's playback parameters for a state of the map's playback (all absent when off). */
function paramsOf(state) {
  if (!state.on) { return {}; }
  const params = { play: state.step, period: state.period };
  if (state.mode !== "this") { params.mode = state.mode; }
  if (state.fade) { params.fade = String(state.fade); }
  return params;
}

function withPlayback(url, params) {
  const parsed = new URL(String(url), window.location.href);
  PARAMS.forEach((name) => {
    if (params[name]) { parsed.searchParams.set(name, params[name]); } else { parsed.searchParams.delete(name); }
  });
  return parsed.toString();
}

/* Streamlit rewrites the URL after a rerun from what the server knows: the period where the
 * playback last paused. While it plays, the browser's period is the one to keep. */
function keepPlaybackInUrls() {
  const history = window.history;
  if (history.panjKeepsPlayback) { return; }
  history.panjKeepsPlayback = true;
  ["pushState", "replaceState"].forEach((name) => {
    const original = history[name];
    history[name] = function (state, title, url) {
      const current = window.panjPlaybackParams;
      if (url !== undefined && url !== null && current) { url = withPlayback(url, current); }
      return original.call(history, state, title, url);
    };
  });
}

function overlay(id, css) {
  let element = document.getElementById(id);
  if (!element) {
    element = document.createElement("div");
    element.id = id;
    element.hidden = true;
    element.style.cssText = css;
    document.body.appendChild(element);
  }
  return element;
}

function blankScreen() {
  return overlay("panj-blank", "position:fixed;inset:0;background:#000;z-index:2147483000;");
}

function keysHelp() {
  const help = overlay("panj-keys", "position:fixed;left:50%;top:50%;transform:translate(-50%,-50%);" +
    "background:#fff;color:#111;border-radius:8px;box-shadow:0 4px 24px rgba(0,0,0,.4);padding:1.2rem 1.6rem;" +
    "z-index:2147483001;font:1.15rem/1.5 system-ui,sans-serif;max-width:90vw;");
  if (!help.firstChild) {
    help.setAttribute("role", "dialog");
    help.setAttribute("aria-label", "Presenter keys");
    const title = document.createElement("h2");
    title.textContent = "Presenter keys";
    title.style.cssText = "font-size:1.4rem;margin:0 0 .6rem;";
    help.appendChild(title);
    const list = document.createElement("dl");
    list.style.cssText = "display:grid;grid-template-columns:auto auto;gap:.3rem 1.2rem;margin:0;";
    KEYS.forEach(([keys, action]) => {
      const term = document.createElement("dt"), description = document.createElement("dd");
      term.textContent = keys;
      term.style.fontWeight = "700";
      description.textContent = action;
      description.style.margin = "0";
      list.append(term, description);
    });
    help.appendChild(list);
    help.addEventListener("click", () => { help.hidden = true; });
  }
  return help;
}

function isTextBox(target) {
  if (!target || !target.tagName) { return false; }
  const tag = target.tagName.toLowerCase();
  return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
}

const STEP_KEYS = { PageDown: "next", ArrowRight: "next", " ": "next", PageUp: "previous", ArrowLeft: "previous",
                    Home: "first", End: "last" };

/* A key in presenter view: the step keys move the playback's period while one is on, else the
 * highlighted event (through the server, which owns the steps). */
function onKey(event) {
  const control = window.panjPlaybackControl;
  if (!control || !control.data.presenter || event.ctrlKey || event.metaKey || event.altKey) { return; }
  if (isTextBox(event.composedPath ? event.composedPath()[0] : event.target)) { return; }
  const key = event.key, player = playback(), action = STEP_KEYS[key];
  if (action) {
    if (player && player.on) {
      if (action === "first") { player.first(); } else if (action === "last") { player.last(); } else {
        player.go(action === "next" ? 1 : -1);
      }
    } else {
      control.presses += 1;
      control.setTriggerValue("key", { action: action, press: control.presses });
    }
  } else if (key === "b" || key === "B" || key === ".") {
    const blank = blankScreen();
    blank.hidden = !blank.hidden;
  } else if (key === "p" || key === "P") {
    if (player) { player.toggle(); }
  } else if (key === "?") {
    const help = keysHelp();
    help.hidden = !help.hidden;
  } else if (key === "Escape" && (!blankScreen().hidden || !keysHelp().hidden)) {
    blankScreen().hidden = true;
    keysHelp().hidden = true;
  } else {
    return;
  }
  event.preventDefault();
  event.stopPropagation();
}

/* The keys heard in a window: the page's, and the map frame's (capturing, before Leaflet pans). */
function listen(target) {
  if (!target || target.panjKeys) { return; }
  target.panjKeys = true;
  target.addEventListener("keydown", onKey, true);
}

/* The control's widgets showing the playback's state. */
function show(root, state) {
  root.querySelector('[data-field="step"]').value = state.on ? state.step : "";
  root.querySelector('[data-field="mode"]').value = state.mode;
  root.querySelector('[data-field="fade"]').value = String(state.fade);
  root.querySelector('[data-field="fade"]').disabled = state.mode === "upto";
  const play = root.querySelector('[data-act="play"]');
  play.textContent = state.playing ? "❚❚ Pause" : "▶ Play";
  play.setAttribute("aria-pressed", String(state.playing));
  root.querySelectorAll('[data-act="back"], [data-act="forward"]').forEach((button) => { button.disabled = !state.on; });
  root.querySelector(".panj-playback-period").textContent = state.on && state.label
    ? `${state.label} (${state.index + 1} of ${state.periods})` : "";
  root.dataset.period = state.on && state.period ? state.period : "";
}

/* The server's copy of a state, as the "playback" trigger sends it. */
function serverValue(state) {
  return state.on ? { play: state.step, period: state.period, mode: state.mode, fade: String(state.fade) } : { play: null };
}

export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  const root = parentElement.querySelector(".panj-playback");
  const control = window.panjPlaybackControl = Object.assign(window.panjPlaybackControl || { presses: 0 },
    { data: data, setTriggerValue: setTriggerValue, root: root });
  control.server = JSON.stringify(data.playback ? serverValue({ on: true, step: data.playback.step,
    period: data.playback.period, mode: data.playback.mode, fade: data.playback.fade }) : { play: null });
  root.hidden = false;
  keepPlaybackInUrls();
  listen(window);
  const map = mapWindow();
  if (map) { listen(map); }
  // A map frame loaded (or remounted) after this control announces itself (panj-map.js).
  window.panjMapArrived = function (frameWindow) { listen(frameWindow); };
  window.panjPlaybackChanged = function (state, settled) {
    const current = window.panjPlaybackControl;
    show(current.root, state);
    if (window.panjCharts) { window.panjCharts.playbackChanged(state); }  // the histogram's mark (static/charts.js)
    if (window.panjStripPlaybackChanged) { window.panjStripPlaybackChanged(state); }  // the strip's (static/strip.js)
    window.panjPlaybackParams = paramsOf(state);
    window.history.replaceState(window.history.state, "", withPlayback(window.location.href, window.panjPlaybackParams));
    const value = JSON.stringify(serverValue(state));
    if (settled && value !== current.server) {
      current.server = value;
      current.setTriggerValue("playback", serverValue(state));
    }
  };
  if (!root.dataset.bound) {
    root.dataset.bound = "1";
    root.addEventListener("change", (event) => {
      const player = playback(), field = event.target.dataset.field;
      if (!player || !field) { return; }
      if (field === "step") {
        player.set({ step: event.target.value || null });
      } else if (field === "interval") {
        player.set({ interval: Number(event.target.value) });
      } else {
        player.set({ [field]: event.target.value });
      }
    });
    root.addEventListener("click", (event) => {
      const button = event.target.closest("button"), player = playback();
      if (!button) { return; }
      const act = button.dataset.act;
      if (act === "keys") { const help = keysHelp(); help.hidden = !help.hidden; return; }
      if (!player) { return; }
      if (act === "play") { player.toggle(); } else if (act === "back") { player.go(-1); } else if (act === "forward") {
        player.go(1);
      }
    });
  }
  root.querySelector('[data-act="keys"]').hidden = !data.presenter;
  if (map) {
    const state = map.panjMap.playback.state();
    show(root, state);
    if (window.panjCharts) { window.panjCharts.playbackChanged(state); }
  } else if (data.playback) {
    show(root, { on: true, step: data.playback.step, mode: data.playback.mode, fade: data.playback.fade,
                 playing: false, label: null, period: data.playback.period });
  }
}
