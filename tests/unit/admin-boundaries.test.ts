import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The admin speaks to the server through one typed client (admin/src/api/client.ts) and shares
 * its vocabulary through shared/contracts: it never imports server source (that would bundle
 * server code into the browser and let the two drift apart unseen), and no other file names a
 * plugin route or holds a fetch client of its own.
 */
const ROOT = path.resolve(__dirname, '../..');
const ADMIN_SRC = path.join(ROOT, 'admin/src');
const SERVER = path.join(ROOT, 'server') + path.sep;
const CLIENT = path.join(ADMIN_SRC, 'api/client.ts');

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });

const files = sourceFiles(ADMIN_SRC).map((file) => ({ file, name: path.relative(ROOT, file), text: readFileSync(file, 'utf8') }));

/** Module specifiers of static imports, re-exports, dynamic imports and requires. */
const specifiers = (text: string) =>
  [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((match) => match[1]);

/** An API path: `/town-crier/…` or `/${PLUGIN_ID}/…`, but not the admin's own page routes (`/plugins/town-crier/…`). */
const API_PATH = /(?<!plugins)\/(?:town-crier|\$\{PLUGIN_ID\})(?:\/|['"`?])/;
/** Strapi's fetch helpers: whoever holds one can call any route. */
const FETCH_CLIENT = /\b(?:useFetchClient|getFetchClient)\b/;

describe('admin/src boundaries', () => {
  it('scans the admin sources, and the checks see what they look for', () => {
    expect(files.length).toBeGreaterThan(20);
    expect(specifiers("import a from '../../server/src/x';\nexport { b } from \"./y\";")).toEqual(['../../server/src/x', './y']);
    expect(API_PATH.test('get(`/${PLUGIN_ID}/broadcasts`)')).toBe(true);
    expect(API_PATH.test("post('/town-crier/inbox/1/reply')")).toBe(true);
    expect(API_PATH.test('navigate(`/plugins/${PLUGIN_ID}/broadcasts`)')).toBe(false);
  });

  it('no admin file imports server/ source', () => {
    const offending = files.flatMap(({ file, name, text }) =>
      specifiers(text)
        .filter((specifier) => specifier.startsWith('.'))
        .filter((specifier) => path.resolve(path.dirname(file), specifier).startsWith(SERVER))
        .map((specifier) => `${name} imports ${specifier}`)
    );
    expect(offending).toEqual([]);
  });

  it('only the client names plugin API paths', () => {
    const offending = files.filter(({ file, text }) => file !== CLIENT && API_PATH.test(text)).map(({ name, text }) => `${name}: ${text.split('\n').find((line) => API_PATH.test(line))?.trim()}`);
    expect(offending).toEqual([]);
  });

  it('only the client holds a fetch client', () => {
    const offending = files.filter(({ file, text }) => file !== CLIENT && FETCH_CLIENT.test(text)).map(({ name }) => name);
    expect(offending).toEqual([]);
  });
});
