/* The map's first script (geo/mapview.py, map_scripts): it asks for the data files named in its own
 * URL before Leaflet and the Panj runtime load. On the page the map's frame loads its scripts one
 * after another and adds the document's head (its preload links) only after the last, so without
 * this the events file, the largest (some 12 MB at a million events), was asked for only once
 * every script had run (docs/performance.md, "First load at a million events").
 *
 * Each "file" parameter is preloaded: the runtime's own fetch of the same URL with the same
 * credentials takes the answer. The links go into the body where there is one: the component
 * rewrites the head's markup after its scripts, which would make them anew.
 *
 * Each "inflate" parameter (the gzipped events file) is fetched and inflated here, while the other
 * scripts load and parse, and handed once to the runtime (PanjEarly.take in panj-map.js): read as
 * it arrives, the file is ready when the document's update asks for it, and the symbols are drawn
 * before the first frame instead of in a frame of their own (docs/performance.md, "The symbols in
 * the first frame"). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var params = new URL(script.src).searchParams, parent = document.body || document.head, files = {};
  params.getAll("file").forEach(function (url) {
    var link = document.createElement("link");
    link.rel = "preload";
    link.as = "fetch";
    link.crossOrigin = "anonymous";
    link.href = url;
    parent.appendChild(link);
  });

  /* Promise of a stream's bytes as one ArrayBuffer, read chunk by chunk: a reader, unlike
   * Response.arrayBuffer(), settles within the microtasks once the bytes are there. */
  function readAll(stream) {
    var reader = stream.getReader(), chunks = [], length = 0;
    function next(step) {
      if (step.done) {
        var bytes = new Uint8Array(length), offset = 0;
        chunks.forEach(function (chunk) { bytes.set(chunk, offset); offset += chunk.length; });
        return bytes.buffer;
      }
      chunks.push(step.value);
      length += step.value.length;
      return reader.read().then(next);
    }
    return reader.read().then(next);
  }

  params.getAll("inflate").forEach(function (url) {
    // An answer that is not ok is handed on as it is: the runtime reports it (and may reload the
    // page when its folder is gone), as for a file it fetches itself.
    files[url] = fetch(url, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? readAll(response.body.pipeThrough(new DecompressionStream("gzip"))) : response;
    });
    files[url].catch(function () {});  // a failed fetch is the runtime's to report, when it takes it
  });

  window.PanjEarly = {
    /* The promise of url's inflated bytes (an ArrayBuffer, or the Response when it was not ok),
     * once; null when this script did not fetch it or it was taken. */
    take: function (url) {
      var file = files[url] || null;
      delete files[url];
      return file;
    }
  };
})();
