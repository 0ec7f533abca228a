import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Service as KitService,
  lane as kitLane,
  startService as startKitService,
} from '@graylane/test-kit';

// The control plane, waiting and documents come from the test kit; this file keeps
// the options of the agent's own fixtures (service.mjs/.cjs, frameworks, otel).
export { ADMIN_TOKEN, type ControlPlane, startControlPlane, waitFor } from '@graylane/test-kit';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

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
  /** How long it may take to listen (default the kit's 60 s; OpenTelemetry's SDK alone takes seconds). */
  startTimeoutMs?: number;
}

export interface Service extends Omit<KitService, 'options'> {
  options: ServiceOptions;
}

/** Starts a fixture service under the agent, in its own process, and waits until it listens. */
export async function startService(options: ServiceOptions): Promise<Service> {
  const esm = (options.module ?? 'esm') === 'esm';
  const started = await startKitService({
    app: options.app,
    tag: options.tag ?? '',
    server: options.server,
    namespace: options.namespace,
    script: join(fixtures, options.script ?? (esm ? 'service.mjs' : 'service.cjs')),
    cwd: fixtures,
    module: esm ? 'esm' : 'cjs',
    ...(options.node ? { node: options.node } : {}),
    ...(options.preload?.before ? { nodeArgs: options.preload.before } : {}),
    ...(options.preload?.after ? { afterAgentArgs: options.preload.after } : {}),
    ...(options.startTimeoutMs ? { readyTimeoutMs: options.startTimeoutMs } : {}),
    env: {
      NEXT: options.next ?? '',
      TRANSPORT: options.transport ?? 'http',
      FRAMEWORK: options.framework ?? 'node',
      GRAYLANE_CACHE_DIR: options.cacheDir,
      BIND: options.bind ?? '',
      ...options.env,
    },
  });
  return { ...started, options };
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

export function cacheDir(): string {
  return mkdtempSync(join(tmpdir(), 'graylane-agent-cache-'));
}

export function lane(namespace: string, spec: Record<string, unknown>, name = 'gray'): string {
  return JSON.stringify(kitLane(namespace, spec, name));
}
