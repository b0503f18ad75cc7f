/* The export panel's "Render PNG" button (an st.components.v2 component running in the page).
 *
 * Panning and zooming never rerun the page, so the server cannot know the view the reader is
 * looking at. The click asks the map's view owner (geo/web/panj-view.js, page.panjMapView) and
 * sends the view with the click: one rerun per click, none per pan.
 */
function currentBbox() {
  const view = window.panjMapView;
  return view ? view.current() : null;
}

export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  const button = parentElement.querySelector("button");
  button.textContent = data.label;
  button.disabled = Boolean(data.disabled);
  button.onclick = () => setTriggerValue("render", { bbox: currentBbox() });
}
