// @ts-check
// Timing helper shared by the benchmarks.

/**
 * Median wall time (ms) of `fn` over `repeats` runs, optionally after one untimed warm-up run (JIT, memoised tables).
 * @param {() => unknown} fn
 * @param {number} repeats
 * @param {{ warmUp?: boolean }} [options]
 */
export function medianMs(fn, repeats, { warmUp = false } = {}) {
  if (warmUp) fn();
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(repeats / 2)];
}
