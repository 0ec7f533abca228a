// Lean start: the time from spawning a service's process to its first answered
// request, with and without the agent, on every installed Node line.
//
// The service is bench/agent/chain-service.mjs as the last hop (node:http, answers
// its name). A round spawns it once plain and once under
// `--import @graylane/agent/register` (registered with a real control plane in this
// process, one Lane with an entry rule applied, so the agent compiles a lane while
// the app starts), in alternating order. The clock starts just before spawn and stops
// when the answer to one GET, sent as soon as the service printed its port, has
// been read. Figures are medians over the rounds; the added time is the median of
// the per-round differences (agent − plain).
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchLines, headlineLine } from './bench-lines.mjs';
import { median, table } from './measure.mjs';
import { spawnReady } from './spawn-ready.mjs';

const ROUNDS = Number(process.env.BENCH_START_ROUNDS ?? 15);
const TOKEN = 'bench-admin-token';
const NAMESPACE = 'bench-start';
const here = fileURLToPath(new URL('./agent/', import.meta.url));
const serverDist = fileURLToPath(new URL('../packages/server/dist/index.js', import.meta.url));

function firstAnswer(port) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`answered ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
  });
}

async function startToFirstAnswer(node, preload, env) {
  const t0 = performance.now();
  const service = await spawnReady('c', [...preload, join(here, 'chain-service.mjs')], {
    cwd: here,
    node,
    env: { NAME: 'c', NEXT: '', ...env },
  });
  try {
    await firstAnswer(service.port);
    return performance.now() - t0;
  } finally {
    await new Promise((resolve) => {
      if (service.child.exitCode !== null) return resolve();
      service.child.once('exit', resolve);
      service.child.kill('SIGTERM');
    });
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
    const lane = {
      apiVersion: 'graylane.io/v1',
      kind: 'Lane',
      metadata: { name: 'gray', namespace: NAMESPACE },
      spec: {
        tag: 'gray',
        entry: {
          apps: ['c'],
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
    const agentEnv = {
      GRAYLANE_SERVER: server.url,
      GRAYLANE_APP: 'c',
      GRAYLANE_NAMESPACE: NAMESPACE,
      GRAYLANE_TOKEN: TOKEN,
      GRAYLANE_HOST: '127.0.0.1',
      GRAYLANE_CACHE_DIR: cacheDir,
      GRAYLANE_LOG_LEVEL: 'warn',
    };
    const rows = [];
    const perLine = {};
    for (const line of benchLines()) {
      const plain = [];
      const agent = [];
      // One unmeasured start of each fills the OS file cache for this binary.
      await startToFirstAnswer(line.bin, [], {});
      await startToFirstAnswer(line.bin, ['--import', '@graylane/agent/register'], agentEnv);
      for (let round = 0; round < ROUNDS; round++) {
        const runs = [
          async () => plain.push(await startToFirstAnswer(line.bin, [], {})),
          async () =>
            agent.push(
              await startToFirstAnswer(line.bin, ['--import', '@graylane/agent/register'], agentEnv),
            ),
        ];
        if (round % 2) runs.reverse();
        for (const r of runs) await r();
      }
      const added = median(agent.map((a, i) => a - plain[i]));
      perLine[line.major] = {
        version: line.version,
        plainMs: Number(median(plain).toFixed(1)),
        agentMs: Number(median(agent).toFixed(1)),
        addedMs: Number(added.toFixed(1)),
        rounds: ROUNDS,
      };
      rows.push({
        node: line.version,
        'plain ms': median(plain).toFixed(1),
        'agent ms': median(agent).toFixed(1),
        'added ms': added.toFixed(1),
      });
      console.log(
        `node ${line.version}: plain ${median(plain).toFixed(1)} ms, agent ${median(agent).toFixed(1)} ms`,
      );
    }
    console.log(
      `\nspawn → first answered request, medians of ${ROUNDS} rounds; added = median of per-round differences`,
    );
    table(rows);
    const main = headlineLine(perLine);
    return {
      metric: 'added start time to first answered request, Node 24',
      value: main.addedMs,
      unit: 'ms',
      peer: 'the same service without the agent (start to first answer)',
      peerValue: main.plainMs,
      ratio: Number((main.agentMs / main.plainMs).toFixed(3)),
      extra: { lines: perLine, goal: 'at most +30 ms' },
    };
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
  }
}
