import { LATENCY_BOUNDS_MS } from '../store/schema.js';

/**
 * Folds an agent's histogram into the canonical buckets: each of its buckets goes
 * to the first canonical bucket whose bound is at least its own, so percentiles
 * are never reported lower than the agent measured.
 */
export function rebin(bounds: readonly number[], counts: readonly number[]): number[] {
  const out = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
  counts.forEach((n, i) => {
    const bound = bounds[i];
    let target: number = LATENCY_BOUNDS_MS.length; // slower than every bound
    if (bound !== undefined) {
      const found = LATENCY_BOUNDS_MS.findIndex((b) => b >= bound);
      if (found >= 0) target = found;
    }
    out[target]! += n;
  });
  return out;
}

/** The q-quantile (0..1) in ms, interpolated inside its bucket; null without data. */
export function quantile(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]!;
    if (n > 0 && seen + n >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      const upper = LATENCY_BOUNDS_MS[i] ?? lower; // the overflow bucket reports the last bound
      return round(lower + ((upper - lower) * (rank - seen)) / n);
    }
    seen += n;
  }
  return LATENCY_BOUNDS_MS.at(-1)!;
}

export function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
