import type * as http from 'node:http';
import type net from 'node:net';
import { httpModule, httpsModule } from '../builtins.js';
import type { Hop } from '../outbound/create-outbound.js';
import { IDEMPOTENT_METHODS } from '../outbound/failure-kind.js';

/** Request option under which the hop travels to `createConnection`. */
export const HOP = Symbol.for('graylane.hop');
const FAILED_OVER = Symbol('graylane.failedOver');
/** Errors the hop has already counted (a failed connect also reaches the request). */
export const counted = new WeakSet<object>();

type ConnectOptions = net.NetConnectOpts & { [HOP]?: Hop; host?: string; port?: number; method?: string };
type Created = (error: Error | null, socket: net.Socket) => void;
type Create = (options: ConnectOptions) => net.Socket;

/**
 * Connects for a hop: a connection that fails before anything was sent moves to the
 * instance the outbound path names next, and the pool never keeps a socket that
 * reached another instance than its key says.
 */
function connect(create: Create, options: ConnectOptions, hop: Hop, created: Created): void {
  const attempt = (host: string, port: number, failover: boolean) => {
    const socket = create({ ...options, host, port });
    const onError = (error: Error) => {
      socket.removeListener('connect', onConnect);
      const next = hop.retry(error, {
        responseStarted: false,
        replayable: true,
        idempotent: IDEMPOTENT_METHODS.has(options.method ?? 'GET'),
        bodySent: false,
      });
      counted.add(error);
      if (next === undefined) return created(error, socket);
      attempt(next.address, next.ports.http!, true);
    };
    const onConnect = () => {
      socket.removeListener('error', onError);
      if (failover) (socket as net.Socket & { [FAILED_OVER]?: boolean })[FAILED_OVER] = true;
      created(null, socket);
    };
    socket.once('error', onError);
    socket.once('connect', onConnect);
  };
  attempt(options.host ?? 'localhost', Number(options.port), false);
}

const keep = (socket: net.Socket) => !(socket as net.Socket & { [FAILED_OVER]?: boolean })[FAILED_OVER];

// What an app's own Agent may say about its connections (tls.connect and net.connect
// options, as https.Agent passes them on): a call to a governed app goes through the
// lane agents instead, and keeps these, or a CA given to the app's agent is lost.
const CONNECTION_OPTIONS = [
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'ciphers',
  'clientCertEngine',
  'crl',
  'dhparam',
  'ecdhCurve',
  'honorCipherOrder',
  'minVersion',
  'maxVersion',
  'privateKeyEngine',
  'privateKeyIdentifier',
  'rejectUnauthorized',
  'secureContext',
  'secureOptions',
  'secureProtocol',
  'sessionIdContext',
  'sigalgs',
  'checkServerIdentity',
  'servername',
  'ALPNProtocols',
  'localAddress',
  'family',
] as const;

/**
 * The connection options of the app's own Agent (`agent` of the request) that are set,
 * or undefined. They win over the request's, as they do when the app's Agent serves it.
 */
export function connectionOptionsOf(agent: unknown): Record<string, unknown> | undefined {
  const own = (agent as { options?: unknown } | null | undefined)?.options;
  if (typeof own !== 'object' || own === null) return undefined;
  let picked: Record<string, unknown> | undefined;
  for (const name of CONNECTION_OPTIONS) {
    const value = (own as Record<string, unknown>)[name];
    if (value === undefined) continue;
    picked ??= {};
    picked[name] = value;
  }
  return picked;
}

/** The keep-alive pool for http calls to governed apps; sockets are pooled per instance (host:port). */
export class LaneHttpAgent extends httpModule.Agent {
  constructor() {
    super({ keepAlive: true, keepAliveMsecs: 1000, scheduling: 'lifo' });
  }

  override createConnection(args: http.ClientRequestArgs, callback?: Created): net.Socket | undefined {
    const options = args as ConnectOptions;
    const hop = options[HOP];
    const create = (o: ConnectOptions) => super.createConnection(o as http.ClientRequestArgs) as net.Socket;
    if (!hop) return create(options);
    connect(create, options, hop, callback ?? (() => {}));
    return undefined;
  }

  override keepSocketAlive(socket: net.Socket): boolean {
    return keep(socket) && (super.keepSocketAlive as (s: net.Socket) => boolean)(socket);
  }
}

/**
 * The same for https: TLS goes to the chosen instance while SNI and the certificate
 * check use the name the application wrote (`servername`).
 */
export class LaneHttpsAgent extends httpsModule.Agent {
  constructor() {
    super({ keepAlive: true, keepAliveMsecs: 1000, scheduling: 'lifo' });
  }

  override createConnection(args: http.ClientRequestArgs, callback?: Created): net.Socket | undefined {
    const options = args as ConnectOptions;
    const hop = options[HOP];
    const create = (o: ConnectOptions) =>
      (
        httpsModule.Agent.prototype as unknown as { createConnection: (o: unknown) => net.Socket }
      ).createConnection.call(this, o);
    if (!hop) return create(options);
    connect(create, options, hop, callback ?? (() => {}));
    return undefined;
  }

  override keepSocketAlive(socket: net.Socket): boolean {
    return keep(socket) && (super.keepSocketAlive as (s: net.Socket) => boolean)(socket);
  }
}
