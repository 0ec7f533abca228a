import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, startServer } from '@graylane/server';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, cacheDir, call, type Service, startService, waitFor } from './support/cluster.js';

// A real chain: front (baseline, the lane's entry app) calls back, which runs a
// baseline and a gray version under the agent. The Rollout drives the lane's
// weight; analysis reads what the agents report to the control plane.

const data = mkdtempSync(join(tmpdir(), 'graylane-rollout-'));
const fast = { rolloutTickMs: 100, analysisLagMs: 1500 };
const agentEnv = { GRAYLANE_METRICS_INTERVAL_MS: '200' };

async function startControlPlane(port = 0): Promise<RunningServer> {
  return startServer({ port, host: '127.0.0.1', data, adminToken: ADMIN_TOKEN, log: () => {}, ...fast });
}

function api(url: string) {
  return async (method: string, path: string, body?: string) => {
    const send = () =>
      fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/yaml' },
        body,
      });
    // After the restart, a pooled keep-alive connection to the old process may be closed under us: one retry.
    const res = await send().catch(send);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

const lane = (ns: string) => `
apiVersion: graylane.io/v1
kind: Lane
metadata: { name: gray, namespace: ${ns} }
spec: { tag: gray, entry: { apps: [front] } }
`;

/**
 * Calls the front in four loops and keeps every answer, so counts say where traffic went.
 * Four, not one: each 1 s analysis window needs minRequests at the gray instances, and one
 * loop on a busy machine, a call taking a few hundred ms, leaves windows inconclusive.
 */
function traffic(port: () => number) {
  const answers: Array<{ sent: number; text: string }> = [];
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const sent = Date.now();
      const r = await call(port(), '/chain').catch((e: Error) => ({ status: 0, text: e.message }));
      answers.push({ sent, text: `${r.status} ${r.text}` });
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const done = Promise.all([loop(), loop(), loop(), loop()]);
  return {
    /**
     * At least `n` answers to calls sent from now on (all of those in by then). By when they
     * were sent, not when they came back: with four loops, a call sent before a change can
     * come back after calls sent later.
     */
    async next(n: number): Promise<string[]> {
      const from = Date.now();
      const since = () => answers.filter((a) => a.sent > from).map((a) => a.text);
      await waitFor(`${n} more answers`, async () => since().length >= n, 30_000);
      return since();
    },
    async stop() {
      stopped = true;
      await done;
    },
  };
}

interface Chain {
  ns: string;
  front: Service;
  services: Service[];
}

async function startChain(server: string, ns: string, grayEnv: Record<string, string> = {}): Promise<Chain> {
  const common = { server, namespace: ns, transport: 'http' as const };
  const services = await Promise.all([
    startService({ ...common, app: 'back', cacheDir: cacheDir(), env: agentEnv }),
    startService({
      ...common,
      app: 'back',
      tag: 'gray',
      cacheDir: cacheDir(),
      env: { ...agentEnv, ...grayEnv },
    }),
    startService({ ...common, app: 'front', next: 'back', cacheDir: cacheDir(), env: agentEnv }),
  ]);
  return { ns, front: services[2]!, services };
}

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const s of running.splice(0).reverse()) await s.stop();
});

let cp: RunningServer | undefined;
afterAll(async () => cp?.close());

async function statusOf(ns: string) {
  return (await api(cp!.url)('GET', `/v1/namespaces/${ns}/rollouts/gray`)).body.status;
}

