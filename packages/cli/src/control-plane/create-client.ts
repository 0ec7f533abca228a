import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createSecureContext } from 'node:tls';
import { readTrustedCas } from '@graylane/agent';
import { errorCodeOf, GraylaneError, type Issue } from '@graylane/core';
import type { ClientSettings } from './client-flags.js';

export interface Client {
  // biome-ignore lint/suspicious/noExplicitAny: answers are read by the command that asked
  request(method: string, path: string, body?: { text: string; contentType: string }): Promise<any>;
}

/** One answer, or the network error that prevented it. */
function send(
  url: URL,
  options: {
    method: string;
    headers: Record<string, string>;
    secureContext?: import('node:tls').SecureContext;
  },
  body: string | undefined,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Calls the control plane's REST API; its `{error}` answers come back as GraylaneError.
 * An https:// control plane must present a certificate from a CA of the system store
 * or of `GRAYLANE_CA`.
 */
export function createClient(settings: ClientSettings): Client {
  const https = settings.server.startsWith('https://');
  const secureContext = https
    ? createSecureContext({ ca: readTrustedCas(process.env, 'GL_TLS_INVALID') })
    : undefined;
  return {
    async request(method, path, body) {
      const headers: Record<string, string> = {};
      if (settings.token) headers.authorization = `Bearer ${settings.token}`;
      if (body) headers['content-type'] = body.contentType;
      let res: { status: number; text: string };
      try {
        res = await send(
          new URL(settings.server + path),
          { method, headers, ...(secureContext ? { secureContext } : {}) },
          body?.text,
        );
      } catch (error) {
        const { code, message } = error as { code?: string; message?: string };
        const reason = code ?? message ?? String(error);
        throw new GraylaneError(
          'GL_CONTROL_PLANE_UNREACHABLE',
          /CERT|VERIFY|SELF_SIGNED|SSL|TLS/i.test(reason)
            ? `the control plane at ${settings.server} presents a certificate this machine does not trust (${reason}): ` +
                'set GRAYLANE_CA to the CA that signed it (a PEM file or its text)'
            : `cannot reach the control plane at ${settings.server} (${reason}): ` +
                'start it with "graylane server", or point --server / GRAYLANE_SERVER at it',
          { cause: error },
        );
      }
      const { status, text } = res;
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      if (status >= 200 && status < 300) return parsed;
      const e = (parsed as { error?: { code?: string; message?: string; issues?: Issue[] } } | undefined)
        ?.error;
      // An answer without a code (a proxy's error page) gets the code its status stands for.
      throw new GraylaneError(
        errorCodeOf(e?.code, status),
        e?.message ?? `the control plane answered HTTP ${status}: ${text.slice(0, 200)}`,
        { issues: e?.issues ?? [] },
      );
    },
  };
}
