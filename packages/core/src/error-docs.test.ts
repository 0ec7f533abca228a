import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCodes, errorTable } from './graylane-error.js';

const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

/** Every documented row: `| \`CODE\` | status | when | what to do |`. */
const rows = [...docs.matchAll(/^\|\s*`(GL_[A-Z0-9_]+)`\s*\|\s*([^|]*?)\s*\|(.*)$/gm)].map((m) => ({
  code: m[1] as string,
  status: m[2] as string,
  rest: (m[3] as string).split(/(?<!\\)\|/).filter((cell) => cell.trim() !== ''),
}));

describe('docs/errors.md', () => {
  it('documents every error code with its status and what to do', () => {
    const documented = new Map(rows.map((row) => [row.code, row]));
    const problems = errorCodes.flatMap((code) => {
      const row = documented.get(code);
      if (row === undefined) return [`${code} is not documented`];
      if (row.status !== String(errorTable[code].status))
        return [`${code} is documented with status ${row.status}, the table says ${errorTable[code].status}`];
      if (row.rest.length < 2) return [`${code} lacks "when" or "what to do"`];
      return [];
    });
    expect(problems).toEqual([]);
  });

  it('documents only codes that exist, each once', () => {
    const unknown = rows.filter((row) => !Object.hasOwn(errorTable, row.code)).map((row) => row.code);
    expect(unknown).toEqual([]);
    const codes = rows.map((row) => row.code);
    expect(codes.filter((code, i) => codes.indexOf(code) !== i)).toEqual([]);
  });
});
