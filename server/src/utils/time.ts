/** Strapi stores datetimes as ISO strings through the query engine; raw knex on SQLite answers epoch ms. */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return new Date(Number(value));
  const parsed = new Date(String(value));
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

/**
 * A timestamp for raw knex inserts, stored the way Strapi's own query engine stores it:
 * epoch milliseconds on SQLite, a timestamp elsewhere. Mixed formats would break date queries.
 */
export function dbTimestamp(strapi: { db: { dialect: { client: string } } }, at = new Date()): Date | number {
  return strapi.db.dialect.client === 'sqlite' ? at.getTime() : at;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * `work`, or a rejection after `ms`: for a Redis call on a citizen's request path, which would
 * otherwise wait as long as the client keeps retrying while Redis is away.
 */
export function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
