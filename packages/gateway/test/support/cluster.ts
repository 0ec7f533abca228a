import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ADMIN_TOKEN,
  type ControlPlane as KitControlPlane,
  startControlPlane as startKitControlPlane,
} from '@graylane/test-kit';
import { request } from 'undici';
import { type RunningGateway, startGateway } from '../../src/index.js';

// The control plane, waiting and documents come from the test kit; the upstreams
// here are bare node:http servers the gateway proxies to.
export { ADMIN_TOKEN, waitFor } from '@graylane/test-kit';

export interface ControlPlane extends KitControlPlane {
  remove(namespace: string, kind: 'lanes' | 'gatewayroutes', name: string): Promise<void>;
  register(namespace: string, app: string, tag: string, port: number): Promise<string>;
}

/** A real control plane on port 0; instances live a minute without heartbeats. */
export async function startControlPlane(): Promise<ControlPlane> {
  const cp = await startKitControlPlane({ instanceTtlMs: 60_000 });
  return {
    ...cp,
    async remove(namespace, kind, name) {
      const res = await fetch(`${cp.url}/v1/namespaces/${namespace}/${kind}/${name}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      if (!res.ok) throw new Error(`DELETE ${kind}/${name}: ${res.status} ${await res.text()}`);
    },
    register: (namespace, app, tag, port) =>
      cp.register(namespace, { app, tag, address: '127.0.0.1', ports: { http: port } }),
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

export { gatewayRoute as route, lane } from '@graylane/test-kit';

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
