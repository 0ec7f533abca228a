// The upstream every variant proxies to: a small JSON answer, keep-alive, no work.
import { createServer } from 'node:http';

const body = JSON.stringify({ service: 'upstream', message: 'hello from the upstream', items: [1, 2, 3] });
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => process.exit(0));
