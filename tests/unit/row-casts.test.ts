import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Query results are parsed at the edge, not cast (issue #25: at most 10 `as` casts on query
 * results in server/src). The one counter: the casts are found in all of server/src by
 * scripts/row-casts.cjs (query engine, knex, Redis script replies); the exceptions are listed per
 * folder in tests/unit/row-casts/<folder>.json, so each folder's owner edits only its own file,
 * and a folder without such a file has its casts counted against the same total of 10.
 */
interface FoundCast {
  file: string;
  folder: string;
  line: number;
  text: string;
}
interface AllowedCast {
  file: string;
  contains: string;
  reason: string;
  count?: number;
}

const ROOT = path.resolve(__dirname, '../..');
const { rowCasts } = createRequire(__filename)(path.join(ROOT, 'scripts/row-casts.cjs')) as { rowCasts: (root?: string) => FoundCast[] };
const ALLOW_DIR = path.join(__dirname, 'row-casts');

/** `channels.mastodon.json` → `channels/mastodon`. */
const allowlists = readdirSync(ALLOW_DIR)
  .filter((name) => name.endsWith('.json'))
  .map((name) => ({
    folder: name.slice(0, -'.json'.length).split('.').join('/'),
    entries: JSON.parse(readFileSync(path.join(ALLOW_DIR, name), 'utf8')) as AllowedCast[],
  }));

const within = (file: string, folder: string) => file.startsWith(`${folder}/`);
/** The most specific allowlist covering a file, if any. */
const allowlistOf = (file: string) =>
  allowlists.filter((list) => within(file, list.folder)).sort((a, b) => b.folder.length - a.folder.length)[0];

describe('query results are parsed, not cast', () => {
  const casts = rowCasts();

  it('finds the casts it is meant to find (and not a parsed read)', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'row-casts-'));
    try {
      writeFileSync(
        path.join(dir, 'a.ts'),
        [
          'const a = (await strapi.db.query(UID.x).findOne({ where: { id } })) as Row | null;',
          'const b = (await knex(table).where("id", 1).select("id")) as Array<{ id: number }>;',
          'const c = strapi.db.query(UID.x).findMany({}) as Promise<Row[]>;',
          'const d = fromRow(await strapi.db.query(UID.x).findOne({ where: { id } }));',
          "const e = ['a', 'b'] as const;",
          'const f = (await response.json()) as Body;',
        ].join('\n')
      );
      expect(rowCasts(dir).map((cast) => cast.line)).toEqual([1, 2, 3]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const list of allowlists) {
    it(`${list.folder}: every cast is listed with a reason, every entry still matches`, () => {
      const here = casts.filter((cast) => allowlistOf(cast.file) === list);
      const unlisted = here.filter((cast) => !list.entries.some((entry) => entry.file === cast.file && cast.text.includes(entry.contains)));
      expect(unlisted.map((cast) => `${cast.file}:${cast.line} ${cast.text.slice(0, 120)}`)).toEqual([]);
      for (const entry of list.entries) {
        expect(entry.reason.trim().length, `${entry.file}: a reason`).toBeGreaterThan(20);
        const matched = here.filter((cast) => cast.file === entry.file && cast.text.includes(entry.contains)).length;
        expect(matched, `${entry.file} "${entry.contains}"`).toBe(entry.count ?? 1);
      }
    });
  }

  it('at most 10 over all of server/src: the listed ones and every cast in a folder without a list', () => {
    const allowed = allowlists.flatMap((list) => list.entries).reduce((sum, entry) => sum + (entry.count ?? 1), 0);
    const unlisted = casts.filter((cast) => !allowlistOf(cast.file));
    expect(allowed + unlisted.length, unlisted.map((cast) => `${cast.file}:${cast.line} ${cast.text.slice(0, 120)}`).join('\n')).toBeLessThanOrEqual(10);
  });
});
