/**
 * What the database answers, read without casts: knex answers `any`, and a row is taken apart
 * field by field by small `fromRow` functions that say what they expect.
 */

/** knex.raw answers rows on SQLite and a pg Result (with `.rows`) on PostgreSQL. */
export function rowsOf(result: unknown): unknown[] {
  if (Array.isArray(result)) return result;
  if (isRecord(result) && Array.isArray(result.rows)) return result.rows;
  return [];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** One field of a row; undefined when the row is no object. */
export function fieldOf(row: unknown, name: string): unknown {
  return isRecord(row) ? row[name] : undefined;
}

/** PostgreSQL answers COUNT(*) and SUM as strings (bigint, numeric), SQLite as numbers. */
export function countOf(value: unknown): number {
  return Number(value ?? 0) || 0;
}

export function textOf(value: unknown): string | null {
  return typeof value === 'string' ? value : value === null || value === undefined ? null : String(value);
}
