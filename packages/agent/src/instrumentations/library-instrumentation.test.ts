import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kafkajsInstrumentation } from './kafka/instrument-kafkajs.js';
import { applyInstrumentation, satisfies } from './library-instrumentation.js';
import { testAgent } from './test-agent.js';

const require = createRequire(import.meta.url);

describe('satisfies', () => {
  it('checks a version against every comparator of a range', () => {
    expect(satisfies('2.2.4', '>=2.0.0 <3')).toBe(true);
    expect(satisfies('3.0.0', '>=2.0.0 <3')).toBe(false);
    expect(satisfies('1.16.0', '>=2.0.0 <3')).toBe(false);
    expect(satisfies('2.3.0-beta.3', '>=2.0.0 <2.3.0')).toBe(true);
    expect(satisfies('2.3.0', '>2.2 <=2.3.0')).toBe(true);
    expect(satisfies('not-a-version', '>=1')).toBe(false);
  });
});

describe('applyInstrumentation on kafkajs', () => {
  it('patches the real Kafka class quietly, once, and undoes it', () => {
    const kafkajs = require('kafkajs') as { Kafka: { prototype: Record<string, unknown> } };
    const { agent, logs } = testAgent('gray');
    const before = { producer: kafkajs.Kafka.prototype.producer, consumer: kafkajs.Kafka.prototype.consumer };
    const undo = applyInstrumentation(kafkajsInstrumentation, kafkajs, require.resolve('kafkajs'), agent);
    const again = applyInstrumentation(kafkajsInstrumentation, kafkajs, require.resolve('kafkajs'), agent);
    try {
      expect(kafkajs.Kafka.prototype.producer).not.toBe(before.producer);
      expect(kafkajs.Kafka.prototype.consumer).not.toBe(before.consumer);
      expect(logs.filter((l) => l.includes('GL_INSTRUMENTATION_UNSUPPORTED'))).toEqual([]);
      // The app still gets a consumer with kafkajs's API, events included.
      const { Kafka } = kafkajs as unknown as {
        Kafka: new (c: unknown) => { consumer(c: unknown): Record<string, unknown> };
      };
      const consumer = new Kafka({ brokers: ['127.0.0.1:1'] }).consumer({ groupId: 'orders' });
      expect(Object.keys(consumer).sort()).toEqual(
        [
          'commitOffsets',
          'connect',
          'describeGroup',
          'disconnect',
          'events',
          'logger',
          'on',
          'pause',
          'paused',
          'resume',
          'run',
          'seek',
          'stop',
          'subscribe',
        ].sort(),
      );
      expect((consumer.events as Record<string, string>).GROUP_JOIN).toBe('consumer.group_join');
    } finally {
      again();
      undo();
    }
    expect(kafkajs.Kafka.prototype.producer).toBe(before.producer);
    expect(kafkajs.Kafka.prototype.consumer).toBe(before.consumer);
  });

  it('says loudly, with its code, when a patch target is missing or the version is outside the range', () => {
    const dir = mkdtempSync(join(tmpdir(), 'graylane-kafkajs-'));
    mkdirSync(join(dir, 'kafkajs'));
    writeFileSync(
      join(dir, 'kafkajs', 'package.json'),
      JSON.stringify({ name: 'kafkajs', version: '3.1.0' }),
    );
    const { agent, logs } = testAgent('gray');
    // A future kafkajs whose client builds producers but not consumers the way we know.
    class Kafka {
      producer() {
        return {};
      }
    }
    applyInstrumentation(kafkajsInstrumentation, { Kafka }, join(dir, 'kafkajs', 'index.js'), agent)();
    expect(logs.some((l) => /GL_INSTRUMENTATION_UNSUPPORTED.*kafkajs@3\.1\.0 is outside/.test(l))).toBe(true);
    expect(
      logs.some((l) =>
        /^error GL_INSTRUMENTATION_UNSUPPORTED: kafkajs@3\.1\.0 has no Kafka#consumer/.test(l),
      ),
    ).toBe(true);
  });
});
