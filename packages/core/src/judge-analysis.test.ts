import { describe, expect, it } from 'vitest';
import { judgeAnalysis } from './judge-analysis.js';
import { rolloutAnalysisSchema } from './rollout.js';

const analysis = (metrics: unknown[]) =>
  rolloutAnalysisSchema.parse({ interval: '1s', minRequests: 10, metrics });
const side = (requests: number, errors: number, p99Seconds: number | null = 0.1) => ({
  requests,
  errors,
  p99Seconds,
});

describe('judgeAnalysis', () => {
  it('compares the tag against the baseline of the same app', () => {
    const a = analysis([
      { name: 'error-rate', maxVsBaseline: 2 },
      { name: 'latency-p99', maxVsBaseline: 1.5 },
    ]);
    const ok = judgeAnalysis(
      a,
      [{ app: 'b', tag: side(100, 2, 0.12), baseline: side(100, 2, 0.1) }],
      new Map(),
    );
    expect(ok.verdict).toBe('Passed');
    const slow = judgeAnalysis(
      a,
      [{ app: 'b', tag: side(100, 2, 0.3), baseline: side(100, 2, 0.1) }],
      new Map(),
    );
    expect(slow.verdict).toBe('Failed');
    expect(slow.metrics[1]).toMatchObject({
      name: 'latency-p99',
      app: 'b',
      verdict: 'Failed',
      value: 0.3,
      baseline: 0.1,
    });
    expect(slow.metrics[1]!.message).toBe('0.3 > 1.5 × baseline 0.1');
  });

  it('is inconclusive when only a baseline bound is set and the baseline had too few requests', () => {
    const only = analysis([{ name: 'error-rate', maxVsBaseline: 2 }]);
    expect(
      judgeAnalysis(only, [{ app: 'b', tag: side(100, 0), baseline: side(1, 0) }], new Map()).verdict,
    ).toBe('Inconclusive');
    const both = analysis([{ name: 'error-rate', max: 0.1, maxVsBaseline: 2 }]);
    const judged = judgeAnalysis(both, [{ app: 'b', tag: side(100, 0), baseline: side(1, 0) }], new Map());
    expect(judged.verdict).toBe('Passed');
    expect(judged.metrics[0]!.message).toContain('baseline had too few requests');
  });

  it('is inconclusive without a latency figure, without apps, and for a failed query', () => {
    const a = analysis([{ name: 'latency-p99', max: 1 }]);
    expect(
      judgeAnalysis(a, [{ app: 'b', tag: side(100, 0, null), baseline: side(100, 0) }], new Map()).verdict,
    ).toBe('Inconclusive');
    expect(judgeAnalysis(a, [], new Map()).metrics[0]!.message).toBe('no app to judge');
    const p = analysis([{ name: 'prometheus', query: 'up', max: 1 }]);
    const failed = judgeAnalysis(p, [], new Map([[0, { error: 'GL_PROMETHEUS_QUERY_FAILED: down' }]]));
    expect(failed.metrics[0]).toMatchObject({
      verdict: 'Inconclusive',
      message: 'GL_PROMETHEUS_QUERY_FAILED: down',
    });
    expect(judgeAnalysis(p, [], new Map()).verdict).toBe('Inconclusive');
  });

  it('checks a query result against min and max', () => {
    const p = analysis([{ name: 'prometheus', query: 'x', min: 0.5, max: 2 }]);
    expect(judgeAnalysis(p, [], new Map([[0, { value: 1 }]])).metrics[0]).toMatchObject({
      verdict: 'Passed',
      message: '1 within min 0.5, max 2',
    });
    expect(judgeAnalysis(p, [], new Map([[0, { value: 0.1 }]])).verdict).toBe('Failed');
    expect(judgeAnalysis(p, [], new Map([[0, { value: 3 }]])).verdict).toBe('Failed');
  });

  it('rejects metrics without a bound', () => {
    for (const m of [{ name: 'latency-p99' }, { name: 'prometheus', query: 'x' }]) {
      expect(rolloutAnalysisSchema.safeParse({ interval: '1s', metrics: [m] }).success).toBe(false);
    }
  });
});
