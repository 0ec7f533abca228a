import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { api, laneYaml } from './support/api.js';
import { postgresFixture, type StoreFixture } from './support/store-fixture.js';
import { openWatch } from './support/watch-stream.js';

describe('two control-plane replicas on one PostgreSQL', () => {
  let fixture: StoreFixture;
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    fixture = await postgresFixture();
    // b re-reads versions only once an hour, so a change that reaches its watchers came by
    // NOTIFY, the path under test, and not by the poll behind it.
    [a, b] = await Promise.all([fixture.start(), fixture.start({ versionPollMs: 3_600_000 })]);
  });
  afterAll(async () => fixture?.cleanup());

  it('delivers a change applied through one replica to watchers of the other by notification, not by the poll', async () => {
    const watch = await openWatch(b.url);
    await watch.next();
    const applied = await api(a.url)('POST', '/v1/apply', laneYaml('gray'));
    // Generous: a cold replica on a busy machine takes seconds; the hour-long poll never comes.
    const change = await watch.next((e) => e.event === 'change', 60_000);
    expect(change.data).toMatchObject({ type: 'put', resource: { metadata: { name: 'gray' } } });
    expect(change.id).toBe(applied.body.results[0].resourceVersion);
    watch.close();
  });

  it('keeps versions strictly increasing when both replicas write at once', async () => {
    const watch = await openWatch(a.url);
    const start = (await watch.next()).data.version;
    const writes = Array.from({ length: 10 }, (_, i) =>
      api(i % 2 ? a.url : b.url)('POST', '/v1/apply', laneYaml(`both-${i}`)),
    );
    await Promise.all(writes);
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) seen.push(Number((await watch.next()).id));
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => start + i + 1));
    watch.close();
  });

  it('lets exactly one of two updates from the same version win when they go through different replicas', async () => {
    await api(a.url)('POST', '/v1/apply', laneYaml('contested'));
    const read = (await api(b.url)('GET', '/v1/namespaces/default/lanes/contested')).body;
    const edits = [a.url, b.url].map((url, i) =>
      api(url)('PUT', '/v1/namespaces/default/lanes/contested', {
        ...read,
        spec: { ...read.spec, priority: i },
      }),
    );
    expect((await Promise.all(edits)).map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('shares tokens and instances: registered on one replica, heartbeating on the other', async () => {
    const token = (await api(a.url)('POST', '/v1/tokens', { name: 'agent-x', role: 'agent' })).body.token;
    const reg = await api(a.url, token)('POST', '/v1/namespaces/default/instances', {
      id: 'x1',
      app: 'spring-cloud-a',
      tag: 'gray',
      address: '10.0.0.9',
      ports: { http: 8080 },
    });
    expect(reg.status).toBe(201);
    expect((await api(b.url, token)('PUT', '/v1/namespaces/default/instances/x1/heartbeat')).status).toBe(
      204,
    );
    // The other replica learns of the registration through NOTIFY: wait for it, not for a fixed time.
    const deadline = Date.now() + 10_000;
    let apps = await api(b.url)('GET', '/v1/namespaces/default/apps');
    while (apps.body.items.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      apps = await api(b.url)('GET', '/v1/namespaces/default/apps');
    }
    expect(apps.body.items).toEqual([{ name: 'spring-cloud-a', instances: { gray: 1 } }]);
  });
});
