import { join } from 'node:path';

/** Kafka 4.x runs KRaft only (no ZooKeeper); kafkajs 2.2 speaks every API version it still serves. */
export const KAFKA_VERSION = '4.1.1';

export interface KafkaPaths {
  /** `<cache>/kafka` */
  root: string;
  /** Where Maven writes the jars of {@link KAFKA_VERSION}. */
  libDir: string;
  /** Written last by the fetch: its presence means `libDir` is complete. */
  marker: string;
  /** One folder per broker instance: pid file, configs, output, data. */
  runDir: string;
}

export function kafkaPaths(cacheRoot: string): KafkaPaths {
  const root = join(cacheRoot, 'kafka');
  const versionDir = join(root, KAFKA_VERSION);
  return {
    root,
    libDir: join(versionDir, 'lib'),
    marker: join(versionDir, 'complete.json'),
    runDir: join(root, 'run'),
  };
}
