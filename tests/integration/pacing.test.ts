import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createBullJobQueue } from '../../server/src/queue/bull-job-queue';
import { createPacer, PACING_WINDOW_MS } from '../../server/src/channels/pacing';
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
describe('pacing sends per sliding second', () => {
  const prefix = `tc-test-pacing-${randomBytes(4).toString('hex')}`;
  // Two queue clients: two processes' worth of Redis connections sharing one window.
  const first = createBullJobQueue({ redisUrl: REDIS_URL, prefix, maxAttempts: 1 });
  const second = createBullJobQueue({ redisUrl: REDIS_URL, prefix, maxAttempts: 1 });
  afterAll(async () => {
    await first.obliterate();
    await first.close();
    await second.close();
  });

  it('never admits more than the rate in any second, across workers, and keeps most of it', async () => {
    const paces = [createPacer(() => first), createPacer(() => second)];
    const admitted: number[] = [];
    // Eight concurrent senders, four per "process", 45 sends at 15/s.
    let remaining = 45;
    await Promise.all(
      Array.from({ length: 8 }, async (_, worker) => {
        while (remaining > 0) {
          remaining -= 1;
          // The admission time, as the shared window counted it: a busy event loop may hand
          // several admitted sends over late and together, which no limiter can prevent.
          admitted.push(await paces[worker % 2]('whatsapp', 15));
        }
      })
    );
    expect(admitted).toHaveLength(45);
    expect(busiestSecond(admitted)).toBeLessThanOrEqual(15);
    // 45 sends at 15 per (slightly more than a) second cannot all fit in two seconds.
    expect(Math.max(...admitted) - Math.min(...admitted)).toBeGreaterThanOrEqual(2000);
  });

  it('paces each channel on its own', async () => {
    const pace = createPacer(() => first);
    for (let i = 0; i < 5; i += 1) await pace('telegram', 5);
    const now = Date.now();
    // Telegram's second is full; e-mail's window is another one and has room.
    expect(await first.admitToWindow('pace:telegram', 'probe', 5, PACING_WINDOW_MS, now)).toMatchObject({ admitted: false });
    expect(await first.admitToWindow('pace:email', 'probe', 5, PACING_WINDOW_MS, now)).toEqual({ admitted: true });
  });
});
