import type { ServerResponse } from 'node:http';
import { GraylaneError, statusOf } from '@graylane/core';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType: string) {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Every error leaves as `{"error": {code, message, issues}}`; internals are not leaked. */
export function sendError(res: ServerResponse, thrown: unknown, log: (line: string) => void): void {
  const error = GraylaneError.from(thrown);
  if (error.code === 'GL_INTERNAL') {
    log(`internal error: ${thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown)}`);
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body =
    error.code === 'GL_INTERNAL'
      ? new GraylaneError(
          'GL_INTERNAL',
          'the control plane failed on this request; its log says why',
        ).toJSON()
      : error.toJSON();
  // After a rejected upload the rest of the body is not read: close instead of reusing the socket.
  const headers: Record<string, string> = error.code === 'GL_BODY_TOO_LARGE' ? { connection: 'close' } : {};
  sendJson(res, statusOf(error.code), { error: body }, headers);
}
