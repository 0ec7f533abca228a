import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'core',
    include: ['src/**/*.test.ts'],
    // Pure code, but the property tests run thousands of cases: a second or two on a quiet
    // machine, several times that under coverage on a busy two-core one, past vitest's 5 s.
    testTimeout: 60_000,
  },
});
