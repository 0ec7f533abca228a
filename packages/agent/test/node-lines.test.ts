import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requiredNodeLines } from '../../../scripts/node-lines.mjs';
import {
  type ControlPlane,
  cacheDir,
  call,
  lane,
  type Service,
  startControlPlane,
  startService,
  waitFor,
} from './support/cluster.js';

// The hop scenarios on every supported Node line: the control plane runs on the
// default node, the services (fixtures/service.mjs and service.cjs, no Graylane import)
// on the line's binary. One chain per line mixes the transports and module systems:
// a (ESM) calls b over node:http, b (CommonJS) calls c over fetch, c (ESM) calls d
// over gRPC; b, c and d have a baseline and a gray instance, a is the entry.
const lines = requiredNodeLines();
const hops = [
  { app: 'a', module: 'esm', transport: 'http' },
  { app: 'b', module: 'cjs', transport: 'fetch' },
  { app: 'c', module: 'esm', transport: 'grpc' },
  { app: 'd', module: 'esm', transport: 'http' },
] as const;
const xiaoming = { all: [{ source: 'query', name: 'name', op: 'eq', value: 'xiaoming' }] };
const answer = (...tags: string[]) => hops.map((h, i) => `${h.app}[${tags[i]}]`).join(' -> ');
const allGray = answer('base', 'gray', 'gray', 'gray');
const allBase = answer('base', 'base', 'base', 'base');

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.close();
});

describe.each(lines)('on Node $version', ({ major, version, bin }) => {
  const namespace = `node-${major}`;
  const services = new Map<string, Service>();
  const chain = (query = '', headers: Record<string, string> = {}) =>
    call(services.get('a-base')!.http, `/chain${query}`, headers).then((r) => r.text);
  const settles = (query: string, expected: string) =>
    waitFor(`"${query}" answers ${expected}`, async () => {
      const text = await chain(query);
      return text === expected || text;
    });

  beforeAll(async () => {
    const base = { server: cp.url, namespace, cacheDir: cacheDir(), node: bin, startTimeoutMs: 60_000 };
    await cp.apply(lane(namespace, { tag: 'gray', entry: { apps: ['a'], match: xiaoming } }));
    await Promise.all(
      hops.flatMap(({ app, module, transport }, i) =>
        (i === 0 ? [''] : ['', 'gray']).map(async (tag) => {
          const next = hops[i + 1]?.app;
          const s = await startService({ ...base, app, tag, next, module, transport });
          services.set(`${app}-${tag || 'base'}`, s);
        }),
      ),
    );
    await settles('?name=xiaoming', allGray);
    await settles('?name=other', allBase);
  });

  afterAll(async () => {
    await Promise.all([...services.values()].map((s) => s.stop()));
  });

  it('runs the services on that line', async () => {
    const res = await fetch(`${cp.url}/v1/namespaces/${namespace}/instances`, {
      headers: { authorization: 'Bearer test-admin-token' },
    });
    const body = (await res.json()) as { items?: { metadata?: { node?: string } }[] };
    const nodes = new Set((body.items ?? []).map((i) => i.metadata?.node));
    expect([...nodes]).toEqual([`v${version}`]);
  });

  it('a request coloured by the entry rule, or carrying the tag, stays gray at every hop', async () => {
    expect(await chain('?name=xiaoming')).toBe(allGray);
    expect(await chain('', { 'x-graylane-tag': 'gray' })).toBe(allGray);
    expect(await chain('', { baggage: 'userid=1,graylane-tag=gray' })).toBe(allGray);
  });

  it('an untagged request stays on the baseline', async () => {
    for (let i = 0; i < 3; i++) expect(await chain('?name=other')).toBe(allBase);
  });

  it('with propagation off the hop after the entry does not get the tag', async () => {
    await cp.apply(
      lane(namespace, { tag: 'gray', propagation: false, entry: { apps: ['a'], match: xiaoming } }),
    );
    await settles('?name=xiaoming', answer('base', 'gray', 'base', 'base'));
    await cp.apply(lane(namespace, { tag: 'gray', entry: { apps: ['a'], match: xiaoming } }));
    await settles('?name=xiaoming', allGray);
  });

  it('a missing gray instance falls back to the baseline and the lane goes on after it', async () => {
    await services.get('c-gray')!.stop();
    await settles('?name=xiaoming', answer('base', 'gray', 'base', 'gray'));
    await Promise.all(['b-gray', 'd-gray'].map((s) => services.get(s)!.stop()));
    await settles('?name=xiaoming', allBase);
  });
});
