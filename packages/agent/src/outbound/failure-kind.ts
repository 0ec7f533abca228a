/**
 * How a failed attempt ended, as far as choosing the next one goes:
 * - `connect`: the request never reached the instance (nothing listens, no route,
 *   no name): always safe to send elsewhere;
 * - `reset`: the connection broke under the request (the process died, a proxy cut
 *   it): the instance may have acted, so only an idempotent or unsent request moves;
 * - `other`: an answer or an error of the app's own making; never retried here.
 */
export type FailureKind = 'connect' | 'reset' | 'other';

/**
 * The one table of platform errors (node:net, node:http, undici, grpc-js details),
 * in the spirit of connect-node's node-error.ts and undici's retry handler codes.
 * Every adapter classifies through it, so they agree on what a connect failure is.
 */
const KINDS: Readonly<Record<string, FailureKind>> = {
  ECONNREFUSED: 'connect',
  EHOSTUNREACH: 'connect',
  EHOSTDOWN: 'connect',
  ENETUNREACH: 'connect',
  ENETDOWN: 'connect',
  EADDRNOTAVAIL: 'connect',
  ENOTFOUND: 'connect',
  EAI_AGAIN: 'connect',
  ETIMEDOUT: 'connect',
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  ECONNRESET: 'reset',
  ECONNABORTED: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  ERR_HTTP2_STREAM_ERROR: 'reset',
  ERR_HTTP2_GOAWAY_SESSION: 'reset',
};

const CODE_IN_TEXT = /\b(E[A-Z]{3,}|UND_ERR_[A-Z_]+)\b/g;
const GRPC_UNAVAILABLE = 14;
const GRPC_INTERNAL = 13;

/**
 * The kind of a failure: its `code`, else its cause's (fetch wraps the network error),
 * else a code named in its message or gRPC details; a gRPC UNAVAILABLE status with
 * nothing more precise counts as a reset (the channel lost its connection).
 */
export function failureKind(error: unknown): FailureKind {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const { code, message, details, cause } = current as {
      code?: unknown;
      message?: unknown;
      details?: unknown;
      cause?: unknown;
    };
    if (typeof code === 'number') return grpcStatusKind(code, details);
    if (typeof code === 'string' && KINDS[code] !== undefined) return KINDS[code];
    for (const text of [details, message]) {
      if (typeof text !== 'string') continue;
      for (const match of text.matchAll(CODE_IN_TEXT)) {
        const kind = KINDS[match[1]!];
        if (kind !== undefined) return kind;
      }
    }
    if (code === GRPC_UNAVAILABLE) return 'reset';
    current = cause;
  }
  return 'other';
}

// What grpc-js writes in the details of a status it made itself when the connection
// broke under a call ("read ECONNRESET", "Received RST_STREAM with code 2 ..."). Only
// these, at the start of the details, count: an app's own error text often quotes a
// downstream failure ("b failed: read ECONNRESET"), and reading that as a reset of the
// instance that answered would eject a healthy instance for its callee's crash.
const GRPC_TRANSPORT_DETAILS = /^(?:(?:read|write) (E[A-Z]{3,})\b|Received RST_STREAM)/;

// What grpc-js's load balancers answer a call they could not put on any connection
// (`No connection established. Last error: ...`, `round_robin: No connection ...`):
// the call never left the client, whatever the last error of the connection was. After
// an instance dies that is often `read ECONNRESET` of the connection it broke, which
// must not make a call that never reached it look like one that may have been acted on.
const GRPC_NOT_SENT = /^(?:[a-z_]+: )?No connection established\b/;

/**
 * A gRPC status: UNAVAILABLE is the channel's (a connect failure when grpc-js could not
 * send the call, or its details name one); INTERNAL only when grpc-js wrote it for a
 * broken stream; every other status is an answer.
 */
function grpcStatusKind(code: number, details: unknown): FailureKind {
  const text = typeof details === 'string' ? details : '';
  if (code === GRPC_UNAVAILABLE) {
    if (GRPC_NOT_SENT.test(text)) return 'connect';
    for (const match of text.matchAll(CODE_IN_TEXT)) {
      const kind = KINDS[match[1]!];
      if (kind !== undefined) return kind;
    }
    return 'reset';
  }
  if (code === GRPC_INTERNAL) {
    const match = GRPC_TRANSPORT_DETAILS.exec(text);
    if (match) return match[1] === undefined ? 'reset' : (KINDS[match[1]] ?? 'other');
  }
  return 'other';
}

/** Methods a server may receive twice without harm (RFC 9110 §9.2.2). */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'OPTIONS',
  'PUT',
  'DELETE',
  'TRACE',
]);
