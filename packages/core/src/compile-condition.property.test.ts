import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileMatch } from './compile-condition.js';
import { type Condition, type MatchNode, operators } from './conditions.js';
import { parseResource } from './parse-documents.js';
import { createRequestView } from './request-view.js';
import { type PlainRequest, referenceMatch } from './test-support/reference-match.js';

// A small alphabet so that generated values and generated conditions often meet.
const word = fc.constantFrom('a', 'b', 'ab', 'Ab', 'x1', '10', '-3', '42', '7.5', '', ' 1');
const names = fc.constantFrom('k1', 'k2');
const regexes = fc.constantFrom('a', '^a', 'b$', '[0-9]+', 'a|x', '^$');

const condition: fc.Arbitrary<Condition> = fc
  .record({
    source: fc.constantFrom('header', 'cookie', 'query', 'path', 'method', 'host', 'metadata'),
    name: names,
    op: fc.constantFrom(...operators),
    word,
    values: fc.array(word, { minLength: 1, maxLength: 3 }),
    number: fc.integer({ min: -5, max: 50 }),
    regex: regexes,
    percent: fc.integer({ min: 0, max: 100 }),
    divisor: fc.integer({ min: 1, max: 7 }),
    remainder: fc.nat(6),
    ignoreCase: fc.boolean(),
  })
  .map((g): Condition => {
    const base = { source: g.source, name: g.name, op: g.op, ignoreCase: g.ignoreCase } as Condition;
    switch (g.op) {
      case 'in':
      case 'not_in':
        return { ...base, values: g.values };
      case 'gt':
      case 'ge':
      case 'lt':
      case 'le':
        return { ...base, value: g.number };
      case 'regex':
        return { ...base, value: g.regex };
      case 'percentage':
        return { ...base, value: g.percent };
      case 'modulo':
        return { ...base, divisor: g.divisor, remainder: g.remainder % g.divisor };
      case 'exists':
        return base;
      default:
        return { ...base, value: g.word };
    }
  });

const node: fc.Arbitrary<MatchNode> = fc.letrec<{ node: MatchNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    condition,
    fc.record({ all: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
  ),
})).node;

const bag = fc.dictionary(names, word, { maxKeys: 2 });
// Cookie values cannot hold surrounding spaces (RFC 6265): parsers trim them.
const cookieBag = fc.dictionary(
  names,
  word.filter((w) => w.trim() === w),
  { maxKeys: 2 },
);
const plainRequest: fc.Arbitrary<PlainRequest> = fc.record({
  method: fc.constantFrom('GET', 'POST'),
  path: fc.constantFrom('/a', '/ab', '/10'),
  host: fc.constantFrom('a', 'ab', 'x1'),
  headers: bag,
  cookies: cookieBag,
  query: bag,
});

function viewOf(r: PlainRequest) {
  const cookie = Object.entries(r.cookies)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  const query = Object.entries(r.query)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  const headers: Record<string, string> = { ...r.headers, host: r.host };
  if (cookie) headers.cookie = cookie;
  // gRPC metadata and headers share the bag here, as for HTTP requests.
  return createRequestView({ method: r.method, url: `${r.path}?${query}`, headers, metadata: r.headers });
}

describe('the compiled matcher', () => {
  it('decides as the reference semantics for any rule and any request', () => {
    fc.assert(
      fc.property(node, plainRequest, (rule, r) => {
        expect(compileMatch(rule)(viewOf(r))).toBe(referenceMatch(rule, r));
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts every generated rule through the schema unchanged', () => {
    fc.assert(
      fc.property(node, (rule) => {
        const doc = {
          apiVersion: 'graylane.io/v1',
          kind: 'Lane',
          metadata: { name: 'p' },
          spec: { tag: 'gray', entry: { apps: ['a'], match: { all: [rule] } } },
        };
        const parsed = parseResource(doc);
        expect(parsed.kind === 'Lane' && parsed.spec.entry?.match).toEqual({ all: [rule] });
      }),
      { numRuns: 500 },
    );
  });

  it('never throws, whatever the request holds', () => {
    const anyText = fc.string({ unit: 'binary', maxLength: 30 });
    fc.assert(
      fc.property(node, anyText, anyText, anyText, (rule, url, header, cookie) => {
        const view = createRequestView({ url, headers: { k1: header, cookie, host: header } });
        expect(typeof compileMatch(rule)(view)).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });
});
