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
  // What was last announced of each: the region holds only the news, so one is not said again
  // because the other replaced it.
  let saidSummary = '';
  let saidStep = '';
  // Each part of the step caption (title, date, where, summary) as a sentence of its own.
  const sentence = (node) => {
    const text = node.textContent.trim();
    return text && !/[.!?]$/.test(text) ? text + '.' : text;
  };
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
    // The step's event (ui/workshop.py's caption), announced when Previous, Next or a presenter
    // key moves to it: those buttons keep the focus, so nothing else would say where it went.
    const caption = document.querySelector('.panj-caption');
    const step = caption ? [...caption.children].map(sentence).filter(Boolean).join(' ') : '';
    const news = [];
    if (text && text !== saidSummary) news.push(text);
    if (step && step !== saidStep) news.push(step);
    if (text) saidSummary = text;
    saidStep = step;
    if (news.length) live.textContent = news.join(' ');
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
