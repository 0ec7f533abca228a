import type { Condition, MatchNode } from '@graylane/core';
import { isGroup, membersOf, opLabels } from './condition-builder.js';

function condition(c: Condition): string {
  const what = c.name ? `${c.source} ${c.name}` : c.source;
  if (c.op === 'exists') return `${what} exists`;
  if (c.op === 'in' || c.op === 'not_in') return `${what} ${opLabels[c.op]} [${(c.values ?? []).join(', ')}]`;
  if (c.op === 'modulo') return `${what} mod ${c.divisor} = ${c.remainder}`;
  if (c.op === 'percentage') return `hash(${what}) % 100 < ${c.value}`;
  return `${what} ${opLabels[c.op]} ${JSON.stringify(c.value)}`;
}

/** One line for the lanes table: `query name equals "xiaoming" AND (…)`. */
export function summarizeMatch(node: MatchNode | undefined, nested = false): string {
  if (!node) return '';
  if (!isGroup(node)) return condition(node);
  const joiner = 'all' in node ? ' AND ' : ' OR ';
  const text = membersOf(node)
    .map((m) => summarizeMatch(m, true))
    .join(joiner);
  return nested && membersOf(node).length > 1 ? `(${text})` : text;
}
