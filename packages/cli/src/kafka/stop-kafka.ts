import { rm } from 'node:fs/promises';
import { GraylaneError } from '@graylane/core';
import { isPortOpen } from '../rocketmq/is-port-open.js';
import { resolveCacheRoot } from '../rocketmq/rocketmq-paths.js';
import { sleep } from '../rocketmq/sleep.js';
import { type KafkaInstance, kafkaFiles, kafkaInstancePorts } from './kafka-instance.js';
import { kafkaPaths } from './kafka-paths.js';
import { kafkaPid, loadKafkaInstance } from './kafka-state.js';

export interface StopKafkaOptions {
  /** Instance name, default `default`. */
  name?: string;
  cacheRoot?: string;
  log?: (line: string) => void;
  /** SIGKILL at once instead of a graceful stop; the data recovers on the next start. */
  force?: boolean;
}

/** Stops an instance (SIGTERM, SIGKILL after 30 s) and waits until its ports close. Returns whether it ran. */
export async function stopKafka(options: StopKafkaOptions = {}): Promise<boolean> {
  const paths = kafkaPaths(options.cacheRoot ?? resolveCacheRoot());
  const instance = await loadKafkaInstance(paths.runDir, options.name ?? 'default');
  if (instance === undefined) return false;
  return stopKafkaInstance(instance, options.log ?? (() => {}), options.force);
}

export async function stopKafkaInstance(
  instance: KafkaInstance,
  log: (line: string) => void,
  force = false,
): Promise<boolean> {
  const { pidFile } = kafkaFiles(instance);
  const pid = await kafkaPid(instance);
  if (pid !== undefined) {
    log(`stopping Kafka "${instance.name}" (pid ${pid})`);
    signal(pid, force ? 'SIGKILL' : 'SIGTERM');
    const deadline = Date.now() + 30_000;
    while ((await kafkaPid(instance)) !== undefined) {
      if (Date.now() > deadline) {
        log('Kafka did not stop within 30 s: killing it');
        signal(pid, 'SIGKILL');
        await sleep(500);
        break;
      }
      await sleep(200);
    }
  }
  await rm(pidFile, { force: true });
  const deadline = Date.now() + 15_000;
  for (const { port, role } of kafkaInstancePorts(instance)) {
    while (await isPortOpen(port, 300)) {
      if (Date.now() > deadline) {
        throw new GraylaneError(
          'GL_BROKER_STOP_FAILED',
          `Kafka "${instance.name}" is stopped but port ${port} (${role}) is still open: ` +
            `find its owner with \`ss -ltnp | grep :${port}\` and stop it`,
        );
      }
      await sleep(200);
    }
  }
  return pid !== undefined;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone between the check and the signal.
  }
}
