// A plain RocketMQ consumer app (no Graylane import; the bench runs it under the agent).
// Env:
//   ENDPOINTS     proxy gRPC endpoint (host:port)
//   TOPIC, GROUP  what to consume, in which (fresh) consumer group
//   EXPECT        messages the app must be handed before it reports `done`
//   LOOPS, BATCH  concurrent receive loops, messages per receive
// Prints JSON lines: {"event":"ready"} once started (nothing received yet); on the line
// `go` on stdin it starts receiving, and prints {"event":"done", ...} when EXPECT
// messages reached the app, then {"event":"settled", ...} one long poll later; on the
// way, {"event":"mark-F", ...} when a fraction F of EXPECT reached the app.
import { createInterface } from 'node:readline';
import { SimpleConsumer } from 'rocketmq-client-nodejs';
import servicePb from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/service_pb.js';

const { ENDPOINTS, TOPIC, GROUP } = process.env;
const MESSAGE = servicePb.ReceiveMessageResponse.ContentCase.MESSAGE;
const EXPECT = Number(process.env.EXPECT);
const LOOPS = Number(process.env.LOOPS ?? 8);
const BATCH = Number(process.env.BATCH ?? 32);
// The proxy refuses a long poll whose deadline leaves it less than 5 s (its minimum polling time).
const AWAIT_MS = 5000;
const logger = { info() {}, warn() {}, error() {}, debug() {} };
const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

const consumer = new SimpleConsumer({
  endpoints: ENDPOINTS,
  namespace: '',
  consumerGroup: GROUP,
  subscriptions: new Map([[TOPIC, '*']]),
  awaitDuration: AWAIT_MS,
  logger,
});
await consumer.startup();

// Messages that came off the wire, before the agent's client filter (if any) saw them.
let pulled = 0;
const rpc = consumer.rpcClientManager;
const receiveRpc = rpc.receiveMessage.bind(rpc);
rpc.receiveMessage = async (...args) => {
  const responses = await receiveRpc(...args);
  for (const r of responses) if (r.getContentCase() === MESSAGE) pulled++;
  return responses;
};

let delivered = 0;
let grayDelivered = 0;
let receives = 0;
let emptyReceives = 0;
let errors = 0;
let stopping = false;
let startedAt = 0;
let doneAt = 0;
// Fractions of EXPECT at which the app reports its counts, so the bench can measure the
// steady middle of a drain (not the start-up, nor the tail where queues run empty one by one).
const marks = (process.env.MARKS ?? '0.1,0.9').split(',').map(Number);

async function loop() {
  while (!stopping) {
    let messages;
    try {
      receives++;
      messages = await consumer.receive(BATCH, 30_000);
    } catch (error) {
      // No message within the long poll surfaces as an error in this client.
      errors++;
      if (process.env.PROGRESS) process.stderr.write(`receive: ${error}\n`);
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    if (messages.length === 0) emptyReceives++;
    for (const m of messages) {
      delivered++;
      if (m.properties.get('graylane_tag') === 'gray') grayDelivered++;
    }
    while (marks.length > 0 && delivered >= marks[0] * EXPECT) {
      print({ event: `mark-${marks.shift()}`, ...figures(), at: performance.now() - startedAt });
    }
    if (doneAt === 0 && delivered >= EXPECT) {
      doneAt = performance.now();
      print({ event: 'done', ...figures() });
      setTimeout(() => print({ event: 'settled', ...figures() }), AWAIT_MS + 1000);
    }
    await Promise.all(messages.map((m) => consumer.ack(m).catch(() => errors++)));
  }
}

function figures() {
  return { delivered, grayDelivered, pulled, receives, emptyReceives, errors, ms: doneAt - startedAt };
}

if (process.env.PROGRESS)
  setInterval(() => process.stderr.write(`${JSON.stringify(figures())}\n`), 2000).unref();
print({ event: 'ready' });
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'go' || startedAt !== 0) return;
  startedAt = performance.now();
  for (let i = 0; i < LOOPS; i++) void loop();
});

process.on('SIGTERM', async () => {
  stopping = true;
  await Promise.race([consumer.shutdown(), new Promise((r) => setTimeout(r, 2000))]);
  process.exit(0);
});
