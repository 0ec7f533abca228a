import { type ConsumerPlace, consumerPlace, laneSelectionOf, moveConsumer } from '@graylane/core/runtime';
import type { Agent } from '../../create-agent.js';
import { messageGrayscaleSettings } from '../message-grayscale-settings.js';
import { laneRunConfig, type RunConfigLike } from './kafka-receive-filter.js';
import { type AdminLike, laneGroupStart, type TopicPattern } from './kafka-start-position.js';

/** The kafkajs consumer API (an object the client builds, with no class to patch). */
export interface KafkaConsumerLike {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(subscription: SubscriptionLike): Promise<void>;
  stop(): Promise<void>;
  run(config?: RunConfigLike): Promise<void>;
  commitOffsets(offsets: unknown): Promise<void>;
  seek(position: unknown): void;
  describeGroup(): Promise<unknown>;
  pause(topics: unknown): void;
  paused(): unknown;
  resume(topics: unknown): void;
  on(event: string, listener: (...args: unknown[]) => void): () => void;
  events: Record<string, string>;
  logger(): unknown;
}
interface SubscriptionLike {
  topic?: TopicPattern;
  topics?: TopicPattern[];
  fromBeginning?: boolean;
}

/**
 * How long a gray consumer stays in `<group>_<tag>` after grayscale goes off: long enough
 * to handle the messages of its tag that a baseline consumer skipped before it heard of
 * the change (kafkajs fetches wait 5 s at most; the agent checks every second).
 */
export const KAFKA_DRAIN_MS = 8_000;
const CHECK_EVERY_MS = 1_000;

export interface LaneConsumerOptions {
  agent: Agent;
  groupId: string;
  /** A consumer of the client's own making, in `groupId`. */
  create(groupId: string): KafkaConsumerLike;
  admin(): AdminLike;
  /** The place changed: report every consumer's group. */
  changed(): void;
  fail(where: string, error: unknown): void;
}

/**
 * The consumer the app gets from `kafka.consumer({ groupId })`. A kafkajs consumer's group
 * is fixed when it is made, so this one holds a consumer of the client's own making for the
 * group it belongs in now and, when it moves (grayscale turned on or off on a tagged
 * instance), stops that one — which finishes the message in hand and commits — and
 * starts one in the other group with the app's subscriptions, handlers and listeners.
 */
