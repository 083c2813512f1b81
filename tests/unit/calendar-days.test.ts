import { describe, expect, it } from 'vitest';
import { addDays, dayBoundaries, dayOf, startOfDay } from '../../server/src/utils/calendar-days';
import { suppressSmall } from '../../server/src/stats/stats.service';
import { maskForStaff } from '../../server/src/inbox/inbox.service';

describe('calendar days in a time zone', () => {
  const berlin = 'Europe/Berlin';

  it('puts an instant on the town’s day, not the UTC day', () => {
    expect(dayOf(new Date('2026-03-28T22:30:00Z'), berlin)).toBe('2026-03-28');
    expect(dayOf(new Date('2026-03-28T23:30:00Z'), berlin)).toBe('2026-03-29');
    expect(dayOf(new Date('2026-10-25T22:30:00Z'), berlin)).toBe('2026-10-25');
    expect(dayOf(new Date('2026-10-25T23:30:00Z'), berlin)).toBe('2026-10-26');
  });

  it('makes the spring-forward day 23 hours and the fall-back day 25 hours long', () => {
    const [spring, springEnd] = dayBoundaries('2026-03-29', 1, berlin);
    expect(spring.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(springEnd.getTime() - spring.getTime()).toBe(23 * 3_600_000);
    const [autumn, autumnEnd] = dayBoundaries('2026-10-25', 1, berlin);
    expect(autumn.toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(autumnEnd.getTime() - autumn.getTime()).toBe(25 * 3_600_000);
  });

  it('starts a day that skips midnight at the end of the gap', () => {
    // Brazil moved clocks from 00:00 to 01:00 on 2018-11-04.
    expect(startOfDay('2018-11-04', 'America/Sao_Paulo').toISOString()).toBe('2018-11-04T03:00:00.000Z');
  });

  it('moves calendar days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
  });
});

describe('privacy of small numbers and of addresses', () => {
  it('shows 1 to 4 as "<5", keeps 0 and everything from 5', () => {
    expect([0, 1, 4, 5, 634].map(suppressSmall)).toEqual([0, '<5', '<5', 5, 634]);
  });

  it('masks a phone number for staff, keeping enough to tell senders apart', () => {
    expect(maskForStaff('+4915123456789')).toBe('+49151••••••89');
    expect(maskForStaff(null)).toBe('(erased)');
    expect(maskForStaff('anna@example.org')).toBe('a•••@example.org');
  });
});
