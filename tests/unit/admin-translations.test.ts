import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ADMIN_SRC = path.resolve(__dirname, '../../admin/src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(name) ? [full] : [];
  });
}

/** Every `t('id', 'English default')` and `getTranslation('id')` in the admin source. */
export function usedMessages(): Map<string, string | null> {
  const used = new Map<string, string | null>();
  for (const file of sourceFiles(ADMIN_SRC)) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/\bt\(\s*'([\w.-]+)',\s*'((?:[^'\\]|\\.)*)'/g)) used.set(match[1], match[2].replace(/\\'/g, "'"));
    for (const match of source.matchAll(/getTranslation\(\s*'([\w.-]+)'\s*\)/g)) if (!used.has(match[1])) used.set(match[1], null);
  }
  return used;
}

const load = (locale: string) => JSON.parse(readFileSync(path.join(ADMIN_SRC, 'translations', `${locale}.json`), 'utf8')) as Record<string, string>;

describe('admin translations', () => {
  const used = usedMessages();

  it('finds the messages in the source', () => {
    expect(used.size).toBeGreaterThan(50);
  });

  it.each(['en', 'de'])('%s.json has every message id the admin uses, and no unused ones', (locale) => {
    const messages = load(locale);
    expect([...used.keys()].filter((id) => !(id in messages))).toEqual([]);
    expect(Object.keys(messages).filter((id) => !used.has(id))).toEqual([]);
  });

  it('en.json says what the source defaults say', () => {
    const en = load('en');
    const differing = [...used].filter(([id, text]) => text !== null && en[id] !== text).map(([id]) => id);
    expect(differing).toEqual([]);
  });

  it('de.json keeps the same ICU placeholders as en.json', () => {
    const en = load('en');
    const de = load('de');
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)/g)].map((match) => match[1]).sort();
    const differing = Object.keys(en).filter((id) => de[id] !== undefined && placeholders(en[id]).join() !== placeholders(de[id]).join());
    expect(differing).toEqual([]);
  });
});
