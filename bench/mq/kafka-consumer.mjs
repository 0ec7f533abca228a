// A plain kafkajs consumer app (no Graylane import; the bench runs it under the agent).
// Env:
//   BROKERS       bootstrap address (host:port)
//   TOPIC, GROUP  what to consume (subscribed fromBeginning), in which consumer group
//   EXPECT        messages the app must be handed before it reports `done`
//   MARKS         fractions of EXPECT at which it reports its counts (default 0.1,0.9)
// Prints JSON lines: {"event":"ready"} when the first message reached the handler (the
// consumer has joined its group and fetches), which then waits for the line `go` on stdin;
// {"event":"mark-F", ...} when a fraction F of EXPECT reached the app, {"event":"done", ...}
// when EXPECT did, and {"event":"settled", ...} one fetch wait later.
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';

const { BROKERS, TOPIC, GROUP } = process.env;
const EXPECT = Number(process.env.EXPECT);
// kafkajs's fetch waits at most this long for new messages (its default, maxWaitTimeInMs).
const FETCH_WAIT_MS = 5000;
const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const marks = (process.env.MARKS ?? '0.1,0.9').split(',').map(Number);

const kafka = new Kafka({ clientId: 'bench-consumer', brokers: [BROKERS], logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: GROUP, maxWaitTimeInMs: FETCH_WAIT_MS });

// Messages that came off the wire, before the agent's lane filter (if any) saw them:
// kafkajs announces every fetched batch with its size before any handler runs.
let fetched = 0;
consumer.on(consumer.events.START_BATCH_PROCESS, (e) => {
  fetched += e.payload.batchSize;
});

let delivered = 0;
let grayDelivered = 0;
let startedAt = 0;
let doneAt = 0;
let go;
const started = new Promise((resolve) => {
  go = resolve;
});

function figures() {
  return { delivered, grayDelivered, fetched, ms: doneAt - startedAt };
}

await consumer.connect();
await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    if (startedAt === 0) {
      print({ event: 'ready' });
      await started;
    }
    delivered++;
    if (message.headers?.['graylane-tag']?.toString() === 'gray') grayDelivered++;
    while (marks.length > 0 && delivered >= marks[0] * EXPECT) {
      print({ event: `mark-${marks.shift()}`, ...figures(), at: performance.now() - startedAt });
    }
    if (doneAt === 0 && delivered >= EXPECT) {
      doneAt = performance.now();
      print({ event: 'done', ...figures() });
      setTimeout(() => print({ event: 'settled', ...figures() }), FETCH_WAIT_MS + 1000);
    }
  },
});

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'go' || startedAt !== 0) return;
  startedAt = performance.now();
  go();
});

process.on('SIGTERM', async () => {
  await Promise.race([consumer.disconnect(), new Promise((r) => setTimeout(r, 3000))]);
  process.exit(0);
});
