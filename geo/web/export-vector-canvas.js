// The exporter's second init script, for a vector PDF. Chromium prints a canvas as an image unless
// it is drawn during `beforeprint`, so every 2D context records what it draws since its canvas was
// last sized, and `beforeprint` draws it again; canvases matching state.rasterSelector keep their
// image (docs/ARCHITECTURE.md, "Figures"). A canvas drawn again prints opaque (white where empty).
(() => {
  const state = window.__panjExport;
  const records = new WeakMap();
  const proto = CanvasRenderingContext2D.prototype;
  const calls = {}, setters = {};
  const reads = new Set(["getImageData", "measureText", "isPointInPath", "isPointInStroke", "getLineDash",
    "getTransform", "getContextAttributes", "isContextLost", "createImageData"]);
  function log(context, entry) {
    let record = records.get(context.canvas);
    if (!record) { record = []; records.set(context.canvas, record); }
    record.push(entry);
  }
  for (const name of Object.getOwnPropertyNames(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (typeof descriptor.value === "function" && name !== "constructor" && !reads.has(name)) {
      const call = calls[name] = descriptor.value;
      proto[name] = function (...args) { log(this, [false, name, args]); return call.apply(this, args); };
    } else if (descriptor.set) {
      const set = setters[name] = descriptor.set;
      Object.defineProperty(proto, name, { ...descriptor, set(value) { log(this, [true, name, value]); set.call(this, value); } });
    }
  }
  for (const side of ["width", "height"]) {  // sizing a canvas clears it: its record starts again
    const descriptor = Object.getOwnPropertyDescriptor(HTMLCanvasElement.prototype, side);
    Object.defineProperty(HTMLCanvasElement.prototype, side, {
      ...descriptor, set(value) { records.delete(this); descriptor.set.call(this, value); },
    });
  }
  window.addEventListener("beforeprint", () => {
    document.querySelectorAll("canvas").forEach((canvas) => {
      const record = records.get(canvas);
      if (!record || (state.rasterSelector && canvas.matches(state.rasterSelector))) return;
      canvas.width = canvas.width;
      const context = canvas.getContext("2d");
      for (const [isSet, name, value] of record) {
        if (isSet) setters[name].call(context, value); else calls[name].apply(context, value);
      }
      records.set(canvas, record);
    });
  });
})();
