/** Upper bounds (ms) of the latency histogram; one more bucket counts everything slower. */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

export interface MetricsWindow {
  requests: number;
  errors: number;
  latencyBucketsMs: number[];
  latencyCounts: number[];
}

/** Counts inbound requests of this instance between two flushes. Cheap: no allocation per request. */
export function createMetricsRecorder() {
  let requests = 0;
  let errors = 0;
  let counts = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  return {
    record(durationMs: number, failed: boolean): void {
      requests++;
      if (failed) errors++;
      let i = 0;
      while (i < LATENCY_BUCKETS_MS.length && durationMs > LATENCY_BUCKETS_MS[i]!) i++;
      counts[i]!++;
    },
    /** Returns the counts since the last flush and starts a new window. */
    flush(): MetricsWindow {
      const window = { requests, errors, latencyBucketsMs: LATENCY_BUCKETS_MS, latencyCounts: counts };
      requests = 0;
      errors = 0;
      counts = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
      return window;
    },
  };
}
