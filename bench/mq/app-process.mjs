// What the RocketMQ and Kafka parts of the mq benchmark share: a control plane to run
// the apps under, and bench apps run under the agent that talk in JSON lines.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const TOKEN = 'bench-admin-token';
export const NAMESPACE = 'bench';
const CLOCK_TICKS = 100; // USER_HZ on Linux

export const here = fileURLToPath(new URL('./', import.meta.url));

/** The built entry of a workspace package (`npm run bench` builds first). */
export const dist = (pkg) =>
  pathToFileURL(fileURLToPath(new URL(`../../packages/${pkg}/dist/index.js`, import.meta.url))).href;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** utime + stime of a process, in seconds. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * Starts a broker (`start`, given `fresh` and `log`) and a control plane side by side and
 * runs `measure(ctx)` with ctx = { broker, cp, brokerPid, apps }: `brokerPid` is the JVM's
 * (from `pidFile` in the broker's folder), `apps` the app processes the measure has running.
 * Afterwards, whatever happened, every app, the control plane and the broker are stopped.
 */
export async function withBroker({ name, start, pidFile }, measure) {
  const ctx = { apps: new Set() };
  let broker;
  let cp;
  try {
    const started = await Promise.allSettled([
      start({ fresh: true, log: (l) => console.log(`[${name}] ${l}`) }),
      startControlPlane(),
    ]);
    broker = started[0].value;
    cp = started[1].value;
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    ctx.broker = broker;
    ctx.cp = cp;
    ctx.brokerPid = Number((await readFile(join(broker.dir, pidFile), 'utf8')).trim());
    cpuSeconds(ctx.brokerPid); // fails early when the pid is not the JVM's
    return await measure(ctx);
  } finally {
    await Promise.allSettled([...ctx.apps].map((app) => app.stop()));
    await cp?.close();
    // A start that failed half-way has already stopped what it started.
    await broker?.stop({ force: true }).catch((e) => console.error(`stopping ${name}: ${e}`));
  }
}

/** A real control plane on port 0 with its own data and the agents' cache folder. */
export async function startControlPlane() {
  const { startServer } = await import(dist('server'));
  const dataDir = await mkdtemp(join(tmpdir(), 'graylane-bench-cp-'));
  const cacheDir = await mkdtemp(join(tmpdir(), 'graylane-bench-cache-'));
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    data: dataDir,
    adminToken: TOKEN,
    log: () => {},
  });
  const call = async (method, path, body, type = 'application/json') => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': type },
      body,
    });
    if (!res.ok) throw new Error(`${method} ${path} failed: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    url: server.url,
    cacheDir,
    /** One MessageGrayscale resource per `{app: spec}`. */
    applyMessageGrayscale: (specs) =>
      call(
        'POST',
        '/v1/apply',
        Object.entries(specs)
          .map(([app, spec]) =>
            JSON.stringify({
              apiVersion: 'graylane.io/v1',
              kind: 'MessageGrayscale',
              metadata: { name: app, namespace: NAMESPACE },
              spec,
            }),
          )
          .join('\n---\n'),
        'application/yaml',
      ),
    instances: async () => (await call('GET', `/v1/namespaces/${NAMESPACE}/instances`)).items ?? [],
    close: async () => {
      await server.close().catch(() => {});
      await rm(dataDir, { recursive: true, force: true });
      await rm(cacheDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a bench app (`bench/mq/<script>`) under the agent as instance `app`/`tag`. The app
 * prints JSON lines `{"event": ...}` on stdout and reads commands (`go`) on stdin.
 */
export function startApp({ script, label, app, tag = '', cp, env }) {
  const child = spawn(process.execPath, ['--import', '@graylane/agent/register', join(here, script)], {
    cwd: here,
    env: {
      ...process.env,
      ...env,
      GRAYLANE_SERVER: cp.url,
      GRAYLANE_APP: app,
      GRAYLANE_TAG: tag,
      GRAYLANE_NAMESPACE: NAMESPACE,
      GRAYLANE_TOKEN: TOKEN,
      GRAYLANE_HOST: '127.0.0.1',
      GRAYLANE_CACHE_DIR: cp.cacheDir,
      GRAYLANE_LOG_LEVEL: 'warn',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => {
    stderr += c;
  });
  const waiters = new Map();
  const events = new Map();
  const exited = new Promise((r) => child.once('exit', r));
  const event = (name, timeoutMs) =>
    events.has(name)
      ? Promise.resolve(events.get(name))
      : new Promise((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`${label}: no "${name}" in ${timeoutMs / 1000} s:\n${stderr}`)),
            timeoutMs,
          );
          exited.then((code) => reject(new Error(`${label} exited with ${code}:\n${stderr}`)));
          waiters.set(name, (e) => {
            clearTimeout(timer);
            resolve(e);
          });
        });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const e = JSON.parse(line);
    events.set(e.event, e);
    handle.onEvent?.(e);
    waiters.get(e.event)?.(e);
  });
  const handle = {
    child,
    event,
    send: (line) => child.stdin.write(`${line}\n`),
    go: () => child.stdin.write('go\n'),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  return handle;
}
