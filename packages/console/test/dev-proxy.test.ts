import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificates } from '@graylane/injector';
import { type RunningServer, startServer } from '@graylane/server';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ADMIN = 'dev-proxy-admin-token';

describe('the console dev server', () => {
  let dir: string;
  let controlPlane: RunningServer;
  let vite: ViteDevServer;
  const saved = { server: process.env.GRAYLANE_SERVER, ca: process.env.GRAYLANE_CA };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'graylane-dev-proxy-'));
    const certs = createCertificates({
      service: 'graylane',
      namespace: 'test',
      extraNames: ['127.0.0.1'],
      days: 1,
    });
    controlPlane = await startServer({
      port: 0,
      host: '127.0.0.1',
      data: dir,
      adminToken: ADMIN,
      log: () => {},
      tls: { cert: certs.tlsCert, key: certs.tlsKey },
    });
    process.env.GRAYLANE_SERVER = controlPlane.url;
    process.env.GRAYLANE_CA = certs.caCert;
    vite = await createServer({
      configFile: join(import.meta.dirname, '../vite.config.ts'),
      server: { port: 0, host: '127.0.0.1' },
      logLevel: 'silent',
    });
    await vite.listen();
  });
  afterAll(async () => {
    await vite?.close();
    await controlPlane?.close();
    process.env.GRAYLANE_SERVER = saved.server;
    process.env.GRAYLANE_CA = saved.ca;
    if (saved.server === undefined) delete process.env.GRAYLANE_SERVER;
    if (saved.ca === undefined) delete process.env.GRAYLANE_CA;
    await rm(dir, { recursive: true, force: true });
  });

  it('proxies the API to an HTTPS control plane whose CA is given by GRAYLANE_CA', async () => {
    expect(controlPlane.url).toMatch(/^https:/);
    const port = (vite.httpServer!.address() as AddressInfo).port;
    const res = await fetch(`http://127.0.0.1:${port}/v1/namespaces`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(res.status).toBe(200);
    expect((await res.json()).items.map((n: { name: string }) => n.name)).toContain('default');
  });
});
