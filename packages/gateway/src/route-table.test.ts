import type { GatewayRoute } from '@graylane/core';
import { describe, expect, it } from 'vitest';
import { compileRoutes } from './route-table.js';

const route = (
  name: string,
  match: { path?: string; pathPrefix?: string },
  stripPrefix = false,
): GatewayRoute => ({
  apiVersion: 'graylane.io/v1',
  kind: 'GatewayRoute',
  metadata: { name, namespace: 'default' },
  spec: { match, app: name, stripPrefix, timeoutMs: 1000, retries: 1 },
});

describe('compileRoutes', () => {
  it('prefers an exact path over any prefix, and the longest prefix among prefixes', () => {
    const table = compileRoutes([
      route('root', { pathPrefix: '/' }),
      route('a', { pathPrefix: '/A' }),
      route('a-deep', { pathPrefix: '/A/deep' }),
      route('a-exact', { path: '/A/deep/x' }),
    ]);
    expect(table('/A/deep/x', '')?.route.spec.app).toBe('a-exact');
    expect(table('/A/deep/y', '')?.route.spec.app).toBe('a-deep');
    expect(table('/A/other', '')?.route.spec.app).toBe('a');
    expect(table('/A', '')?.route.spec.app).toBe('a');
    expect(table('/B', '')?.route.spec.app).toBe('root');
  });

  it('matches a prefix on segment boundaries only', () => {
    const table = compileRoutes([route('a', { pathPrefix: '/A' })]);
    expect(table('/AB', '')).toBeUndefined();
    expect(table('/A/', '')?.route.spec.app).toBe('a');
  });

  it('strips the prefix and keeps the query string', () => {
    const table = compileRoutes([
      route('a', { pathPrefix: '/A' }, true),
      route('b', { pathPrefix: '/B/' }, true),
    ]);
    expect(table('/A/dubbo', '?name=x')?.upstreamPath).toBe('/dubbo?name=x');
    expect(table('/A', '?q=1')?.upstreamPath).toBe('/?q=1');
    expect(table('/B/x/y', '')?.upstreamPath).toBe('/x/y');
    expect(table('/B', '')?.upstreamPath).toBe('/');
  });

  it('keeps the path whole without stripPrefix', () => {
    const table = compileRoutes([route('a', { pathPrefix: '/A' })]);
    expect(table('/A/dubbo', '?name=x')?.upstreamPath).toBe('/A/dubbo?name=x');
  });

  it('does not depend on the order routes arrive in', () => {
    const one = route('one', { pathPrefix: '/same' });
    const two = route('two', { pathPrefix: '/same' });
    expect(compileRoutes([one, two])('/same', '')?.route.spec.app).toBe('one');
    expect(compileRoutes([two, one])('/same', '')?.route.spec.app).toBe('one');
  });

  it('matches nothing without routes', () => {
    expect(compileRoutes([])('/', '')).toBeUndefined();
  });
});
