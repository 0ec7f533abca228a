import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const demoDir = fileURLToPath(new URL('../../../../examples/mse-demo/', import.meta.url));

/** The script of a demo service; its absolute path also identifies the process later. */
export function demoScript(letter: 'a' | 'b' | 'c'): string {
  return join(demoDir, 'dist', `${letter}.js`);
}

export interface DemoService {
  name: string;
  app: string;
  tag: string;
  process: ChildProcess;
  /** Every line the service printed so far (stdout and stderr). */
  lines: string[];
  /** The file those lines are written to as they come. */
  logFile: string;
  /** Resolves with the first printed line that matches, or rejects after `timeoutMs`. */
  waitForLine(match: RegExp, timeoutMs: number, from?: number): Promise<string>;
  stop(): Promise<void>;
}

export interface DemoEnv {
  server: string;
  token: string;
  /** Which broker carries TEST_MQ. */
  mq: 'rocketmq' | 'kafka';
  /** The RocketMQ proxy endpoint, or the Kafka bootstrap address. */
  endpoints: string;
  cacheDir: string;
  /** Each service writes its output to `<logDir>/<name>.log`. */
  logDir: string;
}

/** Starts one of A, B, C under the agent, as `node --import @graylane/agent/register dist/x.js`. */
export function startDemoService(letter: 'a' | 'b' | 'c', tag: string, env: DemoEnv): DemoService {
  const app = `spring-cloud-${letter}`;
  const name = `${app}${tag ? `-${tag}` : ''}`;
  const child = spawn(process.execPath, ['--import', '@graylane/agent/register', demoScript(letter)], {
    cwd: demoDir,
    env: {
      ...process.env,
      GRAYLANE_SERVER: env.server,
      GRAYLANE_TOKEN: env.token,
      GRAYLANE_APP: app,
      GRAYLANE_TAG: tag,
      GRAYLANE_NAMESPACE: 'default',
      GRAYLANE_HOST: '127.0.0.1',
      GRAYLANE_CACHE_DIR: env.cacheDir,
      GRAYLANE_LOG_LEVEL: 'warn',
      MQ: env.mq,
      ...(env.mq === 'kafka' ? { KAFKA_BROKERS: env.endpoints } : { ROCKETMQ_ENDPOINTS: env.endpoints }),
      PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const logFile = join(env.logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  log.on('error', () => {}); // a full disk must not take the demo down; the lines stay in memory
  const waiters = new Set<() => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      log.write(`${new Date().toISOString()} ${line}\n`);
      for (const w of waiters) w();
    });
  }
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      log.end();
      resolve();
    }),
  );
  return {
    name,
    app,
    tag,
    process: child,
    lines,
    logFile,
    waitForLine(match, timeoutMs, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.slice(from).find((l) => match.test(l));
          if (found === undefined) return false;
          waiters.delete(check as () => void);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check as () => void);
          reject(new Error(`${name} printed no line matching ${match} within ${timeoutMs} ms`));
        }, timeoutMs);
        if (!check()) waiters.add(check as () => void);
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
