import type { ConfigHub } from '../hub/create-config-hub.js';
import { LATENCY_BOUNDS_MS } from '../store/schema.js';
import type { Totals } from './create-metrics.js';

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',')}}`;

/**
 * The Prometheus text exposition. Request counters are what this replica received
 * since it started (Prometheus sums replicas); `_sum` is estimated from bucket
 * midpoints because agents report buckets, not sums.
 */
export function prometheusText(totals: ReadonlyMap<string, Totals>, hub: ConfigHub): string {
  const out: string[] = [];
  const help = (name: string, type: string, text: string) =>
    out.push(`# HELP ${name} ${text}`, `# TYPE ${name} ${type}`);

  help('graylane_requests_total', 'counter', 'Requests reported by agents, by app and tag.');
  for (const [key, t] of totals) out.push(`graylane_requests_total${labels(split(key))} ${t.requests}`);
  help('graylane_errors_total', 'counter', 'Failed requests reported by agents, by app and tag.');
  for (const [key, t] of totals) out.push(`graylane_errors_total${labels(split(key))} ${t.errors}`);
  help('graylane_request_duration_ms', 'histogram', 'Request latency reported by agents, in milliseconds.');
  for (const [key, t] of totals) {
    const l = split(key);
    let cumulative = 0;
    let sum = 0;
    t.counts.forEach((n, i) => {
      cumulative += n;
      const upper = LATENCY_BOUNDS_MS[i];
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      sum += n * (upper === undefined ? lower : (lower + upper) / 2);
      const le = upper === undefined ? '+Inf' : String(upper);
      out.push(`graylane_request_duration_ms_bucket${labels({ ...l, le })} ${cumulative}`);
    });
    out.push(`graylane_request_duration_ms_sum${labels(l)} ${sum}`);
    out.push(`graylane_request_duration_ms_count${labels(l)} ${cumulative}`);
  }

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
  return `${out.join('\n')}\n`;
}

function split(key: string): Record<string, string> {
  const [namespace, app, tag] = key.split('\0') as [string, string, string];
  return { namespace, app, tag };
}
