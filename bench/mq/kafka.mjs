// Kafka message lanes: what they cost a kafkajs consumer, in messages consumed per second,
// and how many copies of the topic the lanes' groups read (issue 16). Kafka has no
// broker-side filter: every lane's group reads the whole topic and the agent skips, in the
// consumer, the messages of other lanes. Variants, each a fresh consumer app under the agent:
//   - off:   no MessageGrayscale for the consumer's app: the agent leaves the consumer alone
//            and the app gets every message of the topic;
//   - on:    MessageGrayscale {enabled, baselineIgnoredTags: [gray]}: the baseline consumer
//            stays in <group>, skips the gray half and hands the app the rest;
//   - lanes: the same resource with a gray instance of the app running too: the gray consumer
//            in <group>_gray and the baseline in <group> drain the topic side by side, each
//            reading all of it and handing its app its own lane's half.
//
// One real Kafka (4.1.1, KRaft, one JVM, started by the project's startKafka) on ports of its
// own, one real control plane. The topic (8 partitions) gets MESSAGES messages up front from
// two producer apps under the agent sending at once: a baseline one (no header) and a gray one
// (instance tag gray; the agent adds `graylane-tag: gray`), half each. Every group starts at
// the first message: baseline groups are new and subscribe fromBeginning; a gray group gets
// committed offsets at 0 before its consumer starts (a lane group the agent sees for the first
// time starts at the end of the topic, so without them it would read nothing of the backlog).
// Every drain must hand the app exactly its lane's messages (off: all of them, half gray; on
// and lanes baseline: the untagged half; lanes gray: the gray half), each once, or the run fails.
import { median, table } from '../measure.mjs';
import { cpuSeconds, dist, sleep, startApp, withBroker } from './app-process.mjs';

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const MESSAGES = env('BENCH_KAFKA_MESSAGES', 200_000);
const BODY_BYTES = env('BENCH_MQ_BODY_BYTES', 512);
const ROUNDS = env('BENCH_MQ_ROUNDS', 3);
const PARTITIONS = 8;
// The measured window of a drain: from 10 % to 90 % of the messages the app should get.
const MARKS = [0.1, 0.9];
const TOPIC = 'bench-kafka';
const PRODUCER_APP = 'kafka-bench-producer';
// Ports of its own, clear of the default (9092) and of the test suites' brokers.
const BROKER = { name: 'bench-mq', ports: { broker: 29492, controller: 29493 } };
const LANES = { enabled: true, baselineIgnoredTags: ['gray'] };

const VARIANTS = ['off', 'on', 'lanes'];
const appOf = (variant, round) =>
  // The lanes variant's gray instance stays registered a while after it stops; an app per
  // round keeps it from holding the next round's baseline back ("still joining").
  variant === 'lanes' ? `kafka-bench-lanes-r${round}` : `kafka-bench-${variant}`;

/** A consumer app under the agent in `group`; resolves once its first message is in hand. */
function startConsumer(ctx, { label, app, tag = '', group, expect }) {
  const consumer = startApp({
    script: 'kafka-consumer.mjs',
    label,
    app,
    tag,
    cp: ctx.cp,
    env: {
      BROKERS: ctx.broker.bootstrap,
      TOPIC,
      GROUP: group,
      EXPECT: String(expect),
      MARKS: MARKS.join(','),
    },
  });
  ctx.apps.add(consumer);
  // CPU is read the moment a mark arrives; the app stamps its own time.
  consumer.samples = {};
  consumer.onEvent = (e) => {
    if (e.event.startsWith('mark-'))
      consumer.samples[e.event] = {
        ...e,
        broker: cpuSeconds(ctx.brokerPid),
        app: cpuSeconds(consumer.child.pid),
      };
  };
  return consumer;
}

