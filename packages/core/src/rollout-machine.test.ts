import { describe, expect, it } from 'vitest';
import { judgeAnalysis } from './judge-analysis.js';
import { parseDocuments } from './parse-documents.js';
import type { AnalysisRun, Figures, RolloutSpec } from './rollout.js';
import { actOn, nextWindow, progress, recordRun, startRollout } from './rollout-machine.js';

const doc = (spec: string) => `
apiVersion: graylane.io/v1
kind: Rollout
metadata: { name: gray }
spec: ${spec}
`;
const specOf = (text: string) => (parseDocuments(doc(text))[0] as { spec: RolloutSpec }).spec;
const spec = specOf(`
  lane: gray
  steps: [ { weight: 10, pause: 2s }, { weight: 50, pause: {} }, { weight: 100 } ]
  analysis: { interval: 1s, minRequests: 10, failureLimit: 1, metrics: [ { name: error-rate, max: 0.1 } ] }`);
const fig = (requests: number, errors: number): Figures => ({ requests, errors, p99Seconds: 0.01 });
const run = (errors: number, from: number): AnalysisRun => ({
  run: 1,
  step: 0,
  weight: 10,
  from,
  to: from + 1000,
  ...judgeAnalysis(spec.analysis!, [{ app: 'b', tag: fig(100, errors), baseline: fig(100, 0) }], new Map()),
});

describe('Rollout documents', () => {
  it('reject a bad interval, an empty metric and an unknown field, each with its path', () => {
    let error: { issues: Array<{ path: string }> } | undefined;
    try {
      parseDocuments(
        doc(`{ lane: gray, steps: [ { weight: 10, pause: soon } ], nope: 1,
             analysis: { interval: 500ms, metrics: [ { name: error-rate } ] } }`),
      );
    } catch (e) {
      error = e as typeof error;
    }
    expect(error?.issues.map((i) => i.path).sort()).toEqual([
      'spec',
      'spec.analysis.interval',
      'spec.analysis.metrics.0',
      'spec.steps.0.pause',
    ]);
  });

  it('accept a Lane without conditions or weight only when a Rollout drives it', () => {
    const lane =
      'apiVersion: graylane.io/v1\nkind: Lane\nmetadata: { name: gray }\nspec: { tag: gray, entry: { apps: [a] } }\n';
    expect(() => parseDocuments(lane)).toThrow(/Rollout that drives its weight/);
    expect(parseDocuments(`${lane}---${doc('{ lane: gray, steps: [ { weight: 5 } ] }')}`)).toHaveLength(2);
    expect(parseDocuments(lane, { ownedLanes: new Set(['default/gray']) })).toHaveLength(1);
  });

  it('ignore the status of a Rollout read back from the API', () => {
    const text = doc('{ lane: gray, steps: [ { weight: 5 } ] }') + 'status: { phase: Completed }\n';
    expect(parseDocuments(text)[0]).not.toHaveProperty('status');
  });
});

describe('the rollout walk', () => {
  it('starts at the first weight and moves on only after its pause and a passed run at that weight', () => {
    const s0 = startRollout(spec, '1', 10_000);
    expect(s0).toMatchObject({ phase: 'Progressing', step: 0, weight: 10 });
    expect(progress(spec, s0, 13_000)).toBe(s0); // no analysis run yet
    const s1 = recordRun(spec, s0, run(0, 10_000), 12_000);
    const s2 = progress(spec, s1, 13_000);
    expect(s2).toMatchObject({
      phase: 'Paused',
      step: 1,
      weight: 50,
      message: 'step 2: waiting for promote',
    });
    expect(() => actOn(spec, s2, 'resume', 14_000, 'ann')).toThrow(/waits for promote/);
    const s3 = actOn(spec, s2, 'promote', 14_000, 'ann');
    expect(s3).toMatchObject({ phase: 'Progressing', step: 2, weight: 100 });
    const s4 = progress(spec, recordRun(spec, s3, run(0, 14_000), 15_500), 15_500);
    expect(s4.phase).toBe('Completed');
    expect(() => actOn(spec, s4, 'abort', 16_000, 'ann')).toThrow(
      expect.objectContaining({ code: 'GL_ROLLOUT_STATE' }),
    );
  });

  it('treats too few requests as inconclusive, which never advances a step', () => {
    const s0 = startRollout(spec, '1', 10_000);
    const few = judgeAnalysis(spec.analysis!, [{ app: 'b', tag: fig(3, 0), baseline: fig(3, 0) }], new Map());
    expect(few.verdict).toBe('Inconclusive');
    const s1 = recordRun(spec, s0, { ...run(0, 10_000), ...few }, 12_000);
    expect(progress(spec, s1, 20_000).step).toBe(0);
    expect(s1.failedRuns).toBe(0);
  });

  it('aborts on the failed run after failureLimit, with weight 0 and the figures in the reason', () => {
    let s = startRollout(spec, '1', 10_000);
    s = recordRun(spec, s, run(50, 10_000), 12_000);
    expect(s.phase).toBe('Progressing');
    s = recordRun(spec, s, run(50, 11_000), 13_000);
    expect(s).toMatchObject({ phase: 'Aborted', weight: 0, failedRuns: 2 });
    expect(s.message).toContain('error-rate b: 0.5 > max 0.1');
    const retried = actOn(spec, s, 'retry', 14_000, 'ann');
    expect(retried).toMatchObject({ phase: 'Progressing', weight: 10, failedRuns: 0, runs: 0 });
  });

  it('counts analysis windows in whole seconds from the start, and pause gives a timed step its time back', () => {
    const s0 = startRollout(spec, '1', 10_400);
    expect(nextWindow(spec, s0)).toEqual({ from: 11_000, to: 12_000 });
    const paused = actOn(spec, s0, 'pause', 11_000, 'ann');
    const resumed = actOn(spec, paused, 'resume', 21_000, 'ann');
    expect(resumed.stepStartedAt).toBe(20_400);
  });
});

describe('catching up after downtime', () => {
  it('skips windows too old to judge instead of judging each one', async () => {
    const { skipStaleWindows } = await import('./rollout-machine.js');
    const s0 = startRollout(spec, '1', 10_000);
    expect(skipStaleWindows(spec, s0, 12_000)).toBe(s0);
    const later = skipStaleWindows(spec, s0, 30_000);
    expect(nextWindow(spec, later)!.to).toBeGreaterThan(30_000 - 3000);
    expect(nextWindow(spec, { ...s0, phase: 'Aborted' })).toBeUndefined();
  });
});
