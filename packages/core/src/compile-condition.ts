import type { Condition, MatchNode } from './conditions.js';
import { loadRe2js } from './re2js-engine.js';
import { matchedPart } from './regex-limits.js';
import type { RequestView } from './request-view.js';
import { bucketOf } from './stable-hash.js';

const MEMO_ENTRIES = 512;
const MEMO_MAX_LENGTH = 512;

export type Predicate = (view: RequestView) => boolean;
export type Read = (view: RequestView) => string | undefined;

/** Reads one source of a request; header and metadata names are case-insensitive. */
export function readerFor(source: Condition['source'], rawName: string | undefined): Read {
  const name = rawName ?? '';
  switch (source) {
    case 'header': {
      const key = name.toLowerCase();
      return (v) => v.header(key);
    }
    case 'metadata': {
      const key = name.toLowerCase();
      return (v) => v.metadata(key);
    }
    case 'cookie':
      return (v) => v.cookie(name);
    case 'query':
      return (v) => v.query(name);
    case 'path':
      return (v) => v.path;
    case 'method':
      return (v) => v.method;
    case 'host':
      return (v) => v.host;
  }
}

// Some sources are already normalised by the view; comparing them case-insensitively
// is what people mean ("method eq get", "host eq API.example.com").
function impliedIgnoreCase(c: Condition): boolean {
  return c.ignoreCase === true || c.source === 'method' || c.source === 'host';
}

function numberOf(text: string): number {
  // Number('') is 0 and Number(' 1 ') is 1; a request value must look like a number.
  return text.trim() === '' ? Number.NaN : Number(text);
}

/** Builds the value test of one operator: it receives the read value, never undefined. */
function valueTest(c: Condition, fold: (s: string) => string): (value: string) => boolean {
  const text = fold(String(c.value ?? ''));
  switch (c.op) {
    case 'eq':
      return (v) => fold(v) === text;
    case 'ne':
      return (v) => fold(v) !== text;
    case 'in':
    case 'not_in': {
      const set = new Set((c.values ?? []).map((x) => fold(String(x))));
      return c.op === 'in' ? (v) => set.has(fold(v)) : (v) => !set.has(fold(v));
    }
    case 'prefix':
      return (v) => fold(v).startsWith(text);
    case 'suffix':
      return (v) => fold(v).endsWith(text);
    case 'contains':
      return (v) => fold(v).includes(text);
    case 'regex': {
      const { RE2JS } = loadRe2js();
      const re = RE2JS.compile(String(c.value), c.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
      // Values that regexes look at (user agents, versions, tenants) repeat a lot;
      // remembering the last few hundred answers skips the engine for most requests.
      const memo = new Map<string, boolean>();
      return (value) => {
        // Only the beginning of a long value is looked at, so a 50 kB header costs what 1 kB does.
        const v = matchedPart(value);
        let hit = memo.get(v);
        if (hit === undefined) {
          // find() runs RE2's backtracker or NFA, whose cost is bounded by program size
          // times text length; test() would try re2js's lazy DFA first, which on hostile
          // patterns builds a new state per character, several times slower.
          hit = re.matcher(v).find();
          if (v.length <= MEMO_MAX_LENGTH) {
            if (memo.size >= MEMO_ENTRIES) memo.clear();
            memo.set(v, hit);
          }
        }
        return hit;
      };
    }
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le': {
      const bound = Number(c.value);
      const cmp = {
        gt: (n: number) => n > bound,
        ge: (n: number) => n >= bound,
        lt: (n: number) => n < bound,
        le: (n: number) => n <= bound,
      }[c.op];
      return (v) => cmp(numberOf(v));
    }
    case 'exists':
      return () => true;
    case 'percentage': {
      const share = Number(c.value);
      return (v) => bucketOf(v) < share;
    }
    case 'modulo': {
      const divisor = c.divisor ?? 1;
      const remainder = c.remainder ?? 0;
      return (v) => {
        const n = numberOf(v);
        return Number.isInteger(n) && ((n % divisor) + divisor) % divisor === remainder;
      };
    }
  }
}

const identity = (s: string) => s;
const lower = (s: string) => s.toLowerCase();

export function compileCondition(c: Condition): Predicate {
  const read = readerFor(c.source, c.name);
  const test = valueTest(c, c.op !== 'regex' && impliedIgnoreCase(c) ? lower : identity);
  // A missing value satisfies only the negative operators: a request without
  // `x-version` is indeed "not beta".
  const whenMissing = c.op === 'ne' || c.op === 'not_in';
  return (view) => {
    const value = read(view);
    return value === undefined ? whenMissing : test(value);
  };
}

export function compileMatch(node: MatchNode): Predicate {
  if ('all' in node) {
    const parts = node.all.map(compileMatch);
    if (parts.length === 1) return parts[0]!;
    return (view) => {
      for (const part of parts) if (!part(view)) return false;
      return true;
    };
  }
  if ('any' in node) {
    const parts = node.any.map(compileMatch);
    if (parts.length === 1) return parts[0]!;
    return (view) => {
      for (const part of parts) if (part(view)) return true;
      return false;
    };
  }
  return compileCondition(node);
}
