import { join } from 'node:path';
import { GraylaneError } from '@graylane/core';
import type { KafkaPaths } from './kafka-paths.js';

export interface KafkaPorts {
  /** The PLAINTEXT listener: the bootstrap address of clients. */
  broker: number;
  /** The KRaft controller listener (the node is its own single-voter quorum). */
  controller: number;
}

export const defaultKafkaPorts: KafkaPorts = { broker: 9092, controller: 9093 };

/** One local single-node Kafka (broker and controller in one JVM) and its state folder. */
export interface KafkaInstance {
  name: string;
  ports: KafkaPorts;
  /** `<cache>/kafka/run/<name>`: pid file, `server.properties`, `kafka.out`, `data/`. */
  dir: string;
}

export interface KafkaInstanceOptions {
  /** Instance name, also its folder: `[a-z0-9][a-z0-9_-]*`. Default `default`. */
  name?: string;
  ports?: Partial<KafkaPorts>;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export function resolveKafkaInstance(paths: KafkaPaths, options: KafkaInstanceOptions = {}): KafkaInstance {
  const name = options.name ?? 'default';
  if (!NAME.test(name)) {
    throw new GraylaneError(
      'GL_BROKER_START_FAILED',
      `instance name "${name}" is not allowed: use lower-case letters, digits, "-" and "_" (at most 40)`,
    );
  }
  const ports: KafkaPorts = {
    broker: options.ports?.broker ?? defaultKafkaPorts.broker,
    controller: options.ports?.controller ?? defaultKafkaPorts.controller,
  };
  for (const [role, port] of Object.entries(ports)) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new GraylaneError('GL_BROKER_START_FAILED', `${role} port ${port} is not a usable port number`);
    }
  }
  if (ports.broker === ports.controller) {
    throw new GraylaneError(
      'GL_BROKER_START_FAILED',
      `the broker and the controller would both use port ${ports.broker}: choose two ports`,
    );
  }
  return { name, ports, dir: join(paths.runDir, name) };
}

/** Every port the instance listens on, with what it is for (for messages and checks). */
export function kafkaInstancePorts(instance: Pick<KafkaInstance, 'ports'>): { port: number; role: string }[] {
  return [
    { port: instance.ports.broker, role: 'Kafka broker' },
    { port: instance.ports.controller, role: 'Kafka controller' },
  ];
}

/** Files of an instance. */
export function kafkaFiles(instance: Pick<KafkaInstance, 'dir'>) {
  return {
    serverProperties: join(instance.dir, 'server.properties'),
    logConfig: join(instance.dir, 'log4j2.properties'),
    data: join(instance.dir, 'data'),
    pidFile: join(instance.dir, 'kafka.pid'),
    outFile: join(instance.dir, 'kafka.out'),
    saved: join(instance.dir, 'instance.json'),
  };
}
