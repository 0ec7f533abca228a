import { connect } from 'node:net';
import { isGraylaneError } from '@graylane/core';
import {
  FilterExpression,
  type ILogger,
  type MessageView,
  Producer,
  SimpleConsumer,
} from 'rocketmq-client-nodejs';
// definition_pb is CommonJS whose exports Node cannot list, so only its default export is reachable from ESM.
import definition from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rocketmqCommand from '../src/commands/rocketmq.js';
import { createTopic, type RunningRocketMQ, rocketmqStatus, startRocketMQ } from '../src/index.js';

// Real brokers on ports of their own, so a broker a developer runs on the defaults is left alone.
const FILTERING = {
  name: 'test-sql92',
  ports: { namesrv: 19876, proxy: 18081, remoting: 18080, broker: 20911 },
};
const NO_FILTER = {
  name: 'test-no-filter',
  ports: { namesrv: 29876, proxy: 28081, remoting: 28080, broker: 30911 },
};
const TOPIC = 'GRAYLANE_TEST';
const GRAY_ONLY = "graylane_tag = 'gray'";
const BASELINE = "graylane_tag IS NULL OR graylane_tag NOT IN ('gray')";

// The client's default logger writes to ~/logs/rocketmq and breaks when a second client shuts down.
const quiet: ILogger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

let filtering: RunningRocketMQ;
let noFilter: RunningRocketMQ;

beforeAll(async () => {
  const log = (line: string) => console.log(`[rocketmq] ${line}`);
  // Started together: each spends most of its start waiting for the broker to register.
  [filtering, noFilter] = await Promise.all([
    startRocketMQ({ ...FILTERING, fresh: true, log }),
    startRocketMQ({ ...NO_FILTER, propertyFilter: false, fresh: true, log }),
  ]);
}, 240_000);

afterAll(async () => {
  // Killed rather than stopped gracefully: their stores are thrown away by the next fresh start.
  await Promise.all([filtering?.stop({ force: true }), noFilter?.stop({ force: true })]);
}, 60_000);

describe('local RocketMQ broker', () => {
  it('reports both brokers as running with their endpoints', async () => {
    expect(filtering.endpoints).toBe('127.0.0.1:18081');
    expect(filtering.namesrv).toBe('127.0.0.1:19876');
    const [status] = await rocketmqStatus({ name: FILTERING.name });
    expect(status).toMatchObject({ state: 'running', propertyFilter: true, endpoints: '127.0.0.1:18081' });
    expect((await rocketmqStatus({ name: NO_FILTER.name }))[0]).toMatchObject({
      state: 'running',
      propertyFilter: false,
    });
    expect(await rocketmqCommand(['status', '--name', FILTERING.name])).toBe(0);
  });

  it('delivers only gray messages to a SQL92 subscription on graylane_tag and the rest to the baseline', async () => {
    await filtering.createTopic(TOPIC);
    const received = await sendAndReceive(filtering.endpoints, 'filtering');
    expect(received.gray.sort()).toEqual(['m0', 'm2', 'm4']);
    expect(received.baseline.sort()).toEqual(['m1', 'm3', 'm5']);
    expect(received.grayTags).toEqual(['gray', 'gray', 'gray']);
  }, 90_000);

  // RocketMQ 5.3.3 checks enablePropertyFilter only for 4.x-style pull and client-config requests; the pop
  // path behind the proxy's gRPC receive compiles and applies SQL92 whatever the flag says. So no error
  // reaches a rocketmq-client-nodejs consumer, and a SQL92 subscription keeps working on such a broker.
  it('still applies SQL92 filters on a broker started without the property filter', async () => {
    await noFilter.createTopic(TOPIC);
    const received = await sendAndReceive(noFilter.endpoints, 'no-filter');
    expect(received.gray.sort()).toEqual(['m0', 'm2', 'm4']);
    expect(received.baseline.sort()).toEqual(['m1', 'm3', 'm5']);
  }, 90_000);

  it('refuses to start a broker on ports another broker holds', async () => {
    const error = await startRocketMQ({ name: 'test-clash', ports: FILTERING.ports }).catch(
      (e: unknown) => e,
    );
    expect(isGraylaneError(error) && error.code).toBe('GL_PORT_IN_USE');
    expect((error as Error).message).toMatch(/port 19876 \(name server\) is already in use/);
  });

  it('stops a broker and frees every one of its ports', async () => {
    await filtering.stop();
    const { broker } = FILTERING.ports;
    for (const port of [...Object.values(FILTERING.ports), broker - 2, broker + 1]) {
      expect(await isListening(port), `port ${port}`).toBe(false);
    }
    expect((await rocketmqStatus({ name: FILTERING.name }))[0]?.state).toBe('stopped');
    expect(await rocketmqCommand(['status', '--name', FILTERING.name])).toBe(1);
  }, 60_000);

  it('fails to create a topic on a stopped broker with an error that says to start it', async () => {
    const error = await createTopic({ topic: TOPIC, name: FILTERING.name }).catch((e: unknown) => e);
    expect(isGraylaneError(error) && error.code).toBe('GL_TOPIC_CREATE_FAILED');
    expect((error as Error).message).toMatch(
      /no name server answers at 127\.0\.0\.1:19876; start the broker/,
    );
  });
});

/**
 * Sends m0..m5 (even ones tagged gray), then drains a gray consumer group and a
 * baseline group, each with its SQL92 filter, until a receive comes back empty.
 */
async function sendAndReceive(endpoints: string, label: string) {
  const sql = (expression: string) => new FilterExpression(expression, definition.FilterType.SQL);
  const consumer = (group: string, expression: string) =>
    new SimpleConsumer({
      endpoints,
      namespace: '',
      logger: quiet,
      consumerGroup: `${group}_${label}`,
      subscriptions: new Map([[TOPIC, sql(expression)]]),
      // The proxy stretches a long poll to at least 5 s and needs it to end before requestTimeout
      // (3 s) + awaitDuration, so below about 2.1 s every receive fails with "deadline ... not enough".
      awaitDuration: 5000,
    });
  const gray = consumer('graylane_test_gray', GRAY_ONLY);
  const baseline = consumer('graylane_test', BASELINE);
  const producer = new Producer({ endpoints, namespace: '', logger: quiet, topic: TOPIC });
  await Promise.all([gray.startup(), baseline.startup(), producer.startup()]);
  try {
    for (let i = 0; i < 6; i++) {
      const properties = new Map<string, string>(i % 2 === 0 ? [['graylane_tag', 'gray']] : []);
      await producer.send({ topic: TOPIC, tag: 'test', body: Buffer.from(`m${i}`), properties });
    }
    const [grayViews, baselineViews] = await Promise.all([drain(gray), drain(baseline)]);
    return {
      gray: grayViews.map((view) => view.body.toString()),
      baseline: baselineViews.map((view) => view.body.toString()),
      grayTags: grayViews.map((view) => view.properties.get('graylane_tag')),
    };
  } finally {
    await Promise.all([gray.shutdown(), baseline.shutdown(), producer.shutdown()]);
  }
}

async function drain(consumer: SimpleConsumer): Promise<MessageView[]> {
  const views: MessageView[] = [];
  for (;;) {
    const batch = await consumer.receive(16, 30_000);
    if (batch.length === 0) return views;
    for (const view of batch) {
      views.push(view);
      await consumer.ack(view);
    }
  }
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
