import { defineConfig } from 'vitest/config';

// With VITEST_JSON_REPORT set (as .ci/run does), vitest also writes a JSON
// report there, from which CI prints its closing "N passed, M failed" line.
const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The 65,535-item limit tests and the property tests take a few seconds on a slow runner.
    testTimeout: 30_000,
    reporters: jsonReport ? ['default', 'json'] : ['default'],
    ...(jsonReport ? { outputFile: { json: jsonReport } } : {}),
  },
});
