import type * as http from 'node:http';
import net from 'node:net';
import type { Instance } from '@graylane/core/runtime';
import { httpModule } from '../builtins.js';
import type { Agent } from '../create-agent.js';
import type { Target } from '../routing-state.js';

/** Request option under which the chosen target travels to `createConnection`. */
export const TARGET = Symbol.for('graylane.target');
const FAILED_OVER = Symbol('graylane.failedOver');

const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EADDRNOTAVAIL',
]);

type ConnectOptions = net.NetConnectOpts & { [TARGET]?: Target; host?: string; port?: number };
type Created = (error: Error | null, socket: net.Socket) => void;

/**
 * The keep-alive pool for calls to governed apps. Sockets are pooled per instance
 * (host:port is the pool key); a connection refused before anything was sent is
 * retried on another instance of the same tag set, and that instance is skipped
 * for a cool-down.
 */
export class LaneHttpAgent extends httpModule.Agent {
  constructor(private readonly graylane: Agent) {
    super({ keepAlive: true, keepAliveMsecs: 1000, scheduling: 'lifo' });
  }

  override createConnection(args: http.ClientRequestArgs, callback?: Created): net.Socket | undefined {
    const options = args as ConnectOptions;
    const created: Created = callback ?? (() => {});
    const target = options[TARGET];
    if (!target) return net.createConnection(options);
    const tryConnect = (instance: Instance, host: string, port: number, failover: boolean) => {
      const socket = net.createConnection({ ...options, host, port });
      const onError = (error: NodeJS.ErrnoException) => {
        socket.removeListener('connect', onConnect);
        if (!CONNECT_FAILURES.has(error.code ?? '')) return created(error, socket);
        this.graylane.markFailed(instance);
        const next = target.alternatives();
        if (!next) return created(error, socket);
        this.graylane.log.debug(
          `connect to ${host}:${port} failed (${error.code}); retrying on ${next.address}`,
        );
        tryConnect(next, next.address, next.ports.http!, true);
      };
      const onConnect = () => {
        socket.removeListener('error', onError);
        if (failover) (socket as net.Socket & { [FAILED_OVER]?: boolean })[FAILED_OVER] = true;
        created(null, socket);
      };
      socket.once('error', onError);
      socket.once('connect', onConnect);
    };
    tryConnect(target.instance, options.host ?? 'localhost', Number(options.port), false);
    return undefined;
  }

  // A socket that reached another instance than its pool's key names is not kept.
  override keepSocketAlive(socket: net.Socket): boolean {
    if ((socket as net.Socket & { [FAILED_OVER]?: boolean })[FAILED_OVER]) return false;
    return (super.keepSocketAlive as (s: net.Socket) => boolean)(socket);
  }
}
