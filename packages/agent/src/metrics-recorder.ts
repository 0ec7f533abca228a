/** Upper bounds (ms) of the latency histogram; one more bucket counts everything slower. */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

export interface MetricsWindow {
  requests: number;
  errors: number;
  latencyBucketsMs: number[];
  latencyCounts: number[];
}

const emptyWindow = (): MetricsWindow => ({
  requests: 0,
  errors: 0,
  latencyBucketsMs: LATENCY_BUCKETS_MS,
  latencyCounts: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0),
});

/** One outbound hop; `tag` and `targetTag` are '' for the baseline. */
export interface OutboundRecord {
  /** The app called. */
  target: string;
  /** The lane of the call. */
  tag: string;
  /** The tag of the instance that served it. */
  targetTag: string;
  /** True when the lane had no instance that could take it and the baseline did. */
  fallback: boolean;
  ok: boolean;
  durationMs: number;
}

export interface OutboundCount {
  target: string;
  tag: string;
  targetTag: string;
  fallback: boolean;
  requests: number;
  errors: number;
}

/** Counts outbound hops between two flushes, per target, lane, target tag and fallback. */
export function createOutboundRecorder() {
  let counts = new Map<string, OutboundCount>();
  return {
    recordOutbound({ target, tag, targetTag, fallback, ok }: OutboundRecord): void {
      const key = `${target}\u0000${tag}\u0000${targetTag}\u0000${fallback ? 1 : 0}`;
      let count = counts.get(key);
      if (count === undefined) {
        count = { target, tag, targetTag, fallback, requests: 0, errors: 0 };
        counts.set(key, count);
      }
      count.requests++;
      if (!ok) count.errors++;
    },
    flush(): OutboundCount[] {
      const done = [...counts.values()];
      counts = new Map();
      return done;
    },
  };
}

/**
 * Counts inbound requests between two flushes, per tag: an app's instance counts under its
 * own tag, the gateway under each request's lane. Cheap: no allocation per request.
 */
export function createMetricsRecorder() {
  let windows = new Map<string, MetricsWindow>();
  return {
    record(durationMs: number, failed: boolean, tag = ''): void {
      let window = windows.get(tag);
      if (window === undefined) {
        window = emptyWindow();
        windows.set(tag, window);
      }
      window.requests++;
      if (failed) window.errors++;
      let i = 0;
      while (i < LATENCY_BUCKETS_MS.length && durationMs > LATENCY_BUCKETS_MS[i]!) i++;
      window.latencyCounts[i]!++;
    },
    /** Returns the counts since the last flush, by tag, and starts a new window. */
    flush(): Map<string, MetricsWindow> {
      const done = windows;
      windows = new Map();
      return done;
    },
  };
}
