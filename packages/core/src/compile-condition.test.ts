import { describe, expect, it } from 'vitest';
import { compileCondition, compileMatch } from './compile-condition.js';
import type { Condition } from './conditions.js';
import { regexLimits } from './regex-limits.js';
import { createRequestView } from './request-view.js';
import { bucketOf } from './stable-hash.js';

const request = createRequestView({
  method: 'get',
  url: '/A/dubbo?name=xiaoming&uid=1042&empty=&enc=a%20b',
  headers: {
    host: 'API.Example.com:8080',
    'x-user': 'Alice',
    'x-version': 'v2-beta',
    cookie: 'region=hangzhou; vip="gold"',
    'x-multi': ['a', 'b'],
  },
  metadata: { 'x-client': 'mobile' },
});

function matches(c: Condition): boolean {
  return compileCondition(c)(request);
}

describe('each operator', () => {
  it('eq matches the exact value and nothing else', () => {
    expect(matches({ source: 'query', name: 'name', op: 'eq', value: 'xiaoming' })).toBe(true);
    expect(matches({ source: 'query', name: 'name', op: 'eq', value: 'xiaoming2' })).toBe(false);
  });

  it('eq with ignoreCase compares case-insensitively', () => {
    expect(matches({ source: 'header', name: 'X-User', op: 'eq', value: 'alice' })).toBe(false);
    expect(matches({ source: 'header', name: 'X-User', op: 'eq', value: 'alice', ignoreCase: true })).toBe(
      true,
    );
  });

  it('ne matches a different value and a missing one', () => {
    expect(matches({ source: 'header', name: 'x-user', op: 'ne', value: 'bob' })).toBe(true);
    expect(matches({ source: 'header', name: 'x-user', op: 'ne', value: 'Alice' })).toBe(false);
    expect(matches({ source: 'header', name: 'x-absent', op: 'ne', value: 'bob' })).toBe(true);
  });

  it('in and not_in test membership in a list', () => {
    expect(matches({ source: 'cookie', name: 'region', op: 'in', values: ['beijing', 'hangzhou'] })).toBe(
      true,
    );
    expect(matches({ source: 'cookie', name: 'region', op: 'in', values: ['beijing'] })).toBe(false);
    expect(matches({ source: 'cookie', name: 'region', op: 'not_in', values: ['beijing'] })).toBe(true);
    expect(matches({ source: 'cookie', name: 'region', op: 'not_in', values: ['hangzhou'] })).toBe(false);
    expect(matches({ source: 'cookie', name: 'absent', op: 'not_in', values: ['x'] })).toBe(true);
    expect(matches({ source: 'query', name: 'uid', op: 'in', values: [1042, 7] })).toBe(true);
  });

  it('prefix, suffix and contains look at parts of the value', () => {
    expect(matches({ source: 'path', op: 'prefix', value: '/A/' })).toBe(true);
    expect(matches({ source: 'path', op: 'prefix', value: '/B/' })).toBe(false);
    expect(matches({ source: 'header', name: 'x-version', op: 'suffix', value: '-beta' })).toBe(true);
    expect(matches({ source: 'header', name: 'x-version', op: 'suffix', value: '-rc' })).toBe(false);
    expect(matches({ source: 'header', name: 'x-version', op: 'contains', value: '2-b' })).toBe(true);
    expect(
      matches({ source: 'header', name: 'x-version', op: 'contains', value: 'BETA', ignoreCase: true }),
    ).toBe(true);
  });

  it('regex finds the pattern anywhere unless anchored', () => {
    expect(matches({ source: 'header', name: 'x-version', op: 'regex', value: 'v\\d+' })).toBe(true);
    expect(matches({ source: 'header', name: 'x-version', op: 'regex', value: '^\\d' })).toBe(false);
    expect(
      matches({ source: 'header', name: 'x-version', op: 'regex', value: '^V2', ignoreCase: true }),
    ).toBe(true);
  });

  it('regex runs in linear time on input that makes backtracking engines explode', () => {
    const evil = createRequestView({ headers: { 'x-a': `${'a'.repeat(500)}!${'a'.repeat(50000)}` } });
    const p = compileCondition({ source: 'header', name: 'x-a', op: 'regex', value: '^(a+)+$' });
    expect(p(evil)).toBe(false);
  });

  it('regex looks only at the first 512 characters of a value, which then end where $ matches', () => {
    const at = (value: string, pattern: string) =>
      compileCondition({ source: 'header', name: 'x-a', op: 'regex', value: pattern })(
        createRequestView({ headers: { 'x-a': value } }),
      );
    const long = `${'a'.repeat(regexLimits.matchedPrefix - 1)}x${'y'.repeat(100)}`;
    expect(at(long, 'x$')).toBe(true);
    expect(at(long, 'y')).toBe(false);
    expect(at(`${'a'.repeat(regexLimits.matchedPrefix)}needle`, 'needle')).toBe(false);
    expect(at(`${'a'.repeat(100)}needle`, 'needle')).toBe(true);
  });

  it('gt, ge, lt and le compare numbers and reject non-numbers', () => {
    expect(matches({ source: 'query', name: 'uid', op: 'gt', value: 1000 })).toBe(true);
    expect(matches({ source: 'query', name: 'uid', op: 'gt', value: 1042 })).toBe(false);
    expect(matches({ source: 'query', name: 'uid', op: 'ge', value: 1042 })).toBe(true);
    expect(matches({ source: 'query', name: 'uid', op: 'lt', value: '2000' })).toBe(true);
    expect(matches({ source: 'query', name: 'uid', op: 'le', value: 1041 })).toBe(false);
    expect(matches({ source: 'query', name: 'name', op: 'gt', value: 0 })).toBe(false);
    expect(matches({ source: 'query', name: 'empty', op: 'lt', value: 1 })).toBe(false);
  });

  it('exists is true for a present value, even an empty one', () => {
    expect(matches({ source: 'query', name: 'empty', op: 'exists' })).toBe(true);
    expect(matches({ source: 'query', name: 'nope', op: 'exists' })).toBe(false);
  });

  it('percentage puts a value in a stable bucket below N', () => {
    const bucket = bucketOf('Alice');
    expect(matches({ source: 'header', name: 'x-user', op: 'percentage', value: bucket + 1 })).toBe(true);
    expect(matches({ source: 'header', name: 'x-user', op: 'percentage', value: bucket })).toBe(false);
    expect(matches({ source: 'header', name: 'x-user', op: 'percentage', value: 100 })).toBe(true);
    expect(matches({ source: 'header', name: 'x-user', op: 'percentage', value: 0 })).toBe(false);
  });

  it('modulo divides an integer value and compares the remainder', () => {
    expect(matches({ source: 'query', name: 'uid', op: 'modulo', divisor: 10, remainder: 2 })).toBe(true);
    expect(matches({ source: 'query', name: 'uid', op: 'modulo', divisor: 10, remainder: 3 })).toBe(false);
    expect(matches({ source: 'query', name: 'name', op: 'modulo', divisor: 10, remainder: 0 })).toBe(false);
    const negative = createRequestView({ url: '/?n=-3' });
    expect(
      compileCondition({ source: 'query', name: 'n', op: 'modulo', divisor: 5, remainder: 2 })(negative),
    ).toBe(true);
  });

  it('a missing value fails every positive operator', () => {
    for (const op of ['eq', 'prefix', 'suffix', 'contains', 'regex', 'gt', 'exists', 'percentage'] as const) {
      expect(
        matches({ source: 'header', name: 'x-absent', op, value: op === 'percentage' ? 100 : '1' }),
      ).toBe(false);
    }
  });
});

