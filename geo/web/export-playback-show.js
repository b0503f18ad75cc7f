// Evaluated by the video exporter (geo.export.export_playback) for each frame: {group, label,
// count, update}. It writes the period and its count into the figure's period box and hands the
// map the frame's update (the same view, this period's mask and faded mask); window.panjMap.ready
// turns true again once the events are drawn.
(frame) => {
  document.getElementById("panj-figure-period-label").textContent = frame.label;
  document.getElementById("panj-figure-period-count").textContent = frame.count;
  window.panjMap.update(window[frame.group], frame.update);
}
