/**
 * Bull-backed JobQueue: the only file that imports `bull`. Queues are created lazily on first
 * use and all closed by `close()`, which `destroy` calls.
 */
import { createHash } from 'node:crypto';
import Bull from 'bull';
import type { JobQueue, JobHandler, ProcessOptions, QueueJobSpec, QueueCounts } from './job-queue';
import { RetryLater } from './job-queue';

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

// The next free slot is max(now, last slot + interval); reserving it moves the timeline on, so
// concurrent callers get distinct slots and never wake up together to race for one. One call
// reserves `count` consecutive slots for sends that asked together (answers their waits, in order).
const RESERVE_SLOTS_SCRIPT = `
local key = KEYS[1]
local interval, now, count = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local slot = tonumber(redis.call('GET', key) or '0')
if slot < now then slot = now end
local waits = {}
for i = 1, count do
  waits[i] = tostring(slot - now)
  slot = slot + interval
end
redis.call('SET', key, tostring(slot), 'PX', math.ceil(slot - now) + 60000)
return waits
`;

// Lua keeps the check and the insert atomic, so two workers can never both take the last slot.
const ADMIT_SCRIPT = `
local key, member = KEYS[1], ARGV[1]
local limit, window, now = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZSCORE', key, member) then return -1 end
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window)
  return -1
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return tonumber(oldest[2]) + window
`;

// Admission with booked slots, so held recipients are released in step with the window instead
// of all waking at its edge. The window's slots free up in the order of its members' scores; a
// recipient who finds no room books the next slot nobody has booked: with F free slots now and
// W members, booking i falls on member i−F's expiry, and beyond the window's size on the expiry
// of booking i−limit (the day after). A booked recipient is admitted when its time has come
// and there is room; a newcomer only when no booking is waiting for the room. Bookings not
// claimed within `grace` after their time (a cancelled broadcast) are dropped.
// One member's admission, as a Lua function: the single call and the grouped call run the same rule.
const ADMIT_OR_BOOK_FUNCTION = `
local function admitOrBook(key, booked, member, limit, window, now, grace)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  redis.call('ZREMRANGEBYSCORE', booked, '-inf', now - grace)
  if redis.call('ZSCORE', key, member) then
    redis.call('ZREM', booked, member)
    return -1
  end
  local count = redis.call('ZCARD', key)
  local mine = redis.call('ZSCORE', booked, member)
  if mine then
    mine = tonumber(mine)
    if mine > now then return mine end
    if count < limit then
      redis.call('ZADD', key, now, member)
      redis.call('PEXPIRE', key, window)
      redis.call('ZREM', booked, member)
      return -1
    end
    redis.call('ZREM', booked, member)
  end
  local waiting = redis.call('ZCARD', booked)
  if count + waiting < limit then
    redis.call('ZADD', key, now, member)
    redis.call('PEXPIRE', key, window)
    return -1
  end
  local free = limit - count
  local at
  if waiting < limit then
    local entry = redis.call('ZRANGE', key, waiting - free, waiting - free, 'WITHSCORES')
    at = tonumber(entry[2]) + window
  else
    local entry = redis.call('ZRANGE', booked, waiting - limit, waiting - limit, 'WITHSCORES')
    at = tonumber(entry[2]) + window
  end
  if at <= now then at = now + 1 end
  redis.call('ZADD', booked, at, member)
  redis.call('PEXPIRE', booked, math.ceil(at - now + grace + window))
  return at
end
`;

const ADMIT_OR_BOOK_SCRIPT = `${ADMIT_OR_BOOK_FUNCTION}
return admitOrBook(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))
`;

// The members of sends that asked together, one after another in one atomic call (ARGV[5..]).
const ADMIT_OR_BOOK_MANY_SCRIPT = `${ADMIT_OR_BOOK_FUNCTION}
local limit, window, now, grace = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local answers = {}
for i = 5, #ARGV do
  answers[#answers + 1] = tostring(admitOrBook(KEYS[1], KEYS[2], ARGV[i], limit, window, now, grace))
end
return answers
`;

/** Ids read from Redis per round trip when the reconciler scans a queue. */
const LIVE_ID_PAGE = 5000;

