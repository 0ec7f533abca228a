// Where a flow collection, a quoted scalar or a node property can begin: at the
// start of a line or after an indicator. A `[` inside a plain scalar (`a[b`) does not.
const VALUE_START = new Set(['\n', '[', '{', ',', ':', '-', '?']);

/** The index just past the quoted scalar opening at `start` (or the end of the text). */
function afterQuoted(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (text[i] === quote) return i + 1;
  }
  return text.length;
}

/**
 * Whether YAML or JSON text nests flow collections (`[`, `{`) or block entries
 * opened on one line (`- - -`) more than `limit` deep. The YAML parser recurses once per level: a megabyte of `[` costs it tens of
 * seconds and a gigabyte of memory in stack overflows before any depth check can
 * run. This linear scan refuses such text first. Brackets in quoted scalars and
 * comments do not count, nor those inside plain scalars; tags and anchors in front
 * of a collection (`!!map {`, `&a [`) do not hide it.
 */
export function exceedsFlowDepth(text: string, limit: number): boolean {
  let depth = 0;
  // Block entries opened on one line (`- - - x`, `? ? x`): nesting without indentation.
  let compact = 0;
  let previous = '\n';
  // Inside a plain scalar, where `[` and `{` are text.
  let plain = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      compact = 0;
      plain = false;
      previous = '\n';
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\ufeff') continue;
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf('\n', i);
      if (end === -1) return false;
      i = end - 1;
      continue;
    }
    if (plain) {
      // A plain scalar ends before `: ` (it was a key) and, in a flow collection, at `,`, `]` or `}`.
      if (c === ':' && /\s/.test(text[i + 1] ?? '\n')) {
        plain = false;
        previous = c;
      } else if (depth > 0 && (c === ',' || c === ']' || c === '}')) {
        plain = false;
        if (c !== ',') depth--;
        previous = c;
      }
      continue;
    }
    if (VALUE_START.has(previous)) {
      if (c === '"' || c === "'") {
        i = afterQuoted(text, i) - 1;
        previous = c;
        continue;
      }
      if (c === '!' || c === '&') {
        // A node property: the collection it belongs to follows it.
        while (i + 1 < text.length && !/\s/.test(text[i + 1]!)) i++;
        continue;
      }
      if (c === '[' || c === '{') {
        if (++depth > limit) return true;
        previous = c;
        continue;
      }
      if ((c === '-' || c === '?') && /\s/.test(text[i + 1] ?? '\n')) {
        if (depth + ++compact > limit) return true;
        previous = c;
        continue;
      }
    }
    if (c === ']' || c === '}') {
      if (depth > 0) depth--;
      previous = c;
    } else if (c === ',' || c === ':') previous = c;
    else plain = true;
  }
  return false;
}
