/**
 * Builds the test app's admin panel (tests/app/build, where Strapi serves it from) once, and
 * again only when the plugin's admin bundle or Strapi changes: a build takes 60-90 s, a cached
 * run none. The key covers everything that ends up in the bundle from this repo.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../..');
const APP_DIR = path.join(ROOT, 'tests/app');
export const ADMIN_BUILD_DIR = path.join(APP_DIR, 'build');
const KEY_FILE = path.join(ADMIN_BUILD_DIR, '.town-crier-build-key');

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? filesUnder(full) : [full];
    });
}

function buildKey(): string {
  const requireCjs = createRequire(__filename);
  const hash = createHash('sha256');
  hash.update((requireCjs('@strapi/strapi/package.json') as { version: string }).version);
  for (const file of [...filesUnder(path.join(ROOT, 'dist/admin')), path.join(APP_DIR, 'package.json'), path.join(APP_DIR, 'config/admin.js'), ...filesUnder(path.join(APP_DIR, 'src/admin'))]) {
    hash.update(path.relative(ROOT, file));
    hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

export async function ensureAdminBuild(): Promise<{ built: boolean; seconds: number }> {
  if (!existsSync(path.join(ROOT, 'dist/admin/index.mjs'))) throw new Error('dist/admin is missing: run `npm run build` first');
  const key = buildKey();
  if (existsSync(KEY_FILE) && existsSync(path.join(ADMIN_BUILD_DIR, 'index.html')) && readFileSync(KEY_FILE, 'utf8') === key) {
    return { built: false, seconds: 0 };
  }
  const started = Date.now();
  const requireCjs = createRequire(__filename);
  const cli = path.join(path.dirname(requireCjs.resolve('@strapi/strapi/package.json')), 'bin/strapi.js');
  await promisify(execFile)(process.execPath, [cli, 'build', '--silent'], {
    cwd: APP_DIR,
    env: { ...process.env, STRAPI_TELEMETRY_DISABLED: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
  writeFileSync(KEY_FILE, key);
  return { built: true, seconds: Math.round((Date.now() - started) / 1000) };
}
