/** The admin API's answers as strict zod schemas (./admin-responses.ts): statistics on the overview. */
import { z } from 'zod';
import { budgetStatusSchema, monthCostSchema } from './admin-responses.broadcasts';
import { type Holds, type Same, count, text } from './admin-responses.fields';
import type * as Api from './admin-api';

const countCell = z.union([count, z.literal('<5'), z.literal('*')]);

export const overviewStatsSchema = z.strictObject({
  subscribers: z.strictObject({ active: count, pending: count, unsubscribed: count }),
  netChange: z.strictObject({ days7: count, days30: count }),
  target: z.strictObject({ value: count, reached: count, percent: count }),
  byChannel: z.array(z.strictObject({ key: text, count: countCell })),
  byTopic: z.array(z.strictObject({ key: text, label: text, count: countCell })),
  bySource: z.array(z.strictObject({ key: text, count: countCell })),
  byVillage: z.array(z.strictObject({ key: text, label: text, count: countCell })),
  deliveries: z.strictObject({ last30Days: z.strictObject({ sent: count, delivered: count, read: count, failed: count }) }),
  costPerMonth: z.array(monthCostSchema),
  whatsappBudget: budgetStatusSchema,
  timeZone: text,
  generatedAt: text,
});

export const growthStatsSchema = z.strictObject({
  timeZone: text,
  target: count,
  days: z.array(z.strictObject({ day: text, signups: count, withdrawals: count, active: count })),
});

/** Each schema above is its type, exactly (./admin-responses.fields.ts `Same`). */
export type StatsContractChecks = [
  Holds<Same<typeof overviewStatsSchema, Api.OverviewStats>>,
  Holds<Same<typeof growthStatsSchema, Api.GrowthStats>>,
];
