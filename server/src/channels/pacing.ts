import type { JobQueue } from '../queue/job-queue';
import { GroupCommit } from '../utils/group-commit';

/**
 * Providers count messages per sliding second (Meta: 80/s by default, Telegram: 30/s). Sends are
 * spaced evenly on one timeline in Redis, shared by every worker process: slot after slot,
 * `1000 / (rate × SHARE)` ms apart. Even spacing keeps every second within the rate wherever it
 * starts; a window limiter would release bursts, and a burst's last requests leave the process
 * later than its first, so two bursts can meet inside one second at the provider. The small
 * share left unused absorbs that jitter between taking a slot and the request arriving.
 */
export const PACING_SHARE = 0.96;

/** Resolves once the send may go, with the slot time it was given. */
export type Pace = (channelId: string, ratePerSecond: number) => Promise<number>;

export function createPacer(queue: () => JobQueue): Pace {
  // Sends that ask for a slot together get consecutive slots from one call (group commit): the
  // same timeline, one Redis round trip instead of one per message.
  const timelines = new Map<string, GroupCommit<number, number>>();
  const timeline = (key: string) => {
    let found = timelines.get(key);
    if (!found) {
      found = new GroupCommit<number, number>(async (intervals) => {
        const now = Date.now();
        const waits = await queue().reserveSlots(key, intervals[0], now, intervals.length);
        return waits.map((waitMs) => now + waitMs);
      });
      timelines.set(key, found);
    }
    return found;
  };
  return async (channelId, ratePerSecond) => {
    const slotAt = await timeline(`pace:${channelId}`).submit(1000 / (ratePerSecond * PACING_SHARE));
    const waitMs = slotAt - Date.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    return slotAt;
  };
}
