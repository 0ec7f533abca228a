import { type ErrorCode, GraylaneError, type Issue } from '@graylane/core';
import type { ClientSettings } from './client-flags.js';

/** Failure to reach the control plane at all (not an answer from it). */
export class UnreachableError extends Error {}

export interface Client {
  // biome-ignore lint/suspicious/noExplicitAny: answers are read by the command that asked
  request(method: string, path: string, body?: { text: string; contentType: string }): Promise<any>;
}

/** Calls the control plane's REST API; its `{error}` answers come back as GraylaneError. */
export function createClient(settings: ClientSettings): Client {
  return {
    async request(method, path, body) {
      const headers: Record<string, string> = {};
      if (settings.token) headers.authorization = `Bearer ${settings.token}`;
      if (body) headers['content-type'] = body.contentType;
      let res: Response;
      try {
        res = await fetch(settings.server + path, { method, headers, body: body?.text });
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new UnreachableError(
          `cannot reach the control plane at ${settings.server} (${cause?.code ?? cause?.message ?? String(error)}): ` +
            'start it with "graylane server", or point --server / GRAYLANE_SERVER at it',
        );
      }
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      if (res.ok) return parsed;
      const e = (parsed as { error?: { code?: string; message?: string; issues?: Issue[] } } | undefined)
        ?.error;
      if (e?.code) {
        throw new GraylaneError(e.code as ErrorCode, e.message ?? `HTTP ${res.status}`, {
          issues: e.issues ?? [],
        });
      }
      throw new GraylaneError(
        'GL_INTERNAL',
        `the control plane answered HTTP ${res.status}: ${text.slice(0, 200)}`,
      );
    },
  };
}
