import { parseFlags, usageError } from '../command-failure.js';
import type { Command } from '../main.js';
import { createTopic, type TopicMessageType } from '../rocketmq/create-topic.js';
import { type InstanceStatus, rocketmqStatus } from '../rocketmq/rocketmq-status.js';
import { startRocketMQ } from '../rocketmq/start-rocketmq.js';
import { stopRocketMQ } from '../rocketmq/stop-rocketmq.js';

const USAGE = `usage: graylane rocketmq <subcommand> [options]

A local RocketMQ 5.3.3 (name server + proxy in local mode with the broker inside) for
development and tests. Jars come from Maven Central once; everything lives in
.cache/rocketmq (or $GRAYLANE_CACHE/rocketmq).

subcommands:
  start                 start (or reuse) a broker and wait until it answers
    --name N              instance name, one folder per instance (default: default)
    --namesrv-port P      name server (default 9876)
    --proxy-port P        proxy gRPC, the client endpoint (default 8081)
    --remoting-port P     proxy remoting (default 8080)
    --broker-port P       broker listenPort; P-2 and P+1 are used too (default 10911)
    --no-property-filter  broker with enablePropertyFilter=false: 4.x remoting consumers are refused
                          SQL92; 5.x gRPC receives (rocketmq-client-nodejs) still filter
    --fresh               restart a running instance and empty its store
    --timeout S           seconds to wait for the broker (default 120)
  stop [--name N]       stop a broker and wait until its ports are closed
    --force               kill at once instead of the graceful 10-15 s stop
  status [--name N]     show what runs; exit 1 when nothing (or N) is running
  topic create TOPIC    create a topic on a running broker
    --name N              the local instance to use (default: default)
    --namesrv HOST:PORT   any name server instead of a local instance
    --cluster C           cluster (default DefaultCluster)
    --type T              NORMAL (default), FIFO, DELAY or TRANSACTION`;

const say = (line: string) => console.log(line);

const rocketmq: Command = async (args) => {
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

export default rocketmq;

async function start(args: string[]): Promise<number> {
  const { values } = parseFlags(USAGE, {
    args,
    options: {
      name: { type: 'string' },
      'namesrv-port': { type: 'string' },
      'proxy-port': { type: 'string' },
      'remoting-port': { type: 'string' },
      'broker-port': { type: 'string' },
      'no-property-filter': { type: 'boolean' },
      fresh: { type: 'boolean' },
      timeout: { type: 'string' },
    },
  });
  const broker = await startRocketMQ({
    ...(values.name === undefined ? {} : { name: values.name }),
    ports: {
      namesrv: port(values['namesrv-port']),
      proxy: port(values['proxy-port']),
      remoting: port(values['remoting-port']),
      broker: port(values['broker-port']),
    },
    propertyFilter: values['no-property-filter'] !== true,
    fresh: values.fresh === true,
    ...(values.timeout === undefined ? {} : { timeoutMs: seconds(values.timeout) * 1000 }),
    log: say,
  });
  say(
    `name server ${broker.namesrv}, client endpoints ${broker.endpoints} (SQL92 ${onOff(broker.propertyFilter)})`,
  );
  say(`create topics with: graylane rocketmq topic create TOPIC${nameFlag(broker.name)}`);
  return 0;
}

async function stop(args: string[]): Promise<number> {
  const { values } = parseFlags(USAGE, {
    args,
    options: { name: { type: 'string' }, force: { type: 'boolean' } },
  });
  const name = values.name ?? 'default';
  const stopped = await stopRocketMQ({ name, force: values.force === true, log: say });
  say(stopped ? `RocketMQ "${name}" stopped` : `RocketMQ "${name}" was not running`);
  return 0;
}

async function status(args: string[]): Promise<number> {
  const { values } = parseFlags(USAGE, { args, options: { name: { type: 'string' } } });
  const instances = await rocketmqStatus(values.name === undefined ? {} : { name: values.name });
  if (instances.length === 0) {
    say(
      values.name === undefined
        ? 'no local RocketMQ has been started'
        : `RocketMQ "${values.name}" is unknown`,
    );
    return 1;
  }
  for (const instance of instances) say(describe(instance));
  return instances.some((instance) => instance.state === 'running') ? 0 : 1;
}

async function topic(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(USAGE, {
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      namesrv: { type: 'string' },
      cluster: { type: 'string' },
      type: { type: 'string' },
    },
  });
  const [action, topicName, ...extra] = positionals;
  if (action !== 'create' || topicName === undefined || extra.length > 0) {
    throw usageError('expected "topic create TOPIC"', USAGE);
  }
  const type = values.type?.toUpperCase();
  if (type !== undefined && !['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION'].includes(type)) {
    throw usageError(`--type must be NORMAL, FIFO, DELAY or TRANSACTION, not "${values.type}"`, USAGE);
  }
  await createTopic({
    topic: topicName,
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values.namesrv === undefined ? {} : { namesrv: values.namesrv }),
    ...(values.cluster === undefined ? {} : { cluster: values.cluster }),
    ...(type === undefined ? {} : { messageType: type as TopicMessageType }),
  });
  say(`topic ${topicName} created`);
  return 0;
}

function describe(instance: InstanceStatus): string {
  const pid = (value: number | undefined) => (value === undefined ? 'not running' : `pid ${value}`);
  return [
    `RocketMQ "${instance.name}": ${instance.state} (SQL92 property filter ${onOff(instance.propertyFilter)})`,
    `  name server     ${instance.namesrv.padEnd(16)} ${pid(instance.namesrvPid)}`,
    `  proxy gRPC      ${instance.endpoints.padEnd(16)} ${pid(instance.proxyPid)} (client endpoints)`,
    `  proxy remoting  127.0.0.1:${instance.ports.remoting}`,
    `  broker          127.0.0.1:${instance.ports.broker}`,
    `  logs            ${instance.logDir}`,
  ].join('\n');
}

function port(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    throw usageError(`port "${value}" is not a number`, USAGE);
  }
  return Number(value);
}

function seconds(value: string): number {
  if (!/^\d+$/.test(value)) {
    throw usageError(`--timeout "${value}" is not a number of seconds`, USAGE);
  }
  return Number(value);
}

function onOff(value: boolean): string {
  return value ? 'on' : 'off';
}

function nameFlag(name: string): string {
  return name === 'default' ? '' : ` --name ${name}`;
}
