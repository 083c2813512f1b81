import { z } from 'zod';
import { dbDate, nullable } from '../database/row-fields';
import { toCount } from '../database/names';
import { MESSAGE_KINDS } from '../../../shared/contracts/costs';
import { isBillable } from './budget-math';

/**
 * The rows the cost and budget code reads, parsed once where they are read: a count as a number,
 * a billable flag as a boolean (SQLite answers 0/1, PostgreSQL true/false), dates as Date.
 */

/** A budget claim's threshold (budget-alerts.ts; PostgreSQL may answer an integer column as a string). */
export const thresholdFromRow = (raw: unknown): number => z.object({ threshold: z.coerce.number() }).parse(raw).threshold;

/** One group of priced messages, as the grouped counts over deliveries and the pricing ledger answer them. */
const pricedGroup = z.object({
  category: nullable(z.string()),
  billable: z.unknown().optional().transform(isBillable),
  count: z.unknown().optional().transform(toCount),
});
export type PricedGroup = z.infer<typeof pricedGroup>;
export const pricedGroupFromRow = (raw: unknown): PricedGroup => pricedGroup.parse(raw);

/** The pricing ledger's groups also name the kind of one-to-one message. */
const ledgerGroup = pricedGroup.extend({ kind: z.enum(MESSAGE_KINDS) });
export const ledgerGroupFromRow = (raw: unknown) => ledgerGroup.parse(raw);

/** What the budget reads of an announcement to count the WhatsApp messages it still has to send. */
const budgetedAnnouncement = z.object({
  documentId: z.string(),
  /** Channels picked by hand (JSON): null or empty means every enabled channel. */
  channels: z.unknown().optional().transform((value) => (Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : null)),
  villages: z.unknown().optional(),
  updateOf: nullable(z.string()),
  fanOutDoneAt: dbDate,
  topics: z
    .array(z.object({ id: z.coerce.number() }))
    .optional()
    .transform((value) => value ?? []),
});
export type BudgetedAnnouncement = z.infer<typeof budgetedAnnouncement>;
export const budgetedAnnouncementFromRow = (raw: unknown): BudgetedAnnouncement => budgetedAnnouncement.parse(raw);
