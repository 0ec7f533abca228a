import type { Figures } from '@graylane/core';
import { quantile, rebin } from '../metrics/histogram.js';
import type { Store } from '../store/store.js';

/**
 * The one place rollouts read the control plane's metrics: what the instances
 * of `app` tagged `tag` ('' = baseline) served in [fromMs, toMs), from the
 * per-second series every replica writes to the store.
 */
export async function readTagFigures(
  store: Store,
  namespace: string,
  app: string,
  tag: string,
  fromMs: number,
  toMs: number,
): Promise<Figures> {
  const rows = await store.queryMetrics(namespace, app, 's', fromMs);
  let requests = 0;
  let errors = 0;
  const counts = rebin([], []);
  for (const row of rows) {
    if (row.tag !== tag || row.t >= toMs) continue;
    requests += row.requests;
    errors += row.errors;
    row.counts.forEach((n, i) => {
      counts[i]! += n;
    });
  }
  const p99 = quantile(counts, 0.99);
  return { requests, errors, p99Seconds: p99 === null ? null : p99 / 1000 };
}
