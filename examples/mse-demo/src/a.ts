// spring-cloud-a: GET /A/dubbo calls B over gRPC; it also consumes TEST_MQ and, for
// each message, calls B over HTTP — the asynchronous path of the reference scenario.
// That call goes to B's /b/async, which calls C's /c/async, which produces nothing:
// one message per /A/dubbo call, as in the reference document. The path itself says
// which calls are asynchronous, so no flag has to survive the hops.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';
import type { MessageView } from 'rocketmq-client-nodejs';
import { httpGet } from './http-get.js';
import { identity, listenPort } from './identity.js';
import { quietLogger } from './quiet-logger.js';

const proto = loader.loadSync(fileURLToPath(new URL('../src/hello.proto', import.meta.url)));
const { demo } = grpc.loadPackageDefinition(proto) as unknown as {
  demo: {
    HelloService: new (target: string, credentials: grpc.ChannelCredentials) => grpc.Client & HelloClient;
  };
};
interface HelloClient {
  Hello(
    request: { name: string },
    options: grpc.CallOptions,
    callback: (e: grpc.ServiceError | null, reply?: { text: string }) => void,
  ): void;
}
const b = new demo.HelloService(
  process.env.B_TARGET ?? 'spring-cloud-b:50051',
  grpc.credentials.createInsecure(),
);
const bUrl = process.env.B_URL ?? 'http://spring-cloud-b';

function callB(name: string): Promise<string> {
  return new Promise((resolve, reject) =>
    b.Hello({ name }, { deadline: Date.now() + 10000 }, (error, reply) =>
      error ? reject(error) : resolve(reply!.text),
    ),
  );
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://a');
  if (url.pathname !== '/A/dubbo') {
    res.writeHead(404).end('try /A/dubbo?name=xiaoming');
    return;
  }
  callB(url.searchParams.get('name') ?? '').then(
    (rest) => res.writeHead(200).end(`${identity('A', (server.address() as AddressInfo).port)} -> ${rest}`),
    (error: grpc.ServiceError) => res.writeHead(502).end(`A: ${error.details ?? error.message}`),
  );
});
server.listen(listenPort(), () => console.log(`A listening on ${(server.address() as AddressInfo).port}`));

// The consumer: a plain RocketMQ PushConsumer, or (MQ=kafka) a plain kafkajs consumer,
// as an application would write it.
const topic = process.env.TOPIC ?? 'TEST_MQ';
const group = process.env.CONSUMER_GROUP ?? 'GID_A';

async function handle(producer: string): Promise<void> {
  const result = await httpGet(`${bUrl}/b/async`).catch((error: Error) => `failed: ${error.message}`);
  const me = identity('A', (server.address() as AddressInfo).port);
  console.log(`topic:${topic},producer:${producer},invoke result:${me} -> ${result}`);
}

async function consumeRocketMQ(): Promise<void> {
  const { ConsumeResult, PushConsumer } = await import('rocketmq-client-nodejs');
  const consumer = new PushConsumer({
    endpoints: process.env.ROCKETMQ_ENDPOINTS ?? '127.0.0.1:8081',
    namespace: '',
    consumerGroup: group,
    subscriptions: new Map([[topic, '*']]),
    logger: quietLogger,
    messageListener: {
      async consume(message: MessageView) {
        await handle(message.body.toString());
        return ConsumeResult.SUCCESS;
      },
    },
  } as never);
  await consumer.startup();
}

async function consumeKafka(): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({
    clientId: 'spring-cloud-a',
    brokers: [process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'],
    logLevel: logLevel.WARN,
  });
  const consumer = kafka.consumer({ groupId: group });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: ({ message }) => handle(message.value?.toString() ?? '') });
}

if (process.env.CONSUME !== '0') {
  (process.env.MQ === 'kafka' ? consumeKafka() : consumeRocketMQ()).then(
    () => console.log(`A consuming ${topic}`),
    (error: Error) => console.error(`A consumer could not start: ${error.message}`),
  );
}
