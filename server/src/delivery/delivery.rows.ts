import { CHANNEL_IDS, DELIVERY_STATUSES, type ChannelId, type DeliveryStatus } from '../constants';
import { rowOf } from '../database/row';

/**
 * The delivery table's rows as the deliveries store and the send path read them (raw knex, so
 * the names are the columns'). Each read says which columns it selected; `fromRow` normalises
 * what the drivers differ in (counts and ids as strings on PostgreSQL, dates as epoch ms on
 * SQLite) once, here. The hot path reads `deliveryRecipientFromRow`: one per message.
 */
const TABLE = 'delivery';

/** A delivery and its recipient, read together right before sending (`recipients.ts` RECIPIENT_COLUMNS). */
export interface DeliveryRecipientRow {
  id: number;
  subscriber_id: number;
  status: DeliveryStatus;
  attempts: number;
  limited_holds: number;
  last_error_class: string | null;
  status_at: Date | null;
  hold_until: Date | null;
  /** The subscriber's status; null when the subscriber row is gone (left join). */
  subscriber_status: string | null;
  address: string | null;
  locale: string | null;
  marketing_stopped_at: Date | null;
  undeliverable_at: Date | null;
}

export function deliveryRecipientFromRow(raw: unknown): DeliveryRecipientRow {
  const row = rowOf(raw, TABLE);
  return {
    id: row.int('id'),
    subscriber_id: row.int('subscriber_id'),
    status: row.oneOf('status', DELIVERY_STATUSES),
    attempts: row.intOrNull('attempts') ?? 0,
    limited_holds: row.intOrNull('limited_holds') ?? 0,
    last_error_class: row.textOrNull('last_error_class'),
    status_at: row.date('status_at'),
    hold_until: row.date('hold_until'),
    subscriber_status: row.textOrNull('subscriber_status'),
    address: row.textOrNull('address'),
    locale: row.textOrNull('locale'),
    marketing_stopped_at: row.date('marketing_stopped_at'),
    undeliverable_at: row.date('undeliverable_at'),
  };
}

/** What the reachable test reads of a subscriber (`reachableOf`): the columns of the rule in `reachable-recipient.ts`. */
export function subscriberReachOf(raw: unknown) {
  const row = rowOf(raw, 'subscriber');
  return {
    id: row.int('id'),
    subscriber_status: row.textOrNull('subscriber_status'),
    address: row.textOrNull('address'),
    marketing_stopped_at: row.date('marketing_stopped_at'),
    undeliverable_at: row.date('undeliverable_at'),
  };
}

/**
 * A claim stamp as stored in `claimed_at`, kept exactly as the driver answered it: the takeover
 * matches the row by this very value, so it is not turned into another type on the way.
 */
export type StoredStamp = Date | number | string;

/** `claimOf`: the row's claim as it is now. */
export function claimFromRow(raw: unknown): { status: DeliveryStatus; claimed_at: StoredStamp | null; claimedSince: Date | null; subscriber_id: number } {
  const row = rowOf(raw, TABLE);
  const stored = row.raw.claimed_at;
  const claimedAt = stored instanceof Date || typeof stored === 'number' || typeof stored === 'string' ? stored : null;
  return { status: row.oneOf('status', DELIVERY_STATUSES), claimed_at: claimedAt, claimedSince: row.date('claimed_at'), subscriber_id: row.int('subscriber_id') };
}

/** `openPage`: an open delivery as requeueing reads it. */
export function openDeliveryFromRow(raw: unknown): { id: number; subscriber_id: number; channel: ChannelId; last_error_class: string | null; status_at: Date | null; hold_until: Date | null } {
  const row = rowOf(raw, TABLE);
  return {
    id: row.int('id'),
    subscriber_id: row.int('subscriber_id'),
    channel: row.oneOf('channel', CHANNEL_IDS),
    last_error_class: row.textOrNull('last_error_class'),
    status_at: row.date('status_at'),
    hold_until: row.date('hold_until'),
  };
}

/** `skipOpen`: a waiting delivery that was skipped (its reach-window booking is given back). */
export function heldDeliveryFromRow(raw: unknown): { subscriber_id: number; channel: ChannelId } {
  const row = rowOf(raw, TABLE);
  return { subscriber_id: row.int('subscriber_id'), channel: row.oneOf('channel', CHANNEL_IDS) };
}

/** `lastSentSince`: a subscriber's latest send on a channel. */
export function lastSentFromRow(raw: unknown): { subscriber_id: number; sent_at: Date | null } {
  const row = rowOf(raw, TABLE);
  return { subscriber_id: row.int('subscriber_id'), sent_at: row.date('sent_at') };
}

/** What a status receipt reads of the row it settles. */
export interface ReceiptRow {
  id: number;
  provider_message_id: string | null;
  announcement_document_id: string;
  subscriber_id: number;
}

export function receiptFromRow(raw: unknown): ReceiptRow {
  const row = rowOf(raw, TABLE);
  return {
    id: row.int('id'),
    provider_message_id: row.textOrNull('provider_message_id'),
    announcement_document_id: row.text('announcement_document_id'),
    subscriber_id: row.int('subscriber_id'),
  };
}

/** `receiptState`: what a failed receipt with a wait reads before deciding (`limited_holds` null stays null: the settle matches it). */
export function receiptStateFromRow(raw: unknown): { status: DeliveryStatus; limited_holds: number | null; provider_message_id: string | null } {
  const row = rowOf(raw, TABLE);
  return { status: row.oneOf('status', DELIVERY_STATUSES), limited_holds: row.intOrNull('limited_holds'), provider_message_id: row.textOrNull('provider_message_id') };
}

/** `select: ['channel']` of the query engine. */
export const deliveryChannelOf = (raw: unknown): ChannelId => rowOf(raw, TABLE).oneOf('channel', CHANNEL_IDS);

/** `receivedMessageIds`: a received message's provider id (selected where not null). */
export const providerMessageIdOf = (raw: unknown): string => rowOf(raw, TABLE).text('provider_message_id');

/** Retention's groups: (announcement, channel, status) of the rows to delete. */
export function retentionGroupFromRow(raw: unknown): { announcement: string; channel: string; status: string } {
  const row = rowOf(raw, TABLE);
  return { announcement: row.text('announcement'), channel: row.text('channel'), status: row.text('status') };
}
