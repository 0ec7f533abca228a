// spring-cloud-c: answers its identity over HTTP. /c (the synchronous path) then
// produces one message to TEST_MQ; /c/async (the asynchronous path's call) does not,
// so consuming a message never produces another one.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Producer } from 'rocketmq-client-nodejs';
import { identity, listenPort } from './identity.js';
import { quietLogger } from './quiet-logger.js';

const endpoints = process.env.ROCKETMQ_ENDPOINTS ?? '127.0.0.1:8081';
const topic = process.env.TOPIC ?? 'TEST_MQ';
const producer = new Producer({ endpoints, namespace: '', topic, logger: quietLogger } as never);
let producing: Promise<void> | undefined;

function produce(body: string): void {
  producing ??= producer.startup().then(() => undefined);
  producing
    .then(() => producer.send({ topic, tag: 'demo', body: Buffer.from(body) }))
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
