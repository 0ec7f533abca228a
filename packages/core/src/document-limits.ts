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
  value: object;
  parent: Frame | undefined;
  key: string | number;
  depth: number;
  groups: number;
}

function pathOf(frame: Frame | undefined, last?: string | number): string {
  const keys: Array<string | number> = last === undefined ? [] : [last];
  for (let f = frame; f?.parent; f = f.parent) keys.push(f.key);
  return keys.reverse().join('.');
}

/**
 * Walks a parsed value without recursion (a hostile document may nest thousands deep)
 * and returns the first limit it breaks: nesting, match-group nesting, the number of
 * match nodes, or a string that is not well-formed. `undefined` when it is fine.
 * A path is only built for the answer: a megabyte of JSON holds half a million values.
 */
export function shapeIssue(value: unknown, document: string): Issue | undefined {
  if (typeof value === 'string') {
    return isWellFormed(value) ? undefined : { document, path: '', message: BAD_TEXT };
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: Frame[] = [{ value, parent: undefined, key: '', depth: 0, groups: 0 }];
  let matchNodes = 0;
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { value: v, depth, groups } = frame;
    if (depth >= documentLimits.maxDepth) {
      return {
        document,
        path: pathOf(frame),
        message: `nested more than ${documentLimits.maxDepth} levels deep`,
      };
    }
    const array = Array.isArray(v);
    const inGroups = !array && isGroup(v) ? groups + 1 : groups;
    if (inGroups > documentLimits.maxGroupDepth) {
      return {
        document,
        path: pathOf(frame),
        message: `match groups nest at most ${documentLimits.maxGroupDepth} deep: flatten the rule`,
      };
    }
    if (inGroups > 0 && !array && ++matchNodes > documentLimits.maxMatchNodes) {
      return {
        document,
        path: pathOf(frame),
        message: `a document holds at most ${documentLimits.maxMatchNodes} match conditions and groups: split the rule`,
      };
    }
    const keys: Array<string | number> = array ? [] : Object.keys(v);
    const count = array ? (v as unknown[]).length : keys.length;
    for (let i = count - 1; i >= 0; i--) {
      const key = array ? i : keys[i]!;
      if (!array && !isWellFormed(key as string)) {
        return {
          document,
          path: pathOf(frame),
          message: 'a key holds an invalid character (a lone UTF-16 surrogate)',
        };
      }
      const item = (v as Record<string | number, unknown>)[key];
      if (typeof item === 'string') {
        if (!isWellFormed(item)) return { document, path: pathOf(frame, key), message: BAD_TEXT };
      } else if (typeof item === 'object' && item !== null) {
        stack.push({ value: item, parent: frame, key, depth: depth + 1, groups: inGroups });
      }
    }
  }
  return undefined;
}

const BAD_TEXT = 'the text holds an invalid character (a lone UTF-16 surrogate)';

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
