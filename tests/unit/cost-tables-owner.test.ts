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
 * The pricing ledger and the budget's mailed thresholds each have one owning module
 * (docs/architecture.md): no other file names their table at all, for reading or writing,
 * apart from the schema, the UID list and the index that makes them unique.
 */
const TABLES = [
  { name: 'town_crier_message_pricing', mention: /UID\.messagePricing\b|plugin::town-crier\.message-pricing|town_crier_message_pricing/, owner: 'costs/pricing-ledger.ts' },
  { name: 'town_crier_budget_alerts', mention: /UID\.budgetAlert\b|plugin::town-crier\.budget-alert|town_crier_budget_alerts/, owner: 'costs/budget-alerts.ts' },
];
const ALLOWED = ['constants.ts', 'database/indexes.ts'];

describe('the cost tables have one owner each', () => {
  it.each(TABLES)('only $owner touches $name', ({ mention, owner }) => {
    const files = sourceFiles(SERVER)
      .map((file) => path.relative(SERVER, file).split(path.sep).join('/'))
      .filter((file) => !file.startsWith('content-types/') && !ALLOWED.includes(file))
      .filter((file) => mention.test(readFileSync(path.join(SERVER, file), 'utf8')));
    expect(files).toEqual([owner]);
  });
});
