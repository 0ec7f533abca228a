import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Agent, extractTag, httpCodeClass, IDEMPOTENT_METHODS } from '@graylane/agent';
import { createRequestView, type GatewayRoute, GraylaneError } from '@graylane/core';
import type { Dispatcher } from 'undici';
import { sendError, upstreamError } from './gateway-error.js';
import { ProxyHandler } from './proxy-handler.js';
import { upstreamHeaders } from './proxy-headers.js';
import { compileRoutes, type RouteTable } from './route-table.js';
import type { UpstreamPools } from './upstream-pools.js';

const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$)/i;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Path and query of the request target; origin-form (`/p?q`) or absolute-form (`http://h/p?q`). */
function targetOf(url: string): { path: string; search: string } {
  let target = url;
  if (!target.startsWith('/')) {
    try {
      const parsed = new URL(target);
      target = parsed.pathname + parsed.search;
    } catch {
      target = '';
    }
  }
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  if (!path.startsWith('/') || path.startsWith('//') || DOT_SEGMENT.test(path)) {
    throw new GraylaneError(
      'GL_BAD_REQUEST',
      'the request path must be an absolute path without "." or ".." segments',
    );
  }
  return { path, search: q === -1 ? '' : target.slice(q) };
}

const short = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

/** The gateway's request handler: health, route, lane, upstream choice, streaming proxy. */
export function createGatewayHandler(agent: Agent, pools: UpstreamPools): Handler {
  let seen: ReturnType<Agent['state']> | undefined;
  let compiledFrom: readonly GatewayRoute[] | undefined;
  let table: RouteTable = () => undefined;

  function current() {
    const state = agent.state();
    if (state !== seen) {
      seen = state;
      if (state.snapshot.gatewayRoutes !== compiledFrom) {
        compiledFrom = state.snapshot.gatewayRoutes;
        table = compileRoutes(compiledFrom);
      }
      pools.retain(state.instances.values());
    }
    return state;
  }

  return (req, res) => {
    const started = performance.now();
    let recorded = false;
    // Counted under the request's lane, so the gateway's trend shows how traffic splits.
    let laneTag = '';
    const record = (failed: boolean) => {
      if (recorded) return;
      recorded = true;
      agent.recordInbound(
        performance.now() - started,
        failed ? '5xx' : httpCodeClass(res.statusCode),
        laneTag,
      );
    };
    try {
      const { path, search } = targetOf(req.url ?? '');
      if (path === '/healthz') return json(res, 200, { status: 'ok' });
      if (path === '/readyz') {
        const ready = agent.state().snapshot.version > 0;
        return json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'waiting for the control plane' });
      }
      const state = current();
      const match = table(path, search);
      if (match === undefined) {
        throw new GraylaneError(
          'GL_ROUTE_NOT_FOUND',
          `no GatewayRoute matches ${JSON.stringify(short(path))}: apply one whose spec.match.pathPrefix or spec.match.path covers it`,
        );
      }
      const { route, upstreamPath } = match;
      const app = route.spec.app;
      const timeoutMs = route.spec.timeoutMs;
      const method = req.method ?? 'GET';
      const tag =
        extractTag(
          (name) => req.headers[name],
          (bad) =>
            agent.log.once('GL_TAG_INVALID', `ignored an invalid incoming tag ${JSON.stringify(short(bad))}`),
        ) ??
        state.entryMatcher(createRequestView({ method, url: path + search, headers: req.headers }))?.tag ??
        '';
      laneTag = tag;
      const hop = agent.outbound.begin(app, 'http', tag);
      const headers = upstreamHeaders(
        req,
        agent.outbound.tagFields(() => {
          const baggage = req.headers.baggage;
          return Array.isArray(baggage) ? baggage.join(',') : baggage;
        }, tag),
      );
      const hasBody =
        req.headers['transfer-encoding'] !== undefined ||
        (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
      let retriesLeft = route.spec.retries;
      let active: ProxyHandler | undefined;

      res.once('close', () => {
        if (!res.writableFinished) active?.abort();
        hop.end(res.writableFinished && res.statusCode < 500);
        record(!res.writableFinished);
      });

      const attempt = () => {
        const instance = hop.instance;
        const handler = new ProxyHandler(
          res,
          (error, h) => {
            if (error === undefined) return record(false);
            if (res.destroyed) return record(true); // the client left; nothing to answer
            // A retry only when the upstream cannot have acted on the request: the
            // outbound path decides from how far the attempt got.
            const next = hop.retry(error, {
              responseStarted: h.answered,
              replayable: retriesLeft > 0 && (!hasBody || !h.sent),
              idempotent: IDEMPOTENT_METHODS.has(method),
              bodySent: hasBody && h.sent,
            });
            if (next !== undefined) {
              retriesLeft--;
              return attempt();
            }
            if (h.answered) res.destroy(error);
            else sendError(res, upstreamError(error, app, timeoutMs));
            record(true);
          },
          () => hop.answered(),
        );
        active = handler;
        pools.get(instance, instance.ports.http!).dispatch(
          {
            path: upstreamPath,
            method: method as Dispatcher.HttpMethod,
            headers,
            body: hasBody ? req : null,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
          },
          handler,
        );
      };
      attempt();
    } catch (error) {
      sendError(res, error);
      record(false);
    }
  };
}