export function createLaneConsumer(options: LaneConsumerOptions): {
  consumer: KafkaConsumerLike;
  place: ConsumerPlace;
} {
  const { agent } = options;
  const tag = agent.config.tag;
  const place = consumerPlace(options.groupId, tag === '' ? undefined : `${options.groupId}_${tag}`);
  const listeners: [string, (...args: unknown[]) => void][] = [];
  const subscriptions: SubscriptionLike[] = [];
  let inner = options.create(place.group);
  let innerGroup = place.group;
  let detach = attach(inner);
  let runConfig: RunConfigLike | undefined;
  let placing: Promise<void> | undefined;
  let moving: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const settings = () => messageGrayscaleSettings(agent);

  function attach(consumer: KafkaConsumerLike): () => void {
    const removers = listeners.map(([event, listener]) => consumer.on(event, listener));
    const group = innerGroup;
    let inGroup = false;
    removers.push(
      consumer.on(consumer.events.GROUP_JOIN as string, () => {
        inGroup = true;
      }),
      // The first fetch after the join has resolved the group's position (the newest
      // message, for a new lane group): from now on the baseline may leave the tag to it.
      consumer.on(consumer.events.FETCH as string, () => {
        if (!inGroup || group !== place.grayGroup || place.group !== group || place.joined) return;
        place.joined = true;
        options.changed();
      }),
    );
    return () => {
      for (const remove of removers) remove();
    };
  }

  function replace(): void {
    detach();
    innerGroup = place.group;
    inner = options.create(innerGroup);
    detach = attach(inner);
  }

  function topics(): TopicPattern[] {
    return subscriptions.flatMap((s) => [...(s.topic === undefined ? [] : [s.topic]), ...(s.topics ?? [])]);
  }

  function lanes(group: string) {
    return laneRunConfig(runConfig as RunConfigLike, {
      selection: () =>
        laneSelectionOf(
          tag,
          { ...place, group },
          settings(),
          agent.state().snapshot.instances[agent.config.app] ?? [],
        ),
      enabled: () => settings().enabled,
      consumed: (messageTag) =>
        agent.recordMessage({ system: 'kafka', direction: 'consumed', tag: messageTag }),
      fail: options.fail,
    });
  }

  /** The first config decides the group the consumer starts in; decided once, before it connects. */
  function placeOnce(): Promise<void> {
    placing ??= (async () => {
      // Nothing else may hold the event loop yet (kafkajs opens its sockets at connect).
      const hold = setTimeout(() => {}, 3000);
      try {
        await agent.ready(3000);
        moveConsumer(place, settings(), Date.now(), KAFKA_DRAIN_MS);
        if (place.group !== innerGroup) {
          replace();
          agent.log.info(
            `Kafka consumer group ${place.originalGroup} joins as ${place.group} (instance tag ${tag})`,
          );
        }
      } catch (error) {
        options.fail('consumer placement', error);
      } finally {
        clearTimeout(hold);
      }
      options.changed();
    })();
    return placing;
  }

  /**
   * What the inner consumer subscribes with: in a lane group never the app's
   * `fromBeginning: true` (kafkajs keeps it per topic and applies it to every partition
   * the group has no offset for, so a new lane group would replay the topic's history);
   * where such a group starts is decided by {@link position}.
   */
  function innerSubscription(subscription: SubscriptionLike): SubscriptionLike {
    return innerGroup === place.grayGroup ? { ...subscription, fromBeginning: false } : subscription;
  }

  /**
   * A lane group the consumer enters starts where the original group stands (on a first
   * start, only when it has no offsets of its own): see {@link laneGroupStart}.
   */
  async function position(firstStart: boolean): Promise<void> {
    if (innerGroup !== place.grayGroup) return;
    try {
      const { positioned } = await laneGroupStart(
        options.admin(),
        { lane: innerGroup, original: place.originalGroup },
        topics(),
        firstStart,
      );
      // The broker holds the lane's position in every partition: the baseline may skip the
      // tag from now on (the shorter the wait, the fewer messages both handle at a join).
      if (positioned && place.group === innerGroup && !place.joined) {
        place.joined = true;
        options.changed();
      }
    } catch (error) {
      // The subscriptions say fromBeginning: false: the group starts at the newest message.
      options.fail(`placing ${innerGroup} where ${place.originalGroup} stands`, error);
    }
  }

  async function check(): Promise<void> {
    if (closed || runConfig === undefined) return;
    const left = moveConsumer(place, settings(), Date.now(), KAFKA_DRAIN_MS);
    if (left === undefined) return;
    agent.log.info(
      place.group === place.grayGroup
        ? `Kafka consumer group ${place.originalGroup} joins as ${place.group}: message grayscale is on for ${agent.config.app}`
        : `Kafka consumer ${left} returns to group ${place.group}: message grayscale is off for ${agent.config.app}`,
    );
    options.changed();
    try {
      await inner.disconnect();
      replace();
      if (closed) return;
      await inner.connect();
      for (const subscription of subscriptions) await inner.subscribe(innerSubscription(subscription));
      await position(false);
      if (runConfig !== undefined) await inner.run(lanes(innerGroup));
    } catch (error) {
      options.fail(`moving the consumer to ${place.group}`, error);
    }
  }

  function stopWatching(): void {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  }

  const consumer: KafkaConsumerLike = {
    async connect() {
      await placeOnce();
      return inner.connect();
    },
    async disconnect() {
      closed = true;
      stopWatching();
      await moving;
      return inner.disconnect();
    },
    async subscribe(subscription) {
      await placeOnce();
      await moving;
      subscriptions.push(subscription);
      return inner.subscribe(innerSubscription(subscription));
    },
    async stop() {
      runConfig = undefined;
      stopWatching();
      await moving;
      return inner.stop();
    },
    async run(config = {}) {
      await placeOnce();
      await moving;
      runConfig = config;
      await position(true);
      await inner.run(lanes(innerGroup));
      if (timer === undefined && place.grayGroup !== undefined) {
        timer = setInterval(() => {
          moving = moving.then(check);
        }, CHECK_EVERY_MS).unref();
      }
    },
    commitOffsets: (offsets) => inner.commitOffsets(offsets),
    seek: (position) => inner.seek(position),
    describeGroup: () => inner.describeGroup(),
    pause: (topics) => inner.pause(topics),
    paused: () => inner.paused(),
    resume: (topics) => inner.resume(topics),
    on(event, listener) {
      const entry: [string, (...args: unknown[]) => void] = [event, listener];
      listeners.push(entry);
      const remove = inner.on(event, listener);
      return () => {
        const at = listeners.indexOf(entry);
        if (at >= 0) listeners.splice(at, 1);
        remove();
      };
    },
    get events() {
      return inner.events;
    },
    logger: () => inner.logger(),
  };
  return { consumer, place };
}
