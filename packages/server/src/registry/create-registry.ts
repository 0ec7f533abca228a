import { GraylaneError, type Instance } from '@graylane/core';
import { assertActsFor, assertOwns, instanceGuard, ownerOf } from '../auth/agent-scope.js';
import type { Principal } from '../auth/create-auth.js';
import type { ConfigHub } from '../hub/create-config-hub.js';
import type { Store } from '../store/store.js';
import type { HeartbeatBody, RegisterBody } from './registry-schemas.js';

export interface Registry {
  register(namespace: string, body: RegisterBody, by: Principal): Promise<Instance>;
  heartbeat(namespace: string, id: string, body: HeartbeatBody | undefined, by: Principal): Promise<void>;
  deregister(namespace: string, id: string, by: Principal): Promise<boolean>;
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
  // Who registered each instance, as far as this replica knows; heartbeats check it without a query.
  const owners = new Map<string, string | null>();
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
    const expired = await store.expireInstances(now - ttlMs);
    for (const { namespace, change } of expired)
      if (change.type === 'instance-delete') owners.delete(`${namespace}\0${change.id}`);
    await hub.publish(expired);
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

  async function put(instance: Instance, by: Principal): Promise<Instance> {
    const key = `${instance.namespace}\0${instance.id}`;
    const owner = ownerOf(by);
    await hub.publish([await store.putInstance(instance, by.name, owner, instanceGuard(by, instance.id))]);
    if (owner !== undefined) owners.set(key, owner);
    else owners.delete(key);
    return instance;
  }

  async function ownerKnown(namespace: string, id: string): Promise<string | null | undefined> {
    const key = `${namespace}\0${id}`;
    if (owners.has(key)) return owners.get(key);
    const owner = await store.instanceOwner(namespace, id);
    if (owner !== undefined) owners.set(key, owner);
    return owner;
  }

  return {
    ttlMs,
    flush,
    async register(namespace, body, by) {
      assertActsFor(by, body.app);
      const instance: Instance = { ...body, namespace, lastHeartbeat: Date.now() };
      const state = await hub.space(namespace);
      const current = state.instances.get(body.id);
      if (current !== undefined && !differs(current, instance)) {
        assertOwns(by, body.id, await ownerKnown(namespace, body.id));
        current.lastHeartbeat = instance.lastHeartbeat;
        pending.set(`${namespace}\0${body.id}`, { namespace, id: body.id, at: instance.lastHeartbeat });
        return current;
      }
      return put(instance, by);
    },

    async heartbeat(namespace, id, body, by) {
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
      assertActsFor(by, current.app);
      if (by.role === 'agent') assertOwns(by, id, await ownerKnown(namespace, id));
      const next = { ...current, ...body, lastHeartbeat: now };
      if (body !== undefined && differs(current, next)) {
        await put(next, by);
        return;
      }
      current.lastHeartbeat = now;
      pending.set(`${namespace}\0${id}`, { namespace, id, at: now });
    },

    async deregister(namespace, id, by) {
      const change = await store.deleteInstance(namespace, id, by.name, instanceGuard(by, id));
      pending.delete(`${namespace}\0${id}`);
      owners.delete(`${namespace}\0${id}`);
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
