import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cli',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // A case runs the real bin as a person would, often ten times over: each run starts a node
    // process, under a second on a quiet machine and 3 to 5 s on a busy two-core one.
    testTimeout: 120_000,
    hookTimeout: 120000,
  },
});
