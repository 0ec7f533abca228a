import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.js';
import {
  type ControlPlane,
  gatewayOf,
  get,
  route,
  startControlPlane,
  startUpstream,
  type Upstream,
  waitFor,
} from './support/cluster.js';

const NS = 'gw-routing';
let cp: ControlPlane;
let gw: RunningGateway;
const upstreams: Upstream[] = [];
/** Answers the slow upstream still owes. */
const held: Array<() => void> = [];

/** Raw bytes on a fresh connection; resolves with everything the gateway answered before closing. */
function raw(port: number, text: string, keepOpenMs = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (c) => {
      out += c;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(out));
    socket.write(text);
    if (keepOpenMs === 0) return;
    setTimeout(() => socket.destroy(), keepOpenMs);
  });
}

beforeAll(async () => {
  cp = await startControlPlane();
  const a = await startUpstream('a');
  const b = await startUpstream('b');
  // Answers only when a test lets it: a 504 from the gateway can then only be its own timeout.
  const slow = await startUpstream('slow', (_req, res) => {
    held.push(() => res.end('late'));
  });
  upstreams.push(a, b, slow);
  await cp.register(NS, 'app-a', '', a.port);
  await cp.register(NS, 'app-b', '', b.port);
  await cp.register(NS, 'app-slow', '', slow.port);
  await cp.register(NS, 'app-dead', '', 1); // nothing listens on port 1
  await cp.apply([
    route(NS, 'a', { match: { pathPrefix: '/A' }, app: 'app-a' }),
    route(NS, 'a-exact', { match: { path: '/A/special' }, app: 'app-b' }),
    route(NS, 'b', { match: { pathPrefix: '/B' }, app: 'app-b', stripPrefix: true }),
    route(NS, 'slow', { match: { pathPrefix: '/slow' }, app: 'app-slow', timeoutMs: 200, stripPrefix: true }),
    route(NS, 'dead', { match: { pathPrefix: '/dead' }, app: 'app-dead', retries: 0 }),
    route(NS, 'nobody', { match: { pathPrefix: '/nobody' }, app: 'app-none' }),
  ]);
  gw = await gatewayOf(cp, NS);
  await waitFor('routes reach the gateway', async () => (await get(gw.url, '/A/x')).status === 200);
});

afterAll(async () => {
  await gw?.close();
  await Promise.all(upstreams.map((u) => u.kill()));
  await cp?.close();
});

describe('gateway routing', () => {
  it('sends a path prefix to its app and keeps the path without stripPrefix', async () => {
    const res = await get(gw.url, '/A/dubbo?name=xiaoming');
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('a');
    expect(res.body.url).toBe('/A/dubbo?name=xiaoming');
  });

  it('strips the prefix when the route asks for it', async () => {
    const res = await get(gw.url, '/B/hello?x=1');
    expect(res.body).toMatchObject({ name: 'b', url: '/hello?x=1' });
  });

  it('prefers an exact path route over a prefix route', async () => {
    expect((await get(gw.url, '/A/special')).body.name).toBe('b');
    expect((await get(gw.url, '/A/special/more')).body.name).toBe('a');
  });

  it('sets x-forwarded-* and keeps hop-by-hop headers away from the upstream', async () => {
    const res = await get(gw.url, '/A/h', { 'x-forwarded-for': '10.0.0.1', 'x-custom': 'kept' });
    const headers = res.body.headers!;
    expect(headers['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe(new URL(gw.url).host);
    expect(headers['x-custom']).toBe('kept');
    expect(headers['keep-alive']).toBeUndefined();
    expect(headers['x-graylane-tag']).toBeUndefined();
  });

  it('answers 404 GL_ROUTE_NOT_FOUND as JSON when no route matches', async () => {
    const res = await get(gw.url, '/nowhere');
    expect(res.status).toBe(404);
    expect(res.body.error?.code).toBe('GL_ROUTE_NOT_FOUND');
  });

  it('answers 503 GL_NO_INSTANCE when the app has no instance', async () => {
    const res = await get(gw.url, '/nobody');
    expect(res.status).toBe(503);
    expect(res.body.error?.code).toBe('GL_NO_INSTANCE');
  });

  it('answers 504 GL_UPSTREAM_TIMEOUT after the route timeout', async () => {
    // The upstream never answers on its own: only the gateway's timeout can end this request.
    let giveUp: NodeJS.Timeout | undefined;
    const res = await Promise.race([
      get(gw.url, '/slow/custom'),
      new Promise<never>((_, reject) => {
        giveUp = setTimeout(
          () => reject(new Error('no answer in 30 s: the route timeout of 200 ms never fired')),
          30_000,
        );
      }),
    ]).finally(() => {
      clearTimeout(giveUp);
      for (const answer of held.splice(0)) answer();
    });
    expect(res.status).toBe(504);
    expect(res.body.error?.code).toBe('GL_UPSTREAM_TIMEOUT');
  });

  it('answers 502 GL_UPSTREAM_FAILED when the upstream refuses connections, without a stack trace', async () => {
    const res = await get(gw.url, '/dead/x');
    expect(res.status).toBe(502);
    expect(res.body.error?.code).toBe('GL_UPSTREAM_FAILED');
    expect(res.text).not.toMatch(/\bat .+:\d+:\d+/);
  });

  it('answers /healthz and /readyz', async () => {
    expect(await get(gw.url, '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await get(gw.url, '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('rejects oversized headers with 431 and keeps serving others', async () => {
    const answer = await raw(gw.port, `GET /A/x HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431/);
    expect(answer).toContain('GL_BAD_REQUEST');
    expect((await get(gw.url, '/A/x')).status).toBe(200);
  });

  it('rejects malformed request lines and paths with 400', async () => {
    expect(await raw(gw.port, 'GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    const dots = await raw(gw.port, 'GET /B/../admin HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    expect(dots).toMatch(/^HTTP\/1\.1 400/);
    expect(dots).toContain('GL_BAD_REQUEST');
    const star = await raw(gw.port, 'OPTIONS * HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    expect(star).toMatch(/^HTTP\/1\.1 400/);
  });

  it('serves other clients while a slow client trickles its request', async () => {
    const slow = raw(gw.port, 'POST /A/x HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nab', 1500);
    const fast = await Promise.all(Array.from({ length: 20 }, () => get(gw.url, '/A/x')));
    expect(fast.every((r) => r.status === 200)).toBe(true);
    await slow;
  });
});
