import { z } from 'zod';
import { countColumn, idColumn, nullable, optionalDateColumn, parserOf } from '../database/row';
import { MESSAGE_KINDS } from '../../../shared/contracts/costs';
import { isBillable } from './budget-math';

/**
 * The rows the cost and budget code reads, parsed once where they are read: a count as a number,
 * a billable flag as a boolean (SQLite answers 0/1, PostgreSQL true/false), dates as Date.
 */

/** A budget claim's threshold (budget-alerts.ts; PostgreSQL may answer an integer column as a string). */
const parseThresholdFromRow = parserOf('budget', z.object({ threshold: z.coerce.number() }));
export const thresholdFromRow = (raw: unknown): number => parseThresholdFromRow(raw).threshold;

/** One group of priced messages, as the grouped counts over deliveries and the pricing ledger answer them. */
const pricedGroup = z.object({
  category: nullable(z.string()),
  billable: z.unknown().optional().transform(isBillable),
  count: countColumn,
});
export type PricedGroup = z.infer<typeof pricedGroup>;
export const pricedGroupFromRow: (raw: unknown) => PricedGroup = parserOf('budget', pricedGroup);

/** The pricing ledger's groups also name the kind of one-to-one message. */
const ledgerGroup = pricedGroup.extend({ kind: z.enum(MESSAGE_KINDS) });
export const ledgerGroupFromRow = parserOf('budget', ledgerGroup);

/** What the budget reads of an announcement to count the WhatsApp messages it still has to send. */
const budgetedAnnouncement = z.object({
  documentId: z.string(),
  /** Channels picked by hand (JSON): null or empty means every enabled channel. */
  channels: z.unknown().optional().transform((value) => (Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : null)),
  villages: z.unknown().optional(),
  updateOf: nullable(z.string()),
  fanOutDoneAt: optionalDateColumn,
  topics: z
    .array(z.object({ id: idColumn }))
    .optional()
    .transform((value) => value ?? []),
});
export type BudgetedAnnouncement = z.infer<typeof budgetedAnnouncement>;
export const budgetedAnnouncementFromRow: (raw: unknown) => BudgetedAnnouncement = parserOf('budget', budgetedAnnouncement);
