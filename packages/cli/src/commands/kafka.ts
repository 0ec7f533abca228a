import { parseFlags, usageError } from '../command-failure.js';
import { createKafkaTopic } from '../kafka/create-kafka-topic.js';
import { KAFKA_VERSION } from '../kafka/kafka-paths.js';
import { type KafkaInstanceStatus, kafkaStatus } from '../kafka/kafka-status.js';
import { startKafka } from '../kafka/start-kafka.js';
import { stopKafka } from '../kafka/stop-kafka.js';
import type { Command } from '../main.js';

const USAGE = `usage: graylane kafka <subcommand> [options]

A local single-node Kafka ${KAFKA_VERSION} in KRaft mode (broker and controller in one JVM) for
development and tests. Needs Java 17 and Maven; jars come from Maven Central once and
everything lives in .cache/kafka (or $GRAYLANE_CACHE/kafka).

subcommands:
  start                   start (or reuse) a broker and wait until it answers
    --name N                instance name, one folder per instance (default: default)
    --port P                broker listener, the bootstrap address 127.0.0.1:P (default 9092)
    --controller-port P     KRaft controller listener (default 9093)
    --fresh                 restart a running instance and empty its data
    --timeout S             seconds to wait for the broker (default 120)
  stop [--name N]         stop a broker and wait until its ports are closed
    --force                 kill at once instead of a graceful stop
  status [--name N]       show what runs; exit 1 when nothing (or N) is running
  topic create TOPIC      create a topic (an existing one is left as it is)
    --partitions N          partitions (default 1)
    --name N                the local instance to use (default: default)
    --bootstrap HOST:PORT   any broker instead of a local instance`;

const say = (line: string) => console.log(line);

const kafka: Command = async (args) => {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'start':
      return await start(rest);
    case 'stop':
      return await stop(rest);
    case 'status':
      return await status(rest);
    case 'topic':
      return await topic(rest);
    case undefined:
      throw usageError('a subcommand is required', USAGE);
    case 'help':
    case '-h':
    case '--help':
      console.log(USAGE);
      return 0;
    default:
      throw usageError(`unknown subcommand "${sub}"`, USAGE);
  }
};

export default kafka;

async function start(args: string[]): Promise<number> {
  const { values } = parseFlags(USAGE, {
    args,
    options: {
      name: { type: 'string' },
      port: { type: 'string' },
      'controller-port': { type: 'string' },
      fresh: { type: 'boolean' },
      timeout: { type: 'string' },
    },
  });
  const broker = await startKafka({
    ...(values.name === undefined ? {} : { name: values.name }),
    ports: {
      broker: number('--port', values.port),
      controller: number('--controller-port', values['controller-port']),
    },
    fresh: values.fresh === true,
    ...(values.timeout === undefined ? {} : { timeoutMs: (number('--timeout', values.timeout) ?? 0) * 1000 }),
    log: say,
  });
  say(`bootstrap ${broker.bootstrap}`);
  say(
    `create topics with: graylane kafka topic create TOPIC [--partitions N]${broker.name === 'default' ? '' : ` --name ${broker.name}`}`,
  );
  return 0;
}

async function stop(args: string[]): Promise<number> {
  const { values } = parseFlags(USAGE, {
    args,
    options: { name: { type: 'string' }, force: { type: 'boolean' } },
  });
  const name = values.name ?? 'default';
  const stopped = await stopKafka({ name, force: values.force === true, log: say });
  say(stopped ? `Kafka "${name}" stopped` : `Kafka "${name}" was not running`);
  return 0;
}

async function status(args: string[]): Promise<number> {
  const { values } = parseFlags(USAGE, { args, options: { name: { type: 'string' } } });
  const instances = await kafkaStatus(values.name === undefined ? {} : { name: values.name });
  if (instances.length === 0) {
    say(values.name === undefined ? 'no local Kafka has been started' : `Kafka "${values.name}" is unknown`);
    return 1;
  }
  for (const instance of instances) say(describe(instance));
  return instances.some((instance) => instance.state === 'running') ? 0 : 1;
}

async function topic(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(USAGE, {
    args,
    allowPositionals: true,
    options: { name: { type: 'string' }, bootstrap: { type: 'string' }, partitions: { type: 'string' } },
  });
  const [action, topicName, ...extra] = positionals;
  if (action !== 'create' || topicName === undefined || extra.length > 0) {
    throw usageError('expected "topic create TOPIC"', USAGE);
  }
  const partitions = number('--partitions', values.partitions);
  await createKafkaTopic({
    topic: topicName,
    ...(partitions === undefined ? {} : { partitions }),
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values.bootstrap === undefined ? {} : { bootstrap: values.bootstrap }),
  });
  say(
    `topic ${topicName} is there${partitions === undefined ? '' : ` (${partitions} partitions when created)`}`,
  );
  return 0;
}

function describe(instance: KafkaInstanceStatus): string {
  return [
    `Kafka "${instance.name}": ${instance.state}${instance.pid === undefined ? '' : ` (pid ${instance.pid})`}`,
    `  bootstrap   ${instance.bootstrap}`,
    `  controller  127.0.0.1:${instance.ports.controller}`,
    `  output      ${instance.outFile}`,
  ].join('\n');
}

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usageError(`${flag} "${value}" is not a number`, USAGE);
  return Number(value);
}
