import { defineConfig } from 'vitest/config';

/** The consumer-install test: slow (npm install + admin build), so outside `npm test`. */
export default defineConfig({
  test: {
    include: ['tests/consumer/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 1_500_000,
  },
});
