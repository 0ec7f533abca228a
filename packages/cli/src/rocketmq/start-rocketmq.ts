import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GraylaneError } from '@graylane/core';
import { assertPortsFree } from './assert-ports-free.js';
import { type ConsumerBacklog, consumerBacklog } from './consumer-backlog.js';
import { type CreateTopicOptions, createTopic } from './create-topic.js';
import {
  jvmFiles,
  loadInstance,
  NAMESRV_MAIN,
  PROXY_MAIN,
  runningPid,
  saveInstance,
} from './instance-state.js';
import { isPortOpen } from './is-port-open.js';
import { jvmArgs } from './jvm-args.js';
import { prepareRuntime, type RocketMQRuntime } from './prepare-runtime.js';
import {
  type InstanceOptions,
  instancePorts,
  type RocketMQInstance,
  type RocketMQPorts,
  resolveInstance,
} from './rocketmq-instance.js';
import { resolveCacheRoot, rocketmqPaths } from './rocketmq-paths.js';
import { runAdmin } from './run-admin.js';
import { sleep } from './sleep.js';
import { spawnJvm } from './spawn-jvm.js';
import { stopInstance } from './stop-rocketmq.js';
import { type InstanceFiles, instanceFiles, writeInstanceConfig } from './write-instance-config.js';

export interface StartRocketMQOptions extends InstanceOptions {
  /** Default: `$GRAYLANE_CACHE`, else `.cache` at the repository root. */
  cacheRoot?: string;
  /** Stop a running instance of the same name and start on an empty store. */
  fresh?: boolean;
  /** How long the broker may take to answer; default 120 s (first start on a slow machine). */
  timeoutMs?: number;
  /** Progress lines; silent by default. */
  log?: (line: string) => void;
}

/** A broker that answers; returned by {@link startRocketMQ}. */
export interface RunningRocketMQ {
  name: string;
  /** Name server address, `127.0.0.1:9876` by default (admin tool, remoting clients). */
  namesrv: string;
  /** Proxy gRPC endpoint for rocketmq-client-nodejs, `127.0.0.1:8081` by default. */
  endpoints: string;
  ports: RocketMQPorts;
  propertyFilter: boolean;
  /** False when the instance was already running with these settings and was reused. */
  started: boolean;
  /** Folder with pid files, `*.out`, configs and `home/` (store, logs). */
  dir: string;
  logDir: string;
  createTopic(topic: string, options?: Pick<CreateTopicOptions, 'messageType'>): Promise<void>;
  /** What a consumer group has not consumed yet of a topic (`mqadmin consumerProgress`). */
  backlog(group: string, topic: string): Promise<ConsumerBacklog>;
  /** Stops both JVMs and waits until every port is closed; `force` kills them at once. */
  stop(options?: { force?: boolean }): Promise<void>;
}

/**
 * Starts a local RocketMQ: a name server and a proxy in local mode (the broker
 * runs inside the proxy JVM), detached, on loopback. Resolves when the broker
 * has registered with the name server; an instance that already runs with the
 * same settings is reused.
 *
 * In a vitest globalSetup (ports of its own, so a developer's broker is left alone):
 * ```ts
 * export default async function ({ provide }: TestProject) {
 *   const broker = await startRocketMQ({ name: 'agent-tests', ports: { namesrv: 29876, proxy: 28081,
 *     remoting: 28080, broker: 30911 }, fresh: true });
 *   await broker.createTopic('TEST_MQ');
 *   provide('rocketmqEndpoints', broker.endpoints);
 *   return () => broker.stop({ force: true });
 * }
 * ```
 */
