/** What WhatsApp messages cost, as the admin API returns it (declared once in shared/costs.ts). */
import type { CostSummary } from '../../../shared/costs';

export type { CategoryCost, CostSummary } from '../../../shared/costs';

export interface MonthCost extends CostSummary {
  /** `YYYY-MM` in the town's time zone. */
  month: string;
}

export function toCostSummary(value: unknown): CostSummary | null {
  if (typeof value !== 'object' || value === null) return null;
  const row = value as Partial<CostSummary>;
  if (typeof row.billableMessages !== 'number' || typeof row.cost !== 'number') return null;
  return {
    currency: row.currency ?? 'EUR',
    billableMessages: row.billableMessages,
    cost: row.cost,
    byCategory: Array.isArray(row.byCategory) ? row.byCategory : [],
    unpricedMessages: row.unpricedMessages ?? 0,
    ratesAsOf: row.ratesAsOf ?? '',
    ratesSource: row.ratesSource ?? '',
  };
}
