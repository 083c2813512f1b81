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

/**
 * `town_crier_approvals` has one owner (docs/architecture.md, "Module map"): approval/approvals.store.ts.
 * No other file names the table (its UID or its table name); the constant and the schema declare it.
 */
describe('the approval table has one writer', () => {
  it('only the approvals store names the approval table', () => {
    const naming = sourceFiles(SERVER)
      .map((file) => path.relative(SERVER, file).split(path.sep).join('/'))
      .filter((file) => /UID\.approval\b|['"`]plugin::town-crier\.approval['"`]|town_crier_approvals/.test(readFileSync(path.join(SERVER, file), 'utf8')));
    // database/indexes.ts declares its unique index (DDL at startup, no rows).
    expect(naming.sort()).toEqual(['approval/approvals.store.ts', 'constants.ts', 'content-types/approval/schema.ts', 'database/indexes.ts']);
  });
});
