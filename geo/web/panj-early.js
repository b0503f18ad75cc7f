/* The map's first script (geo/mapview.py, map_scripts): it asks for the data files named in its own
 * URL (each a "file" parameter: the events and the labels) before Leaflet and the Panj runtime
 * load. On the page the map's frame loads its scripts one after another and adds the document's
 * head (its preload links) only after the last, so without this the events file, the largest
 * (some 12 MB at a million events), was asked for only once every script had run
 * (docs/performance.md, "First load at a million events"). The runtime's own fetch of the same
 * URL with the same credentials takes the answer. The links go into the body where there is one:
 * the component rewrites the head's markup after its scripts, which would make them anew. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var parent = document.body || document.head;
  new URL(script.src).searchParams.getAll("file").forEach(function (url) {
    var link = document.createElement("link");
    link.rel = "preload";
    link.as = "fetch";
    link.crossOrigin = "anonymous";
    link.href = url;
    parent.appendChild(link);
  });
})();
