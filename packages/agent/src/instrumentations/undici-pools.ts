import type { Dispatcher } from 'undici';
import type { Agent } from '../create-agent.js';
import { LaneDispatcher, withLaneFields } from './fetch.js';

export const UNDICI_MODULE = '/undici/index.js';
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
const ORIGIN = Symbol('graylane.origin');
const patched = Symbol.for('graylane.patched');

type DispatcherClass = (new (origin: string | URL, options?: unknown) => Dispatcher) & { [patched]?: true };

/**
 * An app's own undici `Pool` or `Client` is bound to one origin and dispatches past
 * the global dispatcher. When that origin names a governed app, its requests go to
 * the agent's lane dispatcher instead, which picks an instance per request (and keeps
 * a pool per instance); any other origin is served by the pool as before. The
 * classes are replaced on the package's exports when the app loads it, by subclasses.
 */
export function instrumentUndiciPools(exports: Record<string, unknown>, agent: Agent): () => void {
  const undo: Array<() => void> = [];
  for (const name of ['Pool', 'Client']) {
    const Original = exports[name] as DispatcherClass | undefined;
    if (typeof Original !== 'function' || Original[patched]) continue;
    const LaneRouted = class extends (Original as new (
      origin: string | URL,
      options?: unknown,
    ) => Dispatcher) {
      [ORIGIN]: URL | undefined;
      constructor(origin: string | URL, options?: unknown) {
        super(origin, options);
        try {
          this[ORIGIN] = new URL(String(origin));
        } catch {
          this[ORIGIN] = undefined; // the pool itself rejected or will reject it
        }
      }
      override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean {
        let next = options;
        try {
          const origin = this[ORIGIN];
          const lane = (globalThis as unknown as Record<symbol, unknown>)[GLOBAL_DISPATCHER];
          if (
            origin !== undefined &&
            lane instanceof LaneDispatcher &&
            agent.outbound.appOf(origin.hostname) !== undefined
          )
            return lane.dispatch({ ...options, origin: origin.origin }, handler);
          // Any other origin: the pool serves it, with the lane's header when it propagates.
          next = withLaneFields(agent, options);
        } catch (error) {
          agent.log.once(
            'GL_INTERNAL',
            `undici pool hook failed, request passes untouched: ${(error as Error).message}`,
          );
        }
        return super.dispatch(next, handler);
      }
    };
    Object.defineProperty(LaneRouted, 'name', { value: name });
    Object.defineProperty(LaneRouted, patched, { value: true });
    exports[name] = LaneRouted;
    undo.push(() => {
      if (exports[name] === LaneRouted) exports[name] = Original;
    });
  }
  return () => {
    for (const u of undo) u();
  };
}
