import type { NamespaceChange, Store } from '../store/store.js';
import { NamespaceState } from './namespace-state.js';

export interface ConfigHub {
  /** The namespace's state, loaded from the store on first use. */
  space(namespace: string): Promise<NamespaceState>;
  /** Namespaces already in memory. */
  loaded(): NamespaceState[];
  /** Changes this replica committed, in commit order. */
  publish(changes: readonly NamespaceChange[]): Promise<void>;
  /** Another replica committed up to `version`: fetch what is missing. */
  notify(namespace: string, version: number): void;
}

/**
 * Keeps every namespace's configuration in memory and in version order. Local
 * commits are applied directly when they are the next version; anything else
 * (another replica's commit, a commit that overtook an earlier one) is read back
 * from the store, so watchers never see a gap or a change twice.
 */
export function createConfigHub(store: Store, historySize = 1000): ConfigHub {
  const spaces = new Map<string, Promise<NamespaceState>>();
  const ready = new Map<string, NamespaceState>();
  const syncing = new Map<string, Promise<void>>();

  function space(namespace: string): Promise<NamespaceState> {
    let p = spaces.get(namespace);
    if (p === undefined) {
      p = store.loadNamespace(namespace).then((data) => {
        const state = new NamespaceState(namespace, data, historySize);
        ready.set(namespace, state);
        return state;
      });
      p.catch(() => spaces.delete(namespace));
      spaces.set(namespace, p);
    }
    return p;
  }

  async function catchUp(state: NamespaceState): Promise<void> {
    const changes = await store.changesSince(state.name, state.version);
    if (changes === undefined) {
      // History pruned past what this replica has: rare (a replica cut off for an
      // hour). Reload and tell watchers to start again from a snapshot.
      const fresh = new NamespaceState(state.name, await store.loadNamespace(state.name), historySize);
      for (const w of state.watchers) fresh.watchers.add(w);
      ready.set(state.name, fresh);
      spaces.set(state.name, Promise.resolve(fresh));
      for (const w of fresh.watchers) w.send(fresh.snapshotFrame());
      return;
    }
    for (const c of changes) if (c.version > state.version) state.apply(c);
  }

  /** One catch-up at a time per namespace; a request made during one runs after it. */
  function sync(namespace: string): Promise<void> {
    const previous = syncing.get(namespace) ?? Promise.resolve();
    const next = previous.then(async () => catchUp(await space(namespace)));
    const settled = next.catch(() => undefined);
    syncing.set(namespace, settled);
    settled.then(() => {
      if (syncing.get(namespace) === settled) syncing.delete(namespace);
    });
    return next;
  }

  return {
    space,
    loaded: () => [...ready.values()],
    async publish(changes) {
      for (const { namespace, change } of changes) {
        const state = await space(namespace);
        if (change.version <= state.version) continue;
        if (change.version === state.version + 1 && !syncing.has(namespace)) state.apply(change);
        else await sync(namespace);
      }
    },
    notify(namespace, version) {
      const state = ready.get(namespace);
      if (state !== undefined && version <= state.version) return;
      sync(namespace).catch(() => undefined);
    },
  };
}
