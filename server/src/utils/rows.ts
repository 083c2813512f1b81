import { z } from 'zod';
import { toDate } from './time';

/**
 * Rows parsed at the edge: a table's `*.rows.ts` declares its columns once with zod, and every
 * read of the table goes through the parser made here, so the code past it works with one
 * shape (dates are `Date`, never `Date | string | number`) instead of a cast that believes
 * whatever the query engine, knex or a dialect answered. zod, because these reads are one or a
 * few rows per request; the fan-out's thousands of rows per page have a narrow hand-written
 * parser (subscribers/recipient-rule.ts).
 */

/**
 * A datetime column as any dialect answers it: an ISO string through Strapi's query engine,
 * a `Date` from PostgreSQL, epoch milliseconds from raw knex on SQLite.
 */
export const dateColumn = z.union([z.date(), z.string(), z.number()]).transform((value, context) => {
  const date = toDate(value);
  if (!date) context.addIssue({ code: 'custom', message: 'not a date' });
  return date ?? new Date(Number.NaN);
});
/** A datetime column that may be empty; missing entirely (not selected, renamed) is still an error. */
export const nullableDateColumn = z.union([dateColumn, z.null()]);
/** Strapi's integer ids; PostgreSQL's bigint answers come as strings from raw knex. */
export const idColumn = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

/** Why a row did not parse, by column and kind only: a row holds personal data, so never its values. */
export class RowParseError extends Error {
  constructor(table: string, problem: z.ZodError | string) {
    const detail = typeof problem === 'string' ? problem : problem.issues.map((issue) => `${issue.path.join('.') || '(row)'} ${issue.code}`).join(', ');
    super(`a ${table} row did not parse: ${detail}`);
    this.name = 'RowParseError';
  }
}

export const parserOf =
  <Schema extends z.ZodType>(table: string, schema: Schema) =>
  (raw: unknown): z.output<Schema> => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new RowParseError(table, parsed.error);
    return parsed.data;
  };

/**
 * One table's parsers: `fromRow` for a whole row, `pick(columns)` for a read that selected only
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
