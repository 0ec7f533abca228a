// One hop of the benchmark chain A → B → C. A plain node:http service: on a request
// it calls NEXT (host:port, or an app name that an agent routes) over a keep-alive
// agent and answers `<NAME> -> <what NEXT answered>`; the last hop (no NEXT)
// answers its name. `/probe` also shows which propagation headers each hop saw.
import http from 'node:http';

const name = process.env.NAME ?? 'svc';
const next = process.env.NEXT ?? '';
const [nextHost, nextPort] = next.split(':');
const keepAlive = new http.Agent({ keepAlive: true });

function me(req) {
  if (req.url !== '/probe') return name;
  const seen = ['traceparent', 'x-graylane-tag'].map((h) => `${h}=${req.headers[h] ?? '-'}`);
  return `${name}(${seen.join(' ')})`;
}

const server = http.createServer((req, res) => {
  if (!next) {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(me(req));
    return;
  }
  const options = { host: nextHost, path: req.url, agent: keepAlive };
  if (nextPort) options.port = Number(nextPort);
  const out = http.request(options, (answer) => {
    let text = '';
    answer.setEncoding('utf8');
    answer.on('data', (chunk) => {
      text += chunk;
    });
    answer.on('end', () => {
      res.writeHead(answer.statusCode ?? 502, { 'content-type': 'text/plain' }).end(`${me(req)} -> ${text}`);
    });
  });
  out.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`${name} failed: ${error.message}`);
  });
  out.end();
});
// Longer than any pause between measurements, so no keep-alive socket is closed under us.
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ ready: true, name, port: server.address().port }));
});
process.on('SIGTERM', () => process.exit(0));
