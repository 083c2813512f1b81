import { execFileSync } from 'node:child_process';
import { configDefaults, defineConfig } from 'vitest/config';

// Tests import server source, which imports the compiled browser scripts (not committed): compile them first.
execFileSync(process.execPath, ['scripts/build-browser-assets.cjs'], { cwd: __dirname, stdio: 'inherit' });

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
