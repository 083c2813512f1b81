/**
 * The limits port: counters that every process sharing the store must see at once, where a job
 * queue has nothing to say. The daily reach window and its bookings, the sign-up rate limits,
 * the pacing timeline, one-time claims and stamps. Implemented on Redis (`redis-limits.ts`, Lua
 * scripts keep each rule atomic across processes) and in memory (`memory-limits.ts`, one process);
 * both pass `tests/integration/queue-ports.contract.test.ts`. Times are passed in (`nowMs`), so
 * callers and tests decide the clock.
 */
export type Admission = { admitted: true } | { admitted: false; retryAtMs: number };

export interface Limits {
  /**
   * Atomically counts `member` into a rolling window of at most `limit` distinct members.
   * Answers `{ admitted: true }` when it fits (or was already counted), otherwise when the
   * oldest member leaves the window. This is how the sign-up limits hold across processes.
   */
  admitToWindow(key: string, member: string, limit: number, windowMs: number, nowMs: number): Promise<Admission>;
  /**
   * Like `admitToWindow`, but a member who finds no room books its own future slot (the next
   * one nobody booked) and is answered that time; asked again then, it is admitted. Held
   * recipients so leave in step with the window, one slot each, never all at its edge. A newcomer
   * is admitted only while no booking waits for the room; bookings not claimed within `graceMs`
   * after their time are dropped.
   */
  admitOrBook(key: string, member: string, limit: number, windowMs: number, nowMs: number, graceMs: number): Promise<Admission>;
  /** `admitOrBook` for several members in one atomic call, one after another; answers in their order. */
  admitOrBookMany(key: string, members: string[], limit: number, windowMs: number, nowMs: number, graceMs: number): Promise<Admission[]>;
  /** Gives booked slots back (their deliveries were cancelled or skipped). */
  releaseBookings(key: string, members: string[]): Promise<void>;
  /**
   * Reserves the next send slot on a shared timeline where slots are `intervalMs` apart, across
   * every process; answers how many ms from `nowMs` the slot is (0: now). Callers wait that long.
   */
  reserveSlot(key: string, intervalMs: number, nowMs: number): Promise<number>;
  /** `count` consecutive slots in one call, for sends that asked together; answers each one's wait, in order. */
  reserveSlots(key: string, intervalMs: number, nowMs: number, count: number): Promise<number[]>;
  /**
   * Claims `key` for `ttlMs` across every process: true for the first caller only. Two webhook
   * jobs for the same citizen can run at once, and only one of them may send the interim reply.
   */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Claims `key` for `owner` for `ttlMs`: true for the first owner, and again for the same owner
   * (a job run again after a crash finishes what it started). `settleClaim` marks the work done,
   * so nobody, not even the same owner, claims it again until the key expires.
   */
  claimFor(key: string, owner: string, ttlMs: number): Promise<boolean>;
  settleClaim(key: string, ttlMs: number): Promise<void>;
  /**
   * Fills a window from the system of record once per store lifetime: when this store has not
   * seen `key` seeded (a new Redis, or one that lost its data), `load` is asked for the members
   * and their times, which are added without moving members already there. Answers how many.
   */
  seedWindowOnce(key: string, windowMs: number, load: () => Promise<Array<{ member: string; atMs: number }>>): Promise<number>;
  /** How many distinct members are in the window now. */
  windowSize(key: string, windowMs: number, nowMs: number): Promise<number>;
  /** The members in the window now; someone already counted is admitted again without a new slot. */
  windowMembers(key: string, windowMs: number, nowMs: number): Promise<string[]>;
  /** Stores a moment under `key` for every process to read (e.g. when the last webhook arrived). */
  setStamp(key: string, atMs: number): Promise<void>;
  getStamp(key: string): Promise<number | null>;
  /** Removes every window, booking, slot, claim and stamp (tests and uninstall). */
  obliterate(): Promise<void>;
}

/** How long a stamp is kept: "last webhook" older than that says the same as none. */
export const STAMP_TTL_MS = 30 * 86_400_000;
