import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ControlPlane,
  cacheDir,
  call,
  lane,
  type Service,
  type ServiceOptions,
  startControlPlane,
  startService,
  waitFor,
} from './support/cluster.js';

// One scenario suite, run over every transport and module system: A → B → C,
// each app with a baseline and a gray instance, none with a Graylane import.
const only = process.env.GRAYLANE_TEST_COMBO;
const combos = (
  [
    { transport: 'http', module: 'esm' },
    { transport: 'fetch', module: 'esm' },
    { transport: 'grpc', module: 'esm' },
    { transport: 'http', module: 'cjs' },
    { transport: 'fetch', module: 'cjs' },
    { transport: 'grpc', module: 'cjs' },
  ] as const
).filter((c) => !only || only === `${c.transport}-${c.module}`);

const xiaoming = { all: [{ source: 'query', name: 'name', op: 'eq', value: 'xiaoming' }] };

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.close();
});

describe.each(combos)('over $transport from $module apps', ({ transport, module }) => {
  const namespace = `${transport}-${module}`;
  const services = new Map<string, Service>();
  let base: Omit<ServiceOptions, 'app'>;

  async function start(app: string, tag: string, next?: string) {
    const service = await startService({ ...base, app, tag, next });
    services.set(`${app}-${tag || 'base'}`, service);
    return service;
  }
  const entry = () => services.get('a-base')!;
  const chain = (query = '', headers: Record<string, string> = {}) =>
    call(entry().http, `/chain${query}`, headers).then((r) => r.text);
  const settles = (query: string, expected: string, headers: Record<string, string> = {}) =>
    waitFor(`"${query}" answers ${expected}`, async () => {
      const text = await chain(query, headers);
      return text === expected || text;
    });

  beforeAll(async () => {
    base = { server: cp.url, namespace, cacheDir: cacheDir(), transport, module };
    await cp.apply(lane(namespace, { tag: 'gray', entry: { apps: ['a'], match: xiaoming } }));
    await Promise.all([
      start('a', '', 'b'),
      start('a', 'gray', 'b'),
      start('b', '', 'c'),
      start('b', 'gray', 'c'),
      start('c', ''),
      start('c', 'gray'),
    ]);
    // Every agent must have seen every instance before the scenarios start.
    await settles('?name=xiaoming', 'a[base] -> b[gray] -> c[gray]');
    await settles('?name=other', 'a[base] -> b[base] -> c[base]');
  });

  afterAll(async () => {
    await Promise.all([...services.values()].map((s) => s.stop()));
  });

  it('a request coloured by the entry rule reaches the gray instance at every hop', async () => {
    expect(await chain('?name=xiaoming')).toBe('a[base] -> b[gray] -> c[gray]');
  });

  it('a request carrying the tag header or baggage stays gray', async () => {
    expect(await chain('', { 'x-graylane-tag': 'gray' })).toBe('a[base] -> b[gray] -> c[gray]');
    expect(await chain('', { baggage: 'userid=1,graylane-tag=gray' })).toBe('a[base] -> b[gray] -> c[gray]');
  });

  if (transport === 'grpc')
    it('a gRPC client that waits for its channel is ready once the app it names has instances', async () => {
      // `b` resolves nowhere: the client's channel is ready because b's instances are.
      expect(await call(entry().http, '/ready')).toEqual({ status: 200, text: 'a[base] ready' });
    });

  it('an untagged request stays on the baseline', async () => {
    for (let i = 0; i < 5; i++) expect(await chain('?name=other')).toBe('a[base] -> b[base] -> c[base]');
  });

  it('a rule change takes effect without restarting any service', async () => {
    await cp.apply(
      lane(namespace, {
        tag: 'gray',
        entry: {
          apps: ['a'],
          match: { all: [{ source: 'query', name: 'name', op: 'eq', value: 'xiaohong' }] },
        },
      }),
    );
    await settles('?name=xiaohong', 'a[base] -> b[gray] -> c[gray]');
    expect(await chain('?name=xiaoming')).toBe('a[base] -> b[base] -> c[base]');
    await cp.apply(lane(namespace, { tag: 'gray', entry: { apps: ['a'], match: xiaoming } }));
    await settles('?name=xiaoming', 'a[base] -> b[gray] -> c[gray]');
  });

  it('with propagation off the next hop does not get the tag', async () => {
    await cp.apply(
      lane(namespace, { tag: 'gray', propagation: false, entry: { apps: ['a'], match: xiaoming } }),
    );
    await settles('?name=xiaoming', 'a[base] -> b[gray] -> c[base]');
    await cp.apply(lane(namespace, { tag: 'gray', entry: { apps: ['a'], match: xiaoming } }));
    await settles('?name=xiaoming', 'a[base] -> b[gray] -> c[gray]');
  });

  it('a missing gray instance falls back to the baseline, or fails clearly when strict', async () => {
    await services.get('c-gray')!.stop();
    await settles('?name=xiaoming', 'a[base] -> b[gray] -> c[base]');
    await cp.apply(
      lane(namespace, { tag: 'gray', fallback: 'strict', entry: { apps: ['a'], match: xiaoming } }),
    );
    await waitFor('strict fallback fails', async () => {
      const text = await chain('?name=xiaoming');
      return text.includes('no instance tagged "gray"') || text;
    });
    const answer = await call(entry().http, '/chain?name=xiaoming');
    expect(answer.status).toBe(502);
    expect(answer.text).toContain('c has no instance tagged "gray"');
    expect(await chain('?name=other')).toBe('a[base] -> b[base] -> c[base]');
  });
});
