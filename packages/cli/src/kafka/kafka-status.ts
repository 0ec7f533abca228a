import { resolveCacheRoot } from '../rocketmq/rocketmq-paths.js';
import { kafkaAnswers } from './kafka-answers.js';
import { type KafkaInstance, kafkaFiles } from './kafka-instance.js';
import { kafkaPaths } from './kafka-paths.js';
import { kafkaPid, listKafkaInstances, loadKafkaInstance } from './kafka-state.js';

export interface KafkaInstanceStatus extends KafkaInstance {
  /** `running`: the JVM lives and the broker answers; `partial`: it lives but does not answer. */
  state: 'running' | 'partial' | 'stopped';
  pid?: number;
  bootstrap: string;
  outFile: string;
}

/** What runs, per instance folder under `<cache>/kafka/run`. */
export async function kafkaStatus(
  options: { name?: string; cacheRoot?: string } = {},
): Promise<KafkaInstanceStatus[]> {
  const { runDir } = kafkaPaths(options.cacheRoot ?? resolveCacheRoot());
  const instances =
    options.name === undefined
      ? await listKafkaInstances(runDir)
      : [await loadKafkaInstance(runDir, options.name)].filter((instance) => instance !== undefined);
  return Promise.all(
    instances.map(async (instance) => {
      const [pid, answers] = await Promise.all([kafkaPid(instance), kafkaAnswers(instance.ports.broker)]);
      return {
        ...instance,
        state: pid === undefined ? 'stopped' : answers ? 'running' : 'partial',
        ...(pid === undefined ? {} : { pid }),
        bootstrap: `127.0.0.1:${instance.ports.broker}`,
        outFile: kafkaFiles(instance).outFile,
      } satisfies KafkaInstanceStatus;
    }),
  );
}
