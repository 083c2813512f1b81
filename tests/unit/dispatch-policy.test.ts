import { describe, expect, it } from 'vitest';
import type { ClassifiedError } from '../../server/src/channels/channel';
import { ambiguousWaitMs, backoffMs, holdOf, quietHold, verdict } from '../../server/src/dispatch/policy';

/** The pure policy (server/src/dispatch/policy.ts): no Strapi, no Redis, the clock given. */
const quiet = { enabled: true, start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' };
const noQuiet = { ...quiet, enabled: false };
const at = (iso: string) => new Date(iso);
const error = (over: Partial<ClassifiedError>): ClassifiedError => ({ errorClass: 'retry', code: 'X', message: 'm', ...over }) as ClassifiedError;
const waits = { receiptlessWaitSeconds: 30, ambiguousWaitSeconds: 900, emergencyAmbiguousWaitSeconds: 60 };

describe('quiet hours', () => {
  it('hold news until the end of quiet hours in the town’s zone; emergencies go', () => {
    // 23:30 in Berlin (winter, UTC+1) is 22:30 UTC; quiet ends 07:00 Berlin = 06:00 UTC.
    expect(quietHold(quiet, 'info', at('2026-01-10T22:30:00Z'))?.toISOString()).toBe('2026-01-11T06:00:00.000Z');
    expect(quietHold(quiet, 'emergency', at('2026-01-10T22:30:00Z'))).toBeNull();
    expect(quietHold(quiet, null, at('2026-01-10T12:00:00Z'))).toBeNull();
    expect(quietHold(noQuiet, null, at('2026-01-10T22:30:00Z'))).toBeNull();
  });

  it('a send time still ahead is the announcement’s hold before quiet hours', () => {
    const now = at('2026-01-10T22:30:00Z');
    expect(holdOf(quiet, { sendAt: '2026-01-12T09:00:00Z' }, now)).toEqual({ reason: 'send-at', until: at('2026-01-12T09:00:00Z') });
    expect(holdOf(quiet, { sendAt: '2026-01-01T09:00:00Z', urgency: 'info' }, now)).toEqual({ reason: 'quiet-hours', until: at('2026-01-11T06:00:00Z') });
    expect(holdOf(quiet, { urgency: 'emergency' }, now)).toBeNull();
  });
});

describe('waits and verdicts', () => {
  it('a send that may have gone out waits for its receipt where the channel sends one', () => {
    expect(ambiguousWaitMs(waits, 'whatsapp', null)).toBe(900_000);
    expect(ambiguousWaitMs(waits, 'whatsapp', 'emergency')).toBe(60_000);
    expect(ambiguousWaitMs(waits, 'email', 'emergency')).toBe(30_000);
    expect(ambiguousWaitMs(waits, 'telegram', null)).toBe(30_000);
  });

  it('retries until the attempts are used up, then fails the recipient', () => {
    expect(verdict(error({ errorClass: 'retry' }), 0, 3, 1000)).toEqual({ kind: 'retry' });
    expect(verdict(error({ errorClass: 'retry' }), 2, 3, 1000)).toEqual({ kind: 'failed', recipientEffect: undefined });
  });

  it('holds for the provider’s wait, or the ambiguous wait, from the clock it is given', () => {
    expect(verdict(error({ errorClass: 'retry-later', retryAfterMs: 5000 }), 0, 3, 1000, 0, 10_000)).toEqual({ kind: 'hold', untilMs: 15_000, reason: 'retry-after', ambiguous: false });
    expect(verdict(error({ errorClass: 'retry-later' }), 0, 3, 1000, 0, 10_000)).toEqual({ kind: 'hold', untilMs: 70_000, reason: 'retry-after', ambiguous: false });
    expect(verdict(error({ errorClass: 'retry-later', ambiguous: true }), 0, 3, 1000, 0, 10_000)).toEqual({ kind: 'hold', untilMs: 11_000, reason: 'ambiguous', ambiguous: true });
  });

  it('a limited wait counts against its limit and ends with the limit’s code', () => {
    const capped = error({ errorClass: 'retry-later', retryAfterMs: 1000, holdLimit: { max: 2, exhaustedCode: 'cap' } });
    expect(verdict(capped, 0, 3, 0, 1, 0)).toEqual({ kind: 'hold', untilMs: 1000, reason: 'retry-after', ambiguous: false, limited: true });
    expect(verdict(capped, 0, 3, 0, 2, 0)).toEqual({ kind: 'failed', recipientEffect: undefined, code: 'cap', errorClass: 'permanent-recipient' });
  });

  it('recipient, announcement and channel errors', () => {
    expect(verdict(error({ errorClass: 'permanent-recipient', recipientEffect: 'withdrawn' }), 0, 3, 0)).toEqual({ kind: 'failed', recipientEffect: 'withdrawn' });
    expect(verdict(error({ errorClass: 'permanent-announcement' }), 0, 3, 0)).toEqual({ kind: 'failed-announcement' });
    expect(verdict(error({ errorClass: 'fatal-channel' }), 0, 3, 0)).toEqual({ kind: 'stop-channel' });
  });
});

describe('backoff', () => {
  it('doubles from the base, with jitter over the upper half', () => {
    expect(backoffMs(2000, 1, () => 0)).toBe(1000);
    expect(backoffMs(2000, 1, () => 1)).toBe(2000);
    expect(backoffMs(2000, 3, () => 0.5)).toBe(6000);
    expect(backoffMs(2000, 0, () => 0)).toBe(1000);
  });
});
