import { GraylaneError } from '@graylane/core';
import { assertDiskSpace } from '../rocketmq/assert-disk-space.js';
import { findJava } from '../rocketmq/find-java.js';
import { fetchKafka } from './fetch-kafka.js';
import type { KafkaPaths } from './kafka-paths.js';

export interface KafkaRuntime {
  java: string;
  libDir: string;
}

/** Java 17 checked, disk checked, jars in the cache: what every Kafka JVM we start needs. */
export async function prepareKafkaRuntime(
  paths: KafkaPaths,
  log?: (line: string) => void,
): Promise<KafkaRuntime> {
  const java = await findJava();
  // Kafka 4 brokers and tools are built for Java 17 (clients alone run on 11).
  if (java.major < 17) {
    throw new GraylaneError(
      'GL_JAVA_MISSING',
      `${java.command} is Java ${java.major}; a Kafka 4 broker needs Java 17+: install it (e.g. apt-get install openjdk-17-jre-headless) or point JAVA_HOME at it`,
    );
  }
  await assertDiskSpace(paths.root);
  const libDir = await fetchKafka(paths, log);
  return { java: java.command, libDir };
}

/** JVM flags of the broker and the tools. */
export function kafkaJvmArgs(options: {
  libDir: string;
  logConfig: string;
  heapMb: number;
  quickStart?: boolean;
}) {
  return [
    `-Xms${options.heapMb}m`,
    `-Xmx${options.heapMb}m`,
    // Serial GC: a development broker on a small machine should not spread GC threads around.
    '-XX:+UseSerialGC',
    ...(options.quickStart ? ['-XX:TieredStopAtLevel=1'] : []),
    `-Dlog4j2.configurationFile=${options.logConfig}`,
    '-Djava.net.preferIPv4Stack=true',
    '-Dfile.encoding=UTF-8',
    '-cp',
    // The JVM expands `dir/*` itself; no shell is involved.
    `${options.libDir}/*`,
  ];
}
