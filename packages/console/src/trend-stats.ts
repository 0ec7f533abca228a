import type { Trend } from './types.js';

export interface TagStats {
  tag: string;
  qps: number;
  errorRate: number;
}

/**
 * Recent QPS and error rate per tag from a 1 s-step trend: the mean over the last
 * `seconds`, because agents report every few seconds and the newest points are often empty.
 */
export function recentStats(trend: Trend, seconds = 30): TagStats[] {
  return trend.series.map((s) => {
    const recent = s.points.slice(-seconds);
    const requests = recent.reduce((n, p) => n + p.qps, 0);
    const errors = recent.reduce((n, p) => n + p.qps * p.errorRate, 0);
    return {
      tag: s.tag,
      qps: recent.length ? requests / recent.length : 0,
      errorRate: requests > 0 ? errors / requests : 0,
    };
  });
}

export const formatQps = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
export const formatPercent = (v: number) => `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 1)}%`;
export const formatMs = (v: number) =>
  v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`;
