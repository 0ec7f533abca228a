import { describe, expect, it } from 'vitest';
import { failureKind } from './failure-kind.js';

const errno = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.1:80`), { code });

describe('failureKind', () => {
  it('calls a refused, unroutable or unresolvable connection a connect failure', () => {
    for (const code of [
      'ECONNREFUSED',
      'EHOSTUNREACH',
      'ENETUNREACH',
      'ENOTFOUND',
      'UND_ERR_CONNECT_TIMEOUT',
    ])
      expect(failureKind(errno(code))).toBe('connect');
  });

  it('calls a connection broken under the request a reset', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'])
      expect(failureKind(errno(code))).toBe('reset');
  });

  it('finds the code in the cause fetch wraps the network error in', () => {
    expect(failureKind(new TypeError('fetch failed', { cause: errno('ECONNREFUSED') }))).toBe('connect');
  });

  it('reads a gRPC UNAVAILABLE status by the code in its details, else as a reset', () => {
    expect(
      failureKind({ code: 14, details: 'No connection established. Last error: connect ECONNREFUSED' }),
    ).toBe('connect');
    expect(failureKind({ code: 14, details: 'Connection dropped' })).toBe('reset');
  });

  it('reads a gRPC call no connection took as a connect failure, whatever the last error of the connection', () => {
    // After an instance died, grpc-js fails the calls it can no longer place with the
    // error that broke the last connection; none of them reached the instance.
    for (const details of [
      'No connection established. Last error: Error: read ECONNRESET. Resolution note: ',
      'No connection established. Last error: Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match',
      'round_robin: No connection established. Last error: Error: read ECONNRESET',
    ])
      expect(failureKind({ code: 14, details }), details).toBe('connect');
    expect(failureKind({ code: 14, details: 'b failed: No connection established' })).toBe('reset');
  });

  it('reads a gRPC INTERNAL status as a reset only when grpc-js wrote it for a broken stream', () => {
    expect(failureKind({ code: 13, details: 'read ECONNRESET' })).toBe('reset');
    expect(
      failureKind({
        code: 13,
        details: 'Received RST_STREAM with code 2 triggered by internal client error',
      }),
    ).toBe('reset');
  });

  it('never reads a downstream failure quoted in an answer as a failure of the instance that answered', () => {
    expect(failureKind({ code: 13, details: 'b[base] failed: read ECONNRESET' })).toBe('other');
    expect(failureKind({ code: 2, details: 'c failed: connect ECONNREFUSED 10.0.0.3:50051' })).toBe('other');
  });

  it('leaves timeouts of the answer, application errors and anything else alone', () => {
    expect(
      failureKind(Object.assign(new Error('headers timeout'), { code: 'UND_ERR_HEADERS_TIMEOUT' })),
    ).toBe('other');
    expect(failureKind({ code: 13, details: 'boom' })).toBe('other');
    expect(failureKind('nope')).toBe('other');
    expect(failureKind(undefined)).toBe('other');
  });
});
