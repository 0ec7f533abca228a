import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
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

  it('settles close even when nothing else keeps the process alive', async () => {
    // The built parser, in a process of its own whose last work is closing it: if the wait
    // for the child's exit held nothing, Node would end with close() never settled (exit 13).
    const built = new URL('../../dist/http/document-parser.js', import.meta.url).href;
    const script = `
      const { createDocumentParser } = await import(${JSON.stringify(built)});
      const parser = createDocumentParser();
      // As the server's listening socket does while it parses; it is closed before the parser.
      const server = setInterval(() => {}, 1000);
      await parser.parse(${JSON.stringify(lane(1))}, {});
      clearInterval(server);
      await parser.close();
      console.log('closed');
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      timeout: 30_000,
    });
    expect(stdout.trim()).toBe('closed');
  });
});
