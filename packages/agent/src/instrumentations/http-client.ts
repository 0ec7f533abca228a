import type * as http from 'node:http';
import { isIP, type Socket } from 'node:net';
import { urlToHttpOptions } from 'node:url';
import { type Instance, isGraylaneError } from '@graylane/core/runtime';
import { httpModule, httpsModule } from '../builtins.js';
import type { Agent } from '../create-agent.js';
import { forApplication, type Hop } from '../outbound/create-outbound.js';
import { IDEMPOTENT_METHODS } from '../outbound/failure-kind.js';
import { type AnyHeaders, headerValue, laneHeaders, withHeaders } from '../outbound/headers.js';
import { patchEsmCopies } from './esm-copies.js';
import { counted, HOP, LaneHttpAgent, LaneHttpsAgent } from './lane-http-agent.js';
import { patchMethod } from './patch-method.js';

type RequestFn = (options: http.RequestOptions, callback?: Callback) => http.ClientRequest;
type Options = http.RequestOptions & { [HOP]?: Hop; servername?: string };
type Callback = (res: http.IncomingMessage) => void;

function normalize(args: unknown[]): { options: Options; callback: Callback | undefined } {
  let options: Options = {};
  let i = 0;
  if (typeof args[0] === 'string' || args[0] instanceof URL) {
    options = urlToHttpOptions(typeof args[0] === 'string' ? new URL(args[0]) : args[0]) as Options;
    i = 1;
  }
  if (args[i] !== null && typeof args[i] === 'object') {
    options = { ...options, ...(args[i] as Options) };
    i++;
  }
  return { options, callback: typeof args[i] === 'function' ? (args[i] as Callback) : undefined };
}

/** A request that fails like an unreachable host does: an `error` event, never a throw. */
function failing(original: RequestFn, options: Options, callback: Callback | undefined, error: Error) {
  // Without an agent, ClientRequest asks `createConnection` for its socket; handing
  // back the error makes the request emit it.
  const createConnection = (_opts: unknown, created: (e: Error) => void) => {
    process.nextTick(() => created(error));
    return undefined;
  };
  const { agent: _agent, ...rest } = options;
  return original({ ...rest, createConnection } as Options, callback);
}

// Methods sent without a body by convention: such a request, ended by the app, can be
// sent again as it was when its connection breaks before any answer.
const BODILESS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE', 'TRACE']);

function resendable(req: http.ClientRequest, method: string): boolean {
  if (!BODILESS.has(method) || !req.writableEnded) return false;
  const length = req.getHeader('content-length');
  return (length === undefined || Number(length) === 0) && req.getHeader('transfer-encoding') === undefined;
}

const GUARD = Symbol('graylane.socketGuard');
type Guarded = Socket & { [GUARD]?: ((error: unknown) => boolean) | undefined };

/**
 * Until its request has an answer, a socket's error goes first to the request's
 * `recover`: when the request moves to another instance, the error stops there and
 * the socket is torn down. Clients that listen on the pooled socket themselves
 * (axios fails its request on a socket `error`) would otherwise fail the call the
 * agent is sending again.
 */
function guard(socket: Guarded, recover: (error: unknown) => boolean): void {
  if (!(GUARD in socket)) {
    const emit = socket.emit;
    socket.emit = function (this: Guarded, event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'error' && this[GUARD]?.(args[0]) === true) {
        this.destroy();
        return true;
      }
      return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
    } as typeof socket.emit;
  }
  socket[GUARD] = recover;
}

/**
 * Watches a request through its own `emit`, so no listener is added: an added
 * `response` listener would stop node from draining an unread response, an added
 * `error` listener would hide an error the app does not handle.
 *
 * When the connection breaks before any answer and the request can be sent again,
 * a new request goes to the instance the outbound path names, and its events are
 * emitted as the app's request's: the app's callback gets the new response.
 */
function observe(
  req: http.ClientRequest,
  hop: Hop,
  method: string,
  resend: (i: Instance) => http.ClientRequest,
): void {
  const emit = req.emit;
  let status = 0;
  let replaced = false;
  let socket: Guarded | undefined;
  const unguard = () => {
    if (socket !== undefined && socket[GUARD] === recover) socket[GUARD] = undefined;
  };
  /** Sends the request elsewhere when its failure allows; true when it did. */
  const recover = (error: unknown): boolean => {
    if (typeof error !== 'object' || error === null || counted.has(error)) return false;
    counted.add(error);
    const next = hop.retry(error, {
      responseStarted: status !== 0,
      replayable: resendable(req, method),
      idempotent: IDEMPOTENT_METHODS.has(method),
      bodySent: true,
    });
    if (next === undefined) return false;
    unguard();
    replaced = true;
    const again = resend(next);
    again.emit = function (this: http.ClientRequest, e: string | symbol, ...a: unknown[]) {
      return forward(e, ...a);
    } as typeof again.emit;
    again.end();
    return true;
  };
  const own = function (this: http.ClientRequest, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'socket') {
      socket = args[0] as Guarded;
      guard(socket, recover);
    } else if (event === 'response') {
      unguard();
      status = (args[0] as http.IncomingMessage).statusCode ?? 0;
      hop.answered();
    } else if (event === 'error') {
      if (recover(args[0])) return true;
    } else if (event === 'close') {
      unguard();
      hop.end(status !== 0 && status < 500);
    }
    return emit.call(req, event, ...args);
  };
  // Events of the replacement reach the app's request; its own error and close are over.
  const forward = (event: string | symbol, ...args: unknown[]) => own.call(req, event, ...args);
  req.emit = function (this: http.ClientRequest, event: string | symbol, ...args: unknown[]) {
    if (replaced && (event === 'close' || event === 'error' || event === 'finish')) return true;
    return own.call(this, event, ...args);
  } as typeof req.emit;
}

