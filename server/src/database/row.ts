import { toCount } from './names';
import { toDate } from '../utils/time';

/**
 * Reading what the database answers. The query engine and knex hand back objects of no known
 * type, and the drivers differ: PostgreSQL answers counts (bigint) as strings and timestamps as
 * Date, raw knex on SQLite answers epoch milliseconds and booleans as 0/1, the query engine ISO
 * strings. Each table's `fromRow` (per table beside its reads: `dispatch/run-row.ts`,
 * `announcements/announcement-row.ts`, `delivery/delivery-rows.ts`, …) reads its fields with
 * these once, at the edge, so the code behind it sees one type per field: a date is a `Date` or
 * null, a count a number.
 *
 * Hand-written rather than zod: rows are read on the send path (a recipient row per message, the
 * runs and the announcement every half second per process), and what is needed is mostly
 * normalising (count strings, epoch dates, 0/1), which zod would do field by field through
 * coercions anyway. A row that does not fit throws `RowShapeError` naming table and field, never
 * the value (it may be a citizen's address).
 */
export class RowShapeError extends Error {
  constructor(table: string, field: string, expected: string, value: unknown) {
    super(`${table}.${field}: expected ${expected}, found ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}`);
    this.name = 'RowShapeError';
  }
}

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The fields of one row of `table`, each read as the type it has. Absent and null are the same (a `select` that left a column out reads as null). */
export function rowOf(raw: unknown, table: string) {
  if (!isRecord(raw)) throw new RowShapeError(table, '(row)', 'a row', raw);
  const fail = (field: string, expected: string): never => {
    throw new RowShapeError(table, field, expected, raw[field]);
  };
  const absent = (value: unknown) => value === null || value === undefined;
  const fields = {
    raw,
    text(field: string): string {
      const value = raw[field];
      return typeof value === 'string' ? value : fail(field, 'text');
    },
    textOrNull(field: string): string | null {
      const value = raw[field];
      return absent(value) ? null : typeof value === 'string' ? value : fail(field, 'text or null');
    },
    /** A whole number; PostgreSQL's bigint (counts, ids) arrives as a string. */
    int(field: string): number {
      const value = raw[field];
      const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
      return Number.isInteger(number) ? number : fail(field, 'a whole number');
    },
    intOrNull(field: string): number | null {
      return absent(raw[field]) ? null : fields.int(field);
    },
    /** A count: `COUNT(*)` is a string on PostgreSQL, a number on SQLite; missing counts 0. */
    count(field: string): number {
      return toCount(raw[field]);
    },
    /** A datetime column, whichever way the driver answers it; null when empty. */
    date(field: string): Date | null {
      const value = raw[field];
      if (absent(value) || value === '') return null;
      return toDate(value) ?? fail(field, 'a date');
    },
    requiredDate(field: string): Date {
      return fields.date(field) ?? fail(field, 'a date');
    },
    /** A boolean column (SQLite's raw answer is 0 or 1); null reads as false. */
    flag(field: string): boolean {
      const value = raw[field];
      if (absent(value)) return false;
      if (typeof value === 'boolean') return value;
      if (value === 0 || value === 1 || value === '0' || value === '1') return Number(value) === 1;
      return fail(field, 'a boolean');
    },
    oneOf<Value extends string>(field: string, values: readonly Value[]): Value {
      const value = raw[field];
      return values.find((candidate) => candidate === value) ?? fail(field, `one of ${values.join(', ')}`);
    },
    oneOfOrNull<Value extends string>(field: string, values: readonly Value[]): Value | null {
      return absent(raw[field]) ? null : fields.oneOf(field, values);
    },
    /** A JSON column holding a list of strings (the announcement's channels), or null. */
    textListOrNull(field: string): string[] | null {
      const value = raw[field];
      if (absent(value)) return null;
      return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : fail(field, 'a list of texts');
    },
  };
  return fields;
}

export type RowFields = ReturnType<typeof rowOf>;

/** A document of a town's own content type (a news entry), whose fields the mapping names: any object, or null. */
export const entryOrNull = (raw: unknown): Record<string, unknown> | null => (isRecord(raw) ? raw : null);

/** Every row of a list answer through `fromRow`. */
export function rowsOf<Row>(raw: unknown, fromRow: (raw: unknown) => Row): Row[] {
  if (!Array.isArray(raw)) throw new RowShapeError('(query)', '(rows)', 'a list of rows', raw);
  return raw.map(fromRow);
}

/** A `findOne`/`first` answer through `fromRow`; null when there was no row. */
export const maybeRowOf = <Row>(raw: unknown, fromRow: (raw: unknown) => Row): Row | null => (raw === null || raw === undefined ? null : fromRow(raw));

/** The number of a count query (`[{ n }]` from knex, `{ n }` from `.first()`), 0 when there was no row. */
export function countOf(raw: unknown, field = 'n'): number {
  const row = Array.isArray(raw) ? raw[0] : raw;
  return isRecord(row) ? toCount(row[field]) : 0;
}

/** The ids a knex `update(…, ['id'])` or `RETURNING id` answered (objects, or bare ids where the driver returns them so). */
export function returnedIds(raw: unknown): Set<number> {
  const rows = isRecord(raw) && Array.isArray(raw.rows) ? raw.rows : raw;
  if (!Array.isArray(rows)) return new Set();
  return new Set(rows.map((row: unknown) => (isRecord(row) ? rowOf(row, '(returning)').int('id') : Number(row))));
}

/** How many rows a query engine `updateMany`/`deleteMany` changed. */
export const changedCount = (raw: unknown): number => (isRecord(raw) ? toCount(raw.count) : 0);
