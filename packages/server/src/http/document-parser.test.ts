import { describe, expect, it } from 'vitest';
import { createDocumentParser } from './document-parser.js';

const lane = (items: number) =>
  [
    'apiVersion: graylane.io/v1',
    'kind: Lane',
    'metadata: { name: big }',
    'spec:',
    '  tag: gray',
    '  entry:',
    '    weight: 10',
    '    apps:',
    ...Array.from({ length: items }, (_, i) => `      - app-${i}`),
  ].join('\n');

describe('the document parser', () => {
  it('refuses a text whose parsing outgrows its heap with a code, and parses the next text on a fresh worker', async () => {
    const parser = createDocumentParser({ heapLimitMb: 16 });
    try {
      await expect(parser.parse(lane(1_000_000), {})).rejects.toMatchObject({
        code: 'GL_DOCUMENT_INVALID',
        message: expect.stringContaining('more than 16 MB'),
      });
      const [resource] = await parser.parse(lane(1), {});
      expect(resource?.metadata.name).toBe('big');
    } finally {
      await parser.close();
    }
  });
});
