import { describe, expect, it } from 'vitest';
import * as main from './index.js';
import * as runtime from './runtime.js';

describe('the runtime entry', () => {
  it('exports nothing the main entry lacks, so either import gives the same values', () => {
    for (const [name, value] of Object.entries(runtime)) {
      expect(main, name).toHaveProperty(name);
      expect((main as Record<string, unknown>)[name], name).toBe(value);
    }
  });

  it('leaves the schemas and the document parser to the main entry', () => {
    expect(runtime).not.toHaveProperty('laneSchema');
    expect(runtime).not.toHaveProperty('parseDocuments');
    expect(Object.keys(runtime).length).toBeGreaterThan(20);
  });
});
