import { defineConfig } from 'vitest/config';

/** The consumer-install test: slow (npm install + admin build), so outside `npm test`. */
export default defineConfig({
  test: {
    include: ['tests/consumer/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 1_500_000,
    // The same closing line as `npm test` ("tests: N passed, N failed, N skipped"), so CI's log ends on a count.
    reporters: ['default', './tests/support/summary-reporter.ts'],
  },
});
