import { z } from 'zod';
import { toCount } from './names';

export { toCount };
import { toDate } from '../utils/time';

/**
 * Rows parsed at the edge: reading what the database answers. The query engine and knex hand
 * back objects of no known type, and the drivers differ: PostgreSQL answers bigint (ids, counts)
 * as strings and timestamps as Date, raw knex on SQLite answers epoch milliseconds and booleans as
 * 0/1, the query engine ISO strings. Each table's `<table>.rows.ts` beside its reads turns a row
 * into one type per field (a date is a `Date` or null, a count a number) with the pieces here, in
 * one of two ways over the same normalisers:
 *
 * - zod fields (`dateColumn`, `idColumn`, `flagColumn`, … and `tableRows`/`parserOf`), for the
 *   one or few rows a request reads;
 * - hand-written field readers (`rowOf(raw, table).int('id')`, …), on the send path (a recipient
 *   row per message, the runs and the announcement every half second per process), where building
 *   zod issues per field would cost more than the normalising itself.
 *
 * Either way a row that does not fit throws `RowShapeError` naming table and field, never the
 * value (it may be a citizen's address).
 */

// ---- The normalisers: the driver differences, written once. ----

/** A datetime as any driver answers it (Date, ISO string, epoch ms as number or digit string); null when empty or unreadable. */
export const dateOf = toDate;

/** A whole number, also from PostgreSQL's bigint string; null when it is not one. */
export function wholeNumberOf(value: unknown): number | null {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(number) ? number : null;
}

/** A boolean as the drivers answer it (true/false, SQLite's 0/1, PostgreSQL's 't'/'f' as text); null when it is not one. */
export function flagOf(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === '1' || value === 't' || value === 'true') return true;
  if (value === 0 || value === '0' || value === 'f' || value === 'false') return false;
  return null;
}

// ---- The one error. ----

/** Why a row did not fit, by table, column and kind only: a row holds personal data, so never its values. */
export class RowShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RowShapeError';
  }

  /** One field of a hand-read row: `delivery.address: expected text, found number`. */
  static field(table: string, field: string, expected: string, value: unknown) {
    return new RowShapeError(`${table}.${field}: expected ${expected}, found ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}`);
  }

  /** A row a zod schema rejected (or a hand-written parser's own words): `a subscriber row did not parse: id invalid_type`. */
  static row(table: string, problem: z.ZodError | string) {
    const detail = typeof problem === 'string' ? problem : problem.issues.map((issue) => `${issue.path.join('.') || '(row)'} ${issue.code}`).join(', ');
    return new RowShapeError(`a ${table} row did not parse: ${detail}`);
  }
}

// ---- zod fields, built from the normalisers. ----

const absent = (value: unknown) => value === null || value === undefined;

/** A datetime column that must hold a date. */
export const dateColumn = z.union([z.date(), z.string(), z.number()]).transform((value, context) => {
  const date = dateOf(value);
  if (!date) context.addIssue({ code: 'custom', message: 'not a date' });
  return date ?? new Date(Number.NaN);
});
/** A datetime column that may be empty; missing entirely (not selected, renamed) is still an error. */
export const nullableDateColumn = z.union([dateColumn, z.null()]);
/** A datetime column read like `rowOf(…).date()`: missing, null or '' is null, anything else must be a date. */
export const optionalDateColumn = z.unknown().optional().transform((value, context): Date | null => {
  if (absent(value) || value === '') return null;
  const date = dateOf(value);
  if (!date) context.addIssue({ code: 'custom', message: 'not a date' });
  return date;
});
/** Strapi's integer ids (and other whole numbers); PostgreSQL's bigint answers come as strings from raw knex. */
export const idColumn = z.union([z.number(), z.string()]).transform((value, context) => {
  const number = wholeNumberOf(value);
  if (number === null) context.addIssue({ code: 'custom', message: 'not a whole number' });
  return number ?? Number.NaN;
});
/** A count (`COUNT(*)` is a string on PostgreSQL); missing counts 0. */
export const countColumn = z.unknown().optional().transform(toCount);
/** A boolean column (SQLite answers 0/1). */
export const flagColumn = z.unknown().transform((value, context) => {
  const flag = flagOf(value);
  if (flag === null) context.addIssue({ code: 'custom', message: 'not a boolean' });
  return flag ?? false;
});
/** A column that may be missing or null in the row: null either way. */
export const nullable = <Schema extends z.ZodType>(schema: Schema) => schema.nullish().transform((value) => value ?? null);

