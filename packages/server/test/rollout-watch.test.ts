import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { api } from './support/api.js';
import { type StoreFixture, sqliteFixture } from './support/store-fixture.js';
import { openWatch } from './support/watch-stream.js';

const lane = `apiVersion: graylane.io/v1
kind: Lane
metadata: { name: gray }
spec: { tag: gray, entry: { apps: [a], weight: 70 } }
`;
const rollout = `apiVersion: graylane.io/v1
kind: Rollout
metadata: { name: gray }
spec:
  lane: gray
  steps: [ { weight: 10, pause: {} }, { weight: 100 } ]
`;

describe('what agents receive while a Rollout drives a lane', () => {
  let fixture: StoreFixture;
  let cp: RunningServer;

  beforeAll(async () => {
    fixture = await sqliteFixture();
    cp = await fixture.start({ rolloutTickMs: 50 });
  });
  afterAll(async () => fixture?.cleanup());

  it('is the Lane with the rollout weight (no entry at 0), never the Rollout itself; deleting the Rollout restores the document', async () => {
    await api(cp.url)('POST', '/v1/apply', lane);
    const watch = await openWatch(cp.url);
    const snapshot = (await watch.next()).data;
    expect(snapshot.lanes[0].spec.entry.weight).toBe(70);

    await api(cp.url)('POST', '/v1/apply', rollout);
    // Before the controller's first pass the rollout holds the lane at 0: no entry.
    const held = await watch.next();
    expect(held.data).toMatchObject({ type: 'put', resource: { kind: 'Lane' } });
    expect(held.data.resource.spec.entry).toBeUndefined();
    const started = await watch.next();
    expect(started.data.resource.spec.entry.weight).toBe(10);

    const promoted = await api(cp.url)('POST', '/v1/namespaces/default/rollouts/gray/promote');
    expect(promoted.status).toBe(200);
    expect((await watch.next()).data.resource.spec.entry.weight).toBe(100);

    // The Lane document keeps its own weight: agents see the rollout's.
    const stored = await api(cp.url)('GET', '/v1/namespaces/default/lanes/gray');
    expect(stored.body.spec.entry.weight).toBe(70);
    const fresh = await openWatch(cp.url);
    const again = (await fresh.next()).data;
    expect(again.lanes[0].spec.entry.weight).toBe(100);
    expect(JSON.stringify(again)).not.toContain('Rollout');
    fresh.close();

    await api(cp.url)('DELETE', '/v1/namespaces/default/rollouts/gray');
    expect((await watch.next()).data.resource.spec.entry.weight).toBe(70);
    watch.close();
  });

  it('refuses a second Rollout on the same lane, and an entry without conditions or weight on a lane no Rollout drives', async () => {
    await api(cp.url)('POST', '/v1/apply', rollout);
    const other = rollout.replace('metadata: { name: gray }', 'metadata: { name: other }');
    const taken = await api(cp.url)('POST', '/v1/apply', other);
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('GL_ROLLOUT_LANE_TAKEN');
    const bare = lane.replace(', weight: 70', '').replace('name: gray', 'name: alone');
    const refused = await api(cp.url)('POST', '/v1/apply', bare);
    expect(refused.status).toBe(400);
    expect(refused.body.error.issues[0]).toMatchObject({ document: 'Lane/alone', path: 'spec.entry' });
    // The lane a Rollout drives may drop its weight.
    expect((await api(cp.url)('POST', '/v1/apply', lane.replace(', weight: 70', ''))).status).toBe(200);
  });
});
