/**
 * Database errors that say "not now" rather than "never": the statement changed nothing and
 * the same statement may succeed a moment later. A locked SQLite file (a backup, a second
 * process), a PostgreSQL serialization failure or deadlock, a dropped pooled connection, a
 * statement or lock timeout, a pool that had no free connection in time.
 */
const SQLITE_CODES = /^SQLITE_(BUSY|LOCKED)/;
const POSTGRES_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available (lock_timeout)
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown (the connection was terminated)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);
const NODE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
const MESSAGES = [/Connection terminated/i, /Connection ended unexpectedly/i, /Client was closed/i, /encountered a connection error and is not queryable/i, /Timeout acquiring a connection/i, /connection is not open/i, /database is locked/i];

export function isTransientDatabaseError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const code = String((error as { code?: unknown }).code ?? '');
  if (SQLITE_CODES.test(code) || POSTGRES_CODES.has(code) || NODE_CODES.has(code)) return true;
  // Class 08: connection exceptions.
  if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  const message = String((error as { message?: unknown }).message ?? '');
  return MESSAGES.some((pattern) => pattern.test(message));
}

export interface TransientRetry {
  /** Tries in all, the first included. */
  tries: number;
  /** The first wait; it doubles with every further try. */
  firstWaitMs: number;
}

/** About four seconds of waiting over six tries: longer than a checkpoint or a pool's reconnect. */
export const OUTCOME_WRITE_RETRY: TransientRetry = { tries: 6, firstWaitMs: 125 };

/**
 * Runs `write` again after a transient database error, waiting a little longer each time; any
 * other error, or the last transient one, is thrown. The wait is a timer, not a loop on the
 * same turn, so whoever holds the lock gets the event loop to let go of it.
 */
export async function retryTransient<T>(write: () => Promise<T>, retry: TransientRetry = OUTCOME_WRITE_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= retry.tries || !isTransientDatabaseError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, retry.firstWaitMs * 2 ** (attempt - 1)));
    }
  }
}
