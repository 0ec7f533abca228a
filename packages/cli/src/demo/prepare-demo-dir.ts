import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from '../rocketmq/process-alive.js';
import { resolveCacheRoot } from '../rocketmq/rocketmq-paths.js';
import { sleep } from '../rocketmq/sleep.js';

/** Where one kind of demo run (`demo` or `demo --check`) keeps its files. */
export interface DemoDir {
  root: string;
  /** One `<service>.log` per service: everything it printed. */
  logs: string;
  /** The control plane's SQLite database. */
  controlPlane: string;
  /** The agents' and the gateway's disk cache of the last configuration. */
  agentCache: string;
  /** The services this run started, so the next run can stop them if this one is killed. */
  processesFile: string;
}

interface RecordedProcess {
  pid: number;
  script: string;
}

/**
 * Makes the folder of a new run: stops the services an interrupted run of the same
 * kind left behind (killed with SIGKILL, its children live on and would keep
 * consuming and producing against the new broker), then empties the folder, so
 * nothing of the last run — registrations, lanes, cached configuration, logs — is
 * replayed. Returns how many leftover services were stopped.
 */
export async function prepareDemoDir(
  check: boolean,
  cacheRoot = resolveCacheRoot(),
): Promise<{ dir: DemoDir; stoppedLeftovers: number }> {
  const root = join(cacheRoot, check ? 'demo-check' : 'demo');
  const dir: DemoDir = {
    root,
    logs: join(root, 'logs'),
    controlPlane: join(root, 'control-plane'),
    agentCache: join(root, 'agent-cache'),
    processesFile: join(root, 'processes.json'),
  };
  const stoppedLeftovers = await stopLeftovers(dir.processesFile);
  await rm(root, { recursive: true, force: true });
  await Promise.all([dir.logs, dir.controlPlane, dir.agentCache].map((d) => mkdir(d, { recursive: true })));
  return { dir, stoppedLeftovers };
}

/** Writes down the services of this run (pid and script, which identifies the process). */
export async function recordDemoProcesses(dir: DemoDir, processes: RecordedProcess[]): Promise<void> {
  await writeFile(dir.processesFile, `${JSON.stringify(processes, null, 2)}\n`);
}

async function stopLeftovers(file: string): Promise<number> {
  let recorded: RecordedProcess[];
  try {
    recorded = JSON.parse(await readFile(file, 'utf8')) as RecordedProcess[];
  } catch {
    return 0;
  }
  // A pid number reused by an unrelated process must not be killed: the script path must match.
  const alive = [];
  for (const p of recorded) if (await isProcessAlive(p.pid, [p.script])) alive.push(p);
  for (const p of alive) process.kill(p.pid, 'SIGKILL');
  for (let i = 0; i < 50; i++) {
    const still = await Promise.all(alive.map((p) => isProcessAlive(p.pid, [p.script])));
    if (!still.includes(true)) break;
    await sleep(100);
  }
  return alive.length;
}
