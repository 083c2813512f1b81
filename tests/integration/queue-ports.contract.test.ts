import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createBullJobQueue } from '../../server/src/queue/bull-job-queue';
import { createMemoryJobQueue } from '../../server/src/queue/memory-job-queue';
import { createMemoryLimits } from '../../server/src/queue/memory-limits';
import { createRedisLimits } from '../../server/src/queue/redis-limits';
import { RetryLater, type JobQueue, type RunningJob } from '../../server/src/queue/job-queue';
import type { Limits } from '../../server/src/queue/limits';
import { REDIS_URL, eventually } from '../support/strapi';

/**
 * The contract of the two queue ports (server/src/queue/job-queue.ts and limits.ts), one suite run
 * against every implementation: bull and Lua on the real Redis (a private key prefix), and the
 * in-memory ones. Code that asks a port may rely on exactly what is asserted here.
 */
interface Ports {
  jobs: JobQueue;
  limits: Limits;
}

const MAX_ATTEMPTS = 3;

const implementations: Array<{ name: string; create: () => Ports }> = [
  {
    name: 'redis',
    create: () => {
      const prefix = `tc-test-contract-${randomBytes(4).toString('hex')}`;
      const jobs = createBullJobQueue({ redisUrl: REDIS_URL, prefix, maxAttempts: MAX_ATTEMPTS, baseBackoffMs: 50 });
      return { jobs, limits: createRedisLimits({ prefix, connection: () => jobs.connection() }) };
    },
  },
  { name: 'memory', create: () => ({ jobs: createMemoryJobQueue({ maxAttempts: MAX_ATTEMPTS, baseBackoffMs: 50 }), limits: createMemoryLimits() }) },
];

