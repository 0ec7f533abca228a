import { EventEmitter } from 'node:events';
import { isGraylaneError } from '@graylane/core/runtime';
import type { Dispatcher } from 'undici';
import type { Agent } from '../create-agent.js';
import { authority } from '../outbound/authority.js';
import { forApplication, type Hop } from '../outbound/create-outbound.js';
import { IDEMPOTENT_METHODS } from '../outbound/failure-kind.js';
import { type AnyHeaders, headerValue, laneHeaders, withHeaders } from '../outbound/headers.js';

// Every copy of undici reads the global dispatcher from one of these slots: `.1` holds
// a dispatcher for the original handler API (onConnect, onHeaders, onData, onComplete,
// onError); undici 7.x and later also fill `.2`, for the handler API of undici 7
// (onRequestStart, onResponseStart, ...), which Node 26's fetch (undici 8) reads alone.
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
const GLOBAL_DISPATCHER_2 = Symbol.for('undici.globalDispatcher.2');

type Headers = Dispatcher.DispatchOptions['headers'];
type Handler = Dispatcher.DispatchHandlers;

/** The options with the lane's header and baggage member, when the lane propagates. */
export function withLaneFields(agent: Agent, opts: Dispatcher.DispatchOptions): Dispatcher.DispatchOptions {
  const fields = agent.outbound.tagFields(() => headerValue(opts.headers as AnyHeaders, 'baggage'));
  if (fields === undefined) return opts;
  return { ...opts, headers: withHeaders(opts.headers as AnyHeaders, laneHeaders(fields)) as Headers };
}

/**
 * Fails a request that never went out (a routing error), in the handler's own API:
 * handlers of undici 7 and later (Node 26's fetch) have no onError, and wait forever
 * for onResponseError if that is not called.
 */
function failBeforeStart(handler: Handler, error: Error): void {
  const modern = handler as { onResponseError?: (controller: unknown, error: Error) => void };
  if (typeof handler.onError !== 'function' && typeof modern.onResponseError === 'function') {
    const controller = { aborted: false, paused: false, reason: null, abort() {}, pause() {}, resume() {} };
    modern.onResponseError(controller, error);
    return;
  }
  handler.onError?.(error);
}

// A process calls few origins, over and over: each is parsed once (up to a bound).
const origins = new Map<string, URL>();

function parseOrigin(origin: unknown): URL {
  const key = String(origin);
  let url = origins.get(key);
  if (url === undefined) {
    url = new URL(key);
    if (origins.size >= 256) origins.clear();
    origins.set(key, url);
  }
  return url;
}

function replayable(body: unknown): boolean {
  return body == null || typeof body === 'string' || body instanceof Uint8Array;
}

/**
 * Wraps undici dispatchers (the global one behind `fetch` and `undici.request`, and
 * any Agent or Pool the app makes): a governed origin is replaced by the origin of
 * the instance the outbound path picks, which gives one pool per instance; the Host
 * header keeps the app's name (undici also takes it as the TLS server name). A
 * failure before any answer moves to the next instance the path names.
 */
// It extends EventEmitter as undici's Dispatcher does, without importing undici: the
// undici package takes ~200 ms to load, which every app would pay at start.
export class LaneDispatcher extends EventEmitter {
  constructor(
    public inner: Dispatcher,
    private readonly agent: Agent,
  ) {
    super();
  }

  dispatch(opts: Dispatcher.DispatchOptions, handler: Handler): boolean {
    let next = opts;
    let hop: Hop | undefined;
    let scheme = 'http';
    try {
      const outbound = this.agent.outbound;
      next = withLaneFields(this.agent, next);
      const origin = next.origin === undefined ? undefined : parseOrigin(next.origin);
      const app = origin === undefined ? undefined : outbound.appOf(origin.hostname);
      if (origin !== undefined && app !== undefined) {
        scheme = origin.protocol === 'https:' ? 'https' : 'http';
        try {
          hop = outbound.begin(app, 'http');
        } catch (error) {
          if (!isGraylaneError(error)) throw error;
          queueMicrotask(() => failBeforeStart(handler, forApplication(error) as Error));
          return true;
        }
        if (headerValue(next.headers as AnyHeaders, 'host') === undefined)
          next = {
            ...next,
            headers: withHeaders(next.headers as AnyHeaders, { host: origin.host }) as Headers,
          };
      }
    } catch (error) {
      this.agent.log.once(
        'GL_INTERNAL',
        `fetch hook failed, request passes untouched: ${(error as Error).message}`,
      );
      return this.inner.dispatch(opts, handler);
    }
    if (hop === undefined) return this.inner.dispatch(next, handler);
    return this.send(next, handler, hop, scheme);
  }

