// RocketMQ message grayscale: what the baseline consumer's lane filter costs, in
// messages consumed per second and in broker CPU, for the three ways a baseline
// consumer can run (issue 5):
//   - none:   no MessageGrayscale resource: the agent leaves the client alone and the
//             consumer gets every message of the topic;
//   - sql92:  MessageGrayscale {filter: sql92, baselineIgnoredTags: [gray]}: the broker
//             evaluates `graylane_tag IS NULL OR graylane_tag NOT IN ('gray')`;
//   - client: the same with filter: client: the broker sends everything, the agent acks
//             the gray half in the consumer process and hands the app the rest.
//
// One real broker (RocketMQ 5.3.3, proxy in local mode: proxy and broker share one JVM)
// on ports of its own, one real control plane. One topic gets MESSAGES messages up
// front, every other one with the property graylane_tag=gray (as a gray producer under
// the agent sends them). Each measurement is one consumer app (bench/mq/rocketmq-consumer.mjs,
// run under the agent) draining that backlog in a consumer group of its own, so every
// variant starts from offset 0 of the same messages: a new group's pop offset starts at
// the queue's first message while that message is still in memory, which it is for a
// backlog of a few MB (checked: every drain must hand the app exactly what it expects).
// Per drain: the app's messages/s (from `go` to the last expected message), the messages
// pulled from the broker, and the CPU (utime + stime from /proc) of the broker JVM and
// of the consumer process over the drain. A first round warms the JVM and is thrown
// away; then ROUNDS rounds, variants in a rotated order; comparisons with `none` are
// made within each round and the median taken.
import { median, table } from '../measure.mjs';
import { cpuSeconds, dist, sleep, startApp, withBroker } from './app-process.mjs';

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const MESSAGES = env('BENCH_MQ_MESSAGES', 30_000);
const BODY_BYTES = env('BENCH_MQ_BODY_BYTES', 512);
const ROUNDS = env('BENCH_MQ_ROUNDS', 3);
const LOOPS = env('BENCH_MQ_LOOPS', 8);
const BATCH = env('BENCH_MQ_BATCH', 32);
const SEND_CONCURRENCY = 64;
// The measured window of a drain: from 10 % to 90 % of the messages the app should get.
const MARKS = [0.1, 0.9];
const TOPIC = 'bench-mq';
// Ports of its own, clear of the defaults and of the test suites' brokers.
const BROKER = {
  name: 'bench-mq',
  ports: { namesrv: 29776, proxy: 27981, remoting: 27980, broker: 31211 },
};

const VARIANTS = [
  { name: 'none', app: 'mq-bench-none', spec: undefined, expect: MESSAGES },
  {
    name: 'sql92',
    app: 'mq-bench-sql92',
    spec: { enabled: true, filter: 'sql92', baselineIgnoredTags: ['gray'] },
    expect: MESSAGES / 2,
  },
  {
    name: 'client',
    app: 'mq-bench-client',
    spec: { enabled: true, filter: 'client', baselineIgnoredTags: ['gray'] },
    expect: MESSAGES / 2,
  },
];

async function produce(endpoints) {
  const { Producer } = await import('rocketmq-client-nodejs');
  const logger = { info() {}, warn() {}, error() {}, debug() {} };
  const producer = new Producer({ endpoints, namespace: '', logger });
  await producer.startup();
  const filler = Buffer.alloc(BODY_BYTES, 'x');
  let next = 0;
  const started = performance.now();
  const sender = async () => {
    while (next < MESSAGES) {
      const n = next++;
      const body = Buffer.from(filler);
      body.write(String(n));
      const properties = n % 2 === 1 ? new Map([['graylane_tag', 'gray']]) : new Map();
      await producer.send({ topic: TOPIC, body, properties });
    }
  };
  await Promise.all(Array.from({ length: SEND_CONCURRENCY }, sender));
  const seconds = (performance.now() - started) / 1000;
  await producer.shutdown();
  return seconds;
}

/** Starts one consumer app under the agent; it reports `ready` once it can receive. */
function startConsumer(variant, group, endpoints, cp) {
  return startApp({
    script: 'rocketmq-consumer.mjs',
    label: group,
    app: variant.app,
    cp,
    env: {
      ENDPOINTS: endpoints,
      TOPIC,
      GROUP: group,
      EXPECT: String(variant.expect),
      LOOPS: String(LOOPS),
      BATCH: String(BATCH),
      MARKS: MARKS.join(','),
    },
  });
}

