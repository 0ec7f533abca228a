import { createServer, STATUS_CODES } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import { createAgent, createLogger, type LogLevel, readAgentConfig } from '@graylane/agent';
import { GraylaneError, namespaceSchema } from '@graylane/core';
import { createGatewayHandler } from './create-gateway-handler.js';
import { createUpstreamPools } from './upstream-pools.js';

/** The app name lanes use for the gateway (`entry.apps: [gateway]`). */
export const GATEWAY_APP = 'gateway';

export interface GatewayOptions {
  /** Control plane URL; empty runs from the disk cache alone. */
  server: string;
  token?: string | undefined;
  /** 0 picks a free port; default 20000. */
  port?: number | undefined;
  /** Interface to listen on; all by default. */
  host?: string | undefined;
  namespace?: string | undefined;
  /** Where the last config is cached, to route while the control plane is down. */
  cacheDir?: string | undefined;
  logLevel?: LogLevel | undefined;
  /** Longest request header section accepted, in bytes (default 16 KiB); longer gets 431. */
  maxHeaderSize?: number | undefined;
  /** Time a client has to send its request headers (default 10 s); slower gets 408. */
  headersTimeoutMs?: number | undefined;
  /** Time a client has to send its whole request, body included (default 5 min). */
  requestTimeoutMs?: number | undefined;
  /** Serve HTTPS with this PEM certificate (chain) and unencrypted PEM key. */
  tls?: { cert: string | Buffer; key: string | Buffer } | undefined;
}

export interface RunningGateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

function clientErrorAnswer(code: string | undefined): { status: number; message: string } {
  if (code === 'HPE_HEADER_OVERFLOW')
    return { status: 431, message: 'the request headers are too large: send fewer or shorter headers' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return { status: 408, message: 'the request was not received in time' };
  return { status: 400, message: 'the request is not valid HTTP/1.1' };
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const namespace = options.namespace ?? 'default';
  if (!namespaceSchema.safeParse(namespace).success) {
    throw new GraylaneError(
      'GL_AGENT_CONFIG_INVALID',
      `namespace ${JSON.stringify(namespace)} is not valid: lowercase letters, digits and "-", at most 63 characters`,
    );
  }
  if (options.tls) {
    try {
      createSecureContext(options.tls);
    } catch (error) {
      throw new GraylaneError(
        'GL_TLS_INVALID',
        `the TLS certificate and key cannot be used (${(error as Error).message}): give a PEM certificate and its unencrypted PEM key`,
        { cause: error },
      );
    }
  }
  const config = readAgentConfig({
    ...process.env,
    GRAYLANE_APP: GATEWAY_APP,
    GRAYLANE_TAG: '',
    GRAYLANE_SERVER: options.server,
    GRAYLANE_TOKEN: options.token ?? process.env.GRAYLANE_TOKEN ?? '',
    GRAYLANE_NAMESPACE: namespace,
    ...(options.cacheDir ? { GRAYLANE_CACHE_DIR: options.cacheDir } : {}),
    ...(options.logLevel ? { GRAYLANE_LOG_LEVEL: options.logLevel } : {}),
  });
  const log = createLogger(config.logLevel);
  const agent = createAgent(config, log);
  const pools = createUpstreamPools();
  const serverOptions = {
    maxHeaderSize: options.maxHeaderSize ?? 16 * 1024,
    headersTimeout: options.headersTimeoutMs ?? 10_000,
    requestTimeout: options.requestTimeoutMs ?? 300_000,
    keepAliveTimeout: 5_000,
  };
  const handler = createGatewayHandler(agent, pools);
  const server = options.tls
    ? createHttpsServer({ ...serverOptions, ...options.tls }, handler)
    : createServer(serverOptions, handler);
  // Malformed requests, oversized headers and slow clients get a JSON answer on their own socket only.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') return socket.destroy();
    const { status, message } = clientErrorAnswer(error.code);
    const body = JSON.stringify({ error: { code: 'GL_BAD_REQUEST', message } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 20000, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await agent.stop();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new GraylaneError(
        'GL_PORT_IN_USE',
        `port ${options.port ?? 20000} is in use: stop what listens there or pass --port`,
        { cause: error },
      );
    }
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  agent.listening('http', port);
  await agent.ready();
  const shown =
    options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  return {
    url: `${options.tls ? 'https' : 'http'}://${shown.includes(':') ? `[${shown}]` : shown}:${port}`,
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await agent.stop();
      await pools.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
