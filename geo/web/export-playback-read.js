// Evaluated by the video exporter just before each frame's capture: what the frame shows, as the
// page holds it (the period box's text and how many events the map drew), for the exporter's report.
() => ({
  label: document.getElementById("panj-figure-period-label").textContent,
  count: document.getElementById("panj-figure-period-count").textContent,
  drawn: window.panjMap.eventsDrawn,
})
