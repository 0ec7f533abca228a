import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Upper bounds (seconds) of every latency histogram the agent keeps; one more bucket
 * counts everything slower. The control plane uses the same bounds, so nothing is rebinned.
 */
export const LATENCY_BUCKETS_SECONDS = [
  0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

/** HTTP status classes; gRPC statuses are mapped onto them (see grpcCodeClass). */
export type CodeClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';

export function httpCodeClass(status: number): CodeClass {
  if (status >= 500 || status < 100) return '5xx';
  return `${Math.floor(status / 100)}xx` as CodeClass;
}

// Statuses that say the caller asked for something wrong; everything else that is not OK
// is the server's failure (UNKNOWN, INTERNAL, UNAVAILABLE, DEADLINE_EXCEEDED, ...).
const GRPC_CLIENT_ERRORS = new Set([1, 3, 5, 6, 7, 9, 11, 16]);

/** gRPC status → code class: OK is 2xx, the caller's mistakes 4xx, the rest 5xx. */
export function grpcCodeClass(code: number | null | undefined): CodeClass {
  if (code === 0 || code == null) return '2xx';
  return GRPC_CLIENT_ERRORS.has(code) ? '4xx' : '5xx';
}

export type MessageDirection = 'produced' | 'consumed';

/** One outbound call to a governed app (the outbound path records each). `tag`/`targetTag` '' is the baseline. */
export interface OutboundRecord {
  /** The app called. */
  target: string;
  /** The lane of the call (the context tag). */
  tag: string;
  /** The tag of the instance that served it. */
  targetTag: string;
  /** The lane had no instance of the target that could take the call: it went to the baseline. */
  fallback: boolean;
  ok: boolean;
  durationMs: number;
}

export interface MessageSample {
  /** `rocketmq`, `kafka`, ...: the broker family, open for more. */
  system: string;
  direction: MessageDirection;
  tag: string;
  count?: number;
}

export interface Histogram {
  count: number;
  sumSeconds: number;
  /** One count per bound of LATENCY_BUCKETS_SECONDS, the last for slower calls. */
  counts: number[];
}

/** What an agent sends per flush; the control plane's `POST /v1/namespaces/{ns}/metrics` body (with identity). */
export interface MetricsReport {
  bucketsSeconds: readonly number[];
  inbound: Array<{ tag: string; codeClass: CodeClass } & Histogram>;
  outbound: Array<
    { target: string; tag: string; targetTag: string; fallback: boolean; errors: number } & Histogram
  >;
  messages: Array<{ tag: string; direction: MessageDirection; system: string; count: number }>;
  runtime: RuntimeSample;
}

export interface RuntimeSample {
  heapUsedBytes: number;
  heapTotalBytes: number;
  rssBytes: number;
  /** Mean event-loop delay over the interval, and its 99th percentile. */
  eventLoopLagSeconds: number;
  eventLoopLagP99Seconds: number;
}

const emptyHistogram = (): Histogram => ({
  count: 0,
  sumSeconds: 0,
  counts: new Array<number>(LATENCY_BUCKETS_SECONDS.length + 1).fill(0),
});

function observe(h: Histogram, durationMs: number): void {
  const seconds = Math.max(0, durationMs) / 1000;
  h.count++;
  h.sumSeconds += seconds;
  let i = 0;
  while (i < LATENCY_BUCKETS_SECONDS.length && seconds > LATENCY_BUCKETS_SECONDS[i]!) i++;
  h.counts[i]!++;
}

function entry<T>(map: Map<string, T>, key: string, make: () => T): T {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

export type MetricsRecorder = ReturnType<typeof createMetricsRecorder>;

/**
 * Counts what an instance did between two flushes: inbound requests by lane and code
 * class, outbound calls by edge (target, tag reached, fallback) and messages by tag.
 * Cheap on the request path: a map lookup and a few increments, no allocation once a
 * series exists.
 */
export function createMetricsRecorder() {
  let inbound = new Map<string, MetricsReport['inbound'][number]>();
  let outbound = new Map<string, MetricsReport['outbound'][number]>();
  let messages = new Map<string, MetricsReport['messages'][number]>();
  // The series the last call counted in (until the next flush).
  let lastInbound: MetricsReport['inbound'][number] | undefined;
  let lastOutbound: MetricsReport['outbound'][number] | undefined;
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();

  return {
    recordInbound(durationMs: number, codeClass: CodeClass, tag: string): void {
      let series = lastInbound;
      if (series === undefined || series.tag !== tag || series.codeClass !== codeClass) {
        series = entry(inbound, `${tag}\0${codeClass}`, () => ({ tag, codeClass, ...emptyHistogram() }));
        lastInbound = series;
      }
      observe(series, durationMs);
    },
    recordOutbound(s: OutboundRecord): void {
      // Calls repeat their edge: the last one's series is reused without building its key.
      let series = lastOutbound;
      if (
        series === undefined ||
        series.target !== s.target ||
        series.tag !== s.tag ||
        series.targetTag !== s.targetTag ||
        series.fallback !== s.fallback
      ) {
        series = entry(outbound, `${s.target}\0${s.tag}\0${s.targetTag}\0${s.fallback}`, () => ({
          target: s.target,
          tag: s.tag,
          targetTag: s.targetTag,
          fallback: s.fallback,
          errors: 0,
          ...emptyHistogram(),
        }));
        lastOutbound = series;
      }
      observe(series, s.durationMs);
      if (!s.ok) series.errors++;
    },
    recordMessage(s: MessageSample): void {
      const series = entry(messages, `${s.tag}\0${s.direction}\0${s.system}`, () => ({
        tag: s.tag,
        direction: s.direction,
        system: s.system,
        count: 0,
      }));
      series.count += s.count ?? 1;
    },
    /** Everything since the last flush, and starts a new interval. */
    flush(): MetricsReport {
      const memory = process.memoryUsage();
      const report: MetricsReport = {
        bucketsSeconds: LATENCY_BUCKETS_SECONDS,
        inbound: [...inbound.values()],
        outbound: [...outbound.values()],
        messages: [...messages.values()],
        runtime: {
          heapUsedBytes: memory.heapUsed,
          heapTotalBytes: memory.heapTotal,
          rssBytes: memory.rss,
          // The histogram is in nanoseconds; NaN until it saw a sample.
          eventLoopLagSeconds: Number.isFinite(loop.mean) ? loop.mean / 1e9 : 0,
          eventLoopLagP99Seconds: loop.count > 0 ? loop.percentile(99) / 1e9 : 0,
        },
      };
      loop.reset();
      inbound = new Map();
      outbound = new Map();
      lastInbound = undefined;
      lastOutbound = undefined;
      messages = new Map();
      return report;
    },
    stop(): void {
      loop.disable();
    },
  };
}
