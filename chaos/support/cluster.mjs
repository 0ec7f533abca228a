// What every chaos scenario needs: a control plane in its own process, chain services
// under the agent, a steady load that classifies every answer, and a small API client.
import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnReady } from '../../bench/spawn-ready.mjs';

export const TOKEN = 'chaos-admin-token';
export const NAMESPACE = 'chaos';
const chainService = fileURLToPath(new URL('../../bench/agent/chain-service.mjs', import.meta.url));
const agentDir = fileURLToPath(new URL('../../bench/agent/', import.meta.url));
const controlPlane = fileURLToPath(new URL('./control-plane.mjs', import.meta.url));

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const tempDir = (what) => mkdtemp(join(tmpdir(), `graylane-chaos-${what}-`));

/** A control plane process: SQLite in `data`, or PostgreSQL at `postgres`. */
export async function startControlPlane({ data, postgres, port = 0 }) {
  const env = { TOKEN, PORT: String(port), ...(postgres ? { POSTGRES: postgres } : { DATA: data }) };
  const cp = await spawnReady('control-plane', [controlPlane], { env });
  return { ...cp, url: `http://127.0.0.1:${cp.port}` };
}

/** POST /v1/apply with YAML or JSON documents; throws on anything but 2xx. */
export async function apply(url, body) {
  const res = await fetch(`${url}/v1/apply`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/yaml' },
    body,
  });
  if (!res.ok) throw new Error(`apply failed: ${res.status} ${await res.text()}`);
}

/** The lane every scenario uses: requests with `x-user: <one of users>` at app a are gray. */
export function grayLane(users = ['gray']) {
  return `apiVersion: graylane.io/v1
kind: Lane
metadata: { name: gray, namespace: ${NAMESPACE} }
spec:
  tag: gray
  priority: 100
  entry:
    apps: [a]
    match:
      all:
        - { source: header, name: x-user, op: in, values: [${users.join(', ')}] }
  propagation: true
  fallback: baseline
`;
}

/**
 * One hop of an A → B → C chain (bench/agent/chain-service.mjs) under the agent. It
 * answers `<name> -> <next's answer>`, so an answer shows every instance it crossed.
 */
export async function startApp({ app, tag = '', next = '', server, cacheDir, name }) {
  const label = name ?? `${app}${tag ? `-${tag}` : ''}`;
  const service = await spawnReady(label, ['--import', '@graylane/agent/register', chainService], {
    cwd: agentDir,
    env: {
      NAME: label,
      NEXT: next,
      GRAYLANE_SERVER: server,
      GRAYLANE_APP: app,
      GRAYLANE_TAG: tag,
      GRAYLANE_NAMESPACE: NAMESPACE,
      GRAYLANE_TOKEN: TOKEN,
      GRAYLANE_HOST: '127.0.0.1',
      GRAYLANE_CACHE_DIR: cacheDir,
      GRAYLANE_LOG_LEVEL: 'error',
    },
  });
  return { ...service, label, url: `http://127.0.0.1:${service.port}` };
}

export function stopAll(services) {
  return Promise.all(
    services.map(
      (s) =>
        new Promise((resolve) => {
          if (!s?.child || s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
          s.child.once('exit', resolve);
          s.child.kill('SIGTERM');
          setTimeout(() => s.child.kill('SIGKILL'), 3000).unref();
        }),
    ),
  );
}

/** Kills a process at once and waits until it is gone. */
export function kill(service) {
  return new Promise((resolve) => {
    if (service.child.exitCode !== null || service.child.signalCode !== null) return resolve();
    service.child.once('exit', resolve);
    service.child.kill('SIGKILL');
  });
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One GET; resolves with {status, text} (status 0 for a transport error, text its message). */
export function get(url, headers = {}, timeoutMs = 5000) {
  return new Promise((resolve) => {
    const req = http.get(url, { headers, agent: keepAlive, timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', (e) => resolve({ status: 0, text: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ status: 0, text: e.message }));
  });
}

/**
 * Steady load: `streams` is a list of {name, headers, concurrency}; each stream keeps
 * `concurrency` requests in flight to `target()` (a function, so a scenario can move it)
 * until stop() is called. Every answer is passed to `classify(stream, answer, at, sentAt)`:
 * `at` and `sentAt` are ms since the load started, when it answered and when it was sent.
 */
export function steadyLoad({ target, streams, classify }) {
  let stopping = false;
  const loops = [];
  const started = performance.now();
  for (const stream of streams) {
    for (let i = 0; i < stream.concurrency; i++) {
      loops.push(
        (async () => {
          while (!stopping) {
            const sentAt = performance.now() - started;
            const answer = await get(`${target()}/chaos`, stream.headers);
            classify(stream, answer, performance.now() - started, sentAt);
          }
        })(),
      );
    }
  }
  return {
    async stop() {
      stopping = true;
      await Promise.all(loops);
    },
  };
}
