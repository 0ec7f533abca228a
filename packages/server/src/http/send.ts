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
  // An answer given before the whole body arrived (too large, unauthenticated) ends the connection:
  // reading on to the next request would mean reading whatever the client still sends.
  const unread = error.code === 'GL_BODY_TOO_LARGE' || !res.req.complete;
  if (unread) lingerOnClose(res);
  sendJson(res, statusOf(error.code), { error: body }, unread ? { connection: 'close' } : {});
}

const LINGER_MS = 2_000;

/**
 * Node ends a `connection: close` answer with `socket.destroySoon()`: the socket is
 * destroyed as soon as the answer is written. If the client is still sending, the
 * kernel then answers with a reset, and the client may lose the answer before it reads
 * it (the "lingering close" of RFC 9112, section 9.6). So for this socket the write
 * side is ended, what still arrives is read and dropped, and the socket is destroyed
 * once the client closes or after LINGER_MS.
 */
function lingerOnClose(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket) return;
  socket.destroySoon = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };
}
