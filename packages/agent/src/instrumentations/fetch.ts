import { EventEmitter } from 'node:events';
import { isGraylaneError } from '@graylane/core/runtime';
import type { Dispatcher } from 'undici';
import type { Agent } from '../create-agent.js';
import { currentTag } from '../lane-context.js';
import { authority } from '../outbound/authority.js';
import type { Target } from '../routing-state.js';
import { TAG_HEADER } from '../tag-carrier.js';

// Node's fetch and every copy of undici read the global dispatcher from here.
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

type Headers = Dispatcher.DispatchOptions['headers'];
type Handler = Dispatcher.DispatchHandlers;

function withHeader(headers: Headers, name: string, value: string): Headers {
  if (headers == null) return { [name]: value };
  if (Array.isArray(headers)) return [...headers, name, value];
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return [...(headers as Iterable<[string, string]>)].flat().concat(name, value);
  }
  return { ...(headers as Record<string, string>), [name]: value };
}

function replayable(body: unknown): boolean {
  return body == null || typeof body === 'string' || body instanceof Uint8Array;
}

/**
 * Wraps the global undici dispatcher (global `fetch`, `undici.request`, ...): a
 * governed origin is replaced by the chosen instance's, which gives one pool per
 * instance; a connection refused before anything was sent is retried on another
 * instance when the body can be sent again.
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
    let target: Target | undefined;
    try {
      const tag = currentTag();
      const state = this.agent.state();
      if (tag !== '' && state.policy(tag).propagation)
        next = { ...next, headers: withHeader(next.headers, TAG_HEADER, tag) };
      const origin = next.origin === undefined ? undefined : new URL(String(next.origin));
      if (origin && origin.protocol === 'http:' && this.agent.isGoverned(origin.hostname)) {
        try {
          target = this.agent.route(origin.hostname, tag, 'http');
        } catch (error) {
          if (!isGraylaneError(error)) throw error;
          queueMicrotask(() => handler.onError?.(error));
          return true;
        }
        next = { ...next, headers: withHeader(next.headers, 'host', origin.host) };
      }
    } catch (error) {
      this.agent.log.once(
        'GL_INTERNAL',
        `fetch hook failed, request passes untouched: ${(error as Error).message}`,
      );
      return this.inner.dispatch(opts, handler);
    }
    if (!target) return this.inner.dispatch(next, handler);
    return this.send(next, handler, target, target.instance);
  }

  private send(
    opts: Dispatcher.DispatchOptions,
    handler: Handler,
    target: Target,
    instance = target.instance,
  ): boolean {
    const agent = this.agent;
    agent.begin(instance);
    let answered = false;
    const overrides: Partial<Handler> = {
      onHeaders: (...args: Parameters<NonNullable<Handler['onHeaders']>>) => {
        answered = true;
        return handler.onHeaders?.(...args) ?? true;
      },
      onComplete: (trailers: Parameters<NonNullable<Handler['onComplete']>>[0]) => {
        agent.end(instance);
        handler.onComplete?.(trailers);
      },
      onError: (error: Error & { code?: string }) => {
        agent.end(instance);
        if (!answered && CONNECT_FAILURES.has(error.code ?? '') && replayable(opts.body)) {
          agent.markFailed(instance);
          const alternative = target.alternatives();
          if (alternative) {
            agent.log.debug(
              `connect to ${instance.address} failed (${error.code}); retrying on ${alternative.address}`,
            );
            this.send(opts, handler, target, alternative);
            return;
          }
        }
        handler.onError?.(error);
      },
    };
    // fetch's handler keeps state on itself (`this.abort`, `this.body`): every other
    // method must run with the original handler as `this`.
    const wrapped = new Proxy(handler, {
      get(target, prop) {
        if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof Handler];
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return this.inner.dispatch(
      { ...opts, origin: `http://${authority(instance.address, instance.ports.http!)}` },
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
  let previous = holder[GLOBAL_DISPATCHER];
  if (previous instanceof LaneDispatcher) return () => {};
  // Node's own undici (behind fetch, Response, ...) creates the default Agent when it
  // first loads; touching Response loads it, far quicker than the undici package.
  if (previous === undefined) {
    void globalThis.Response;
    previous = holder[GLOBAL_DISPATCHER];
  }
  if (previous === undefined) {
    agent.log.once('GL_INTERNAL', 'no global undici dispatcher to wrap: fetch is not lane routed');
    return () => {};
  }
  const lane = new LaneDispatcher(previous as Dispatcher, agent);
  // undici defines the slot writable but not configurable (importing undici fills
  // it); an app that sets its own dispatcher later replaces ours without an error
  // (and loses lane routing for fetch).
  const slot = Object.getOwnPropertyDescriptor(globalThis, GLOBAL_DISPATCHER);
  if (slot?.writable) holder[GLOBAL_DISPATCHER] = lane;
  else
    Object.defineProperty(globalThis, GLOBAL_DISPATCHER, { value: lane, writable: true, configurable: true });
  return () => {
    if (holder[GLOBAL_DISPATCHER] === lane) holder[GLOBAL_DISPATCHER] = previous;
  };
}
