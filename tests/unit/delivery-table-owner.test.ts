import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SERVER = path.resolve(__dirname, '../../server/src');
/** The one module that may write delivery rows (docs/architecture.md, "Who writes which table"). */
const STORE = /^delivery\/deliveries\.store(\.[a-z-]+)?\.ts$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.(ts|js)$/.test(name) ? [full] : [];
  });
}

/** Expressions that name the delivery table: its UID, its table name, or a helper bound to either. */
const DIRECT = /UID\.delivery\b(?!Tally)|['"`]plugin::town-crier\.delivery['"`]|town_crier_deliveries/;
// `.delete(` only as knex (no argument) or the query engine (`{ where }`) use it, not a Map's `.delete(key)`.
const WRITE = /\.(?:(?:update|updateMany|insert|del|deleteMany|create|createMany|increment|decrement|upsert|truncate)\s*\(|delete\s*\(\s*[){])/;

/**
 * Statements of a file, roughly: split at semicolons and at the start of each top-level line.
 * Good enough for this codebase's style (one statement per line or chain).
 */
const statementsOf = (source: string) => source.split(/;\s*\n|;\s*(?=\S)/);

/** Names bound to the delivery table in this file (`const table = () => ...UID.delivery...`, `const deliveries = meta(UID.delivery).tableName`). */
function aliasesOf(source: string): string[] {
  const bindings = [...source.matchAll(/(?:const|let)\s+([A-Za-z_$][\w$]*)\s*=\s*([^;]*)/g)].map((found) => ({ name: found[1], value: found[2] }));
  // Transitively: `const query = () => knex(deliveryTable()).where(...)` is the table too.
  const names = new Set<string>();
  for (let grown = true; grown; ) {
    grown = false;
    const known = names.size ? new RegExp(`${DIRECT.source}|\\b(?:${[...names].map((name) => name.replace(/\$/g, '\\$')).join('|')})\\b`) : DIRECT;
    for (const { name, value } of bindings) {
      if (!names.has(name) && known.test(value)) {
        names.add(name);
        grown = true;
      }
    }
  }
  return [...names];
}

/** The statements of `source` that write the delivery table. */
export function deliveryWrites(source: string): string[] {
  const aliases = aliasesOf(source);
  const names = aliases.length ? new RegExp(`${DIRECT.source}|\\b(?:${aliases.map((name) => name.replace(/\$/g, '\\$')).join('|')})\\b`) : DIRECT;
  return statementsOf(source)
    .filter((statement) => names.test(statement) && WRITE.test(statement))
    // A declaration of an alias alone is no write.
    .filter((statement) => !/^\s*(?:export\s+)?(?:const|let)\s+[\w$]+\s*=\s*[^=]*$/.test(statement) || WRITE.test(statement))
    .map((statement) => statement.trim().replace(/\s+/g, ' ').slice(0, 160));
}

describe('the delivery table has one writer', () => {
  it('the scan sees the ways this code writes a table', () => {
    expect(deliveryWrites(`await strapi.db.query(UID.delivery).updateMany({ where: {}, data: {} });`)).toHaveLength(1);
    expect(deliveryWrites(`const table = () => strapi.db.metadata.get(UID.delivery).tableName;\nawait knex(table()).where('id', 1).update({ status: 'sent' });`)).toHaveLength(1);
    expect(deliveryWrites(`const deliveries = tableName(strapi, UID.delivery);\nawait trx(deliveries).whereIn('x', ids).del();`)).toHaveLength(1);
    expect(deliveryWrites(`await knex()(meta(UID.delivery).tableName).insert(rows)`)).toHaveLength(1);
    expect(deliveryWrites(`const table = () => tableName(strapi, UID.delivery);\nconst open = () => knex(table()).where('a', 1);\nconst query = open().where('b', 2);\nawait query.update({ status: 'skipped' });`)).toHaveLength(1);
    // Reads, and writes of other tables, are not writes of the delivery table.
    expect(deliveryWrites(`const rows = await strapi.db.query(UID.delivery).findMany({ where: {} });\nawait strapi.db.query(UID.subscriber).update({ where: {}, data: {} });`)).toEqual([]);
    expect(deliveryWrites(`await knex(tableName(strapi, UID.deliveryTally)).insert(row);`)).toEqual([]);
  });

  it(`no file in server/src but delivery/deliveries.store*.ts writes delivery rows`, () => {
    const writers = sourceFiles(SERVER)
      .map((file) => ({ file: path.relative(SERVER, file).split(path.sep).join('/'), writes: deliveryWrites(readFileSync(file, 'utf8')) }))
      .filter(({ file, writes }) => !STORE.test(file) && !file.startsWith('content-types/') && writes.length);
    expect(writers).toEqual([]);
  });
});
