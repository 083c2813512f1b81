import { z } from 'zod';
import { CHANNEL_IDS } from '../constants';
import { idColumn, nullable, optionalDateColumn, parserOf } from '../database/row';
import { APPROVAL_HOLD_REASONS, APPROVAL_STATES } from '../../../shared/contracts/approval';

const hold = z.object({ reason: z.enum(APPROVAL_HOLD_REASONS), channels: nullable(z.array(z.enum(CHANNEL_IDS))) });

/** A row of the approvals store's table (approvals.store.ts), parsed once where it is read: dates as Date, JSON columns checked. */
const approvalRow = z.object({
  id: idColumn,
  announcementDocumentId: z.string(),
  state: z.enum(APPROVAL_STATES),
  holds: nullable(z.array(hold)),
  /** Per channel whose run waits, the reason it shows. */
  heldChannels: nullable(z.partialRecord(z.enum(CHANNEL_IDS), z.enum(APPROVAL_HOLD_REASONS))),
  villages: nullable(z.array(z.string())),
  publishedBy: nullable(idColumn),
  decidedBy: nullable(idColumn),
  note: nullable(z.string()),
  decidedAt: optionalDateColumn,
  notifiedAt: optionalDateColumn,
});
export type ApprovalRow = z.infer<typeof approvalRow>;

export const approvalFromRow: (raw: unknown) => ApprovalRow = parserOf('approval', approvalRow);
