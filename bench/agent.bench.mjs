// Agent overhead on a 3-hop HTTP chain A → B → C (node:http, keep-alive between the
// hops), measured in one run against the same chain with no agent and under
// OpenTelemetry's HTTP instrumentation set up only to propagate context — on every
// installed Node line in turn (the services run on the line's binary; the control
// plane and the load generator stay in this process), printed as one table.
//
// The three services of every variant are child processes (bench/agent/
// chain-service.mjs); the load generator (autocannon) and, for the Graylane
// variant, the control plane run in this process. Each round measures every
// variant (in a rotated order, so drift in machine speed hits all alike):
// Before the first round every variant runs INITIAL_WARMUP s of load, unmeasured.
//   - saturated: CONNECTIONS keep-alive connections to A for DURATION s after a
//     WARMUP s run that is thrown away: requests/s, p50 and p99 latency, and the CPU
//     the three services used per request;
//   - serial: one connection, one request at a time, for SERIAL s: p50 and p99 of
//     an unloaded request, where nothing queues and a difference is the
//     instrumentation's own time on the path.
// Comparisons with `none` are made within each round, and the figure is the median
// of those per-round comparisons: on a shared machine the speed drifts a lot
// between rounds, so five short rounds are worth more than three long ones.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { benchLines, headlineLine } from './bench-lines.mjs';
import { median, percentile, table } from './measure.mjs';
import { spawnReady } from './spawn-ready.mjs';

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const CONNECTIONS = env('BENCH_AGENT_CONNECTIONS', 32);
const WARMUP = env('BENCH_AGENT_WARMUP', 1);
const DURATION = env('BENCH_AGENT_DURATION', 5);
const SERIAL = env('BENCH_AGENT_SERIAL', 3);
const ROUNDS = env('BENCH_AGENT_ROUNDS', 3);
const INITIAL_WARMUP = env('BENCH_AGENT_INITIAL_WARMUP', 5);
const HOPS = 3;
const TOKEN = 'bench-admin-token';
const NAMESPACE = 'bench';
const TAG_HEADER = { 'x-graylane-tag': 'gray' };
const COMPARE = process.env.BENCH_AGENT_COMPARE || '';

const here = fileURLToPath(new URL('./agent/', import.meta.url));
const serverDist = fileURLToPath(new URL('../packages/server/dist/index.js', import.meta.url));
const CLOCK_TICKS = 100; // USER_HZ on Linux

// ---- services ------------------------------------------------------------

function startService(node, name, next, preload, extraEnv = {}) {
  return spawnReady(name, [...preload, join(here, 'chain-service.mjs')], {
    cwd: here,
    node,
    env: { NAME: name, NEXT: next, ...extraEnv },
  });
}

/** The three services of a variant, C first so each knows the port of the next one. */
async function startChain(node, preload, nextOf, extraEnv = () => ({})) {
  const c = await startService(node, 'c', '', preload, extraEnv('c'));
  const b = await startService(node, 'b', nextOf('c', c), preload, extraEnv('b'));
  const a = await startService(node, 'a', nextOf('b', b), preload, extraEnv('a'));
  return { entry: a.port, services: [a, b, c] };
}

async function stopChain(chain) {
  await Promise.all(
    chain.services.map(
      (s) =>
        new Promise((resolve) => {
          if (s.child.exitCode !== null) return resolve();
          s.child.once('exit', resolve);
          s.child.kill('SIGTERM');
        }),
    ),
  );
}

async function probe(port, headers = {}) {
  const res = await fetch(`http://127.0.0.1:${port}/probe`, { headers });
  return { status: res.status, text: await res.text() };
}

async function waitForChain(port, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await probe(port).catch((e) => ({ status: 0, text: String(e) }));
    if (last.status === 200 && last.text.includes(' -> c')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the chain never answered end to end (last: ${JSON.stringify(last)})`);
}

/** utime + stime of the process, in ms. */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

// ---- load ----------------------------------------------------------------

/** One autocannon run; latencies come from its per-response event (µs resolution). */
function load(port, { connections, duration, headers }) {
  const latencies = [];
  return new Promise((resolve, reject) => {
    const tracker = autocannon(
      { url: `http://127.0.0.1:${port}/chain`, connections, duration, headers },
      (error, result) => (error ? reject(error) : resolve({ result, latencies })),
    );
    tracker.on('response', (_client, status, _bytes, ms) => {
      if (status === 200) latencies.push(ms);
    });
  });
}

