/**
 * The four-eyes approval vocabulary (`broadcast.approval`, docs/admin.md "Approval"), declared once
 * for the server (the approval table's enumeration, the pure rules in server/src/approval/approval-rules.ts)
 * and the admin (badges, the side panel, the approve/reject buttons).
 */
import type { ChannelId } from './channels';

/**
 * Why a broadcast (or one channel's run of it) needs a second person's approval:
 * `rule` one of the town's rules matched (every broadcast, above N recipients, a paid channel),
 * `village-rights` the publisher may only reach some villages and the news goes beyond them,
 * `over-budget` the WhatsApp part would go over the month's budget (holds only the WhatsApp run),
 * `unattended` an emergency nobody published in person (an official warning that published itself,
 * a script): with approval switched on and `send-then-approve`, it goes at once and a person approves it afterwards.
 * A held run is `paused` with the reason `awaiting-approval:<hold reason>`.
 */
export const APPROVAL_HOLD_REASONS = ['rule', 'village-rights', 'over-budget', 'unattended'] as const;
export type ApprovalHoldReason = (typeof APPROVAL_HOLD_REASONS)[number];

/**
 * Where an approval stands: `awaiting` the broadcast (or some of its runs) waits for it;
 * `outstanding` it went out at once (an emergency under `send-then-approve`) and the approval
 * comes afterwards; `approved` and `rejected` are a second person's decision.
 */
export const APPROVAL_STATES = ['awaiting', 'outstanding', 'approved', 'rejected'] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

/**
 * What the town's rules mean for an emergency: `hold` like any news (it waits when a rule matches),
 * `send-then-approve` it goes at once and the approval follows (a warning is never delayed; the
 * default), `exempt` the rules do not apply to it (village rights and the budget still ask for an
 * approval afterwards).
 */
export const APPROVAL_EMERGENCY_MODES = ['hold', 'send-then-approve', 'exempt'] as const;
export type ApprovalEmergencyMode = (typeof APPROVAL_EMERGENCY_MODES)[number];

/** One reason to hold, for the whole broadcast (`channels: null`) or only some channels' runs. */
export interface ApprovalHold {
  reason: ApprovalHoldReason;
  channels: ChannelId[] | null;
}

/** The order in which a run held for several reasons names one (the first that applies). */
export const APPROVAL_HOLD_PRIORITY: readonly ApprovalHoldReason[] = ['village-rights', 'unattended', 'rule', 'over-budget'];

/** Channels where every message costs the town money (Meta bills each WhatsApp template). */
export const PAID_CHANNELS: readonly ChannelId[] = ['whatsapp'];
