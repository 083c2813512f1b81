import { randomUUID } from 'node:crypto';
import type { JobQueue } from '../queue/job-queue';

/**
 * Providers count messages per sliding second (Meta: 80/s by default, Telegram: 30/s), so sends
 * are admitted through a sliding one-second window kept in Redis, shared by every worker process.
 * A fixed-window limiter (bull's) lets two full windows meet and a sliding second see twice the
 * rate. The window is slightly longer than a second: the request reaches the provider a few
 * milliseconds after admission, and that jitter must not push a second over the limit.
 */
export const PACING_WINDOW_MS = 1_020;

/** Resolves once the send may go, with the time it was admitted at (what the window counted). */
export type Pace = (channelId: string, ratePerSecond: number) => Promise<number>;

export function createPacer(queue: () => JobQueue): Pace {
  return async (channelId, ratePerSecond) => {
    for (;;) {
      const now = Date.now();
      const admission = await queue().admitToWindow(`pace:${channelId}`, `${now}:${randomUUID()}`, ratePerSecond, PACING_WINDOW_MS, now);
      if (admission.admitted) return now;
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, admission.retryAtMs - now)));
    }
  };
}
