import type { Instance } from '@graylane/core';
import { Pool } from 'undici';

/** Keep-alive connection pools, one per upstream origin, closed when their instance leaves the registry. */
export interface UpstreamPools {
  get(instance: Instance, port: number): Pool;
  /** Closes the pools of origins no longer listed. */
  retain(instances: Iterable<readonly Instance[]>): void;
  close(): Promise<void>;
}

export const originOf = (instance: Instance, port: number) =>
  `http://${instance.address.includes(':') ? `[${instance.address}]` : instance.address}:${port}`;

export function createUpstreamPools(options: Pool.Options = {}): UpstreamPools {
  const pools = new Map<string, Pool>();
  return {
    get(instance, port) {
      const origin = originOf(instance, port);
      let pool = pools.get(origin);
      if (pool === undefined) {
        pool = new Pool(origin, {
          connections: 256,
          pipelining: 1,
          keepAliveTimeout: 4_000,
          connectTimeout: 3_000,
          ...options,
        });
        pools.set(origin, pool);
      }
      return pool;
    },
    retain(instances) {
      const live = new Set<string>();
      for (const list of instances) {
        for (const i of list) if (i.ports.http !== undefined) live.add(originOf(i, i.ports.http));
      }
      for (const [origin, pool] of pools) {
        if (live.has(origin)) continue;
        pools.delete(origin);
        // In-flight requests finish; new ones go elsewhere.
        void pool.close().catch(() => {});
      }
    },
    async close() {
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((p) => p.destroy().catch(() => {})));
    },
  };
}
