#!/usr/bin/env node
/**
 * Finds the `as` casts on query results in server/src: a cast whose operand is (after parentheses,
 * `await`, `!` and a property read) a call chain through a Strapi query-engine or knex method, or
 * a Redis script's reply, e.g. `(await strapi.db.query(UID.x).findOne(…)) as Row`,
 * `(await knex(t).where(…)) as Row[]` or `(await runScript(LUA, 1, key)) as number[]`.
 * Rows (and script replies) are to be parsed at the edge (a table's `<table>.rows.ts`, built from
 * server/src/database/row.ts), not cast.
 *
 * `node scripts/row-casts.cjs` prints the count per folder (`--list`: every cast); the one check,
 * tests/unit/row-casts.test.ts, holds them against the allowlists in tests/unit/row-casts/ (one
 * file per folder) and counts the casts of folders without one against the same total.
 */
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const SERVER = path.resolve(__dirname, '../server/src');

/** Methods whose result is database rows (or a count/affected-rows answer). */
const QUERY_METHODS = new Set([
  // Strapi's query engine (strapi.db.query(uid).…) and the document service
  'findOne', 'findMany', 'findPage', 'findWithCount', 'findFirst', 'count', 'create', 'createMany', 'update', 'updateMany', 'delete', 'deleteMany', 'load',
  // knex builders
  'select', 'first', 'pluck', 'where', 'whereIn', 'whereNot', 'whereNotIn', 'whereNull', 'whereNotNull', 'whereRaw', 'andWhere', 'orWhere',
  'orderBy', 'orderByRaw', 'limit', 'offset', 'insert', 'returning', 'groupBy', 'groupByRaw', 'having', 'join', 'leftJoin', 'innerJoin', 'from',
  'raw', 'transacting', 'distinct', 'sum', 'max', 'min', 'onConflict', 'merge', 'ignore', 'increment', 'decrement', 'del',
  // Redis scripts (queue/redis-limits.ts): their reply is as untyped as a row
  'eval', 'evalsha', 'evalRo', 'evalshaRo', 'fcall',
]);
/** Functions called by bare name whose result is a query answer or a script reply. */
const QUERY_FUNCTIONS = new Set(['runScript', 'inCurrentTransaction']);

const filesUnder = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });

/** The expression cast, without what does not change which value it is. */
const unwrap = (node) => {
  while (ts.isParenthesizedExpression(node) || ts.isAwaitExpression(node) || ts.isNonNullExpression(node) || ts.isPropertyAccessExpression(node)) node = node.expression;
  return node;
};

/** Whether a call chain goes through one of the query methods. */
const callsQuery = (node) => {
  let current = node;
  for (;;) {
    if (ts.isParenthesizedExpression(current) || ts.isAwaitExpression(current) || ts.isNonNullExpression(current)) current = current.expression;
    else if (ts.isCallExpression(current)) {
      const callee = current.expression;
      if (ts.isPropertyAccessExpression(callee) && QUERY_METHODS.has(callee.name.text)) return true;
      if (ts.isIdentifier(callee) && QUERY_FUNCTIONS.has(callee.text)) return true;
      current = callee;
    } else if (ts.isPropertyAccessExpression(current)) current = current.expression;
    else return false;
  }
};

/** Every query-result cast: `{ file, folder, line, text }`, `file` relative to server/src. */
function rowCasts(root = SERVER) {
  const found = [];
  for (const full of filesUnder(root)) {
    const source = ts.createSourceFile(full, fs.readFileSync(full, 'utf8'), ts.ScriptTarget.Latest, true);
    const file = path.relative(root, full).split(path.sep).join('/');
    const visit = (node) => {
      const isCast = ts.isAsExpression(node) || ts.isTypeAssertionExpression(node);
      // `x as unknown as T` is one cast: the outer one is counted.
      const innerOfDouble = isCast && (ts.isAsExpression(node.parent) || ts.isTypeAssertionExpression(node.parent));
      if (isCast && !innerOfDouble && node.type.getText(source) !== 'const' && callsQuery(unwrap(node.expression))) {
        const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
        found.push({ file, folder: path.posix.dirname(file), line, text: node.getText(source).replace(/\s+/g, ' ') });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

module.exports = { rowCasts, SERVER };

if (require.main === module) {
  const casts = rowCasts();
  const perFolder = new Map();
  for (const cast of casts) perFolder.set(cast.folder, (perFolder.get(cast.folder) ?? 0) + 1);
  for (const [folder, count] of [...perFolder].sort()) console.log(`${String(count).padStart(4)}  ${folder}`);
  console.log(`${String(casts.length).padStart(4)}  total`);
  if (process.argv.includes('--list')) for (const cast of casts) console.log(`${cast.file}:${cast.line}  ${cast.text.slice(0, 160)}`);
}
