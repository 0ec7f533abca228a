import { join } from 'node:path';
import { GraylaneError } from '@graylane/core';
import type { RocketMQPaths } from './rocketmq-paths.js';

export interface RocketMQPorts {
  /** Name server (remoting protocol). */
  namesrv: number;
  /** Proxy gRPC: the endpoint of rocketmq-client-nodejs and the other 5.x clients. */
  proxy: number;
  /** Proxy remoting: for 4.x-style remoting clients. */
  remoting: number;
  /** Broker `listenPort`; the broker also binds `broker - 2` (fast/VIP channel) and `broker + 1` (HA). */
  broker: number;
}

export const defaultPorts: RocketMQPorts = { namesrv: 9876, proxy: 8081, remoting: 8080, broker: 10911 };

/** One local broker: name server + proxy (with the broker inside) sharing a state folder. */
export interface RocketMQInstance {
  name: string;
  ports: RocketMQPorts;
  propertyFilter: boolean;
  /** `<cache>/rocketmq/run/<name>`: pid files, configs, `*.out`, and `home/` (logs, store). */
  dir: string;
}

export interface InstanceOptions {
  /** Instance name, also its folder: `[a-z0-9][a-z0-9_-]*`. Default `default`. */
  name?: string;
  ports?: Partial<RocketMQPorts>;
  /** `enablePropertyFilter` of the broker (SQL92 subscriptions); default true. */
  propertyFilter?: boolean;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export function resolveInstance(paths: RocketMQPaths, options: InstanceOptions = {}): RocketMQInstance {
  const name = options.name ?? 'default';
  if (!NAME.test(name)) {
    throw new GraylaneError(
      'GL_BROKER_START_FAILED',
      `instance name "${name}" is not allowed: use lower-case letters, digits, "-" and "_" (at most 40)`,
    );
  }
  const ports = { ...defaultPorts, ...stripUndefined(options.ports ?? {}) };
  for (const [role, port] of Object.entries(ports)) {
    const low = role === 'broker' ? 3 : 1;
    if (!Number.isInteger(port) || port < low || port > 65534) {
      throw new GraylaneError('GL_BROKER_START_FAILED', `${role} port ${port} is not a usable port number`);
    }
  }
  const instance = {
    name,
    ports,
    propertyFilter: options.propertyFilter ?? true,
    dir: join(paths.runDir, name),
  };
  const seen = new Map<number, string>();
  for (const { port, role } of instancePorts(instance)) {
    const other = seen.get(port);
    if (other !== undefined) {
      throw new GraylaneError(
        'GL_BROKER_START_FAILED',
        `${role} and ${other} would both use port ${port}: choose other ports`,
      );
    }
    seen.set(port, role);
  }
  return instance;
}

/** Every port the instance listens on, with what it is for (for messages and checks). */
export function instancePorts(instance: Pick<RocketMQInstance, 'ports'>): { port: number; role: string }[] {
  const { namesrv, proxy, remoting, broker } = instance.ports;
  return [
    { port: namesrv, role: 'name server' },
    { port: proxy, role: 'proxy gRPC' },
    { port: remoting, role: 'proxy remoting' },
    { port: broker, role: 'broker' },
    { port: broker - 2, role: 'broker fast channel (broker port - 2)' },
    { port: broker + 1, role: 'broker HA (broker port + 1)' },
  ];
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
