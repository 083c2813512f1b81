/**
 * The audit trail's vocabulary: what an admin (or the system) did to a broadcast or a citizen.
 * Server (server/src/audit/) and admin (the "Protokoll" page) read the same lists.
 *
 * An event names a broadcast by its announcement's documentId (and a title snapshot) or a citizen
 * by subscriber id only: never an address, number, e-mail or name of a citizen.
 */
import type { ChannelId } from './channels';
import type { FollowUpKind } from './broadcasts';

export const AUDIT_ACTIONS = [
  'published',
  'approved',
  'rejected',
  'paused',
  'resumed',
  'cancelled',
  'retried',
  'update-sent',
  'test-sent',
  'templates-submitted',
  'inbox-replied',
  'subscriber-exported',
  'subscriber-erased',
  'purged',
  'budget-changed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Who acted: a logged-in admin, an API token (a publish through the content API; the token's
 * name is the actor's name), or the plugin itself (retention, a scheduled release).
 */
export const AUDIT_ACTOR_KINDS = ['admin', 'api-token', 'system'] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];

/** What the action concerns: a broadcast, a citizen, or neither (templates, a purge, the budget). */
export const AUDIT_TARGET_OF: Record<AuditAction, 'broadcast' | 'subscriber' | 'none'> = {
  published: 'broadcast',
  approved: 'broadcast',
  rejected: 'broadcast',
  paused: 'broadcast',
  resumed: 'broadcast',
  cancelled: 'broadcast',
  retried: 'broadcast',
  'update-sent': 'broadcast',
  'test-sent': 'broadcast',
  'templates-submitted': 'none',
  'inbox-replied': 'subscriber',
  'subscriber-exported': 'subscriber',
  'subscriber-erased': 'subscriber',
  purged: 'none',
  'budget-changed': 'none',
};

/**
 * The small, typed facts each action keeps beside its target. None of them is personal data: counts,
 * channel ids, template names, documentIds and the admin's own note (approve/reject).
 */
export interface AuditDetailsOf {
  published: { channels: string[]; urgency: string | null; updateOf: string | null };
  /** The approver's note, as written by the admin (the lead's approval flow; capped at 500 characters). */
  approved: { note?: string };
  rejected: { note?: string };
  paused: Record<string, never>;
  resumed: Record<string, never>;
  cancelled: Record<string, never>;
  /** How many failed deliveries were opened again. */
  retried: { reopened: number };
  /** The follow-up that was created (the event's broadcast is the one the update follows). */
  'update-sent': { followUpDocumentId: string; kind: FollowUpKind; includeNew: boolean };
  /** The channel the test went out on; never the address it went to. */
  'test-sent': { channel: ChannelId };
  'templates-submitted': { templates: string[] };
  'inbox-replied': { channel: string; inboundMessageId: number };
  'subscriber-exported': Record<string, never>;
  'subscriber-erased': Record<string, never>;
  /** Retention's counts: withdrawn citizens' records, inbox and sandbox messages deleted. */
  purged: { subscribers: number; messages: number; outbox: number };
  /** The monthly WhatsApp budget before and after (the lead's budget flow). */
  'budget-changed': { previous: number | null; next: number | null; currency?: string };
}
export type AuditDetails<Action extends AuditAction = AuditAction> = AuditDetailsOf[Action];

/** One event as the admin API answers it (and the CSV holds it). */
export interface AuditEvent {
  id: number;
  occurredAt: string;
  action: AuditAction;
  actorKind: AuditActorKind;
  actorId: number | null;
  /** The admin's name when it was recorded: still readable after the admin user is deleted. */
  actorName: string | null;
  broadcastId: string | null;
  broadcastTitle: string | null;
  subscriberId: number | null;
  details: Record<string, unknown>;
}

/** The page's filter: one of each admin who appears in the trail. */
export interface AuditActor {
  actorKind: AuditActorKind;
  actorId: number | null;
  actorName: string | null;
}
