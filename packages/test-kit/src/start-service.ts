import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN } from './control-plane.js';

/** The kit's plain service (fixtures/hop-service.mjs): see its header for what it answers. */
export const HOP_SERVICE = fileURLToPath(new URL('../fixtures/hop-service.mjs', import.meta.url));

export interface ServiceOptions {
  /** GRAYLANE_APP (and APP for the fixture). */
  app: string;
  /** GRAYLANE_TAG; '' or absent: baseline. */
  tag?: string;
  /** The control plane's URL (GRAYLANE_SERVER). */
  server: string;
  /** GRAYLANE_NAMESPACE. */
  namespace: string;
  /** The app to run (absolute path); default the kit's hop service. It prints a ready line. */
  script?: string;
  /** `esm` (default) preloads with `--import`, `cjs` with `--require`. */
  module?: 'esm' | 'cjs';
  /** The node binary; default the one running the tests (process.execPath). */
  node?: string;
  /** Node options before the agent's (e.g. another preload). */
  nodeArgs?: string[];
  /** Node options after the agent's (a preload that must load behind it). */
  afterAgentArgs?: string[];
  /** More environment; it wins over the kit's defaults (GRAYLANE_HOST is 127.0.0.1). */
  env?: Record<string, string>;
  /** Working directory; default the script's folder (so packages resolve as for the app). */
  cwd?: string;
  /**
   * How long the app may take to print its ready line (default 60 s): a second or two on a
   * quiet machine, over 20 s for a node with the agent and gRPC on a busy two-core one.
   */
  readyTimeoutMs?: number;
}

export interface Service {
  options: ServiceOptions;
  /** Ports from the ready line. */
  http: number;
  grpc: number;
  process: ChildProcess;
  /** What the process wrote on stderr so far (the agent's log lines). */
  output(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL (a crash: no deregistration), then waits for the exit. */
  kill(): Promise<void>;
}

/**
 * Starts a plain service under the agent in its own process:
 * `node [nodeArgs] --import @graylane/agent/register SCRIPT`. Resolves when the app
 * prints its ready line `{"ready":true,"http":PORT,"grpc":PORT}` on stdout.
 */
export function startService(options: ServiceOptions): Promise<Service> {
  const script = options.script ?? HOP_SERVICE;
  const child = spawn(
    options.node ?? process.execPath,
    [
      ...(options.nodeArgs ?? []),
      options.module === 'cjs' ? '--require' : '--import',
      '@graylane/agent/register',
      ...(options.afterAgentArgs ?? []),
      script,
    ],
    {
      cwd: options.cwd ?? dirname(script),
      env: {
        ...process.env,
        APP: options.app,
        GRAYLANE_SERVER: options.server,
        GRAYLANE_APP: options.app,
        GRAYLANE_TAG: options.tag ?? '',
        GRAYLANE_NAMESPACE: options.namespace,
        GRAYLANE_TOKEN: ADMIN_TOKEN,
        GRAYLANE_HOST: '127.0.0.1',
        GRAYLANE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'graylane-kit-cache-')),
        GRAYLANE_LOG_LEVEL: 'info',
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
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const limit = options.readyTimeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.app} did not start in ${limit / 1000} s:\n${log}`));
    }, limit);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.app} exited with ${code}:\n${log}`));
    });
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
        stop: () => end('SIGTERM'),
        kill: () => end('SIGKILL'),
      });
    });
  });
}
