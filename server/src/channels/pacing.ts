import type { Limits } from '../queue/limits';
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

/**
 * How late a send's timer may fire before the send takes a fresh slot (one slot, within these
 * bounds), and how often it may. Sends leave at most `lateness` after their slot, so a sliding
 * second holds at most the slots of 1000 + lateness ms: with the 4 % share, up to 40 ms of lateness
 * keeps every second within the rate.
 */
const MIN_LATE_MS = 10;
const MAX_LATE_MS = 40;
const MAX_LATE_RETRIES = 3;

/** Resolves once the send may go, with the slot time it was given. */
export type Pace = (channelId: string, ratePerSecond: number) => Promise<number>;

export function createPacer(limits: () => Limits): Pace {
  // Sends that ask for a slot together get consecutive slots from one call (group commit): the
  // same timeline, one Redis round trip instead of one per message.
  const timelines = new Map<string, GroupCommit<number, number>>();
  const timeline = (key: string) => {
    let found = timelines.get(key);
    if (!found) {
      found = new GroupCommit<number, number>(async (intervals) => {
        const now = Date.now();
        const waits = await limits().reserveSlots(key, intervals[0], now, intervals.length);
        return waits.map((waitMs) => now + waitMs);
      });
      timelines.set(key, found);
    }
    return found;
  };
  return async (channelId, ratePerSecond) => {
    const intervalMs = 1000 / (ratePerSecond * PACING_SHARE);
    for (let attempt = 1; ; attempt += 1) {
      const slotAt = await timeline(`pace:${channelId}`).submit(intervalMs);
      const waitMs = slotAt - Date.now();
      if (waitMs <= 0) return slotAt;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      // A timer that fires late (a busy CPU: several workers on few cores) would send this
      // message together with the next slots' and crowd one second at the provider; a send
      // that woke up more than a slot late takes a fresh slot instead (a few times at most).
      if (Date.now() - slotAt <= Math.min(Math.max(intervalMs, MIN_LATE_MS), MAX_LATE_MS) || attempt >= MAX_LATE_RETRIES) return slotAt;
    }
  };
}