/** The figures of one consumer's drain, after checking it got exactly its lane's messages. */
async function finish(consumer, { label, expect, grayExpected }) {
  const done = await consumer.event('done', 300_000);
  const settled = await consumer.event('settled', 20_000);
  if (settled.delivered !== expect || settled.grayDelivered !== grayExpected) {
    throw new Error(
      `${label}: the app got ${settled.delivered} messages (${settled.grayDelivered} gray), expected ${expect} (${grayExpected} gray)`,
    );
  }
  const from = consumer.samples[`mark-${MARKS[0]}`];
  const to = consumer.samples[`mark-${MARKS[1]}`];
  const delivered = to.delivered - from.delivered;
  const fetched = to.fetched - from.fetched;
  const seconds = (to.at - from.at) / 1000;
  return {
    seconds,
    drainSeconds: done.ms / 1000,
    rate: delivered / seconds,
    // Messages of the topic gone through per second, handed to the app or skipped.
    topicRate: fetched / seconds,
    // The whole drain: every message the group fetched per message its app was handed.
    fetchedPerHanded: settled.fetched / settled.delivered,
    fetched: settled.fetched,
    delivered: settled.delivered,
    brokerCpuPer10kTopic: ((to.broker - from.broker) / fetched) * 10_000,
    appCpuPer10k: ((to.app - from.app) / delivered) * 10_000,
  };
}

async function drainAlone(ctx, variant, round) {
  const label = `${variant}-r${round}`;
  const expect = variant === 'off' ? MESSAGES : MESSAGES / 2;
  const consumer = startConsumer(ctx, {
    label,
    app: appOf(variant, round),
    group: `bench-${label}`,
    expect,
  });
  try {
    await consumer.event('ready', 60_000);
    consumer.go();
    return {
      baseline: await finish(consumer, {
        label,
        expect,
        grayExpected: variant === 'off' ? MESSAGES / 2 : 0,
      }),
    };
  } finally {
    await consumer.stop();
    ctx.apps.delete(consumer);
  }
}

/** The gray consumer and the baseline drain the topic side by side, each in its lane's group. */
async function drainLanes(ctx, round) {
  const app = appOf('lanes', round);
  const group = `bench-lanes-r${round}`;
  await seedOffsets(ctx, `${group}_gray`);
  const gray = startConsumer(ctx, {
    label: `lanes-gray-r${round}`,
    app,
    tag: 'gray',
    group,
    expect: MESSAGES / 2,
  });
  let baseline;
  try {
    await gray.event('ready', 60_000);
    // The baseline skips gray only once the gray consumer reports its group joined.
    await waitFor(
      async () =>
        (await ctx.cp.instances()).some((i) => i.app === app && i.consumerGroups?.includes(`${group}_gray`)),
      `the gray consumer of ${app} to report ${group}_gray`,
    );
    baseline = startConsumer(ctx, { label: `lanes-baseline-r${round}`, app, group, expect: MESSAGES / 2 });
    await baseline.event('ready', 60_000);
    gray.go();
    baseline.go();
    const [b, g] = await Promise.all([
      finish(baseline, { label: `lanes-baseline-r${round}`, expect: MESSAGES / 2, grayExpected: 0 }),
      finish(gray, { label: `lanes-gray-r${round}`, expect: MESSAGES / 2, grayExpected: MESSAGES / 2 }),
    ]);
    return { baseline: b, gray: g };
  } finally {
    for (const c of [gray, baseline]) {
      if (c === undefined) continue;
      await c.stop();
      ctx.apps.delete(c);
    }
  }
}

/** Commits offset 0 on every partition for a group that has never consumed. */
function seedOffsets(ctx, groupId) {
  return withAdmin(ctx, (admin) =>
    admin.setOffsets({
      groupId,
      topic: TOPIC,
      partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, offset: '0' })),
    }),
  );
}