async function drain(variant, group, ctx) {
  const consumer = startConsumer(variant, group, ctx.broker.endpoints, ctx.cp);
  ctx.apps.add(consumer);
  try {
    await consumer.event('ready', 40_000);
    await sleep(300);
    const pid = consumer.child.pid;
    // CPU is read the moment a mark arrives; the app stamps its own time.
    const samples = {};
    consumer.onEvent = (e) => {
      if (e.event.startsWith('mark-'))
        samples[e.event] = { ...e, broker: cpuSeconds(ctx.brokerPid), app: cpuSeconds(pid) };
    };
    consumer.go();
    const done = await consumer.event('done', 300_000);
    const settled = await consumer.event('settled', 20_000);
    // Exactly the lane's messages, each once: a drain that missed the start of the
    // backlog, or got more than it should, measures something else.
    const grayExpected = variant.name === 'none' ? MESSAGES / 2 : 0;
    if (settled.delivered !== variant.expect || settled.grayDelivered !== grayExpected) {
      throw new Error(
        `${group}: the app got ${settled.delivered} messages (${settled.grayDelivered} gray), expected ${variant.expect} (${grayExpected} gray)`,
      );
    }
    const from = samples[`mark-${MARKS[0]}`];
    const to = samples[`mark-${MARKS[1]}`];
    const delivered = to.delivered - from.delivered;
    const seconds = (to.at - from.at) / 1000;
    const brokerCpu = to.broker - from.broker;
    const appCpu = to.app - from.app;
    return {
      seconds,
      drainSeconds: done.ms / 1000,
      rate: delivered / seconds,
      // Messages of the topic gone through per second, delivered or filtered out.
      backlogRate: (delivered * (MESSAGES / variant.expect)) / seconds,
      brokerCpuPerSecond: brokerCpu / seconds,
      pulledPerDelivered: (to.pulled - from.pulled) / delivered,
      brokerCpuPer10k: (brokerCpu / delivered) * 10_000,
      appCpuPer10k: (appCpu / delivered) * 10_000,
      // Per message of the topic that the drain went through (delivered or filtered out).
      brokerCpuPer10kBacklog: (brokerCpu / (delivered * (MESSAGES / variant.expect))) * 10_000,
    };
  } finally {
    await consumer.stop();
    ctx.apps.delete(consumer);
  }
}