describe('each source', () => {
  it('reads method and host case-insensitively, host without its port', () => {
    expect(matches({ source: 'method', op: 'eq', value: 'get' })).toBe(true);
    expect(matches({ source: 'host', op: 'eq', value: 'api.example.com' })).toBe(true);
    expect(matches({ source: 'host', op: 'suffix', value: '.EXAMPLE.com' })).toBe(true);
  });

  it('reads gRPC metadata, decoded query values, quoted cookies and joined repeated headers', () => {
    expect(matches({ source: 'metadata', name: 'X-Client', op: 'eq', value: 'mobile' })).toBe(true);
    expect(matches({ source: 'query', name: 'enc', op: 'eq', value: 'a b' })).toBe(true);
    expect(matches({ source: 'cookie', name: 'vip', op: 'eq', value: 'gold' })).toBe(true);
    expect(matches({ source: 'header', name: 'x-multi', op: 'eq', value: 'a, b' })).toBe(true);
  });
});

describe('groups', () => {
  const yes = { source: 'method', op: 'eq', value: 'GET' } as const;
  const no = { source: 'method', op: 'eq', value: 'POST' } as const;

  it('all needs every member and any needs one', () => {
    expect(compileMatch({ all: [yes, yes] })(request)).toBe(true);
    expect(compileMatch({ all: [yes, no] })(request)).toBe(false);
    expect(compileMatch({ any: [no, yes] })(request)).toBe(true);
    expect(compileMatch({ any: [no, no] })(request)).toBe(false);
    expect(compileMatch({ any: [no] })(request)).toBe(false);
  });

  it('groups nest', () => {
    expect(compileMatch({ all: [yes, { any: [no, { all: [yes] }] }] })(request)).toBe(true);
    expect(compileMatch({ all: [yes, { any: [no, { all: [no, yes] }] }] })(request)).toBe(false);
  });
});
