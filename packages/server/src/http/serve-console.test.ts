import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createConsoleHandler, isConsoleRequest } from './serve-console.js';

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

async function serve(dir: string): Promise<string> {
  const handler = createConsoleHandler(dir);
  const server = createServer((req, res) => {
    void handler(req, res, new URL(req.url ?? '/', 'http://x').pathname);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function builtConsole(): string {
  const dir = mkdtempSync(join(tmpdir(), 'graylane-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'index-abc123.css'), 'body{}');
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
  writeFileSync(join(tmpdir(), 'secret-next-to-console.txt'), 'top secret content');
  return dir;
}

describe('console hosting', () => {
  it('leaves the API, health, OpenAPI and Prometheus paths to the router', () => {
    expect(isConsoleRequest('GET', '/')).toBe(true);
    expect(isConsoleRequest('GET', '/lanes/gray')).toBe(true);
    expect(isConsoleRequest('HEAD', '/assets/x.js')).toBe(true);
    expect(isConsoleRequest('GET', '/v1/namespaces')).toBe(false);
    expect(isConsoleRequest('GET', '/v1')).toBe(false);
    expect(isConsoleRequest('GET', '/openapi.json')).toBe(false);
    expect(isConsoleRequest('GET', '/healthz')).toBe(false);
    expect(isConsoleRequest('GET', '/metrics')).toBe(false);
    expect(isConsoleRequest('POST', '/')).toBe(false);
    expect(isConsoleRequest('GET', '/v1x')).toBe(true);
  });

  it('serves files with their content type, hashed assets cached for a year, index.html revalidated', async () => {
    const url = await serve(builtConsole());
    const js = await fetch(`${url}/assets/index-abc123.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log(1)');
    const css = await fetch(`${url}/assets/index-abc123.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const svg = await fetch(`${url}/favicon.svg`);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('cache-control')).toBe('no-cache');
    const index = await fetch(`${url}/`);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await index.text()).toContain('id="root"');
  });

  it('answers index.html for client-side routes and 404 for missing files', async () => {
    const url = await serve(builtConsole());
    const route = await fetch(`${url}/apps/spring-cloud-a`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('id="root"');
    const missing = await fetch(`${url}/assets/gone-123.js`);
    expect(missing.status).toBe(404);
    const head = await fetch(`${url}/lanes`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
  });

  it('never serves files outside the console folder', async () => {
    const url = await serve(builtConsole());
    for (const path of [
      '/../secret-next-to-console.txt',
      '/%2e%2e/secret-next-to-console.txt',
      '/..%2fsecret-next-to-console.txt',
    ]) {
      const res = await fetch(`${url}${path}`);
      expect(await res.text()).not.toContain('top secret content');
    }
  });

  it('says how to build the console when it has not been built', async () => {
    const url = await serve(mkdtempSync(join(tmpdir(), 'graylane-console-empty-')));
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('npm run build -w @graylane/console');
  });
});
