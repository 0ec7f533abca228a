import { metricTag } from '@graylane/core';
import type { ConfigHub } from '../hub/create-config-hub.js';
import type { HistogramTotal, MetricTotals, Series } from './metric-totals.js';
import { LE_SECONDS } from './metric-totals.js';
import type { ProcessMetrics } from './process-metrics.js';

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const TAG_LABELS = new Set(['tag', 'target_tag']);
// The baseline is spelled `baseline` on the wire to Prometheus ('' inside Graylane).
const labels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${escapeLabel(TAG_LABELS.has(k) ? metricTag(v) : v)}"`)
    .join(',')}}`;

/** A runtime sample older than this is an instance that went away: its gauges disappear. */
const RUNTIME_STALE_MS = 60_000;

/**
 * The Prometheus text exposition (format 0.0.4). Counters are what this replica
 * received since it started (Prometheus sums replicas and handles restarts);
 * histograms carry the real sums the agents measured.
 */
export function prometheusText(
  totals: MetricTotals,
  hub: ConfigHub,
  process: ProcessMetrics,
  now = Date.now(),
): string {
  const out: string[] = [];
  const help = (name: string, type: string, text: string) =>
    out.push(`# HELP ${name} ${text}`, `# TYPE ${name} ${type}`);
  const histogram = (name: string, l: Record<string, string>, h: HistogramTotal) => {
    let cumulative = 0;
    h.counts.forEach((n, i) => {
      cumulative += n;
      const le = LE_SECONDS[i] ?? '+Inf';
      out.push(`${name}_bucket${labels({ ...l, le })} ${cumulative}`);
    });
    out.push(`${name}_sum${labels(l)} ${h.sumSeconds}`, `${name}_count${labels(l)} ${h.count}`);
  };
  const each = <T>(map: Map<string, Series<T>>, f: (s: Series<T>) => void) => {
    for (const s of map.values()) f(s);
  };

  help(
    'graylane_requests_total',
    'counter',
    'Inbound HTTP and gRPC requests (streams included) by app, tag and code class.',
  );
  each(totals.requests, (s) => out.push(`graylane_requests_total${labels(s.labels)} ${s.value}`));
  help(
    'graylane_request_duration_seconds',
    'histogram',
    'Inbound request duration in seconds, by app and tag.',
  );
  each(totals.durations, (s) => histogram('graylane_request_duration_seconds', s.labels, s.value));

  help(
    'graylane_outbound_requests_total',
    'counter',
    'Calls to governed apps: the lane (tag), the tag reached (target_tag) and whether it fell back.',
  );
  each(totals.outbound, (s) =>
    out.push(`graylane_outbound_requests_total${labels(s.labels)} ${s.value.count}`),
  );
  help(
    'graylane_outbound_errors_total',
    'counter',
    'Calls to governed apps that failed (no answer, 5xx, gRPC server error).',
  );
  each(totals.outbound, (s) =>
    out.push(`graylane_outbound_errors_total${labels(s.labels)} ${s.value.errors}`),
  );
  help(
    'graylane_outbound_request_duration_seconds',
    'histogram',
    'Duration of calls to governed apps in seconds.',
  );
  each(totals.outbound, (s) => histogram('graylane_outbound_request_duration_seconds', s.labels, s.value));

  help(
    'graylane_messages_total',
    'counter',
    'Messages produced and consumed, by lane tag and broker system.',
  );
  each(totals.messages, (s) => out.push(`graylane_messages_total${labels(s.labels)} ${s.value}`));

  const fresh = [...totals.runtime.values()].filter((s) => now - s.value.at <= RUNTIME_STALE_MS);
  const gauge = (
    name: string,
    text: string,
    pick: (r: Series<{ sample: Record<string, number> }>) => number,
  ) => {
    help(name, 'gauge', text);
    for (const s of fresh) out.push(`${name}${labels(s.labels)} ${pick(s)}`);
  };
  gauge(
    'graylane_instance_heap_used_bytes',
    'V8 heap in use, per instance (gateway included).',
    (s) => s.value.sample.heapUsedBytes!,
  );
  gauge(
    'graylane_instance_heap_total_bytes',
    'V8 heap size, per instance.',
    (s) => s.value.sample.heapTotalBytes!,
  );
  gauge(
    'graylane_instance_resident_memory_bytes',
    'Resident memory, per instance.',
    (s) => s.value.sample.rssBytes!,
  );
  gauge(
    'graylane_instance_eventloop_lag_seconds',
    'Mean event-loop delay over the last report interval, per instance.',
    (s) => s.value.sample.eventLoopLagSeconds!,
  );
  gauge(
    'graylane_instance_eventloop_lag_p99_seconds',
    '99th percentile of the event-loop delay over the last report interval, per instance.',
    (s) => s.value.sample.eventLoopLagP99Seconds!,
  );

  const spaces = hub.loaded();
  help('graylane_instances', 'gauge', 'Registered instances, by app and tag.');
  for (const s of spaces) {
    const counts = new Map<string, number>();
    for (const i of s.instances.values()) {
      const k = `${i.app}\0${i.tag}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    for (const [k, n] of counts) {
      const [app, tag] = k.split('\0') as [string, string];
      out.push(`graylane_instances${labels({ namespace: s.name, app, tag })} ${n}`);
    }
  }
  help('graylane_config_version', 'gauge', 'Current configuration version of each namespace.');
  for (const s of spaces) out.push(`graylane_config_version${labels({ namespace: s.name })} ${s.version}`);
  help('graylane_watchers', 'gauge', 'Open watch streams on this replica.');
  for (const s of spaces) out.push(`graylane_watchers${labels({ namespace: s.name })} ${s.watchers.size}`);

  out.push(...process.lines());
  return `${out.join('\n')}\n`;
}
