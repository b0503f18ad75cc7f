// The page's accessibility helpers (docs/ARCHITECTURE.md, "Accessibility"), run once per page.
(() => {
  if (window.panjA11y) return;  // once per page, however often the script's element is drawn again
  window.panjA11y = true;
  // One live region for the whole page's life, outside what Streamlit redraws: a region inserted
  // with its text is not announced, and Streamlit may replace the summary's element on a rerun.
  const live = document.createElement('div');
  live.id = 'panj-live';
  live.className = 'panj-visually-hidden';
  live.setAttribute('role', 'status');
  live.setAttribute('aria-live', 'polite');
  document.body.appendChild(live);
  const update = () => {
    // Vega-Lite draws an interval brush as two rectangles with a graphics role and no name (axe:
    // svg-img-alt). They are a drag handle, not content: the chart's description says what the
    // histogram shows, and the From/To fields set the same dates by keyboard.
    for (const mark of document.querySelectorAll('.brush_brush_bg, .brush_brush')) {
      if (mark.getAttribute('aria-hidden') !== 'true') mark.setAttribute('aria-hidden', 'true');
    }
    // The view in words (app.py, geo/summary.py), announced when the filters change it.
    const summary = document.querySelector('.panj-summary');
    const text = summary ? summary.textContent : '';
    if (text && live.textContent !== text) live.textContent = text;
  };
  let pending = false;  // one update per frame, however many changes a rerun makes
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; update(); });
  };
  update();
  new MutationObserver(schedule).observe(document.body, {childList: true, subtree: true, characterData: true});
})();
