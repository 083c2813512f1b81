import { z } from 'zod';
import { strict } from './strict';
import { APPROVAL_EMERGENCY_MODES } from '../../../shared/contracts/approval';

/**
 * `broadcast.approval`: four-eyes approval, the rules the town chooses (docs/admin.md, "Approval").
 * Off by default: nothing waits for a second person unless the town switches it on. Independent of
 * it, news beyond an editor's villages (village rights, a role condition) and a WhatsApp part over
 * the month's budget always wait for an approval.
 */
export const approvalConfigSchema = strict.object({
  /** Switches the rules below on; off (the default), only village rights and the budget ask for approval. */
  enabled: z.boolean().default(false),
  /** Every broadcast needs a second person's approval. */
  everyBroadcast: z.boolean().default(false),
  /** Broadcasts to more than this many recipients (all channels together) need approval. */
  aboveRecipients: z.number().int().min(0).optional(),
  /** Broadcasts that reach anyone on a paid channel (WhatsApp: Meta bills each message) need approval. */
  paidChannels: z.boolean().default(false),
  /**
   * What the rules mean for an emergency: `send-then-approve` (the default: it goes at once, the
   * approval follows and the broadcast shows "approval outstanding" until then), `hold` (it waits
   * like any news) or `exempt` (the rules do not apply; village rights and the budget still ask
   * for an approval afterwards).
   */
  emergency: z.enum(APPROVAL_EMERGENCY_MODES).default('send-then-approve'),
  /** Approvers are told by e-mail (Strapi's email plugin) when a broadcast waits for them. */
  notifyByEmail: z.boolean().default(true),
});
export type ApprovalConfig = z.infer<typeof approvalConfigSchema>;
