import { GraylaneError } from '@graylane/core';
import { loadInstance } from './instance-state.js';
import { isPortOpen } from './is-port-open.js';
import { prepareRuntime } from './prepare-runtime.js';
import { resolveCacheRoot, rocketmqPaths } from './rocketmq-paths.js';
import { runAdmin } from './run-admin.js';

export type TopicMessageType = 'NORMAL' | 'FIFO' | 'DELAY' | 'TRANSACTION';

export interface CreateTopicOptions {
  topic: string;
  /** Local instance whose name server to use (default `default`); ignored when `namesrv` is given. */
  name?: string;
  /** Name server address `host:port` of any RocketMQ 5.x. */
  namesrv?: string;
  cluster?: string;
  /** 5.x topics accept only their own message type; FIFO and delay messages need their type. */
  messageType?: TopicMessageType;
  cacheRoot?: string;
}

// RocketMQ's own rule (TopicValidator) minus `%` and `|`, which it reserves for namespaces and retry topics.
const TOPIC = /^[A-Za-z0-9_-]{1,127}$/;

/**
 * Creates (or updates) a topic with `mqadmin updateTopic`. Topics are not
 * created automatically through the proxy, so producers need this first.
 */
export async function createTopic(options: CreateTopicOptions): Promise<void> {
  const { topic } = options;
  if (!TOPIC.test(topic)) {
    throw new GraylaneError(
      'GL_TOPIC_CREATE_FAILED',
      `topic name "${topic}" is not allowed: use 1 to 127 letters, digits, "-" and "_"`,
    );
  }
  const paths = rocketmqPaths(options.cacheRoot ?? resolveCacheRoot());
  const namesrv = options.namesrv ?? (await localNamesrv(paths.runDir, options.name ?? 'default'));
  const [host, portText] = splitHostPort(namesrv);
  if (host === '127.0.0.1' || host === 'localhost') {
    if (!(await isPortOpen(Number(portText)))) {
      throw new GraylaneError(
        'GL_TOPIC_CREATE_FAILED',
        `cannot create topic ${topic}: no name server answers at ${namesrv}; start the broker first ` +
          `(graylane rocketmq start${options.name && options.name !== 'default' ? ` --name ${options.name}` : ''})`,
      );
    }
  }
  const runtime = await prepareRuntime(paths);
  const args = ['updateTopic', '-n', namesrv, '-c', options.cluster ?? 'DefaultCluster', '-t', topic];
  if (options.messageType !== undefined) args.push('-a', `+message.type=${options.messageType}`);
  // updateTopic prints the TopicConfig last, after every broker answered (or after its [error] line).
  const printedConfig = (stdout: string) => /TopicConfig \[.*\]\r?\n/.test(stdout);
  const { output } = await runAdmin({ ...runtime, home: paths.adminHome }, args, printedConfig);
  const problem = updateTopicProblem(output);
  if (problem !== undefined) {
    throw new GraylaneError(
      'GL_TOPIC_CREATE_FAILED',
      `cannot create topic ${topic} on ${namesrv}: ${problem}. Check that the broker runs ` +
        `(graylane rocketmq status) and that cluster ${options.cluster ?? 'DefaultCluster'} exists.`,
    );
  }
}

/**
 * `updateTopic` prints `create topic to <broker> success.` once per master and
 * exits 0 whatever happened; anything else (an `[error]` line, an exception,
 * no broker at all) is a failure. Returns what went wrong, or undefined.
 */
export function updateTopicProblem(output: string): string | undefined {
  const lines = output.split('\n').map((line) => line.trim());
  const failure = lines.find((line) => /\[error\]|Exception|failed/i.test(line) && !/ success\.$/.test(line));
  if (failure !== undefined) {
    const causes = lines.filter((line) => line.startsWith('Caused by:'));
    return [
      failure
        .replace(/TopicConfig \[.*$/, '')
        .trim()
        .replace(/\.+$/, ''),
      ...causes,
    ].join('; ');
  }
  if (!lines.some((line) => /^create topic to \S+ success\.$/.test(line))) {
    return `the admin tool reported no broker that took the topic (output: ${output.trim().slice(0, 500) || 'none'})`;
  }
  return undefined;
}

async function localNamesrv(runDir: string, name: string): Promise<string> {
  const instance = await loadInstance(runDir, name);
  if (instance === undefined) {
    throw new GraylaneError(
      'GL_TOPIC_CREATE_FAILED',
      `no local broker "${name}" has been started: run graylane rocketmq start${name === 'default' ? '' : ` --name ${name}`}, ` +
        'or pass the name server address (--namesrv host:port)',
    );
  }
  return `127.0.0.1:${instance.ports.namesrv}`;
}

function splitHostPort(address: string): [string, string] {
  const at = address.lastIndexOf(':');
  if (at <= 0 || !/^\d+$/.test(address.slice(at + 1))) {
    throw new GraylaneError(
      'GL_TOPIC_CREATE_FAILED',
      `name server address "${address}" must look like host:port`,
    );
  }
  return [address.slice(0, at), address.slice(at + 1)];
}
