import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  type ControlPlane,
  cacheDir,
  call,
  type Service,
  startControlPlane,
  startService,
  waitFor,
} from './support/cluster.js';

async function instances(cp: ControlPlane, namespace: string) {
  const res = await fetch(`${cp.url}/v1/namespaces/${namespace}/instances`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return ((await res.json()) as { items: Array<{ id: string; app: string; address: string }> }).items;
}

// The services run without GRAYLANE_HOST, as a new user's would.
describe.each([
  { bind: '127.0.0.1', transport: 'http' },
  { bind: '127.0.0.1', transport: 'grpc' },
  { bind: '::1', transport: 'http' },
  { bind: '::1', transport: 'fetch' },
  { bind: '::1', transport: 'grpc' },
] as const)('a service bound to $bind, called over $transport', ({ bind, transport }) => {
  let cp: ControlPlane;
  const services: Service[] = [];
  const namespace = `bound-${bind.replace(/[^0-9]/g, '')}-${transport}`;

  beforeAll(async () => {
    cp = await startControlPlane();
    const options = {
      server: cp.url,
      namespace,
      cacheDir: cacheDir(),
      bind,
      transport,
      env: { GRAYLANE_HOST: '' },
    };
    services.push(
      ...(await Promise.all([
        startService({ ...options, app: 'a', next: 'b' }),
        startService({ ...options, app: 'b' }),
      ])),
    );
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await cp?.close();
  });

  it('is registered at the address it is bound to, and the next hop reaches it there', async () => {
    // Each instance registers at start, then again with the address its first server is bound to.
    await waitFor('both instances are registered at the bound address', async () => {
      const addresses = (await instances(cp, namespace)).map((i) => i.address);
      return (addresses.length === 2 && addresses.every((a) => a === bind)) || addresses;
    });
    await waitFor('a reaches b', async () => {
      const { text } = await call(services[0]!.http, '/chain', {}, bind);
      return text === 'a[base] -> b[base]' || text;
    });
  });
});

describe('heartbeats', () => {
  it('follow the TTL the server answers: a 3 s TTL keeps a live instance for good', async () => {
    const cp = await startControlPlane({ instanceTtlMs: 3000 });
    const service = await startService({ server: cp.url, namespace: 'ttl', cacheDir: cacheDir(), app: 'a' });
    try {
      await waitFor('the instance is registered', async () => (await instances(cp, 'ttl')).length === 1);
      const [first] = await instances(cp, 'ttl');
      // With the old fixed 5 s beat, a 3 s TTL expired the instance within this wait.
      await new Promise((r) => setTimeout(r, 8000));
      const audit = await fetch(`${cp.url}/v1/audit?namespace=ttl`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      }).then((r) => r.json() as Promise<{ items: Array<{ action: string }> }>);
      expect(audit.items.filter((e) => e.action === 'expire')).toEqual([]);
      expect((await instances(cp, 'ttl')).map((i) => i.id)).toEqual([first!.id]);
    } finally {
      await service.stop();
      await cp.close();
    }
  });
});

describe('a loopback-bound instance', () => {
  it('warns with GL_INSTANCE_LOOPBACK once another instance of the namespace lives on another host', async () => {
    const cp = await startControlPlane();
    const service = await startService({
      server: cp.url,
      namespace: 'loop',
      cacheDir: cacheDir(),
      app: 'a',
      bind: '127.0.0.1',
      env: { GRAYLANE_HOST: '' },
    });
    try {
      await waitFor('a is registered', async () => (await instances(cp, 'loop')).length === 1);
      expect(service.output()).not.toContain('GL_INSTANCE_LOOPBACK');
      const register = (id: string, app: string, address: string) =>
        fetch(`${cp.url}/v1/namespaces/loop/instances`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ id, app, address, ports: { http: 8080 } }),
        });
      // An instance at this host's own address (bound to 0.0.0.0 beside a) reaches a: no warning for it.
      const own = Object.values(networkInterfaces())
        .flatMap((l) => l ?? [])
        .find((n) => !n.internal && n.family === 'IPv4');
      if (own) expect((await register('a2-here', 'a2', own.address)).status).toBe(201);
      expect((await register('b-remote', 'b', '192.0.2.10')).status).toBe(201);
      await waitFor('a warns', async () => service.output().includes('GL_INSTANCE_LOOPBACK'));
      expect(service.output()).toContain('listens on 127.0.0.1');
      expect(service.output()).toContain('b runs at 192.0.2.10');
    } finally {
      await service.stop();
      await cp.close();
    }
  });
});
