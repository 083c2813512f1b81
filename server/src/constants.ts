/**
 * One vocabulary for the whole plugin: ids, content-type UIDs, statuses and job names.
 * Status tuples are `as const` so every union type below is derived, never repeated.
 */
export const PLUGIN_ID = 'town-crier' as const;

export const UID = {
  subscriber: 'plugin::town-crier.subscriber',
  topic: 'plugin::town-crier.topic',
  consentEvent: 'plugin::town-crier.consent-event',
  announcement: 'plugin::town-crier.announcement',
  delivery: 'plugin::town-crier.delivery',
  inboundMessage: 'plugin::town-crier.inbound-message',
  outboxMessage: 'plugin::town-crier.outbox-message',
  inboundWebhook: 'plugin::town-crier.inbound-webhook',
  outgoingMessage: 'plugin::town-crier.outgoing-message',
  templateEvent: 'plugin::town-crier.template-event',
  run: 'plugin::town-crier.broadcast-run',
  followUpMark: 'plugin::town-crier.follow-up-mark',
} as const;

export const CHANNEL_IDS = ['whatsapp', 'email', 'telegram', 'webpush'] as const;
export type ChannelId = (typeof CHANNEL_IDS)[number];

export const SUBSCRIBER_STATUSES = ['pending', 'active', 'unsubscribed'] as const;
export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number];

/**
 * `changed`: the citizen changed what the consent covers (their villages), with `detail` saying to what.
 * `language-changed`: the citizen chose another language (keyword or link); the event's `language` says which.
 */
export const CONSENT_EVENT_TYPES = ['requested', 'confirmed', 'withdrawn', 'erased', 'changed', 'language-changed'] as const;
export type ConsentEventType = (typeof CONSENT_EVENT_TYPES)[number];

export const ANNOUNCEMENT_STATUSES = [
  'scheduled',
  'queued',
  'sending',
  'paused',
  'sent',
  'cancelled',
  'failed',
] as const;
export type AnnouncementStatus = (typeof ANNOUNCEMENT_STATUSES)[number];

/**
 * A broadcast is one run per (announcement, channel). Each run moves on its own (a WhatsApp
 * problem pauses the WhatsApp run only); the announcement's `broadcastStatus` is derived from
 * its runs. Only `dispatch/` changes a run's state (see docs/architecture.md).
 */
export const RUN_STATES = ANNOUNCEMENT_STATUSES;
export type RunState = AnnouncementStatus;
/** States a run can still leave on its own or by an editor's action. */
export const OPEN_RUN_STATES = ['scheduled', 'queued', 'sending', 'paused'] as const;
/** States in which deliveries of the run are sent. */
export const MOVING_RUN_STATES = ['queued', 'sending'] as const;

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
] as const;
export type RunReasonKind = (typeof RUN_REASONS)[number];
/** The kind of a stored reason (`channel-error:whatsapp:190` → `channel-error`), or null for an unknown one. */
export function reasonKind(reason: string | null | undefined): RunReasonKind | null {
  if (!reason) return null;
  const kind = reason.split(':')[0];
  return (RUN_REASONS as readonly string[]).includes(kind) ? (kind as RunReasonKind) : null;
}
/** Reasons that hold a run only until a time passes; anything else needs an editor or an admin. */
export const TIMED_REASONS: readonly RunReasonKind[] = ['grace-period', 'send-at', 'quiet-hours', 'daily-limit', 'retry-after'];

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

/**
 * Delivery statuses are ordered: a webhook may only move a delivery forward, so a late
 * `delivered` never overwrites `read`. `failed` ranks above `sent` because Meta reports
 * `sent` first and `failed` after it for undeliverable numbers. `skipped` is ours alone
 * (the recipient left, or the announcement was cancelled) and no webhook moves it.
 */
export const DELIVERY_STATUSES = ['pending', 'waiting', 'sent', 'failed', 'delivered', 'read', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const DELIVERY_STATUS_RANK: Record<Exclude<DeliveryStatus, 'skipped'>, number> = {
  pending: 0,
  waiting: 1,
  sent: 2,
  failed: 3,
  delivered: 4,
  read: 5,
};
/**
 * A follow-up continues an earlier broadcast (its thread): `update` says more about the same news,
 * `all-clear` ("Entwarnung") ends it. An all-clear of an emergency is itself urgent.
 */
export const FOLLOW_UP_KINDS = ['update', 'all-clear'] as const;
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];
/**
 * Who "received" a broadcast, for its follow-ups: the provider took the message (`sent`) or
 * reported it `delivered`/`read`. `failed` (also after `sent`), `skipped` and still open
 * deliveries did not reach the citizen, so a follow-up would refer to news they never saw.
 */
export const RECEIVED_DELIVERY_STATUSES = ['sent', 'delivered', 'read'] as const;

/** Statuses the delivery worker still has to act on. */
export const OPEN_DELIVERY_STATUSES = ['pending', 'waiting'] as const;

export const JOB_NAMES = {
  fanOut: 'fan-out',
  deliver: 'deliver',
  /** Many deliveries of one announcement and channel in one job (`broadcast.deliveryBatchSize`). */
  deliverBatch: 'deliver-batch',
  message: 'message',
  webhook: 'webhook',
} as const;
export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

/** The queue that carries control work (fan-out, webhooks, confirmations); deliveries get one queue per channel. */
export const CONTROL_QUEUE = 'control' as const;

/**
 * What the channel status page can report about a channel, with the English wording the API
 * sends in `problems` (for logs and scripts). The admin shows each code in the admin's language
 * (admin/src/hooks/useProblemLabel.ts); a unit test fails when a code has no words there.
 */
export const CHANNEL_PROBLEMS = {
  'sandbox-switched-on': 'sandbox mode switched on: nothing is sent',
  'sandbox-no-credential': 'no {credential}: sandbox mode',
  'no-phone-number-id': 'no phone number id',
  'no-app-secret': 'no app secret: webhook signatures cannot be checked, every webhook is refused',
  'no-verify-token': 'no verify token: Meta cannot subscribe the webhook',
  'no-bot-username': 'no bot username: the sign-up cannot offer a t.me link',
  'no-webhook-secret': 'no webhook secret: every webhook is refused',
  'channel-paused': 'channel paused: {detail}',
  'no-verified-webhook': 'no verified webhook in 24 h',
  'webhook-signature-failed': 'the last webhook failed the signature check: is the app secret right?',
  'daily-limit-used-up': 'daily reach limit used up: broadcasts wait until slots free up',
  'redis-unreachable': 'Redis unreachable: nothing is queued or sent',
} as const;
export type ChannelProblemCode = keyof typeof CHANNEL_PROBLEMS;
export interface ChannelProblem {
  code: ChannelProblemCode;
  /** Placeholders of the wording: `credential` is a settings key (accessToken, botToken, from), `detail` an error code. */
  values?: Record<string, string>;
}
