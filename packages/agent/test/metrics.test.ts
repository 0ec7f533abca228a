import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as grpcTypes from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  type ControlPlane,
  cacheDir,
  call,
  lane,
  type Service,
  startControlPlane,
  startService,
  waitFor,
} from './support/cluster.js';

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js') as typeof grpcTypes;
const loader = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader');

const NS = 'metered';
const xiaoming = { all: [{ source: 'query', name: 'name', op: 'eq', value: 'xiaoming' }] };

/** The value of one series in a Prometheus text exposition; 0 when it is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries({ namespace: NS, ...labels }).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.lastIndexOf('}'));
    const have = new Set(inside.split(','));
    if (wanted.every((w) => have.has(w)) && have.size === wanted.length)
      return Number(line.split(' ').at(-1));
  }
  return 0;
}

let cp: ControlPlane;
const services = new Map<string, Service>();

const scrape = () => fetch(`${cp.url}/metrics`).then((r) => r.text());
const chain = (query: string) => call(services.get('a-base')!.http, `/chain${query}`);

/** A server-streaming call straight to an instance, carrying the gray tag. */
function watch(port: number, path: string): Promise<number> {
  const definition = loader.loadSync(fileURLToPath(new URL('./fixtures/chain.proto', import.meta.url)));
  const { chain: pkg } = grpc.loadPackageDefinition(definition) as unknown as {
    chain: { Chain: new (address: string, creds: grpcTypes.ChannelCredentials) => grpcTypes.Client };
  };
  const client = new pkg.Chain(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set('x-graylane-tag', 'gray');
  return new Promise((resolve) => {
    const stream = (
      client as unknown as {
        Watch(r: object, m: grpcTypes.Metadata): grpcTypes.ClientReadableStream<unknown>;
      }
    ).Watch({ path }, metadata);
    stream.on('data', () => {});
    stream.on('error', () => {});
    stream.on('status', (status: grpcTypes.StatusObject) => {
      client.close();
      resolve(status.code);
    });
  });
}

beforeAll(async () => {
  cp = await startControlPlane();
  process.env.GRAYLANE_METRICS_INTERVAL_MS = '200';
  const common = { server: cp.url, namespace: NS, cacheDir: cacheDir() };
  await cp.apply(lane(NS, { tag: 'gray', entry: { apps: ['a'], match: xiaoming } }));
  // The reference scenario's transports: A calls B over gRPC, B calls C over HTTP.
  const start = async (app: string, tag: string, next?: string, transport?: 'grpc' | 'http') =>
    services.set(`${app}-${tag || 'base'}`, await startService({ ...common, app, tag, next, transport }));
  await Promise.all([
    start('a', '', 'b', 'grpc'),
    start('b', '', 'c', 'http'),
    start('b', 'gray', 'c', 'http'),
    start('c', ''),
    start('c', 'gray'),
  ]);
  await waitFor('the gray lane reaches c-gray', async () => {
    const text = (await chain('?name=xiaoming')).text;
    return text === 'a[base] -> b[gray] -> c[gray]' || text;
  });
});

afterAll(async () => {
  await Promise.all([...services.values()].map((s) => s.stop()));
  await cp?.close();
});

describe('metrics reported by agents', () => {
  it('counts inbound requests (gRPC streams included) and every hop with the tag it reached', async () => {
    const counters = {
      aOk: ['graylane_requests_total', { app: 'a', tag: 'baseline', code_class: '2xx' }],
      aFailed: ['graylane_requests_total', { app: 'a', tag: 'baseline', code_class: '5xx' }],
      bOk: ['graylane_requests_total', { app: 'b', tag: 'gray', code_class: '2xx' }],
      bFailed: ['graylane_requests_total', { app: 'b', tag: 'gray', code_class: '5xx' }],
      cOk: ['graylane_requests_total', { app: 'c', tag: 'gray', code_class: '2xx' }],
      cFailed: ['graylane_requests_total', { app: 'c', tag: 'gray', code_class: '5xx' }],
      aToB: [
        'graylane_outbound_requests_total',
        { app: 'a', target: 'b', tag: 'gray', target_tag: 'gray', fallback: 'false' },
      ],
      aToBErrors: [
        'graylane_outbound_errors_total',
        { app: 'a', target: 'b', tag: 'gray', target_tag: 'gray', fallback: 'false' },
      ],
      aToBBase: [
        'graylane_outbound_requests_total',
        { app: 'a', target: 'b', tag: 'baseline', target_tag: 'baseline', fallback: 'false' },
      ],
      bToC: [
        'graylane_outbound_requests_total',
        { app: 'b', target: 'c', tag: 'gray', target_tag: 'gray', fallback: 'false' },
      ],
      bToCErrors: [
        'graylane_outbound_errors_total',
        { app: 'b', target: 'c', tag: 'gray', target_tag: 'gray', fallback: 'false' },
      ],
      cLatency: ['graylane_request_duration_seconds_count', { app: 'c', tag: 'gray' }],
    } as const;
    const read = (text: string) =>
      Object.fromEntries(
        Object.entries(counters).map(([k, [name, labels]]) => [k, sample(text, name, labels)]),
      ) as Record<keyof typeof counters, number>;
    // The warm-up above was counted too: compare what this test causes with what was there.
    let before = read(await scrape());
    await waitFor('the warm-up is reported', async () => {
      await new Promise((r) => setTimeout(r, 500));
      const now = read(await scrape());
      const settled = JSON.stringify(now) === JSON.stringify(before);
      before = now;
      return settled || 'still moving';
    });

    for (let i = 0; i < 10; i++) expect((await chain('?name=xiaoming')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await chain('?name=xiaoming&fail=c')).status).toBe(502);
    for (let i = 0; i < 5; i++)
      expect((await chain('?name=other')).text).toBe('a[base] -> b[base] -> c[base]');
    const bGray = services.get('b-gray')!;
    expect(await watch(bGray.grpc, '/chain')).toBe(grpc.status.OK);
    expect(await watch(bGray.grpc, '/chain?fail=b')).toBe(grpc.status.INTERNAL);

    const expected = {
      aOk: 15,
      aFailed: 3,
      bOk: 11, // 10 unary + 1 stream
      bFailed: 4, // 3 unary + 1 stream
      cOk: 11,
      cFailed: 3,
      aToB: 13,
      aToBErrors: 3,
      aToBBase: 5,
      bToC: 14,
      bToCErrors: 3,
      cLatency: 14,
    };
    let delta: Record<string, number> = {};
    await waitFor('the control plane shows exactly the traffic caused', async () => {
      const now = read(await scrape());
      delta = Object.fromEntries(
        Object.keys(expected).map((k) => [k, now[k as keyof typeof now] - before[k as keyof typeof before]]),
      );
      return JSON.stringify(delta) === JSON.stringify(expected) || delta;
    });
    expect(delta).toEqual(expected);
    const text = await scrape();
    // Real sums: the fixture waits 1 ms per hop, so c's mean latency is above that.
    const sum = sample(text, 'graylane_request_duration_seconds_sum', { app: 'c', tag: 'gray' });
    expect(
      sum / sample(text, 'graylane_request_duration_seconds_count', { app: 'c', tag: 'gray' }),
    ).toBeGreaterThan(0.001);
    expect(text).toMatch(
      /graylane_instance_eventloop_lag_seconds\{namespace="metered",app="a",instance="[^"]+"\} \d/,
    );
  });

  it('shows B → C falling back in the gray lane once C-gray is stopped', async () => {
    await services.get('c-gray')!.stop();
    await waitFor('the gray lane falls back at c', async () => {
      const text = (await chain('?name=xiaoming')).text;
      return text === 'a[base] -> b[gray] -> c[base]' || text;
    });
    for (let i = 0; i < 5; i++) await chain('?name=xiaoming');
    type Edge = { from: string; to: string; targetTag: string; reached: string; rate: number };
    let gray: Edge[] = [];
    await waitFor('the lane map shows the fallback', async () => {
      const res = await fetch(`${cp.url}/v1/namespaces/${NS}/lane-map?windowSeconds=5`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const map = (await res.json()) as { lanes: Array<{ tag: string; edges: Edge[] }> };
      gray = map.lanes.find((l) => l.tag === 'gray')?.edges ?? [];
      return gray.some((e) => e.from === 'b' && e.to === 'c' && e.reached === 'fallback') || gray;
    });
    // The lane's a → b edge, not just the first a → b one: the 5 s window can still hold the
    // warm-up's first calls, made before a knew of b-gray and rightly fallen back.
    expect(gray.find((e) => e.from === 'a' && e.to === 'b' && e.reached === 'lane')).toMatchObject({
      targetTag: 'gray',
    });
    expect(gray.find((e) => e.from === 'b' && e.to === 'c' && e.reached === 'fallback')).toMatchObject({
      targetTag: '',
    });
    const fellBack = async () =>
      sample(await scrape(), 'graylane_outbound_requests_total', {
        app: 'b',
        target: 'c',
        tag: 'gray',
        target_tag: 'baseline',
        fallback: 'true',
      });
    await waitFor('Prometheus text counts the fallbacks', async () => {
      const n = await fellBack();
      return n >= 6 || n;
    });
  });
});
