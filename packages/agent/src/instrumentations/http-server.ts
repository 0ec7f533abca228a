import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestView } from '@graylane/core/runtime';
import { httpModule, httpsModule } from '../builtins.js';
import type { Agent } from '../create-agent.js';
import { currentTag, runInLane } from '../lane-context.js';
import { httpCodeClass } from '../metrics-recorder.js';
import { otelActive, tagActiveSpan } from '../otel-span.js';
import { extractTag, invalidTagMessage } from '../tag-carrier.js';
import { patchMethod } from './patch-method.js';

type Emit = (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;

/**
 * Inbound HTTP: every `request` event of every http/https server (so Express,
 * Fastify, Koa and NestJS too) runs inside the request's lane context; the
 * `listening` event tells the agent the app's port.
 */
export function instrumentHttpServer(agent: Agent): () => void {
  const wrap = (original: Emit): Emit =>
    function emit(this: http.Server, event, ...args) {
      if (event === 'request') {
        const req = args[0] as http.IncomingMessage;
        const res = args[1] as http.ServerResponse;
        let tag: string | undefined;
        try {
          tag = laneOf(agent, req);
          observe(agent, res);
          if (tag && otelActive()) tagServerSpans(agent, this);
        } catch (error) {
          agent.log.once(
            'GL_INTERNAL',
            `inbound http hook failed, request passes untouched: ${(error as Error).message}`,
          );
          return original.call(this, event, ...args);
        }
        const baggage = req.headers.baggage;
        return runInLane(
          tag ?? '',
          () => original.call(this, event, ...args),
          Array.isArray(baggage) ? baggage.join(',') : baggage,
        );
      }
      if (event === 'listening') noteListening(agent, this);
      return original.call(this, event, ...args);
    };
  const undoHttp = patchMethod(httpModule.Server.prototype, 'emit', wrap as never);
  const undoHttps = patchMethod(httpsModule.Server.prototype, 'emit', wrap as never);
  return () => {
    undoHttp();
    undoHttps();
  };
}

// OpenTelemetry starts the server span in its own wrapper of `emit`, which may sit
// inside or outside ours depending on which was loaded first. A `request` listener runs
// inside both, where the span is active and the lane entered; one is put first on
// each server once a tagged request arrives while OpenTelemetry is registered.
const spanTagged = new WeakSet<http.Server>();

function tagServerSpans(agent: Agent, server: http.Server): void {
  if (spanTagged.has(server)) return;
  spanTagged.add(server);
  server.prependListener('request', () => {
    try {
      const tag = currentTag();
      if (tag !== '') tagActiveSpan(tag);
    } catch (error) {
      agent.log.once('GL_INTERNAL', `tagging the OpenTelemetry span failed: ${(error as Error).message}`);
    }
  });
}

function laneOf(agent: Agent, req: http.IncomingMessage): string | undefined {
  const carried = extractTag(
    (name) => req.headers[name],
    (value) => agent.log.once('GL_TAG_INVALID', invalidTagMessage(value)),
  );
  if (carried !== undefined) {
    agent.noteLane(carried, undefined);
    return carried;
  }
  const coloured = agent.state().entryMatcher(createRequestView(req))?.tag;
  agent.noteLane(undefined, coloured);
  return coloured;
}

function observe(agent: Agent, res: http.ServerResponse): void {
  const start = performance.now();
  res.once('finish', () => agent.recordInbound(performance.now() - start, httpCodeClass(res.statusCode)));
}

function noteListening(agent: Agent, server: http.Server): void {
  try {
    const address = server.address() as AddressInfo | string | null;
    if (address && typeof address === 'object') agent.listening('http', address.port, address.address);
  } catch (error) {
    agent.log.once('GL_INTERNAL', `port detection failed: ${(error as Error).message}`);
  }
}
