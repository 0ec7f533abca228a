import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../store/create-store.js';
import type { Store } from '../store/store.js';
import { createMetrics, type Metrics, reachOf } from './create-metrics.js';

const BUCKETS = [0.01, 0.1, 1];
let store: Store;
let metrics: Metrics;

beforeAll(async () => {
  store = await createStore({ data: mkdtempSync(join(tmpdir(), 'graylane-metrics-')) });
  metrics = createMetrics(store, 60_000);
});
afterAll(async () => {
  await metrics.close();
  await store.close();
});

const report = (tag: string, at: number, ok: number, failed: number, slow = 0) =>
  metrics.record('default', {
    instanceId: `x-${tag || 'base'}`,
    app: 'orders',
    tag,
    at,
    intervalMs: 1000,
    bucketsSeconds: BUCKETS,
    inbound: [
      { tag, codeClass: '2xx', count: ok, sumSeconds: 0, counts: [ok - slow, 0, slow, 0] },
      { tag, codeClass: '5xx', count: failed, sumSeconds: 0, counts: [failed, 0, 0, 0] },
    ],
    outbound: [],
    messages: [],
  });

describe('metrics.figures', () => {
  it("gives one tag's requests, errors and p99 in an interval, from the store", async () => {
    const t = Math.floor(Date.now() / 1000) * 1000 - 10_000;
    report('gray', t + 1000, 90, 10, 5); // the second [t, t+1000)
    report('gray', t + 5000, 50, 0); // outside the interval asked below
    report('', t + 1000, 200, 0);
    const gray = await metrics.figures('default', 'orders', 'gray', t, t + 2000);
    expect(gray).toMatchObject({ requests: 100, errors: 10 });
    // 5 of 100 took 0.1-1 s: the p99 lies in that bucket.
    expect(gray.p99Seconds).toBeGreaterThan(0.1);
    expect(gray.p99Seconds).toBeLessThanOrEqual(1);
    expect(await metrics.figures('default', 'orders', 'baseline', t, t + 2000)).toMatchObject({
      requests: 200,
      errors: 0,
    });
    expect(await metrics.figures('default', 'orders', 'blue', t, t + 2000)).toEqual({
      requests: 0,
      errors: 0,
      p99Seconds: null,
    });
  });
});

describe('reachOf', () => {
  it('tells a hop in the lane from a fallback to the baseline and from a leak', () => {
    expect(reachOf('gray', 'gray')).toBe('lane');
    expect(reachOf('', '')).toBe('lane');
    expect(reachOf('gray', '')).toBe('fallback');
    expect(reachOf('', 'gray')).toBe('leak');
    expect(reachOf('gray', 'blue')).toBe('leak');
  });
});
