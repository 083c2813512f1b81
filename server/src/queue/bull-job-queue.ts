/**
 * Bull-backed JobQueue: the only file that imports `bull`. Queues are created lazily on first
 * use and all closed by `close()`, which `destroy` calls.
 */
import Bull from 'bull';
import type { JobQueue, JobHandler, ProcessOptions, QueueJobSpec, QueueCounts } from './job-queue';
import { RetryLater } from './job-queue';
import type { RedisCommands } from './redis-limits';
import { maskError } from '../utils/log';
import { backoffMs } from '../dispatch/policy';

export interface BullJobQueueOptions {
  redisUrl: string;
  prefix: string;
  maxAttempts: number;
  /** First retry delay for unexpected errors; doubles with every attempt, with jitter. */
  baseBackoffMs?: number;
  /**
   * A job whose worker stopped renewing its lock for this long is moved back to waiting (the
   * worker died). Bull checks every `stalledJobMs` and needs two checks, so recovery takes up to
   * about three times this.
   */
  stalledJobMs?: number;
  onError?: (error: Error) => void;
  /** Every failed attempt, including ones bull will retry. */
  onJobFailed?: (queue: string, jobName: string, error: Error) => void;
}

const CLASSIFIED_BACKOFF = 'town-crier-classified';

/** Ids read from Redis per round trip when the reconciler scans a queue. */
const LIVE_ID_PAGE = 5000;

/**
 * Bull's priority for the `priority` lane. Bull 3/4 pushes a job without a priority at the far
 * end of the wait list and slots a prioritized one in from the near end, after the prioritized
 * jobs already there (`includes/addJobWithPriority.lua`; a delayed job is placed the same way
 * when it is due): so lane jobs go before every broadcast job, in their order, while broadcast
 * jobs keep bull's plain O(1) push. BullMQ orders the other way round (jobs without a priority
 * first); the contract test would catch such a change.
 */
const PRIORITY_LANE = 1;

/** The job queue and the Redis connection it holds, which the limits share (`redis-limits.ts`). */
export interface BullJobQueue extends JobQueue {
  connection(): RedisCommands;
}

export function createBullJobQueue(options: BullJobQueueOptions): BullJobQueue {
  const queues = new Map<string, Bull.Queue>();
  const baseBackoffMs = options.baseBackoffMs ?? 2_000;

  const backoff = (attemptsMade: number, error: Error | undefined): number => {
    if (error instanceof RetryLater || (error && error.name === 'RetryLater')) {
      return (error as RetryLater).delayMs;
    }
    return backoffMs(baseBackoffMs, attemptsMade);
  };

  const get = (name: string): Bull.Queue => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Bull(name, options.redisUrl, {
        prefix: options.prefix,
        settings: {
          backoffStrategies: { [CLASSIFIED_BACKOFF]: backoff },
          ...(options.stalledJobMs ? { lockDuration: options.stalledJobMs, stalledInterval: options.stalledJobMs } : {}),
        },
        defaultJobOptions: {
          attempts: options.maxAttempts,
          backoff: { type: CLASSIFIED_BACKOFF },
          removeOnComplete: 1000,
          removeOnFail: 5000,
        },
      });
      queue.on('error', (error) => options.onError?.(error));
      queue.on('failed', (job, error) => {
        // A RetryLater is the handler asking to wait, not a failure worth a warning.
        if (error?.name !== 'RetryLater') options.onJobFailed?.(name, job.name, error);
      });
      queues.set(name, queue);
    }
    return queue;
  };

  const toBullJob = (job: QueueJobSpec) => ({
    name: job.name,
    data: job.data,
    opts: {
      jobId: job.id,
      delay: job.delayMs && job.delayMs > 0 ? Math.round(job.delayMs) : undefined,
      priority: job.lane === 'priority' ? PRIORITY_LANE : undefined,
    },
  });

  const anyQueue = () => get('control');

  return {
    async add(queue, job) {
      const spec = toBullJob(job);
      await get(queue).add(spec.name, spec.data, spec.opts);
    },
    async addBulk(queue, jobs) {
      if (jobs.length) await get(queue).addBulk(jobs.map(toBullJob));
    },
    process(queue: string, handler: JobHandler, processOptions: ProcessOptions) {
      void get(queue).process('*', processOptions.concurrency, async (job: Bull.Job) => {
        try {
          await handler({
            id: String(job.id),
            name: job.name,
            data: job.data,
            attemptsMade: job.attemptsMade,
            maxAttempts: job.opts.attempts ?? options.maxAttempts,
          });
        } catch (error) {
          // Bull keeps the message and stack in Redis (`failedReason`, `stacktrace`), where erasure cannot reach.
          throw maskError(error);
        }
      });
    },
    async liveJobIds(queue) {
      const bull = get(queue);
      const key = (name: string) => `${options.prefix}:${queue}:${name}`;
      const [waiting, active, paused, delayed] = await Promise.all([
        bull.client.lrange(key('wait'), 0, -1),
        bull.client.lrange(key('active'), 0, -1),
        bull.client.lrange(key('paused'), 0, -1),
        bull.client.zrange(key('delayed'), 0, -1),
      ]);
      return [...waiting, ...active, ...paused, ...delayed];
    },
    async forEachLiveJobId(queue, visit) {
      const client = get(queue).client;
      const key = (name: string) => `${options.prefix}:${queue}:${name}`;
      // ZSCAN returns every member present for the whole scan, even while due jobs leave the set.
      let cursor = '0';
      do {
        const [next, entries] = await client.zscan(key('delayed'), cursor, 'COUNT', LIVE_ID_PAGE);
        cursor = next;
        for (let index = 0; index < entries.length; index += 2) visit(entries[index]);
      } while (cursor !== '0');
      // Bull pushes new jobs on the left and takes them from the right, so pages counted from the
      // left can repeat an id (harmless) but not skip one.
      for (const list of ['paused', 'wait']) {
        for (let start = 0; ; start += LIVE_ID_PAGE) {
          const ids = await client.lrange(key(list), start, start + LIVE_ID_PAGE - 1);
          ids.forEach(visit);
          if (ids.length < LIVE_ID_PAGE) break;
        }
      }
      // Active jobs are few (the workers' concurrency) and leave from anywhere: one read.
      (await client.lrange(key('active'), 0, -1)).forEach(visit);
    },
    async counts(queue): Promise<QueueCounts> {
      const bull = get(queue);
      const [counts, next] = await Promise.all([bull.getJobCounts(), bull.client.zrange(`${options.prefix}:${queue}:delayed`, 0, 0, 'WITHSCORES')]);
      return {
        waiting: counts.waiting,
        active: counts.active,
        delayed: counts.delayed,
        // Bull scores a delayed job by its time × 0x1000 (plus a counter in the low bits).
        nextDelayedAt: next.length ? Math.floor(Number(next[1]) / 0x1000) : null,
        failed: counts.failed,
        paused: (counts as Bull.JobCounts & { paused?: number }).paused ?? 0,
      };
    },
    async pause(queue) {
      await get(queue).pause();
    },
    async resume(queue) {
      await get(queue).resume();
    },
    async isPaused(queue) {
      return get(queue).isPaused();
    },
    async ping(timeoutMs = 1000) {
      try {
        await Promise.race([
          anyQueue().client.ping(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
        ]);
        return true;
      } catch {
        return false;
      }
    },
    async obliterate() {
      for (const queue of queues.values()) await queue.obliterate({ force: true });
    },
    connection() {
      // ioredis's client, typed by bull; its overloads cover the few commands the limits use.
      return anyQueue().client as unknown as RedisCommands;
    },
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
      queues.clear();
    },
  };
}
