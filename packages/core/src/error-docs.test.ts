import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCodes } from './graylane-error.js';

const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

describe('docs/errors.md', () => {
  it('documents every error code with what to do', () => {
    const missing = errorCodes.filter(
      (code) => !new RegExp(`^\\|\\s*\`${code}\`\\s*\\|.+\\|.+\\|`, 'm').test(docs),
    );
    expect(missing).toEqual([]);
  });
});
