import { describe, expect, it } from 'vitest';
import { parseJavaMajor } from './find-java.js';

describe('parseJavaMajor', () => {
  it('reads the major version of modern and 1.x style version strings', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajor('java version "1.8.0_392"')).toBe(8);
  });

  it('gives up on output that names no version', () => {
    expect(parseJavaMajor('bash: java: command not found')).toBeUndefined();
  });
});
