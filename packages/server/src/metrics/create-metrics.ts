import type { MetricRow, Store } from '../store/store.js';
import { quantile, rebin, round } from './histogram.js';
import { type MetricsBody, type TrendWindow, trendWindows } from './metrics-schemas.js';

export interface TrendPoint {
  t: number;
  qps: number;
  errorRate: number;
  p50: number | null;
  p99: number | null;
}

export interface Trend {
  /** Milliseconds between points. */
  step: number;
  series: Array<{ tag: string; points: TrendPoint[] }>;
}

export interface Totals {
  requests: number;
  errors: number;
  counts: number[];
}

export interface Metrics {
  record(namespace: string, body: MetricsBody): void;
  trend(namespace: string, app: string, window: TrendWindow): Promise<Trend>;
  /** Totals since this process started, by `namespace\0app\0tag`: what Prometheus scrapes. */
  readonly totals: ReadonlyMap<string, Totals>;
  close(): Promise<void>;
}

function add(
  into: { requests: number; errors: number; counts: number[] },
  share: number,
  from: Totals,
): void {
  into.requests += from.requests * share;
  into.errors += from.errors * share;
  from.counts.forEach((n, i) => {
    into.counts[i]! += n * share;
  });
}

/**
 * Agents report an interval's counters; the interval is spread over the seconds
 * (and minutes) it covers, summed in memory and added to the store once a
 * second. The store holds the series, so every replica serves the same trend.
 */
export function createMetrics(store: Store, flushMs = 1000): Metrics {
  const pending = new Map<string, MetricRow>();
  const totals = new Map<string, Totals>();

  function bucket(namespace: string, body: MetricsBody, res: 's' | 'm', t: number): MetricRow {
    const key = `${namespace}\0${body.app}\0${body.tag}\0${res}\0${t}`;
    let row = pending.get(key);
    if (row === undefined) {
      row = {
        namespace,
        app: body.app,
        tag: body.tag,
        res,
        t,
        requests: 0,
        errors: 0,
        counts: rebin([], []),
      };
      pending.set(key, row);
    }
    return row;
  }

  // Flushes run one after another: a trend read waits for rows a timer flush is still writing.
  let flushed: Promise<void> = Promise.resolve();
  function flush(): Promise<void> {
    const next = flushed.then(async () => {
      if (pending.size === 0) return;
      const rows = [...pending.values()];
      pending.clear();
      await store.addMetrics(rows);
    });
    flushed = next.catch(() => undefined);
    return next;
  }

  const timer = setInterval(() => flush().catch(() => undefined), flushMs);
  timer.unref();

  return {
    totals,
    record(namespace, body) {
      const sample: Totals = {
        requests: body.requests,
        errors: body.errors,
        counts: rebin(body.latencyBucketsMs, body.latencyCounts),
      };
      const key = `${namespace}\0${body.app}\0${body.tag}`;
      const total = totals.get(key) ?? { requests: 0, errors: 0, counts: rebin([], []) };
      add(total, 1, sample);
      totals.set(key, total);
      const start = body.at - body.intervalMs;
      for (let s = Math.floor(start / 1000) * 1000; s < body.at; s += 1000) {
        const share = (Math.min(s + 1000, body.at) - Math.max(s, start)) / body.intervalMs;
        add(bucket(namespace, body, 's', s), share, sample);
        add(bucket(namespace, body, 'm', Math.floor(s / 60_000) * 60_000), share, sample);
      }
    },

    async trend(namespace, app, window) {
      await flush(); // what was just reported shows at once
      const { spanMs, stepMs, res } = trendWindows[window];
      const now = Date.now();
      const from = Math.floor((now - spanMs) / stepMs) * stepMs;
      const rows = await store.queryMetrics(namespace, app, res, from);
      const byTag = new Map<string, Map<number, Totals>>();
      for (const row of rows) {
        const steps = byTag.get(row.tag) ?? new Map<number, Totals>();
        byTag.set(row.tag, steps);
        const t = Math.floor(row.t / stepMs) * stepMs;
        const acc = steps.get(t) ?? { requests: 0, errors: 0, counts: rebin([], []) };
        add(acc, 1, row);
        steps.set(t, acc);
      }
      const tags = [...byTag.keys()].sort();
      return {
        step: stepMs,
        series: tags.map((tag) => {
          const steps = byTag.get(tag)!;
          const points: TrendPoint[] = [];
          for (let t = from; t <= now; t += stepMs) {
            const acc = steps.get(t);
            const requests = acc?.requests ?? 0;
            points.push({
              t,
              qps: round(requests / (stepMs / 1000)),
              errorRate: requests > 0 ? round(acc!.errors / requests) : 0,
              p50: acc ? quantile(acc.counts, 0.5) : null,
              p99: acc ? quantile(acc.counts, 0.99) : null,
            });
          }
          return { tag, points };
        }),
      };
    },

    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
