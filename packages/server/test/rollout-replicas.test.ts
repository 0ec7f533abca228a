import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { ROLLOUT_LEASE } from '../src/rollouts/create-rollout-controller.js';
import { createStore } from '../src/store/create-store.js';
import { api } from './support/api.js';
import { postgresFixture, type StoreFixture } from './support/store-fixture.js';

const rollout = `apiVersion: graylane.io/v1
kind: Lane
metadata: { name: gray }
spec: { tag: gray, entry: { apps: [a] } }
---
apiVersion: graylane.io/v1
kind: Rollout
metadata: { name: gray }
spec:
  lane: gray
  steps: [ { weight: 10, pause: 1s }, { weight: 20, pause: 1s }, { weight: 40, pause: 1s },
           { weight: 60, pause: 1s }, { weight: 80, pause: 1s }, { weight: 100, pause: 1s } ]
`;

interface Entry {
  id: number;
  actor: string;
  action: string;
  after: { step: number; phase: string } | null;
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 30000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not after ${ms} ms`);
}

describe('a Rollout with two control-plane replicas on one PostgreSQL', () => {
  let fixture: StoreFixture;
  let a: RunningServer;
  let b: RunningServer;
  // Ticks are fast, the lease is not: both replicas share this process and PostgreSQL with
  // a busy machine, and a leader that stalls past a short lease loses it midway (a second
  // hand-over the test would rightly fail on). The first leader's close releases the lease,
  // so the hand-over waits for no expiry.
  const fast = { rolloutTickMs: 50, rolloutLeaseMs: 10_000 };

  beforeAll(async () => {
    fixture = await postgresFixture();
    [a, b] = await Promise.all([fixture.start(fast), fixture.start(fast)]);
  });
  afterAll(async () => fixture?.cleanup());

  const controllerEntries = async (url: string): Promise<Entry[]> =>
    ((await api(url)('GET', '/v1/audit?namespace=default&limit=500')).body.items as Entry[])
      .filter((e) => e.actor.startsWith('rollout-controller/'))
      .sort((x, y) => x.id - y.id);

  it('is driven by one replica at a time: the other takes over when the first stops, and no step is walked twice', async () => {
    expect((await api(a.url)('POST', '/v1/apply', rollout)).status).toBe(200);
    const status = async (url: string) =>
      (await api(url)('GET', '/v1/namespaces/default/rollouts/gray')).body.status;
    await waitFor('step 3', async () => (await status(b.url))?.step >= 2);

    const before = await controllerEntries(a.url);
    const first = new Set(before.map((e) => e.actor));
    expect(first.size).toBe(1); // both replicas tick every 50 ms; only the lease holder writes
    const leader = [...first][0] === `rollout-controller/${a.replica}` ? a : b;
    const other = leader === a ? b : a;
    await leader.close();

    await waitFor('Completed', async () => (await status(other.url))?.phase === 'Completed');
    const entries = await controllerEntries(other.url);
    const actors = entries.map((e) => e.actor);
    const switchAt = actors.indexOf(`rollout-controller/${other.replica}`);
    expect(switchAt).toBeGreaterThan(0);
    // Once the other replica drove, the first never wrote again: one hand-over, no interleaving.
    expect(new Set(actors.slice(0, switchAt))).toEqual(new Set([`rollout-controller/${leader.replica}`]));
    expect(new Set(actors.slice(switchAt))).toEqual(new Set([`rollout-controller/${other.replica}`]));
    // Every step entered once, in order.
    const steps = entries
      .filter((e) => e.action === 'rollout-start' || e.action === 'rollout-step')
      .map((e) => e.after!.step);
    expect(steps).toEqual([0, 1, 2, 3, 4, 5]);
    expect(entries.filter((e) => e.action === 'rollout-completed')).toHaveLength(1);
  });

  it('refuses a status write from a replica that does not hold the lease, even one that held it before', async () => {
    const store = await createStore({ postgres: fixture.options.postgres });
    try {
      const now = Date.now();
      expect(await store.acquireLease('test-lease', 'one', now, 60_000)).toBe(true);
      expect(await store.acquireLease('test-lease', 'two', now, 60_000)).toBe(false);
      const current = await store.getRolloutStatus('default', 'gray');
      const written = await store.putRolloutStatus('default', 'gray', current!, {
        lease: { name: ROLLOUT_LEASE, holder: 'not-the-holder' },
      });
      expect(written).toBeUndefined();
      // An expired lease passes to whoever asks next.
      expect(await store.acquireLease('test-lease', 'two', now + 61_000, 60_000)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
