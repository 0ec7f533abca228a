import { listInstances, loadInstance, runningPid } from './instance-state.js';
import { isPortOpen } from './is-port-open.js';
import type { RocketMQInstance } from './rocketmq-instance.js';
import { resolveCacheRoot, rocketmqPaths } from './rocketmq-paths.js';
import { instanceFiles } from './write-instance-config.js';

export interface InstanceStatus extends RocketMQInstance {
  /** `running`: both JVMs live and the proxy answers; `partial`: something is left of it. */
  state: 'running' | 'partial' | 'stopped';
  namesrvPid?: number;
  proxyPid?: number;
  namesrv: string;
  endpoints: string;
  logDir: string;
}

export interface RocketMQStatusOptions {
  /** One instance; all known instances when omitted. */
  name?: string;
  cacheRoot?: string;
}

/** What runs, per instance folder under `<cache>/rocketmq/run`. */
export async function rocketmqStatus(options: RocketMQStatusOptions = {}): Promise<InstanceStatus[]> {
  const { runDir } = rocketmqPaths(options.cacheRoot ?? resolveCacheRoot());
  const instances =
    options.name === undefined
      ? await listInstances(runDir)
      : [await loadInstance(runDir, options.name)].filter((instance) => instance !== undefined);
  return Promise.all(instances.map(statusOf));
}

async function statusOf(instance: RocketMQInstance): Promise<InstanceStatus> {
  const [namesrvPid, proxyPid, namesrvOpen, proxyOpen] = await Promise.all([
    runningPid(instance, 'namesrv'),
    runningPid(instance, 'proxy'),
    isPortOpen(instance.ports.namesrv),
    isPortOpen(instance.ports.proxy),
  ]);
  const all = namesrvPid !== undefined && proxyPid !== undefined && namesrvOpen && proxyOpen;
  const any = namesrvPid !== undefined || proxyPid !== undefined;
  return {
    ...instance,
    state: all ? 'running' : any ? 'partial' : 'stopped',
    ...(namesrvPid === undefined ? {} : { namesrvPid }),
    ...(proxyPid === undefined ? {} : { proxyPid }),
    namesrv: `127.0.0.1:${instance.ports.namesrv}`,
    endpoints: `127.0.0.1:${instance.ports.proxy}`,
    logDir: instanceFiles(instance).logDir,
  };
}