/** Runs `use` with a kafkajs admin client of its own. */
async function withAdmin(ctx, use) {
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function waitFor(check, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Two producer apps under the agent, one baseline and one gray, send half the backlog each. */
async function produce(ctx) {
  const producers = ['', 'gray'].map((tag) =>
    startApp({
      script: 'kafka-producer.mjs',
      label: `producer ${tag || 'baseline'}`,
      app: PRODUCER_APP,
      tag,
      cp: ctx.cp,
      env: {
        BROKERS: ctx.broker.bootstrap,
        TOPIC,
        COUNT: String(MESSAGES / 2),
        BODY_BYTES: String(BODY_BYTES),
      },
    }),
  );
  for (const p of producers) ctx.apps.add(p);
  try {
    await Promise.all(producers.map((p) => p.event('ready', 60_000)));
    await waitFor(
      async () => (await ctx.cp.instances()).filter((i) => i.app === PRODUCER_APP).length === 2,
      'both producers to register',
    );
    // Registered, and the watch stream has brought each agent its MessageGrayscale setting.
    await sleep(1000);
    for (const p of producers) p.go();
    const done = await Promise.all(producers.map((p) => p.event('done', 300_000)));
    return Math.max(...done.map((d) => d.seconds));
  } finally {
    for (const p of producers) {
      await p.stop();
      ctx.apps.delete(p);
    }
  }
}

/** The Kafka part of `npm run bench -- mq`: the headline result with its figures in `extra`. */
export async function runKafka() {
  const { startKafka } = await import(dist('cli'));
  const { Kafka, logLevel } = await import('kafkajs');
  return withBroker(
    { name: 'kafka', start: (options) => startKafka({ ...BROKER, ...options }), pidFile: 'kafka.pid' },
    async (ctx) => {
      const { broker, cp } = ctx;
      ctx.kafka = new Kafka({
        clientId: 'bench-admin',
        brokers: [broker.bootstrap],
        logLevel: logLevel.NOTHING,
      });

      await cp.applyMessageGrayscale({
        [PRODUCER_APP]: { enabled: true },
        [appOf('on')]: LANES,
        ...Object.fromEntries(Array.from({ length: ROUNDS + 1 }, (_, r) => [appOf('lanes', r), LANES])),
      });
      await broker.createTopic(TOPIC, { partitions: PARTITIONS });
      const produceSeconds = await produce(ctx);
      const ends = await withAdmin(ctx, (admin) => admin.fetchTopicOffsets(TOPIC));
      const inTopic = ends.reduce((n, p) => n + Number(p.high), 0);
      if (inTopic !== MESSAGES) throw new Error(`the topic holds ${inTopic} messages, expected ${MESSAGES}`);
      console.log(
        `produced ${MESSAGES} messages of ${BODY_BYTES} B (half from a gray producer under the agent) in ${produceSeconds.toFixed(1)} s`,
      );

      const samples = Object.fromEntries(VARIANTS.map((v) => [v, []]));
      for (let round = 0; round <= ROUNDS; round++) {
        for (let i = 0; i < VARIANTS.length; i++) {
          const variant = VARIANTS[(i + round) % VARIANTS.length];
          const m =
            variant === 'lanes' ? await drainLanes(ctx, round) : await drainAlone(ctx, variant, round);
          for (const [who, f] of Object.entries(m)) {
            console.log(
              `${round === 0 ? 'warm-up' : `round ${round}`} ${variant}${variant === 'lanes' ? ` ${who}` : ''}: ` +
                `${Math.round(f.rate)} msg/s to the app, ${Math.round(f.topicRate)} topic msg/s ` +
                `(${f.seconds.toFixed(2)} s window, drain ${f.drainSeconds.toFixed(2)} s), ` +
                `${f.fetched} fetched for ${f.delivered} handed (${f.fetchedPerHanded.toFixed(3)}), ` +
                `broker ${f.brokerCpuPer10kTopic.toFixed(2)} CPU-s per 10k topic / app ${f.appCpuPer10k.toFixed(2)} per 10k handed`,
            );
          }
          if (round > 0) samples[variant].push(m);
        }
      }

      // Rows: off, on, lanes baseline, lanes gray; ratios against off within each round.
      const ROWS = [
        { name: 'off', pick: (r) => r.off[r.i].baseline, expect: MESSAGES, group: '<group>' },
        { name: 'on', pick: (r) => r.on[r.i].baseline, expect: MESSAGES / 2, group: '<group>' },
        {
          name: 'lanes: baseline',
          pick: (r) => r.lanes[r.i].baseline,
          expect: MESSAGES / 2,
          group: '<group>',
        },
        { name: 'lanes: gray', pick: (r) => r.lanes[r.i].gray, expect: MESSAGES / 2, group: '<group>_gray' },
      ];
      const rounds = Array.from({ length: ROUNDS }, (_, i) => ({ ...samples, i }));
      const KEYS = [
        'rate',
        'topicRate',
        'seconds',
        'drainSeconds',
        'fetchedPerHanded',
        'brokerCpuPer10kTopic',
        'appCpuPer10k',
      ];
      const fig = ROWS.map((row) => {
        const per = rounds.map((r) => ({ m: row.pick(r), off: r.off[r.i].baseline }));
        const f = Object.fromEntries(KEYS.map((k) => [k, median(per.map(({ m }) => m[k]))]));
        f.rateRatio = median(per.map(({ m, off }) => m.rate / off.rate));
        f.topicRateRatio = median(per.map(({ m, off }) => m.topicRate / off.topicRate));
        f.brokerCpuRatio = median(per.map(({ m, off }) => m.brokerCpuPer10kTopic / off.brokerCpuPer10kTopic));
        f.appCpuRatio = median(per.map(({ m, off }) => m.appCpuPer10k / off.appCpuPer10k));
        return { ...row, f };
      });

      console.log(
        `\nKafka: ${MESSAGES} messages of ${BODY_BYTES} B in ${PARTITIONS} partitions, half gray; kafkajs eachMessage; ` +
          `window: ${MARKS[0] * 100}–${MARKS[1] * 100} % of each drain; ${ROUNDS} rounds after a warm-up round; ` +
          'ratios: medians of per-round comparisons with off.',
      );
      table(
        fig.map(({ name, group, expect, f }) => ({
          variant: name,
          group,
          'to app': expect,
          'fetched/handed': f.fetchedPerHanded.toFixed(3),
          'app msg/s': Math.round(f.rate),
          'rate ratio': f.rateRatio.toFixed(3),
          'topic msg/s': Math.round(f.topicRate),
          'topic ratio': f.topicRateRatio.toFixed(3),
          'drain s': f.drainSeconds.toFixed(2),
          'broker CPU-s/10k topic': f.brokerCpuPer10kTopic.toFixed(3),
          'ratio ': f.brokerCpuRatio.toFixed(3),
          'app CPU-s/10k handed': f.appCpuPer10k.toFixed(3),
          ' ratio': f.appCpuRatio.toFixed(3),
        })),
      );

      const round = (n, digits = 3) => Number(n.toFixed(digits));
      const extra = Object.fromEntries(
        fig.map(({ name, group, expect, f }) => [
          name,
          {
            group,
            deliveredToApp: expect,
            fetchedPerHanded: round(f.fetchedPerHanded),
            appMsgsPerSecond: Math.round(f.rate),
            rateRatio: round(f.rateRatio),
            topicMsgsPerSecond: Math.round(f.topicRate),
            topicRateRatio: round(f.topicRateRatio),
            drainSeconds: round(f.drainSeconds, 2),
            brokerCpuSecondsPer10kTopic: round(f.brokerCpuPer10kTopic),
            brokerCpuPer10kTopicRatio: round(f.brokerCpuRatio),
            appCpuSecondsPer10kHanded: round(f.appCpuPer10k),
            appCpuPer10kHandedRatio: round(f.appCpuRatio),
          },
        ]),
      );
      extra.rounds = Object.fromEntries(
        fig.map(({ name, pick }) => [
          name,
          rounds.map((r) => {
            const m = pick(r);
            return {
              appMsgsPerSecond: Math.round(m.rate),
              topicMsgsPerSecond: Math.round(m.topicRate),
              fetched: m.fetched,
              handed: m.delivered,
            };
          }),
        ]),
      );
      extra.setup = {
        broker: 'Kafka 4.1.1, KRaft, broker and controller in one JVM',
        client: 'kafkajs 2.2.4 consumer (eachMessage) under the agent',
        messages: MESSAGES,
        partitions: PARTITIONS,
        grayShare: 0.5,
        bodyBytes: BODY_BYTES,
        window: `${MARKS[0] * 100}–${MARKS[1] * 100} % of the messages each drain hands the app`,
        rounds: ROUNDS,
        warmupRounds: 1,
        produceSeconds: round(produceSeconds, 1),
      };
      const on = fig[1].f;
      return {
        metric: 'Kafka baseline consumer, lanes on / off: messages to the app per second',
        value: round(on.rateRatio),
        unit: 'ratio',
        peer: 'lanes on / off: topic messages gone through per second',
        peerValue: round(on.topicRateRatio),
        ratio: round(on.rateRatio / on.topicRateRatio),
        extra,
      };
    },
  );
}