export function createBullJobQueue(options: BullJobQueueOptions): JobQueue {
  const queues = new Map<string, Bull.Queue>();
  const baseBackoffMs = options.baseBackoffMs ?? 2_000;

  const backoff = (attemptsMade: number, error: Error | undefined): number => {
    if (error instanceof RetryLater || (error && error.name === 'RetryLater')) {
      return (error as RetryLater).delayMs;
    }
    const exponential = baseBackoffMs * 2 ** Math.max(0, attemptsMade - 1);
    return Math.round(exponential / 2 + Math.random() * (exponential / 2));
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
    opts: { jobId: job.id, delay: job.delayMs && job.delayMs > 0 ? Math.round(job.delayMs) : undefined },
  });

  const anyQueue = () => get('control');

  // Scripts go by their SHA1 (EVALSHA): the hot path sends a few bytes instead of the script's
  // text with every message. A Redis that lost its script cache answers NOSCRIPT once.
  const shas = new Map<string, string>();
  const runScript = async (lua: string, numberOfKeys: number, ...args: Array<string | number>): Promise<unknown> => {
    const client = anyQueue().client;
    let sha = shas.get(lua);
    if (!sha) shas.set(lua, (sha = createHash('sha1').update(lua).digest('hex')));
    try {
      return await client.evalsha(sha, numberOfKeys, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      return client.eval(lua, numberOfKeys, ...args);
    }
  };

  const reserveSlots = async (key: string, intervalMs: number, nowMs: number, count: number) => {
    const fullKey = `${options.prefix}:window:slot:${key}`;
    const waits = (await runScript(RESERVE_SLOTS_SCRIPT, 1, fullKey, intervalMs, nowMs, count)) as string[];
    return waits.map((wait) => Math.max(0, Number(wait)));
  };

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
        await handler({
          id: String(job.id),
          name: job.name,
          data: job.data,
          attemptsMade: job.attemptsMade,
          maxAttempts: job.opts.attempts ?? options.maxAttempts,
        });
      });
    },
    async hasJob(queue, id) {
      const job = await get(queue).getJob(id);
      if (!job) return false;
      const state = await job.getState();
      return state !== 'completed' && state !== 'failed';
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
    async removeJob(queue, id) {
      const job = await get(queue).getJob(id);
      if (job) await job.remove().catch(() => undefined);
    },
    async counts(queue): Promise<QueueCounts> {
      const counts = await get(queue).getJobCounts();
      return {
        waiting: counts.waiting,
        active: counts.active,
        delayed: counts.delayed,
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
    async admitToWindow(key, member, limit, windowMs, nowMs) {
      const fullKey = `${options.prefix}:window:${key}`;
      const result = Number(await runScript(ADMIT_SCRIPT, 1, fullKey, member, limit, windowMs, nowMs));
      return result < 0 ? { admitted: true } : { admitted: false, retryAtMs: result };
    },
    async admitOrBook(key, member, limit, windowMs, nowMs, graceMs) {
      const fullKey = `${options.prefix}:window:${key}`;
      const result = Number(await runScript(ADMIT_OR_BOOK_SCRIPT, 2, fullKey, `${fullKey}:booked`, member, limit, windowMs, nowMs, graceMs));
      return result < 0 ? { admitted: true } : { admitted: false, retryAtMs: result };
    },
    async admitOrBookMany(key, members, limit, windowMs, nowMs, graceMs) {
      if (!members.length) return [];
      const fullKey = `${options.prefix}:window:${key}`;
      const answers = (await runScript(ADMIT_OR_BOOK_MANY_SCRIPT, 2, fullKey, `${fullKey}:booked`, limit, windowMs, nowMs, graceMs, ...members)) as string[];
      return answers.map((answer) => (Number(answer) < 0 ? { admitted: true as const } : { admitted: false as const, retryAtMs: Number(answer) }));
    },
    async releaseBookings(key, members) {
      const fullKey = `${options.prefix}:window:${key}:booked`;
      for (let i = 0; i < members.length; i += 1000) await anyQueue().client.zrem(fullKey, ...members.slice(i, i + 1000));
    },
    async reserveSlot(key, intervalMs, nowMs) {
      return (await reserveSlots(key, intervalMs, nowMs, 1))[0];
    },
    reserveSlots,
    async claimOnce(key, ttlMs) {
      const fullKey = `${options.prefix}:window:claim:${key}`;
      return (await anyQueue().client.set(fullKey, '1', 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK';
    },
    async claimFor(key, owner, ttlMs) {
      const client = anyQueue().client;
      const fullKey = `${options.prefix}:window:claim:${key}`;
      if ((await client.set(fullKey, owner, 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK') return true;
      return (await client.get(fullKey)) === owner;
    },
    async settleClaim(key, ttlMs) {
      await anyQueue().client.set(`${options.prefix}:window:claim:${key}`, 'done', 'PX', Math.max(1, Math.round(ttlMs)));
    },
    async seedWindowOnce(key, windowMs, load) {
      const client = anyQueue().client;
      const fullKey = `${options.prefix}:window:${key}`;
      // The marker lives as long as this Redis's data: a flush takes it away with the window.
      const marker = `${options.prefix}:window:seeded:${key}`;
      if (await client.exists(marker)) return 0;
      const entries = await load();
      const pipeline = client.multi();
      for (let i = 0; i < entries.length; i += 1000) {
        const pairs = entries.slice(i, i + 1000).flatMap((entry) => [entry.atMs, entry.member]);
        pipeline.zadd(fullKey, 'NX', ...pairs);
      }
      if (entries.length) pipeline.pexpire(fullKey, windowMs);
      pipeline.set(marker, '1');
      await pipeline.exec();
      return entries.length;
    },
    async windowSize(key, windowMs, nowMs) {
      const fullKey = `${options.prefix}:window:${key}`;
      return anyQueue().client.zcount(fullKey, nowMs - windowMs, '+inf');
    },
    async windowMembers(key, windowMs, nowMs) {
      const fullKey = `${options.prefix}:window:${key}`;
      return anyQueue().client.zrangebyscore(fullKey, nowMs - windowMs, '+inf');
    },
    async setStamp(key, atMs) {
      // Kept for 30 days: "last webhook" older than that says the same as none.
      await anyQueue().client.set(`${options.prefix}:stamp:${key}`, String(atMs), 'PX', 30 * 86_400_000);
    },
    async getStamp(key) {
      const value = await anyQueue().client.get(`${options.prefix}:stamp:${key}`);
      return value === null ? null : Number(value);
    },
    async ping() {
      try {
        await Promise.race([
          anyQueue().client.ping(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000).unref()),
        ]);
        return true;
      } catch {
        return false;
      }
    },
    async obliterate() {
      for (const queue of queues.values()) await queue.obliterate({ force: true });
      const client = anyQueue().client;
      const keys = [...(await client.keys(`${options.prefix}:window:*`)), ...(await client.keys(`${options.prefix}:stamp:*`))];
      if (keys.length) await client.del(...keys);
    },
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
      queues.clear();
    },
  };
}
