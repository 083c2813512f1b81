/**
 * The job queue port: durable jobs only (n8n's `IJobQueue` is the model). Reach windows, bookings,
 * pacing, claims and stamps are the `Limits` port (`limits.ts`). Guarantees every implementation
 * keeps (checked by `tests/integration/queue-ports.contract.test.ts` against each):
 * - at-least-once: a job may run again after a crash or stall, so handlers must be idempotent;
 * - a job added with an id that is still stored is not added again;
 * - jobs of the `priority` lane that are due go before every due job of the `bulk` lane on the same
 *   queue, first in first out within a lane; a delayed job joins its lane when it is due. The
 *   lane decides the order only: pacing and the daily reach are kept by the send itself;
 * - a paused queue starts no job; its jobs wait, in order, until it is resumed;
 * - retries are the handler's decision: it throws `RetryLater` to be run again after a delay,
 *   returns to finish; any other throw is retried with exponential backoff until attempts run out.
 */
export type JobLane = 'priority' | 'bulk';

export interface QueueJobSpec<Data = unknown> {
  name: string;
  data: Data;
  /** Deterministic id: adding the same id twice is a no-op while the first job is stored. */
  id?: string;
  delayMs?: number;
  /**
   * `priority`: one-to-one messages (a confirmation, a keyword answer, a STOP receipt, a staff
   * reply), which a citizen waits for, go before broadcast batches. Default `bulk`.
   */
  lane?: JobLane;
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
  /** When the earliest delayed job is due (ms since the epoch; in the past: it is about to move to waiting), or null. */
  nextDelayedAt: number | null;
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
  /** Ids of every job still to run in `queue` (waiting, delayed, active, paused): what the reconciler compares rows with. */
  liveJobIds(queue: string): Promise<string[]>;
  /**
   * The same ids, handed to `visit` a page at a time, so a queue of a million deliveries never
   * sits in memory as one array. Read in the order jobs move (delayed → paused → waiting → active),
   * so a job that moves on during the scan is met again, not missed.
   */
  forEachLiveJobId(queue: string, visit: (id: string) => void): Promise<void>;
  counts(queue: string): Promise<QueueCounts>;
  pause(queue: string): Promise<void>;
  resume(queue: string): Promise<void>;
  isPaused(queue: string): Promise<boolean>;
  /** Answers whether the store behind the queue (Redis) answers within `timeoutMs` (default one second). */
  ping(timeoutMs?: number): Promise<boolean>;
  /** Removes every job of every queue this instance has used (tests and uninstall). */
  obliterate(): Promise<void>;
  close(): Promise<void>;
}
