import { describe, expect, it } from 'vitest';
import { compileLanes } from './compile-lanes.js';
import { effectiveLane } from './effective-lane.js';
import { createRequestView } from './request-view.js';
import type { Lane } from './resources.js';
import type { RolloutStatus } from './rollout.js';

const lane: Lane = {
  apiVersion: 'graylane.io/v1',
  kind: 'Lane',
  metadata: { name: 'gray', namespace: 'default' },
  spec: {
    tag: 'gray',
    priority: 0,
    entry: { apps: ['a'], weight: 0 },
    propagation: true,
    fallback: 'baseline',
  },
};
const status = (weight: number) => ({ status: { weight } as RolloutStatus });
const view = createRequestView({ method: 'GET', url: '/', headers: {} });

describe('effectiveLane', () => {
  it('leaves a lane no rollout drives as written', () => {
    expect(effectiveLane(lane, undefined)).toBe(lane);
  });

  it('gives the lane the rollout weight', () => {
    expect(effectiveLane(lane, status(30)).spec.entry?.weight).toBe(30);
    const all = compileLanes([effectiveLane(lane, status(100))], 'a');
    expect(all(view)?.tag).toBe('gray');
  });

  it('drops the entry at weight 0 and before the controller ran, so no request enters the lane', () => {
    for (const driven of [status(0), {}]) {
      const effective = effectiveLane(
        { ...lane, spec: { ...lane.spec, entry: { apps: ['a'], weight: 40 } } },
        driven,
      );
      expect(effective.spec.entry).toBeUndefined();
      expect(compileLanes([effective], 'a')(view)).toBeUndefined();
    }
  });

  it('colours nothing with an entry that has neither conditions nor weight', () => {
    expect(compileLanes([lane], 'a')(view)).toBeUndefined();
  });
});
