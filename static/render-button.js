/* The export panel's "Render PNG" button (an st.components.v2 component running in the page).
 *
 * Panning and zooming never rerun the page (st_folium's returned_objects=[]), and Streamlit sends
 * the query string it last set, not one the map wrote with history.replaceState, so the server
 * cannot know the view the reader is looking at. This button reads it from the map's frame when
 * clicked and sends it with the click: one rerun per click, none per pan.
 */
const MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]';

function currentBbox() {
  const frame = document.querySelector(MAP_FRAME);
  const panj = frame && frame.contentWindow ? frame.contentWindow.panjMap : null;
  if (!panj || !panj.map) { return null; }
  const bounds = panj.map.getBounds();
  // Clamped and at 4 decimals (~10 m): the form the map writes into the URL as ?bbox=.
  return [Math.max(bounds.getWest(), -180), Math.max(bounds.getSouth(), -85),
          Math.min(bounds.getEast(), 180), Math.min(bounds.getNorth(), 85)]
    .map((value) => String(Math.round(value * 1e4) / 1e4))
    .join(",");
}

export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  const button = parentElement.querySelector("button");
  button.textContent = data.label;
  button.disabled = Boolean(data.disabled);
  button.onclick = () => setTriggerValue("render", { bbox: currentBbox() });
}
