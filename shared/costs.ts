/**
 * What WhatsApp messages cost, as the admin API returns it: declared once for the server
 * (server/src/costs/costs.service.ts computes it) and the admin (which shows it).
 */
export interface CategoryCost {
  category: string;
  messages: number;
  /** Rate per message from the town's table; null when the table has no rate for this category. */
  ratePerMessage: number | null;
  cost: number | null;
}

export interface CostSummary {
  currency: string;
  billableMessages: number;
  /** Sum over the categories the rate table knows. */
  cost: number;
  byCategory: CategoryCost[];
  /** Billable messages of a category without a rate: the cost above leaves them out. */
  unpricedMessages: number;
  ratesAsOf: string;
  ratesSource: string;
}
