import { defineConfig } from 'vitest/config';

/** The consumer-install test: slow (npm install + admin build), so outside `npm test`. */
export default defineConfig({
  test: {
    include: ['tests/consumer/**/*.test.ts'],
    // Threads, not forks: a forked worker's RPC to the runner has a fixed 60 s timeout that a multi-minute
    // hook (npm install, admin build) can trip on Node 24 ("Timeout calling onTaskUpdate", vitest#8164).
    pool: 'threads',
    testTimeout: 120_000,
    hookTimeout: 1_500_000,
    // The same closing line as `npm test` ("tests: N passed, N failed, N skipped"), so CI's log ends on a count.
    reporters: ['default', './tests/support/summary-reporter.ts'],
  },
});
