// Measurements chosen where they matter: after the first few measurements of a new device, the next ones go to the
// archs the search is likely to keep (the predicted accuracy/latency Pareto front of a candidate pool) on which the
// fitted predictor is least sure. Used by `latency.adaptive` in searches and by `hwnas sample --sampler uncertainty`.
import type { LatencyPredictor } from '../predictors/types.js';
import { nondominatedRanks } from './pareto.js';

/**
 * The `count` archs of `candidates` to measure next on `device`, none of them in `measured`. With `accuracy` (one
 * value per candidate, larger better; NaN for a failed one) candidates are taken front by front of predicted
 * (accuracy, latency); without it all are one front. Within a front the predictor's `uncertainty` orders them, most
 * uncertain first; a predictor without one (or one sure of every candidate alike) gets picks spread evenly along the
 * front by predicted latency.
 */
export async function nextMeasurements(
  predictor: LatencyPredictor,
  device: string,
  candidates: readonly string[],
  accuracy: ArrayLike<number> | undefined,
  measured: ReadonlySet<string>,
  count: number,
): Promise<string[]> {
  const open = candidates.map((arch, i) => ({ arch, i })).filter(({ arch }) => !measured.has(arch));
  if (open.length <= count) return open.map(({ arch }) => arch);
  const archs = open.map(({ arch }) => arch);
  const latencyMs = await predictor.predict(device, archs);
  const uncertainty = (await predictor.uncertainty?.(device, archs)) ?? new Float64Array(archs.length);
  const ranks =
    accuracy === undefined
      ? new Int32Array(archs.length)
      : nondominatedRanks(open.map(({ i }, k) => [Number.isFinite(accuracy[i]) ? -accuracy[i] : Infinity, latencyMs[k]]));
  const picked: number[] = [];
  for (let rank = 0; picked.length < count; rank++) {
    const front = archs.map((_, k) => k).filter((k) => ranks[k] === rank);
    if (front.length === 0) continue;
    const wanted = count - picked.length;
    if (front.length <= wanted) {
      picked.push(...front);
      continue;
    }
    const spread = Math.max(...front.map((k) => uncertainty[k])) - Math.min(...front.map((k) => uncertainty[k]));
    if (spread > 1e-9) {
      picked.push(...[...front].sort((a, b) => uncertainty[b] - uncertainty[a] || a - b).slice(0, wanted));
    } else {
      // Evenly spaced along the front by predicted latency: the fastest, the slowest and between.
      const byLatency = [...front].sort((a, b) => latencyMs[a] - latencyMs[b] || a - b);
      const step = wanted === 1 ? 0 : (byLatency.length - 1) / (wanted - 1);
      const chosen = new Set<number>();
      for (let j = 0; j < wanted; j++) chosen.add(byLatency[Math.round(j * step)]);
      picked.push(...chosen);
    }
  }
  return picked.slice(0, count).map((k) => archs[k]);
}
