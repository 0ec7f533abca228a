import { GraylaneError } from '@graylane/core';
import type { ConsumerBacklog } from '../rocketmq/consumer-backlog.js';

/**
 * How far `group` is behind on `topic`: the sum over partitions of the end offset minus
 * the committed one. A partition the group has never committed on counts as not behind:
 * a lane group starts at the newest message, and commits once it has consumed one.
 * Kafka has no in-flight count (a fetched message is the consumer's until it commits).
 */
export async function kafkaBacklog(
  bootstrap: string,
  group: string,
  topic: string,
): Promise<ConsumerBacklog> {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({
    clientId: 'graylane-backlog',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
    let diff = 0n;
    for (const { partition, offset } of committed?.partitions ?? []) {
      const end = ends.get(partition);
      if (end === undefined || offset === '-1') continue;
      if (end > BigInt(offset)) diff += end - BigInt(offset);
    }
    return { group, topic, diff: Number(diff), inflight: 0 };
  } catch (cause) {
    throw new GraylaneError(
      'GL_BROKER_QUERY_FAILED',
      `cannot read the backlog of ${group} on ${topic} from Kafka at ${bootstrap}: ${(cause as Error).message}`,
      { cause },
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
