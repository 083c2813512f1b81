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
  deliveryTally: 'plugin::town-crier.delivery-tally',
  publishIntent: 'plugin::town-crier.publish-intent',
  officialWarning: 'plugin::town-crier.official-warning',
  warningSource: 'plugin::town-crier.warning-source',
  messagePricing: 'plugin::town-crier.message-pricing',
  budgetAlert: 'plugin::town-crier.budget-alert',
  auditEvent: 'plugin::town-crier.audit-event',
  channelHandoff: 'plugin::town-crier.channel-handoff',
  approval: 'plugin::town-crier.approval',
} as const;

/**
 * The statuses, run states and their groups, reasons, follow-up kinds and channel problems are
 * the admin's vocabulary too: declared once in shared/contracts and re-exported here under the
 * names the server has always used (docs/architecture.md, "Contracts").
 */
export { CHANNEL_IDS, SIGNUP_CHANNEL_IDS, CHANNEL_PROBLEMS, type ChannelId, type ChannelProblem, type ChannelProblemCode } from '../../shared/contracts/channels';
export { SUBSCRIBER_STATUSES, CONSENT_EVENT_TYPES, type SubscriberStatus, type ConsentEventType } from '../../shared/contracts/subscribers';
export {
  BROADCAST_STATUSES as ANNOUNCEMENT_STATUSES,
  type BroadcastStatus as AnnouncementStatus,
  RUN_STATES,
  type RunState,
  OPEN_RUN_STATES,
  MOVING_RUN_STATES,
  PAUSABLE_RUN_STATES,
  FINISHED_RUN_STATES,
  RUN_TRANSITIONS,
  isStateIn,
  RUN_REASONS,
  type RunReasonKind,
  reasonKind,
  TIMED_REASONS,
  WAITING_REASON_KINDS,
  type WaitingReason,
  FOLLOW_UP_KINDS,
  type FollowUpKind,
  URGENCIES,
  type Urgency,
  urgencyOf,
} from '../../shared/contracts/broadcasts';
export {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  DELIVERY_STATUS_RANK,
  RECEIVED_DELIVERY_STATUSES,
  OPEN_DELIVERY_STATUSES,
} from '../../shared/contracts/deliveries';

export const JOB_NAMES = {
  fanOut: 'fan-out',
  deliver: 'deliver',
  /** Many deliveries of one announcement and channel in one job (`broadcast.deliveryBatchSize`). */
  deliverBatch: 'deliver-batch',
  message: 'message',
  webhook: 'webhook',
  /** The ActivityPub actor's Accept, and the Update or Delete of a Note already sent (activitypub/activities.ts). */
  activitypub: 'activitypub',
} as const;
export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

/** The queue that carries control work (fan-out, webhooks, confirmations); deliveries get one queue per channel. */
export const CONTROL_QUEUE = 'control' as const;
