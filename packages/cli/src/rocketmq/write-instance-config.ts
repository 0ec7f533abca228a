import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RocketMQInstance } from './rocketmq-instance.js';

export interface InstanceFiles {
  namesrvConf: string;
  brokerConf: string;
  proxyConf: string;
  /** `user.home` of the JVMs: RocketMQ puts `logs/rocketmqlogs` and `store` there. */
  home: string;
  store: string;
  logDir: string;
}

export function instanceFiles(instance: RocketMQInstance): InstanceFiles {
  const home = join(instance.dir, 'home');
  return {
    namesrvConf: join(instance.dir, 'namesrv.properties'),
    brokerConf: join(instance.dir, 'broker.conf'),
    proxyConf: join(instance.dir, 'rmq-proxy.json'),
    home,
    store: join(home, 'store'),
    logDir: join(home, 'logs', 'rocketmqlogs'),
  };
}

/** Writes the three config files of an instance; written on every start so flags always apply. */
export async function writeInstanceConfig(instance: RocketMQInstance): Promise<InstanceFiles> {
  const files = instanceFiles(instance);
  await mkdir(files.home, { recursive: true });
  const namesrv = `127.0.0.1:${instance.ports.namesrv}`;
  await writeFile(
    files.namesrvConf,
    lines({
      listenPort: instance.ports.namesrv,
      // The proxy's own ports cannot be bound to loopback in 5.3.3; the name server and broker can.
      bindAddress: '127.0.0.1',
    }),
  );
  await writeFile(
    files.brokerConf,
    lines({
      brokerClusterName: 'DefaultCluster',
      brokerName: `broker-${instance.name}`,
      brokerId: 0,
      brokerIP1: '127.0.0.1',
      bindAddress: '127.0.0.1',
      listenPort: instance.ports.broker,
      namesrvAddr: namesrv,
      storePathRootDir: files.store,
      storePathCommitLog: join(files.store, 'commitlog'),
      enablePropertyFilter: instance.propertyFilter,
      // Topics are created on purpose (topic create); a typo must not silently make a new one.
      autoCreateTopicEnable: false,
      autoCreateSubscriptionGroup: true,
      // Small files keep a development broker to a few hundred MB of disk (defaults: 1 GB commit log files).
      mappedFileSizeCommitLog: 64 * 1024 * 1024,
      mappedFileSizeConsumeQueue: 60_000 * 20,
      maxIndexNum: 100_000,
      maxHashSlotNum: 50_000,
      fileReservedTime: 24,
      flushDiskType: 'ASYNC_FLUSH',
    }),
  );
  await writeFile(
    files.proxyConf,
    `${JSON.stringify(
      {
        rocketMQClusterName: 'DefaultCluster',
        namesrvAddr: namesrv,
        grpcServerPort: instance.ports.proxy,
        remotingListenPort: instance.ports.remoting,
        // A development broker should stop at once, not drain gRPC calls for 30 s.
        grpcShutdownTimeSeconds: 1,
      },
      null,
      2,
    )}\n`,
  );
  return files;
}

function lines(values: Record<string, string | number | boolean>): string {
  return `${Object.entries(values)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}
