import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { DEFAULT_NAMESPACE, GraylaneError } from '@graylane/core';
import { createAuth } from './auth/create-auth.js';
import { createDocumentParser } from './http/document-parser.js';
import { declaresTooMuch, tooLarge, validate } from './http/read-body.js';
import { createRouter } from './http/router.js';
import { sendError, sendJson, sendText } from './http/send.js';
import { createConsoleHandler, isConsoleRequest } from './http/serve-console.js';
import { createConfigHub } from './hub/create-config-hub.js';
import { createMetrics } from './metrics/create-metrics.js';
import { createLaneLeaks } from './metrics/lane-leaks.js';
import { createProcessMetrics } from './metrics/process-metrics.js';
import { prometheusText } from './metrics/prometheus-text.js';
import { openapiDocument } from './openapi.js';
import { createRegistry } from './registry/create-registry.js';
import { createRolloutController } from './rollouts/create-rollout-controller.js';
import { adminRoutes } from './routes/admin-routes.js';
import { registryRoutes } from './routes/registry-routes.js';
import { resourceRoutes } from './routes/resource-routes.js';
import { rolloutRoutes } from './routes/rollout-routes.js';
import { watchRoute } from './routes/watch-route.js';
import type { ServerContext } from './server-context.js';
import { MIN_INSTANCE_TTL_MS, type ServerOptions, serverOptionsSchema } from './server-options.js';
import { createStore } from './store/create-store.js';

export interface RunningServer {
  url: string;
  port: number;
  store: 'sqlite' | 'postgres';
  /** The database file or `host:port/database`. */
  location: string;
  /** The admin token generated on first start of an empty store (it is also printed once). */
  generatedAdminToken?: string;
  /** This replica's id (the rollout controller's lease holder). */
  replica: string;
  close(): Promise<void>;
}

/** Checked before anything starts: a key that is not the certificate's is a clear error, not a failed handshake later. */
function assertTls(tls: { cert: string | Buffer; key: string | Buffer }): void {
  try {
    createSecureContext(tls);
  } catch (error) {
    throw new GraylaneError(
      'GL_TLS_INVALID',
      `the TLS certificate and key cannot be used (${(error as Error).message}): give a PEM certificate and its unencrypted PEM key`,
      { cause: error },
    );
  }
}

const PING_MS = 15_000;
const PRUNE_MS = 60_000;

