// A plain RocketMQ app (no Graylane import; the scenario runs it under the agent). Env:
//   ENDPOINTS  proxy gRPC endpoint (host:port);  TOPIC
//   ROLE       `producer`: sends RATE messages/s with bodies `<LABEL>-<n>` until SIGTERM;
//              `consumer`: a PushConsumer in group GROUP, as an application writes it.
// Prints JSON lines: {"port":0,"event":"ready"}, then {"event":"sent"|"send-failed","id"}
// or {"event":"consumed","id","tag"}.
import { ConsumeResult, Producer, PushConsumer } from 'rocketmq-client-nodejs';

const { ENDPOINTS: endpoints, TOPIC: topic, ROLE, LABEL, GROUP } = process.env;
const RATE = Number(process.env.RATE ?? 20);
const logger = { info() {}, warn() {}, error() {}, debug() {} };
const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
let stop = async () => {};

if (ROLE === 'producer') {
  const producer = new Producer({ endpoints, namespace: '', topic, logger });
  await producer.startup();
  print({ port: 0, event: 'ready' });
  let n = 0;
  let running = true;
  const inFlight = new Set();
  const timer = setInterval(() => {
    const id = `${LABEL}-${n++}`;
    const sending = producer
      .send({ topic, body: Buffer.from(id) })
      .then(
        () => print({ event: 'sent', id }),
        (error) => print({ event: 'send-failed', id, error: String(error) }),
      )
      .finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  }, 1000 / RATE);
  stop = async () => {
    if (!running) return;
    running = false;
    clearInterval(timer);
    await Promise.allSettled([...inFlight]);
    await producer.shutdown();
  };
} else {
  const consumer = new PushConsumer({
    endpoints,
    namespace: '',
    consumerGroup: GROUP,
    subscriptions: new Map([[topic, '*']]),
    logger,
    messageListener: {
      async consume(view) {
        print({
          event: 'consumed',
          id: view.body.toString(),
          tag: view.properties.get('graylane_tag') ?? '',
        });
        return ConsumeResult.SUCCESS;
      },
    },
  });
  await consumer.startup();
  print({ port: 0, event: 'ready' });
  stop = () => consumer.shutdown();
}

process.on('SIGTERM', async () => {
  await Promise.race([stop(), new Promise((r) => setTimeout(r, 5000))]);
  process.exit(0);
});
