// (d) Message grayscale is toggled under a steady RocketMQ stream; no message may be
// lost (goal 0).
//
// A real RocketMQ 5.3 (started by the project's own code, ports of its own), a control
// plane, and four plain apps under the agent: a baseline and a gray producer (RATE
// messages/s each; the gray one's carry graylane_tag=gray) and a baseline and a gray
// PushConsumer of one group. After STEADY s of steady traffic, MessageGrayscale of both
// apps cycles every EVERY s for TOGGLE s through: on with the baseline ignoring gray →
// off → on with nothing ignored → …, ending on "ignoring gray". Then the producers stop
// and the consumers get up to DRAIN s. A message is lost when the broker accepted it
// and no consumer was handed it; a delivery beyond the first of a message is counted
// as a duplicate (the baseline also consumes gray messages while nothing is ignored).

import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { spawnReady } from '../bench/spawn-ready.mjs';
import { apply, NAMESPACE, sleep, startControlPlane, stopAll, TOKEN, tempDir } from './support/cluster.mjs';

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const RATE = env('CHAOS_RATE', 20);
const STEADY = env('CHAOS_STEADY', 5);
const TOGGLE = env('CHAOS_TOGGLE', 24);
const EVERY = env('CHAOS_EVERY', 3);
const DRAIN = env('CHAOS_DRAIN', 40);
const TOPIC = 'CHAOS_MQ';
const GROUP = 'GID_CHAOS';
const BROKER = { name: 'chaos-mq', ports: { namesrv: 29376, proxy: 27581, remoting: 27580, broker: 31411 } };
const app = fileURLToPath(new URL('./mq/app.mjs', import.meta.url));
const appDir = fileURLToPath(new URL('./mq/', import.meta.url));

const STATES = [
  {
    label: 'on, baseline ignores gray',
    spec: { enabled: true, filter: 'sql92', baselineIgnoredTags: ['gray'] },
  },
  { label: 'off', spec: { enabled: false, filter: 'sql92', baselineIgnoredTags: ['gray'] } },
  { label: 'on, nothing ignored', spec: { enabled: true, filter: 'sql92', baselineIgnoredTags: [] } },
];

const grayscale = (spec) =>
  ['mq-producer', 'mq-consumer']
    .map((name) =>
      JSON.stringify({
        apiVersion: 'graylane.io/v1',
        kind: 'MessageGrayscale',
        metadata: { name, namespace: NAMESPACE },
        spec,
      }),
    )
    .join('\n---\n');

export default async function run() {
  const { startRocketMQ } = await import('../packages/cli/dist/index.js');
  const data = await tempDir('cp');
  const cacheDir = await tempDir('cache');
  const services = [];
  let broker;
  const sent = new Map();
  const sendFailed = new Set();
  const consumed = new Map();
  try {
    broker = await startRocketMQ({ ...BROKER, fresh: true });
    await broker.createTopic(TOPIC);
    const cp = await startControlPlane({ data });
    services.push(cp);
    await apply(cp.url, grayscale(STATES[0].spec));

    const start = async (role, tag) => {
      const label = `${role}${tag ? `-${tag}` : ''}`;
      const s = await spawnReady(label, ['--import', '@graylane/agent/register', app], {
        cwd: appDir,
        env: {
          ENDPOINTS: broker.endpoints,
          TOPIC,
          ROLE: role,
          LABEL: label,
          GROUP,
          RATE: String(RATE),
          GRAYLANE_SERVER: cp.url,
          GRAYLANE_APP: `mq-${role}`,
          GRAYLANE_TAG: tag,
          GRAYLANE_NAMESPACE: NAMESPACE,
          GRAYLANE_TOKEN: TOKEN,
          GRAYLANE_HOST: '127.0.0.1',
          GRAYLANE_CACHE_DIR: cacheDir,
          GRAYLANE_LOG_LEVEL: 'error',
        },
      });
      createInterface({ input: s.child.stdout }).on('line', (line) => {
        if (!line.startsWith('{')) return;
        const e = JSON.parse(line);
        if (e.event === 'sent') sent.set(e.id, label);
        else if (e.event === 'send-failed') sendFailed.add(e.id);
        else if (e.event === 'consumed') consumed.set(e.id, (consumed.get(e.id) ?? 0) + 1);
      });
      services.push(s);
      return s;
    };
    await start('consumer', '');
    await start('consumer', 'gray');
    // Let both consumers join their groups before the first message.
    await sleep(3000);
    const producers = [await start('producer', ''), await start('producer', 'gray')];

    await sleep(STEADY * 1000);
    let toggles = 0;
    const deadline = Date.now() + TOGGLE * 1000;
    while (Date.now() < deadline) {
      await sleep(EVERY * 1000);
      toggles++;
      await apply(cp.url, grayscale(STATES[toggles % STATES.length].spec));
    }
    if (toggles % STATES.length !== 0) {
      toggles++;
      await apply(cp.url, grayscale(STATES[0].spec));
    }
    await stopAll(producers);
    const drainEnd = Date.now() + DRAIN * 1000;
    const missing = () => [...sent.keys()].filter((id) => !consumed.has(id));
    while (Date.now() < drainEnd && missing().length > 0) await sleep(500);

    const rows = ['producer', 'producer-gray'].map((label) => {
      const ids = [...sent].filter(([, l]) => l === label).map(([id]) => id);
      const lost = ids.filter((id) => !consumed.has(id)).length;
      const deliveries = ids.reduce((n, id) => n + (consumed.get(id) ?? 0), 0);
      return {
        producer: label,
        sent: ids.length,
        sendFailed: [...sendFailed].filter((id) => id.replace(/-\d+$/, '') === label).length,
        consumed: ids.length - lost,
        lost,
        duplicates: deliveries - (ids.length - lost),
      };
    });
    const lost = rows.reduce((n, r) => n + r.lost, 0);
    return {
      goal: '0 messages lost while message grayscale is toggled under a steady stream',
      met: lost === 0 && sent.size > 0,
      rows,
      figures: { toggles, rate: RATE, lost, lostIds: missing().slice(0, 20), rows },
    };
  } finally {
    await stopAll(services);
    await broker?.stop({ force: true });
    await Promise.all([
      rm(data, { recursive: true, force: true }),
      rm(cacheDir, { recursive: true, force: true }),
    ]);
  }
}
