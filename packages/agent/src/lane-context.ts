import { AsyncLocalStorage } from 'node:async_hooks';

/** What travels with a unit of work: its lane tag ('' = baseline traffic). */
export interface LaneContext {
  tag: string;
}

// One store per process even if two copies of the agent get loaded.
const key = Symbol.for('graylane.context');
const holder = globalThis as unknown as Record<symbol, AsyncLocalStorage<LaneContext> | undefined>;
const storage: AsyncLocalStorage<LaneContext> = holder[key] ?? new AsyncLocalStorage<LaneContext>();
holder[key] = storage;

const baseline: LaneContext = Object.freeze({ tag: '' });

export function currentTag(): string {
  return storage.getStore()?.tag ?? '';
}

export function runInLane<T>(tag: string, fn: () => T): T {
  return storage.run(tag === '' ? baseline : { tag }, fn);
}
