/* The map's current view in the browser: its one owner.
 *
 * It keeps the view in the page's URL as ?bbox=W,S,E,N, so a copied link reopens it, and answers
 * the page's Render button (static/render-button.js) through page.panjMapView.current(). The map
 * lives in a same-origin iframe; Streamlit never hears of pans and zooms (they rerun nothing), so
 * the browser is the only place that knows the view. docs/ARCHITECTURE.md, "The map's view".
 */
(function () {
  "use strict";

  var URL_DEBOUNCE_MS = 300;  // write the view once the reader stops moving the map
  var DECIMALS = 1e4;  // 4 decimals, ~10 m: what geo.filters.BBOX_DECIMALS writes
  var MIN_EXTENT = 0.01;  // degrees on each axis, geo.filters.MIN_EXTENT_DEGREES: smaller views are widened

  /* The view as "W,S,E,N": clamped to what a URL may carry and at least MIN_EXTENT across, so every
   * view written is one the page accepts when the link is opened. */
  function bboxText(bounds) {
    var west = Math.max(bounds.getWest(), -180), east = Math.min(bounds.getEast(), 180);
    var south = Math.max(bounds.getSouth(), -85), north = Math.min(bounds.getNorth(), 85);
    function widened(low, high, floor, ceiling) {
      var missing = MIN_EXTENT - (high - low);
      if (missing <= 0) { return [low, high]; }
      low = Math.max(low - missing / 2, floor);
      return [low, Math.min(low + MIN_EXTENT, ceiling)];
    }
    var x = widened(west, east, -180, 180), y = widened(south, north, -85, 85);
    return [x[0], y[0], x[1], y[1]].map(function (value, index) {
      // Rounded away from the middle, so rounding cannot shrink the view below MIN_EXTENT.
      var round = index < 2 ? Math.floor : Math.ceil;
      return String(round(value * DECIMALS) / DECIMALS);
    }).join(",");
  }

  /* The page around the map's frame, or null when there is none we may touch (a cross-origin host
   * page: the map embedded elsewhere). */
  function hostPage() {
    try {
      var page = window.parent;
      return page !== window && page.history && page.location.href ? page : null;
    } catch (error) {
      return null;
    }
  }

  /* ``url`` (absolute or relative to the page) with ?bbox= set to ``bbox``. */
  function withBbox(page, url, bbox) {
    var parsed = new page.URL(String(url), page.location.href);
    parsed.searchParams.set("bbox", bbox);
    return parsed.toString();
  }

  /* Streamlit writes the page's URL itself (history.pushState/replaceState) after every rerun that
   * changes the page state, from what its server knows, which would put back the view the page
   * opened on. Wrapped once per page, both calls put the map's current view into every URL written
   * once the map has been moved, whatever order the rewrite and the map's own update arrive in.
   * The view comes from page.panjMapView, which the newest map sets (a remounted map replaces its
   * frame, and the old frame's map with it). */
  function keepViewInPageUrls(page) {
    var history = page.history;
    if (history.panjKeepsView) { return; }
    history.panjKeepsView = true;
    ["pushState", "replaceState"].forEach(function (name) {
      var original = history[name];
      history[name] = function (state, title, url) {
        try {
          var view = page.panjMapView;
          if (url !== undefined && url !== null && view && view.moved()) { url = withBbox(page, url, view.current()); }
        } catch (error) {
          // A map frame gone mid-call: write the URL as asked.
        }
        return original.call(history, state, title, url);
      };
    });
  }

  /* Follow ``map``: after each move (debounced) the page's URL gets its view; replaceState adds no
   * history entry and does not rerun the page (Streamlit reads the URL only when it loads). */
  function follow(map) {
    var timer = null, moved = false, page = hostPage();
    if (page === null) { return; }
    keepViewInPageUrls(page);
    page.panjMapView = {
      current: function () { return bboxText(map.getBounds()); },
      // Until the map first moves (the opening view), the page's own URL is right as it is.
      moved: function () { return moved; }
    };
    map.on("moveend", function () {
      moved = true;
      clearTimeout(timer);
      timer = setTimeout(function () {
        page.history.replaceState(page.history.state, "", withBbox(page, page.location.href, bboxText(map.getBounds())));
      }, URL_DEBOUNCE_MS);
    });
  }

  window.PanjView = { follow: follow, bboxText: bboxText };
})();
