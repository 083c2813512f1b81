import { describe, expect, it } from 'vitest';
import { isTransientDatabaseError, retryTransient } from '../../server/src/utils/transient-db';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('transient database errors', () => {
  it('knows the errors that say "not now": SQLite locks, PostgreSQL serialization, deadlock, timeouts and dropped connections', () => {
    for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', '40001', '40P01', '55P03', '57014', '57P01', '08006', '08003', 'ECONNRESET']) {
      expect(isTransientDatabaseError(withCode(code)), code).toBe(true);
    }
    expect(isTransientDatabaseError(new Error('update "x" set ... - Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(isTransientDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('takes a constraint violation, a syntax error or a provider error for what they are', () => {
    for (const code of ['23505', '42601', 'SQLITE_CONSTRAINT', '131000', '']) expect(isTransientDatabaseError(withCode(code)), code).toBe(false);
    expect(isTransientDatabaseError(undefined)).toBe(false);
    expect(isTransientDatabaseError('SQLITE_BUSY')).toBe(false);
  });

  it('writes again after a transient error and gives up on any other at once', async () => {
    let calls = 0;
    const answer = await retryTransient(
      async () => {
        calls += 1;
        if (calls < 3) throw withCode('SQLITE_BUSY', 'database is locked');
        return 'written';
      },
      { tries: 5, firstWaitMs: 1 }
    );
    expect({ answer, calls }).toEqual({ answer: 'written', calls: 3 });

    let permanent = 0;
    await expect(
      retryTransient(
        async () => {
          permanent += 1;
          throw withCode('23505', 'duplicate key');
        },
        { tries: 5, firstWaitMs: 1 }
      )
    ).rejects.toThrow('duplicate key');
    expect(permanent).toBe(1);

    let busy = 0;
    await expect(
      retryTransient(
        async () => {
          busy += 1;
          throw withCode('40001', 'could not serialize access');
        },
        { tries: 4, firstWaitMs: 1 }
      )
    ).rejects.toThrow('could not serialize');
    expect(busy).toBe(4);
  });
});
