import type { Condition, MatchNode } from '../conditions.js';
import { stableHash } from '../stable-hash.js';

/** A plain request, with everything already parsed: the reference reads it directly. */
export interface PlainRequest {
  method: string;
  path: string;
  host: string;
  headers: Record<string, string>;
  cookies: Record<string, string>;
  query: Record<string, string>;
}

function read(c: Condition, r: PlainRequest): string | undefined {
  const name = c.name ?? '';
  const pick = (bag: Record<string, string>, key: string) => (Object.hasOwn(bag, key) ? bag[key] : undefined);
  switch (c.source) {
    case 'header':
    case 'metadata':
      return pick(r.headers, name.toLowerCase());
    case 'cookie':
      return pick(r.cookies, name);
    case 'query':
      return pick(r.query, name);
    case 'path':
      return r.path;
    case 'method':
      return r.method;
    case 'host':
      return r.host;
  }
}

/**
 * The rule semantics written as directly as possible, for property tests: slow,
 * obvious, and independent of the compiler's code paths. Regexes here are limited
 * to patterns JavaScript and RE2 read the same way.
 */
export function referenceMatch(node: MatchNode, r: PlainRequest): boolean {
  if ('all' in node) return node.all.every((n) => referenceMatch(n, r));
  if ('any' in node) return node.any.some((n) => referenceMatch(n, r));
  const c = node;
  const raw = read(c, r);
  if (raw === undefined) return c.op === 'ne' || c.op === 'not_in';
  const fold = c.ignoreCase || c.source === 'method' || c.source === 'host';
  const v = fold ? raw.toLowerCase() : raw;
  const want = fold ? String(c.value ?? '').toLowerCase() : String(c.value ?? '');
  const num = raw.trim() === '' ? Number.NaN : Number(raw);
  switch (c.op) {
    case 'eq':
      return v === want;
    case 'ne':
      return v !== want;
    case 'in':
      return (c.values ?? []).some((x) => (fold ? String(x).toLowerCase() : String(x)) === v);
    case 'not_in':
      return !(c.values ?? []).some((x) => (fold ? String(x).toLowerCase() : String(x)) === v);
    case 'prefix':
      return v.startsWith(want);
    case 'suffix':
      return v.endsWith(want);
    case 'contains':
      return v.includes(want);
    case 'regex':
      return new RegExp(String(c.value), c.ignoreCase ? 'i' : '').test(raw);
    case 'gt':
      return num > Number(c.value);
    case 'ge':
      return num >= Number(c.value);
    case 'lt':
      return num < Number(c.value);
    case 'le':
      return num <= Number(c.value);
    case 'exists':
      return true;
    case 'percentage':
      return stableHash(raw) % 100 < Number(c.value);
    case 'modulo': {
      const d = c.divisor ?? 1;
      return Number.isInteger(num) && ((num % d) + d) % d === c.remainder;
    }
  }
}
