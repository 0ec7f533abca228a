import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.js';
import {
  ADMIN_TOKEN,
  type ControlPlane,
  gatewayOf,
  get,
  lane,
  route,
  startControlPlane,
  startUpstream,
  type Upstream,
  waitFor,
} from './support/cluster.js';

const NS = 'gw-lanes';
let cp: ControlPlane;
let gw: RunningGateway;
const upstreams: Upstream[] = [];

beforeAll(async () => {
  cp = await startControlPlane();
  const base = await startUpstream('base');
  const gray = await startUpstream('gray');
  upstreams.push(base, gray);
  await cp.register(NS, 'app-a', '', base.port);
  await cp.register(NS, 'app-a', 'gray', gray.port);
  await cp.apply(route(NS, 'a', { match: { pathPrefix: '/A' }, app: 'app-a' }));
  process.env.GRAYLANE_METRICS_INTERVAL_MS = '500';
  gw = await gatewayOf(cp, NS);
  await waitFor('the route reaches the gateway', async () => (await get(gw.url, '/A')).status === 200);
});

afterAll(async () => {
  await gw?.close();
  await Promise.all(upstreams.map((u) => u.kill()));
  await cp?.close();
});

/** Applies a lane and waits until a request that matches it lands on the gray upstream. */
async function applyLane(spec: Record<string, unknown>, probe: [string, Record<string, string>?]) {
  await cp.apply(lane(NS, { tag: 'gray', ...spec }));
  await waitFor(
    `lane ${JSON.stringify(spec)} applied live`,
    async () => (await get(gw.url, probe[0], probe[1])).body.name === 'gray',
  );
}

const entry = (match: Record<string, unknown>) => ({ entry: { apps: ['gateway'], match: { all: [match] } } });