/** The RocketMQ part of `npm run bench -- mq`: the headline result with its figures in `extra`. */
export async function runRocketMQ() {
  const { startRocketMQ } = await import(dist('cli'));
  return withBroker(
    { name: 'rocketmq', start: (options) => startRocketMQ({ ...BROKER, ...options }), pidFile: 'proxy.pid' },
    async (ctx) => {
      const { broker, cp } = ctx;

      await cp.applyMessageGrayscale(
        Object.fromEntries(VARIANTS.filter((v) => v.spec).map((v) => [v.app, v.spec])),
      );

      await broker.createTopic(TOPIC);
      const produceSeconds = await produce(broker.endpoints);
      console.log(
        `produced ${MESSAGES} messages of ${BODY_BYTES} B (half with graylane_tag=gray) in ${produceSeconds.toFixed(1)} s`,
      );

      // The broker's own background work, to read the per-drain CPU against.
      await sleep(2000);
      const idle0 = cpuSeconds(ctx.brokerPid);
      await sleep(5000);
      const idleCpuPerSecond = (cpuSeconds(ctx.brokerPid) - idle0) / 5;

      const samples = Object.fromEntries(VARIANTS.map((v) => [v.name, []]));
      for (let round = 0; round <= ROUNDS; round++) {
        for (let i = 0; i < VARIANTS.length; i++) {
          const variant = VARIANTS[(i + round) % VARIANTS.length];
          const m = await drain(variant, `bench-${variant.name}-r${round}`, ctx);
          console.log(
            `${round === 0 ? 'warm-up' : `round ${round}`} ${variant.name}: ${Math.round(m.rate)} msg/s to the app ` +
              `(${m.seconds.toFixed(2)} s window, drain ${m.drainSeconds.toFixed(2)} s), ${m.pulledPerDelivered.toFixed(2)} pulled per delivered, ` +
              `broker ${m.brokerCpuPer10k.toFixed(2)} / app ${m.appCpuPer10k.toFixed(2)} CPU-s per 10k delivered`,
          );
          if (round > 0) samples[variant.name].push(m);
        }
      }

      const base = samples.none;
      const paired = (name, f) => median(samples[name].map((m, r) => f(m, base[r])));
      const KEYS = [
        'rate',
        'backlogRate',
        'seconds',
        'drainSeconds',
        'pulledPerDelivered',
        'brokerCpuPer10k',
        'brokerCpuPer10kBacklog',
        'appCpuPer10k',
        'brokerCpuPerSecond',
      ];
      const fig = Object.fromEntries(
        VARIANTS.map(({ name }) => {
          const f = Object.fromEntries(KEYS.map((k) => [k, median(samples[name].map((m) => m[k]))]));
          f.rateRatio = paired(name, (m, b) => m.rate / b.rate);
          f.backlogRateRatio = paired(name, (m, b) => m.backlogRate / b.backlogRate);
          f.brokerCpuPer10kRatio = paired(name, (m, b) => m.brokerCpuPer10k / b.brokerCpuPer10k);
          f.brokerCpuPer10kBacklogRatio = paired(
            name,
            (m, b) => m.brokerCpuPer10kBacklog / b.brokerCpuPer10kBacklog,
          );
          f.appCpuPer10kRatio = paired(name, (m, b) => m.appCpuPer10k / b.appCpuPer10k);
          return [name, f];
        }),
      );

      console.log(
        `\n${MESSAGES} messages of ${BODY_BYTES} B in the backlog, half gray; ${LOOPS} receive loops × ${BATCH} per receive; ` +
          `window: ${MARKS[0] * 100}–${MARKS[1] * 100} % of each drain; ${ROUNDS} rounds after a warm-up round; ` +
          `ratios: medians of per-round comparisons with none. Idle broker: ${idleCpuPerSecond.toFixed(3)} CPU-s/s.`,
      );
      table(
        VARIANTS.map(({ name, expect }) => {
          const v = fig[name];
          return {
            variant: name,
            'to app': expect,
            'pulled/deliv': v.pulledPerDelivered.toFixed(2),
            'app msg/s': Math.round(v.rate),
            'rate ratio': v.rateRatio.toFixed(3),
            'topic msg/s': Math.round(v.backlogRate),
            'topic ratio': v.backlogRateRatio.toFixed(3),
            'drain s': v.drainSeconds.toFixed(2),
            'broker CPU-s/10k': v.brokerCpuPer10k.toFixed(3),
            'ratio ': v.brokerCpuPer10kRatio.toFixed(3),
            'broker CPU-s/10k topic': v.brokerCpuPer10kBacklog.toFixed(3),
            ' ratio': v.brokerCpuPer10kBacklogRatio.toFixed(3),
            'app CPU-s/10k': v.appCpuPer10k.toFixed(3),
            'ratio  ': v.appCpuPer10kRatio.toFixed(3),
          };
        }),
      );

      const round = (n, digits = 3) => Number(n.toFixed(digits));
      const extra = {};
      for (const { name, expect } of VARIANTS) {
        const v = fig[name];
        extra[name] = {
          deliveredToApp: expect,
          pulledPerDelivered: round(v.pulledPerDelivered, 2),
          appMsgsPerSecond: Math.round(v.rate),
          rateRatio: round(v.rateRatio),
          topicMsgsPerSecond: Math.round(v.backlogRate),
          topicRateRatio: round(v.backlogRateRatio),
          drainSeconds: round(v.drainSeconds, 2),
          brokerCpuPerSecond: round(v.brokerCpuPerSecond),
          brokerCpuSecondsPer10kDelivered: round(v.brokerCpuPer10k),
          brokerCpuPer10kDeliveredRatio: round(v.brokerCpuPer10kRatio),
          brokerCpuSecondsPer10kTopic: round(v.brokerCpuPer10kBacklog),
          brokerCpuPer10kTopicRatio: round(v.brokerCpuPer10kBacklogRatio),
          appCpuSecondsPer10kDelivered: round(v.appCpuPer10k),
          appCpuPer10kDeliveredRatio: round(v.appCpuPer10kRatio),
        };
      }
      extra.rounds = Object.fromEntries(
        VARIANTS.map(({ name }) => [
          name,
          samples[name].map((m) => ({
            appMsgsPerSecond: Math.round(m.rate),
            brokerCpuSecondsPer10kDelivered: round(m.brokerCpuPer10k),
            appCpuSecondsPer10kDelivered: round(m.appCpuPer10k),
          })),
        ]),
      );
      extra.setup = {
        broker: 'RocketMQ 5.3.3, proxy in local mode (one JVM), enablePropertyFilter=true',
        client: 'rocketmq-client-nodejs SimpleConsumer under the agent',
        messages: MESSAGES,
        grayShare: 0.5,
        bodyBytes: BODY_BYTES,
        receiveLoops: LOOPS,
        batch: BATCH,
        window: `${MARKS[0] * 100}–${MARKS[1] * 100} % of the messages each drain hands the app`,
        rounds: ROUNDS,
        warmupRounds: 1,
        idleBrokerCpuPerSecond: round(idleCpuPerSecond),
        produceSeconds: round(produceSeconds, 1),
      };
      const value = fig.sql92.rateRatio;
      const peerValue = fig.client.rateRatio;
      return {
        metric: 'SQL92 consumption rate / no filter',
        value: round(value),
        unit: 'ratio',
        peer: 'client-mode rate / no filter',
        peerValue: round(peerValue),
        ratio: round(value / peerValue),
        extra,
      };
    },
  );
}
