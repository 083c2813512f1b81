import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SERVER = path.resolve(__dirname, '../../server/src');
/** The folders whose rows are parsed by `*.row.ts` / `fromRow` parsers (issue #25, "Rows parsed at the edge"). */
const FOLDERS = ['admins', 'approval', 'audit', 'costs', 'warnings', 'config', 'middlewares'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.ts$/.test(name) ? [full] : [];
  });
}

/**
 * A statement that awaits something and casts it with `as` (not `as const`, not `as never` on
 * what goes in): the query engine's, knex's or the document service's answer taken on trust.
 */
const AWAITED_CAST = /await\b[^;]*?\)\s*as\s+(?!const\b|never\b|unknown\s+as\s+never)[\w{(]/s;

function awaitedCasts(text: string): number {
  return text.split(/;\s*\n/).filter((statement) => AWAITED_CAST.test(statement)).length;
}

describe('rows are parsed, not cast (approval, audit, costs, warnings and the admin users)', () => {
  const files = FOLDERS.flatMap((folder) => sourceFiles(path.join(SERVER, folder))).concat(path.join(SERVER, 'permissions.ts'));

  it('the scan finds a cast of an awaited query (it can fail)', () => {
    expect(awaitedCasts("const row = (await strapi.db.query(UID.x).findOne({ where: { id } })) as XRow | null;\n")).toBe(1);
    expect(awaitedCasts("const rows: unknown[] = await strapi.db.query(UID.x).findMany({});\n")).toBe(0);
  });

  it('no file in these folders casts what a query answered', () => {
    const offending = files
      .map((file) => ({ name: path.relative(SERVER, file).split(path.sep).join('/'), count: awaitedCasts(readFileSync(file, 'utf8')) }))
      .filter((file) => file.count > 0);
    expect(offending).toEqual([]);
  });
});
