import { createServer, type Server } from 'node:net';
import { isGraylaneError } from '@graylane/core';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import kafkaCommand from '../src/commands/kafka.js';
import { kafkaStatus, type RunningKafka, startKafka, stopKafka } from '../src/index.js';

// A real broker on ports of its own, so a broker a developer runs on the defaults is left alone.
const INSTANCE = { name: 'cli-tests', ports: { broker: 29292, controller: 29293 } };

let kafka: RunningKafka;

beforeAll(async () => {
  kafka = await startKafka({ ...INSTANCE, fresh: true, log: (line) => console.log(`[kafka] ${line}`) });
}, 240_000);

afterAll(async () => {
  await kafka?.stop({ force: true });
}, 60_000);

describe('local Kafka broker', () => {
  it('answers on its bootstrap address and reports itself running', async () => {
    expect(kafka.bootstrap).toBe('127.0.0.1:29292');
    expect(kafka.started).toBe(true);
    const [status] = await kafkaStatus({ name: INSTANCE.name });
    expect(status).toMatchObject({ state: 'running', bootstrap: '127.0.0.1:29292' });
    expect(await kafkaCommand(['status', '--name', INSTANCE.name])).toBe(0);
  });

  it('reuses the running broker when started again with the same settings', async () => {
    const before = (await kafkaStatus({ name: INSTANCE.name }))[0]?.pid;
    const again = await startKafka(INSTANCE);
    expect(again.started).toBe(false);
    expect(before).toBeDefined();
    expect((await kafkaStatus({ name: INSTANCE.name }))[0]?.pid).toBe(before);
  });

  it('creates a topic with the partitions asked for, and creating it again changes nothing', async () => {
    expect(
      await kafkaCommand([
        'topic',
        'create',
        'GRAYLANE_KAFKA_TEST',
        '--partitions',
        '3',
        '--name',
        INSTANCE.name,
      ]),
    ).toBe(0);
    await kafka.createTopic('GRAYLANE_KAFKA_TEST', { partitions: 3 });
    const admin = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: ['GRAYLANE_KAFKA_TEST'] });
      expect(topics[0]?.partitions).toHaveLength(3);
    } finally {
      await admin.disconnect();
    }
  }, 60_000);

  it('carries a message with its graylane-tag header from a kafkajs producer to a consumer', async () => {
    await kafka.createTopic('GRAYLANE_KAFKA_HEADERS');
    const client = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING });
    const producer = client.producer();
    const consumer = client.consumer({ groupId: 'cli-tests' });
    await Promise.all([producer.connect(), consumer.connect()]);
    try {
      await producer.send({
        topic: 'GRAYLANE_KAFKA_HEADERS',
        messages: [{ value: 'm0', headers: { 'graylane-tag': 'gray' } }],
      });
      await consumer.subscribe({ topic: 'GRAYLANE_KAFKA_HEADERS', fromBeginning: true });
      const header = await new Promise<string | undefined>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => resolve(message.headers?.['graylane-tag']?.toString()),
        });
      });
      expect(header).toBe('gray');
    } finally {
      await Promise.all([producer.disconnect(), consumer.disconnect()]);
    }
  }, 60_000);

  it('refuses a topic name Kafka would refuse, with a code', async () => {
    await expect(kafka.createTopic('no spaces')).rejects.toMatchObject({ code: 'GL_TOPIC_CREATE_FAILED' });
  });

  it('refuses to start on a port something else holds, naming the port', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const error = await startKafka({
        name: 'cli-tests-blocked',
        ports: { broker: port, controller: 29294 },
      }).catch((e: unknown) => e);
      expect(isGraylaneError(error) && error.code).toBe('GL_PORT_IN_USE');
      expect((error as Error).message).toContain(String(port));
    } finally {
      blocker.close();
    }
  });

  it('says Java is missing when JAVA_HOME points at no Java', async () => {
    const saved = process.env.JAVA_HOME;
    process.env.JAVA_HOME = '/nonexistent-java-home';
    try {
      await expect(
        startKafka({ name: 'cli-tests-nojava', ports: { broker: 29295, controller: 29296 } }),
      ).rejects.toMatchObject({
        code: 'GL_JAVA_MISSING',
      });
    } finally {
      if (saved === undefined) delete process.env.JAVA_HOME;
      else process.env.JAVA_HOME = saved;
    }
  });

  it('stops the broker, closes its ports, and a second stop finds nothing to stop', async () => {
    const other = await startKafka({ name: 'cli-tests-stop', ports: { broker: 29297, controller: 29298 } });
    expect(await stopKafka({ name: 'cli-tests-stop' })).toBe(true);
    expect((await kafkaStatus({ name: 'cli-tests-stop' }))[0]?.state).toBe('stopped');
    expect(await stopKafka({ name: 'cli-tests-stop' })).toBe(false);
    expect(other.started).toBe(true);
  }, 180_000);
});
