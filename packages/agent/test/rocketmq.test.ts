import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type RunningRocketMQ, startRocketMQ } from '@graylane/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type ControlPlane, cacheDir, startControlPlane, waitFor } from './support/cluster.js';

// One real broker on ports of its own, one real control plane, apps under the agent with
// no Graylane import (fixtures/mq-app.mjs). Every consumer app runs a SimpleConsumer and a
// PushConsumer on its own topic; two producer instances (baseline and gray) send to all.
// Ports below the kernel's ephemeral range (32768 and up), where an outgoing connection could hold one.
const BROKER = {
  name: 'agent-mq-tests',
  ports: { namesrv: 29876, proxy: 28081, remoting: 28080, broker: 30911 },
};
const NAMESPACE = 'mq';
const fixture = fileURLToPath(new URL('./fixtures/mq-app.mjs', import.meta.url));

interface Consumed {
  event: 'consumed';
  kind: 'simple' | 'push';
  topic: string;
  id: string;
  tag: string;
  context: string | null;
}

interface App {
  name: string;
  tag: string;
  child: ChildProcess;
  consumed: Consumed[];
  sent: Set<string>;
  ready: Promise<void>;
  send(topic: string, id: string): void;
  stop(): Promise<void>;
  stderr: () => string;
}

let broker: RunningRocketMQ;
let cp: ControlPlane;
const apps: App[] = [];
const cache = cacheDir();

function startApp(name: string, tag: string, env: { CONSUME?: string[]; PRODUCE?: string[] }): App {
  const child = spawn(process.execPath, ['--import', '@graylane/agent/register', fixture], {
    cwd: fileURLToPath(new URL('./fixtures/', import.meta.url)),
    env: {
      ...process.env,
      ENDPOINTS: broker.endpoints,
      CONSUME: (env.CONSUME ?? []).join(','),
      PRODUCE: (env.PRODUCE ?? []).join(','),
      GRAYLANE_SERVER: cp.url,
      GRAYLANE_APP: name,
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
  const app: App = {
    name,
    tag,
    child,
    consumed: [],
    sent: new Set(),
    ready: new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name}[${tag}] not ready in 40 s:\n${stderr}`)),
        40000,
      );
      child.once('exit', (code) => reject(new Error(`${name}[${tag}] exited with ${code}:\n${stderr}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!line.startsWith('{')) return;
        const event = JSON.parse(line);
        if (event.event === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (event.event === 'consumed') app.consumed.push(event);
        else if (event.event === 'sent') app.sent.add(event.id);
        else if (event.event === 'send-failed') stderr += `send failed: ${line}\n`;
      });
    }),
    send(topic, id) {
      child.stdin!.write(`${JSON.stringify({ topic, id })}\n`);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    stderr: () => stderr,
  };
  apps.push(app);
  return app;
}

function grayscale(app: string, spec: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'graylane.io/v1',
    kind: 'MessageGrayscale',
    metadata: { name: app, namespace: NAMESPACE },
    spec,
  });
}

interface Registered {
  app: string;
  tag: string;
  consumerGroups?: string[];
}

