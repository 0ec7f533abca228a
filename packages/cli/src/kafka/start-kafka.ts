import { readFile, rm } from 'node:fs/promises';
import { GraylaneError } from '@graylane/core';
import { assertPortsFree } from '../rocketmq/assert-ports-free.js';
import { resolveCacheRoot } from '../rocketmq/rocketmq-paths.js';
import { runProcess } from '../rocketmq/run-process.js';
import { sleep } from '../rocketmq/sleep.js';
import { spawnJvm } from '../rocketmq/spawn-jvm.js';
import { createKafkaTopic } from './create-kafka-topic.js';
import { kafkaAnswers } from './kafka-answers.js';
import {
  type KafkaInstance,
  type KafkaInstanceOptions,
  type KafkaPorts,
  kafkaFiles,
  kafkaInstancePorts,
  resolveKafkaInstance,
} from './kafka-instance.js';
import { kafkaPaths } from './kafka-paths.js';
import { KAFKA_MAIN, kafkaPid, loadKafkaInstance, saveKafkaInstance } from './kafka-state.js';
import { type KafkaRuntime, kafkaJvmArgs, prepareKafkaRuntime } from './prepare-kafka-runtime.js';
import { stopKafkaInstance } from './stop-kafka.js';
import { newClusterId, writeKafkaConfig } from './write-kafka-config.js';

export interface StartKafkaOptions extends KafkaInstanceOptions {
  /** Default: `$GRAYLANE_CACHE`, else `.cache` at the repository root. */
  cacheRoot?: string;
  /** Stop a running instance of the same name and start on empty data. */
  fresh?: boolean;
  /** How long the broker may take to answer; default 120 s. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** A broker that answers; returned by {@link startKafka}. */
export interface RunningKafka {
  name: string;
  /** Client bootstrap address, `127.0.0.1:9092` by default. */
  bootstrap: string;
  ports: KafkaPorts;
  /** False when the instance was already running with these ports and was reused. */
  started: boolean;
  dir: string;
  /** The JVM's output (warnings, and the line that says it started). */
  outFile: string;
  createTopic(topic: string, options?: { partitions?: number }): Promise<void>;
  /** Stops the JVM and waits until its ports are closed; `force` kills it at once. */
  stop(options?: { force?: boolean }): Promise<void>;
}

/**
 * Starts a local single-node Kafka in KRaft mode (broker and controller in one
 * detached JVM) on loopback, formatting its data folder on the first start.
 * Resolves when the broker answers requests; an instance already running with the
 * same ports is reused.
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<RunningKafka> {
  const log = options.log ?? (() => {});
  const cacheRoot = options.cacheRoot ?? resolveCacheRoot();
  const paths = kafkaPaths(cacheRoot);
  const instance = resolveKafkaInstance(paths, options);
  const handle = (started: boolean) => runningHandle(instance, cacheRoot, started, log);

  const previous = await loadKafkaInstance(paths.runDir, instance.name);
  if (previous !== undefined) {
    const pid = await kafkaPid(previous);
    if (pid !== undefined) {
      const same = JSON.stringify(previous.ports) === JSON.stringify(instance.ports);
      if (same && !options.fresh && (await kafkaAnswers(instance.ports.broker))) {
        log(`Kafka "${instance.name}" already runs (pid ${pid})`);
        return handle(false);
      }
      log(`restarting Kafka "${instance.name}" (${same ? 'fresh start requested' : 'settings changed'})`);
      await stopKafkaInstance(previous, log, options.fresh === true);
    }
  }

  const runtime = await prepareKafkaRuntime(paths, log);
  await assertPortsFree(
    kafkaInstancePorts(instance),
    'start this broker on other ports (--port, --controller-port) under another --name',
  );
  const files = kafkaFiles(instance);
  if (options.fresh) await rm(files.data, { recursive: true, force: true });
  const { needsFormat } = await writeKafkaConfig(instance);
  await saveKafkaInstance(instance);
  if (needsFormat) await format(instance, runtime);

  const startedAt = Date.now();
  const deadline = startedAt + (options.timeoutMs ?? 120_000);
  log(
    `starting Kafka ${instance.name} (broker 127.0.0.1:${instance.ports.broker}, controller ${instance.ports.controller})`,
  );
  await spawnJvm({
    java: runtime.java,
    args: [
      ...kafkaJvmArgs({ libDir: runtime.libDir, logConfig: files.logConfig, heapMb: 512 }),
      KAFKA_MAIN,
      files.serverProperties,
    ],
    outFile: files.outFile,
    pidFile: files.pidFile,
  });
  try {
    await waitUntilReady(instance, deadline);
  } catch (error) {
    // Leave nothing half-running behind; the output stays for reading.
    await stopKafkaInstance(instance, () => {}, true).catch(() => {});
    throw error;
  }
  log(`Kafka "${instance.name}" is ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  return handle(true);
}

async function format(instance: KafkaInstance, runtime: KafkaRuntime): Promise<void> {
  const files = kafkaFiles(instance);
  const result = await runProcess(
    runtime.java,
    [
      ...kafkaJvmArgs({ libDir: runtime.libDir, logConfig: files.logConfig, heapMb: 128, quickStart: true }),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      newClusterId(),
      '-c',
      files.serverProperties,
    ],
    { timeoutMs: 120_000 },
  );
  if (result.code !== 0) {
    await rm(files.data, { recursive: true, force: true });
    throw new GraylaneError(
      'GL_BROKER_START_FAILED',
      `formatting the data folder of Kafka "${instance.name}" failed (exit ${result.code}): ` +
        `${(result.stdout + result.stderr).trim().split('\n').slice(-10).join('\n')}`,
    );
  }
}

async function waitUntilReady(instance: KafkaInstance, deadline: number): Promise<void> {
  const { outFile } = kafkaFiles(instance);
  for (;;) {
    if (await kafkaAnswers(instance.ports.broker, 1000)) return;
    if ((await kafkaPid(instance)) === undefined) {
      throw new GraylaneError(
        'GL_BROKER_START_FAILED',
        `the Kafka JVM of "${instance.name}" exited while starting. Its output (${outFile}):\n${await tail(outFile)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new GraylaneError(
        'GL_BROKER_START_FAILED',
        `Kafka "${instance.name}" did not answer in time: read ${outFile}; a slow first start may need a longer --timeout, a damaged data folder --fresh`,
      );
    }
    await sleep(300);
  }
}

async function tail(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim().split('\n').slice(-20).join('\n') || '(empty)';
  } catch {
    return '(none)';
  }
}

function runningHandle(
  instance: KafkaInstance,
  cacheRoot: string,
  started: boolean,
  log: (line: string) => void,
): RunningKafka {
  const bootstrap = `127.0.0.1:${instance.ports.broker}`;
  return {
    name: instance.name,
    bootstrap,
    ports: instance.ports,
    started,
    dir: instance.dir,
    outFile: kafkaFiles(instance).outFile,
    createTopic: (topic, topicOptions = {}) =>
      createKafkaTopic({ ...topicOptions, topic, bootstrap, cacheRoot }),
    stop: async (stopOptions = {}) => {
      await stopKafkaInstance(instance, log, stopOptions.force);
    },
  };
}
