import {
  type ConfigChange,
  type ConfigSnapshot,
  effectiveLane,
  type GatewayRoute,
  type Instance,
  type Lane,
  type MessageGrayscale,
  type Resource,
  type Rollout,
  type RolloutStatus,
} from '@graylane/core';
import type { NamespaceData, StoredChange } from '../store/store.js';

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
  readonly rollouts = new Map<string, Rollout>();
  readonly rolloutStatus = new Map<string, RolloutStatus>();
  /** The effective Lane agents were last sent, as JSON, by lane name. */
  private readonly shown = new Map<string, string>();
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
    for (const [name, status] of Object.entries(data.rolloutStatus)) this.rolloutStatus.set(name, status);
    for (const lane of this.lanes.values())
      this.shown.set(lane.metadata.name, JSON.stringify(this.effective(lane)));
    for (const i of data.instances) this.instances.set(i.id, i);
    for (const a of data.apps) this.apps.add(a);
  }

  private listOf(kind: Resource['kind']): Map<string, Resource> {
    if (kind === 'Lane') return this.lanes;
    if (kind === 'MessageGrayscale') return this.messageGrayscale;
    if (kind === 'Rollout') return this.rollouts;
    return this.gatewayRoutes;
  }

  private put(resource: Resource): void {
    this.listOf(resource.kind).set(resource.metadata.name, resource);
  }

  /** The Rollout that drives a lane (its weight), if any. */
  ownerOf(laneName: string): Rollout | undefined {
    for (const r of this.rollouts.values()) if (r.spec.lane === laneName) return r;
    return undefined;
  }

  /** A lane as agents see it: with its rollout's weight while one drives it. */
  effective(lane: Lane): Lane {
    const owner = this.ownerOf(lane.metadata.name);
    return effectiveLane(lane, owner && { status: this.rolloutStatus.get(owner.metadata.name) });
  }

  /**
   * What watchers get for a stored change. Rollout changes never leave the
   * control plane: they become a put of the Lane whose weight they change, at
   * the same version (or nothing when that lane does not exist).
   */
  private routingChange(change: StoredChange, lanesBefore: string | undefined): ConfigChange | undefined {
    const laneOf = (name: string | undefined) => (name === undefined ? undefined : this.lanes.get(name));
    switch (change.type) {
      case 'put':
        if (change.resource.kind === 'Lane') return { ...change, resource: this.effective(change.resource) };
        if (change.resource.kind !== 'Rollout') return change as ConfigChange;
        break;
      case 'delete':
        if (change.kind !== 'Rollout') return change as ConfigChange;
        break;
      case 'rollout-status':
        break;
      default:
        return change;
    }
    const names = new Set([lanesBefore, this.laneDrivenBy(change)].filter((n) => n !== undefined));
    const lanes = [...names].map(laneOf).filter((l) => l !== undefined);
    // One change per version: a Rollout moved to another lane updates the first; the other follows on its next change.
    const lane = lanes[0];
    if (lane === undefined) return undefined;
    const resource = this.effective(lane);
    // Most status updates (an analysis run) leave the weight alone: agents need not hear of them.
    if (JSON.stringify(resource) === this.shown.get(lane.metadata.name)) return undefined;
    return { version: change.version, type: 'put', resource };
  }

  private laneDrivenBy(change: StoredChange): string | undefined {
    if (change.type === 'put' && change.resource.kind === 'Rollout') return change.resource.spec.lane;
    if (change.type === 'rollout-status') return this.rollouts.get(change.name)?.spec.lane;
    return undefined;
  }

  /** Applies the next change and tells every watcher. The caller keeps changes in order. */
  apply(change: StoredChange): void {
    let laneBefore: string | undefined;
    switch (change.type) {
      case 'put':
        if (change.resource.kind === 'Rollout')
          laneBefore = this.rollouts.get(change.resource.metadata.name)?.spec.lane;
        this.put(change.resource);
        break;
      case 'delete':
        if (change.kind === 'Rollout') {
          laneBefore = this.rollouts.get(change.name)?.spec.lane;
          this.rolloutStatus.delete(change.name);
        }
        this.listOf(change.kind).delete(change.name);
        break;
      case 'rollout-status':
        if (change.status === null) this.rolloutStatus.delete(change.name);
        else this.rolloutStatus.set(change.name, change.status);
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
    const routing = this.routingChange(change, laneBefore);
    if (routing?.type === 'put' && routing.resource.kind === 'Lane') {
      this.shown.set(routing.resource.metadata.name, JSON.stringify(routing.resource));
    }
    // A change agents do not hear of still takes its version's place, so a watcher resuming after it needs no snapshot.
    const text = routing === undefined ? '' : frame('change', change.version, JSON.stringify(routing));
    this.recent.push({ version: change.version, frame: text });
    if (this.recent.length > this.historySize) this.recent.splice(0, this.recent.length - this.historySize);
    if (text !== '') for (const w of this.watchers) w.send(text);
  }

  /** The frames after `since`, or undefined when they are no longer all in memory. */
  framesAfter(since: number): string[] | undefined {
    if (since === this.version) return [];
    if (since > this.version) return undefined;
    const first = this.recent[0];
    if (first === undefined || first.version > since + 1) return undefined;
    return this.recent.filter((r) => r.version > since && r.frame !== '').map((r) => r.frame);
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
      lanes: [...this.lanes.values()].map((l) => this.effective(l)),
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