async function instancesOf(app: string): Promise<Registered[]> {
  const res = await fetch(`${cp.url}/v1/namespaces/${NAMESPACE}/instances?app=${app}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  const body = (await res.json()) as { items?: Registered[] } | Registered[];
  const list = Array.isArray(body) ? body : (body.items ?? []);
  return list.filter((i) => i.app === app);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the registry shows an instance of `app` with `tag` consuming exactly `groups`. */
function consumingIn(app: string, tag: string, groups: string[], timeoutMs = 40000) {
  return waitFor(
    `${app}[${tag || 'base'}] consumes in ${groups.join(', ')}`,
    async () => {
      const found = (await instancesOf(app)).filter((i) => i.tag === tag).map((i) => i.consumerGroups ?? []);
      return found.some((g) => [...g].sort().join() === [...groups].sort().join()) || found;
    },
    timeoutMs,
  );
}
const groupsOf = (topic: string, tag = '') =>
  [`${topic}-simple`, `${topic}-push`].map((g) => (tag === '' ? g : `${g}_${tag}`));

beforeAll(async () => {
  // A failure to start fails the suite with the broker's own message.
  [broker, cp] = await Promise.all([
    startRocketMQ({ ...BROKER, fresh: true, log: (l) => console.log(`[rocketmq] ${l}`) }),
    startControlPlane(),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(apps.map((a) => a.stop()));
  await cp?.close();
  await broker?.stop({ force: true });
}, 60_000);

// producer {baseline, gray} × consumers {baseline only, baseline + gray} × ignored {none, [gray], auto} × mode {sql92, client}
const modes = ['sql92', 'client'] as const;
const ignores = ['none', 'gray', 'auto'] as const;
const consumerSets = ['base', 'base+gray'] as const;
const cells = modes.flatMap((mode) =>
  ignores.flatMap((ignored) => consumerSets.map((consumers) => ({ mode, ignored, consumers }))),
);
const cellName = (c: (typeof cells)[number]) =>
  `mq-${c.mode}-${c.ignored}-${c.consumers === 'base' ? 'b' : 'bg'}`;
const PER_PRODUCER = 3;

describe('message grayscale over a real RocketMQ', () => {
  it('every cell of the matrix consumes exactly the messages of its lane', async () => {
    // Topics in parallel: each creation runs the admin tool in a JVM.
    const topics = [...cells.map(cellName), 'mq-toggle', 'mq-off'];
    for (let i = 0; i < topics.length; i += 5) {
      await Promise.all(topics.slice(i, i + 5).map((t) => broker.createTopic(t)));
    }
    await cp.apply(
      [
        grayscale('mq-producer', { enabled: true }),
        ...cells.map((c) =>
          grayscale(cellName(c), {
            enabled: true,
            filter: c.mode,
            baselineIgnoredTags: c.ignored === 'gray' ? ['gray'] : [],
            auto: c.ignored === 'auto',
          }),
        ),
      ].join('\n---\n'),
    );
    const producers = [
      startApp('mq-producer', '', { PRODUCE: topics }),
      startApp('mq-producer', 'gray', { PRODUCE: topics }),
    ];
    const consumers = new Map<string, { base: App; gray?: App }>();
    for (const c of cells) {
      const name = cellName(c);
      consumers.set(name, {
        base: startApp(name, '', { CONSUME: [name] }),
        gray: c.consumers === 'base+gray' ? startApp(name, 'gray', { CONSUME: [name] }) : undefined,
      });
    }
    await Promise.all(apps.map((a) => a.ready));
    // A gray consumer reports its gray group once the broker holds its position there;
    // from then on the baseline may leave gray messages to it (at its next, short, poll).
    for (const c of cells.filter((x) => x.consumers === 'base+gray'))
      await consumingIn(cellName(c), 'gray', groupsOf(cellName(c), 'gray'));
    await sleep(7000);

    for (const c of cells) {
      for (let n = 0; n < PER_PRODUCER; n++) {
        producers[0]!.send(cellName(c), `${cellName(c)}:base:${n}`);
        producers[1]!.send(cellName(c), `${cellName(c)}:gray:${n}`);
      }
    }
    await waitFor(
      'every message is sent',
      async () => producers.every((p) => p.sent.size === cells.length * PER_PRODUCER),
      20000,
    );

    const expected = (c: (typeof cells)[number]) => {
      const ids = (from: 'base' | 'gray') =>
        Array.from({ length: PER_PRODUCER }, (_, n) => `${cellName(c)}:${from}:${n}`);
      const baseIgnoresGray = c.ignored === 'gray' || (c.ignored === 'auto' && c.consumers === 'base+gray');
      return {
        base: [...ids('base'), ...(baseIgnoresGray ? [] : ids('gray'))].sort(),
        gray: c.consumers === 'base+gray' ? ids('gray').sort() : undefined,
      };
    };
    const got = (app: App | undefined, kind: 'simple' | 'push') =>
      app?.consumed
        .filter((m) => m.kind === kind)
        .map((m) => m.id)
        .sort();
    const snapshot = () =>
      cells.map((c) => {
        const { base, gray } = consumers.get(cellName(c))!;
        return {
          cell: cellName(c),
          simple: { base: got(base, 'simple'), gray: got(gray, 'simple') },
          push: { base: got(base, 'push'), gray: got(gray, 'push') },
        };
      });
    const wanted = cells.map((c) => {
      const e = expected(c);
      return { cell: cellName(c), simple: e, push: e };
    });
    await waitFor(
      'every cell consumed what it should',
      async () => {
        const now = snapshot();
        return JSON.stringify(now) === JSON.stringify(wanted) || now;
      },
      40000,
    ).catch(() => {});
    // A further long poll: nothing more arrives (no duplicates, nothing outside the lane).
    await sleep(6000);
    expect(snapshot()).toEqual(wanted);

    // The handler of a PushConsumer, and the code reading a SimpleConsumer's message, run in its lane.
    for (const app of apps) for (const m of app.consumed) expect(m.context).toBe(m.tag);
    // Gray producer messages carry the tag, baseline ones none.
    for (const app of apps)
      for (const m of app.consumed) expect(m.tag).toBe(m.id.includes(':gray:') ? 'gray' : '');
  }, 200_000);

  it('a steady stream loses no message while the settings change under it', async () => {
    const producer = apps.find((a) => a.name === 'mq-producer' && a.tag === '')!;
    const gproducer = apps.find((a) => a.name === 'mq-producer' && a.tag === 'gray')!;
    const app = 'mq-toggle';
    await cp.apply(grayscale(app, { enabled: true, filter: 'sql92', baselineIgnoredTags: ['gray'] }));
    const base = startApp(app, '', { CONSUME: [app] });
    const gray = startApp(app, 'gray', { CONSUME: [app] });
    await Promise.all([base.ready, gray.ready]);
    await sleep(5000);

    const ids: string[] = [];
    let n = 0;
    let streaming = true;
    const stream = (async () => {
      while (streaming) {
        const id = `${app}:${n % 2 ? 'gray' : 'base'}:${n}`;
        (n % 2 ? gproducer : producer).send(app, id);
        ids.push(id);
        n++;
        await sleep(40);
      }
    })();
    const settings = [
      { enabled: true, filter: 'client', baselineIgnoredTags: ['gray'] },
      { enabled: true, filter: 'sql92', baselineIgnoredTags: [] },
      { enabled: true, filter: 'sql92', auto: true },
      { enabled: true, filter: 'client', auto: true },
      { enabled: false },
      { enabled: true, filter: 'sql92', baselineIgnoredTags: ['gray'] },
    ];
    for (const spec of settings) {
      await sleep(2500);
      await cp.apply(grayscale(app, spec));
    }
    await sleep(2500);
    streaming = false;
    await stream;
    const sentIds = () =>
      new Set([...producer.sent, ...gproducer.sent].filter((id) => id.startsWith(`${app}:`)));
    await waitFor('every message is sent', async () => sentIds().size === ids.length, 20000);

    for (const kind of ['simple', 'push'] as const) {
      const by = (a: App) => new Set(a.consumed.filter((m) => m.kind === kind).map((m) => m.id));
      await waitFor(
        `${kind}: every message of the stream is consumed by some instance`,
        async () => {
          const seen = new Set([...by(base), ...by(gray)]);
          const missing = ids.filter((id) => !seen.has(id));
          return missing.length === 0 || { missing: missing.length, of: ids.length };
        },
        40000,
      );
      // Untagged messages always went to the baseline, never to the gray consumer.
      expect(ids.filter((id) => id.includes(':base:') && !by(base).has(id))).toEqual([]);
      expect([...by(gray)].filter((id) => id.includes(':base:'))).toEqual([]);
    }
  }, 120_000);

  it('a gray instance joins its lane when grayscale is turned on and leaves it when turned off, losing nothing and replaying nothing', async () => {
    const producer = apps.find((a) => a.name === 'mq-producer' && a.tag === '')!;
    const gproducer = apps.find((a) => a.name === 'mq-producer' && a.tag === 'gray')!;
    const app = 'mq-off';
    await cp.apply(grayscale(app, { enabled: false }));
    const base = startApp(app, '', { CONSUME: [app] });
    const gray = startApp(app, 'gray', { CONSUME: [app] });
    await Promise.all([base.ready, gray.ready]);
    // Off: the gray instance is a plain member of the original groups.
    await consumingIn(app, 'gray', groupsOf(app));

    const sent: { id: string; at: number }[] = [];
    let streaming = true;
    const stream = (async () => {
      for (let n = 0; streaming; n++) {
        const id = `${app}:${n % 2 ? 'gray' : 'base'}:${n}`;
        (n % 2 ? gproducer : producer).send(app, id);
        sent.push({ id, at: Date.now() });
        await sleep(50);
      }
    })();
    await sleep(3000);

    await cp.apply(grayscale(app, { enabled: true, filter: 'sql92', baselineIgnoredTags: ['gray'] }));
    await consumingIn(app, 'gray', groupsOf(app, 'gray'));
    // The baseline skips gray from its next poll on, at most one long poll later.
    const laneFrom = Date.now() + 8000;
    await sleep(12000);
    expect(base.stderr()).not.toContain('GL_MQ');
    expect(gray.stderr()).toContain(`joins as ${app}-simple_gray`);

    await cp.apply(grayscale(app, { enabled: false }));
    const laneUntil = Date.now();
    // After draining the gray groups, the gray instance is back in the original groups.
    await consumingIn(app, 'gray', groupsOf(app), 40000);
    // Its gray groups' positions follow the end of the topic (a keeper poll within 5 s + 5 s)...
    await sleep(11000);
    const keptFrom = Date.now();
    await sleep(4000);
    const keptUntil = Date.now();
    await sleep(8000);
    // ...so turning grayscale on again delivers none of the gray messages the original group took.
    await cp.apply(grayscale(app, { enabled: true, filter: 'sql92', baselineIgnoredTags: ['gray'] }));
    await consumingIn(app, 'gray', groupsOf(app, 'gray'));
    await sleep(6000);
    streaming = false;
    await stream;

    const ids = sent.map((s) => s.id);
    const sentIds = () =>
      new Set([...producer.sent, ...gproducer.sent].filter((id) => id.startsWith(`${app}:`)));
    await waitFor('every message is sent', async () => sentIds().size === ids.length, 20000);
    const inLane = sent.filter((s) => s.at >= laneFrom && s.at < laneUntil).map((s) => s.id);
    expect(inLane.length).toBeGreaterThan(20);

    for (const kind of ['simple', 'push'] as const) {
      const by = (a: App) => new Set(a.consumed.filter((m) => m.kind === kind).map((m) => m.id));
      await waitFor(
        `${kind}: every message is consumed by some instance`,
        async () => {
          const seen = new Set([...by(base), ...by(gray)]);
          const missing = ids.filter((id) => !seen.has(id));
          return missing.length === 0 || { missing: missing.length, of: ids.length };
        },
        40000,
      );
      // Consumed once while both shared the original groups, and not again after the gray rejoined.
      const kept = sent.filter((s) => s.at >= keptFrom && s.at < keptUntil).map((s) => s.id);
      const times = (id: string) =>
        [...base.consumed, ...gray.consumed].filter((m) => m.kind === kind && m.id === id).length;
      expect(kept.length).toBeGreaterThan(20);
      expect(kept.filter((id) => times(id) !== 1)).toEqual([]);
      // While on, each message went to its own lane only.
      const baseGot = by(base);
      const grayGot = by(gray);
      expect(inLane.filter((id) => id.includes(':gray:') && (baseGot.has(id) || !grayGot.has(id)))).toEqual(
        [],
      );
      expect(inLane.filter((id) => id.includes(':base:') && (grayGot.has(id) || !baseGot.has(id)))).toEqual(
        [],
      );
    }
  }, 180_000);
});
