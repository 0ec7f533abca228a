import type * as http from 'node:http';
import { isIP, type Socket } from 'node:net';
import { urlToHttpOptions } from 'node:url';
import { isGraylaneError } from '@graylane/core/runtime';
import { httpModule, httpsModule } from '../builtins.js';
import type { Agent } from '../create-agent.js';
import { currentContext } from '../lane-context.js';
import { forApplication, type Hop, type TagFields } from '../outbound/create-outbound.js';
import { IDEMPOTENT_METHODS } from '../outbound/failure-kind.js';
import { type AnyHeaders, headerValue, withLaneHeaders } from '../outbound/headers.js';
import { patchEsmCopies } from './esm-copies.js';
import { connectionOptionsOf, counted, HOP, LaneHttpAgent, LaneHttpsAgent } from './lane-http-agent.js';
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

const laneHeadersOf = (options: Options, fields: TagFields | undefined, host: string | undefined) =>
  withLaneHeaders(options.headers as AnyHeaders, fields, host) as Options['headers'];

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
const WATCH = Symbol('graylane.watch');
type Guarded = Socket & { [GUARD]?: Watch | undefined };
type Watched = http.ClientRequest & { [WATCH]?: Watch };

/**
 * Until its request has an answer, a socket's error goes first to the request's
 * watch: when the request moves to another instance, the error stops there and
 * the socket is torn down. Clients that listen on the pooled socket themselves
 * (axios fails its request on a socket `error`) would otherwise fail the call the
 * agent is sending again.
 */
function guard(socket: Guarded, watch: Watch): void {
  if (!(GUARD in socket)) {
    const emit = socket.emit;
    socket.emit = function (this: Guarded, ...args: unknown[]): boolean {
      if (args[0] === 'error' && this[GUARD]?.recover(args[1]) === true) {
        this.destroy();
        return true;
      }
      return Reflect.apply(emit, this, args) as boolean;
    } as typeof socket.emit;
  }
  socket[GUARD] = watch;
}

/**
 * One request to a governed app, watched through its own `emit`, so no listener is
 * added: an added `response` listener would stop node from draining an unread
 * response, an added `error` listener would hide an error the app does not handle.
 *
 * When the connection breaks before any answer and the request can be sent again,
 * a new request goes to the instance the outbound path names, and its events are
 * emitted as the app's request's: the app's callback gets the new response.
 * One object per request, its methods shared: no closures on the call path.
 */
class Watch {
  status = 0;
  replaced = false;
  socket: Guarded | undefined = undefined;
  /** The request's own emit, before the watch. */
  readonly emit: http.ClientRequest['emit'];

  constructor(
    readonly req: http.ClientRequest,
    readonly hop: Hop,
    readonly method: string,
    private readonly original: RequestFn,
    private readonly self: unknown,
    private readonly options: Options,
  ) {
    this.emit = req.emit;
    (req as Watched)[WATCH] = this;
    req.emit = watchedEmit as http.ClientRequest['emit'];
  }

  unguard(): void {
    if (this.socket !== undefined && this.socket[GUARD] === this) this.socket[GUARD] = undefined;
  }

  /** Sends the request elsewhere when its failure allows; true when it did. */
  recover(error: unknown): boolean {
    if (typeof error !== 'object' || error === null || counted.has(error)) return false;
    counted.add(error);
    const { req, method } = this;
    const next = this.hop.retry(error, {
      responseStarted: this.status !== 0,
      replayable: resendable(req, method),
      idempotent: IDEMPOTENT_METHODS.has(method),
      bodySent: true,
    });
    if (next === undefined) return false;
    this.unguard();
    this.replaced = true;
    const again = this.original.call(this.self, {
      ...this.options,
      hostname: next.address,
      host: next.address,
      port: next.ports.http,
    }) as Watched;
    // Events of the replacement reach the app's request; its own error and close are over.
    again[WATCH] = this;
    again.emit = forwardedEmit as http.ClientRequest['emit'];
    again.end();
    return true;
  }

  /** Follows an event of the request (or its replacement); true when it stops here. */
  see(event: unknown, arg: unknown): boolean {
    if (event === 'socket') {
      this.socket = arg as Guarded;
      guard(this.socket, this);
    } else if (event === 'response') {
      this.unguard();
      this.status = (arg as http.IncomingMessage).statusCode ?? 0;
      this.hop.answered();
    } else if (event === 'error') {
      if (this.recover(arg)) return true;
    } else if (event === 'close') {
      this.unguard();
      this.hop.end(this.status !== 0 && this.status < 500);
    }
    return false;
  }
}

function watchedEmit(this: Watched, ...args: unknown[]): boolean {
  const watch = this[WATCH]!;
  const event = args[0];
  if (watch.replaced && (event === 'close' || event === 'error' || event === 'finish')) return true;
  if (watch.see(event, args[1])) return true;
  return Reflect.apply(watch.emit, this, args) as boolean;
}

function forwardedEmit(this: Watched, ...args: unknown[]): boolean {
  const watch = this[WATCH]!;
  if (watch.see(args[0], args[1])) return true;
  return Reflect.apply(watch.emit, watch.req, args) as boolean;
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
        const lane = currentContext();
        const fields =
          lane.tag === ''
            ? undefined
            : outbound.tagFields(
                () => headerValue(options.headers as AnyHeaders, 'baggage'),
                lane.tag,
                lane.baggage,
              );
        const host = options.hostname ?? options.host ?? 'localhost';
        const app = outbound.appOf(host);
        if (app === undefined) {
          if (fields !== undefined) options.headers = laneHeadersOf(options, fields, undefined);
        } else {
          let hop: Hop;
          try {
            hop = outbound.begin(app, 'http', lane.tag);
          } catch (error) {
            if (fields !== undefined) options.headers = laneHeadersOf(options, fields, undefined);
            if (isGraylaneError(error)) return failing(original, options, callback, forApplication(error));
            throw error;
          }
          const { instance } = hop;
          // The app's own Agent is replaced by the lane agent: its CA and TLS settings stay.
          const own = connectionOptionsOf(options.agent);
          if (own !== undefined) Object.assign(options, own);
          // The Host header keeps the name the app wrote (unless the app set its own).
          const hostHeader =
            options.setHost === false
              ? undefined
              : `${host.includes(':') ? `[${host}]` : host}${options.port ? `:${options.port}` : ''}`;
          options.headers = laneHeadersOf(options, fields, hostHeader);
          // TLS checks the certificate for the name the app wrote, not the instance's address.
          if (secure && options.servername === undefined && isIP(host) === 0) options.servername = host;
          options.hostname = instance.address;
          options.host = instance.address;
          options.port = instance.ports.http;
          options.agent = secure ? laneAgents.https : laneAgents.http;
          options[HOP] = hop;
          const req = original.call(this, options, callback);
          new Watch(req, hop, (options.method ?? 'GET').toUpperCase(), original, this, options);
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
