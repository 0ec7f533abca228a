import { type ConsumerPlace, reportedGroup } from '@graylane/core/runtime';
import type { Agent } from '../../create-agent.js';
import { reportConsumerGroups } from '../consumer-group-report.js';
import type { LibraryInstrumentation } from '../library-instrumentation.js';
import { createLaneConsumer, type KafkaConsumerLike } from './kafka-lane-consumer.js';
import { tagProducer } from './kafka-producer.js';
import type { AdminLike } from './kafka-start-position.js';

type KafkaMethod = (this: KafkaClientLike, config?: Record<string, unknown>) => unknown;
interface KafkaClientLike {
  producer: KafkaMethod;
  consumer: KafkaMethod;
  admin: KafkaMethod;
}

/**
 * Kafka lanes for kafkajs, switched on per app by its MessageGrayscale resource:
 * - producers (and their transactions) add the `graylane-tag` header: the context tag,
 *   else the instance tag; untagged baseline traffic adds nothing;
 * - a consumer on an instance tagged `t` joins `<group>_t` while grayscale is on and keeps
 *   only messages tagged `t`; a baseline consumer stays in `<group>` and skips the tags
 *   the baseline ignores; skipped messages are committed and never reach the app;
 * - eachMessage and eachBatch run in the lane of their messages.
 * Every hook fails open: on an internal error the client behaves as without the agent.
 */
export const kafkajsInstrumentation: LibraryInstrumentation = {
  name: 'kafkajs',
  versions: '>=2.0.0 <3',
  module: '/kafkajs/index.js',
  patch(exports, { agent, patch }) {
    const Kafka = (exports as { Kafka?: { prototype: KafkaClientLike } } | undefined)?.Kafka;
    const places = new Set<ConsumerPlace>();
    const fail = (where: string, error: unknown) =>
      agent.log.once(
        'GL_MQ_INSTRUMENTATION_FAILED',
        `kafkajs ${where} failed inside the agent (${(error as Error)?.message ?? error}); it goes on as without the agent`,
      );
    const report = () => {
      const groups = [...places].map(reportedGroup).filter((g): g is string => g !== undefined);
      reportConsumerGroups(agent, 'kafka', groups);
    };
    const undo = [
      patch(
        Kafka?.prototype,
        'producer',
        'Kafka#producer',
        (original) =>
          function producer(this: KafkaClientLike, ...args: unknown[]) {
            const made = original.apply(this, args as [Record<string, unknown>?]);
            try {
              return tagProducer(made as object, agent, fail);
            } catch (error) {
              fail('producer', error);
              return made;
            }
          },
      ),
      patch(
        Kafka?.prototype,
        'consumer',
        'Kafka#consumer',
        (original) =>
          function consumer(this: KafkaClientLike, config?: Record<string, unknown>) {
            const groupId = config?.groupId;
            if (typeof groupId !== 'string' || typeof this.admin !== 'function')
              return original.call(this, config);
            try {
              return laneConsumer(this, original, config as Record<string, unknown>, groupId, agent);
            } catch (error) {
              fail('consumer', error);
              return original.call(this, config);
            }
          },
      ),
    ];

    function laneConsumer(
      client: KafkaClientLike,
      original: KafkaMethod,
      config: Record<string, unknown>,
      groupId: string,
      agent: Agent,
    ): KafkaConsumerLike {
      const { consumer, place } = createLaneConsumer({
        agent,
        groupId,
        create: (group) => original.call(client, { ...config, groupId: group }) as KafkaConsumerLike,
        admin: () => client.admin() as AdminLike,
        changed: report,
        fail,
      });
      places.add(place);
      const disconnect = consumer.disconnect;
      consumer.disconnect = async () => {
        try {
          return await disconnect();
        } finally {
          if (places.delete(place)) report();
        }
      };
      return consumer;
    }

    return () => {
      for (const u of undo.reverse()) u();
    };
  },
};
