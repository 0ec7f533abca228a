import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'injector',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60000,
    hookTimeout: 120000,
  },
});
