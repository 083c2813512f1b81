import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Rows are parsed at the edge (issue #25): a query's answer goes through its table's `fromRow`
 * (server/src/database/row.ts and the row modules beside each table's reads), not through an
 * `as` cast. This counts the casts of an awaited answer, `(await …) as T`, in the delivery core's
 * folders; each folder may keep the number in ALLOWED, which is 0 for all of them.
 * (tests/unit/row-casts.test.ts counts the other folders.)
 */
const SERVER = path.resolve(__dirname, '../../server/src');

const ALLOWED: Record<string, number> = {
  dispatch: 0,
  delivery: 0,
  announcements: 0,
  'fan-out': 0,
  queue: 0,
  database: 0,
  languages: 0,
  'bootstrap.ts': 0,
  // channels/ except mastodon and bluesky (their adapters are counted with activitypub).
  'channels/email': 0,
  'channels/telegram': 0,
  'channels/whatsapp': 0,
  'channels/webpush': 0,
  'channels/activitypub': 0,
  'channels/registry.ts': 0,
  'channels/channel-status.service.ts': 0,
};

const filesOf = (target: string): string[] =>
  statSync(target).isDirectory() ? readdirSync(target).flatMap((name) => filesOf(path.join(target, name))) : /\.ts$/.test(target) ? [target] : [];

/** `(await x) as T` and `((await x) as T)`: the cast's operand is a parenthesised expression that starts with `await`. */
export function awaitedCasts(source: string): string[] {
  const found: string[] = [];
  for (const cast of source.matchAll(/\)\s*as\s+(?!const\b)/g)) {
    let depth = 0;
    let open = cast.index;
    for (; open >= 0; open -= 1) {
      if (source[open] === ')') depth += 1;
      else if (source[open] === '(' && --depth === 0) break;
    }
    if (open >= 0 && /^\(\s*\(?\s*await\b/.test(source.slice(open, open + 20))) found.push(source.slice(cast.index, cast.index + 60).split('\n')[0]);
  }
  return found;
}

describe('query answers in the delivery core are parsed, not cast', () => {
  it('the count sees the shapes a cast of an answer takes', () => {
    expect(awaitedCasts('const a = (await q.findOne({ where: { id } })) as Row | null;')).toHaveLength(1);
    expect(awaitedCasts('const a = ((await knex(t).select("x")) as Row[]).map(f);')).toHaveLength(1);
    expect(awaitedCasts('const a = (await q.findOne()) as const;')).toHaveLength(0);
    expect(awaitedCasts('const a = rowsOf(await q.findMany(), fromRow);')).toHaveLength(0);
  });

  it.each(Object.entries(ALLOWED))('%s keeps at most its allowance', (folder, allowed) => {
    const casts = filesOf(path.join(SERVER, folder)).flatMap((file) => awaitedCasts(readFileSync(file, 'utf8')).map((cast) => `${path.relative(SERVER, file)}: ${cast}`));
    expect(casts.length, casts.join('\n')).toBeLessThanOrEqual(allowed);
  });
});
