import type { IncomingMessage } from 'node:http';
import { createSecureContext } from 'node:tls';
import { type ConfigChange, type ConfigSnapshot, GraylaneError } from '@graylane/core/runtime';
import { originals } from './originals.js';
import { createSseParser } from './sse-parser.js';

export interface ControlPlaneClient {
  request<T>(
    method: string,
    path: string,
    body?: unknown,
    timeoutMs?: number,
  ): Promise<{ status: number; body: T }>;
  /**
   * Opens the watch stream; resolves when it ends (error or server closed), with the
   * HTTP status when the server refused it.
   */
  watch(
    namespace: string,
    since: number | undefined,
    on: { snapshot(s: ConfigSnapshot): void; change(c: ConfigChange): void },
  ): { done: Promise<number | undefined>; close(): void };
}

/** `ca`: the CAs an https:// control plane's certificate must chain to (GRAYLANE_CA and the system store). */
export function createControlPlaneClient(server: string, token: string, ca?: string[]): ControlPlaneClient {
  const base = new URL(server);
  const send = base.protocol === 'https:' ? originals.httpsRequest : originals.httpRequest;
  // Built once: a context from a list of CAs costs a parse of every certificate.
  const secureContext = base.protocol === 'https:' && ca ? createSecureContext({ ca }) : undefined;
  const headers = (extra: Record<string, string> = {}) => ({
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  });

  function open(method: string, path: string, extra: Record<string, string>, payload?: string) {
    const req = send(new URL(path, base), {
      ...(secureContext ? { secureContext } : {}),
      method,
      headers: headers(payload === undefined ? extra : { ...extra, 'content-type': 'application/json' }),
    });
    // The agent's own connections must never keep the app's process alive.
    req.on('socket', (socket) => socket.unref());
    return req;
  }

  return {
    request(method, path, body, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = open(method, path, {}, payload);
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on('error', (error) =>
          reject(
            new GraylaneError('GL_CONTROL_PLANE_UNREACHABLE', `control plane ${server}: ${error.message}`, {
              cause: error,
            }),
          ),
        );
        req.on('response', (res: IncomingMessage) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => {
            let parsed: unknown = text;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              // not JSON: keep the text for the error message
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as never });
          });
          res.on('error', reject);
        });
        req.end(payload);
      });
    },

    watch(namespace, since, on) {
      const query = since === undefined ? '' : `?since=${since}`;
      const req = open('GET', `/v1/namespaces/${encodeURIComponent(namespace)}/watch${query}`, {
        accept: 'text/event-stream',
      });
      const done = new Promise<number | undefined>((resolve) => {
        req.on('error', () => resolve(undefined));
        req.on('close', () => resolve(undefined));
        req.on('response', (res: IncomingMessage) => {
          if (res.statusCode !== 200) {
            res.resume();
            resolve(res.statusCode);
            return;
          }
          res.setEncoding('utf8');
          const parse = createSseParser(({ event, data }) => {
            if (event !== 'snapshot' && event !== 'change') return;
            try {
              const value = JSON.parse(data);
              if (event === 'snapshot') on.snapshot(value as ConfigSnapshot);
              else on.change(value as ConfigChange);
            } catch {
              // A damaged stream: drop it and reconnect; never throw into the app's event loop.
              req.destroy();
            }
          });
          res.on('data', parse);
          res.on('end', () => resolve(undefined));
          res.on('error', () => resolve(undefined));
        });
        req.end();
      });
      return { done, close: () => req.destroy() };
    },
  };
}
