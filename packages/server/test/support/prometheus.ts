import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARY = '/usr/bin/prometheus';

export interface Prometheus {
  url: string;
  stop(): Promise<void>;
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
 * Starts Debian's Prometheus scraping `target` (host:port, path /metrics) every
 * second, with its own data directory, on a free port.
 */
export async function startPrometheus(target: string): Promise<Prometheus> {
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
  // The free port is closed before Prometheus binds it, so another process may take it in
  // between: Prometheus then exits saying so, and it starts again on another port.
  for (let attempt = 1; ; attempt++) {
    const started = await launch(await freePort(), config, dir);
    if (started !== 'port taken') return started;
    if (attempt === 5) {
      await rm(dir, { recursive: true, force: true });
      throw new Error('Prometheus found its port taken 5 times in a row');
    }
  }
}

async function launch(port: number, config: string, dir: string): Promise<Prometheus | 'port taken'> {
  const child: ChildProcess = spawn(
    BINARY,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, `data-${port}`)}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (c) => {
    log += c;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
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
  if (child.exitCode !== null) {
    await closed; // its last words may come after the exit
    if (log.includes('address already in use')) return 'port taken';
  }
  await stop();
  throw new Error(`Prometheus did not become ready on ${url}:\n${log.slice(-2000)}`);
}
