import type { AnalysisRun, Figures, MetricResult, RolloutAnalysis, Verdict } from './rollout.js';

export interface AppFigures {
  app: string;
  tag: Figures;
  baseline: Figures;
}

/** A prometheus metric's value for the window, or why it could not be read. */
export type QueryResult = { value: number } | { error: string };

const share = (f: Figures) => (f.requests > 0 ? f.errors / f.requests : 0);
const fmt = (n: number) => String(Math.round(n * 10000) / 10000);

function worst(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('Failed')) return 'Failed';
  if (verdicts.includes('Inconclusive') || verdicts.length === 0) return 'Inconclusive';
  return 'Passed';
}

/** One bound check of a per-app metric: against an absolute `max`, then against the baseline. */
function compare(
  label: string,
  app: string,
  value: number | null,
  baseline: number | null,
  limits: { max?: number; maxVsBaseline?: number },
  baselineReady: boolean,
): MetricResult {
  const base = { name: label, app, value, baseline };
  if (value === null) return { ...base, verdict: 'Inconclusive', message: 'not measured' };
  const reasons: string[] = [];
  let verdict: Verdict = 'Passed';
  if (limits.max !== undefined) {
    if (value > limits.max) {
      verdict = 'Failed';
      reasons.push(`${fmt(value)} > max ${fmt(limits.max)}`);
    } else reasons.push(`${fmt(value)} ≤ max ${fmt(limits.max)}`);
  }
  if (limits.maxVsBaseline !== undefined) {
    if (!baselineReady || baseline === null) {
      // Only a bound that cannot be checked at all makes the metric inconclusive.
      if (limits.max === undefined) verdict = 'Inconclusive';
      reasons.push('baseline had too few requests to compare');
    } else {
      const bound = baseline * limits.maxVsBaseline;
      if (value > bound) {
        verdict = 'Failed';
        reasons.push(`${fmt(value)} > ${limits.maxVsBaseline} × baseline ${fmt(baseline)}`);
      } else reasons.push(`${fmt(value)} ≤ ${limits.maxVsBaseline} × baseline ${fmt(baseline)}`);
    }
  }
  return { ...base, verdict, message: reasons.join('; ') };
}

/**
 * Judges one analysis window. Each app is judged on its own: fewer than
 * `minRequests` requests at the tag's instances is inconclusive (not a pass).
 * The run fails if any metric failed, is inconclusive if any could not be
 * judged, and passes only when every metric passed.
 */
export function judgeAnalysis(
  analysis: RolloutAnalysis,
  apps: readonly AppFigures[],
  queries: ReadonlyMap<number, QueryResult>,
): Pick<AnalysisRun, 'verdict' | 'metrics' | 'figures'> {
  const metrics: MetricResult[] = [];
  analysis.metrics.forEach((metric, index) => {
    if (metric.name === 'prometheus') {
      const q = queries.get(index) ?? { error: 'not queried' };
      if ('error' in q) {
        metrics.push({ name: 'prometheus', value: null, verdict: 'Inconclusive', message: q.error });
        return;
      }
      const low = metric.min !== undefined && q.value < metric.min;
      const high = metric.max !== undefined && q.value > metric.max;
      const bounds = [
        metric.min !== undefined ? `min ${metric.min}` : '',
        metric.max !== undefined ? `max ${metric.max}` : '',
      ].filter(Boolean);
      metrics.push({
        name: 'prometheus',
        value: q.value,
        verdict: low || high ? 'Failed' : 'Passed',
        message: `${fmt(q.value)} ${low || high ? 'outside' : 'within'} ${bounds.join(', ')}`,
      });
      return;
    }
    if (apps.length === 0) {
      metrics.push({ name: metric.name, value: null, verdict: 'Inconclusive', message: 'no app to judge' });
      return;
    }
    for (const f of apps) {
      if (f.tag.requests < analysis.minRequests) {
        metrics.push({
          name: metric.name,
          app: f.app,
          value: null,
          verdict: 'Inconclusive',
          message: `${fmt(f.tag.requests)} requests < minRequests ${analysis.minRequests}`,
        });
        continue;
      }
      const baselineReady = f.baseline.requests >= analysis.minRequests;
      if (metric.name === 'error-rate') {
        metrics.push(compare('error-rate', f.app, share(f.tag), share(f.baseline), metric, baselineReady));
      } else {
        metrics.push(
          compare('latency-p99', f.app, f.tag.p99Seconds, f.baseline.p99Seconds, metric, baselineReady),
        );
      }
    }
  });
  return { verdict: worst(metrics.map((m) => m.verdict)), metrics, figures: [...apps] };
}
