import type { Dispatcher } from 'undici';
import type { Agent } from '../create-agent.js';
import { LaneDispatcher, withLaneFields } from './fetch.js';

export const UNDICI_MODULE = '/undici/index.js';
const ORIGIN = Symbol('graylane.origin');
const LANE = Symbol('graylane.lane');
const patched = Symbol.for('graylane.patched');

type DispatcherClass = (new (...args: unknown[]) => Dispatcher) & { [patched]?: true };
type Routed = Dispatcher & { [LANE]?: LaneDispatcher; [ORIGIN]?: URL };

function hookFailed(agent: Agent, error: unknown): void {
  agent.log.once(
    'GL_INTERNAL',
    `undici dispatcher hook failed, request passes untouched: ${(error as Error).message}`,
  );
}

/** Closes (or destroys) the lane dispatcher a pool made for itself, with the pool. */
function alsoEnd(self: Routed, how: 'close' | 'destroy'): void {
  const lane = self[LANE];
  if (lane === undefined) return;
  self[LANE] = undefined;
  try {
    void (lane[how]() as unknown as Promise<void>)?.catch?.(() => {});
  } catch {
    // already closed
  }
}

/**
 * An app's own undici `Agent`, `Pool` or `Client` dispatches past the global
 * dispatcher (`fetch(url, { dispatcher })`, `undici.request(url, { dispatcher })`,
 * `pool.request(...)`). The classes are replaced on the package's exports when the
 * app loads it, by subclasses that send a request whose origin names a governed app
 * through a lane dispatcher (an instance picked per request, a pool per instance)
 * over connections made with the app's own options: the CA, timeouts and TLS
 * settings it gave the dispatcher stay. Any other origin is served as before, with
 * the lane's header when it propagates.
 */
export function instrumentUndiciPools(exports: Record<string, unknown>, agent: Agent): () => void {
  const undo: Array<() => void> = [];
  const OriginalAgent = exports.Agent as DispatcherClass | undefined;
  const replace = (name: string, Routed: DispatcherClass, Original: DispatcherClass) => {
    Object.defineProperty(Routed, 'name', { value: name });
    Object.defineProperty(Routed, patched, { value: true });
    exports[name] = Routed;
    undo.push(() => {
      if (exports[name] === Routed) exports[name] = Original;
    });
  };

  if (typeof OriginalAgent === 'function' && !OriginalAgent[patched]) {
    // The Agent keys its pools by origin: the lane dispatcher hands it the instance's
    // origin, and the Agent (its dispatch, not this one) connects with its options.
    const LaneRoutedAgent = class extends (OriginalAgent as new (...args: unknown[]) => Dispatcher) {
      override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean {
        const self = this as Routed;
        let lane = self[LANE];
        if (lane === undefined) {
          try {
            const own = {
              dispatch: (o: Dispatcher.DispatchOptions, h: Dispatcher.DispatchHandlers) =>
                super.dispatch(o, h),
            };
            lane = new LaneDispatcher(own as Dispatcher, agent);
            self[LANE] = lane;
          } catch (error) {
            hookFailed(agent, error);
            return super.dispatch(options, handler);
          }
        }
        return lane.dispatch(options, handler);
      }
    };
    replace('Agent', LaneRoutedAgent as unknown as DispatcherClass, OriginalAgent);
  }

  for (const name of ['Pool', 'Client']) {
    const Original = exports[name] as DispatcherClass | undefined;
    if (typeof Original !== 'function' || Original[patched]) continue;
    const LaneRouted = class extends (Original as new (
      origin: string | URL,
      options?: unknown,
    ) => Dispatcher) {
      [ORIGIN]: URL | undefined;
      [LANE]: LaneDispatcher | undefined;
      private readonly laneOptions: unknown;
      constructor(origin: string | URL, options?: unknown) {
        super(origin, options);
        this.laneOptions = options;
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
          if (origin !== undefined && agent.outbound.appOf(origin.hostname) !== undefined) {
            // A pool is bound to one origin: an Agent with the pool's options (its
            // connect settings, connections, timeouts) holds one pool per instance.
            if (this[LANE] === undefined && typeof OriginalAgent === 'function')
              this[LANE] = new LaneDispatcher(new OriginalAgent(this.laneOptions) as Dispatcher, agent);
            const lane = this[LANE];
            if (lane !== undefined) return lane.dispatch({ ...options, origin: origin.origin }, handler);
          }
          // Any other origin: the pool serves it, with the lane's header when it propagates.
          next = withLaneFields(agent, options);
        } catch (error) {
          hookFailed(agent, error);
        }
        return super.dispatch(next, handler);
      }
      override close(...args: unknown[]): never {
        alsoEnd(this as Routed, 'close');
        return (super.close as (...a: unknown[]) => never)(...args);
      }
      override destroy(...args: unknown[]): never {
        alsoEnd(this as Routed, 'destroy');
        return (super.destroy as (...a: unknown[]) => never)(...args);
      }
    };
    replace(name, LaneRouted as unknown as DispatcherClass, Original);
  }
  return () => {
    for (const u of undo) u();
  };
}
