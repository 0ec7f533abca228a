// A plain kafkajs producer app (no Graylane import; the bench runs it under the agent, and
// the agent adds the header `graylane-tag` when the instance is tagged).
// Env:
//   BROKERS      bootstrap address (host:port)
//   TOPIC        where to send
//   COUNT        messages to send, BODY_BYTES each, BATCH per send, CONCURRENCY sends at once
// Prints {"event":"ready"} once connected; on the line `go` on stdin sends COUNT messages,
// prints {"event":"done","seconds":S} and exits.
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';

const { BROKERS, TOPIC } = process.env;
const COUNT = Number(process.env.COUNT);
const BODY_BYTES = Number(process.env.BODY_BYTES ?? 512);
const BATCH = Number(process.env.BATCH ?? 100);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

const kafka = new Kafka({ clientId: 'bench-producer', brokers: [BROKERS], logLevel: logLevel.NOTHING });
const producer = kafka.producer();
await producer.connect();
print({ event: 'ready' });

async function send() {
  const filler = Buffer.alloc(BODY_BYTES, 'x');
  let next = 0;
  const started = performance.now();
  const sender = async () => {
    while (next < COUNT) {
      const messages = [];
      while (messages.length < BATCH && next < COUNT) {
        const value = Buffer.from(filler);
        value.write(String(next++));
        messages.push({ value });
      }
      await producer.send({ topic: TOPIC, messages });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  print({ event: 'done', seconds: (performance.now() - started) / 1000 });
  await producer.disconnect();
  process.exit(0);
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'go') void send();
});
