import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createBullJobQueue } from '../../server/src/queue/bull-job-queue';
import { REDIS_URL } from '../support/strapi';

/**
 * The grouped Redis calls of the hot path (sends that ask together) must answer exactly what
 * the same asks, made one by one, would have: same admissions, same booked times, same slots.
 */
describe('grouped reach admissions and pacing slots', () => {
  const queue = createBullJobQueue({ redisUrl: REDIS_URL, prefix: `tc-test-grouped-${randomBytes(4).toString('hex')}`, maxAttempts: 1 });
  afterAll(async () => {
    await queue.obliterate();
    await queue.close();
  });

  it('admits and books a group like the same members one after another', async () => {
    const limit = 5;
    const windowMs = 60_000;
    const start = 1_000_000;
    // A window already holding three members, filled at different times.
    for (const [key] of [['one'], ['many']]) {
      for (const [index, member] of ['s:1', 's:2', 's:3'].entries()) await queue.admitOrBook(key, member, limit, windowMs, start + index * 1000, 30_000);
    }
    const members = ['s:2', 's:4', 's:5', 's:6', 's:7', 's:8', 's:4'];
    const now = start + 10_000;
    const oneByOne = [];
    for (const member of members) oneByOne.push(await queue.admitOrBook('one', member, limit, windowMs, now, 30_000));
    const grouped = await queue.admitOrBookMany('many', members, limit, windowMs, now, 30_000);
    expect(grouped).toEqual(oneByOne);
    // The window filled up: s:6 on is booked for when the oldest members leave, one slot each.
    expect(grouped.filter((answer) => answer.admitted)).toHaveLength(4);
    expect(grouped.slice(3, 6)).toEqual([
      { admitted: false, retryAtMs: start + windowMs },
      { admitted: false, retryAtMs: start + 1000 + windowMs },
      { admitted: false, retryAtMs: start + 2000 + windowMs },
    ]);
  });

  it('hands out consecutive pacing slots to a group, on the same timeline as single calls', async () => {
    const now = 5_000_000;
    expect(await queue.reserveSlots('pace:test', 10, now, 4)).toEqual([0, 10, 20, 30]);
    expect(await queue.reserveSlot('pace:test', 10, now)).toBe(40);
    expect(await queue.reserveSlots('pace:test', 10, now + 45, 2)).toEqual([5, 15]);
  });
});
