import { clientFilter, type LaneSelection, messageLane, TAG_PROPERTY } from '@graylane/core/runtime';
import { runInLane } from '../../lane-context.js';
import { headerTag, type KafkaMessageLike } from './kafka-headers.js';

/** What a consumer keeps right now; read per message so a change applies at the next one. */
export interface ReceiveLane {
  selection(): LaneSelection | undefined;
  enabled(): boolean;
  /** One message handed to the app, by the lane it carries ('' for none). */
  consumed(tag: string): void;
  fail(where: string, error: unknown): void;
}

interface EachMessagePayloadLike {
  message: KafkaMessageLike & { offset: string };
  [key: string]: unknown;
}
interface BatchLike {
  messages: (KafkaMessageLike & { offset: string })[];
  lastOffset(): string;
}
interface EachBatchPayloadLike {
  batch: BatchLike;
  resolveOffset(offset: string): void;
  [key: string]: unknown;
}
export interface RunConfigLike {
  eachMessage?: ((payload: EachMessagePayloadLike) => Promise<void>) | null;
  eachBatch?: ((payload: EachBatchPayloadLike) => Promise<void>) | null;
  eachBatchAutoResolve?: boolean;
  [key: string]: unknown;
}

/**
 * Wraps the handlers of `consumer.run(config)`: messages outside the consumer's lane never
 * reach the app (kafkajs resolves and commits their offsets as for handled ones), and each
 * handler call runs in the lane of its messages, so the calls it makes stay in that lane.
 */
export function laneRunConfig<C extends RunConfigLike>(config: C, lane: ReceiveLane): C {
  const wrapped: RunConfigLike = { ...config };
  const { eachMessage, eachBatch } = config;
  if (typeof eachMessage === 'function') {
    wrapped.eachMessage = async (payload) => {
      let laneTag: string | undefined;
      try {
        const value = headerTag(payload.message);
        if (!keeps(lane.selection(), value)) return;
        laneTag = messageLane(value, lane.enabled());
        lane.consumed(messageLane(value, true) ?? '');
      } catch (error) {
        lane.fail('eachMessage', error);
      }
      return laneTag === undefined ? eachMessage(payload) : runInLane(laneTag, () => eachMessage(payload));
    };
  }
  if (typeof eachBatch === 'function') {
    wrapped.eachBatch = async (payload) => {
      let runs: Run[];
      try {
        runs = laneRuns(payload.batch.messages, lane);
      } catch (error) {
        lane.fail('eachBatch', error);
        return eachBatch(payload);
      }
      if (runs.length === 1 && runs[0]?.messages.length === payload.batch.messages.length) {
        const only = runs[0] as Run;
        return only.lane === undefined ? eachBatch(payload) : runInLane(only.lane, () => eachBatch(payload));
      }
      if (runs.length === 0) {
        // Nothing for this consumer: the handler is not called, and the batch counts as handled.
        if (config.eachBatchAutoResolve === false) payload.resolveOffset(payload.batch.lastOffset());
        return;
      }
      // Every run is handed over, even while the consumer stops: kafkajs resolves the whole
      // batch once the handler returns, so a run left out here would be lost.
      for (let i = 0; i < runs.length; i++) {
        const run = runs[i] as Run;
        const next = runs[i + 1];
        // Up to just before the next kept message: skipped messages after the run count as handled with it.
        const end =
          next === undefined ? payload.batch.lastOffset() : before(next.messages[0]?.offset as string);
        const last = run.messages[run.messages.length - 1]?.offset;
        const batch = Object.create(payload.batch, {
          messages: { value: run.messages, enumerable: true },
          lastOffset: { value: () => end },
        }) as BatchLike;
        const resolveOffset = (offset: string) => payload.resolveOffset(offset === last ? end : offset);
        const part = { ...payload, batch, resolveOffset };
        await (run.lane === undefined ? eachBatch(part) : runInLane(run.lane, () => eachBatch(part)));
      }
    };
  }
  return wrapped as C;
}

interface Run {
  lane: string | undefined;
  messages: (KafkaMessageLike & { offset: string })[];
}

/** The kept messages, in order, cut wherever the lane changes. */
function laneRuns(messages: (KafkaMessageLike & { offset: string })[], lane: ReceiveLane): Run[] {
  const selection = lane.selection();
  const enabled = lane.enabled();
  const runs: Run[] = [];
  for (const message of messages) {
    const value = headerTag(message);
    if (!keeps(selection, value)) continue;
    const laneTag = messageLane(value, enabled);
    lane.consumed(messageLane(value, true) ?? '');
    const current = runs[runs.length - 1];
    if (current !== undefined && current.lane === laneTag) current.messages.push(message);
    else runs.push({ lane: laneTag, messages: [message] });
  }
  return runs;
}

function keeps(selection: LaneSelection | undefined, value: string | undefined): boolean {
  if (selection === undefined) return true;
  return clientFilter(selection.selector).accept({ properties: { [TAG_PROPERTY]: value } });
}

function before(offset: string): string {
  return (BigInt(offset) - 1n).toString();
}
