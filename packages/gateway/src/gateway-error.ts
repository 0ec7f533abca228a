import type { ServerResponse } from 'node:http';
import { GraylaneError, isGraylaneError, statusOf } from '@graylane/core';

// undici's codes for "no response headers in time" and "the body stalled".
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** An upstream failure as a GraylaneError: timeouts are GL_UPSTREAM_TIMEOUT, the rest GL_UPSTREAM_FAILED. */
export function upstreamError(error: unknown, app: string, timeoutMs: number): GraylaneError {
  const code = (error as { code?: string } | undefined)?.code ?? '';
  if (TIMEOUTS.has(code)) {
    return new GraylaneError(
      'GL_UPSTREAM_TIMEOUT',
      `${app} did not answer within ${timeoutMs} ms: raise the route's timeoutMs or look at the app's latency`,
      { cause: error },
    );
  }
  return new GraylaneError(
    'GL_UPSTREAM_FAILED',
    `${app} failed to answer (${code || (error as Error)?.message || 'unknown error'}); the request was not retried further`,
    { cause: error },
  );
}

/** Writes `{"error": {code, message}}`; the cause and stack stay out of the response. */
export function sendError(res: ServerResponse, thrown: unknown): void {
  const error = isGraylaneError(thrown) ? thrown : GraylaneError.from(thrown);
  const status = statusOf(error.code);
  const message = status === 500 ? 'internal gateway error' : error.message;
  const body = JSON.stringify({ error: { code: error.code, message } });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
