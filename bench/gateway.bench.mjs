// Gateway throughput and tail latency: the same upstream, the same load generator and
// the same run for four variants —
//   direct    autocannon → upstream (no proxy)
//   graylane  the Graylane gateway with 5 lanes whose entry includes it (every request
//             runs through all five lanes' conditions and stays baseline)
//   fastify   @fastify/http-proxy (undici under Fastify), the Node peer
//   nginx     Debian's nginx, one worker, keep-alive upstream: a plain reverse proxy
// Each proxy is its own process; the upstream is one process for all. Each round
// measures every variant in a rotated order (so drift in machine speed hits all alike):
// WARMUP s of load thrown away, then DURATION s with CONNECTIONS keep-alive connections.
// Ratios are taken within each round and the figure is their median. The Node
// processes (upstream, gateway, Fastify) run on each installed Node line in turn; nginx
// and the control plane are the same for every line. One table at the end.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { benchLines, headlineLine } from './bench-lines.mjs';
import { findNginx, startNginx } from './gateway/nginx.mjs';
import { median, percentile, table } from './measure.mjs';
import { spawnReady } from './spawn-ready.mjs';

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const CONNECTIONS = env('BENCH_GATEWAY_CONNECTIONS', 32);
const WARMUP = env('BENCH_GATEWAY_WARMUP', 1);
const DURATION = env('BENCH_GATEWAY_DURATION', 5);
const ROUNDS = env('BENCH_GATEWAY_ROUNDS', 3);
const TOKEN = 'bench-admin-token';
const NAMESPACE = 'bench-gateway';
const PATH = '/api/orders/42?page=1&size=20';
const HEADERS = {
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) bench',
  cookie: 'session=abc123; region=eu-west; theme=dark',
  'x-user-id': 'user-1234',
  accept: 'application/json',
};

const here = fileURLToPath(new URL('./gateway/', import.meta.url));
const serverDist = fileURLToPath(new URL('../packages/server/dist/index.js', import.meta.url));

function startProcess(node, name, script, extraEnv = {}) {
  return spawnReady(name, [join(here, script)], { cwd: here, node, env: extraEnv });
}

function stop(p) {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null) return resolve();
    p.child.removeAllListeners('exit');
    p.child.once('exit', resolve);
    p.child.kill('SIGTERM');
  });
}

async function waitFor200(port) {
  const end = Date.now() + 20_000;
  let last;
  while (Date.now() < end) {
    last = await fetch(`http://127.0.0.1:${port}${PATH}`).then(
      (r) => r.status,
      (e) => String(e),
    );
    if (last === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} never answered 200 (last: ${last})`);
}

function load(port, duration) {
  const latencies = [];
  return new Promise((resolve, reject) => {
    const tracker = autocannon(
      { url: `http://127.0.0.1:${port}${PATH}`, connections: CONNECTIONS, duration, headers: HEADERS },
      (error, result) => (error ? reject(error) : resolve({ result, latencies })),
    );
    tracker.on('response', (_client, status, _bytes, ms) => {
      if (status === 200) latencies.push(ms);
    });
  });
}

async function measure(variant) {
  await load(variant.port, WARMUP);
  const { result, latencies } = await load(variant.port, DURATION);
  const failed = result.errors + result.timeouts + result.non2xx;
  if (failed > 0) throw new Error(`${variant.name}: ${failed} failed requests under load`);
  return { rps: latencies.length / DURATION, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** Five lanes at the gateway whose conditions the benchmark's requests meet in part, never whole. */
function lanes() {
  const lane = (name, priority, match) => ({
    apiVersion: 'graylane.io/v1',
    kind: 'Lane',
    metadata: { name, namespace: NAMESPACE },
    spec: { tag: name, priority, entry: { apps: ['gateway'], match } },
  });
  return [
    lane('gray', 500, { all: [{ source: 'query', name: 'name', op: 'eq', value: 'xiaoming' }] }),
    lane('beta', 400, {
      all: [
        { source: 'header', name: 'x-user-id', op: 'prefix', value: 'user-' },
        { source: 'cookie', name: 'region', op: 'in', values: ['us-east', 'ap-south'] },
      ],
    }),
    lane('canary', 300, {
      any: [
        { source: 'header', name: 'user-agent', op: 'regex', value: 'Canary/[0-9]+' },
        { source: 'path', op: 'prefix', value: '/api/v2/' },
      ],
    }),
    lane('staff', 200, {
      all: [
        { source: 'header', name: 'x-staff', op: 'exists' },
        { source: 'host', op: 'suffix', value: '.internal' },
      ],
    }),
    lane('sample', 100, {
      all: [
        { source: 'method', op: 'eq', value: 'POST' },
        { source: 'header', name: 'x-user-id', op: 'percentage', value: 10 },
      ],
    }),
  ];
}

export default async function run() {
  const { startServer } = await import(pathToFileURL(serverDist).href);
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    data: await mkdtemp(join(tmpdir(), 'graylane-bench-cp-')),
    adminToken: TOKEN,
    instanceTtlMs: 3_600_000,
    log: () => {},
  });
  const api = async (method, path, body) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  };
  try {
    await api('POST', '/v1/apply', [
      ...lanes(),
      {
        apiVersion: 'graylane.io/v1',
        kind: 'GatewayRoute',
        metadata: { name: 'api', namespace: NAMESPACE },
        spec: { match: { pathPrefix: '/api' }, app: 'bench-upstream' },
      },
    ]);
    const byLine = {};
    for (const line of benchLines()) byLine[line.major] = { line, ...(await measureLine(line, server, api)) };
    const rows = Object.values(byLine).flatMap(({ line, rows }) =>
      rows.map((r) => ({ node: line.version, ...r })),
    );
    table(rows);
    const summary = Object.values(byLine).map(({ line, figures: f }) => ({
      node: line.version,
      'rps / fastify (≥ 1.3)': f.rpsVsFastify.toFixed(2),
      'rps / nginx (≥ 0.8)': f.rpsVsNginx === undefined ? 'n/a' : f.rpsVsNginx.toFixed(2),
      'p99 / nginx (≤ 1.5)': f.p99VsNginx === undefined ? 'n/a' : f.p99VsNginx.toFixed(2),
      'rps / direct': f.rpsVsDirect.toFixed(2),
    }));
    console.log('');
    table(summary);
    const headline = headlineLine(byLine);
    const f = headline.figures;
    return {
      metric: `requests/s through the gateway (5 lanes), Node ${headline.line.version}`,
      value: f.rps,
      unit: 'req/s',
      peer: '@fastify/http-proxy',
      peerValue: f.fastifyRps,
      ratio: f.rpsVsFastify,
      extra: {
        connections: CONNECTIONS,
        durationS: DURATION,
        rounds: ROUNDS,
        lines: Object.fromEntries(
          Object.values(byLine).map(({ line, rows, figures }) => [
            line.major,
            {
              version: line.version,
              variants: rows,
              ...figures,
              rpsVsNginx: figures.rpsVsNginx ?? null,
              p99VsNginx: figures.p99VsNginx ?? null,
            },
          ]),
        ),
        goals: { rpsVsFastify: '>= 1.3', rpsVsNginx: '>= 0.8', p99VsNginx: '<= 1.5', rpsVsDirect: '>= 0.5' },
      },
    };
  } finally {
    await server.close();
  }
}

