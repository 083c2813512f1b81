import { describe, expect, it } from 'vitest';
import { smoothLimiter } from '../../server/src/queue/bull-job-queue';

/**
 * Starts allowed in the worst one-second span. Bull opens a window with a job and closes it
 * `duration` ms later, so window starts are at least `duration` apart. Simulated, not derived:
 * windows open back to back, each filled at its last millisecond, except that a window's only job
 * is its opening one; every placement of the one-second span is tried.
 */
function worstSecond({ max, duration }: { max: number; duration: number }) {
  const starts: number[] = [];
  for (let t = 0; t < 5000; t += duration) starts.push(t);
  const jobs = starts.flatMap((start) => (max === 1 ? [start] : [start, ...Array.from({ length: max - 1 }, () => start + duration - 1)]));
  let worst = 0;
  for (let from = 0; from < 4000; from += 1) worst = Math.max(worst, jobs.filter((t) => t >= from && t < from + 1000).length);
  return worst;
}
const average = ({ max, duration }: { max: number; duration: number }) => (max * 1000) / duration;

describe('the per-channel rate limiter', () => {
  it.each([1, 25, 30, 80, 250, 500, 1000, 100_000])('never lets a sliding second exceed %i/s and keeps most of the rate', (rate) => {
    const limiter = smoothLimiter(rate);
    expect(worstSecond(limiter)).toBeLessThanOrEqual(rate);
    expect(average(limiter)).toBeGreaterThanOrEqual(rate * 0.9);
  });

  it('paces WhatsApp’s default 80/s as one message per 13 ms: about 77 per second, never more than 77', () => {
    expect(smoothLimiter(80)).toEqual({ max: 1, duration: 13 });
  });
});
