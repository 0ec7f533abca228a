import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type RunningServer, startServer } from '@graylane/server';

export const ADMIN_TOKEN = 'test-admin-token';
const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface ControlPlane {
  server: RunningServer;
  url: string;
  apply(yaml: string): Promise<void>;
  close(): Promise<void>;
}

export async function startControlPlane(options: { instanceTtlMs?: number } = {}): Promise<ControlPlane> {
  const server = await startServer({
    ...options,
    port: 0,
    host: '127.0.0.1',
    data: mkdtempSync(join(tmpdir(), 'graylane-cp-')),
    adminToken: ADMIN_TOKEN,
    log: () => {},
  });
  return {
    server,
    url: server.url,
    async apply(yaml) {
      const res = await fetch(`${server.url}/v1/apply`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/yaml' },
        body: yaml,
      });
      if (!res.ok) throw new Error(`apply failed: ${res.status} ${await res.text()}`);
    },
    close: () => server.close(),
  };
}

export interface ServiceOptions {
  app: string;
  tag?: string;
  next?: string;
  transport?: 'http' | 'fetch' | 'grpc';
  module?: 'esm' | 'cjs';
  framework?: 'node' | 'express' | 'fastify';
  server: string;
  namespace: string;
  cacheDir: string;
  /** Address both servers of the fixture listen on (default: every interface). */
  bind?: string;
  /** Extra environment; a value of '' removes the variable (e.g. GRAYLANE_HOST). */
  env?: Record<string, string>;
  /** The node binary (a line from scripts/node-lines.mjs); default: the one running the tests. */
  node?: string;
  /** Node options around the agent's: `before` load ahead of it, `after` behind it. */
  preload?: { before?: string[]; after?: string[] };
  /** The app to run instead of service.mjs / service.cjs (a path under fixtures/). */
  script?: string;
  /** How long it may take to listen (default 20 s; OpenTelemetry's SDK alone takes seconds). */
  startTimeoutMs?: number;
}

export interface Service {
  options: ServiceOptions;
  http: number;
  grpc: number;
  process: ChildProcess;
  output: () => string;
  /** SIGTERM, then waits for the process to exit. */
  stop(): Promise<void>;
}

/** Starts a fixture service under the agent, in its own process, and waits until it listens. */
export function startService(options: ServiceOptions): Promise<Service> {
  const esm = (options.module ?? 'esm') === 'esm';
  const child = spawn(
    options.node ?? process.execPath,
    [
      ...(options.preload?.before ?? []),
      esm ? '--import' : '--require',
      '@graylane/agent/register',
      ...(options.preload?.after ?? []),
      join(fixtures, options.script ?? (esm ? 'service.mjs' : 'service.cjs')),
    ],
    {
      cwd: fixtures,
      env: {
        ...process.env,
        APP: options.app,
        NEXT: options.next ?? '',
        TRANSPORT: options.transport ?? 'http',
        FRAMEWORK: options.framework ?? 'node',
        GRAYLANE_SERVER: options.server,
        GRAYLANE_APP: options.app,
        GRAYLANE_TAG: options.tag ?? '',
        GRAYLANE_NAMESPACE: options.namespace,
        GRAYLANE_TOKEN: ADMIN_TOKEN,
        GRAYLANE_HOST: '127.0.0.1',
        GRAYLANE_CACHE_DIR: options.cacheDir,
        GRAYLANE_LOG_LEVEL: 'info',
        BIND: options.bind ?? '',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stderr!.on('data', (c) => {
    log += c;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const limit = options.startTimeoutMs ?? 20000;
    const timer = setTimeout(
      () => reject(new Error(`${options.app} did not start in ${limit / 1000} s:\n${log}`)),
      limit,
    );
    child.once('exit', (code) => reject(new Error(`${options.app} exited with ${code}:\n${log}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      clearTimeout(timer);
      const ready = JSON.parse(line) as { http: number; grpc: number };
      resolve({
        options,
        http: ready.http,
        grpc: ready.grpc,
        process: child,
        output: () => log,
        async stop() {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

export async function call(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  host = '127.0.0.1',
) {
  const res = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`, { headers });
  return { status: res.status, text: await res.text() };
}

/** Polls until `check` returns true; the last value is in the error when it never does. */
export async function waitFor(what: string, check: () => Promise<unknown>, timeoutMs = 10000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    last = await check().catch((e) => e);
    if (last === true) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: still not true after ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}

export function cacheDir(): string {
  return mkdtempSync(join(tmpdir(), 'graylane-agent-cache-'));
}

export function lane(namespace: string, spec: Record<string, unknown>, name = 'gray'): string {
  return JSON.stringify({ apiVersion: 'graylane.io/v1', kind: 'Lane', metadata: { name, namespace }, spec });
}
