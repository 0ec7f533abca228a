import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type RunningRocketMQ, startRocketMQ } from '@graylane/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requiredNodeLines } from '../../../scripts/node-lines.mjs';
import { ADMIN_TOKEN, type ControlPlane, cacheDir, startControlPlane, waitFor } from './support/cluster.js';

// The message lane on every supported Node line: one real broker (ports of its own,
// below the ephemeral range) and one control plane on the default node; per line, a
// baseline and a gray producer and a baseline and a gray consumer app (fixtures/
// mq-app.mjs, no Graylane import) run on that line's binary under the agent.
const BROKER = {
  name: 'agent-node-lines-mq',
  ports: { namesrv: 29676, proxy: 27881, remoting: 27880, broker: 31311 },
};
const NAMESPACE = 'mq-lines';
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const lines = requiredNodeLines();

interface Consumed {
  kind: 'simple' | 'push';
  id: string;
  tag: string;
  context: string | null;
}

interface App {
  consumed: Consumed[];
  sent: Set<string>;
  ready: Promise<void>;
  send(topic: string, id: string): void;
  stop(): Promise<void>;
}

let broker: RunningRocketMQ;
let cp: ControlPlane;
const running: App[] = [];
const cache = cacheDir();

function startApp(node: string, app: string, tag: string, role: { CONSUME?: string; PRODUCE?: string }): App {
  const child: ChildProcess = spawn(node, ['--import', '@graylane/agent/register', 'mq-app.mjs'], {
    cwd: fixtures,
    env: {
      ...process.env,
      ENDPOINTS: broker.endpoints,
      CONSUME: role.CONSUME ?? '',
      PRODUCE: role.PRODUCE ?? '',
      GRAYLANE_SERVER: cp.url,
      GRAYLANE_APP: app,
      GRAYLANE_TAG: tag,
      GRAYLANE_NAMESPACE: NAMESPACE,
      GRAYLANE_TOKEN: ADMIN_TOKEN,
      GRAYLANE_HOST: '127.0.0.1',
      GRAYLANE_CACHE_DIR: cache,
      GRAYLANE_LOG_LEVEL: 'info',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c) => {
    stderr += c;
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const handle: App = {
    consumed: [],
    sent: new Set(),
    ready: new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${app}[${tag}] not ready in 60 s:\n${stderr}`)),
        60000,
      );
      child.once('exit', (code) => reject(new Error(`${app}[${tag}] exited with ${code}:\n${stderr}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!line.startsWith('{')) return;
        const event = JSON.parse(line);
        if (event.event === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (event.event === 'consumed') handle.consumed.push(event);
        else if (event.event === 'sent') handle.sent.add(event.id);
      });
    }),
    send(topic, id) {
      child.stdin!.write(`${JSON.stringify({ topic, id })}\n`);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  running.push(handle);
  return handle;
}

beforeAll(async () => {
  [broker, cp] = await Promise.all([
    startRocketMQ({ ...BROKER, fresh: true, log: (l) => console.log(`[rocketmq] ${l}`) }),
    startControlPlane(),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(running.map((a) => a.stop()));
  await cp?.close();
  await broker?.stop({ force: true });
}, 60_000);

describe.each(lines)('on Node $version', ({ major, bin }) => {
  const topic = `lines-mq-${major}`;
  const consumerApp = `lines-consumer-${major}`;
  let producer: { base: App; gray: App };
  let consumer: { base: App; gray: App };

  beforeAll(async () => {
    await broker.createTopic(topic);
    // The baseline leaves the gray lane's messages to the gray consumers (SQL92 on the broker).
    // Grayscale is per app: the producer app must have it on to tag what its gray instance sends.
    const grayscale = (name: string, spec: Record<string, unknown>) =>
      JSON.stringify({
        apiVersion: 'graylane.io/v1',
        kind: 'MessageGrayscale',
        metadata: { name, namespace: NAMESPACE },
        spec,
      });
    await cp.apply(grayscale(`lines-producer-${major}`, { enabled: true }));
    await cp.apply(grayscale(consumerApp, { enabled: true, filter: 'sql92', baselineIgnoredTags: ['gray'] }));
    producer = {
      base: startApp(bin, `lines-producer-${major}`, '', { PRODUCE: topic }),
      gray: startApp(bin, `lines-producer-${major}`, 'gray', { PRODUCE: topic }),
    };
    consumer = {
      base: startApp(bin, consumerApp, '', { CONSUME: topic }),
      gray: startApp(bin, consumerApp, 'gray', { CONSUME: topic }),
    };
    await Promise.all([producer.base, producer.gray, consumer.base, consumer.gray].map((a) => a.ready));
  }, 120_000);

  it('a gray message reaches only the gray consumer, in the gray lane; a baseline one only the baseline', async () => {
    // Until both consumers poll with their final subscriptions, early messages may go
    // either way: send probes until each side has seen its own, then count fresh ones.
    let probe = 0;
    await waitFor(
      'each consumer receives its lane',
      async () => {
        producer.base.send(topic, `probe-base-${probe}`);
        producer.gray.send(topic, `probe-gray-${probe}`);
        probe++;
        // Both consumers of each instance (simple and push) must be in their lane's group.
        const sawIn = (app: App, prefix: string) =>
          new Set(app.consumed.filter((m) => m.id.startsWith(prefix)).map((m) => m.kind)).size === 2;
        const baseSawBase = sawIn(consumer.base, 'probe-base');
        const graySawGray = sawIn(consumer.gray, 'probe-gray');
        return (baseSawBase && graySawGray) || { probe };
      },
      60_000,
    );
    // The baseline leaves gray to the gray consumers from its next poll on: a poll made
    // before the gray group existed may still be open on some queue, one long poll (5 s)
    // longer, and on a busy machine longer still. Probes go on until neither consumer has
    // taken one of the other lane's for 7 s: counted from what they took, not slept.
    const crossed = () =>
      consumer.base.consumed.filter((m) => m.id.startsWith('probe-gray')).length +
      consumer.gray.consumed.filter((m) => m.id.startsWith('probe-base')).length;
    let lastCross = { count: crossed(), at: Date.now() };
    let sentAt = 0;
    await waitFor(
      'no probe crosses into the other lane for 7 s',
      async () => {
        if (Date.now() - sentAt >= 500) {
          producer.base.send(topic, `probe-base-${probe}`);
          producer.gray.send(topic, `probe-gray-${probe}`);
          probe++;
          sentAt = Date.now();
        }
        const count = crossed();
        if (count !== lastCross.count) lastCross = { count, at: Date.now() };
        return Date.now() - lastCross.at >= 7000 || { crossed: count };
      },
      90_000,
    );
    const ids = { base: ['b1', 'b2', 'b3'], gray: ['g1', 'g2', 'g3'] };
    for (const id of ids.base) producer.base.send(topic, id);
    for (const id of ids.gray) producer.gray.send(topic, id);
    const received = (app: App, id: string) => app.consumed.filter((m) => m.id === id);
    await waitFor(
      'every message was consumed by its lane',
      async () =>
        ids.base.every((id) => received(consumer.base, id).length >= 2) &&
        ids.gray.every((id) => received(consumer.gray, id).length >= 2),
      30_000,
    );
    // Each app has a simple and a push consumer: every message once in each, never in the other lane.
    for (const id of ids.base) {
      expect(
        received(consumer.base, id)
          .map((m) => m.kind)
          .sort(),
      ).toEqual(['push', 'simple']);
      expect(received(consumer.gray, id), 'a baseline message the gray consumer took').toEqual([]);
    }
    for (const id of ids.gray) {
      const got = received(consumer.gray, id);
      expect(got.map((m) => m.kind).sort()).toEqual(['push', 'simple']);
      expect(got.every((m) => m.tag === 'gray' && m.context === 'gray')).toBe(true);
      expect(received(consumer.base, id), 'a gray message the baseline took').toEqual([]);
    }
  }, 240_000);
});
