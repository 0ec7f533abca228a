import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { conditionSchema, matchGroupSchema, operators } from './conditions.js';
import { parseDocuments } from './parse-documents.js';

// The rule reference must not drift from the schema: every YAML example in it is
// parsed here, as a whole document, a group or a single condition.
const text = readFileSync(new URL('../../../docs/rules.md', import.meta.url), 'utf8');
const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('docs/rules.md', () => {
  it('has an example for every operator', () => {
    for (const op of operators) {
      expect(text).toContain(`op: ${op}`);
    }
  });

  it('holds only examples that Graylane accepts', () => {
    expect(blocks.length).toBeGreaterThan(15);
    for (const block of blocks) {
      if (block.includes('apiVersion:')) {
        expect(() => parseDocuments(block), block).not.toThrow();
        continue;
      }
      const value = parse(block);
      if (Array.isArray(value))
        for (const c of value) expect(conditionSchema.safeParse(c).success, block).toBe(true);
      else if ('match' in value) expect(matchGroupSchema.safeParse(value.match).success, block).toBe(true);
      else expect(conditionSchema.safeParse(value).success, block).toBe(true);
    }
  });
});
