import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SERVER = path.resolve(__dirname, '../../server/src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.(ts|js)$/.test(name) ? [full] : [];
  });
}

/** The queue ports (docs/architecture.md, "The two queue ports") stay ports: bull is one file's business. */
describe('queue boundaries', () => {
  it('exactly one file in server/src imports bull', () => {
    const importers = sourceFiles(SERVER)
      .filter((file) => /from\s+['"]bull['"]|require\(\s*['"]bull['"]\s*\)|import\(\s*['"]bull['"]\s*\)/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(SERVER, file));
    expect(importers).toEqual(['queue/bull-job-queue.ts']);
  });

  it('only the runtime builds the Redis implementations of the ports', () => {
    const builders = sourceFiles(SERVER)
      .filter((file) => /createBullJobQueue|createRedisLimits/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(SERVER, file))
      .filter((file) => !file.startsWith(`queue${path.sep}`));
    expect(builders).toEqual(['services/runtime.ts']);
  });
});
