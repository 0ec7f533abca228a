import { stringify } from 'yaml';
import type { KindInfo } from './kinds.js';

export type OutputFormat = 'table' | 'yaml' | 'json';

/** Prints what `get` found: a table for people, YAML or JSON for machines (YAML documents re-apply as they are). */
export function printItems(kind: KindInfo, items: unknown[], format: OutputFormat, single: boolean): string {
  if (format === 'json') return JSON.stringify(single ? items[0] : items, null, 2);
  if (format === 'yaml') {
    if (kind.document || single)
      return items
        .map((i) => stringify(i))
        .join('---\n')
        .trimEnd();
    return stringify(items).trimEnd();
  }
  if (items.length === 0) return `No ${kind.title} found.`;
  const headers = Object.keys(kind.columns);
  const rows = items.map((item) => headers.map((h) => String(kind.columns[h]!(item) ?? '-')));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
