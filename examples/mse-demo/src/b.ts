// spring-cloud-b: a gRPC HelloService (the Dubbo interface of the original) and HTTP
// endpoints, all calling spring-cloud-c over HTTP. /b/async is the asynchronous path's
// call (A's message consumer): it calls C's /c/async, which produces no message.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';
import { httpGet } from './http-get.js';
import { identity, listenPort } from './identity.js';

const c = process.env.C_URL ?? 'http://spring-cloud-c';
const proto = loader.loadSync(fileURLToPath(new URL('../src/hello.proto', import.meta.url)));
const { demo } = grpc.loadPackageDefinition(proto) as unknown as {
  demo: { HelloService: { service: grpc.ServiceDefinition } };
};

let grpcPort = 0;
const callC = (path = '/c') => httpGet(`${c}${path}`);

const grpcServer = new grpc.Server();
grpcServer.addService(demo.HelloService.service, {
  Hello: (_call: unknown, callback: grpc.sendUnaryData<{ text: string }>) => {
    callC().then(
      (rest) => callback(null, { text: `${identity('B', grpcPort)} -> ${rest}` }),
      (error: Error) => callback({ code: grpc.status.UNAVAILABLE, details: `B: ${error.message}` }),
    );
  },
});
grpcServer.bindAsync(
  `0.0.0.0:${process.env.GRPC_PORT ?? 0}`,
  grpc.ServerCredentials.createInsecure(),
  (error, port) => {
    if (error) throw error;
    grpcPort = port;
    console.log(`B gRPC listening on ${port}`);
  },
);

const http = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://b').pathname;
  if (path !== '/b' && path !== '/b/async') {
    res.writeHead(404).end('try /b or /b/async');
    return;
  }
  callC(path === '/b/async' ? '/c/async' : '/c').then(
    (rest) => res.writeHead(200).end(`${identity('B', (http.address() as AddressInfo).port)} -> ${rest}`),
    (error: Error) => res.writeHead(502).end(`B: ${error.message}`),
  );
});
http.listen(listenPort(), () => console.log(`B listening on ${(http.address() as AddressInfo).port}`));
