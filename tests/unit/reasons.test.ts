import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUN_REASONS } from '../../server/src/constants';

const ADMIN_SRC = path.resolve(__dirname, '../../admin/src');
const load = (locale: string) => JSON.parse(readFileSync(path.join(ADMIN_SRC, 'translations', `${locale}.json`), 'utf8')) as Record<string, string>;

/**
 * Every reason the server can give a run has plain words in German and English: the admin's
 * label table names each kind with the message it shows, and both translation files hold it.
 */
describe('the reasons vocabulary', () => {
  const source = readFileSync(path.join(ADMIN_SRC, 'hooks', 'useReasonLabel.ts'), 'utf8');
  const labelOf = (kind: string) => new RegExp(`(?:'${kind}'|\\b${kind.replace(/-/g, '')}):\\s*\\([^)]*\\)\\s*=>\\s*t\\('([\\w.]+)'`).exec(source)?.[1];

  it.each(RUN_REASONS.map((kind) => [kind]))('%s has a label in the admin, in German and in English', (kind) => {
    const id = labelOf(kind);
    expect(id, `no label for ${kind} in useReasonLabel.ts`).toBeTruthy();
    expect(load('en')[id as string]).toBeTruthy();
    expect(load('de')[id as string]).toBeTruthy();
    expect(load('de')[id as string]).not.toBe(load('en')[id as string]);
  });
});
