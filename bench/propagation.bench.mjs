// Config push: 1,000 concurrent watch streams on one control plane; apply a change
// and time until every stream has it. The watchers and the writer share this
// process (one clock); the server runs in a child process.
//
// Peer: a bare node:http server-sent-events fan-out (no store, no auth, no
// validation) that writes a same-sized event to the same 1,000 streams when poked:
// the floor for delivering one event to 1,000 sockets on this machine.
// Also measured: watchers on a second replica while the change is applied through
// the first, both on one PostgreSQL (LISTEN/NOTIFY in the path).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { percentile, table } from './measure.mjs';

const WATCHERS = 1_000;
const CHANGES = 50;
const TOKEN = 'bench-admin-token';
const PG_URL = process.env.GRAYLANE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const here = fileURLToPath(import.meta.url);
const serverDist = join(here, '../../packages/server/dist/index.js');

// ---- child process roles -------------------------------------------------

async function serveGraylane(store) {
  const { startServer } = await import(pathToFileURL(serverDist).href);
  const options = store.startsWith('postgres') ? { postgres: store } : { data: store };
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    adminToken: TOKEN,
    log: () => {},
    ...options,
  });
  process.stdout.write(`READY ${server.url}\n`);
  process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
}

function serveBare() {
  const streams = new Set();
  let version = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: snapshot\nid: 0\ndata: {}\n\n`);
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      version++;
      const frame = `event: change\nid: ${version}\ndata: ${JSON.stringify({ version, type: 'put', resource: JSON.parse(body) })}\n\n`;
      for (const s of streams) s.write(frame);
      res.writeHead(200).end(JSON.stringify({ results: [{ resourceVersion: String(version) }] }));
    });
  });
  server.listen(0, '127.0.0.1', () =>
    process.stdout.write(`READY http://127.0.0.1:${server.address().port}\n`),
  );
  process.on('SIGTERM', () => process.exit(0));
}

function startChild(args) {
  const proc = spawn(process.execPath, [here, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const ready = new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /READY (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    exited.then(() => reject(new Error(`server child exited: ${out}`)));
  });
  return { proc, exited, ready };
}

// ---- measurement -----------------------------------------------------------

/** Opens `n` SSE streams; each records when it first saw each version. */
async function openWatchers(url, n) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const arrivals = new Map(); // version → array of ms timestamps
  const requests = [];
  let connected = 0;
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise((resolve, reject) => {
          const req = http.get(
            `${url}/v1/namespaces/default/watch`,
            { agent, headers: { authorization: `Bearer ${TOKEN}` } },
            (res) => {
              let tail = '';
              res.setEncoding('utf8');
              res.on('data', (chunk) => {
                const now = performance.now();
                const text = tail + chunk;
                for (const m of text.matchAll(/event: change\nid: (\d+)\n/g)) {
                  const v = Number(m[1]);
                  const list = arrivals.get(v) ?? [];
                  list.push(now);
                  arrivals.set(v, list);
                }
                tail = text.slice(-64);
                if (!res.counted && text.includes('event: snapshot')) {
                  res.counted = true;
                  connected++;
                  resolve();
                }
              });
            },
          );
          req.on('error', reject);
          requests.push(req);
        }),
    ),
  );
  return {
    arrivals,
    connected,
    close: () => {
      for (const r of requests) r.destroy();
    },
  };
}

function apply(url, i) {
  const lane = {
    apiVersion: 'graylane.io/v1',
    kind: 'Lane',
    metadata: { name: 'gray', namespace: 'default' },
    spec: { tag: 'gray', priority: i, entry: { apps: ['spring-cloud-a'], weight: 10 } },
  };
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/v1/namespaces/default/lanes/gray`,
      { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } },
      (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve(JSON.parse(body)));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(lane));
  });
}

/** Applies CHANGES changes through `writeUrl`, watching on `watchUrl`; returns latency figures in ms. */
async function measure(writeUrl, watchUrl) {
  const watchers = await openWatchers(watchUrl, WATCHERS);
  const perStream = [];
  const allStreams = [];
  for (let i = 1; i <= CHANGES + 3; i++) {
    const t0 = performance.now();
    const answer = await apply(writeUrl, i);
    const version = Number(answer.metadata?.resourceVersion ?? answer.results?.[0]?.resourceVersion);
    const deadline = Date.now() + 5000;
    while ((watchers.arrivals.get(version)?.length ?? 0) < WATCHERS && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2));
    }
    const seen = watchers.arrivals.get(version) ?? [];
    if (seen.length < WATCHERS)
      throw new Error(`only ${seen.length} of ${WATCHERS} streams got version ${version}`);
    if (i > 3) {
      // the first three warm up
      for (const t of seen) perStream.push(t - t0);
      allStreams.push(Math.max(...seen) - t0);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  watchers.close();
  return {
    p50: percentile(allStreams, 50),
    p99: percentile(allStreams, 99),
    streamP50: percentile(perStream, 50),
    streamP99: percentile(perStream, 99),
    connected: watchers.connected,
  };
}

async function withServers(args, count, fn) {
  const children = Array.from({ length: count }, () => startChild(args));
  try {
    return await fn(await Promise.all(children.map((c) => c.ready)));
  } finally {
    for (const c of children) c.proc.kill('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
  }
}

async function postgresSchema() {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  const schema = `gl_bench_${process.pid}`;
  await client.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    },
  };
}

export default async function run() {
  const data = await mkdtemp(join(tmpdir(), 'graylane-bench-propagation-'));
  const pg = await postgresSchema();
  try {
    const graylane = await withServers(['serve', data], 1, ([url]) => measure(url, url));
    const bare = await withServers(['bare'], 1, ([url]) => measure(url, url));
    const replicas = await withServers(['serve', pg.url], 2, ([a, b]) => measure(a, b));
    const fmt = (m) => ({
      'all streams p50 ms': m.p50.toFixed(1),
      'all streams p99 ms': m.p99.toFixed(1),
      'per stream p50 ms': m.streamP50.toFixed(1),
      'per stream p99 ms': m.streamP99.toFixed(1),
    });
    console.log(`${WATCHERS} watch streams, ${CHANGES} changes applied one after another`);
    table([
      { subject: 'graylane (SQLite)', ...fmt(graylane) },
      { subject: 'bare node:http SSE fan-out', ...fmt(bare) },
      { subject: 'graylane, 2 replicas on PostgreSQL', ...fmt(replicas) },
    ]);
    const r = (n) => Math.round(n * 100) / 100;
    return {
      metric: 'p99 time until all 1,000 streams have a change',
      value: r(graylane.p99),
      unit: 'ms',
      peer: 'bare node:http SSE fan-out',
      peerValue: r(bare.p99),
      ratio: r(graylane.p99 / bare.p99),
      extra: {
        p50: r(graylane.p50),
        perStreamP50: r(graylane.streamP50),
        perStreamP99: r(graylane.streamP99),
        peerP50: r(bare.p50),
        postgresReplicasP50: r(replicas.p50),
        postgresReplicasP99: r(replicas.p99),
        goal: 'p99 ≤ 100 ms for 1,000 watchers',
      },
    };
  } finally {
    await pg.drop();
    await rm(data, { recursive: true, force: true });
  }
}

if (process.argv[1] === here) {
  const [role, store] = process.argv.slice(2);
  if (role === 'serve') await serveGraylane(store);
  else if (role === 'bare') serveBare();
  else console.log(await run());
}
