import { BASELINE_TAG } from '@graylane/core';
import type { EdgeRow, MessageRow, MetricRow, Store } from '../store/store.js';
import { quantile, rebin, round } from './histogram.js';
import { addToTotals, canonicalCounts, emptyTotals, type MetricTotals } from './metric-totals.js';
import { type MetricsBody, type TrendWindow, trendWindows } from './metrics-schemas.js';

export interface TrendPoint {
  t: number;
  qps: number;
  errorRate: number;
  p50: number | null;
  p99: number | null;
  /** Messages per second produced and consumed in this lane. */
  produced: number;
  consumed: number;
}

export interface Trend {
  /** Milliseconds between points. */
  step: number;
  series: Array<{ tag: string; points: TrendPoint[] }>;
}

/** Per-tag figures of one app over an interval: what a rollout's analysis reads. */
export interface Figures {
  requests: number;
  /** Requests answered with a 5xx (HTTP) or a server-side gRPC status. */
  errors: number;
  /** null without requests in the interval. */
  p99Seconds: number | null;
}

/** How a lane's call reached its target: in the lane, fell back to the baseline, or leaked out of it. */
export type EdgeReach = 'lane' | 'fallback' | 'leak';

export interface LaneEdge {
  from: string;
  to: string;
  targetTag: string;
  reached: EdgeReach;
  /** Calls per second over the window. */
  rate: number;
  errorRate: number;
  requests: number;
  errors: number;
  p99Seconds: number | null;
}

export interface LaneMap {
  windowMs: number;
  /** One entry per lane tag that had calls ('' = baseline). */
  lanes: Array<{ tag: string; edges: LaneEdge[] }>;
}

export interface MessageRates {
  windowMs: number;
  /** Per app and tag, messages per second. */
  items: Array<{ app: string; tag: string; system: string; produced: number; consumed: number }>;
}

export interface Metrics {
  record(namespace: string, body: MetricsBody): void;
  trend(namespace: string, app: string, window: TrendWindow): Promise<Trend>;
  /**
   * Inbound requests, errors and p99 of one app's tag in [fromMs, toMs). `tag` is the
   * instance tag ('' or 'baseline' for the baseline). Reads the store, so every replica
   * answers the same; second resolution for the last hour, minutes before.
   */
  figures(namespace: string, app: string, tag: string, fromMs: number, toMs: number): Promise<Figures>;
  /** Caller → callee edges of every lane over the last `windowMs`, from the outbound metrics. */
  laneMap(namespace: string, windowMs?: number): Promise<LaneMap>;
  /** Message rates per app and tag over the last `windowMs`. */
  messageRates(namespace: string, windowMs?: number): Promise<MessageRates>;
  /** Totals since this process started: what Prometheus scrapes. */
  readonly totals: MetricTotals;
  close(): Promise<void>;
}

const HOUR = 3_600_000;

interface Acc {
  requests: number;
  errors: number;
  counts: number[];
}

const emptyAcc = (): Acc => ({ requests: 0, errors: 0, counts: rebin([], []) });

function add(into: Acc, share: number, from: Acc): void {
  into.requests += from.requests * share;
  into.errors += from.errors * share;
  from.counts.forEach((n, i) => {
    into.counts[i]! += n * share;
  });
}

const p99Seconds = (counts: number[]) => {
  const ms = quantile(counts, 0.99);
  return ms === null ? null : round(ms / 1000);
};

/** Calls in lane `tag` that reached `targetTag`: in the lane, a fallback to the baseline, or a leak. */
export function reachOf(tag: string, targetTag: string): EdgeReach {
  if (targetTag === tag) return 'lane';
  // Only the baseline is a fallback; baseline traffic on a gray instance, or gray on blue, is a leak.
  if (targetTag === '') return 'fallback';
  return 'leak';
}

/**
 * Agents report an interval's counters; the interval is spread over the seconds
 * (and minutes) it covers, summed in memory and added to the store once a
 * second. The store holds the series, so every replica serves the same trend.
 */
