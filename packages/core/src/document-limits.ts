import type { Issue } from './graylane-error.js';

/**
 * Bounds on what one document may hold. They are checked before schema validation,
 * so a hostile document costs time and memory in proportion to its text, never more.
 */
export const documentLimits = {
  /** Match groups (`all`/`any`) nested inside one another. */
  maxGroupDepth: 32,
  /** Objects and arrays nested inside one another, anywhere in a document. */
  maxDepth: 100,
  /** Conditions and groups in one document's match trees together. */
  maxMatchNodes: 64,
  /** Documents in one text (one apply). */
  maxDocuments: 1000,
  /** YAML aliases (`*name`) in one text. */
  maxAliases: 100,
  /** Default size of one stored resource, as JSON (the server's `--max-resource-size`). */
  maxResourceBytes: 256 * 1024,
} as const;

// A lone surrogate cannot be written as UTF-8: a store or an agent would silently
// turn it into U+FFFD, so the value stored would not be the value sent.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when a string holds only whole characters (no lone UTF-16 surrogate). */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

function isGroup(value: object): boolean {
  return !Array.isArray(value) && ('all' in value || 'any' in value);
}

interface Frame {
  value: unknown;
  path: string[];
  depth: number;
  groups: number;
}

/**
 * Walks a parsed value without recursion (a hostile document may nest thousands deep)
 * and returns the first limit it breaks: nesting, match-group nesting, the number of
 * match nodes, or a string that is not well-formed. `undefined` when it is fine.
 */
export function shapeIssue(value: unknown, document: string): Issue | undefined {
  const stack: Frame[] = [{ value, path: [], depth: 0, groups: 0 }];
  let matchNodes = 0;
  while (stack.length > 0) {
    const { value: v, path, depth, groups } = stack.pop()!;
    const at = path.join('.');
    if (typeof v === 'string') {
      if (!isWellFormed(v))
        return {
          document,
          path: at,
          message: 'the text holds an invalid character (a lone UTF-16 surrogate)',
        };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= documentLimits.maxDepth) {
      return { document, path: at, message: `nested more than ${documentLimits.maxDepth} levels deep` };
    }
    const inGroups = isGroup(v) ? groups + 1 : groups;
    if (inGroups > documentLimits.maxGroupDepth) {
      return {
        document,
        path: at,
        message: `match groups nest at most ${documentLimits.maxGroupDepth} deep: flatten the rule`,
      };
    }
    if (inGroups > 0 && !Array.isArray(v) && ++matchNodes > documentLimits.maxMatchNodes) {
      return {
        document,
        path: at,
        message: `a document holds at most ${documentLimits.maxMatchNodes} match conditions and groups: split the rule`,
      };
    }
    const entries = Array.isArray(v) ? v.map((item, i) => [String(i), item] as const) : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i]!;
      if (!isWellFormed(key)) {
        return { document, path: at, message: 'a key holds an invalid character (a lone UTF-16 surrogate)' };
      }
      stack.push({ value: item, path: [...path, key], depth: depth + 1, groups: inGroups });
    }
  }
  return undefined;
}

/** Bytes of a string once encoded as UTF-8, without allocating the encoding. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