/** Starts a control plane: store, registry, config push, metrics and the HTTP API. */
export async function startServer(input: ServerOptions = {}): Promise<RunningServer> {
  const options = validate(serverOptionsSchema, input, 'server options');
  if (options.instanceTtlMs < MIN_INSTANCE_TTL_MS) {
    throw new GraylaneError(
      'GL_INSTANCE_TTL_TOO_SHORT',
      `the instance TTL ${options.instanceTtlMs} ms is below ${MIN_INSTANCE_TTL_MS / 1000} s: agents heartbeat at a third of it, so a shorter one expires live instances on any pause; use --instance-ttl 3s or more`,
    );
  }
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (options.tls) assertTls(options.tls);
  const store = await createStore({ data: options.data, postgres: options.postgres });
  const hub = createConfigHub(store);
  for (const ns of await store.listNamespaces()) await hub.space(ns.name);
  await hub.space(DEFAULT_NAMESPACE);
  await store.listen((ns, version) => hub.notify(ns, version));
  const auth = createAuth(store, options.insecureNoAuth);
  const generatedAdminToken = await auth.bootstrap(options.adminToken);
  if (generatedAdminToken) log(`admin token: ${generatedAdminToken}`);

  const app: ServerContext = {
    store,
    hub,
    auth,
    registry: createRegistry(store, hub, options.instanceTtlMs),
    metrics: createMetrics(store),
    laneLeaks: createLaneLeaks(),
    bodyLimit: options.bodyLimitBytes,
    maxResourceBytes: options.maxResourceBytes,
    documents: createDocumentParser(),
    watchBuffer: options.watchBufferBytes,
    log,
  };
  const processMetrics = createProcessMetrics();
  const router = createRouter();
  const streams = new Set<() => void>();
  resourceRoutes(router, app);
  registryRoutes(router, app);
  watchRoute(router, app, streams);
  adminRoutes(router, app);
  rolloutRoutes(router, app);
  const openapi = JSON.stringify(openapiDocument());
  router.add('GET', '/openapi.json', 'public', async () => ({ status: 200, body: JSON.parse(openapi) }));
  router.add('GET', '/healthz', 'public', async () => ({ status: 200, body: { ok: true } }));
  const serveConsole = createConsoleHandler();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://control-plane');
    if (req.method === 'GET' && url.pathname === '/metrics') {
      const text = prometheusText(app.metrics.totals, hub, processMetrics) + app.laneLeaks.prometheus();
      sendText(res, 200, text, 'text/plain; version=0.0.4; charset=utf-8');
      return;
    }
    if (isConsoleRequest(req.method, url.pathname)) return serveConsole(req, res, url.pathname);
    const { route, params } = router.match(req.method ?? 'GET', url.pathname);
    const principal = await auth.authenticate(req, route.access);
    const reply = await route.handler({ req, res, params, query: url.searchParams, principal });
    if (reply === undefined) return;
    if (reply.body === undefined) {
      res.writeHead(reply.status).end();
      return;
    }
    sendJson(res, reply.status, reply.body);
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    // A declared length over the limit is answered before anything else, so no route
    // (nor an authentication failure) leaves Node reading a body of gigabytes.
    if (declaresTooMuch(req, app.bodyLimit)) return sendError(res, tooLarge(app.bodyLimit), log);
    handle(req, res).catch((error) => sendError(res, error, log));
  };
  const server = options.tls ? createHttpsServer(options.tls, listener) : createServer(listener);
  // `Expect: 100-continue` with a length over the limit: answer 413 instead of inviting the body.
  server.on('checkContinue', (req, res) => {
    if (declaresTooMuch(req, app.bodyLimit)) return sendError(res, tooLarge(app.bodyLimit), log);
    res.writeContinue();
    server.emit('request', req, res);
  });
  server.keepAliveTimeout = 65_000; // longer than common load balancers', so they close first
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(GraylaneError.from(error)));
    server.listen(options.port, options.host, resolve);
  });
  // After startup, a server error (e.g. out of file descriptors) is logged rather than ending the process.
  server.on('error', (error) => log(`server error: ${error.message}`));
  const port = (server.address() as AddressInfo).port;
  const shownHost =
    !options.host || options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const url = `${options.tls ? 'https' : 'http'}://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;

  const auditRetentionMs = options.auditRetentionDays * 24 * 3_600_000;
  const prune = () =>
    store.prune(Date.now(), auditRetentionMs).catch((error: Error) => {
      log(`pruning old metrics and audit entries failed (${error.message}); it is tried again in a minute`);
    });
  await prune();
  const timers = [
    setInterval(() => {
      for (const s of hub.loaded()) for (const w of s.watchers) w.send(': ping\n\n');
    }, PING_MS),
    setInterval(() => void prune(), PRUNE_MS),
  ];
  if (store.dialect === 'postgres') {
    // A safety net under LISTEN/NOTIFY: a notification lost with a dropped connection is caught here.
    timers.push(
      setInterval(() => {
        store
          .listNamespaces()
          .then((list) => {
            for (const ns of list) hub.notify(ns.name, ns.version);
          })
          .catch(() => undefined);
      }, options.versionPollMs),
    );
  }
  for (const t of timers) t.unref();
  const replica = randomUUID();
  const rollouts = createRolloutController(app, {
    replica,
    tickMs: options.rolloutTickMs,
    leaseMs: options.rolloutLeaseMs,
    analysisLagMs: options.analysisLagMs,
    prometheusUrl: options.prometheusUrl,
  });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    store: store.dialect,
    location: store.location,
    generatedAdminToken,
    replica,
    close() {
      closing ??= (async () => {
        for (const t of timers) clearInterval(t);
        await rollouts.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const end of streams) end();
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 2000);
        await closed;
        clearTimeout(force);
        await app.registry.close();
        await app.metrics.close();
        await app.documents.close();
        processMetrics.stop();
        await store.close();
      })();
      return closing;
    },
  };
}
