/**
 * The job queue port in one process's memory: the contract of `job-queue.ts` (lanes, delays,
 * pause, retries with `RetryLater` and backoff, ids stored while their job is) without Redis, for
 * tests of code that queues work. Nothing survives the process, so it is not for production.
 */
import type { JobHandler, JobLane, JobQueue, ProcessOptions, QueueCounts, QueueJobSpec } from './job-queue';
import { RetryLater } from './job-queue';
import { backoffMs } from '../dispatch/policy';

export interface MemoryJobQueueOptions {
  maxAttempts: number;
  /** First retry delay for unexpected errors; doubles with every attempt, with jitter (as the bull queue's). */
  baseBackoffMs?: number;
}

interface StoredJob {
  id: string;
  name: string;
  data: unknown;
  lane: JobLane;
  attemptsMade: number;
  dueAt: number;
}

interface Consumer {
  handler: JobHandler;
  concurrency: number;
}

class MemoryQueue {
  /** Every job whose id is still stored: live ones and the last finished ones, as bull keeps them. */
  readonly stored = new Map<string, StoredJob | null>();
  readonly lanes: Record<JobLane, StoredJob[]> = { priority: [], bulk: [] };
  readonly delayed = new Set<StoredJob>();
  readonly active = new Set<StoredJob>();
  readonly running = new Set<Promise<void>>();
  readonly finished: string[] = [];
  failed = 0;
  paused = false;
  consumer: Consumer | null = null;
  timer: NodeJS.Timeout | null = null;

  waitingJobs() {
    return [...this.lanes.priority, ...this.lanes.bulk];
  }
}

/** Finished job ids kept, so an add with a recently used id is ignored as bull would ignore it. */
const KEEP_FINISHED = 1000;

export function createMemoryJobQueue(options: MemoryJobQueueOptions): JobQueue {
  const queues = new Map<string, MemoryQueue>();
  const baseBackoffMs = options.baseBackoffMs ?? 2_000;
  let closed = false;
  let counter = 0;

  const get = (name: string) => {
    let queue = queues.get(name);
    if (!queue) queues.set(name, (queue = new MemoryQueue()));
    return queue;
  };

  const backoff = (attemptsMade: number, error: unknown) => {
    if (error instanceof RetryLater || (error as Error | undefined)?.name === 'RetryLater') return (error as RetryLater).delayMs;
    return backoffMs(baseBackoffMs, attemptsMade);
  };

  const schedule = (queue: MemoryQueue) => {
    if (queue.timer) clearTimeout(queue.timer);
    queue.timer = null;
    if (closed || !queue.delayed.size) return;
    const next = Math.min(...[...queue.delayed].map((job) => job.dueAt));
    queue.timer = setTimeout(() => promote(queue), Math.max(0, next - Date.now()));
    queue.timer.unref();
  };

  // A delayed job joins the end of its lane when it is due.
  const promote = (queue: MemoryQueue) => {
    const now = Date.now();
    const due = [...queue.delayed].filter((job) => job.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt);
    for (const job of due) {
      queue.delayed.delete(job);
      queue.lanes[job.lane].push(job);
    }
    schedule(queue);
    pump(queue);
  };

  const finish = (queue: MemoryQueue, job: StoredJob, failed: boolean) => {
    if (failed) queue.failed += 1;
    queue.stored.set(job.id, null);
    queue.finished.push(job.id);
    while (queue.finished.length > KEEP_FINISHED) queue.stored.delete(queue.finished.shift() as string);
  };

  const run = async (queue: MemoryQueue, consumer: Consumer, job: StoredJob) => {
    try {
      await consumer.handler({ id: job.id, name: job.name, data: job.data, attemptsMade: job.attemptsMade, maxAttempts: options.maxAttempts });
      finish(queue, job, false);
    } catch (error) {
      job.attemptsMade += 1;
      if (job.attemptsMade >= options.maxAttempts) {
        finish(queue, job, true);
      } else {
        job.dueAt = Date.now() + Math.max(0, backoff(job.attemptsMade, error));
        queue.delayed.add(job);
        schedule(queue);
      }
    } finally {
      queue.active.delete(job);
    }
  };

  const pump = (queue: MemoryQueue) => {
    const consumer = queue.consumer;
    while (consumer && !closed && !queue.paused && queue.active.size < consumer.concurrency) {
      const job = queue.lanes.priority.shift() ?? queue.lanes.bulk.shift();
      if (!job) return;
      queue.active.add(job);
      const running: Promise<void> = run(queue, consumer, job).finally(() => {
        queue.running.delete(running);
        pump(queue);
      });
      queue.running.add(running);
    }
  };

  const enqueue = (name: string, spec: QueueJobSpec) => {
    const queue = get(name);
    const id = spec.id ?? `${(counter += 1)}`;
    if (queue.stored.has(id)) return;
    const delayMs = spec.delayMs && spec.delayMs > 0 ? Math.round(spec.delayMs) : 0;
    const job: StoredJob = { id, name: spec.name, data: spec.data, lane: spec.lane ?? 'bulk', attemptsMade: 0, dueAt: Date.now() + delayMs };
    queue.stored.set(id, job);
    if (delayMs > 0) {
      queue.delayed.add(job);
      schedule(queue);
    } else {
      queue.lanes[job.lane].push(job);
    }
  };

  const liveIds = (queue: MemoryQueue) => [...[...queue.delayed].map((job) => job.id), ...queue.waitingJobs().map((job) => job.id), ...[...queue.active].map((job) => job.id)];

  return {
    async add(name, job) {
      enqueue(name, job);
      pump(get(name));
    },
    async addBulk(name, jobs) {
      for (const job of jobs) enqueue(name, job);
      pump(get(name));
    },
    process(name: string, handler: JobHandler, processOptions: ProcessOptions) {
      const queue = get(name);
      queue.consumer = { handler, concurrency: processOptions.concurrency };
      setImmediate(() => pump(queue));
    },
    async liveJobIds(name) {
      return liveIds(get(name));
    },
    async forEachLiveJobId(name, visit) {
      liveIds(get(name)).forEach(visit);
    },
    async counts(name): Promise<QueueCounts> {
      const queue = get(name);
      const waiting = queue.waitingJobs().length;
      return {
        waiting: queue.paused ? 0 : waiting,
        active: queue.active.size,
        delayed: queue.delayed.size,
        nextDelayedAt: queue.delayed.size ? Math.min(...[...queue.delayed].map((job) => job.dueAt)) : null,
        failed: queue.failed,
        paused: queue.paused ? waiting : 0,
      };
    },
    async pause(name) {
      get(name).paused = true;
    },
    async resume(name) {
      const queue = get(name);
      queue.paused = false;
      pump(queue);
    },
    async isPaused(name) {
      return get(name).paused;
    },
    async ping() {
      return !closed;
    },
    async obliterate() {
      for (const queue of queues.values()) {
        if (queue.timer) clearTimeout(queue.timer);
        queue.timer = null;
        queue.stored.clear();
        queue.lanes.priority.length = 0;
        queue.lanes.bulk.length = 0;
        queue.delayed.clear();
        queue.finished.length = 0;
        queue.failed = 0;
      }
    },
    async close() {
      closed = true;
      for (const queue of queues.values()) {
        if (queue.timer) clearTimeout(queue.timer);
        queue.timer = null;
      }
      // As bull's close: the jobs running now finish first.
      await Promise.all([...queues.values()].flatMap((queue) => [...queue.running]));
    },
  };
}
