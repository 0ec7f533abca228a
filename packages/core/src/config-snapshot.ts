import type { GatewayRoute, Lane, MessageGrayscale, Resource } from './resources.js';

/** One running process of an app, as the registry knows it. */
export interface Instance {
  /** Stable id chosen by the agent (survives reconnects), unique in the namespace. */
  id: string;
  app: string;
  namespace: string;
  /** '' for baseline. */
  tag: string;
  /** IP address or host name other services reach it at. */
  address: string;
  /** Listening ports by protocol, e.g. `{ http: 8080, grpc: 50051 }`. */
  ports: Record<string, number>;
  /** Protocols the instance serves or speaks (`http`, `grpc`, `rocketmq`, ...), for display and routing hints. */
  protocols?: string[];
  /** Consumer groups this instance consumes from (for message grayscale auto mode). */
  consumerGroups?: string[];
  metadata?: Record<string, string>;
  /** Epoch milliseconds of the last heartbeat. */
  lastHeartbeat: number;
}

/** Everything an agent or gateway needs to route in one namespace, at one version. */
export interface ConfigSnapshot {
  namespace: string;
  /** Grows with every change; a watcher resumes from the last version it saw. */
  version: number;
  lanes: Lane[];
  messageGrayscale: MessageGrayscale[];
  gatewayRoutes: GatewayRoute[];
  /** Live instances by app name. */
  instances: Record<string, Instance[]>;
}

export function emptySnapshot(namespace: string): ConfigSnapshot {
  return { namespace, version: 0, lanes: [], messageGrayscale: [], gatewayRoutes: [], instances: {} };
}

/** One change on the watch stream after the initial snapshot. */
export type ConfigChange =
  | { version: number; type: 'put'; resource: Lane | MessageGrayscale | GatewayRoute }
  | { version: number; type: 'delete'; kind: 'Lane' | 'MessageGrayscale' | 'GatewayRoute'; name: string }
  | { version: number; type: 'instance-put'; instance: Instance }
  | { version: number; type: 'instance-delete'; app: string; id: string };

const listKey = {
  Lane: 'lanes',
  MessageGrayscale: 'messageGrayscale',
  GatewayRoute: 'gatewayRoutes',
} as const;

function upsert<T extends { metadata: { name: string } }>(list: readonly T[], item: T): T[] {
  const rest = list.filter((x) => x.metadata.name !== item.metadata.name);
  return [...rest, item];
}

/**
 * Applies one change to a snapshot and returns the new snapshot (the input is not
 * modified). Changes at or below the snapshot's version are ignored, so replaying
 * a change after a reconnect is harmless.
 */
export function applyChange(snapshot: ConfigSnapshot, change: ConfigChange): ConfigSnapshot {
  if (change.version <= snapshot.version) return snapshot;
  const next: ConfigSnapshot = { ...snapshot, version: change.version };
  switch (change.type) {
    case 'put': {
      const key = listKey[change.resource.kind];
      (next as unknown as Record<string, unknown>)[key] = upsert(
        snapshot[key] as Array<typeof change.resource>,
        change.resource,
      );
      return next;
    }
    case 'delete': {
      const key = listKey[change.kind];
      (next as unknown as Record<string, unknown>)[key] = (snapshot[key] as Resource[]).filter(
        (r) => r.metadata.name !== change.name,
      );
      return next;
    }
    case 'instance-put': {
      const app = change.instance.app;
      const list = (snapshot.instances[app] ?? []).filter((i) => i.id !== change.instance.id);
      next.instances = { ...snapshot.instances, [app]: [...list, change.instance] };
      return next;
    }
    case 'instance-delete': {
      const list = (snapshot.instances[change.app] ?? []).filter((i) => i.id !== change.id);
      const instances = { ...snapshot.instances, [change.app]: list };
      if (list.length === 0) delete instances[change.app];
      next.instances = instances;
      return next;
    }
  }
}
