import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS = '/usr/bin/prometheus';

export interface RunningPrometheus {
  url: string;
  /** An instant PromQL query; the vector's samples as labels and value. `at` in ms (may be fractional). */
  query(promql: string, at?: number): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  /** The raw samples of a range selector (`metric[30s]`): timestamps in ms. */
  samples(
    selector: string,
  ): Promise<Array<{ metric: Record<string, string>; values: Array<[number, number]> }>>;
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1: Prometheus cannot listen on port 0 and report the port it got. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Debian's Prometheus scraping `target` (host:port) every second, with a temporary
 * config and data directory; fails loudly when it is not installed or does not start.
 */
export async function startPrometheus(target: string): Promise<RunningPrometheus> {
  if (!existsSync(PROMETHEUS)) {
    throw new Error(
      `${PROMETHEUS} is missing: run scripts/ensure-prometheus.sh (make test does) to install Debian's prometheus`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'graylane-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      '  - job_name: graylane',
      '    metrics_path: /metrics',
      `    static_configs: [{ targets: ['${target}'] }]`,
      '',
    ].join('\n'),
  );
  // The free port is closed before Prometheus binds it, so another process may take it in
  // between: Prometheus then exits saying so, and it starts again on another port.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const started = await launch(port, config, dir);
    if (started !== 'port taken') return started;
    if (attempt === 5) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error('prometheus found its port taken 5 times in a row');
    }
  }
}

async function launch(port: number, config: string, dir: string): Promise<RunningPrometheus | 'port taken'> {
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, `data-${port}`)}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (c) => {
    log = (log + c).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await closed; // its last words may come after the exit
      if (log.includes('address already in use')) return 'port taken';
      throw new Error(`prometheus exited with ${child.exitCode}:\n${log}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await close();
      throw new Error(`prometheus was not ready within 30 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  async function api(promql: string, at?: number) {
    const params = new URLSearchParams({ query: promql });
    if (at !== undefined) params.set('time', (at / 1000).toFixed(3));
    const res = await fetch(`${url}/api/v1/query?${params}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data: {
        result: Array<{
          metric: Record<string, string>;
          value?: [number, string];
          values?: Array<[number, string]>;
        }>;
      };
    };
    if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error}`);
    return body.data.result;
  }
  return {
    url,
    async query(promql, at) {
      const result = await api(promql, at);
      return result.map((r) => ({ metric: r.metric, value: Number(r.value![1]) }));
    },
    async samples(selector) {
      const result = await api(selector);
      return result.map((r) => ({
        metric: r.metric,
        values: r.values!.map(([t, v]) => [Math.round(t * 1000), Number(v)] as [number, number]),
      }));
    },
    close,
  };
}
