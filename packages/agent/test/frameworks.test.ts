import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

// The popular frameworks and clients, in apps with no Graylane import (fixtures/
// frameworks/app.mjs and its CommonJS twin app.cjs): one chain a → b → c → d → e → f
// per module system, where every app serves with one framework and calls the next
// with one client, so each framework receives lane traffic and each client routes
// it. b…f have a baseline and a gray instance; a is the entry (a lane rule on it).
const inbounds = ['express', 'fastify', 'koa', 'nest', 'hapi'] as const;
const outbounds = ['axios', 'got', 'node-fetch', 'undici-request', 'undici-pool'] as const;
const apps = ['a', 'b', 'c', 'd', 'e', 'f'] as const;
const xiaoming = { all: [{ source: 'query', name: 'name', op: 'eq', value: 'xiaoming' }] };

const only = process.env.GRAYLANE_TEST_MODULE;
const chains = (
  [
    // The CommonJS chain shifts the pairs, so each framework meets two clients.
    { module: 'esm', shift: 0 },
    { module: 'cjs', shift: 2 },
  ] as const
).filter((c) => !only || only === c.module);

const answer = (...tags: string[]) => apps.map((app, i) => `${app}[${tags[i]}]`).join(' -> ');
const allBase = answer('base', 'base', 'base', 'base', 'base', 'base');
const allGray = answer('base', 'gray', 'gray', 'gray', 'gray', 'gray');

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.close();
});

describe.each(chains)('$module apps', ({ module, shift }) => {
  const namespace = `frameworks-${module}`;
  const services = new Map<string, Service>();
  const inboundOf = (i: number) => inbounds[(i + shift) % inbounds.length]!;
  const chain = (query = '', headers: Record<string, string> = {}) =>
    call(services.get('a-base')!.http, `/chain${query}`, headers).then((r) => r.text);
  const settles = (query: string, expected: string) =>
    waitFor(`"${query}" answers ${expected}`, async () => {
      const text = await chain(query);
      return text === expected || text;
    });

  beforeAll(async () => {
    const base = { server: cp.url, namespace, cacheDir: cacheDir(), module, startTimeoutMs: 60_000 };
    await cp.apply(lane(namespace, { tag: 'gray', entry: { apps: ['a'], match: xiaoming } }));
    const starts: Promise<void>[] = [];
    apps.forEach((app, i) => {
      const env = { INBOUND: inboundOf(i), OUTBOUND: outbounds[i] ?? '' };
      const script = `frameworks/app.${module === 'esm' ? 'mjs' : 'cjs'}`;
      for (const tag of i === 0 ? [''] : ['', 'gray']) {
        starts.push(
          startService({ ...base, app, tag, next: apps[i + 1], env, script }).then((s) => {
            services.set(`${app}-${tag || 'base'}`, s);
          }),
        );
      }
    });
    await Promise.all(starts);
    await settles('?name=xiaoming', allGray);
    await settles('?name=other', allBase);
  });

  afterAll(async () => {
    await Promise.all([...services.values()].map((s) => s.stop()));
  });

  it('names every framework and client it runs', () => {
    const used = apps.map((_, i) => `${inboundOf(i)}+${outbounds[i] ?? '-'}`);
    expect(new Set(used.map((u) => u.split('+')[0]))).toEqual(new Set(inbounds));
    expect(new Set(used.map((u) => u.split('+')[1]).filter((o) => o !== '-'))).toEqual(new Set(outbounds));
  });

  it('a request coloured by the entry rule reaches the gray instance through every framework and client', async () => {
    expect(await chain('?name=xiaoming')).toBe(allGray);
  });

  it('a request carrying the tag header or baggage stays gray at every hop', async () => {
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
    await settles('?name=xiaoming', answer('base', 'gray', 'base', 'base', 'base', 'base'));
    await cp.apply(lane(namespace, { tag: 'gray', entry: { apps: ['a'], match: xiaoming } }));
    await settles('?name=xiaoming', allGray);
  });

  it('missing gray instances fall back to the baseline, and the lane goes on after them', async () => {
    // Every other hop loses its gray instance: the clients of a, c and e fall back, and
    // the baseline b and d still carry the tag, so c and e stay gray.
    await Promise.all(['b-gray', 'd-gray', 'f-gray'].map((s) => services.get(s)!.stop()));
    await settles('?name=xiaoming', answer('base', 'base', 'gray', 'base', 'gray', 'base'));
    // Now the clients of b and d fall back too.
    await Promise.all(['c-gray', 'e-gray'].map((s) => services.get(s)!.stop()));
    await settles('?name=xiaoming', allBase);
    expect(await chain('', { 'x-graylane-tag': 'gray' })).toBe(allBase);
  });
});