export function createMetrics(store: Store, flushMs = 1000): Metrics {
  const points = new Map<string, MetricRow>();
  const edges = new Map<string, EdgeRow>();
  const messages = new Map<string, MessageRow>();
  const totals = emptyTotals();

  function row<K, T>(map: Map<K, T>, key: K, make: () => T): T {
    let r = map.get(key);
    if (r === undefined) {
      r = make();
      map.set(key, r);
    }
    return r;
  }

  // Flushes run one after another: a read waits for rows a timer flush is still writing.
  let flushed: Promise<void> = Promise.resolve();
  function flush(): Promise<void> {
    const next = flushed.then(async () => {
      if (points.size + edges.size + messages.size === 0) return;
      const batch = {
        points: [...points.values()],
        edges: [...edges.values()],
        messages: [...messages.values()],
      };
      points.clear();
      edges.clear();
      messages.clear();
      await store.addMetrics(batch);
    });
    flushed = next.catch(() => undefined);
    return next;
  }

  const timer = setInterval(() => flush().catch(() => undefined), flushMs);
  timer.unref();

  /** Calls `each` for every second (and minute) the report's interval covers, with its share. */
  function spread(body: MetricsBody, each: (res: 's' | 'm', t: number, share: number) => void): void {
    const start = body.at - body.intervalMs;
    for (let s = Math.floor(start / 1000) * 1000; s < body.at; s += 1000) {
      const share = (Math.min(s + 1000, body.at) - Math.max(s, start)) / body.intervalMs;
      each('s', s, share);
      each('m', Math.floor(s / 60_000) * 60_000, share);
    }
  }

  function record(namespace: string, body: MetricsBody): void {
    addToTotals(totals, namespace, body, Date.now());
    const { app } = body;
    for (const h of body.inbound) {
      const sample: Acc = {
        requests: h.count,
        errors: h.codeClass === '5xx' ? h.count : 0,
        counts: canonicalCounts(body.bucketsSeconds, h.counts),
      };
      spread(body, (res, t, share) => {
        const r = row(points, `${namespace}\0${app}\0${h.tag}\0${res}\0${t}`, () => ({
          namespace,
          app,
          tag: h.tag,
          res,
          t,
          ...emptyAcc(),
        }));
        add(r, share, sample);
      });
    }
    for (const e of body.outbound) {
      const sample: Acc = {
        requests: e.count,
        errors: e.errors,
        counts: canonicalCounts(body.bucketsSeconds, e.counts),
      };
      const key = `${namespace}\0${app}\0${e.tag}\0${e.target}\0${e.targetTag}\0${e.fallback}`;
      spread(body, (res, t, share) => {
        const r = row(edges, `${key}\0${res}\0${t}`, () => ({
          namespace,
          app,
          tag: e.tag,
          target: e.target,
          targetTag: e.targetTag,
          fallback: e.fallback,
          res,
          t,
          ...emptyAcc(),
        }));
        add(r, share, sample);
      });
    }
    for (const m of body.messages) {
      const key = `${namespace}\0${app}\0${m.tag}\0${m.direction}\0${m.system}`;
      spread(body, (res, t, share) => {
        const r = row(messages, `${key}\0${res}\0${t}`, () => ({
          namespace,
          app,
          tag: m.tag,
          direction: m.direction,
          system: m.system,
          res,
          t,
          count: 0,
        }));
        r.count += m.count * share;
      });
    }
  }

  async function trend(namespace: string, app: string, window: TrendWindow): Promise<Trend> {
    await flush(); // what was just reported shows at once
    const { spanMs, stepMs, res } = trendWindows[window];
    const now = Date.now();
    const from = Math.floor((now - spanMs) / stepMs) * stepMs;
    const [rows, messageRows] = await Promise.all([
      store.queryMetrics(namespace, app, res, from),
      store.queryMessages(namespace, app, res, from),
    ]);
    const byTag = new Map<string, Map<number, Acc & { produced: number; consumed: number }>>();
    const step = (tag: string, t: number) => {
      const steps = row(byTag, tag, () => new Map<number, Acc & { produced: number; consumed: number }>());
      const at = Math.floor(t / stepMs) * stepMs;
      return row(steps, at, () => ({ ...emptyAcc(), produced: 0, consumed: 0 }));
    };
    for (const r of rows) add(step(r.tag, r.t), 1, r);
    for (const m of messageRows) {
      const acc = step(m.tag, m.t);
      if (m.direction === 'produced') acc.produced += m.count;
      else acc.consumed += m.count;
    }
    const perSecond = (n: number) => round(n / (stepMs / 1000));
    return {
      step: stepMs,
      series: [...byTag.keys()].sort().map((tag) => {
        const steps = byTag.get(tag)!;
        const out: TrendPoint[] = [];
        for (let t = from; t <= now; t += stepMs) {
          const acc = steps.get(t);
          const requests = acc?.requests ?? 0;
          out.push({
            t,
            qps: perSecond(requests),
            errorRate: requests > 0 ? round(acc!.errors / requests) : 0,
            p50: acc ? quantile(acc.counts, 0.5) : null,
            p99: acc ? quantile(acc.counts, 0.99) : null,
            produced: perSecond(acc?.produced ?? 0),
            consumed: perSecond(acc?.consumed ?? 0),
          });
        }
        return { tag, points: out };
      }),
    };
  }

  async function figures(namespace: string, app: string, tag: string, fromMs: number, toMs: number) {
    await flush();
    const wanted = tag === BASELINE_TAG ? '' : tag;
    const res = fromMs >= Date.now() - HOUR ? 's' : 'm';
    const rows = await store.queryMetrics(namespace, app, res, fromMs, toMs);
    const acc = emptyAcc();
    for (const r of rows) if (r.tag === wanted) add(acc, 1, r);
    return { requests: round(acc.requests), errors: round(acc.errors), p99Seconds: p99Seconds(acc.counts) };
  }

  async function laneMap(namespace: string, windowMs = 30_000): Promise<LaneMap> {
    await flush();
    // Whole seconds only: the current second is still filling.
    const to = Math.floor(Date.now() / 1000) * 1000;
    const from = to - windowMs;
    const rows = (await store.queryEdges(namespace, 's', from)).filter((r) => r.t < to);
    const byEdge = new Map<string, { row: EdgeRow; acc: Acc }>();
    for (const r of rows) {
      const key = `${r.tag}\0${r.app}\0${r.target}\0${r.targetTag}\0${r.fallback}`;
      add(row(byEdge, key, () => ({ row: r, acc: emptyAcc() })).acc, 1, r);
    }
    const lanes = new Map<string, LaneEdge[]>();
    for (const { row: r, acc } of byEdge.values()) {
      row(lanes, r.tag, () => []).push({
        from: r.app,
        to: r.target,
        targetTag: r.targetTag,
        reached: reachOf(r.tag, r.targetTag),
        rate: round(acc.requests / (windowMs / 1000)),
        errorRate: acc.requests > 0 ? round(acc.errors / acc.requests) : 0,
        requests: round(acc.requests),
        errors: round(acc.errors),
        p99Seconds: p99Seconds(acc.counts),
      });
    }
    return {
      windowMs,
      lanes: [...lanes.keys()].sort().map((tag) => ({
        tag,
        edges: lanes.get(tag)!.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to)),
      })),
    };
  }

  async function messageRates(namespace: string, windowMs = 30_000): Promise<MessageRates> {
    await flush();
    const to = Math.floor(Date.now() / 1000) * 1000;
    const rows = (await store.queryMessages(namespace, undefined, 's', to - windowMs)).filter(
      (r) => r.t < to,
    );
    const items = new Map<string, MessageRates['items'][number]>();
    for (const r of rows) {
      const item = row(items, `${r.app}\0${r.tag}\0${r.system}`, () => ({
        app: r.app,
        tag: r.tag,
        system: r.system,
        produced: 0,
        consumed: 0,
      }));
      if (r.direction === 'produced') item.produced += r.count;
      else item.consumed += r.count;
    }
    const perSecond = (n: number) => round(n / (windowMs / 1000));
    return {
      windowMs,
      items: [...items.values()]
        .map((i) => ({ ...i, produced: perSecond(i.produced), consumed: perSecond(i.consumed) }))
        .sort((a, b) => a.app.localeCompare(b.app) || a.tag.localeCompare(b.tag)),
    };
  }

  return {
    totals,
    record,
    trend,
    figures,
    laneMap,
    messageRates,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
