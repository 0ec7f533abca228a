import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRequestView, parseCookies, parseQuery } from './request-view.js';

describe('createRequestView', () => {
  it('splits the path from the query and defaults to GET on /', () => {
    const v = createRequestView({});
    expect(v.method).toBe('GET');
    expect(v.path).toBe('/');
    expect(v.host).toBe('');
    expect(v.query('a')).toBeUndefined();
    expect(v.cookie('a')).toBeUndefined();
  });

  it('keeps an IPv6 host literal and drops its port', () => {
    expect(createRequestView({ headers: { host: '[::1]:8080' } }).host).toBe('[::1]');
    expect(createRequestView({ headers: { ':authority': 'svc-b:50051' } }).host).toBe('svc-b');
  });

  it('reads numeric header values as text', () => {
    expect(createRequestView({ headers: { 'content-length': 12 } }).header('content-length')).toBe('12');
  });
});

describe('parseQuery', () => {
  it('keeps the first of repeated names and tolerates malformed escapes', () => {
    const q = parseQuery('a=1&a=2&b&c=%zz&&d=x+y&e%41=1');
    expect(q.get('a')).toBe('1');
    expect(q.get('b')).toBe('');
    expect(q.get('c')).toBe('%zz');
    expect(q.get('d')).toBe('x y');
    expect(q.get('eA')).toBe('1');
  });
});

describe('parseCookies', () => {
  it('ignores parts without a name or value separator and keeps the first of a name', () => {
    const c = parseCookies('a=1; junk; =x; a=2; b="q"; c="');
    expect([...c]).toEqual([
      ['a', '1'],
      ['b', 'q'],
      ['c', '"'],
    ]);
    expect(parseCookies(undefined).size).toBe(0);
  });
});

describe('lazy lookups', () => {
  const piece = fc.constantFrom('a', 'b', 'a b', 'a%20b', 'a+b', '%zz', '"q"', ' ', '', '=', 'x=y');
  const text = (sep: string) => fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(sep));
  const name = fc.constantFrom('a', 'b', 'a b', 'a+b', 'x', '%zz', ' a');

  it('find the same query value as parsing the whole query string', () => {
    fc.assert(
      fc.property(text('&'), name, (qs, n) => {
        expect(createRequestView({ url: `/p?${qs}` }).query(n)).toBe(parseQuery(qs).get(n));
      }),
      { numRuns: 3000 },
    );
  });

  it('find the same cookie as parsing the whole cookie header', () => {
    fc.assert(
      fc.property(text(';'), name, (header, n) => {
        expect(createRequestView({ headers: { cookie: header } }).cookie(n)).toBe(
          parseCookies(header).get(n),
        );
      }),
      { numRuns: 3000 },
    );
  });
});