  private send(opts: Dispatcher.DispatchOptions, handler: Handler, hop: Hop, scheme: string): boolean {
    const instance = hop.instance;
    let answered = false;
    let connected = false;
    const overrides: Partial<Handler> = {
      onConnect: (...args: Parameters<NonNullable<Handler['onConnect']>>) => {
        connected = true;
        return handler.onConnect?.(...args);
      },
      onHeaders: (...args: Parameters<NonNullable<Handler['onHeaders']>>) => {
        answered = true;
        hop.answered();
        const status = args[0];
        if (status >= 500) failed = true;
        return handler.onHeaders?.(...args) ?? true;
      },
      onComplete: (trailers: Parameters<NonNullable<Handler['onComplete']>>[0]) => {
        hop.end(!failed);
        handler.onComplete?.(trailers);
      },
      onError: (error: Error) => {
        if (retried(error)) return;
        hop.end(false);
        handler.onError?.(error);
      },
      // The same for the handler API of undici 7 and later.
      onRequestStart: (...args: unknown[]) => {
        connected = true;
        return call('onRequestStart', args);
      },
      onResponseStart: (...args: unknown[]) => {
        answered = true;
        hop.answered();
        if ((args[1] as number) >= 500) failed = true;
        return call('onResponseStart', args);
      },
      onResponseEnd: (...args: unknown[]) => {
        hop.end(!failed);
        return call('onResponseEnd', args);
      },
      onResponseError: (...args: unknown[]) => {
        if (retried(args[1] as Error)) return;
        hop.end(false);
        return call('onResponseError', args);
      },
    } as Partial<Handler>;
    const call = (name: string, args: unknown[]) =>
      (Reflect.get(handler, name) as (...a: unknown[]) => unknown).apply(handler, args);
    const retried = (error: Error): boolean => {
      const nextInstance = hop.retry(error, {
        responseStarted: answered,
        // Before onConnect nothing of the request was written: a stream body (fetch
        // sends every body as one) is still unread and goes out whole to the next.
        replayable: !connected || replayable(opts.body),
        idempotent: IDEMPOTENT_METHODS.has(opts.method),
        bodySent: connected && opts.body != null,
      });
      if (nextInstance === undefined) return false;
      this.send(opts, handler, hop, scheme);
      return true;
    };
    let failed = false;
    // fetch's handler keeps state on itself (`this.abort`, `this.body`): every other
    // method must run with the original handler as `this`.
    // Only methods the handler has are replaced: undici tells the two handler APIs apart
    // by which methods a handler has.
    const wrapped = new Proxy(handler, {
      get(target, prop) {
        if (Object.hasOwn(overrides, prop) && typeof Reflect.get(target, prop) === 'function')
          return overrides[prop as keyof Handler];
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return this.inner.dispatch(
      { ...opts, origin: `${scheme}://${authority(instance.address, instance.ports.http!)}` },
      wrapped,
    );
  }

  close(...args: unknown[]): never {
    return (this.inner.close as (...a: unknown[]) => never)(...args);
  }

  destroy(...args: unknown[]): never {
    return (this.inner.destroy as (...a: unknown[]) => never)(...args);
  }
}

export function instrumentFetch(agent: Agent): () => void {
  const holder = globalThis as unknown as Record<symbol, Dispatcher | LaneDispatcher | undefined>;
  if (holder[GLOBAL_DISPATCHER] instanceof LaneDispatcher) return () => {};
  // Node's own undici (behind fetch, Response, ...) creates the default Agent when it
  // first loads; touching Response loads it, far quicker than the undici package.
  if (holder[GLOBAL_DISPATCHER] === undefined) void globalThis.Response;
  const undo: Array<() => void> = [];
  const lanes = new Map<unknown, LaneDispatcher>();
  for (const key of [GLOBAL_DISPATCHER, GLOBAL_DISPATCHER_2]) {
    const previous = holder[key];
    if (previous === undefined || previous instanceof LaneDispatcher) continue;
    // Node 24 puts the same Agent in both slots: one lane dispatcher serves both.
    let lane = lanes.get(previous);
    if (lane === undefined) {
      lane = new LaneDispatcher(previous as Dispatcher, agent);
      lanes.set(previous, lane);
    }
    // undici defines a slot writable but not configurable (importing undici fills
    // it); an app that sets its own dispatcher later replaces ours without an error
    // (and loses lane routing for fetch).
    const slot = Object.getOwnPropertyDescriptor(globalThis, key);
    if (slot?.writable) holder[key] = lane;
    else Object.defineProperty(globalThis, key, { value: lane, writable: true, configurable: true });
    const installed = lane;
    undo.push(() => {
      if (holder[key] === installed) holder[key] = previous;
    });
  }
  if (lanes.size === 0)
    agent.log.once('GL_INTERNAL', 'no global undici dispatcher to wrap: fetch is not lane routed');
  return () => {
    for (const u of undo) u();
  };
}