describe('a Rollout on a real chain', () => {
  it('aborts a gray version that fails half its requests by itself at the failureLimit + 1st failed window of its first step, none passing, and the lane then gets no new traffic', async () => {
    cp ??= await startControlPlane();
    const ns = 'rollout-bad';
    const hooks: Array<{ phase: string; message: string }> = [];
    let refused = 0;
    const hook: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        // The first delivery fails: the webhook is retried.
        if (refused++ === 0) return res.writeHead(503).end();
        hooks.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    running.push({ stop: () => new Promise<void>((r) => hook.close(() => r())) });
    const chain = await startChain(cp.url, ns, { FAIL_EVERY: '2' });
    running.push(...chain.services);
    const load = traffic(() => chain.front.http);
    running.push(load);

    const failureLimit = 1;
    await api(cp.url)(
      'POST',
      '/v1/apply',
      `${lane(ns)}---
apiVersion: graylane.io/v1
kind: Rollout
metadata: { name: gray, namespace: ${ns} }
spec:
  lane: gray
  steps: [ { weight: 50, pause: 1h }, { weight: 100 } ]
  analysis:
    interval: 1s
    apps: [back]
    minRequests: 5
    failureLimit: ${failureLimit}
    metrics: [ { name: error-rate, max: 0.1 } ]
  webhooks: [ { url: 'http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook' } ]
`,
    );
    await waitFor('the rollout aborts', async () => (await statusOf(ns))?.phase === 'Aborted', 30000);
    const status = await statusOf(ns);
    // No window passed, all at the first step, and the abort came with the (failureLimit+1)th
    // failure. A window the load did not fill with minRequests is inconclusive, not a pass: how
    // many requests fit in a second depends on the machine, so such windows may come between.
    expect(status).toMatchObject({ phase: 'Aborted', weight: 0, step: 0, failedRuns: failureLimit + 1 });
    type Run = { verdict: string; step: number; metrics: Array<{ message: string }> };
    const runs: Run[] = status.analysis;
    expect(status.runs).toBe(runs.length);
    expect(runs.map((r) => r.step)).toEqual(runs.map(() => 0));
    expect(runs.filter((r) => r.verdict === 'Failed')).toHaveLength(failureLimit + 1);
    expect(runs.at(-1)!.verdict).toBe('Failed');
    const unfilled = runs.filter((r) => r.verdict !== 'Failed');
    expect(unfilled.map((r) => [r.verdict, r.metrics.map((m) => m.message.replace(/^[\d.]+/, 'N'))])).toEqual(
      unfilled.map(() => ['Inconclusive', ['N requests < minRequests 5']]),
    );
    const last = status.analysis.at(-1);
    expect(last.figures[0].app).toBe('back');
    expect(last.figures[0].tag.errors / last.figures[0].tag.requests).toBeGreaterThan(0.1);
    expect(status.message).toMatch(/error-rate back: 0\.\d+ > max 0\.1/);

    // The lane's entry is gone from what agents receive: no new request is coloured gray.
    const watch = await fetch(`${cp.url}/v1/namespaces/${ns}/watch`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const reader = watch.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const snapshot = JSON.parse(/data: (.*)/.exec(first)![1]!);
    expect(snapshot.lanes[0].spec.entry).toBeUndefined();
    await waitFor('the front hears of the abort', async () =>
      (await load.next(10)).every((a) => a.includes('back[base]')),
    );
    const after = await load.next(100);
    expect(after.filter((a) => a.includes('back[gray]'))).toEqual([]);
    expect(after.every((a) => a.startsWith('200 front[base] -> back[base]'))).toBe(true);

    const audit = (await api(cp.url)('GET', `/v1/audit?namespace=${ns}`)).body.items;
    const abort = audit.find((e: { action: string }) => e.action === 'rollout-aborted');
    expect(abort.after.analysis.at(-1).figures[0].tag.requests).toBeGreaterThanOrEqual(5);
    expect(abort.after.message).toContain('failureLimit 1');
    await waitFor('the webhook hears of the abort (after a retry)', async () =>
      hooks.some((h) => h.phase === 'Aborted'),
    );
    expect(hooks.find((h) => h.phase === 'Aborted')!.message).toContain('error-rate back');
  });

  it('walks a healthy gray version through every step to Completed, and a control-plane restart in the middle changes nothing', async () => {
    cp ??= await startControlPlane();
    const ns = 'rollout-good';
    const chain = await startChain(cp.url, ns);
    running.push(...chain.services);
    const load = traffic(() => chain.front.http);
    running.push(load);
    await api(cp.url)(
      'POST',
      '/v1/apply',
      `${lane(ns)}---
apiVersion: graylane.io/v1
kind: Rollout
metadata: { name: gray, namespace: ${ns} }
spec:
  lane: gray
  steps: [ { weight: 20, pause: 1s }, { weight: 50, pause: {} }, { weight: 100, pause: 1s } ]
  analysis:
    interval: 1s
    minRequests: 5
    failureLimit: 0
    metrics: [ { name: error-rate, max: 0.05 }, { name: latency-p99, max: 5 } ]
`,
    );
    await waitFor(
      'the rollout waits for promote at step 2',
      async () => {
        const s = await statusOf(ns);
        return s?.phase === 'Paused' && s.step === 1;
      },
      30000,
    );
    const before = await statusOf(ns);
    expect(before.weight).toBe(50);

    // Restart on the same store and port: the agents reconnect to it.
    const port = cp.port;
    await cp.close();
    cp = await startControlPlane(port);
    const after = await statusOf(ns);
    expect(after).toMatchObject({
      phase: 'Paused',
      step: 1,
      weight: 50,
      startedAt: before.startedAt,
      stepStartedAt: before.stepStartedAt,
      failedRuns: 0,
    });
    expect(after.runs).toBeGreaterThanOrEqual(before.runs);

    const promoted = await api(cp.url)('POST', `/v1/namespaces/${ns}/rollouts/gray/promote`);
    expect(promoted.body.status).toMatchObject({ phase: 'Progressing', step: 2, weight: 100 });
    await waitFor('the rollout completes', async () => (await statusOf(ns))?.phase === 'Completed', 30000);
    const done = await statusOf(ns);
    expect(done).toMatchObject({ phase: 'Completed', step: 2, weight: 100, failedRuns: 0 });
    expect(done.analysis.map((r: { verdict: string }) => r.verdict)).not.toContain('Failed');
    expect(
      done.analysis.some((r: { verdict: string; step: number }) => r.verdict === 'Passed' && r.step === 2),
    ).toBe(true);

    // At weight 100 every request enters the lane.
    await waitFor('the front colours every request', async () =>
      (await load.next(10)).every((a) => a.includes('back[gray]')),
    );
    const audit = (await api(cp.url)('GET', `/v1/audit?namespace=${ns}`)).body.items.map(
      (e: { action: string }) => e.action,
    );
    // One start only: the restart resumed, it did not begin again.
    expect(audit.filter((a: string) => a === 'rollout-start')).toHaveLength(1);
    expect(audit).toContain('rollout-promote');
    expect(audit).toContain('rollout-completed');
  });
});