/**
 * Outbound `http.request`/`http.get` and https: a call whose host names a governed
 * app goes where the outbound path sends it; the lane's tag and baggage are written
 * where the lane propagates. Anything else passes through untouched.
 */
export function instrumentHttpClient(agent: Agent): () => void {
  const laneAgents = { http: new LaneHttpAgent(), https: new LaneHttpsAgent() };

  const wrap = (original: RequestFn, secure: boolean): RequestFn =>
    function request(this: unknown, ...args: unknown[]) {
      let prepared: { options: Options; callback: Callback | undefined };
      try {
        prepared = normalize(args);
      } catch {
        return (original as (...a: unknown[]) => http.ClientRequest).apply(this, args);
      }
      const { options, callback } = prepared;
      try {
        const outbound = agent.outbound;
        const fields = outbound.tagFields(() => headerValue(options.headers as AnyHeaders, 'baggage'));
        // The headers the hop writes, applied in one copy of the app's headers.
        let set = fields === undefined ? undefined : laneHeaders(fields);
        const host = options.hostname ?? options.host ?? 'localhost';
        const app = outbound.appOf(host);
        if (app === undefined) {
          if (set !== undefined)
            options.headers = withHeaders(options.headers as AnyHeaders, set) as Options['headers'];
        } else {
          let hop: Hop;
          try {
            hop = outbound.begin(app, 'http');
          } catch (error) {
            if (set !== undefined)
              options.headers = withHeaders(options.headers as AnyHeaders, set) as Options['headers'];
            if (isGraylaneError(error)) return failing(original, options, callback, forApplication(error));
            throw error;
          }
          const { instance } = hop;
          if (options.setHost !== false && headerValue(options.headers as AnyHeaders, 'host') === undefined) {
            const port = options.port ? `:${options.port}` : '';
            set ??= {};
            set.host = `${host.includes(':') ? `[${host}]` : host}${port}`;
          }
          if (set !== undefined)
            options.headers = withHeaders(options.headers as AnyHeaders, set) as Options['headers'];
          // TLS checks the certificate for the name the app wrote, not the instance's address.
          if (secure && options.servername === undefined && isIP(host) === 0) options.servername = host;
          options.hostname = instance.address;
          options.host = instance.address;
          options.port = instance.ports.http;
          options.agent = secure ? laneAgents.https : laneAgents.http;
          options[HOP] = hop;
          const req = original.call(this, options, callback);
          observe(req, hop, (options.method ?? 'GET').toUpperCase(), (next) =>
            original.call(this, {
              ...options,
              hostname: next.address,
              host: next.address,
              port: next.ports.http,
            }),
          );
          return req;
        }
      } catch (error) {
        agent.log.once(
          'GL_INTERNAL',
          `outbound http hook failed, request passes untouched: ${(error as Error).message}`,
        );
        return (original as (...a: unknown[]) => http.ClientRequest).apply(this, args);
      }
      return original.call(this, options, callback);
    } as RequestFn;

  const undo: Array<() => void> = [];
  for (const [mod, secure] of [
    [httpModule, false],
    [httpsModule, true],
  ] as const) {
    undo.push(
      patchMethod(mod, 'request', (original) => wrap(original as RequestFn, secure) as typeof http.request),
    );
    // http.get calls the module's internal request, not the export: patch it too.
    undo.push(
      patchMethod(mod, 'get', () => {
        const patched = mod.request as unknown;
        return function get(this: unknown, ...args: unknown[]) {
          const req = (patched as (...a: unknown[]) => http.ClientRequest).apply(this, args);
          req.end();
          return req;
        } as typeof http.get;
      }),
    );
  }
  undo.push(
    patchEsmCopies(['http', 'https'], (name, exports) => {
      const secure = name === 'https';
      const request = exports.request as RequestFn;
      exports.request = wrap(request, secure);
      exports.get = function get(this: unknown, ...args: unknown[]) {
        const req = (exports.request as (...a: unknown[]) => http.ClientRequest).apply(this, args);
        req.end();
        return req;
      };
    }),
  );
  return () => {
    for (const u of undo.reverse()) u();
    laneAgents.http.destroy();
    laneAgents.https.destroy();
  };
}
