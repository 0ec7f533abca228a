import { AsyncLocalStorage } from 'node:async_hooks';

/** What travels with a unit of work: its lane tag ('' = baseline traffic). */
export interface LaneContext {
  tag: string;
  /**
   * The W3C baggage the inbound request carried: outbound calls that set none of their
   * own carry it on with the lane's member, so a lane survives a hop through a service
   * that forwards only W3C context.
   */
  baggage?: string;
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

export function currentContext(): LaneContext {
  return storage.getStore() ?? baseline;
}

export function runInLane<T>(tag: string, fn: () => T, baggage?: string): T {
  if (baggage !== undefined && baggage !== '') return storage.run({ tag, baggage }, fn);
  return storage.run(tag === '' ? baseline : { tag }, fn);
}

// A lane entered by reading a received message (see {@link enterMessageLane}); marked so
// the next receive can leave it without touching a lane the app was already in.
const fromMessage = new WeakSet<LaneContext>();

/**
 * Puts the rest of the current synchronous run, and the work it starts, in `tag`'s lane.
 * For messages a SimpleConsumer returned: the app's code after `await receive()` runs
 * where no wrapper can reach, so its lane begins when it first reads a message.
 */
export function enterMessageLane(tag: string): void {
  const current = storage.getStore();
  if (current !== undefined && current.tag === tag && fromMessage.has(current)) return;
  const context = { tag };
  fromMessage.add(context);
  storage.enterWith(context);
}

/** Leaves a lane entered by {@link enterMessageLane}; any other lane is left as it is. */
export function leaveMessageLane(): void {
  const current = storage.getStore();
  if (current !== undefined && fromMessage.has(current)) storage.enterWith(baseline);
}
