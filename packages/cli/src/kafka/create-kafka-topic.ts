import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GraylaneError } from '@graylane/core';
import { resolveCacheRoot } from '../rocketmq/rocketmq-paths.js';
import { runProcess } from '../rocketmq/run-process.js';
import { kafkaAnswers } from './kafka-answers.js';
import { kafkaPaths } from './kafka-paths.js';
import { loadKafkaInstance } from './kafka-state.js';
import { kafkaJvmArgs, prepareKafkaRuntime } from './prepare-kafka-runtime.js';

export interface CreateKafkaTopicOptions {
  topic: string;
  /** Default 1. */
  partitions?: number;
  /** Local instance whose broker to use (default `default`); ignored when `bootstrap` is given. */
  name?: string;
  /** `host:port` of any Kafka broker. */
  bootstrap?: string;
  cacheRoot?: string;
}

// Kafka's own rule (Topic.validate): at most 249 of these characters, and not "." or "..".
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * Creates a topic with Kafka's TopicCommand; a topic that exists already is left as it
 * is, so the call is idempotent.
 */
export async function createKafkaTopic(options: CreateKafkaTopicOptions): Promise<void> {
  const { topic } = options;
  const partitions = options.partitions ?? 1;
  if (!TOPIC.test(topic) || topic === '.' || topic === '..') {
    throw new GraylaneError(
      'GL_TOPIC_CREATE_FAILED',
      `topic name "${topic}" is not allowed: use 1 to 249 letters, digits, ".", "-" and "_"`,
    );
  }
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 10_000) {
    throw new GraylaneError(
      'GL_TOPIC_CREATE_FAILED',
      `--partitions ${partitions} is not a number from 1 to 10000`,
    );
  }
  const paths = kafkaPaths(options.cacheRoot ?? resolveCacheRoot());
  const name = options.name ?? 'default';
  let bootstrap = options.bootstrap;
  if (bootstrap === undefined) {
    const instance = await loadKafkaInstance(paths.runDir, name);
    if (instance === undefined) {
      throw new GraylaneError(
        'GL_TOPIC_CREATE_FAILED',
        `cannot create topic ${topic}: no local Kafka "${name}" was started; start it first (graylane kafka start${name === 'default' ? '' : ` --name ${name}`}) or pass --bootstrap host:port`,
      );
    }
    bootstrap = `127.0.0.1:${instance.ports.broker}`;
  }
  const [host, port] = [
    bootstrap.slice(0, bootstrap.lastIndexOf(':')),
    Number(bootstrap.slice(bootstrap.lastIndexOf(':') + 1)),
  ];
  if ((host === '127.0.0.1' || host === 'localhost') && !(await kafkaAnswers(port))) {
    throw new GraylaneError(
      'GL_TOPIC_CREATE_FAILED',
      `cannot create topic ${topic}: no Kafka broker answers at ${bootstrap}; start it first (graylane kafka start) and check graylane kafka status`,
    );
  }
  const runtime = await prepareKafkaRuntime(paths);
  const logConfig = join(paths.root, 'tools-log4j2.properties');
  await mkdir(paths.root, { recursive: true });
  await writeFile(
    logConfig,
    'rootLogger.level=ERROR\nappender.err.type=Console\nappender.err.name=ERR\nappender.err.target=SYSTEM_ERR\nappender.err.layout.type=PatternLayout\nappender.err.layout.pattern=%p %m%n\nrootLogger.appenderRef.err.ref=ERR\n',
  );
  const result = await runProcess(
    runtime.java,
    [
      ...kafkaJvmArgs({ libDir: runtime.libDir, logConfig, heapMb: 128, quickStart: true }),
      'org.apache.kafka.tools.TopicCommand',
      '--bootstrap-server',
      bootstrap,
      '--create',
      '--if-not-exists',
      '--topic',
      topic,
      '--partitions',
      String(partitions),
      '--replication-factor',
      '1',
    ],
    { timeoutMs: 120_000 },
  );
  if (result.code !== 0) {
    const said = (result.stdout + result.stderr).trim().split('\n').slice(-8).join('\n');
    throw new GraylaneError(
      'GL_TOPIC_CREATE_FAILED',
      `cannot create topic ${topic} on ${bootstrap} (TopicCommand exit ${result.code}): ${said}`,
    );
  }
}
