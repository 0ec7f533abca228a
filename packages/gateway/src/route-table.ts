import type { GatewayRoute } from '@graylane/core';

/** A request matched to a route: where it goes and the path (with query) the upstream gets. */
export interface RouteMatch {
  route: GatewayRoute;
  /** Path and query string for the upstream, after prefix stripping. */
  upstreamPath: string;
}

export type RouteTable = (path: string, search: string) => RouteMatch | undefined;

interface Prefix {
  route: GatewayRoute;
  prefix: string;
  /** The prefix with a trailing "/", so `/A` matches `/A` and `/A/x` but not `/AB`. */
  dir: string;
}

function strip(prefix: string, path: string): string {
  const rest = path.slice(prefix.endsWith('/') ? prefix.length - 1 : prefix.length);
  return rest === '' ? '/' : rest;
}

/**
 * Compiles the gateway routes into one lookup: an exact `path` route wins over any
 * prefix, and among prefixes the longest wins (ties by name, so the answer never
 * depends on the order the routes arrived in).
 */
export function compileRoutes(routes: readonly GatewayRoute[]): RouteTable {
  const exact = new Map<string, GatewayRoute>();
  const prefixes: Prefix[] = [];
  const sorted = [...routes].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  for (const route of sorted) {
    const { path, pathPrefix } = route.spec.match;
    if (path !== undefined) {
      if (!exact.has(path)) exact.set(path, route);
    } else if (pathPrefix !== undefined) {
      prefixes.push({
        route,
        prefix: pathPrefix,
        dir: pathPrefix.endsWith('/') ? pathPrefix : `${pathPrefix}/`,
      });
    }
  }
  prefixes.sort((a, b) => b.prefix.length - a.prefix.length);

  return (path, search) => {
    const hit = exact.get(path);
    if (hit) return { route: hit, upstreamPath: path + search };
    for (const p of prefixes) {
      if (
        path === p.prefix ||
        path.startsWith(p.dir) ||
        (p.prefix.endsWith('/') && path === p.prefix.slice(0, -1))
      ) {
        const upstream = p.route.spec.stripPrefix ? strip(p.prefix, path) : path;
        return { route: p.route, upstreamPath: upstream + search };
      }
    }
    return undefined;
  };
}
