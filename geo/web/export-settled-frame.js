// Evaluated by the exporter before the capture: resolves once the fonts are loaded and two animation
// frames have passed (Leaflet's canvas renderer redraws on the next frame).
() => document.fonts.ready.then(() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done))))
