import { LATENCY_BOUNDS_MS } from '../store/schema.js';
import { rebin } from './histogram.js';
import type { MetricsBody } from './metrics-schemas.js';

/** A histogram in the canonical buckets, with the real sum of its durations. */
export interface HistogramTotal {
  count: number;
  sumSeconds: number;
  counts: number[];
}

export interface Series<T> {
  labels: Record<string, string>;
  value: T;
}

export type RuntimeSample = NonNullable<MetricsBody['runtime']>;

/**
 * Everything since this replica started, as Prometheus scrapes it: counters only grow
 * (Prometheus sums replicas and handles restarts). Label values keep the store's
 * spelling ('' = baseline); the exposition renames the baseline.
 */
export interface MetricTotals {
  requests: Map<string, Series<number>>;
  durations: Map<string, Series<HistogramTotal>>;
  outbound: Map<string, Series<HistogramTotal & { errors: number }>>;
  messages: Map<string, Series<number>>;
  /** The last runtime sample of each instance, with the time it arrived. */
  runtime: Map<string, Series<{ at: number; sample: RuntimeSample }>>;
}

export const emptyTotals = (): MetricTotals => ({
  requests: new Map(),
  durations: new Map(),
  outbound: new Map(),
  messages: new Map(),
  runtime: new Map(),
});

const emptyHistogram = (): HistogramTotal => ({ count: 0, sumSeconds: 0, counts: rebin([], []) });

function series<T>(map: Map<string, Series<T>>, labels: Record<string, string>, make: () => T): Series<T> {
  const key = Object.values(labels).join('\0');
  let s = map.get(key);
  if (s === undefined) {
    s = { labels, value: make() };
    map.set(key, s);
  }
  return s;
}

/** Agent buckets (seconds) folded into the canonical ones (ms bounds). */
export function canonicalCounts(bucketsSeconds: readonly number[], counts: readonly number[]): number[] {
  return rebin(
    bucketsSeconds.map((s) => s * 1000),
    counts,
  );
}

function addHistogram(into: HistogramTotal, count: number, sumSeconds: number, counts: number[]): void {
  into.count += count;
  into.sumSeconds += sumSeconds;
  counts.forEach((n, i) => {
    into.counts[i]! += n;
  });
}

export function addToTotals(totals: MetricTotals, namespace: string, body: MetricsBody, now: number): void {
  const { app } = body;
  for (const h of body.inbound) {
    series(totals.requests, { namespace, app, tag: h.tag, code_class: h.codeClass }, () => 0).value +=
      h.count;
    const duration = series(totals.durations, { namespace, app, tag: h.tag }, emptyHistogram);
    addHistogram(duration.value, h.count, h.sumSeconds, canonicalCounts(body.bucketsSeconds, h.counts));
  }
  for (const e of body.outbound) {
    const labels = {
      namespace,
      app,
      target: e.target,
      tag: e.tag,
      target_tag: e.targetTag,
      fallback: String(e.fallback),
    };
    const edge = series(totals.outbound, labels, () => ({ ...emptyHistogram(), errors: 0 }));
    addHistogram(edge.value, e.count, e.sumSeconds, canonicalCounts(body.bucketsSeconds, e.counts));
    edge.value.errors += e.errors;
  }
  for (const m of body.messages) {
    const labels = { namespace, app, tag: m.tag, direction: m.direction, system: m.system };
    series(totals.messages, labels, () => 0).value += m.count;
  }
  if (body.runtime) {
    const labels = { namespace, app, instance: body.instanceId };
    series(totals.runtime, labels, () => ({ at: now, sample: body.runtime! })).value = {
      at: now,
      sample: body.runtime,
    };
  }
}

/** Canonical bucket bounds in seconds, as `le` label values. */
export const LE_SECONDS = LATENCY_BOUNDS_MS.map((ms) => String(ms / 1000));
