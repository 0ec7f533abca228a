import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraylaneError } from '@graylane/core';
import type { Access, Principal } from '../auth/create-auth.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  principal: Principal;
}

/** What a handler answers; `undefined` when it wrote the response itself (a stream). */
export type Reply = { status: number; body?: unknown } | undefined;
export type Handler = (ctx: RequestContext) => Promise<Reply>;

interface Route {
  method: string;
  segments: string[];
  access: Access;
  handler: Handler;
}

export interface Match {
  route: { access: Access; handler: Handler };
  params: Record<string, string>;
}

/** A path router: `{name}` segments capture one decoded path segment. */
export function createRouter() {
  const routes: Route[] = [];
  return {
    add(method: string, pattern: string, access: Access, handler: Handler) {
      routes.push({ method, segments: pattern.split('/').filter(Boolean), access, handler });
    },
    match(method: string, path: string): Match {
      const parts = path.split('/').filter(Boolean);
      const allowed = new Set<string>();
      for (const route of routes) {
        const params = matchSegments(route.segments, parts);
        if (params === undefined) continue;
        if (route.method === method) return { route, params };
        allowed.add(route.method);
      }
      if (allowed.size > 0) {
        throw new GraylaneError(
          'GL_BAD_REQUEST',
          `${method} is not supported on ${path}: use ${[...allowed].join(' or ')}`,
        );
      }
      throw new GraylaneError(
        'GL_NOT_FOUND',
        `no endpoint at ${path}: the API is described at /openapi.json`,
      );
    },
  };
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.startsWith('{')) {
      try {
        params[p.slice(1, -1)] = decodeURIComponent(parts[i]!);
      } catch {
        return undefined;
      }
    } else if (p !== parts[i]) return undefined;
  }
  return params;
}