/** One line: its upstream, gateway and Fastify proxy (nginx alongside), the rounds. */
async function measureLine({ bin: node, version }, server, api) {
  const processes = [];
  const variants = [];
  let nginxNote;
  try {
    const upstream = await startProcess(node, 'upstream', 'upstream.mjs');
    processes.push(upstream);
    // One registered upstream instance per line: the id stays, its port follows the line.
    await api('POST', `/v1/namespaces/${NAMESPACE}/instances`, {
      id: 'bench-upstream-1',
      app: 'bench-upstream',
      tag: '',
      address: '127.0.0.1',
      ports: { http: upstream.port },
      protocols: ['http'],
    });
    variants.push({ name: 'direct', port: upstream.port });

    const graylane = await startProcess(node, 'graylane', 'graylane.mjs', {
      GRAYLANE_SERVER: server.url,
      GRAYLANE_TOKEN: TOKEN,
      GRAYLANE_NAMESPACE: NAMESPACE,
      GRAYLANE_CACHE_DIR: await mkdtemp(join(tmpdir(), 'graylane-bench-cache-')),
    });
    processes.push(graylane);
    variants.push(graylane);

    const fastify = await startProcess(node, 'fastify', 'fastify-proxy.mjs', {
      UPSTREAM: `http://127.0.0.1:${upstream.port}`,
    });
    processes.push(fastify);
    variants.push(fastify);

    const nginx = findNginx();
    if (nginx.bin) {
      const running = await startNginx(nginx.bin, upstream.port);
      processes.push(running);
      variants.push(running);
    } else {
      nginxNote = nginx.missing;
      console.log(`nginx: missing (${nginx.missing}); reported as missing`);
    }
    for (const v of variants) await waitFor200(v.port);

    const samples = Object.fromEntries(variants.map((v) => [v.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = variants.map((_, i) => variants[(i + round) % variants.length]);
      for (const v of order) samples[v.name].push(await measure(v));
      console.log(
        `node ${version} round ${round + 1}/${ROUNDS}: ${variants.map((v) => `${v.name} ${Math.round(samples[v.name][round].rps)} rps`).join(', ')}`,
      );
    }

    const per = (name, key) => samples[name]?.map((s) => s[key]);
    const ratio = (a, b, key) =>
      samples[b] ? median(samples[a].map((s, i) => s[key] / samples[b][i][key])) : undefined;
    const rows = variants.map((v) => ({
      variant: v.name,
      'rps (median)': Math.round(median(per(v.name, 'rps'))),
      'p50 ms': median(per(v.name, 'p50')),
      'p99 ms': median(per(v.name, 'p99')),
    }));
    return {
      rows,
      figures: {
        rps: Math.round(median(per('graylane', 'rps'))),
        fastifyRps: Math.round(median(per('fastify', 'rps'))),
        rpsVsFastify: ratio('graylane', 'fastify', 'rps'),
        rpsVsDirect: ratio('graylane', 'direct', 'rps'),
        rpsVsNginx: ratio('graylane', 'nginx', 'rps'),
        p99VsNginx: ratio('graylane', 'nginx', 'p99'),
        p99VsFastify: ratio('graylane', 'fastify', 'p99'),
        nginx: nginxNote ?? 'measured',
      },
    };
  } finally {
    await Promise.all(processes.map(stop));
  }
}
