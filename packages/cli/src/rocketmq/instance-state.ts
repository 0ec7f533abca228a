import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive, readPid } from './process-alive.js';
import type { RocketMQInstance } from './rocketmq-instance.js';
import { instanceFiles } from './write-instance-config.js';

export const NAMESRV_MAIN = 'org.apache.rocketmq.namesrv.NamesrvStartup';
export const PROXY_MAIN = 'org.apache.rocketmq.proxy.ProxyStartup';

export type JvmRole = 'namesrv' | 'proxy';

/** Files of one JVM of an instance. */
export function jvmFiles(instance: Pick<RocketMQInstance, 'dir'>, role: JvmRole) {
  return { pidFile: join(instance.dir, `${role}.pid`), outFile: join(instance.dir, `${role}.out`) };
}

/** The pid of the instance's `role` JVM when it still runs, else undefined. */
export async function runningPid(instance: RocketMQInstance, role: JvmRole): Promise<number | undefined> {
  const pid = await readPid(jvmFiles(instance, role).pidFile);
  if (pid === undefined) return undefined;
  const markers = [
    role === 'namesrv' ? NAMESRV_MAIN : PROXY_MAIN,
    `-Duser.home=${instanceFiles(instance).home}`,
  ];
  return (await isProcessAlive(pid, markers)) ? pid : undefined;
}

/** Saved at start so that stop, status and topic create find the ports without flags. */
export async function saveInstance(instance: RocketMQInstance): Promise<void> {
  await mkdir(instance.dir, { recursive: true });
  const { name, ports, propertyFilter } = instance;
  await writeFile(
    join(instance.dir, 'instance.json'),
    `${JSON.stringify({ name, ports, propertyFilter }, null, 2)}\n`,
  );
}

export async function loadInstance(runDir: string, name: string): Promise<RocketMQInstance | undefined> {
  const dir = join(runDir, name);
  try {
    const saved = JSON.parse(await readFile(join(dir, 'instance.json'), 'utf8')) as Omit<
      RocketMQInstance,
      'dir'
    >;
    return { ...saved, dir };
  } catch {
    return undefined;
  }
}

export async function listInstances(runDir: string): Promise<RocketMQInstance[]> {
  let names: string[];
  try {
    names = (await readdir(runDir)).sort();
  } catch {
    return [];
  }
  const found = await Promise.all(names.map((name) => loadInstance(runDir, name)));
  return found.filter((instance) => instance !== undefined);
}
