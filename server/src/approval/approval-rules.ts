import type { ChannelId, Urgency } from '../constants';
import type { ApprovalConfig } from '../config/approval.schema';
import { APPROVAL_HOLD_PRIORITY, type ApprovalHold, type ApprovalHoldReason } from '../../../shared/contracts/approval';

/**
 * The pure rules of four-eyes approval: from the facts of one broadcast, whether it needs a
 * second person's approval, why, whether it waits for it or goes at once, and which channels'
 * runs wait. No database, no Strapi: every answer follows from its arguments
 * (tests/unit/approval-rules.test.ts), so the publish, the side panel and the budget ask the same rules.
 */

/** What is known about a broadcast when it is published (or previewed). */
export interface ApprovalFacts {
  urgency: Urgency | null | undefined;
  /** The channels it goes out on. */
  channels: readonly ChannelId[];
  /** Recipients per channel (a follow-up: whoever received its thread). */
  recipientsByChannel: Partial<Record<ChannelId, number>>;
  /** Channels whose every message costs the town money (WhatsApp). */
  paidChannels: readonly ChannelId[];
  /** Village slugs the news is for; empty: the whole town. */
  villages: readonly string[];
  /** The villages the publisher may reach on their own; null: not limited (or unknown publisher). */
  publisherVillages: readonly string[] | null;
  /**
   * The budget's verdict (the `budget` service): the WhatsApp part would go over the month's
   * budget. Holds only the WhatsApp run, with the reason `over-budget`; other channels go on.
   */
  whatsappOverBudget?: boolean;
  /** Nobody published it in person (an auto-published official warning, a script or API client). */
  unattended?: boolean;
}

export type ApprovalRules = Pick<ApprovalConfig, 'enabled' | 'everyBroadcast' | 'aboveRecipients' | 'paidChannels' | 'emergency'>;

export interface ApprovalVerdict {
  /** `hold`: the held runs wait for approval; `send-then-approve`: everything goes at once, the approval follows; null: no approval. */
  mode: 'hold' | 'send-then-approve' | null;
  holds: ApprovalHold[];
  /** Per channel whose run waits, the reason it shows (empty unless `mode` is `hold`). */
  heldChannels: Partial<Record<ChannelId, ApprovalHoldReason>>;
}

/** Village rights: news for the whole town, or for a village the publisher does not hold, goes beyond them. */
export function beyondVillageRights(villages: readonly string[], publisherVillages: readonly string[] | null): boolean {
  if (publisherVillages === null) return false;
  if (!villages.length) return true;
  return villages.some((village) => !publisherVillages.includes(village));
}

/** Which of the town's rules a broadcast matches (each holds the whole broadcast). */
export function matchedRules(rules: ApprovalRules, facts: ApprovalFacts): Array<'every-broadcast' | 'above-recipients' | 'paid-channel'> {
  if (!rules.enabled) return [];
  const total = facts.channels.reduce((sum, channel) => sum + (facts.recipientsByChannel[channel] ?? 0), 0);
  const matched: Array<'every-broadcast' | 'above-recipients' | 'paid-channel'> = [];
  if (rules.everyBroadcast) matched.push('every-broadcast');
  if (rules.aboveRecipients !== undefined && total > rules.aboveRecipients) matched.push('above-recipients');
  if (rules.paidChannels && facts.channels.some((channel) => facts.paidChannels.includes(channel) && (facts.recipientsByChannel[channel] ?? 0) > 0)) matched.push('paid-channel');
  return matched;
}

export function approvalVerdict(rules: ApprovalRules, facts: ApprovalFacts): ApprovalVerdict {
  const emergency = facts.urgency === 'emergency';
  const holds: ApprovalHold[] = [];
  if (beyondVillageRights(facts.villages, facts.publisherVillages)) holds.push({ reason: 'village-rights', channels: null });
  // `exempt`: the town's rules do not apply to an emergency; village rights and the budget still do.
  if (!(emergency && rules.emergency === 'exempt') && matchedRules(rules, facts).length) holds.push({ reason: 'rule', channels: null });
  if (facts.whatsappOverBudget && facts.channels.includes('whatsapp')) holds.push({ reason: 'over-budget', channels: ['whatsapp'] });
  // An emergency nobody published in person (an official warning that published itself) goes at once, and with
  // approval switched on a person approves it afterwards, so that someone is on record for it.
  if (rules.enabled && facts.unattended && emergency && rules.emergency === 'send-then-approve') holds.push({ reason: 'unattended', channels: null });
  if (!holds.length) return { mode: null, holds, heldChannels: {} };

  // A warning is never delayed unless the town says so: an emergency goes at once and the approval follows.
  if (emergency && rules.emergency !== 'hold') return { mode: 'send-then-approve', holds, heldChannels: {} };

  const heldChannels: Partial<Record<ChannelId, ApprovalHoldReason>> = {};
  for (const reason of APPROVAL_HOLD_PRIORITY) {
    for (const hold of holds.filter((candidate) => candidate.reason === reason)) {
      for (const channel of hold.channels ?? facts.channels) if (facts.channels.includes(channel) && !heldChannels[channel]) heldChannels[channel] = reason;
    }
  }
  return { mode: 'hold', holds, heldChannels };
}
