import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import { documentLimits } from './document-limits.js';

/** Why a YAML document may not be turned into a value, or its expanded size. */
export type Expansion = { ok: true; size: number; aliases: number } | { ok: false; message: string };

class Refused extends Error {}

/**
 * Measures a YAML document as it would be once its aliases are expanded, on the
 * syntax tree and before anything is expanded: each anchored node is measured once,
 * an alias adds the size of its anchor. So "billion laughs" is refused after reading
 * its few lines, not after building gigabytes. Sizes approximate JSON bytes.
 */
export function measureYaml(doc: Document, budget: number, aliasesBefore = 0): Expansion {
  const anchors = new Map<string, unknown>();
  const sizes = new Map<unknown, number>();
  const open = new Set<unknown>();
  let aliases = aliasesBefore;
  let total = 0;

  function add(n: number): number {
    total += n;
    if (total > budget) {
      throw new Refused(
        `aliases expand the text beyond ${budget} bytes: write the repeated parts out or use fewer aliases`,
      );
    }
    return n;
  }

  function size(node: unknown, depth: number): number {
    if (depth > documentLimits.maxDepth) {
      throw new Refused(`nested more than ${documentLimits.maxDepth} levels deep`);
    }
    if (isAlias(node)) {
      if (++aliases > documentLimits.maxAliases) {
        throw new Refused(`a text holds at most ${documentLimits.maxAliases} aliases`);
      }
      if (!anchors.has(node.source)) {
        throw new Refused(`unresolved alias *${node.source}: the anchor &${node.source} must come before it`);
      }
      const target = anchors.get(node.source);
      if (open.has(target)) throw new Refused(`alias *${node.source} refers to a node that contains it`);
      return add(sizes.get(target) ?? 0);
    }
    const anchor = (node as Node | null)?.anchor;
    if (anchor) anchors.set(anchor, node);
    open.add(node);
    let n: number;
    if (isScalar(node)) {
      const v = node.value;
      n = add(typeof v === 'string' ? v.length + 2 : Math.max(1, String(v).length));
    } else if (isMap(node) || isSeq(node)) {
      if (isMap(node)) uniqueKeys(node.items);
      n = add(2);
      for (const item of node.items) n += size(item, depth + 1) + add(1);
    } else if (isPair(node)) {
      n = size(node.key, depth) + size(node.value, depth) + add(1);
    } else {
      n = add(4); // null
    }
    open.delete(node);
    sizes.set(node, n);
    return n;
  }

  // The YAML parser's own check compares every key with every other: a text of 70,000
  // keys took minutes. A set per map does it in one pass.
  function uniqueKeys(pairs: readonly unknown[]): void {
    const seen = new Set<unknown>();
    for (const pair of pairs) {
      const key = isPair(pair) ? pair.key : undefined;
      const value = isScalar(key) ? key.value : key;
      if (seen.has(value)) {
        throw new Refused(`map keys must be unique: ${JSON.stringify(String(value))} appears twice`);
      }
      seen.add(value);
    }
  }

  try {
    const measured = size(doc.contents, 0);
    return { ok: true, size: measured, aliases };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, message: error.message };
    throw error;
  }
}
