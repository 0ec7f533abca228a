import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARY = '/usr/bin/prometheus';

export interface Prometheus {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts Debian's Prometheus scraping `target` (host:port, path /metrics) every
 * second, with its own data directory. Fixed port: run under the heavy lock.
 */
export async function startPrometheus(target: string, port: number): Promise<Prometheus> {
  if (!existsSync(BINARY)) {
    throw new Error(`${BINARY} is missing: run scripts/ensure-prometheus.sh (make test does)`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'graylane-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: graylane
    static_configs: [ { targets: ['${target}'] } ]
`,
  );
  const child: ChildProcess = spawn(
    BINARY,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (c) => {
    log += c;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    if (child.exitCode !== null) break;
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`Prometheus did not become ready on ${url}:\n${log.slice(-2000)}`);
}
