// spring-cloud-c: answers its identity over HTTP. /c (the synchronous path) then
// produces one message to TEST_MQ; /c/async (the asynchronous path's call) does not,
// so consuming a message never produces another one.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { identity, listenPort } from './identity.js';
import { quietLogger } from './quiet-logger.js';

const topic = process.env.TOPIC ?? 'TEST_MQ';

/** A plain RocketMQ Producer, or (MQ=kafka) a plain kafkajs producer. */
async function startProducer(): Promise<(body: string) => Promise<unknown>> {
  if (process.env.MQ === 'kafka') {
    const { Kafka, logLevel } = await import('kafkajs');
    const kafka = new Kafka({
      clientId: 'spring-cloud-c',
      brokers: [process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'],
      logLevel: logLevel.WARN,
    });
    const producer = kafka.producer();
    await producer.connect();
    return (body) => producer.send({ topic, messages: [{ value: body }] });
  }
  const { Producer } = await import('rocketmq-client-nodejs');
  const endpoints = process.env.ROCKETMQ_ENDPOINTS ?? '127.0.0.1:8081';
  const producer = new Producer({ endpoints, namespace: '', topic, logger: quietLogger } as never);
  await producer.startup();
  return (body) => producer.send({ topic, tag: 'demo', body: Buffer.from(body) });
}
let producing: ReturnType<typeof startProducer> | undefined;

function produce(body: string): void {
  producing ??= startProducer();
  producing
    .then((send) => send(body))
    .catch((error: Error) => console.error(`C could not produce to ${topic}: ${error.message}`));
}

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://c').pathname;
  if (path !== '/c' && path !== '/c/async') {
    res.writeHead(404).end('try /c or /c/async');
    return;
  }
  const me = identity('C', (server.address() as AddressInfo).port);
  res.writeHead(200, { 'content-type': 'text/plain' }).end(me);
  if (path === '/c') produce(me);
});
server.listen(listenPort(), () => console.log(`C listening on ${(server.address() as AddressInfo).port}`));
