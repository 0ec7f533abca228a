import { GraylaneError, type Resource, type RolloutStatus } from '@graylane/core';
import type { ServerContext } from '../server-context.js';

/** `namespace/lane` of every Lane a stored Rollout drives in these namespaces. */
export async function ownedLanes(app: ServerContext, namespaces: readonly string[]): Promise<Set<string>> {
  const owned = new Set<string>();
  for (const ns of new Set(namespaces)) {
    const state = await app.hub.space(ns);
    for (const r of state.rollouts.values()) owned.add(`${ns}/${r.spec.lane}`);
  }
  return owned;
}

/** One lane, one driver: two Rollouts moving the same weight would fight over it. */
export async function checkRolloutOwnership(
  app: ServerContext,
  resources: readonly Resource[],
): Promise<void> {
  const drivers = new Map<string, string>();
  for (const r of resources) {
    if (r.kind !== 'Rollout') continue;
    const { namespace, name } = r.metadata;
    const key = `${namespace}/${r.spec.lane}`;
    let other = drivers.get(key);
    if (other === undefined) {
      const state = await app.hub.space(namespace);
      other = [...state.rollouts.values()].find(
        (s) => s.spec.lane === r.spec.lane && s.metadata.name !== name,
      )?.metadata.name;
    }
    if (other !== undefined && other !== name) {
      throw new GraylaneError(
        'GL_ROLLOUT_LANE_TAKEN',
        `Rollout/${other} already drives Lane/${r.spec.lane} in namespace ${namespace}: delete it, or name another lane`,
        {
          issues: [{ document: `Rollout/${name}`, path: 'spec.lane', message: `driven by Rollout/${other}` }],
        },
      );
    }
    drivers.set(key, name);
  }
}

/** Rollouts as the API shows them: with the controller's status. */
export async function withStatus(
  app: ServerContext,
  resources: readonly Resource[],
): Promise<Array<Resource | (Resource & { status?: RolloutStatus })>> {
  return Promise.all(
    resources.map(async (r) => {
      if (r.kind !== 'Rollout') return r;
      const status = await app.store.getRolloutStatus(r.metadata.namespace, r.metadata.name);
      return status ? { ...r, status } : r;
    }),
  );
}
