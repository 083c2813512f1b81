import { MESSAGE_KINDS, type BudgetVerdict, type KindCost, type MessageKind } from '../../../shared/contracts/costs';
import { DAY_MS } from '../utils/time';
import { flagOf } from '../database/row';

/**
 * The budget's arithmetic, pure: no Strapi, no database, no clock but the one it is given
 * (tests/unit/budget-math.test.ts). The counts come from Meta's pricing per message; the rates
 * are the town's table.
 */

/** Money to a hundredth of a cent: sums of many small rates stay exact enough to show. */
export const roundMoney = (value: number) => Math.round(value * 10_000) / 10_000;

/** Priced messages of one kind, category and billable flag, as the grouped queries answer them. */
export interface PricedCount {
  kind: MessageKind;
  category: string | null;
  billable: boolean;
  count: number;
}

/** SQLite answers booleans as 0/1 (or '0'/'1'), PostgreSQL as true/false. */
export const isBillable = (value: unknown) => flagOf(value) === true;

/**
 * Cost per kind at the town's rates. Meta's word decides what is billed: a message Meta priced
 * `billable: false` costs nothing whatever its category; a billable one costs its category's rate,
 * and one whose category the table has no rate for is counted but not priced (never guessed).
 */
export function costByKind(rows: readonly PricedCount[], rates: Readonly<Record<string, number>>): { byKind: KindCost[]; spent: number; unpricedMessages: number } {
  const kinds = new Map<MessageKind, KindCost>(MESSAGE_KINDS.map((kind) => [kind, { kind, messages: 0, billableMessages: 0, cost: 0 }]));
  let unpricedMessages = 0;
  for (const row of rows) {
    const entry = kinds.get(row.kind) ?? kinds.get('other')!;
    entry.messages += row.count;
    if (!row.billable) continue;
    entry.billableMessages += row.count;
    const category = row.category ?? 'unknown';
    if (Object.hasOwn(rates, category)) entry.cost += row.count * rates[category];
    else unpricedMessages += row.count;
  }
  const byKind = [...kinds.values()].map((entry) => ({ ...entry, cost: roundMoney(entry.cost) }));
  return { byKind, spent: roundMoney(byKind.reduce((sum, entry) => sum + entry.cost, 0)), unpricedMessages };
}


/**
 * The month's cost if it goes on as it went since the 1st: the month so far over the time
 * elapsed, times the month's length. The first day counts as a whole day, so a morning's
 * broadcast is not multiplied by a thousand; once the month is over the forecast is the spend.
 */
export function forecastOfMonth(spent: number, monthStartMs: number, monthEndMs: number, nowMs: number): number {
  const length = monthEndMs - monthStartMs;
  if (length <= 0 || nowMs >= monthEndMs) return roundMoney(spent);
  const elapsed = Math.min(length, Math.max(DAY_MS, nowMs - monthStartMs));
  return roundMoney((spent * length) / elapsed);
}

/** The thresholds (percent of the amount) the spend has reached and nobody was mailed about yet, lowest first. */
export function dueThresholds(spent: number, amount: number | null, thresholds: readonly number[], mailed: readonly number[]): number[] {
  if (amount === null || amount <= 0) return [];
  // Compared in hundredths of a cent, so 0.8 of 1.00 reaches 80 % despite binary fractions.
  return [...thresholds].sort((a, b) => a - b).filter((threshold) => !mailed.includes(threshold) && Math.round(spent * 10_000) * 100 >= Math.round(amount * 10_000) * threshold);
}

/** What is left of the month's amount, never below 0; null without a budget. */
export const remainingOf = (amount: number | null, spent: number) => (amount === null ? null : roundMoney(Math.max(0, amount - spent)));

/**
 * Whether a broadcast's estimate goes over what is left of the month. Without a budget nothing
 * would exceed it; an estimate that uses exactly what is left does not exceed it.
 */
export function budgetVerdict(estimate: number, amount: number | null, spent: number, currency: string): BudgetVerdict {
  const remaining = remainingOf(amount, spent);
  const rounded = roundMoney(estimate);
  return { wouldExceed: remaining !== null && rounded > remaining, estimate: rounded, remaining, currency };
}

/** `YYYY-MM` of a `YYYY-MM-DD` day, moved by `offset` months. */
export function monthOf(day: string, offset = 0): string {
  const [year, month] = day.split('-').map(Number);
  const index = year * 12 + (month - 1) + offset;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}
