import { randomBytes } from 'node:crypto';
import { grayConsumerGroup } from '@graylane/core';
import { startGateway } from '@graylane/gateway';
import { startServer } from '@graylane/server';
import { kafkaBacklog } from '../kafka/kafka-backlog.js';
import { startKafka } from '../kafka/start-kafka.js';
import type { ConsumerBacklog } from '../rocketmq/consumer-backlog.js';
import { startRocketMQ } from '../rocketmq/start-rocketmq.js';
import { demoLane, demoMessageGrayscale, demoRoute } from './demo-resources.js';
import { type DemoService, demoScript, startDemoService } from './demo-services.js';
import { type DemoDir, prepareDemoDir, recordDemoProcesses } from './prepare-demo-dir.js';
import { waitForRest } from './wait-for-rest.js';

/** A's consumer group (the application's own name for it) and the one its gray instance uses. */
export const DEMO_GROUPS = ['GID_A', grayConsumerGroup('GID_A', 'gray')];

export interface DemoOptions {
  /** Run the self-check and return instead of waiting for Ctrl-C. */
  check: boolean;
  log: (line: string) => void;
  serverPort: number;
  gatewayPort: number;
  /** The broker of TEST_MQ: RocketMQ (default) or Kafka. */
  mq?: 'rocketmq' | 'kafka';
  /** RocketMQ ports; the check uses its own so it never meets a developer's broker. */
  brokerPorts?: { namesrv: number; proxy: number; remoting: number; broker: number };
  /** Kafka ports (with `mq: 'kafka'`), likewise. */
  kafkaPorts?: { broker: number; controller: number };
  /** Cache root holding the run's folder (`demo/` or `demo-check/`); default `.cache` of the repository. */
  cacheRoot?: string;
}

export interface RunningDemo {
  server: string;
  gateway: string;
  token: string;
  services: DemoService[];
  /** This run's folder: service logs, control-plane database, agent cache. */
  dir: DemoDir;
  /** The backlog of each of {@link DEMO_GROUPS} on TEST_MQ. */
  backlogs(): Promise<ConsumerBacklog[]>;
  apply(yaml: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts everything of the reference scenario, with progress lines; stops what it started on failure. */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const { log } = options;
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    stops.length = 0;
  };
  const step = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    log(`  … ${what}`);
    const result = await work();
    log(`  ✓ ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return result;
  };
  try {
    // Before the broker restarts: services an interrupted run left behind would join the new one.
    const { dir, stoppedLeftovers } = await prepareDemoDir(options.check, options.cacheRoot);
    if (stoppedLeftovers > 0)
      log(`  ✓ stopped ${stoppedLeftovers} service(s) an interrupted run left behind`);
    // A fresh store: no topic, offset or message of an earlier run survives.
    const mq = options.mq ?? 'rocketmq';
    const name = options.check ? 'demo-check' : 'demo';
    const broker =
      mq === 'kafka'
        ? await step('Kafka 4 (KRaft; the first run downloads it from Maven Central)', async () => {
            const kafka = await startKafka({ name, ports: options.kafkaPorts, fresh: true });
            return {
              endpoints: kafka.bootstrap,
              stop: (_options?: { force?: boolean }) => kafka.stop({ force: true }),
              createTopic: (topic: string) => kafka.createTopic(topic, { partitions: 2 }),
              backlog: (group: string, topic: string) => kafkaBacklog(kafka.bootstrap, group, topic),
            };
          })
        : await step(
            'RocketMQ 5.3 (name server + proxy; the first run downloads it from Maven Central)',
            () => startRocketMQ({ name, ports: options.brokerPorts, fresh: true }),
          );
    stops.push(() => broker.stop({ force: true }));
    await step('topic TEST_MQ', () => broker.createTopic('TEST_MQ'));

    const token = `gl_demo_${randomBytes(12).toString('hex')}`;
    const server = await step('control plane (SQLite)', () =>
      startServer({ port: options.serverPort, data: dir.controlPlane, adminToken: token, log: () => {} }),
    );
    stops.push(() => server.close());
    const apply = async (yaml: string) => {
      const res = await fetch(`${server.url}/v1/apply`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' },
        body: yaml,
      });
      if (!res.ok) throw new Error(`apply failed: ${res.status} ${await res.text()}`);
    };
    await step('route /A → spring-cloud-a, lane name=xiaoming → gray, message grayscale', () =>
      apply([demoRoute, demoLane, demoMessageGrayscale([])].join('---\n')),
    );

    const cacheDir = dir.agentCache;
    const env = { server: server.url, token, mq, endpoints: broker.endpoints, cacheDir, logDir: dir.logs };
    const services = await step(
      `A, B and C, each baseline and gray, under the agent (logs in ${dir.logs})`,
      async () => {
        const letters = ['c', 'b', 'a'] as const;
        const list = letters.flatMap((letter) => [
          startDemoService(letter, '', env),
          startDemoService(letter, 'gray', env),
        ]);
        stops.push(async () => {
          await Promise.all(list.map((s) => s.stop()));
        });
        await recordDemoProcesses(
          dir,
          list.map((s, i) => ({ pid: s.process.pid ?? 0, script: demoScript(letters[Math.floor(i / 2)]!) })),
        );
        await Promise.all(list.map((s) => s.waitForLine(/listening on/, 30000)));
        await Promise.all(
          list.filter((s) => s.app === 'spring-cloud-a').map((s) => s.waitForLine(/consuming/, 60000)),
        );
        return list;
      },
    );

    const gateway = await step(`gateway on port ${options.gatewayPort || '(any)'}`, () =>
      startGateway({ server: server.url, token, port: options.gatewayPort, cacheDir, logLevel: 'warn' }),
    );
    stops.push(() => gateway.close());

    await step('every instance registered and routable', async () => {
      const deadline = Date.now() + 30000;
      for (;;) {
        const text = await fetch(`${gateway.url}/A/dubbo?name=xiaoming`).then((r) => r.text(), String);
        if (/^A\[.*\]\[gray\] -> B\[.*\]\[gray\] -> C\[.*\]\[gray\]$/.test(text)) return;
        if (Date.now() > deadline) throw new Error(`the chain did not come up: last answer "${text}"`);
        await new Promise((r) => setTimeout(r, 300));
      }
    });

    const backlogs = () => Promise.all(DEMO_GROUPS.map((group) => broker.backlog(group, 'TEST_MQ')));
    // The calls above produced messages; their asynchronous lines belong to start-up, not to the user's first call.
    await step('the start-up calls consumed, every consumer group at backlog 0', () =>
      waitForRest({ services, backlogs }, 3000, 60000),
    );
    return { server: server.url, gateway: gateway.url, token, services, dir, backlogs, apply, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
