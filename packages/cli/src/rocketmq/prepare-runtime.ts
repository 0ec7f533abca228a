import { assertDiskSpace } from './assert-disk-space.js';
import { fetchRocketMQ } from './fetch-rocketmq.js';
import { findJava } from './find-java.js';
import type { RocketMQPaths } from './rocketmq-paths.js';

export interface RocketMQRuntime {
  java: string;
  libDir: string;
}

/** Java checked, disk checked, jars in the cache: what every JVM we start needs. */
export async function prepareRuntime(
  paths: RocketMQPaths,
  log?: (line: string) => void,
): Promise<RocketMQRuntime> {
  const java = await findJava();
  await assertDiskSpace(paths.root);
  const libDir = await fetchRocketMQ(paths, log);
  return { java: java.command, libDir };
}
