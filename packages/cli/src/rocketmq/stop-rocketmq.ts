import { rm } from 'node:fs/promises';
import { GraylaneError } from '@graylane/core';
import { type JvmRole, jvmFiles, loadInstance, runningPid } from './instance-state.js';
import { isPortOpen } from './is-port-open.js';
import { instancePorts, type RocketMQInstance } from './rocketmq-instance.js';
import { resolveCacheRoot, rocketmqPaths } from './rocketmq-paths.js';
import { sleep } from './sleep.js';

export interface StopRocketMQOptions {
  /** Instance name, default `default`. */
  name?: string;
  cacheRoot?: string;
  log?: (line: string) => void;
  /**
   * SIGKILL at once instead of a graceful stop (which takes the broker 10-15 s
   * as its service threads wind down one by one). The store stays usable: the
   * broker recovers it on the next start. Meant for throw-away test brokers.
   */
  force?: boolean;
}

/**
 * Stops an instance: the proxy first (its broker unregisters from the name
 * server), then the name server; SIGTERM, then SIGKILL after 20 s. Resolves
 * once every port of the instance is closed. Returns whether anything ran.
 */
export async function stopRocketMQ(options: StopRocketMQOptions = {}): Promise<boolean> {
  const name = options.name ?? 'default';
  const paths = rocketmqPaths(options.cacheRoot ?? resolveCacheRoot());
  const instance = await loadInstance(paths.runDir, name);
  if (instance === undefined) return false;
  return stopInstance(instance, options.log ?? (() => {}), options.force);
}

export async function stopInstance(
  instance: RocketMQInstance,
  log: (line: string) => void,
  force = false,
): Promise<boolean> {
  let stopped = false;
  for (const role of ['proxy', 'namesrv'] as const) {
    stopped = (await stopJvm(instance, role, log, force)) || stopped;
  }
  const deadline = Date.now() + 15_000;
  for (const { port, role } of instancePorts(instance)) {
    while (await isPortOpen(port, 300)) {
      if (Date.now() > deadline) {
        throw new GraylaneError(
          'GL_BROKER_STOP_FAILED',
          `broker "${instance.name}" is stopped but port ${port} (${role}) is still open: ` +
            `find its owner with \`ss -ltnp | grep :${port}\` and stop it`,
        );
      }
      await sleep(200);
    }
  }
  return stopped;
}

async function stopJvm(
  instance: RocketMQInstance,
  role: JvmRole,
  log: (line: string) => void,
  force: boolean,
): Promise<boolean> {
  const { pidFile } = jvmFiles(instance, role);
  const pid = await runningPid(instance, role);
  if (pid === undefined) {
    await rm(pidFile, { force: true });
    return false;
  }
  log(`stopping ${role} of "${instance.name}" (pid ${pid})`);
  signal(pid, force ? 'SIGKILL' : 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while ((await runningPid(instance, role)) !== undefined) {
    if (Date.now() > deadline) {
      // The shutdown hooks hang now and then (a flush, a stuck client): the store recovers on the next start.
      log(`${role} did not stop within 20 s: killing it`);
      signal(pid, 'SIGKILL');
      await sleep(500);
      break;
    }
    await sleep(200);
  }
  await rm(pidFile, { force: true });
  return true;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone between the check and the signal.
  }
}
