import type { ChannelId, Urgency } from '../constants';
import type { ClassifiedError } from '../channels/channel';
import type { PluginConfig } from '../config/schema';
import { isQuiet, quietHoursEnd, type QuietHours } from '../utils/quiet-hours';
import { toDate } from '../utils/time';

/**
 * The pure policy of sending: quiet hours, the whole announcement's timed hold, what a failed
 * send means, how long a send that may have gone out waits, and the retry backoff. No database,
 * no Redis, no Strapi: every answer follows from its arguments (and the clock it is given), so
 * broadcasts, single messages and the queues ask the same rules (tests/unit/dispatch-policy.test.ts).
 */

/** What the delivery step does with one recipient right now. */
export type Admission =
  | { kind: 'send' }
  /** The run is over (cancelled, failed): the delivery is skipped. */
  | { kind: 'skip' }
  /** The run is paused: the delivery waits without a job; resume re-enqueues it. */
  | { kind: 'park' }
  /** Wait until `untilMs` in a fresh job; waiting never uses up an attempt. */
  | { kind: 'hold'; untilMs: number; reason: string };

/** What happens after a failed send, decided from the adapter's classification only. */
export type Verdict =
  | { kind: 'retry' }
  /** `limited`: this wait counts against the error's `holdLimit` (the delivery's own counter). */
  | { kind: 'hold'; untilMs: number; reason: string; ambiguous: boolean; limited?: boolean }
  /** `code`/`errorClass`, when given, replace the provider's in the delivery's record (a limit was used up). */
  | { kind: 'failed'; recipientEffect: ClassifiedError['recipientEffect']; code?: string; errorClass?: ClassifiedError['errorClass'] }
  | { kind: 'failed-announcement' }
  | { kind: 'stop-channel' };

/** Channels whose provider reports each message's status with our delivery reference (WhatsApp's `biz_opaque_callback_data`). */
const RECEIPT_CHANNELS: readonly ChannelId[] = ['whatsapp'];

/** Until when quiet hours hold news of this urgency at `now`; null when it may go (emergencies always may). */
export function quietHold(quiet: QuietHours, urgency: Urgency | null | undefined, now: Date): Date | null {
  return urgency !== 'emergency' && isQuiet(quiet, now) ? quietHoursEnd(quiet, now) : null;
}

/** A timed hold for the whole announcement: its send time, or quiet hours for non-urgent news. */
export function holdOf(quiet: QuietHours, announcement: { sendAt?: unknown; urgency?: Urgency | null }, now: Date): { reason: string; until: Date } | null {
  const sendAt = toDate(announcement.sendAt);
  if (sendAt && sendAt.getTime() > now.getTime()) return { reason: 'send-at', until: sendAt };
  const quietUntil = quietHold(quiet, announcement.urgency, now);
  return quietUntil ? { reason: 'quiet-hours', until: quietUntil } : null;
}

/**
 * How long a send that may have reached the provider waits for its status webhook before it
 * is sent again (see `broadcast.ambiguousWaitSeconds`).
 */
export function ambiguousWaitMs(broadcast: Pick<PluginConfig['broadcast'], 'receiptlessWaitSeconds' | 'ambiguousWaitSeconds' | 'emergencyAmbiguousWaitSeconds'>, channel: ChannelId, urgency: Urgency | null): number {
  if (!RECEIPT_CHANNELS.includes(channel)) return broadcast.receiptlessWaitSeconds * 1000;
  return (urgency === 'emergency' ? broadcast.emergencyAmbiguousWaitSeconds : broadcast.ambiguousWaitSeconds) * 1000;
}

/**
 * The retry decision for a failed send. `attemptsMade` counts this job's failed sends, never
 * waiting; `limitedHolds` counts the delivery's waits under an error's `holdLimit` (131049).
 */
export function verdict(error: ClassifiedError, attemptsMade: number, maxAttempts: number, ambiguousWait: number, limitedHolds = 0, nowMs = Date.now()): Verdict {
  switch (error.errorClass) {
    case 'retry':
      return attemptsMade + 1 >= maxAttempts ? { kind: 'failed', recipientEffect: undefined } : { kind: 'retry' };
    case 'retry-later':
      if (!error.ambiguous && error.holdLimit) {
        // A wait that may only be repeated so often: once used up, the delivery ends for this recipient.
        if (limitedHolds >= error.holdLimit.max) return { kind: 'failed', recipientEffect: undefined, code: error.holdLimit.exhaustedCode, errorClass: 'permanent-recipient' };
        return { kind: 'hold', untilMs: nowMs + (error.retryAfterMs ?? 60_000), reason: 'retry-after', ambiguous: false, limited: true };
      }
      return error.ambiguous
        ? { kind: 'hold', untilMs: nowMs + ambiguousWait, reason: 'ambiguous', ambiguous: true }
        : { kind: 'hold', untilMs: nowMs + (error.retryAfterMs ?? 60_000), reason: 'retry-after', ambiguous: false };
    case 'permanent-recipient':
      return { kind: 'failed', recipientEffect: error.recipientEffect };
    case 'permanent-announcement':
      return { kind: 'failed-announcement' };
    case 'fatal-channel':
      return { kind: 'stop-channel' };
  }
}

/**
 * The wait before retry number `attemptsMade` (1 the first retry): `baseMs`, doubling, with
 * jitter over its upper half. The queues and a batch's own retry jobs use this one formula.
 */
export function backoffMs(baseMs: number, attemptsMade: number, random: () => number = Math.random): number {
  const exponential = baseMs * 2 ** Math.max(0, attemptsMade - 1);
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
