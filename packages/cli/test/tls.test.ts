import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCertificates } from '@graylane/injector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graylane, type SpawnedServer, spawnServer } from './support/run-graylane.js';

const TOKEN = 'tls-test-admin-token';
const bin = fileURLToPath(new URL('../bin/graylane.js', import.meta.url));

/** GET over HTTPS trusting only `ca`. */
function get(url: string, ca: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('TLS: graylane server and gateway over HTTPS with a CA of their own', () => {
  let dir: string;
  let server: SpawnedServer;
  let caFile: string;
  let certFile: string;
  let keyFile: string;
  const certs = createCertificates({
    service: 'graylane',
    namespace: 'test',
    extraNames: ['127.0.0.1', 'localhost'],
    days: 1,
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'graylane-tls-'));
    caFile = join(dir, 'ca.crt');
    certFile = join(dir, 'tls.crt');
    keyFile = join(dir, 'tls.key');
    await writeFile(caFile, certs.caCert);
    await writeFile(certFile, certs.tlsCert);
    await writeFile(keyFile, certs.tlsKey);
    server = await spawnServer([
      '--data',
      join(dir, 'data'),
      '--admin-token',
      TOKEN,
      '--tls-cert',
      certFile,
      '--tls-key',
      keyFile,
    ]);
  });
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the API and the console over HTTPS', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await get(`${server.url}/healthz`, certs.caCert);
    expect(JSON.parse(health.body)).toEqual({ ok: true });
    const page = await get(`${server.url}/`, certs.caCert);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html');
  });

  it('lets the CLI trust the CA given by GRAYLANE_CA, as a file or as its text, and not otherwise', async () => {
    const env = { GRAYLANE_SERVER: server.url, GRAYLANE_TOKEN: TOKEN };
    const withFile = await graylane(['get', 'namespaces'], { env: { ...env, GRAYLANE_CA: caFile } });
    expect(withFile.code).toBe(0);
    expect(withFile.stdout).toMatch(/^default\b/m);
    const withText = await graylane(['get', 'namespaces'], { env: { ...env, GRAYLANE_CA: certs.caCert } });
    expect(withText.code).toBe(0);
    const untrusted = await graylane(['get', 'namespaces'], { env });
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toContain('GL_CONTROL_PLANE_UNREACHABLE');
    expect(untrusted.stderr).toContain('GRAYLANE_CA');
    const missing = await graylane(['get', 'namespaces'], {
      env: { ...env, GRAYLANE_CA: join(dir, 'nope.crt') },
    });
    expect(missing.stderr).toContain('GL_TLS_INVALID');
  });

  it('runs the gateway over HTTPS, its agent registering with the HTTPS control plane through GRAYLANE_CA', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      [bin, 'gateway', '--port', '0', '--host', '127.0.0.1', '--tls-cert', certFile, '--tls-key', keyFile],
      {
        env: {
          ...process.env,
          GRAYLANE_SERVER: server.url,
          GRAYLANE_TOKEN: TOKEN,
          GRAYLANE_CA: caFile,
          GRAYLANE_NAMESPACE: '',
          GRAYLANE_CACHE_DIR: join(dir, 'cache'),
        },
      },
    );
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.stderr?.on('data', (d) => {
      out += d;
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /listening on (https:\/\/\S+)/.exec(out);
          if (m) {
            clearInterval(timer);
            resolve(m[1]!);
          }
        }, 50);
        child.on('exit', (code) => {
          clearInterval(timer);
          reject(new Error(`gateway exited with ${code}: ${out}`));
        });
      });
      const answer = await get(`${url}/nowhere`, certs.caCert);
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.body).error.code).toBe('GL_ROUTE_NOT_FOUND');
      const instances = await get(
        `${server.url}/v1/namespaces/default/instances?app=gateway`,
        certs.caCert,
        TOKEN,
      );
      expect(JSON.parse(instances.body).items).toHaveLength(1);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('refuses to start with a key that is not the certificate’s, with GL_TLS_INVALID', async () => {
    const other = createCertificates({ service: 'other', namespace: 'test', days: 1 });
    const wrongKey = join(dir, 'wrong.key');
    await writeFile(wrongKey, other.tlsKey);
    const run = await graylane([
      'server',
      '--port',
      '0',
      '--data',
      join(dir, 'data2'),
      '--tls-cert',
      certFile,
      '--tls-key',
      wrongKey,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('GL_TLS_INVALID');
  });
});
