import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The layer rules of .dependency-cruiser.cjs, checked by the tool on the real tree, and shown to
 * fire on a small tree that breaks each of them (so this test can fail).
 */
const ROOT = path.resolve(__dirname, '../..');
const rules = createRequire(__filename)(path.join(ROOT, '.dependency-cruiser.cjs'));

async function violationsIn(baseDir: string, roots: string[]): Promise<string[]> {
  const result = await cruise(roots, { ...rules.options, ruleSet: { forbidden: rules.forbidden }, baseDir, validate: true }, undefined, {
    tsConfig: undefined,
  });
  const output = result.output as ICruiseResult;
  return output.summary.violations.map((violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`);
}

describe('layers', () => {
  it('the plugin follows every layer rule', async () => {
    expect(await violationsIn(ROOT, ['server', 'admin', 'shared'])).toEqual([]);
  }, 120_000);

  const fixture = mkdtempSync(path.join(os.tmpdir(), 'town-crier-layers-'));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));
  const file = (relative: string, source: string) => {
    mkdirSync(path.dirname(path.join(fixture, relative)), { recursive: true });
    writeFileSync(path.join(fixture, relative), source);
  };

  it('each rule fires on a tree that breaks it', async () => {
    file('server/src/dispatch/runs.ts', "export const runs = 1;\n");
    file('server/src/channels/mastodon/index.ts', "import { runs } from '../../dispatch/runs';\nexport const post = runs;\n");
    file('server/src/database/names.ts', "export const table = 't';\n");
    file('server/src/controllers/broadcasts.ts', "import { table } from '../database/names';\nexport default table;\n");
    file('server/src/a.ts', "import { b } from './b';\nexport const a = () => b;\n");
    file('server/src/b.ts', "import { a } from './a';\nexport const b = () => a;\n");
    // A type-only cycle carries no code and is allowed.
    file('server/src/c.ts', "import type { D } from './d';\nexport type C = D | 1;\n");
    file('server/src/d.ts', "import type { C } from './c';\nexport type D = C | 2;\n");
    file('admin/src/page.ts', "import { a } from '../../server/src/a';\nexport const page = a;\n");
    file('shared/contracts/x.ts', "import { page } from '../../admin/src/page';\nexport const x = page;\n");
    file('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }));

    const violations = await violationsIn(fixture, ['server', 'admin', 'shared']);
    const byRule = (name: string) => violations.filter((line) => line.startsWith(`${name}:`));
    expect(byRule('channels-are-leaves')).toEqual(['channels-are-leaves: server/src/channels/mastodon/index.ts → server/src/dispatch/runs.ts']);
    expect(byRule('controllers-ask-services')).toEqual(['controllers-ask-services: server/src/controllers/broadcasts.ts → server/src/database/names.ts']);
    expect(byRule('admin-never-imports-server')).toEqual(['admin-never-imports-server: admin/src/page.ts → server/src/a.ts']);
    expect(byRule('shared-is-the-bottom')).toEqual(['shared-is-the-bottom: shared/contracts/x.ts → admin/src/page.ts']);
    // The tool reports a cycle once, from whichever member it reached first; the type-only c ↔ d is not one.
    expect(byRule('no-value-cycle')).toHaveLength(1);
    expect(byRule('no-value-cycle')[0]).toMatch(/^no-value-cycle: server\/src\/(a|b)\.ts → server\/src\/(a|b)\.ts$/);
  }, 120_000);
});
