import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The 65,535-item limit tests and the property tests take a few seconds on a slow runner.
    testTimeout: 30_000,
  },
});
