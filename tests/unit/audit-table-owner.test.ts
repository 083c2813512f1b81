import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SERVER = path.resolve(__dirname, '../../server/src');
/** The one module that writes audit events (docs/architecture.md, module map). */
const OWNER = 'audit/audit.service.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.(ts|js)$/.test(name) ? [full] : [];
  });
}

/** Names the audit table: its UID (constant or string) or its table name. */
const NAMES_TABLE = /UID\.auditEvent\b|['"`]plugin::town-crier\.audit-event['"`]|town_crier_audit_events/;
const WRITE = /\.(?:update|updateMany|insert|del|delete|deleteMany|create|createMany|upsert|truncate)\s*\(/;

describe('the audit table has one writer', () => {
  const files = sourceFiles(SERVER).map((file) => ({ name: path.relative(SERVER, file).split(path.sep).join('/'), text: readFileSync(file, 'utf8') }));

  it('finds the owner and its writes (the scan itself works)', () => {
    const owner = files.find((file) => file.name === OWNER);
    expect(owner && NAMES_TABLE.test(owner.text) && WRITE.test(owner.text)).toBe(true);
  });

  it('no other server file names the audit table in a statement that writes', () => {
    const offending = files
      .filter((file) => file.name !== OWNER && !file.name.startsWith('content-types/') && file.name !== 'constants.ts' && file.name !== 'database/indexes.ts')
      .flatMap((file) => file.text.split(/;\s*\n/).filter((statement) => NAMES_TABLE.test(statement) && WRITE.test(statement)).map(() => file.name));
    expect(offending).toEqual([]);
  });
});
