import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, startServer } from '@graylane/server';
import { request } from 'undici';
import { type RunningGateway, startGateway } from '../../src/index.js';

export const ADMIN_TOKEN = 'test-admin-token';

export interface ControlPlane {
  server: RunningServer;
  url: string;
  apply(doc: unknown): Promise<void>;
  remove(namespace: string, kind: 'lanes' | 'gatewayroutes', name: string): Promise<void>;
  register(namespace: string, app: string, tag: string, port: number): Promise<string>;
  close(): Promise<void>;
}

async function api(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text;
}

/** A real control plane on port 0; instances live a minute without heartbeats. */
export async function startControlPlane(): Promise<ControlPlane> {
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    data: mkdtempSync(join(tmpdir(), 'graylane-gw-cp-')),
    adminToken: ADMIN_TOKEN,
    instanceTtlMs: 60_000,
    log: () => {},
  });
  let n = 0;
  return {
    server,
    url: server.url,
    async apply(doc) {
      await api(server.url, 'POST', '/v1/apply', doc);
    },
    async remove(namespace, kind, name) {
      await api(server.url, 'DELETE', `/v1/namespaces/${namespace}/${kind}/${name}`);
    },
    async register(namespace, app, tag, port) {
      const id = `${app}-${tag || 'base'}-${++n}`;
      await api(server.url, 'POST', `/v1/namespaces/${namespace}/instances`, {
        id,
        app,
        tag,
        address: '127.0.0.1',
        ports: { http: port },
        protocols: ['http'],
      });
      return id;
    },
    close: () => server.close(),
  };
}

export interface Upstream {
  name: string;
  port: number;
  server: Server;
  /** Closes the listener and cuts every open connection, like a killed process. */
  kill(): Promise<void>;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Answers `{name, url, tag, headers}` unless `handler` takes the request. */
export async function startUpstream(name: string, handler?: UpstreamHandler): Promise<Upstream> {
  const server = createServer((req, res) => {
    if (handler && req.url?.startsWith('/custom')) return handler(req, res);
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({
        name,
        url: req.url,
        tag: req.headers['x-graylane-tag'] ?? '',
        headers: req.headers,
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    name,
    port: (server.address() as AddressInfo).port,
    server,
    async kill() {
      const closed = new Promise((r) => server.close(r));
      server.closeAllConnections();
      await closed;
    },
  };
}

export function gatewayOf(cp: ControlPlane, namespace: string): Promise<RunningGateway> {
  return startGateway({
    server: cp.url,
    token: ADMIN_TOKEN,
    port: 0,
    host: '127.0.0.1',
    namespace,
    cacheDir: mkdtempSync(join(tmpdir(), 'graylane-gw-cache-')),
    logLevel: 'silent',
  });
}

export const route = (namespace: string, name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'graylane.io/v1',
  kind: 'GatewayRoute',
  metadata: { name, namespace },
  spec,
});

export const lane = (namespace: string, spec: Record<string, unknown>, name = 'gray') => ({
  apiVersion: 'graylane.io/v1',
  kind: 'Lane',
  metadata: { name, namespace },
  spec,
});

export interface Answer {
  status: number;
  body: {
    name?: string;
    url?: string;
    tag?: string;
    headers?: Record<string, string>;
    error?: { code: string; message: string };
  };
  text: string;
}

/** A GET through undici's `request`, which (unlike fetch) lets a test set the Host header. */
export async function get(
  base: string,
  path: string,
  headers: Record<string, string> = {},
  method: 'GET' | 'POST' = 'GET',
): Promise<Answer> {
  const res = await request(`${base}${path}`, { headers, method, body: method === 'POST' ? 'x' : null });
  const text = await res.body.text();
  let body: Answer['body'] = {};
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the test looks at `text`
  }
  return { status: res.statusCode, body, text };
}

/** Polls until `check` returns true; the last value is in the error when it never does. */
export async function waitFor(
  what: string,
  check: () => Promise<unknown>,
  timeoutMs = 10_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    last = await check().catch((e) => String(e));
    if (last === true) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: still not true after ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}