async function measure(variant) {
  const pids = variant.chain.services.map((s) => s.child.pid);
  await load(variant.chain.entry, { connections: CONNECTIONS, duration: WARMUP, headers: variant.headers });
  const cpuBefore = pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const saturated = await load(variant.chain.entry, {
    connections: CONNECTIONS,
    duration: DURATION,
    headers: variant.headers,
  });
  const cpu = pids.reduce((sum, pid) => sum + cpuMs(pid), 0) - cpuBefore;
  const serial = await load(variant.chain.entry, {
    connections: 1,
    duration: SERIAL,
    headers: variant.headers,
  });
  const r = saturated.result;
  const failed = r.errors + r.timeouts + r.non2xx + serial.result.errors + serial.result.non2xx;
  if (failed > 0) throw new Error(`${variant.name}: ${failed} failed requests under load`);
  return {
    rps: saturated.latencies.length / DURATION,
    p50: percentile(saturated.latencies, 50),
    p99: percentile(saturated.latencies, 99),
    cpuUsPerRequest: (cpu * 1000) / saturated.latencies.length,
    serialP50: percentile(serial.latencies, 50),
    serialP99: percentile(serial.latencies, 99),
  };
}

// ---- the run -------------------------------------------------------------

/** One line: its three chains, the probes, the rounds; the figures per variant. */
async function measureLine({ bin: node, version }, server, cacheDir) {
  const chains = [];
  try {
    const direct = (_app, svc) => `127.0.0.1:${svc.port}`;
    const none = await startChain(node, [], direct);
    chains.push(none);
    const otel = await startChain(node, ['--import', './otel-register.mjs'], direct);
    chains.push(otel);
    const graylane = await startChain(
      node,
      ['--import', '@graylane/agent/register'],
      (app) => app,
      (app) => ({
        GRAYLANE_SERVER: server.url,
        GRAYLANE_APP: app,
        GRAYLANE_TAG: '',
        GRAYLANE_NAMESPACE: NAMESPACE,
        GRAYLANE_TOKEN: TOKEN,
        GRAYLANE_HOST: '127.0.0.1',
        GRAYLANE_CACHE_DIR: cacheDir,
        GRAYLANE_LOG_LEVEL: 'warn',
      }),
    );
    chains.push(graylane);
    // BENCH_AGENT_COMPARE=/path/to/register.js: another build of the agent (an older
    // commit built aside) as two more variants in the same run, in a namespace of its own.
    const compare = COMPARE
      ? await startChain(
          node,
          ['--import', COMPARE],
          (app) => app,
          (app) => ({
            GRAYLANE_SERVER: server.url,
            GRAYLANE_APP: app,
            GRAYLANE_TAG: '',
            GRAYLANE_NAMESPACE: `${NAMESPACE}-compare`,
            GRAYLANE_TOKEN: TOKEN,
            GRAYLANE_HOST: '127.0.0.1',
            GRAYLANE_CACHE_DIR: `${cacheDir}-compare`,
            GRAYLANE_LOG_LEVEL: 'warn',
          }),
        )
      : undefined;
    if (compare) chains.push(compare);
    for (const chain of chains) await waitForChain(chain.entry);

    // Each variant does what it claims: context reaches C, the tag travels with the request.
    const checks = {
      none: await probe(none.entry),
      otel: await probe(otel.entry),
      graylane: await probe(graylane.entry),
      'graylane, tagged': await probe(graylane.entry, TAG_HEADER),
    };
    for (const [name, { text }] of Object.entries(checks))
      console.log(`node ${version} probe ${name}: ${text}`);
    if (!/c\(traceparent=00-/.test(checks.otel.text)) throw new Error('OpenTelemetry did not propagate');
    if (!checks['graylane, tagged'].text.includes('c(traceparent=- x-graylane-tag=gray)'))
      throw new Error('Graylane did not carry the tag to C');

    const variants = [
      { name: 'none', chain: none },
      { name: 'otel', chain: otel },
      { name: 'graylane', chain: graylane },
      { name: 'graylane tagged', chain: graylane, headers: TAG_HEADER },
      ...(compare
        ? [
            { name: 'compare', chain: compare },
            { name: 'compare tagged', chain: compare, headers: TAG_HEADER },
          ]
        : []),
    ];
    // Every process gets its code optimized before anything counts.
    for (const v of variants)
      await load(v.chain.entry, { connections: CONNECTIONS, duration: INITIAL_WARMUP, headers: v.headers });
    const samples = Object.fromEntries(variants.map((v) => [v.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < variants.length; i++) {
        // Rotated, and backwards every other round, so no variant always follows the
        // same one: with a plain rotation, whichever agent build came right after
        // OpenTelemetry measured 10-30% below the other in three runs, and swapping
        // their places in the list swapped the result.
        const at = (i + round) % variants.length;
        const variant = variants[round % 2 === 0 ? at : variants.length - 1 - at];
        const m = await measure(variant);
        samples[variant.name].push(m);
        console.log(
          `node ${version} round ${round + 1} ${variant.name}: ${Math.round(m.rps)} rps, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms, serial p50 ${(m.serialP50 * 1000).toFixed(0)} µs`,
        );
      }
    }

    // Absolute figures are medians over the rounds; every comparison with `none` is
    // made within a round (the machine's speed drifts between rounds) and then the
    // median of those paired figures is taken.
    const base = samples.none;
    const KEYS = ['rps', 'p50', 'p99', 'cpuUsPerRequest', 'serialP50', 'serialP99'];
    const paired = (name, f) => median(samples[name].map((m, r) => f(m, base[r])));
    const perHopUs = (name, k) => paired(name, (m, b) => ((m[k] - b[k]) * 1000) / HOPS);
    const fig = Object.fromEntries(
      variants.map(({ name }) => {
        const f = Object.fromEntries(KEYS.map((k) => [k, median(samples[name].map((m) => m[k]))]));
        f.ratio = paired(name, (m, b) => m.rps / b.rps);
        f.cpuRatio = paired(name, (m, b) => m.cpuUsPerRequest / b.cpuUsPerRequest);
        for (const k of ['p50', 'p99', 'serialP50', 'serialP99']) f[`${k}PerHopUs`] = perHopUs(name, k);
        // vCPU that one instrumented hop adds per 1,000 requests/s.
        f.vcpuPer1000RpsPerHop = paired(
          name,
          (m, b) => ((m.cpuUsPerRequest - b.cpuUsPerRequest) * 1000) / HOPS / 1e6,
        );
        return [name, f];
      }),
    );
    // With a compared build: this build against it, paired within each round (they ran
    // minutes apart at most), the figure that says whether this build is slower.
    const against = (name, other) => {
      const vs = (f) => median(samples[name].map((m, r) => f(m, samples[other][r])));
      return {
        throughput: vs((m, o) => m.rps / o.rps),
        p99: vs((m, o) => m.p99 / o.p99),
        serialP50PerHopUs: vs((m, o) => ((m.serialP50 - o.serialP50) * 1000) / HOPS),
        rounds: samples[name].map((m, r) => Number((m.rps / samples[other][r].rps).toFixed(3))),
      };
    };
    const vsCompare = compare
      ? { untagged: against('graylane', 'compare'), tagged: against('graylane tagged', 'compare tagged') }
      : undefined;
    return { fig, samples, vsCompare, variants: variants.map((v) => v.name) };
  } finally {
    await Promise.all(chains.map(stopChain));
  }
}

export default async function run() {
  const { startServer } = await import(pathToFileURL(serverDist).href);
  const dataDir = await mkdtemp(join(tmpdir(), 'graylane-bench-cp-'));
  const cacheDir = await mkdtemp(join(tmpdir(), 'graylane-bench-cache-'));
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    data: dataDir,
    adminToken: TOKEN,
    log: () => {},
  });
  try {
    // A lane whose entry condition no benchmark request meets: untagged requests at A
    // run its matcher and stay baseline; tagged ones (gray) find no gray instance
    // and fall back to the baseline ones, as a lane's traffic does before its
    // instances start.
    const lane = {
      apiVersion: 'graylane.io/v1',
      kind: 'Lane',
      metadata: { name: 'gray', namespace: NAMESPACE },
      spec: {
        tag: 'gray',
        entry: {
          apps: ['a'],
          match: { all: [{ source: 'header', name: 'x-user', op: 'eq', value: 'xiaoming' }] },
        },
      },
    };
    const applied = await fetch(`${server.url}/v1/apply`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/yaml' },
      body: JSON.stringify(lane),
    });
    if (!applied.ok) throw new Error(`apply failed: ${applied.status} ${await applied.text()}`);
    if (COMPARE) {
      const same = { ...lane, metadata: { ...lane.metadata, namespace: `${NAMESPACE}-compare` } };
      await fetch(`${server.url}/v1/apply`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/yaml' },
        body: JSON.stringify(same),
      });
    }

    const byLine = {};
    for (const line of benchLines())
      byLine[line.major] = { line, ...(await measureLine(line, server, cacheDir)) };

    const round = (n, digits = 3) => Number(n.toFixed(digits));
    const label = {
      none: 'none',
      otel: 'OpenTelemetry',
      graylane: 'graylane',
      'graylane tagged': 'graylane tagged',
      compare: 'compared agent',
      'compare tagged': 'compared agent tagged',
    };
    const rows = [];
    const lines = {};
    for (const { line, fig, samples, vsCompare, variants } of Object.values(byLine)) {
      const added = (name, k, digits) => (name === 'none' ? '' : fig[name][k].toFixed(digits));
      for (const name of variants) {
        const v = fig[name];
        rows.push({
          node: line.version,
          variant: label[name],
          'req/s': Math.round(v.rps),
          ratio: v.ratio.toFixed(3),
          'p50 ms': v.p50.toFixed(2),
          'p99 ms': v.p99.toFixed(2),
          'CPU µs/req': v.cpuUsPerRequest.toFixed(0),
          'serial p50 µs': (v.serialP50 * 1000).toFixed(0),
          'serial +p50/hop µs': added(name, 'serialP50PerHopUs', 1),
          'serial +p99/hop µs': added(name, 'serialP99PerHopUs', 1),
        });
      }
      const perVariant = {};
      for (const name of variants) {
        const v = fig[name];
        perVariant[name] = {
          rps: Math.round(v.rps),
          throughputRatio: round(v.ratio),
          p50Ms: round(v.p50),
          p99Ms: round(v.p99),
          cpuUsPerRequest: round(v.cpuUsPerRequest, 0),
          cpuRatio: round(v.cpuRatio),
          serialP50Us: round(v.serialP50 * 1000, 1),
          serialP99Us: round(v.serialP99 * 1000, 1),
          ...(name === 'none'
            ? {}
            : {
                addedP50PerHopUs: round(v.p50PerHopUs, 1),
                addedP99PerHopUs: round(v.p99PerHopUs, 1),
                addedSerialP50PerHopUs: round(v.serialP50PerHopUs, 1),
                addedSerialP99PerHopUs: round(v.serialP99PerHopUs, 1),
                addedVcpuPer1000RpsPerHop: round(v.vcpuPer1000RpsPerHop),
              }),
        };
      }
      perVariant.rounds = Object.fromEntries(
        variants.map((name) => [name, samples[name].map((m) => Math.round(m.rps))]),
      );
      lines[line.major] = { version: line.version, ...perVariant, ...(vsCompare ? { vsCompare } : {}) };
    }
    console.log(
      `\n${CONNECTIONS} connections × ${DURATION} s (after ${WARMUP} s warm-up), then 1 connection × ${SERIAL} s, per variant and round; ${ROUNDS} rounds per Node line. ratio and +/hop: medians of the per-round comparisons with none on the same line. CPU: the three services'`,
    );
    table(rows);
    for (const { line, vsCompare } of Object.values(byLine)) {
      if (!vsCompare) continue;
      for (const [what, v] of Object.entries(vsCompare))
        console.log(
          `node ${line.version} graylane / compared agent, ${what}, paired per round: throughput ${v.throughput.toFixed(3)} (rounds ${v.rounds.join(', ')}), p99 ${v.p99.toFixed(3)}, serial p50 ${v.serialP50PerHopUs >= 0 ? '+' : ''}${v.serialP50PerHopUs.toFixed(1)} µs per hop`,
        );
    }

    const headline = headlineLine(byLine);
    const value = headline.fig.graylane.ratio;
    const peerValue = headline.fig.otel.ratio;
    return {
      metric: `throughput ratio agent/none, Node ${headline.line.version}`,
      value: round(value),
      unit: 'ratio',
      peer: 'OpenTelemetry http instrumentation (propagation only)',
      peerValue: round(peerValue),
      ratio: round(value / peerValue),
      extra: {
        lines,
        setup: {
          connections: CONNECTIONS,
          warmupS: WARMUP,
          durationS: DURATION,
          serialS: SERIAL,
          rounds: ROUNDS,
          hops: HOPS,
        },
        goal: 'Node 24: ≥ 0.92× the uninstrumented throughput, ≤ 25 µs added per hop; better ratio than OpenTelemetry',
      },
    };
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
  }
}
