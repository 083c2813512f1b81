import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createBullJobQueue } from '../../server/src/queue/bull-job-queue';
import { createRedisLimits } from '../../server/src/queue/redis-limits';
import { createPacer } from '../../server/src/channels/pacing';
import { REDIS_URL } from '../support/strapi';

/** The most admissions in any sliding one-second span. */
function busiestSecond(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  let busiest = 0;
  for (let lo = 0, hi = 0; hi < sorted.length; hi += 1) {
    while (sorted[hi] - sorted[lo] >= 1000) lo += 1;
    busiest = Math.max(busiest, hi - lo + 1);
  }
  return busiest;
}

/** Provider pacing on the real Redis, as two worker processes sharing it would see it. */
describe('pacing sends evenly, per sliding second', () => {
  const prefix = `tc-test-pacing-${randomBytes(4).toString('hex')}`;
  // Two queue clients: two processes' worth of Redis connections sharing one window.
  const first = createBullJobQueue({ redisUrl: REDIS_URL, prefix, maxAttempts: 1 });
  const second = createBullJobQueue({ redisUrl: REDIS_URL, prefix, maxAttempts: 1 });
  const firstLimits = createRedisLimits({ prefix, connection: () => first.connection() });
  const secondLimits = createRedisLimits({ prefix, connection: () => second.connection() });
  afterAll(async () => {
    await firstLimits.obliterate();
    await first.obliterate();
    await first.close();
    await second.close();
  });

  it('never admits more than the rate in any second, across workers, and keeps most of it', async () => {
    const paces = [createPacer(() => firstLimits), createPacer(() => secondLimits)];
    const admitted: number[] = [];
    // Eight concurrent senders, four per "process", 45 sends at 15/s.
    let remaining = 45;
    await Promise.all(
      Array.from({ length: 8 }, async (_, worker) => {
        while (remaining > 0) {
          remaining -= 1;
          // The slot each send was given on the shared timeline (a busy event loop may still
          // start a send late, which no pacer can prevent).
          admitted.push(await paces[worker % 2]('whatsapp', 15));
        }
      })
    );
    expect(admitted).toHaveLength(45);
    expect(busiestSecond(admitted)).toBeLessThanOrEqual(15);
    // Evenly spaced: 45 slots at (a little under) 15 per second span about three seconds, never less.
    const sorted = [...admitted].sort((a, b) => a - b);
    expect(sorted[44] - sorted[0]).toBeGreaterThanOrEqual((44 * 1000) / 15);
    // Nobody got the same slot: each is at least one spacing after the one before.
    for (let i = 1; i < sorted.length; i += 1) expect(sorted[i] - sorted[i - 1]).toBeGreaterThanOrEqual(1000 / 15 - 1);
  });

  it('paces each channel on its own', async () => {
    const pace = createPacer(() => firstLimits);
    const telegram = [await pace('telegram', 5), await pace('telegram', 5)];
    // Telegram's next slot is a fifth of a second on; e-mail's timeline is another one.
    expect(telegram[1] - telegram[0]).toBeGreaterThanOrEqual(200);
    const probe = Date.now();
    expect(await firstLimits.reserveSlot('pace:email', 200, probe)).toBe(0);
  });
});
