/**
 * The queue port. Guarantees every implementation keeps:
 * - at-least-once: a job may run again after a crash or stall, so handlers must be idempotent;
 * - a job added with an id that is still stored is not added again;
 * - `admitToWindow` holds across all processes sharing the Redis (provider pacing and the daily reach limit use it);
 * - retries are the handler's decision: it throws `RetryLater` to be run again after a delay,
 *   returns to finish; any other throw is retried with exponential backoff until attempts run out.
 */
export interface QueueJobSpec<Data = unknown> {
  name: string;
  data: Data;
  /** Deterministic id: adding the same id twice is a no-op while the first job is stored. */
  id?: string;
  delayMs?: number;
}

export interface RunningJob {
  id: string;
  name: string;
  data: unknown;
  /** 0 on the first run. */
  attemptsMade: number;
  maxAttempts: number;
}

export type JobHandler = (job: RunningJob) => Promise<void>;

export interface ProcessOptions {
  concurrency: number;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  paused: number;
}

/** A handler throws this to be run again after `delayMs` without counting as an error. */
export class RetryLater extends Error {
  constructor(
    readonly delayMs: number,
    readonly reason: string
  ) {
    super(`retry in ${delayMs} ms: ${reason}`);
    this.name = 'RetryLater';
  }
}

export interface JobQueue {
  add(queue: string, job: QueueJobSpec): Promise<void>;
  addBulk(queue: string, jobs: QueueJobSpec[]): Promise<void>;
  /** Registers this process as a consumer of `queue`. Call once per queue. */
  process(queue: string, handler: JobHandler, options: ProcessOptions): void;
  hasJob(queue: string, id: string): Promise<boolean>;
  /** Ids of every job still to run in `queue` (waiting, delayed, active, paused): what the reconciler compares rows with. */
  liveJobIds(queue: string): Promise<string[]>;
  /**
   * The same ids, handed to `visit` a page at a time, so a queue of a million deliveries never
   * sits in memory as one array. Read in the order jobs move (delayed → paused → waiting → active),
   * so a job that moves on during the scan is met again, not missed.
   */
  forEachLiveJobId(queue: string, visit: (id: string) => void): Promise<void>;
  removeJob(queue: string, id: string): Promise<void>;
  counts(queue: string): Promise<QueueCounts>;
  pause(queue: string): Promise<void>;
  resume(queue: string): Promise<void>;
  isPaused(queue: string): Promise<boolean>;
  /**
   * Atomically counts `member` into a rolling window of at most `limit` distinct members.
   * Answers `{ admitted: true }` when it fits (or was already counted), otherwise when the
   * oldest member leaves the window. This is how the daily reach limit holds across processes.
   */
  admitToWindow(key: string, member: string, limit: number, windowMs: number, nowMs: number): Promise<{ admitted: true } | { admitted: false; retryAtMs: number }>;
  /**
   * Like `admitToWindow`, but a member who finds no room books its own future slot (the next
   * one nobody booked) and is answered that time; asked again then, it is admitted. Held
   * recipients so leave in step with the window, one slot each, never all at its edge.
   */
  admitOrBook(key: string, member: string, limit: number, windowMs: number, nowMs: number, graceMs: number): Promise<{ admitted: true } | { admitted: false; retryAtMs: number }>;
  /** `admitOrBook` for several members in one atomic call, one after another; answers in their order. */
  admitOrBookMany(
    key: string,
    members: string[],
    limit: number,
    windowMs: number,
    nowMs: number,
    graceMs: number
  ): Promise<Array<{ admitted: true } | { admitted: false; retryAtMs: number }>>;
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
   * Fills a window from the system of record once per Redis lifetime: when this Redis has not
   * seen `key` seeded (a new Redis, or one that lost its data), `load` is asked for the members
   * and their times, which are added without moving members already there.
   */
  seedWindowOnce(key: string, windowMs: number, load: () => Promise<Array<{ member: string; atMs: number }>>): Promise<number>;
  /** How many distinct members are in the window now. */
  windowSize(key: string, windowMs: number, nowMs: number): Promise<number>;
  /** The members in the window now; someone already counted is admitted again without a new slot. */
  windowMembers(key: string, windowMs: number, nowMs: number): Promise<string[]>;
  /** Stores a moment under `key` for every process to read (e.g. when the last webhook arrived). */
  setStamp(key: string, atMs: number): Promise<void>;
  getStamp(key: string): Promise<number | null>;
  /** Answers whether Redis is reachable right now. */
  ping(): Promise<boolean>;
  /** Removes every key this queue owns (tests and uninstall). */
  obliterate(): Promise<void>;
  close(): Promise<void>;
}
