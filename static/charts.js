// The sidebar's charts by keyboard, and the playback's period on the histogram while the browser
// plays it (docs/ARCHITECTURE.md, "Accessibility" and "Playback"). Run once per page.
//
// geo/timechart.py gives each chart's pickable marks (an actor's or a type's row, a bin's column)
// the role "button" and a name in words; Vega draws them as SVG paths holding their datum. This
// script makes them one tab stop per chart (a roving tabindex: the arrows move within it) and turns
// Enter or Space into what the pointer does: a click on a row; on the histogram, a drag across the
// column, so the brush's selection reaches Streamlit exactly as a mouse's would.
(() => {
  if (window.panjCharts) return;  // once per page, however often the script's element is drawn again
  const CHART = '[data-testid="stVegaLiteChart"]';
  const KEY = 'path[role="button"]';
  const PERIOD_COLOUR = '#d95f02';  // geo.timechart.PERIOD_COLOUR
  let period;  // the browser's playback period ({first, last} ISO days), null when off, undefined until told
  let restore = null;  // {chart, item}: the mark to focus again once a rerun has redrawn its chart

  const keysOf = (chart) => [...chart.querySelectorAll(KEY)];
  const datumOf = (mark) => (mark.__data__ && mark.__data__.datum) || {};
  const identity = (mark) => { const datum = datumOf(mark); return datum.id !== undefined ? datum.id : datum.label; };
  const isHistogram = (chart) => chart.querySelector('.brush_brush') !== null;
  // A chart across reruns: its widget key without the count of its selections, which a click or
  // a drag raises (ui/charts.py, chart_key).
  const chartName = (chart) => {
    const holder = chart.closest('[class*="st-key-"]');
    const key = holder && [...holder.classList].find((name) => name.startsWith('st-key-'));
    return key ? key.replace(/_\d+$/, '') : '';
  };

  const pointer = (type, x, y) => new PointerEvent(type, {
    bubbles: true, cancelable: true, composed: true, view: window, clientX: x, clientY: y,
    pointerId: 1, pointerType: 'mouse', isPrimary: true, button: 0, buttons: type === 'pointerup' ? 0 : 1,
  });

  // A drag from x0 to x1 at the height of `mark`, as Vega-Lite's interval brush hears a mouse's.
  const drag = (mark, x0, x1) => {
    const box = mark.getBoundingClientRect(), y = box.top + box.height / 2;
    mark.dispatchEvent(pointer('pointerdown', x0, y));
    mark.dispatchEvent(pointer('pointermove', x1, y));
    mark.dispatchEvent(pointer('pointerup', x1, y));
  };

  // Enter on a bin's column: the brush over that column (with Shift, over the chosen columns too:
  // the bins From/To touch, which the server marks "chosen"; the brush itself starts empty). A drag
  // inside the columns' edges, a quarter of a column in, touches only the bins it crosses.
  const brush = (mark, extend) => {
    const box = mark.getBoundingClientRect(), inset = box.width / 4;
    let left = box.left + inset, right = box.right - inset;
    const chosen = extend ? keysOf(mark.closest(CHART)).filter((column) => datumOf(column).chosen) : [];
    for (const column of chosen) {
      const span = column.getBoundingClientRect();
      left = Math.min(left, span.left + inset);
      right = Math.max(right, span.right - inset);
    }
    drag(mark, left, right);
  };

  const click = (mark, shift) => {
    const box = mark.getBoundingClientRect(), x = box.left + box.width / 2, y = box.top + box.height / 2;
    mark.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, view: window, clientX: x,
                                                clientY: y, shiftKey: shift, button: 0}));
  };

  const moveFocus = (from, to) => {
    if (!to || to === from) return;
    from.setAttribute('tabindex', '-1');
    to.setAttribute('tabindex', '0');
    to.focus();
  };

  document.addEventListener('keydown', (event) => {
    const mark = event.target;
    if (!(mark instanceof Element) || !mark.matches(KEY) || event.ctrlKey || event.metaKey || event.altKey) return;
    const chart = mark.closest(CHART);
    const marks = keysOf(chart), at = marks.indexOf(mark);
    const key = event.key;
    if (key === 'ArrowRight' || key === 'ArrowDown') {
      moveFocus(mark, marks[at + 1]);
    } else if (key === 'ArrowLeft' || key === 'ArrowUp') {
      moveFocus(mark, marks[at - 1]);
    } else if (key === 'Home' || key === 'End') {
      moveFocus(mark, marks[key === 'Home' ? 0 : marks.length - 1]);
    } else if (key === 'Enter' || key === ' ') {
      restore = {chart: chartName(chart), item: identity(mark)};
      if (isHistogram(chart)) brush(mark, event.shiftKey); else click(mark, event.shiftKey);
    } else {
      return;
    }
    event.preventDefault();  // Space would scroll the sidebar, the arrows too
    event.stopPropagation();
  });
  // Any focus given since the key (the reader's, or another bar's) cancels a pending return to it.
  document.addEventListener('focusin', () => { restore = null; });

  // One tab stop per chart: the first chosen mark, else the first.
  const makeFocusable = (chart) => {
    const marks = keysOf(chart);
    if (!marks.length || marks.some((mark) => mark.getAttribute('tabindex') === '0')) return;
    const first = marks.find((mark) => datumOf(mark).chosen) || marks[0];
    for (const mark of marks) mark.setAttribute('tabindex', mark === first ? '0' : '-1');
  };

  // A chart redrawn by a rerun gets the focus back on the mark it had, once the old drawing has
  // gone and taken the focus with it.
  const focusAgain = () => {
    if (!restore || (document.activeElement && document.activeElement !== document.body)) return;
    for (const chart of document.querySelectorAll(CHART)) {
      if (chartName(chart) !== restore.chart) continue;
      const marks = keysOf(chart), again = marks.find((mark) => identity(mark) === restore.item);
      if (!again) continue;
      restore = null;
      for (const mark of marks) mark.setAttribute('tabindex', mark === again ? '0' : '-1');
      again.focus();
      return;
    }
  };

  // The playback's period over the histogram, drawn by this script from the browser's period:
  // the server's frame (geo.timechart, "period_marks") knows only where the playback last paused.
  const markPeriod = (chart) => {
    const served = chart.querySelector('.period_marks');
    let mark = chart.querySelector('.panj-period-mark');
    if (period === undefined) return;  // nothing heard from the playback yet: the server's frame stands
    if (served) served.style.display = 'none';
    // Vega-Lite has parsed a column's days into instants; the period's are ISO days, at UTC midnight too.
    const columns = period ? keysOf(chart).filter((column) => {
      const datum = datumOf(column);
      return +new Date(datum.first) <= Date.parse(period.last) && +new Date(datum.following) > Date.parse(period.first);
    }) : [];
    if (!columns.length) {
      if (mark) mark.remove();
      return;
    }
    if (!mark) {
      mark = document.createElement('div');
      mark.className = 'panj-period-mark';
      mark.setAttribute('aria-hidden', 'true');
      mark.style.cssText = `position:absolute;pointer-events:none;box-sizing:border-box;border:2px solid ${PERIOD_COLOUR};` +
        'background:rgba(217,95,2,0.15);';  // the colour at the server's frame's opacity
      if (getComputedStyle(chart).position === 'static') chart.style.position = 'relative';
      chart.appendChild(mark);
    }
    const frame = chart.getBoundingClientRect();
    const first = columns[0].getBoundingClientRect(), last = columns[columns.length - 1].getBoundingClientRect();
    mark.style.left = `${first.left - frame.left}px`;
    mark.style.top = `${first.top - frame.top}px`;
    mark.style.width = `${last.right - first.left}px`;
    mark.style.height = `${first.height}px`;
    mark.dataset.first = period.first;  // the period drawn, for tests
  };

  // A chart laid out afresh (the sidebar opened on a phone, the window resized) moves its bars:
  // Vega draws them again at its drawing's new size, which is what is watched.
  const resized = new ResizeObserver(() => schedule());
  const watched = new WeakSet();

  const update = () => {
    for (const chart of document.querySelectorAll(CHART)) {
      makeFocusable(chart);
      if (!isHistogram(chart)) continue;
      markPeriod(chart);
      const drawing = chart.querySelector('svg');
      if (drawing && !watched.has(drawing)) {
        watched.add(drawing);
        resized.observe(drawing);
      }
    }
    focusAgain();
  };
  let pending = false;  // one update per frame, however many changes a rerun makes
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; update(); });
  };

  window.panjCharts = {
    // static/playback.js tells each state of the map's playback (panj-map.js, Playback.state).
    playbackChanged(state) {
      period = state.on && state.first ? {first: state.first, last: state.last} : null;
      schedule();
    },
  };
  update();
  new MutationObserver(schedule).observe(document.body, {childList: true, subtree: true});
})();
