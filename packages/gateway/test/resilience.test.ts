import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { request } from 'undici';
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

const NS = 'gw-resilience';
const MB = 1024 * 1024;
let cp: ControlPlane;
let gw: RunningGateway;
const upstreams: Upstream[] = [];

/** Lets a test release an upstream that waits for it. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, opened };
}
let responseGate = gate();
let requestSeen = gate();

beforeAll(async () => {
  cp = await startControlPlane();
  for (const name of ['one', 'two', 'three']) {
    const u = await startUpstream(name);
    upstreams.push(u);
    await cp.register(NS, 'app-load', '', u.port);
  }
  const streamer = await startUpstream('streamer', (req, res) => {
    if (req.url === '/custom/download') {
      // The first chunk goes out, then the upstream waits until the client has it:
      // a gateway that buffered the whole response would never deliver it.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(Buffer.alloc(64 * 1024, 1));
      void responseGate.opened.then(async () => {
        const chunk = Buffer.alloc(MB, 2);
        for (let i = 0; i < 48; i++) {
          if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
        }
        res.end();
      });
      return;
    }
    // Upload: counts and hashes the body; tells the test when the first bytes arrived.
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (c: Buffer) => {
      if (bytes === 0) requestSeen.open();
      bytes += c.length;
      hash.update(c);
    });
    req.on('end', () => res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') })));
  });
  upstreams.push(streamer);
  await cp.register(NS, 'app-stream', '', streamer.port);
  await cp.apply([
    route(NS, 'load', { match: { pathPrefix: '/load' }, app: 'app-load', retries: 2 }),
    route(NS, 'stream', { match: { pathPrefix: '/stream' }, app: 'app-stream', stripPrefix: true }),
  ]);
  gw = await gatewayOf(cp, NS);
  await waitFor('routes reach the gateway', async () => (await get(gw.url, '/load')).status === 200);
});

afterAll(async () => {
  await gw?.close();
  await Promise.all(upstreams.map((u) => u.kill()));
  await cp?.close();
});

describe('gateway resilience and streaming', () => {
  it('keeps traffic flowing on the other instances when one is killed under load', async () => {
    const served = new Map<string, number>();
    const failures: string[] = [];
    let killedAt = 0;
    const afterKill: string[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const sentAt = Date.now();
        const res = await get(gw.url, '/load/x').catch((e: Error) => ({
          status: 0,
          body: {},
          text: e.message,
        }));
        if (res.status !== 200) failures.push(`${res.status} ${res.text}`);
        else {
          const name = res.body.name!;
          served.set(name, (served.get(name) ?? 0) + 1);
          // Sent once the instance was gone: it can only have been answered by another one.
          if (killedAt > 0 && sentAt > killedAt) afterKill.push(name);
        }
      }
    };
    // Counted, not timed: the kill comes once the doomed instance took load, and the load
    // runs on until enough requests went out after it, however slow the machine is.
    const load = Promise.all(Array.from({ length: 16 }, worker));
    try {
      await waitFor(
        'the instance to be killed serves some of the load',
        async () => (served.get('one') ?? 0) > 0,
      );
      await upstreams[0]!.kill();
      killedAt = Date.now();
      await waitFor(
        '100 requests sent after the kill are answered',
        async () => afterKill.length >= 100,
        30_000,
      );
    } finally {
      stop = true;
      await load;
    }
    expect(failures).toEqual([]);
    expect(afterKill).not.toContain('one');
  });

  it('streams a large response without waiting for its end', async () => {
    responseGate = gate();
    const res = await request(`${gw.url}/stream/custom/download`);
    expect(res.statusCode).toBe(200);
    let bytes = 0;
    for await (const chunk of res.body) {
      if (bytes === 0) responseGate.open();
      bytes += (chunk as Buffer).length;
    }
    expect(bytes).toBe(64 * 1024 + 48 * MB);
  });

  it('streams a large request body to the upstream as it arrives', async () => {
    requestSeen = gate();
    const hash = createHash('sha256');
    const chunk = Buffer.alloc(MB, 3);
    async function* body() {
      hash.update(chunk);
      yield chunk;
      // The rest only once the upstream has the first megabyte: buffering would deadlock here.
      await requestSeen.opened;
      for (let i = 1; i < 48; i++) {
        hash.update(chunk);
        yield chunk;
      }
    }
    const res = await request(`${gw.url}/stream/custom/upload`, {
      method: 'POST',
      body: Readable.from(body()),
    });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(await res.body.text())).toEqual({ bytes: 48 * MB, sha256: hash.digest('hex') });
  });
});
