/* Panj map keys: every event group drawn on the map's canvas reachable by keyboard and screen
 * reader (docs/ARCHITECTURE.md, "Accessibility").
 *
 * The symbols are pixels on a canvas, so after every drawing this lays one transparent button over
 * each group in view, in reading order (west to east, then north to south), each named from its
 * events' text: "Title, 14 May 2022, at Kabul" for one event, "3 events at Khorugh, from May 2022:
 * first, Title" for a group. Enter or Space opens what a click opens (the event's popup, the
 * group's list) and moves the focus into it; in a list the arrow keys move between rows; Escape
 * closes the popup and puts the focus back on the group's button. The buttons take no pointer
 * events, so the mouse reaches the map as before; a focused button shows a ring on the symbol.
 * Their names get the events' text once the focus first comes among them (until then a count).
 * Buttons are made for at most MAX_KEYS groups in view; a note after them says how to reach the
 * rest (zoom in, or the table under the map). window.panjMap.keys() lists the buttons' names.
 */
(function () {
  "use strict";

  var MAX_KEYS = 250;  // buttons per drawing: a screenful of groups, not a tab stop per pixel
  var MIN_TARGET = 24;  // px: WCAG 2.2's minimum target size
  var NAMED_AT_ONCE = 60;  // rows whose text one fetch asks for (the text comes in small files)

  function PanjKeys(panj) {
    var map = panj.map, self = this;
    this.panj = panj;
    this.map = map;
    this.box = L.DomUtil.create("div", "panj-keys leaflet-zoom-hide", map.getPane("panjEvents"));
    this.box.setAttribute("role", "group");
    this.box.setAttribute("aria-label", "Events on the map, west to east");
    this.more = null;
    this.opener = null;  // the first row of the group whose popup the keyboard opened
    this.names = {};  // row -> its button's name, once its text has come
    this.pending = false;
    // The events' text is fetched for the names only once the keyboard comes into the map: a page
    // no one tabs through asks for no popup file, and one not yet written (geo.snapshot writes
    // them after the map) is not asked for early.
    this.named = false;
    this._missing = [];
    this.box.addEventListener("focusin", function () {
      if (self.named) { return; }
      self.named = true;
      self._fetchNames(self._missing);
    });
    map.on("panjsymbols", this.schedule, this);
    map.on("popupclose", function () {
      if (self.opener === null) { return; }
      // Looked at once Leaflet is done: a list's row closes the list's popup to open its event's.
      window.setTimeout(function () {
        var back = self.opener, active = document.activeElement;
        if (back === null) { return; }
        if (map._popup && map.hasLayer(map._popup)) { self._focusPopup(); return; }
        self.opener = null;
        // Back to the group's button when the popup held the focus (Escape, its close button).
        if (!active || active === document.body || !document.documentElement.contains(active) || self._inPopup(active)) {
          self.focusRow(back);
        }
      }, 0);
    });
    map.getContainer().addEventListener("keydown", function (e) { self._onKey(e); });
    // A list's row replaces the popup's content with the event's (and its back button with the
    // list's): the focus, left on a removed button, goes to the new content.
    new MutationObserver(function () {
      var active = document.activeElement;
      if (self.opener !== null && (!active || active === document.body || !document.documentElement.contains(active))) {
        self._focusPopup();
      }
    }).observe(map.getPane("popupPane"), { childList: true, subtree: true });
    document.addEventListener("keydown", function (e) {  // Escape with the focus nowhere in particular
      if (e.key === "Escape" && self.opener !== null && e.target === document.body) { map.closePopup(); }
    });
    panj.keys = function () {
      return Array.prototype.map.call(self.box.querySelectorAll(".panj-key"), function (button) {
        return button.getAttribute("aria-label");
      });
    };
  }

  /* The buttons are made again in the next frame, with the symbols: made after it, they cost
   * that frame's commit a second time (docs/performance.md, "The paint floor"). The page's first
   * symbols announce no drawing; their buttons come with the frame after theirs, which draws the
   * canvas's margin and the outlines ("The symbols in the first frame"). */
  PanjKeys.prototype.schedule = function () {
    var self = this;
    if (this.pending) { return; }
    this.pending = true;
    window.requestAnimationFrame(function () { self.pending = false; self.build(); });
  };

  PanjKeys.prototype._inPopup = function (node) {
    var pane = this.map.getPane("popupPane");
    return pane.contains(node);
  };

  /* The buttons for the groups now in view, the focused one kept (by its group's first row). */
  PanjKeys.prototype.build = function () {
    var self = this, map = this.map, focused = document.activeElement, keepRow = null;
    if (focused && focused.classList && focused.classList.contains("panj-key") && this.box.contains(focused)) {
      keepRow = Number(focused.getAttribute("data-row"));
    }
    var targets = this.panj.keyTargets().sort(function (a, b) { return a.x - b.x || a.y - b.y; });
    var shown = targets.slice(0, MAX_KEYS), missing = [];
    while (this.box.firstChild) { this.box.removeChild(this.box.firstChild); }
    shown.forEach(function (target) {
      var button = document.createElement("button"), size = Math.max(MIN_TARGET, 2 * target.r + 4);
      var at = map.containerPointToLayerPoint([target.x - size / 2, target.y - size / 2]);
      button.type = "button";
      button.className = "panj-key";
      button.style.width = button.style.height = size + "px";
      button.style.transform = "translate(" + at.x + "px," + at.y + "px)";
      button.setAttribute("data-row", target.first);
      button.setAttribute("data-x", target.x);
      button.setAttribute("data-y", target.y);
      button.target = target;
      self._name(button);
      if (!(target.first in self.names)) { missing.push(target); }
      button.addEventListener("click", function (e) {  // a screen reader's "activate" sends a click
        e.preventDefault();
        e.stopPropagation();
        self.open(button);
      });
      self.box.appendChild(button);
    });
    if (targets.length > shown.length) {
      var note = document.createElement("p");
      note.className = "panj-key-more";
      note.tabIndex = 0;
      note.textContent = (targets.length - shown.length) + " more groups in view, not listed here: zoom in, " +
        "or use the events table under the map.";
      var corner = map.containerPointToLayerPoint([8, map.getSize().y - 48]);
      note.style.transform = "translate(" + corner.x + "px," + corner.y + "px)";
      this.box.appendChild(note);
    }
    if (keepRow !== null) { this.focusRow(keepRow); }
    this._missing = missing;
    if (this.named) { this._fetchNames(missing); }
  };

  /* Names for the buttons whose text has not come yet: their groups' first rows, a few at a time. */
  PanjKeys.prototype._fetchNames = function (targets) {
    var self = this;
    for (var i = 0; i < targets.length; i += NAMED_AT_ONCE) {
      var part = targets.slice(i, i + NAMED_AT_ONCE);
      this.panj.details(part.map(function (target) { return target.first; })).then(function (details) {
        Object.keys(details).forEach(function (row) { self.names[row] = details[row]; });
        Array.prototype.forEach.call(self.box.querySelectorAll(".panj-key"), function (button) { self._name(button); });
      }).catch(function (error) {  // the buttons keep their count-only names; a popup says what failed
        if (window.console) { window.console.error("Panj map keys: " + (error.message || error)); }
      });
    }
  };

  PanjKeys.prototype._name = function (button) {
    var target = button.target, count = target.count, text = this.names[target.first], name;
    if (!text) {
      name = count === 1 ? "Event" : count + " events" + (target.places > 1 ? " in " + target.places + " places" : "");
    } else if (count === 1) {
      name = text.title + ", " + text.date + ", at " + text.place;
    } else {
      name = count + " events at " + text.place + (target.places > 1 ? " and " + (target.places - 1) + " places nearby" : "") +
        ", from " + text.date + ": first, " + text.title;
    }
    button.setAttribute("aria-label", name + (count === 1 ? ". Enter opens it." : ". Enter lists them."));
  };

  PanjKeys.prototype.focusRow = function (row) {
    var button = this.box.querySelector('.panj-key[data-row="' + row + '"]');
    if (button) { button.focus({ preventScroll: true }); }
  };

  PanjKeys.prototype.open = function (button) {
    var self = this, row = Number(button.getAttribute("data-row"));
    var opened = this.panj.openAt(Number(button.getAttribute("data-x")), Number(button.getAttribute("data-y")));
    if (!opened) { return; }
    this.opener = row;
    opened.then(function () { if (self.opener === row) { self._focusPopup(); } });
  };

  /* The focus into the open popup: a list's first row, or an event's text read from the top. */
  PanjKeys.prototype._focusPopup = function () {
    var pane = this.map.getPane("popupPane"), first = pane.querySelector(".panj-popup-row");
    if (!first) {
      first = pane.querySelector(".panj-popup");
      if (first) { first.tabIndex = -1; }
    }
    if (first) { first.focus({ preventScroll: true }); }
  };

  /* Enter and Space on a button open it; the arrows move between a list's rows; Escape closes a
   * popup the keyboard is in. Handled here, not by Leaflet's keyboard (which listens only while
   * the map's own container has the focus). */
  PanjKeys.prototype._onKey = function (e) {
    var target = e.target, key = e.key;
    if (target.classList && target.classList.contains("panj-key") && (key === "Enter" || key === " ")) {
      e.preventDefault();
      e.stopPropagation();
      this.open(target);
      return;
    }
    if (!this._inPopup(target)) { return; }
    if (key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      this.map.closePopup();
      return;
    }
    if (key === "ArrowDown" || key === "ArrowUp") {
      var rows = Array.prototype.slice.call(this.map.getPane("popupPane").querySelectorAll(".panj-popup-row"));
      var position = rows.indexOf(target);
      if (position < 0) { return; }
      e.preventDefault();
      e.stopPropagation();
      var next = rows[Math.max(0, Math.min(rows.length - 1, position + (key === "ArrowDown" ? 1 : -1)))];
      next.focus();
    }
  };

  window.PanjKeys = PanjKeys;
})();