describe.each(implementations)('JobQueue contract: $name', ({ create }) => {
  const { jobs, limits } = create();
  let queueCounter = 0;
  const freshQueue = () => `contract-${(queueCounter += 1)}`;
  /** Registers a consumer that records every run (and may decide what the handler does). */
  const consume = (queue: string, handle: (job: RunningJob) => Promise<void> = async () => undefined, concurrency = 1) => {
    const runs: RunningJob[] = [];
    jobs.process(queue, async (job) => {
      runs.push(job);
      await handle(job);
    }, { concurrency });
    return runs;
  };
  afterAll(async () => {
    await jobs.obliterate();
    await limits.obliterate();
    await jobs.close();
  });

  it('runs every job once with its data, on its first attempt', async () => {
    const queue = freshQueue();
    const runs = consume(queue);
    await jobs.add(queue, { name: 'one', data: { n: 1 } });
    await jobs.addBulk(queue, [
      { name: 'two', data: { n: 2 }, id: 'two' },
      { name: 'three', data: { n: 3 } },
    ]);
    await eventually(async () => runs.length === 3);
    expect(runs.map((run) => [run.name, run.data, run.attemptsMade])).toEqual(
      expect.arrayContaining([
        ['one', { n: 1 }, 0],
        ['two', { n: 2 }, 0],
        ['three', { n: 3 }, 0],
      ])
    );
    expect(runs.find((run) => run.name === 'two')?.id).toBe('two');
    await eventually(async () => (await jobs.counts(queue)).active === 0);
  });

  it('adds a job whose id is still stored only once', async () => {
    const queue = freshQueue();
    await jobs.pause(queue);
    await jobs.add(queue, { name: 'x', data: {}, id: 'same' });
    await jobs.add(queue, { name: 'x', data: {}, id: 'same' });
    await jobs.addBulk(queue, [{ name: 'x', data: {}, id: 'same' }]);
    expect(await jobs.liveJobIds(queue)).toEqual(['same']);
    expect((await jobs.counts(queue)).nextDelayedAt).toBeNull();
    expect(await jobs.counts(queue)).toMatchObject({ paused: 1, waiting: 0 });
  });

  it('runs the priority lane before the bulk lane, in order within each; a delayed job joins its lane when due', async () => {
    const queue = freshQueue();
    await jobs.pause(queue);
    const runs = consume(queue);
    await jobs.addBulk(queue, ['b0', 'b1', 'b2'].map((id) => ({ name: 'batch', data: {}, id })));
    await jobs.add(queue, { name: 'message', data: {}, id: 'p0', lane: 'priority' });
    await jobs.add(queue, { name: 'batch', data: {}, id: 'b3' });
    await jobs.add(queue, { name: 'message', data: {}, id: 'p1', lane: 'priority' });
    await jobs.add(queue, { name: 'batch', data: {}, id: 'b4', delayMs: 30 });
    await jobs.add(queue, { name: 'message', data: {}, id: 'p2', lane: 'priority', delayMs: 60 });
    await eventually(async () => (await jobs.counts(queue)).delayed === 0);
    expect(runs).toEqual([]);
    await jobs.resume(queue);
    await eventually(async () => runs.length === 8);
    expect(runs.map((run) => run.id)).toEqual(['p0', 'p1', 'p2', 'b0', 'b1', 'b2', 'b3', 'b4']);
  });

  it('a paused queue starts no job; resumed, it runs what waited', async () => {
    const queue = freshQueue();
    await jobs.pause(queue);
    const runs = consume(queue, async () => undefined, 4);
    await jobs.addBulk(queue, [1, 2].map((n) => ({ name: 'x', data: { n } })));
    expect(await jobs.isPaused(queue)).toBe(true);
    // Not a sleep: a paused queue's jobs sit in its paused list, where no worker takes them.
    expect(await jobs.counts(queue)).toMatchObject({ waiting: 0, active: 0, paused: 2 });
    expect(runs).toEqual([]);
    await jobs.resume(queue);
    expect(await jobs.isPaused(queue)).toBe(false);
    await eventually(async () => runs.length === 2);
  });

  it('runs a job that asked to wait (RetryLater) again after its wait, as its next attempt', async () => {
    const queue = freshQueue();
    const startedAt: number[] = [];
    const runs = consume(queue, async (job) => {
      startedAt.push(Date.now());
      if (job.attemptsMade === 0) throw new RetryLater(300, 'a provider asked to wait');
    });
    await jobs.add(queue, { name: 'x', data: {} });
    await eventually(async () => runs.length === 2);
    expect(runs.map((run) => run.attemptsMade)).toEqual([0, 1]);
    expect(runs[0].maxAttempts).toBe(MAX_ATTEMPTS);
    expect(startedAt[1] - startedAt[0]).toBeGreaterThanOrEqual(290);
  });

  it('retries an unexpected error until its attempts run out, then counts it failed', async () => {
    const queue = freshQueue();
    const runs = consume(queue, async () => {
      throw new Error('database away');
    });
    await jobs.add(queue, { name: 'x', data: {} });
    await eventually(async () => (await jobs.counts(queue)).failed === 1);
    expect(runs.map((run) => run.attemptsMade)).toEqual([0, 1, 2]);
    expect(await jobs.liveJobIds(queue)).toEqual([]);
  });

  it('names every live job (waiting, delayed, active) and counts them by state', async () => {
    const queue = freshQueue();
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const runs = consume(queue, (job) => (job.id === 'job-active' ? held : Promise.resolve()));
    await jobs.add(queue, { name: 'x', data: {}, id: 'job-active' });
    await eventually(async () => runs.length === 1);
    await jobs.add(queue, { name: 'x', data: {}, id: 'job-waiting' });
    const addedAt = Date.now();
    await jobs.add(queue, { name: 'x', data: {}, id: 'job-later', delayMs: 3_600_000 });
    expect(new Set(await jobs.liveJobIds(queue))).toEqual(new Set(['job-active', 'job-waiting', 'job-later']));
    const visited: string[] = [];
    await jobs.forEachLiveJobId(queue, (id) => visited.push(id));
    expect(new Set(visited)).toEqual(new Set(['job-active', 'job-waiting', 'job-later']));
    const counts = await jobs.counts(queue);
    expect(counts).toMatchObject({ active: 1, waiting: 1, delayed: 1, paused: 0, failed: 0 });
    expect(counts.nextDelayedAt).toBeGreaterThanOrEqual(addedAt + 3_600_000);
    expect(counts.nextDelayedAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    release();
    await eventually(async () => (await jobs.counts(queue)).active === 0 && runs.length === 2);
    expect(await jobs.liveJobIds(queue)).toEqual(['job-later']);
    await jobs.obliterate();
    expect(await jobs.liveJobIds(queue)).toEqual([]);
  });

  it('answers ping while it can reach its store', async () => {
    expect(await jobs.ping()).toBe(true);
  });
});

describe.each(implementations)('Limits contract: $name', ({ create }) => {
  const { jobs, limits } = create();
  afterAll(async () => {
    await limits.obliterate();
    await jobs.close();
  });
  const HOUR = 3_600_000;

  it('admits distinct members into a rolling window up to its limit, and says when the oldest leaves', async () => {
    const t = 1_000_000;
    expect(await limits.admitToWindow('w', 'a', 2, HOUR, t)).toEqual({ admitted: true });
    expect(await limits.admitToWindow('w', 'b', 2, HOUR, t + 10)).toEqual({ admitted: true });
    expect(await limits.admitToWindow('w', 'c', 2, HOUR, t + 20)).toEqual({ admitted: false, retryAtMs: t + HOUR });
    // Someone already counted is admitted again without a new place.
    expect(await limits.admitToWindow('w', 'a', 2, HOUR, t + 30)).toEqual({ admitted: true });
    expect(await limits.windowSize('w', HOUR, t + 30)).toBe(2);
    expect(await limits.admitToWindow('w', 'c', 2, HOUR, t + HOUR)).toEqual({ admitted: true });
    expect(await limits.windowMembers('w', HOUR, t + HOUR)).toEqual(['b', 'c']);
  });

  it('books a held member the next free slot and admits it then; a newcomer waits behind bookings', async () => {
    const t = 2_000_000;
    const ask = (member: string, now: number) => limits.admitOrBook('r', member, 2, 1000, now, 500);
    expect(await ask('a', t)).toEqual({ admitted: true });
    expect(await ask('b', t + 10)).toEqual({ admitted: true });
    expect(await ask('c', t + 20)).toEqual({ admitted: false, retryAtMs: t + 1000 });
    expect(await ask('d', t + 30)).toEqual({ admitted: false, retryAtMs: t + 1010 });
    // Asked again before its time, a booked member keeps its slot.
    expect(await ask('c', t + 40)).toEqual({ admitted: false, retryAtMs: t + 1000 });
    expect(await ask('c', t + 1000)).toEqual({ admitted: true });
    // Room for one (b left at +1010), but d booked it first: the newcomer gets the slot after.
    expect(await ask('e', t + 1010)).toEqual({ admitted: false, retryAtMs: t + 2000 });
    expect(await ask('d', t + 1010)).toEqual({ admitted: true });
  });

  it('admits and books a group like the same members one after another', async () => {
    const limit = 5;
    const windowMs = 60_000;
    const start = 1_000_000;
    // A window already holding three members, filled at different times.
    for (const key of ['one', 'many']) {
      for (const [index, member] of ['s:1', 's:2', 's:3'].entries()) await limits.admitOrBook(key, member, limit, windowMs, start + index * 1000, 30_000);
    }
    const members = ['s:2', 's:4', 's:5', 's:6', 's:7', 's:8', 's:4'];
    const now = start + 10_000;
    const oneByOne = [];
    for (const member of members) oneByOne.push(await limits.admitOrBook('one', member, limit, windowMs, now, 30_000));
    const grouped = await limits.admitOrBookMany('many', members, limit, windowMs, now, 30_000);
    expect(grouped).toEqual(oneByOne);
    // The window filled up: s:6 on is booked for when the oldest members leave, one slot each.
    expect(grouped.filter((answer) => answer.admitted)).toHaveLength(4);
    expect(grouped.slice(3, 6)).toEqual([
      { admitted: false, retryAtMs: start + windowMs },
      { admitted: false, retryAtMs: start + 1000 + windowMs },
      { admitted: false, retryAtMs: start + 2000 + windowMs },
    ]);
    expect(await limits.admitOrBookMany('many', [], limit, windowMs, now, 30_000)).toEqual([]);
  });

  it('gives released bookings back to newcomers', async () => {
    const t = 3_000_000;
    expect(await limits.admitOrBook('g', 'a', 1, 1000, t, 500)).toEqual({ admitted: true });
    expect(await limits.admitOrBook('g', 'b', 1, 1000, t + 1, 500)).toEqual({ admitted: false, retryAtMs: t + 1000 });
    await limits.releaseBookings('g', ['b']);
    expect(await limits.admitOrBook('g', 'c', 1, 1000, t + 1000, 500)).toEqual({ admitted: true });
  });

  it('hands out consecutive pacing slots to a group, on the same timeline as single calls', async () => {
    const now = 5_000_000;
    expect(await limits.reserveSlots('pace:test', 10, now, 4)).toEqual([0, 10, 20, 30]);
    expect(await limits.reserveSlot('pace:test', 10, now)).toBe(40);
    expect(await limits.reserveSlots('pace:test', 10, now + 45, 2)).toEqual([5, 15]);
    // A timeline that fell behind starts again now.
    expect(await limits.reserveSlot('pace:test', 10, now + 10_000)).toBe(0);
  });

  it('lets only the first claim of a key through while it lasts', async () => {
    expect(await limits.claimOnce('inbox-reply:x', 60_000)).toBe(true);
    expect(await limits.claimOnce('inbox-reply:x', 60_000)).toBe(false);
    expect(await limits.claimOnce('inbox-reply:y', 60_000)).toBe(true);
  });

  it('gives a claim back to its own owner until the work is settled, then to nobody', async () => {
    expect(await limits.claimFor('inbound:m1', 'job-1', 60_000)).toBe(true);
    expect(await limits.claimFor('inbound:m1', 'job-2', 60_000)).toBe(false);
    // The same job, run again after a crash, finishes what it started.
    expect(await limits.claimFor('inbound:m1', 'job-1', 60_000)).toBe(true);
    await limits.settleClaim('inbound:m1', 60_000);
    expect(await limits.claimFor('inbound:m1', 'job-1', 60_000)).toBe(false);
    expect(await limits.claimFor('inbound:m1', 'job-2', 60_000)).toBe(false);
    expect(await limits.claimFor('inbound:m2', 'job-2', 60_000)).toBe(true);
  });

  it('seeds a window once from the system of record, without moving members already there', async () => {
    const now = 7_000_000;
    await limits.admitToWindow('seeded', 'a', 10, HOUR, now);
    let loads = 0;
    const load = async () => {
      loads += 1;
      return [
        { member: 'a', atMs: now - 2 * HOUR },
        { member: 'b', atMs: now - 100 },
        { member: 'old', atMs: now - 2 * HOUR },
      ];
    };
    expect(await limits.seedWindowOnce('seeded', HOUR, load)).toBe(3);
    expect(await limits.seedWindowOnce('seeded', HOUR, load)).toBe(0);
    expect(loads).toBe(1);
    expect(await limits.windowMembers('seeded', HOUR, now)).toEqual(['b', 'a']);
    expect(await limits.windowSize('seeded', HOUR, now)).toBe(2);
  });

  it('keeps stamps for every process, and obliterate removes windows and stamps', async () => {
    expect(await limits.getStamp('webhook:whatsapp:received')).toBeNull();
    await limits.setStamp('webhook:whatsapp:received', 1_234_567);
    expect(await limits.getStamp('webhook:whatsapp:received')).toBe(1_234_567);
    await limits.obliterate();
    expect(await limits.getStamp('webhook:whatsapp:received')).toBeNull();
    expect(await limits.windowSize('w', HOUR, 1_000_000)).toBe(0);
    expect(await limits.claimOnce('inbox-reply:x', 60_000)).toBe(true);
  });
});
