import { GraylaneError, type Instance } from '@graylane/core';
import type { ConfigHub } from '../hub/create-config-hub.js';
import type { Store } from '../store/store.js';
import type { HeartbeatBody, RegisterBody } from './registry-schemas.js';

export interface Registry {
  register(namespace: string, body: RegisterBody, actor: string): Promise<Instance>;
  heartbeat(namespace: string, id: string, body: HeartbeatBody | undefined, actor: string): Promise<void>;
  deregister(namespace: string, id: string, actor: string): Promise<boolean>;
  readonly ttlMs: number;
  /** Writes pending heartbeats; called on close so a restart loses nothing. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** True when `next` differs from `current` in more than its heartbeat time. */
function differs(current: Instance, next: Instance): boolean {
  return (
    current.app !== next.app ||
    current.tag !== next.tag ||
    current.address !== next.address ||
    !sameJson(current.ports, next.ports) ||
    !sameJson(current.protocols, next.protocols) ||
    !sameJson(current.consumerGroups, next.consumerGroups) ||
    !sameJson(current.metadata, next.metadata)
  );
}

/**
 * Instances in memory (the hub's namespace state), persisted through the store.
 * A heartbeat only touches memory; the times are written in batches and expiry
 * runs on a timer, so thousands of instances cost one small write a second.
 */
export function createRegistry(store: Store, hub: ConfigHub, ttlMs: number): Registry {
  const pending = new Map<string, { namespace: string; id: string; at: number }>();
  const startedAt = Date.now();
  // Short enough that a heartbeat taken by one replica is in the database long
  // before another replica could judge the instance expired.
  const sweepMs = Math.max(100, Math.min(2000, Math.floor(ttlMs / 4)));
  let sweeping: Promise<void> | undefined;

  async function flush(): Promise<void> {
    if (pending.size === 0) return;
    const beats = [...pending.values()];
    pending.clear();
    await store.touchInstances(beats);
  }

  async function sweep(): Promise<void> {
    await flush();
    // Expiry waits one TTL after start: agents alive during a restart get the time to heartbeat again.
    const now = Date.now();
    if (now - startedAt < ttlMs) return;
    await hub.publish(await store.expireInstances(now - ttlMs));
  }

  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = sweep()
      .catch(() => undefined)
      .finally(() => {
        sweeping = undefined;
      });
  }, sweepMs);
  timer.unref();

  async function put(instance: Instance, actor: string): Promise<Instance> {
    await hub.publish([await store.putInstance(instance, actor)]);
    return instance;
  }

  return {
    ttlMs,
    flush,
    async register(namespace, body, actor) {
      const instance: Instance = { ...body, namespace, lastHeartbeat: Date.now() };
      const state = await hub.space(namespace);
      const current = state.instances.get(body.id);
      if (current !== undefined && !differs(current, instance)) {
        current.lastHeartbeat = instance.lastHeartbeat;
        pending.set(`${namespace}\0${body.id}`, { namespace, id: body.id, at: instance.lastHeartbeat });
        return current;
      }
      return put(instance, actor);
    },

    async heartbeat(namespace, id, body, actor) {
      const now = Date.now();
      const state = await hub.space(namespace);
      // Another replica may have taken the registration a moment ago: ask the store before saying "unknown".
      const current = state.instances.get(id) ?? (await store.getInstance(namespace, id));
      if (current === undefined) {
        throw new GraylaneError(
          'GL_INSTANCE_UNKNOWN',
          `instance "${id}" is not registered in namespace "${namespace}" (it expired or was never registered): register it again`,
        );
      }
      const next = { ...current, ...body, lastHeartbeat: now };
      if (body !== undefined && differs(current, next)) {
        await put(next, actor);
        return;
      }
      current.lastHeartbeat = now;
      pending.set(`${namespace}\0${id}`, { namespace, id, at: now });
    },

    async deregister(namespace, id, actor) {
      pending.delete(`${namespace}\0${id}`);
      const change = await store.deleteInstance(namespace, id, actor);
      if (change === undefined) return false;
      await hub.publish([change]);
      return true;
    },

    async close() {
      clearInterval(timer);
      await sweeping;
      await flush();
    },
  };
}
