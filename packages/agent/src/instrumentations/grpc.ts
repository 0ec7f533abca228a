import { createRequestView } from '@graylane/core/runtime';
import type * as grpc from '@grpc/grpc-js';
import type { Agent } from '../create-agent.js';
import { runInLane } from '../lane-context.js';
import { grpcCodeClass } from '../metrics-recorder.js';
import { extractTag, invalidTagMessage } from '../tag-carrier.js';
import { createLaneChannel } from './grpc-lane-channel.js';
import { patchMethod } from './patch-method.js';

type Grpc = typeof grpc;
type AnyHandler = (...args: unknown[]) => unknown;

/**
 * grpc-js keeps a client's channel under a private symbol and generated clients
 * call the prototype methods captured at load time, so neither can be wrapped
 * later. Instead: find the symbol on a throwaway client, and put a setter for it
 * on Client.prototype, so every client constructed afterwards gets a lane channel
 * around the channel it creates.
 */
function interceptChannels(g: Grpc, agent: Agent): () => void {
  const probe = new g.Client('localhost:1', g.credentials.createInsecure());
  const channel = probe.getChannel();
  const key = Object.getOwnPropertySymbols(probe).find(
    (s) => (probe as unknown as Record<symbol, unknown>)[s] === channel,
  );
  probe.close();
  if (key === undefined) {
    agent.log.once(
      'GL_INTERNAL',
      'this @grpc/grpc-js version keeps its channel where the agent cannot find it; gRPC calls are not routed',
    );
    return () => {};
  }
  const proto = g.Client.prototype as unknown as Record<symbol, unknown>;
  Object.defineProperty(proto, key, {
    configurable: true,
    set(this: object, value: grpc.Channel) {
      let lane: grpc.Channel = value;
      try {
        lane = createLaneChannel(g, agent, value);
      } catch (error) {
        agent.log.once(
          'GL_INTERNAL',
          `gRPC client hook failed, calls pass untouched: ${(error as Error).message}`,
        );
      }
      Object.defineProperty(this, key, { value: lane, writable: true, configurable: true, enumerable: true });
    },
  });
  return () => {
    delete proto[key];
  };
}

/** Host part of a bindAsync address: `0.0.0.0:0`, `[::1]:50051`, `localhost:0` → 127.0.0.1. */
export function bindHost(port: string): string | undefined {
  const text = String(port).replace(/^(dns|ipv4|ipv6):(\/\/\/)?/, '');
  const host = text.startsWith('[') ? text.slice(1, text.indexOf(']')) : text.slice(0, text.lastIndexOf(':'));
  if (host === 'localhost') return '127.0.0.1';
  return /^[0-9a-f.:]+$/i.test(host) ? host : undefined;
}

function tagOf(agent: Agent, path: string, metadata: grpc.Metadata): string {
  const get = (name: string) => {
    const value = metadata.get(name)[0];
    return value === undefined ? undefined : String(value);
  };
  const carried = extractTag(get, (v) => agent.log.once('GL_TAG_INVALID', invalidTagMessage(v)));
  if (carried !== undefined) {
    agent.noteLane(carried, undefined);
    return carried;
  }
  const headers = new Proxy({} as Record<string, string | undefined>, {
    get: (_t, name) => get(String(name)),
  });
  const view = createRequestView({ method: 'POST', url: path, headers, metadata: headers });
  const coloured = agent.state().entryMatcher(view)?.tag;
  agent.noteLane(undefined, coloured);
  return coloured ?? '';
}

type StreamCall = {
  once(event: string, listener: () => void): unknown;
  pendingStatus?: { code?: number };
};

/**
 * Server-streaming and bidi calls have no callback: the call is a stream that ends
 * with `finish` once the status is sent (grpc-js keeps it in `pendingStatus`), or
 * `cancelled` when the client went away.
 */
function observeStream(agent: Agent, call: unknown, start: number): void {
  const stream = call as StreamCall;
  if (typeof stream.once !== 'function') return;
  let done = false;
  const record = (code: number) => {
    if (done) return;
    done = true;
    agent.recordInbound(performance.now() - start, grpcCodeClass(code));
  };
  stream.once('finish', () => record(stream.pendingStatus?.code ?? 0));
  stream.once('cancelled', () => record(1));
}

/**
 * gRPC (`@grpc/grpc-js`): server handlers run in the lane of the call's metadata
 * (or of the entry rules), bound ports are reported, and client calls are routed
 * per call to an instance of the lane.
 */
export function instrumentGrpc(g: Grpc, agent: Agent): () => void {
  const undo: Array<() => void> = [interceptChannels(g, agent)];
  undo.push(
    patchMethod(
      g.Server.prototype,
      'register',
      (original) =>
        function (this: grpc.Server, name: string, handler: AnyHandler, ...rest: unknown[]) {
          const wrapped = function (this: unknown, call: { metadata: grpc.Metadata }, ...args: unknown[]) {
            let tag = '';
            const start = performance.now();
            try {
              tag = tagOf(agent, name, call.metadata);
              const callback = args[0];
              if (typeof callback === 'function') {
                args[0] = (error: { code?: number } | null | undefined, ...more: unknown[]) => {
                  // An error without a code is what grpc-js sends as UNKNOWN (2).
                  const code = error == null ? 0 : (error.code ?? 2);
                  agent.recordInbound(performance.now() - start, grpcCodeClass(code));
                  return (callback as AnyHandler)(error, ...more);
                };
              } else observeStream(agent, call, start);
            } catch (error) {
              agent.log.once(
                'GL_INTERNAL',
                `gRPC server hook failed, call passes untouched: ${(error as Error).message}`,
              );
            }
            const baggage = call.metadata?.get('baggage')[0];
            return runInLane(
              tag,
              () => handler.call(this, call, ...args),
              baggage === undefined ? undefined : String(baggage),
            );
          };
          return (original as unknown as AnyHandler).call(this, name, wrapped, ...rest);
        } as never,
    ),
  );

  undo.push(
    patchMethod(
      g.Server.prototype,
      'bindAsync',
      (original) =>
        function (
          this: grpc.Server,
          port: string,
          creds: unknown,
          callback: (e: Error | null, port: number) => void,
        ) {
          const report = (error: Error | null, bound: number) => {
            if (!error) agent.listening('grpc', bound, bindHost(port));
            callback(error, bound);
          };
          return (original as unknown as AnyHandler).call(this, port, creds, report);
        } as never,
    ),
  );
  return () => {
    for (const u of undo.reverse()) u();
  };
}
