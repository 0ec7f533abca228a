import type * as http from 'node:http';
import { urlToHttpOptions } from 'node:url';
import { isGraylaneError } from '@graylane/core/runtime';
import { httpModule, httpsModule } from '../builtins.js';
import type { Agent } from '../create-agent.js';
import { currentTag } from '../lane-context.js';
import { TAG_HEADER } from '../tag-carrier.js';
import { patchEsmCopies } from './esm-copies.js';
import { LaneHttpAgent, TARGET } from './lane-http-agent.js';
import { patchMethod } from './patch-method.js';

type RequestFn = (options: http.RequestOptions, callback?: Callback) => http.ClientRequest;
type Options = http.RequestOptions & { [TARGET]?: unknown };
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

function withHeader(headers: Options['headers'], name: string, value: string): Options['headers'] {
  if (Array.isArray(headers)) return [...headers, name, value] as unknown as Options['headers'];
  return { ...(headers ?? {}), [name]: value };
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

/**
 * Outbound `http.request`/`http.get` (and https): calls to a host that names a
 * governed app go to an instance of the lane's tag; the tag header is written
 * where the lane propagates it. Anything else passes through untouched.
 */
export function instrumentHttpClient(agent: Agent): () => void {
  const laneAgent = new LaneHttpAgent(agent);

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
        const tag = currentTag();
        const state = agent.state();
        if (tag !== '' && state.policy(tag).propagation)
          options.headers = withHeader(options.headers, TAG_HEADER, tag);
        const host = options.hostname ?? options.host ?? 'localhost';
        if (!secure && agent.isGoverned(host)) {
          let target: ReturnType<Agent['route']>;
          try {
            target = agent.route(host, tag, 'http');
          } catch (error) {
            if (isGraylaneError(error)) return failing(original, options, callback, error);
            throw error;
          }
          const { instance } = target;
          if (options.setHost !== false && !hasHost(options.headers)) {
            options.headers = withHeader(
              options.headers,
              'host',
              options.port ? `${host}:${options.port}` : host,
            );
          }
          options.hostname = instance.address;
          options.host = instance.address;
          options.port = instance.ports.http;
          options.agent = laneAgent;
          options[TARGET] = target;
          agent.begin(instance);
          const req = original.call(this, options, callback);
          req.once('close', () => agent.end(instance));
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
    laneAgent.destroy();
  };
}

function hasHost(headers: Options['headers']): boolean {
  if (!headers) return false;
  if (Array.isArray(headers))
    return headers.some((h, i) => i % 2 === 0 && String(h).toLowerCase() === 'host');
  return Object.keys(headers).some((k) => k.toLowerCase() === 'host');
}
