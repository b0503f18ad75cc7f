// The map benchmark's playback step (geo.bench.maps): a month-by-month playback put on at its first
// month (its dates file fetched then, untimed), then STEPS steps forward, each timed from the call
// until two frames after the period is drawn (Playback.go resolves then: PanjMap._replay). The
// benchmark writes the step count in place of the upper-case name below. Resolves to the times in ms
// and the playback's state after the steps (its period's index, to check every step moved on).
async () => {
  const playback = window.panjMap.playback;
  await playback.set({step: "month", mode: "this"});
  await playback.first();
  const times = [];
  for (let step = 0; step < STEPS; step += 1) {
    const start = performance.now();
    await playback.go(1);
    times.push(performance.now() - start);
  }
  if (window.panjMap.error) { throw new Error(window.panjMap.error); }
  return {times: times, state: playback.state()};
}