/** A parser from a zod schema whose failures are `RowShapeError`s. */
export const parserOf =
  <Schema extends z.ZodType>(table: string, schema: Schema) =>
  (raw: unknown): z.output<Schema> => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw RowShapeError.row(table, parsed.error);
    return parsed.data;
  };

/**
 * One table's zod parsers: `fromRow` for a whole row, `pick(columns)` for a read that selected only
 * some columns (each of them must be there). Picked parsers are made once per column list.
 */
export function tableRows<Shape extends z.ZodRawShape>(table: string, shape: Shape) {
  const schema = z.object(shape);
  type Row = z.output<typeof schema>;
  const picked = new Map<string, (raw: unknown) => unknown>();
  return {
    schema,
    fromRow: parserOf(table, schema),
    pick<Column extends keyof Row & keyof Shape & string>(columns: readonly Column[]): (raw: unknown) => Pick<Row, Column> {
      const key = columns.join(',');
      let parse = picked.get(key);
      if (!parse) {
        const pickedShape: z.ZodRawShape = Object.fromEntries(columns.map((column) => [column, shape[column]]));
        parse = parserOf(table, z.object(pickedShape));
        picked.set(key, parse);
      }
      // The schema made is exactly `columns` of the row's schema; zod cannot type a column list known at run time.
      return parse as (raw: unknown) => Pick<Row, Column>;
    },
  };
}

/** `{ id }`, what most writes need back from `create`. */
export const idFromRow = parserOf('created', z.object({ id: idColumn }));
export const idsFromRows = (rows: unknown[]) => rows.map((row) => idFromRow(row).id);

// ---- Hand-written field readers, for the send path. ----

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The fields of one row of `table`, each read as the type it has. Absent and null are the same (a `select` that left a column out reads as null). */
export function rowOf(raw: unknown, table: string) {
  if (!isRecord(raw)) throw RowShapeError.field(table, '(row)', 'a row', raw);
  const fail = (field: string, expected: string): never => {
    throw RowShapeError.field(table, field, expected, raw[field]);
  };
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
      return wholeNumberOf(raw[field]) ?? fail(field, 'a whole number');
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
      return dateOf(value) ?? fail(field, 'a date');
    },
    requiredDate(field: string): Date {
      return fields.date(field) ?? fail(field, 'a date');
    },
    /** A boolean column (SQLite's raw answer is 0 or 1); null reads as false. */
    flag(field: string): boolean {
      const value = raw[field];
      if (absent(value)) return false;
      return flagOf(value) ?? fail(field, 'a boolean');
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

// ---- Whole answers. ----

/** A document of a town's own content type (a news entry), whose fields the mapping names: any object, or null. */
export const entryOrNull = (raw: unknown): Record<string, unknown> | null => (isRecord(raw) ? raw : null);

/** Every row of a list answer through `fromRow`. */
export function rowsOf<Row>(raw: unknown, fromRow: (raw: unknown) => Row): Row[] {
  if (!Array.isArray(raw)) throw RowShapeError.field('(query)', '(rows)', 'a list of rows', raw);
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

/** The rows of a `knex.raw` answer: an array on SQLite, a pg Result (with `.rows`) on PostgreSQL; none otherwise. */
export function rawRowsOf(result: unknown): unknown[] {
  if (Array.isArray(result)) return result;
  if (isRecord(result) && Array.isArray(result.rows)) return result.rows;
  return [];
}

/** One field of a row read loosely (the stats' aggregate rows); undefined when the row is no object. */
export const fieldOf = (row: unknown, name: string): unknown => (isRecord(row) ? row[name] : undefined);

/** A text field read loosely: a string as is, empty as null, anything else as its string. */
export const textOf = (value: unknown): string | null => (typeof value === 'string' ? value : absent(value) ? null : String(value));

/** How many rows a query engine `updateMany`/`deleteMany` changed (it answers `{ count }`); null when it did not say. */
export const changedCount = (raw: unknown): number | null => (isRecord(raw) && !absent(raw.count) ? toCount(raw.count) : null);
