import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, startServer } from '@graylane/server';

/** The admin token of every control plane the kit starts (agents use it too). */
export const ADMIN_TOKEN = 'test-admin-token';

export interface RegisteredInstance {
  id: string;
  app: string;
  tag: string;
  address: string;
  ports: Record<string, number>;
}

export interface ControlPlane {
  server: RunningServer;
  url: string;
  /** `POST /v1/apply` of YAML/JSON text or of document objects. */
  apply(documents: string | object | object[]): Promise<void>;
  /** The registry's instances of a namespace (of one app when given). */
  instances(namespace: string, app?: string): Promise<RegisteredInstance[]>;
  /** Registers an instance by hand (one that is not running, say); returns its id. */
  register(namespace: string, instance: Omit<RegisteredInstance, 'id'> & { id?: string }): Promise<string>;
  close(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** Instance expiry without heartbeat; at least 3000 (default 15 s). */
  instanceTtlMs?: number;
}

async function api(base: string, method: string, path: string, body?: string, type = 'application/json') {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': type },
    body,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

/** A real control plane (SQLite in a temporary directory) on 127.0.0.1, port 0. */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const server = await startServer({
    ...options,
    port: 0,
    host: '127.0.0.1',
    data: mkdtempSync(join(tmpdir(), 'graylane-kit-cp-')),
    adminToken: ADMIN_TOKEN,
    log: () => {},
  });
  let n = 0;
  return {
    server,
    url: server.url,
    async apply(documents) {
      const text = typeof documents === 'string' ? documents : JSON.stringify(documents);
      await api(
        server.url,
        'POST',
        '/v1/apply',
        text,
        typeof documents === 'string' ? 'application/yaml' : undefined,
      );
    },
    async instances(namespace, app) {
      const query = app === undefined ? '' : `?app=${encodeURIComponent(app)}`;
      const body = await api(server.url, 'GET', `/v1/namespaces/${namespace}/instances${query}`);
      return body.items;
    },
    async register(namespace, instance) {
      const id = instance.id ?? `${instance.app}-manual-${++n}`;
      await api(
        server.url,
        'POST',
        `/v1/namespaces/${namespace}/instances`,
        JSON.stringify({ ...instance, id, protocols: Object.keys(instance.ports) }),
      );
      return id;
    },
    close: () => server.close(),
  };
}
