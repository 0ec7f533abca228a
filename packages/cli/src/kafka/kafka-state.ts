import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive, readPid } from '../rocketmq/process-alive.js';
import { type KafkaInstance, kafkaFiles } from './kafka-instance.js';

export const KAFKA_MAIN = 'kafka.Kafka';

/** The pid of the instance's JVM when it still runs, else undefined. */
export async function kafkaPid(instance: KafkaInstance): Promise<number | undefined> {
  const files = kafkaFiles(instance);
  const pid = await readPid(files.pidFile);
  if (pid === undefined) return undefined;
  return (await isProcessAlive(pid, [KAFKA_MAIN, files.serverProperties])) ? pid : undefined;
}

/** Saved at start so that stop, status and topic create find the ports without flags. */
export async function saveKafkaInstance(instance: KafkaInstance): Promise<void> {
  await mkdir(instance.dir, { recursive: true });
  const { name, ports } = instance;
  await writeFile(kafkaFiles(instance).saved, `${JSON.stringify({ name, ports }, null, 2)}\n`);
}

export async function loadKafkaInstance(runDir: string, name: string): Promise<KafkaInstance | undefined> {
  const dir = join(runDir, name);
  try {
    const saved = JSON.parse(await readFile(kafkaFiles({ dir }).saved, 'utf8')) as Omit<KafkaInstance, 'dir'>;
    return { ...saved, dir };
  } catch {
    return undefined;
  }
}

export async function listKafkaInstances(runDir: string): Promise<KafkaInstance[]> {
  let names: string[];
  try {
    names = (await readdir(runDir)).sort();
  } catch {
    return [];
  }
  const found = await Promise.all(names.map((name) => loadKafkaInstance(runDir, name)));
  return found.filter((instance) => instance !== undefined);
}
