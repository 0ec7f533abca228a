import { createRequire } from 'node:module';
import type { LaneSelection } from '@graylane/core/runtime';
import { describe, expect, it } from 'vitest';
import { currentTag } from '../../lane-context.js';
import { laneRunConfig, type ReceiveLane } from './kafka-receive-filter.js';

// kafkajs's own Batch, as its consumer builds it from a fetch response.
const Batch = createRequire(import.meta.url)('kafkajs/src/consumer/batch.js') as new (
  topic: string,
  fetchedOffset: string,
  partitionData: unknown,
) => { messages: { offset: string }[]; lastOffset(): string };

const message = (offset: number, tag?: string) => ({
  offset: String(offset),
  key: null,
  value: Buffer.from(`m${offset}`),
  timestamp: '0',
  attributes: 0,
  headers: tag === undefined ? {} : { 'graylane-tag': Buffer.from(tag) },
});
const batchOf = (...messages: ReturnType<typeof message>[]) =>
  new Batch('orders', messages[0]?.offset ?? '0', {
    partition: 0,
    highWatermark: String(messages.length),
    abortedTransactions: [],
    messages,
  });
const lane = (selection: LaneSelection | undefined, enabled = true): ReceiveLane => ({
  selection: () => selection,
  enabled: () => enabled,
  consumed: () => {},
  fail: (where, error) => {
    throw new Error(`${where}: ${error}`);
  },
});
const gray: LaneSelection = { selector: { tag: 'gray' }, mode: 'client' };
const baseIgnoringGray: LaneSelection = { selector: { tag: '', ignoredTags: ['gray'] }, mode: 'client' };
const baseTakingAll: LaneSelection = { selector: { tag: '', ignoredTags: [] }, mode: 'client' };

function batchPayload(batch: ReturnType<typeof batchOf>, resolved: string[]) {
  return {
    batch,
    resolveOffset: (offset: string) => resolved.push(offset),
    isRunning: () => true,
    isStale: () => false,
    heartbeat: async () => {},
  };
}

describe('laneRunConfig (eachMessage)', () => {
  it('hands a gray consumer only messages of its tag, each in the gray lane', async () => {
    const seen: string[] = [];
    const config = laneRunConfig(
      {
        eachMessage: async ({ message }: { message: { offset: string } }) =>
          void seen.push(`${message.offset}:${currentTag()}`),
      },
      lane(gray),
    );
    for (const m of batchOf(message(0), message(1, 'gray'), message(2, 'blue')).messages)
      await config.eachMessage?.({ topic: 'orders', partition: 0, message: m } as never);
    expect(seen).toEqual(['1:gray']);
  });

  it('leaves everything to the app, untouched, when the consumer keeps all and grayscale is off', async () => {
    const seen: string[] = [];
    const config = laneRunConfig(
      { eachMessage: async ({ message }: { message: { offset: string } }) => void seen.push(message.offset) },
      lane(undefined, false),
    );
    for (const m of batchOf(message(0), message(1, 'gray')).messages)
      await config.eachMessage?.({ message: m } as never);
    expect(seen).toEqual(['0', '1']);
  });
});

describe('laneRunConfig (eachBatch)', () => {
  it('drops skipped messages from the batch and resolves past the skipped ones after the last kept message', async () => {
    const calls: { offsets: string[]; lane: string; last: string }[] = [];
    const resolved: string[] = [];
    const config = laneRunConfig(
      {
        eachBatchAutoResolve: false,
        eachBatch: async ({
          batch,
          resolveOffset,
        }: {
          batch: InstanceType<typeof Batch>;
          resolveOffset(o: string): void;
        }) => {
          calls.push({
            offsets: batch.messages.map((m) => m.offset),
            lane: currentTag(),
            last: batch.lastOffset(),
          });
          for (const m of batch.messages) resolveOffset(m.offset);
        },
      },
      lane(baseIgnoringGray),
    );
    await config.eachBatch?.(
      batchPayload(
        batchOf(message(0), message(1, 'gray'), message(2), message(3, 'gray')),
        resolved,
      ) as never,
    );
    expect(calls).toEqual([{ offsets: ['0', '2'], lane: '', last: '3' }]);
    // Resolving the last kept message covers the skipped gray message behind it.
    expect(resolved).toEqual(['0', '3']);
  });

  it('cuts a batch wherever the lane changes, so each handler call runs in one lane', async () => {
    const calls: { offsets: string[]; lane: string; last: string }[] = [];
    const config = laneRunConfig(
      {
        eachBatch: async ({ batch }: { batch: InstanceType<typeof Batch> }) =>
          void calls.push({
            offsets: batch.messages.map((m) => m.offset),
            lane: currentTag(),
            last: batch.lastOffset(),
          }),
      },
      lane(baseTakingAll),
    );
    await config.eachBatch?.(
      batchPayload(batchOf(message(0), message(1, 'blue'), message(2, 'blue'), message(3)), []) as never,
    );
    expect(calls).toEqual([
      { offsets: ['0'], lane: '', last: '0' },
      { offsets: ['1', '2'], lane: 'blue', last: '2' },
      { offsets: ['3'], lane: '', last: '3' },
    ]);
  });

  it('does not call the handler for a batch with nothing in its lane, and counts the batch as handled', async () => {
    let called = false;
    const resolved: string[] = [];
    const config = laneRunConfig(
      {
        eachBatchAutoResolve: false,
        eachBatch: async () => {
          called = true;
        },
      },
      lane(gray),
    );
    await config.eachBatch?.(batchPayload(batchOf(message(4), message(5)), resolved) as never);
    expect(called).toBe(false);
    expect(resolved).toEqual(['5']);
  });

  it('hands over the very batch object when the consumer keeps every message of it', async () => {
    const batch = batchOf(message(0, 'gray'), message(1, 'gray'));
    let got: unknown;
    const config = laneRunConfig(
      {
        eachBatch: async (p: { batch: unknown }) => {
          got = p.batch;
        },
      },
      lane(gray),
    );
    await config.eachBatch?.(batchPayload(batch, []) as never);
    expect(got).toBe(batch);
  });
});
