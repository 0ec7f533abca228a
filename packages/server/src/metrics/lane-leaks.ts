/**
 * Lane leaks agents report: requests that reached an instance their lane should not
 * have sent there (a Kubernetes Service that selects gray pods, say). Counters of
 * this replica since it started, as the request counters are (Prometheus sums replicas).
 */
export interface LaneLeaks {
  add(namespace: string, app: string, tag: string, count: number): void;
  /** Counts of one app by the tag of the instances that received them. */
  ofApp(namespace: string, app: string): Record<string, number>;
  /** `graylane_lane_leaks_total` in the Prometheus text format. */
  prometheus(): string;
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function createLaneLeaks(): LaneLeaks {
  const totals = new Map<string, number>();
  return {
    add(namespace, app, tag, count) {
      const key = `${namespace}\0${app}\0${tag}`;
      totals.set(key, (totals.get(key) ?? 0) + count);
    },
    ofApp(namespace, app) {
      const out: Record<string, number> = {};
      for (const [key, n] of totals) {
        const [ns, a, tag] = key.split('\0') as [string, string, string];
        if (ns === namespace && a === app) out[tag] = n;
      }
      return out;
    },
    prometheus() {
      const out = [
        '# HELP graylane_lane_leaks_total Requests that reached an instance their lane should not reach, by the tag of that instance.',
        '# TYPE graylane_lane_leaks_total counter',
      ];
      for (const [key, n] of totals) {
        const [ns, app, tag] = key.split('\0') as [string, string, string];
        out.push(
          `graylane_lane_leaks_total{namespace="${escapeLabel(ns)}",app="${escapeLabel(app)}",tag="${escapeLabel(tag || 'baseline')}"} ${n}`,
        );
      }
      return `${out.join('\n')}\n`;
    },
  };
}
