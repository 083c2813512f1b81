/**
 * The broadcast vocabulary, declared once for the server (constants.ts re-exports it; the
 * content-type schemas' enums are these lists, tests/unit/contracts.test.ts compares them) and
 * the admin (badges, which buttons a state offers, reason labels).
 */

/** An announcement's `broadcastStatus`, derived from its runs (one run per announcement and channel). */
export const BROADCAST_STATUSES = ['scheduled', 'queued', 'sending', 'paused', 'sent', 'cancelled', 'failed'] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];

/** A run has the same states as a broadcast: the broadcast shows its most active run. */
export const RUN_STATES = BROADCAST_STATUSES;
export type RunState = BroadcastStatus;

/** States a run can still leave on its own or by an editor's action (an editor may cancel it). */
export const OPEN_RUN_STATES = ['scheduled', 'queued', 'sending', 'paused'] as const;
/** States in which deliveries of the run are sent. */
export const MOVING_RUN_STATES = ['queued', 'sending'] as const;
/** States an editor may pause (and unpublishing pauses): open and not paused already. */
export const PAUSABLE_RUN_STATES = ['scheduled', 'queued', 'sending'] as const;
/** States a run never leaves. */
export const FINISHED_RUN_STATES = ['sent', 'failed', 'cancelled'] as const;
/** States in which an editor may send an update or all-clear of the broadcast. */
export const UPDATABLE_STATES = ['queued', 'sending', 'paused', 'sent'] as const;

/** Which states a run may move from, per target. Anything else is refused, so a late writer cannot undo a newer state. */
export const RUN_TRANSITIONS: Record<RunState, readonly RunState[]> = {
  scheduled: ['scheduled', 'queued', 'paused'],
  queued: ['scheduled', 'queued', 'paused'],
  sending: ['scheduled', 'queued', 'sending', 'paused', 'sent', 'failed'],
  paused: PAUSABLE_RUN_STATES,
  sent: ['sending'],
  failed: OPEN_RUN_STATES,
  cancelled: OPEN_RUN_STATES,
};

/** True when `state` is one of `group` (a state from the API is a plain string to the admin). */
export const isStateIn = (group: readonly string[], state: string | null | undefined): boolean => state != null && group.includes(state);

/**
 * Why a run (and so its announcement) waits, paused or stopped. Stored as `kind` or
 * `kind:detail` (`channel-error:whatsapp:190`, `template-error:132001`, `channel-paused:whatsapp`);
 * the admin has a German and an English label for every kind (tests/unit/reasons.test.ts).
 */
export const RUN_REASONS = [
  'grace-period',
  'send-at',
  'quiet-hours',
  'daily-limit',
  'retry-after',
  'paused-by-editor',
  'unpublished',
  'link-missing',
  'channel-error',
  'channel-paused',
  'template-error',
  'cancelled-by-editor',
  'all-deliveries-failed',
  /** `awaiting-approval:<rule|village-rights|over-budget>` (shared/contracts/approval.ts): a second person must approve first. */
  'awaiting-approval',
  /** A second person rejected the broadcast: nothing of it goes out (its held runs are cancelled). */
  'approval-rejected',
] as const;
export type RunReasonKind = (typeof RUN_REASONS)[number];

/** The kind of a stored reason (`channel-error:whatsapp:190` → `channel-error`), or null for an unknown one. */
export function reasonKind(reason: string | null | undefined): RunReasonKind | null {
  if (!reason) return null;
  const kind = reason.split(':')[0];
  return (RUN_REASONS as readonly string[]).includes(kind) ? (kind as RunReasonKind) : null;
}

/** Reasons that hold a run only until a time passes; anything else needs an editor or an admin. */
export const TIMED_REASONS = ['grace-period', 'send-at', 'quiet-hours', 'daily-limit', 'retry-after'] as const satisfies readonly RunReasonKind[];

/**
 * Why the broadcast detail says a broadcast waits (`BroadcastDetail.waiting.reason`): a short
 * word of the API, each meaning one run reason (the admin labels it with that reason's words).
 */
export const WAITING_REASON_KINDS = {
  'daily-limit': 'daily-limit',
  'quiet-hours': 'quiet-hours',
  scheduled: 'send-at',
  grace: 'grace-period',
  paused: 'paused-by-editor',
} as const satisfies Record<string, RunReasonKind>;
export type WaitingReason = keyof typeof WAITING_REASON_KINDS;
export const WAITING_REASONS = Object.keys(WAITING_REASON_KINDS) as WaitingReason[];

/**
 * A follow-up continues an earlier broadcast (its thread): `update` says more about the same news,
 * `all-clear` ("Entwarnung") ends it. An all-clear of an emergency is itself urgent.
 */
export const FOLLOW_UP_KINDS = ['update', 'all-clear'] as const;
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];

export const URGENCIES = ['info', 'important', 'emergency'] as const;
export type Urgency = (typeof URGENCIES)[number];

/**
 * The words a news type's urgency field may hold, in English and German, so a town can offer its
 * editors "Wichtig" and "Notfall" in its own select field. Case does not matter.
 */
const URGENCY_WORDS: Record<string, Urgency> = {
  info: 'info',
  information: 'info',
  hinweis: 'info',
  important: 'important',
  wichtig: 'important',
  emergency: 'emergency',
  notfall: 'emergency',
  eilmeldung: 'emergency',
  warnung: 'emergency',
};

/** The urgency a field value means, or null when it names none. */
export function urgencyOf(value: unknown): Urgency | null {
  return typeof value === 'string' ? (URGENCY_WORDS[value.trim().toLowerCase()] ?? null) : null;
}
