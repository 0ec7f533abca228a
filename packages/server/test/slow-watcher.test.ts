import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { api, laneYaml } from './support/api.js';
import { ADMIN, type StoreFixture, sqliteFixture } from './support/store-fixture.js';

const NS = 'slow';
const BIG = 'x'.repeat(100_000);
const bigLane = (name: string) =>
  laneYaml(name)
    .replace(`metadata: { name: ${name} }`, `metadata: { name: ${name}, namespace: ${NS} }`)
    .replace('value: xiaoming', `value: ${BIG}`);

/** A watch stream read by hand: paused until `resume`, its events kept in order. */
function rawWatch(url: string) {
  const events: Array<{ event: string; version: number }> = [];
  let ended = false;
  let buffer = '';
  const req = request(`${url}/v1/namespaces/${NS}/watch`, { headers: { authorization: `Bearer ${ADMIN}` } });
  const opened = new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
  });
  req.end();
  return {
    events,
    get ended() {
      return ended;
    },
    async start() {
      const res = await opened;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (\w+)$/m.exec(block)?.[1];
          const id = /^id: (\d+)$/m.exec(block)?.[1];
          if (event && id) events.push({ event, version: Number(id) });
        }
      });
      res.on('end', () => {
        ended = true;
      });
      res.on('close', () => {
        ended = true;
      });
      return res;
    },
    close: () => req.destroy(),
  };
}

async function until(what: string, check: () => boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a watcher that falls behind', () => {
  let fixture: StoreFixture;
  let server: RunningServer;

  beforeAll(async () => {
    fixture = await sqliteFixture();
    server = await fixture.start({ watchBufferBytes: 64 * 1024 });
  });
  afterAll(async () => fixture?.cleanup());

  // Sixty applies of 100 kB each: a few seconds alone, close to half a minute on a busy
  // two-core machine, so this case gets more than the project's 30 s per test.
  it('is not cut off: it gets one fresh snapshot once it reads again, then every later change', {
    timeout: 120_000,
  }, async () => {
    const call = api(server.url);
    const watch = rawWatch(server.url);
    const res = await watch.start();
    await until('the first snapshot', () => watch.events.length === 1);
    res.pause();
    // Far more than the kernel's socket buffers and the 64 kB limit while nobody reads.
    for (let i = 0; i < 60; i++)
      expect((await call('POST', '/v1/apply', bigLane(`big-${i}`))).status).toBe(200);
    const latest = (await call('GET', `/v1/namespaces/${NS}/lanes/big-59`)).body.metadata.resourceVersion;
    res.resume();
    await until('a fresh snapshot', () => watch.events.slice(1).some((e) => e.event === 'snapshot'));
    const snapshots = watch.events.slice(1).filter((e) => e.event === 'snapshot');
    expect(snapshots).toHaveLength(1);
    expect(String(snapshots[0]!.version)).toBe(latest);
    // Fewer change events than changes: the ones it skipped are inside the snapshot, none came twice.
    const changes = watch.events.filter((e) => e.event === 'change');
    expect(changes.length).toBeLessThan(60);
    expect(new Set(changes.map((c) => c.version)).size).toBe(changes.length);

    const small = laneYaml('after').replace(
      'metadata: { name: after }',
      `metadata: { name: after, namespace: ${NS} }`,
    );
    await call('POST', '/v1/apply', small);
    await until('the change after the snapshot', () => watch.events.at(-1)!.version > snapshots[0]!.version);
    expect(watch.events.at(-1)).toEqual({ event: 'change', version: snapshots[0]!.version + 1 });
    expect(watch.ended).toBe(false);
    watch.close();
  });
});