describe('gateway lanes', () => {
  it('reports its traffic per lane, so its trend shows gray apart from the baseline', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await get(gw.url, '/A/x', { 'x-graylane-tag': 'gray' })).body.name).toBe('gray');
      expect((await get(gw.url, '/A/x')).body.name).toBe('base');
    }
    await waitFor('the gateway trend has a gray and a baseline series', async () => {
      const res = await fetch(`${cp.url}/v1/namespaces/${NS}/apps/gateway/metrics?window=5m`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const { series } = (await res.json()) as { series: { tag: string; points: { qps: number }[] }[] };
      const requests = (tag: string) =>
        (series.find((s) => s.tag === tag)?.points ?? []).reduce((n, p) => n + p.qps, 0);
      return (requests('gray') >= 5 && requests('') >= 5) || series.map((s) => s.tag);
    });
  });

  it('keeps an incoming tag (header or baggage) and stamps it for the upstream', async () => {
    await cp.remove(NS, 'lanes', 'gray').catch(() => {});
    const direct = await get(gw.url, '/A/x', { 'x-graylane-tag': 'gray' });
    expect(direct.body).toMatchObject({ name: 'gray', tag: 'gray' });
    const baggage = await get(gw.url, '/A/x', { baggage: 'graylane-tag=gray,other=1' });
    expect(baggage.body).toMatchObject({ name: 'gray', tag: 'gray' });
    const untagged = await get(gw.url, '/A/x');
    expect(untagged.body).toMatchObject({ name: 'base', tag: '' });
  });

  const cases: Array<{
    op: string;
    match: Record<string, unknown>;
    hit: [string, Record<string, string>?];
    miss: [string, Record<string, string>?, 'POST'?];
  }> = [
    {
      op: 'header eq',
      match: { source: 'header', name: 'x-user', op: 'eq', value: 'xiaoming' },
      hit: ['/A/h', { 'x-user': 'xiaoming' }],
      miss: ['/A/h', { 'x-user': 'other' }],
    },
    {
      op: 'cookie in',
      match: { source: 'cookie', name: 'uid', op: 'in', values: ['7', '8'] },
      hit: ['/A/c', { cookie: 'a=1; uid=8' }],
      miss: ['/A/c', { cookie: 'uid=9' }],
    },
    {
      op: 'query eq',
      match: { source: 'query', name: 'name', op: 'eq', value: 'xiaoming' },
      hit: ['/A/dubbo?name=xiaoming'],
      miss: ['/A/dubbo?name=other'],
    },
    {
      op: 'path prefix',
      match: { source: 'path', op: 'prefix', value: '/A/beta' },
      hit: ['/A/beta/x'],
      miss: ['/A/alpha/x'],
    },
    {
      op: 'method in',
      match: { source: 'method', op: 'in', values: ['GET'] },
      hit: ['/A/m'],
      miss: ['/A/m', {}, 'POST'],
    },
    {
      op: 'host eq',
      match: { source: 'host', op: 'eq', value: 'gray.example.com' },
      hit: ['/A/host', { host: 'gray.example.com:8080' }],
      miss: ['/A/host', { host: 'www.example.com' }],
    },
    {
      op: 'header percentage',
      match: { source: 'header', name: 'x-user-id', op: 'percentage', value: 100 },
      hit: ['/A/p', { 'x-user-id': '42' }],
      miss: ['/A/p'],
    },
    {
      op: 'query gt',
      match: { source: 'query', name: 'version', op: 'gt', value: 2 },
      hit: ['/A/v?version=3'],
      miss: ['/A/v?version=1'],
    },
  ];

  for (const c of cases) {
    it(`sends a request matching "${c.op}" to the gray upstream and others to the baseline`, async () => {
      await applyLane(entry(c.match), c.hit);
      const hit = await get(gw.url, c.hit[0], c.hit[1]);
      expect(hit.body).toMatchObject({ name: 'gray', tag: 'gray' });
      const miss = await get(gw.url, c.miss[0], c.miss[1], c.miss[2]);
      expect(miss.body).toMatchObject({ name: 'base', tag: '' });
    });
  }

  it('splits traffic by weight, sticky per weight key', async () => {
    await cp.apply(
      lane(NS, {
        tag: 'gray',
        entry: { apps: ['gateway'], weight: 50, weightKey: { source: 'header', name: 'x-user-id' } },
      }),
    );
    // Live once the base-only path probe (no header) can no longer tell: wait for some gray answers.
    await waitFor('weighted lane applied live', async () => {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, u) => get(gw.url, '/A/w', { 'x-user-id': `u${u}` })),
      );
      return answers.some((a) => a.body.name === 'gray');
    });
    const names: string[] = [];
    for (let u = 0; u < 200; u++)
      names.push((await get(gw.url, '/A/w', { 'x-user-id': `u${u}` })).body.name!);
    const gray = names.filter((n) => n === 'gray').length;
    expect(gray).toBeGreaterThan(60);
    expect(gray).toBeLessThan(140);
    const again = await get(gw.url, '/A/w', { 'x-user-id': 'u7' });
    expect(again.body.name).toBe(names[7]);
  });

  it('ignores lanes whose entry does not include the gateway', async () => {
    await applyLane(entry({ source: 'path', op: 'exists' }), ['/A/z']);
    await cp.apply(
      lane(NS, {
        tag: 'gray',
        entry: { apps: ['app-a'], match: { all: [{ source: 'path', op: 'exists' }] } },
      }),
    );
    await waitFor(
      'the lane leaves the gateway',
      async () => (await get(gw.url, '/A/z')).body.name === 'base',
    );
  });

  it('falls back to the baseline when the tag has no instance, still stamping the tag', async () => {
    await cp.apply(lane(NS, { tag: 'blue', fallback: 'baseline' }, 'blue'));
    const res = await get(gw.url, '/A/f', { 'x-graylane-tag': 'blue' });
    expect(res.body).toMatchObject({ name: 'base', tag: 'blue' });
  });

  it('answers 503 GL_STRICT_NO_TAGGED_INSTANCE for a strict lane without instances', async () => {
    await cp.apply(lane(NS, { tag: 'blue', fallback: 'strict' }, 'blue'));
    await waitFor(
      'strict applied',
      async () => (await get(gw.url, '/A/s', { 'x-graylane-tag': 'blue' })).status === 503,
    );
    const res = await get(gw.url, '/A/s', { 'x-graylane-tag': 'blue' });
    expect(res.body.error?.code).toBe('GL_STRICT_NO_TAGGED_INSTANCE');
    // Back to baseline fallback, live.
    await cp.apply(lane(NS, { tag: 'blue', fallback: 'baseline' }, 'blue'));
    await waitFor(
      'baseline again',
      async () => (await get(gw.url, '/A/s', { 'x-graylane-tag': 'blue' })).status === 200,
    );
  });

  it('routes a lane without propagation to gray but does not stamp the tag', async () => {
    await applyLane({ propagation: false, ...entry({ source: 'header', name: 'x-np', op: 'exists' }) }, [
      '/A/np',
      { 'x-np': '1' },
    ]);
    const res = await get(gw.url, '/A/np', { 'x-np': '1' });
    expect(res.body).toMatchObject({ name: 'gray', tag: '' });
  });

  it('applies route changes live: added, changed and deleted', async () => {
    await cp.apply(route(NS, 'c', { match: { pathPrefix: '/C' }, app: 'app-a', stripPrefix: true }));
    await waitFor('route /C added', async () => (await get(gw.url, '/C/x')).body.url === '/x');
    await cp.apply(route(NS, 'c', { match: { pathPrefix: '/C' }, app: 'app-a', stripPrefix: false }));
    await waitFor('route /C changed', async () => (await get(gw.url, '/C/x')).body.url === '/C/x');
    await cp.remove(NS, 'gatewayroutes', 'c');
    await waitFor('route /C deleted', async () => (await get(gw.url, '/C/x')).status === 404);
  });
});
