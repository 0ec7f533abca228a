import type {
  ConfigChange,
  ConfigSnapshot,
  GatewayRoute,
  Instance,
  Lane,
  MessageGrayscale,
  Resource,
} from '@graylane/core';
import type { NamespaceData } from '../store/store.js';

/** Something a change can be written to: one watch stream. */
export interface Watcher {
  send(frame: string): void;
}

/** An event on the watch stream, serialised once however many watchers read it. */
export function frame(event: 'snapshot' | 'change', version: number, data: string): string {
  return `event: ${event}\nid: ${version}\ndata: ${data}\n\n`;
}

/**
 * The live configuration of one namespace in memory: what a snapshot is built
 * from, the last changes (so a reconnecting watcher resumes without a snapshot),
 * and the watchers to tell. Maps rather than arrays: with thousands of instances
 * a change must not copy the whole list.
 */
export class NamespaceState {
  version: number;
  readonly lanes = new Map<string, Lane>();
  readonly messageGrayscale = new Map<string, MessageGrayscale>();
  readonly gatewayRoutes = new Map<string, GatewayRoute>();
  readonly instances = new Map<string, Instance>();
  readonly apps = new Set<string>();
  readonly watchers = new Set<Watcher>();
  private readonly recent: Array<{ version: number; frame: string }> = [];
  private cached: { version: number; frame: string } | undefined;

  constructor(
    readonly name: string,
    data: NamespaceData,
    private readonly historySize: number,
  ) {
    this.version = data.version;
    for (const r of data.resources) this.put(r);
    for (const i of data.instances) this.instances.set(i.id, i);
    for (const a of data.apps) this.apps.add(a);
  }

  private listOf(kind: Resource['kind']): Map<string, Resource> {
    if (kind === 'Lane') return this.lanes;
    if (kind === 'MessageGrayscale') return this.messageGrayscale;
    return this.gatewayRoutes;
  }

  private put(resource: Resource): void {
    this.listOf(resource.kind).set(resource.metadata.name, resource);
  }

  /** Applies the next change and tells every watcher. The caller keeps changes in order. */
  apply(change: ConfigChange): void {
    switch (change.type) {
      case 'put':
        this.put(change.resource);
        break;
      case 'delete':
        this.listOf(change.kind).delete(change.name);
        break;
      case 'instance-put':
        this.instances.set(change.instance.id, { ...change.instance });
        this.apps.add(change.instance.app);
        break;
      case 'instance-delete':
        this.instances.delete(change.id);
        break;
    }
    this.version = change.version;
    const text = frame('change', change.version, JSON.stringify(change));
    this.recent.push({ version: change.version, frame: text });
    if (this.recent.length > this.historySize) this.recent.splice(0, this.recent.length - this.historySize);
    for (const w of this.watchers) w.send(text);
  }

  /** The frames after `since`, or undefined when they are no longer all in memory. */
  framesAfter(since: number): string[] | undefined {
    if (since === this.version) return [];
    if (since > this.version) return undefined;
    const first = this.recent[0];
    if (first === undefined || first.version > since + 1) return undefined;
    return this.recent.filter((r) => r.version > since).map((r) => r.frame);
  }

  snapshot(): ConfigSnapshot {
    const instances: Record<string, Instance[]> = {};
    for (const i of this.instances.values()) {
      const list = instances[i.app] ?? [];
      list.push(i);
      instances[i.app] = list;
    }
    return {
      namespace: this.name,
      version: this.version,
      lanes: [...this.lanes.values()],
      messageGrayscale: [...this.messageGrayscale.values()],
      gatewayRoutes: [...this.gatewayRoutes.values()],
      instances,
    };
  }

  /** The snapshot event, built once per version however many watchers connect. */
  snapshotFrame(): string {
    if (this.cached?.version !== this.version) {
      this.cached = {
        version: this.version,
        frame: frame('snapshot', this.version, JSON.stringify(this.snapshot())),
      };
    }
    return this.cached.frame;
  }
}
