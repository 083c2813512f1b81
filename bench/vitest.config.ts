import { execFileSync } from 'node:child_process';
import { defineConfig } from 'vitest/config';

// Benchmarks import server source, which imports the compiled browser scripts (not committed): compile them first.
execFileSync(process.execPath, ['scripts/build-browser-assets.cjs'], { cwd: __dirname + '/..', stdio: 'inherit' });

/**
 * Benchmarks boot the real Strapi through the test harness and print figures; they time nothing against a target.
 * The scale-out bench does check correctness (each broadcast exactly once), which is no timing.
 */
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts'],
    pool: 'forks',
    // --expose-gc: live memory is sampled after a forced collection, not V8's lazily grown heap.
    poolOptions: { forks: { singleFork: true, execArgv: ['--expose-gc', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])] } },
    testTimeout: 30 * 60_000,
    hookTimeout: 10 * 60_000,
    reporters: ['default'],
  },
});