export async function startRocketMQ(options: StartRocketMQOptions = {}): Promise<RunningRocketMQ> {
  const log = options.log ?? (() => {});
  const cacheRoot = options.cacheRoot ?? resolveCacheRoot();
  const paths = rocketmqPaths(cacheRoot);
  const instance = resolveInstance(paths, options);
  const handle = (started: boolean) => runningHandle(instance, cacheRoot, started, log);

  const previous = await loadInstance(paths.runDir, instance.name);
  if (previous !== undefined) {
    const [namesrvPid, proxyPid] = await Promise.all([
      runningPid(previous, 'namesrv'),
      runningPid(previous, 'proxy'),
    ]);
    if (namesrvPid !== undefined || proxyPid !== undefined) {
      const same =
        JSON.stringify(previous.ports) === JSON.stringify(instance.ports) &&
        previous.propertyFilter === instance.propertyFilter;
      if (same && namesrvPid !== undefined && proxyPid !== undefined && !options.fresh) {
        log(
          `RocketMQ "${instance.name}" already runs (name server pid ${namesrvPid}, proxy pid ${proxyPid})`,
        );
        return handle(false);
      }
      log(`restarting RocketMQ "${instance.name}" (${same ? 'fresh start requested' : 'settings changed'})`);
      // A fresh start throws the store away, so there is nothing to stop gracefully for.
      await stopInstance(previous, log, options.fresh === true);
    }
  }

  const runtime = await prepareRuntime(paths, log);
  await assertPortsFree(
    instancePorts(instance),
    'start this broker on other ports (--namesrv-port, --proxy-port, --remoting-port, --broker-port) under another --name',
  );
  const files = await writeInstanceConfig(instance);
  if (options.fresh) await rm(files.store, { recursive: true, force: true });
  await saveInstance(instance);

  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const startedAt = Date.now();
  try {
    await launch(instance, { ...runtime, adminHome: paths.adminHome }, files, deadline, (line) =>
      log(`${line} (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`),
    );
  } catch (error) {
    // Leave nothing half-running behind; the logs stay for reading.
    await stopInstance(instance, () => {}, true).catch(() => {});
    throw error;
  }
  log(`RocketMQ "${instance.name}" is ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  return handle(true);
}

async function launch(
  instance: RocketMQInstance,
  runtime: RocketMQRuntime & { adminHome: string },
  files: InstanceFiles,
  deadline: number,
  log: (line: string) => void,
): Promise<void> {
  const { ports } = instance;
  const common = { libDir: runtime.libDir, home: files.home };
  const namesrv = `127.0.0.1:${ports.namesrv}`;

  log(`starting name server on ${namesrv}`);
  await spawnJvm({
    java: runtime.java,
    args: [
      ...jvmArgs({ ...common, heapMb: 256, directMb: 128, logConfig: 'rmq.namesrv.logback.xml' }),
      NAMESRV_MAIN,
      '-c',
      files.namesrvConf,
    ],
    ...jvmFiles(instance, 'namesrv'),
  });
  await waitFor('the name server port', instance, files, deadline, ['namesrv'], () =>
    isPortOpen(ports.namesrv),
  );

  log(`starting proxy and broker (gRPC 127.0.0.1:${ports.proxy}, broker 127.0.0.1:${ports.broker})`);
  await spawnJvm({
    java: runtime.java,
    args: [
      ...jvmArgs({ ...common, heapMb: 512, directMb: 256, logConfig: 'rmq.proxy.logback.xml' }),
      PROXY_MAIN,
      '-pm',
      'local',
      '-bc',
      files.brokerConf,
      '-pc',
      files.proxyConf,
      '-n',
      namesrv,
    ],
    ...jvmFiles(instance, 'proxy'),
  });
  await waitFor('the proxy gRPC port', instance, files, deadline, ['namesrv', 'proxy'], () =>
    isPortOpen(ports.proxy),
  );

  log('waiting until the broker has registered with the name server');
  const brokerAddress = `127.0.0.1:${ports.broker}`;
  await waitFor(
    'the broker in the cluster list',
    instance,
    files,
    deadline,
    ['namesrv', 'proxy'],
    async () => {
      const listed = (output: string) => output.includes(brokerAddress);
      const admin = { ...runtime, home: runtime.adminHome };
      return listed((await runAdmin(admin, ['clusterList', '-n', namesrv], listed)).output);
    },
  );
}

/** Polls `ready` until it holds; fails early when a JVM died and at the deadline. */
async function waitFor(
  what: string,
  instance: RocketMQInstance,
  files: InstanceFiles,
  deadline: number,
  roles: ('namesrv' | 'proxy')[],
  ready: () => Promise<boolean>,
): Promise<void> {
  for (;;) {
    if (await ready()) return;
    for (const role of roles) {
      if ((await runningPid(instance, role)) === undefined) {
        throw new GraylaneError(
          'GL_BROKER_START_FAILED',
          `the ${role === 'namesrv' ? 'name server' : 'proxy/broker'} JVM of "${instance.name}" exited while waiting for ${what}. ` +
            `Its output:\n${await tail(jvmFiles(instance, role).outFile)}\nMore in ${logHint(instance, files)}`,
        );
      }
    }
    if (Date.now() > deadline) {
      throw new GraylaneError(
        'GL_BROKER_START_FAILED',
        `RocketMQ "${instance.name}" did not answer in time (waiting for ${what}): read ${logHint(instance, files)}; ` +
          'a slow first start may need a longer --timeout',
      );
    }
    await sleep(300);
  }
}

function logHint(instance: RocketMQInstance, files: InstanceFiles): string {
  return [
    jvmFiles(instance, 'namesrv').outFile,
    jvmFiles(instance, 'proxy').outFile,
    join(files.logDir, 'namesrv.log'),
    join(files.logDir, 'broker.log'),
    join(files.logDir, 'proxy.log'),
  ].join(', ');
}

async function tail(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim().split('\n').slice(-20).join('\n') || '(empty)';
  } catch {
    return '(none)';
  }
}

function runningHandle(
  instance: RocketMQInstance,
  cacheRoot: string,
  started: boolean,
  log: (line: string) => void,
): RunningRocketMQ {
  const namesrv = `127.0.0.1:${instance.ports.namesrv}`;
  return {
    name: instance.name,
    namesrv,
    endpoints: `127.0.0.1:${instance.ports.proxy}`,
    ports: instance.ports,
    propertyFilter: instance.propertyFilter,
    started,
    dir: instance.dir,
    logDir: instanceFiles(instance).logDir,
    createTopic: (topic, topicOptions = {}) => createTopic({ ...topicOptions, topic, namesrv, cacheRoot }),
    backlog: (group, topic) => consumerBacklog({ namesrv, group, topic, cacheRoot }),
    stop: async (stopOptions = {}) => {
      await stopInstance(instance, log, stopOptions.force);
    },
  };
}
