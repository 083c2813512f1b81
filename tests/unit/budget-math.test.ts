import { describe, expect, it } from 'vitest';
import { budgetVerdict, costByKind, dueThresholds, forecastOfMonth, monthOf, remainingOf, type PricedCount } from '../../server/src/costs/budget-math';
import { kindOfRef, messageKindRef } from '../../shared/contracts/costs';

const rates = { marketing: 0.12, utility: 0.05, service: 0 };
const DAY = 86_400_000;

describe('budget arithmetic', () => {
  it('prices by Meta’s word: billable false costs nothing, billable counts at its category’s rate, an unknown category is counted unpriced', () => {
    const rows: PricedCount[] = [
      { kind: 'news', category: 'marketing', billable: true, count: 10 },
      { kind: 'news', category: 'utility', billable: false, count: 3 },
      { kind: 'confirmation', category: 'utility', billable: true, count: 2 },
      { kind: 'staff-reply', category: 'service', billable: false, count: 4 },
      { kind: 'keyword-answer', category: 'marketing_lite', billable: true, count: 1 },
    ];
    const { byKind, spent, unpricedMessages } = costByKind(rows, rates);
    expect(spent).toBe(1.3);
    expect(unpricedMessages).toBe(1);
    const of = (kind: string) => byKind.find((entry) => entry.kind === kind);
    expect(of('news')).toEqual({ kind: 'news', messages: 13, billableMessages: 10, cost: 1.2 });
    expect(of('confirmation')).toEqual({ kind: 'confirmation', messages: 2, billableMessages: 2, cost: 0.1 });
    expect(of('staff-reply')).toEqual({ kind: 'staff-reply', messages: 4, billableMessages: 0, cost: 0 });
    expect(of('keyword-answer')).toEqual({ kind: 'keyword-answer', messages: 1, billableMessages: 1, cost: 0 });
    expect(byKind.map((entry) => entry.kind)).toEqual(['news', 'confirmation', 'interim-reply', 'keyword-answer', 'stop-receipt', 'staff-reply', 'other']);
  });

  it('forecasts the month from its rate since the 1st, counting the first day as a whole day', () => {
    const start = Date.UTC(2026, 10, 1);
    const end = Date.UTC(2026, 11, 1);
    expect(forecastOfMonth(10, start, end, start + 10 * DAY)).toBe(30);
    // Two hours into the month: as if a whole day had passed, not ×360.
    expect(forecastOfMonth(1, start, end, start + 2 * 3_600_000)).toBe(30);
    expect(forecastOfMonth(7, start, end, end + DAY)).toBe(7);
    expect(forecastOfMonth(0, start, end, start + 5 * DAY)).toBe(0);
  });

  it('names each threshold reached and not yet mailed, once', () => {
    expect(dueThresholds(0.65, 1, [50, 80, 100], [])).toEqual([50]);
    expect(dueThresholds(0.8, 1, [100, 50, 80], [50])).toEqual([80]);
    expect(dueThresholds(1.25, 1, [50, 80, 100], [50])).toEqual([80, 100]);
    expect(dueThresholds(1.25, 1, [50, 80, 100], [50, 80, 100])).toEqual([]);
    expect(dueThresholds(0.4999, 1, [50], [])).toEqual([]);
    expect(dueThresholds(5, null, [50], [])).toEqual([]);
  });

  it('says a broadcast would exceed only what is left, and never without a budget', () => {
    expect(budgetVerdict(0.6, 1, 0.65, 'EUR')).toEqual({ wouldExceed: true, estimate: 0.6, remaining: 0.35, currency: 'EUR' });
    expect(budgetVerdict(0.35, 1, 0.65, 'EUR')).toMatchObject({ wouldExceed: false, remaining: 0.35 });
    expect(budgetVerdict(0.01, 1, 1.2, 'EUR')).toMatchObject({ wouldExceed: true, remaining: 0 });
    expect(budgetVerdict(0, 1, 1.2, 'EUR')).toMatchObject({ wouldExceed: false });
    expect(budgetVerdict(1000, null, 50, 'EUR')).toEqual({ wouldExceed: false, estimate: 1000, remaining: null, currency: 'EUR' });
    expect(remainingOf(1, 1.5)).toBe(0);
  });

  it('moves months across the year and reads kinds back from our reference', () => {
    expect(monthOf('2026-12-31', 1)).toBe('2027-01');
    expect(monthOf('2026-01-15', -1)).toBe('2025-12');
    expect(monthOf('2026-07-01')).toBe('2026-07');
    expect(kindOfRef(messageKindRef('stop-receipt'))).toBe('stop-receipt');
    expect(kindOfRef('m:news')).toBe('other');
    expect(kindOfRef('d:17')).toBe('other');
    expect(kindOfRef(undefined)).toBe('other');
  });
});
