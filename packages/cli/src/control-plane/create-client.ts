import { errorCodeOf, GraylaneError, type Issue } from '@graylane/core';
import type { ClientSettings } from './client-flags.js';

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
        throw new GraylaneError(
          'GL_CONTROL_PLANE_UNREACHABLE',
          `cannot reach the control plane at ${settings.server} (${cause?.code ?? cause?.message ?? String(error)}): ` +
            'start it with "graylane server", or point --server / GRAYLANE_SERVER at it',
          { cause: error },
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
      // An answer without a code (a proxy's error page) gets the code its status stands for.
      throw new GraylaneError(
        errorCodeOf(e?.code, res.status),
        e?.message ?? `the control plane answered HTTP ${res.status}: ${text.slice(0, 200)}`,
        { issues: e?.issues ?? [] },
      );
    },
  };
}
