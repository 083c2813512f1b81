/** The admin API's answers (./admin-api.ts): statistics and costs on the overview (GET /stats/…). */
import type { CostSummary } from '../costs';
import type { BudgetStatus, KindCost } from './costs';

/**
 * A breakdown cell: exact count, "<5" when 1..4 people would be identifiable, or "*" for a
 * larger cell hidden so that a "<5" cannot be worked out from the total.
 */
export type CountCell = number | '<5' | '*';

export interface OverviewStats {
  subscribers: { active: number; pending: number; unsubscribed: number };
  netChange: { days7: number; days30: number };
  target: { value: number; reached: number; percent: number };
  byChannel: Array<{ key: string; count: CountCell }>;
  byTopic: Array<{ key: string; label: string; count: CountCell }>;
  bySource: Array<{ key: string; count: CountCell }>;
  /** Per village of the town ('*': the whole town); empty when the town has no villages. */
  byVillage: Array<{ key: string; label: string; count: CountCell }>;
  deliveries: { last30Days: { sent: number; delivered: number; read: number; failed: number } };
  costPerMonth: MonthCost[];
  /** The month's WhatsApp budget: month so far, forecast, what is left, thresholds. */
  whatsappBudget: BudgetStatus;
  timeZone: string;
  generatedAt: string;
}

export interface GrowthDay {
  day: string;
  signups: number;
  withdrawals: number;
  active: number;
}

export interface GrowthStats {
  timeZone: string;
  target: number;
  days: GrowthDay[];
}

/** A month of WhatsApp cost on the overview. */
export interface MonthCost extends CostSummary {
  /** `YYYY-MM` in the town's time zone. */
  month: string;
  /** Every message Meta priced in the month, by kind. */
  byKind: KindCost[];
}
