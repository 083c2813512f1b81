import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The consumer-install test installs Strapi from npm (minutes): `npm run test:consumer`, run by .ci/run.
    exclude: [...configDefaults.exclude, 'tests/consumer/**'],
    // Each integration file boots its own Strapi; forks keep their globals apart.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ['default', './tests/support/summary-reporter.ts'],
  },
});
