// Registry under load: 10,000 instances heartbeating every 5 s against one control
// plane (SQLite store). The load generator runs in its own process, so the
// server's CPU share and resident memory are its own, read from /proc.
//
// Peer: a bare node:http server that answers the same heartbeats with 204 and does
// nothing else: the floor any HTTP registry pays for this traffic.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { table } from './measure.mjs';

const INSTANCES = 10_000;
const PERIOD_MS = 5_000;
const MEASURE_MS = 20_000;
const TOKEN = 'bench-admin-token';
const here = fileURLToPath(import.meta.url);
const TICKS_PER_SECOND = 100; // Linux USER_HZ

// ---- child process roles -------------------------------------------------

async function serveGraylane(dataDir) {
  const { startServer } = await import(pathToFileURL(join(here, '../../packages/server/dist/index.js')).href);
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    data: dataDir,
    adminToken: TOKEN,
    log: () => {},
  });
  process.stdout.write(`READY ${server.url}\n`);
  process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
}

function serveBare() {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(req.method === 'POST' ? 201 : 204);
      res.end(req.method === 'POST' ? '{}' : undefined);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () =>
    process.stdout.write(`READY http://127.0.0.1:${server.address().port}\n`),
  );
  process.on('SIGTERM', () => process.exit(0));
}

/** Registers every instance, then heartbeats each once per period, spread evenly; reports by lines on stdout. */
async function generateLoad(url, count, measureMs) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const send = (method, path, body) =>
    new Promise((resolve) => {
      const req = http.request(
        `${url}${path}`,
        { method, agent, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        },
      );
      req.on('error', () => resolve(0));
      req.end(body);
    });
  const id = (i) => `bench-${i}`;
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < count) {
        const i = next++;
        const body = JSON.stringify({
          id: id(i),
          app: `app-${i % 50}`,
          tag: i % 4 === 0 ? 'gray' : '',
          address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
          ports: { http: 8080 },
        });
        await send('POST', '/v1/namespaces/default/instances', body);
      }
    }),
  );
  process.stdout.write('REGISTERED\n');
  const stats = { sent: 0, ok: 0, failed: 0 };
  const start = Date.now();
  const interval = PERIOD_MS / count; // ms between two heartbeats
  const end = start + PERIOD_MS + measureMs + 1000;
  let marked = false;
  for (let k = 0; Date.now() < end; k++) {
    const due = start + k * interval;
    const wait = due - Date.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (!marked && Date.now() - start >= PERIOD_MS) {
      marked = true;
      process.stdout.write('STEADY\n'); // every instance has heartbeated once: measure from here
    }
    stats.sent++;
    send('PUT', `/v1/namespaces/default/instances/${id(k % count)}/heartbeat`).then((s) => {
      if (s === 204) stats.ok++;
      else stats.failed++;
    });
  }
  process.stdout.write(`DONE ${JSON.stringify(stats)}\n`);
  setTimeout(() => process.exit(0), 500);
}

// ---- measurement -----------------------------------------------------------

function child(args) {
  const proc = spawn(process.execPath, [here, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = [];
  const waiters = [];
  let buffer = '';
  proc.stdout.on('data', (d) => {
    buffer += d;
    let i = buffer.indexOf('\n');
    while (i >= 0) {
      lines.push(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
      i = buffer.indexOf('\n');
      for (const w of waiters.splice(0)) w();
    }
  });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  return {
    proc,
    exited,
    async line(prefix) {
      for (;;) {
        const found = lines.find((l) => l.startsWith(prefix));
        if (found) return found.slice(prefix.length).trim();
        const done = await Promise.race([
          new Promise((r) => waiters.push(() => r(false))),
          exited.then(() => true),
        ]);
        if (done && !lines.some((l) => l.startsWith(prefix)))
          throw new Error(`child exited before "${prefix}"`);
      }
    },
  };
}

async function usage(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuMs: (ticks * 1000) / TICKS_PER_SECOND, rssMb: rssKb / 1024 };
}

async function measure(serverArgs) {
  const server = child(serverArgs);
  const url = await server.line('READY');
  const load = child(['load', url, String(INSTANCES), String(MEASURE_MS)]);
  await load.line('REGISTERED');
  await load.line('STEADY');
  const before = await usage(server.proc.pid);
  const t0 = Date.now();
  let peakRss = before.rssMb;
  while (Date.now() - t0 < MEASURE_MS) {
    await new Promise((r) => setTimeout(r, 1000));
    peakRss = Math.max(peakRss, (await usage(server.proc.pid)).rssMb);
  }
  const after = await usage(server.proc.pid);
  const wall = Date.now() - t0;
  const stats = JSON.parse(await load.line('DONE'));
  await load.exited;
  server.proc.kill('SIGTERM');
  await server.exited;
  return { cpuPercent: ((after.cpuMs - before.cpuMs) / wall) * 100, rssMb: peakRss, ...stats };
}

export default async function run() {
  const data = await mkdtemp(join(tmpdir(), 'graylane-bench-registry-'));
  try {
    const graylane = await measure(['serve', data]);
    const bare = await measure(['bare']);
    const rows = [
      { subject: 'graylane (SQLite)', ...fmt(graylane) },
      { subject: 'bare node:http 204', ...fmt(bare) },
    ];
    console.log(
      `${INSTANCES} instances, one heartbeat each per ${PERIOD_MS / 1000} s (${(INSTANCES * 1000) / PERIOD_MS}/s), measured ${MEASURE_MS / 1000} s`,
    );
    table(rows);
    return {
      metric: 'server CPU, % of one core',
      value: round(graylane.cpuPercent),
      unit: '%',
      peer: 'bare node:http answering 204',
      peerValue: round(bare.cpuPercent),
      ratio: round(graylane.cpuPercent / bare.cpuPercent),
      extra: {
        rssMb: round(graylane.rssMb),
        peerRssMb: round(bare.rssMb),
        heartbeatsPerSecond: (INSTANCES * 1000) / PERIOD_MS,
        failed: graylane.failed,
        goal: 'CPU < 25% of one core, RSS < 300 MB',
      },
    };
  } finally {
    await rm(data, { recursive: true, force: true });
  }
}

const round = (n) => Math.round(n * 100) / 100;
const fmt = (m) => ({
  'cpu %': round(m.cpuPercent),
  'rss MB': round(m.rssMb),
  sent: m.sent,
  ok: m.ok,
  failed: m.failed,
});

if (process.argv[1] === here) {
  const [role, ...rest] = process.argv.slice(2);
  if (role === 'serve') await serveGraylane(rest[0]);
  else if (role === 'bare') serveBare();
  else if (role === 'load') await generateLoad(rest[0], Number(rest[1]), Number(rest[2]));
  else {
    const result = await run();
    console.log(result);
  }
}
