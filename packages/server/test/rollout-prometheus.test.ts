import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { api } from './support/api.js';
import { type Prometheus, startPrometheus } from './support/prometheus.js';
import { type StoreFixture, sqliteFixture } from './support/store-fixture.js';

const rollout = (ns: string, metric: string) => `apiVersion: graylane.io/v1
kind: Lane
metadata: { name: gray, namespace: ${ns} }
spec: { tag: gray, entry: { apps: [b] } }
---
apiVersion: graylane.io/v1
kind: Rollout
metadata: { name: gray, namespace: ${ns} }
spec:
  lane: gray
  steps: [ { weight: 30, pause: 1s }, { weight: 100, pause: 1s } ]
  analysis:
    interval: 1s
    failureLimit: 0
    metrics: [ ${metric} ]
`;

async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  ms = 60000,
): Promise<T> {
  const end = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not after ${ms} ms (last: ${JSON.stringify(last)})`);
}

describe('the prometheus analysis provider against a real Prometheus', () => {
  let fixture: StoreFixture;
  let cp: RunningServer;
  let prometheus: Prometheus;

  beforeAll(async () => {
    fixture = await sqliteFixture();
    cp = await fixture.start({ rolloutTickMs: 100, analysisLagMs: 1500 });
    prometheus = await startPrometheus(new URL(cp.url).host);
  });
  afterAll(async () => {
    await prometheus?.stop();
    await fixture?.cleanup();
  });

  /** What an agent of app b reports: `requests` served in the last second, `errors` of them failed. */
  const report = (ns: string, tag: string, requests: number, errors: number) =>
    api(cp.url)('POST', `/v1/namespaces/${ns}/metrics`, {
      instanceId: `b-${tag || 'base'}`,
      app: 'b',
      tag,
      at: Date.now(),
      intervalMs: 1000,
      bucketsSeconds: [0.01],
      inbound: [
        { tag, codeClass: '2xx', count: requests - errors, sumSeconds: 0, counts: [requests - errors, 0] },
        { tag, codeClass: '5xx', count: errors, sumSeconds: 0, counts: [errors, 0] },
      ],
    });
  const status = async (ns: string) =>
    (await api(cp.url)('GET', `/v1/namespaces/${ns}/rollouts/gray`)).body.status;

  it('completes when the query stays within its bounds, reading the figures Prometheus scraped from the control plane', async () => {
    const ns = 'prom-ok';
    await report(ns, 'gray', 100, 0);
    const query = `sum(graylane_requests_total{namespace="${ns}",tag="gray"})`;
    const metric = `{ name: prometheus, address: '${prometheus.url}', query: '${query}', min: 50 }`;
    expect((await api(cp.url)('POST', '/v1/apply', rollout(ns, metric))).status).toBe(200);
    const done = await waitFor(
      'Completed',
      () => status(ns),
      (s) => s?.phase === 'Completed',
    );
    const passed = done.analysis.filter((r: { verdict: string }) => r.verdict === 'Passed');
    expect(passed.length).toBeGreaterThanOrEqual(2);
    expect(passed[0].metrics[0]).toMatchObject({ name: 'prometheus', value: 100, verdict: 'Passed' });
  });

  it('aborts when the query goes past max, and says the value; a query without data is inconclusive', async () => {
    const ns = 'prom-bad';
    const query = `sum(graylane_requests_total{namespace="${ns}",tag="gray",code_class="5xx"})`;
    const metric = `{ name: prometheus, address: '${prometheus.url}', query: '${query}', max: 10 }`;
    expect((await api(cp.url)('POST', '/v1/apply', rollout(ns, metric))).status).toBe(200);
    // Nothing reported yet: the series does not exist, so the run cannot pass (nor fail).
    const waiting = await waitFor(
      'an inconclusive run',
      () => status(ns),
      (s) => s?.runs >= 1,
    );
    expect(waiting.analysis[0].verdict).toBe('Inconclusive');
    expect(waiting.analysis[0].metrics[0].message).toContain(
      'GL_PROMETHEUS_QUERY_FAILED: the query returned 0 series',
    );
    expect(waiting).toMatchObject({ phase: 'Progressing', step: 0 });

    await report(ns, 'gray', 100, 50);
    const aborted = await waitFor(
      'Aborted',
      () => status(ns),
      (s) => s?.phase === 'Aborted',
    );
    expect(aborted).toMatchObject({ weight: 0, failedRuns: 1 });
    expect(aborted.message).toContain('prometheus: 50 outside max 10');
  });

  it('says which Prometheus did not answer', async () => {
    const ns = 'prom-down';
    const metric = `{ name: prometheus, address: 'http://127.0.0.1:1', query: 'up', max: 1 }`;
    await api(cp.url)('POST', '/v1/apply', rollout(ns, metric));
    const s = await waitFor(
      'a run',
      () => status(ns),
      (v) => v?.runs >= 1,
    );
    expect(s.analysis[0]).toMatchObject({ verdict: 'Inconclusive' });
    expect(s.analysis[0].metrics[0].message).toMatch(
      /GL_PROMETHEUS_QUERY_FAILED: http:\/\/127\.0\.0\.1:1 did not answer/,
    );
  });
});
