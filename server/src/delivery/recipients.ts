import type { Core } from '@strapi/strapi';
import { knownUnreachable } from '../subscribers/recipient-rule';
import { OPEN_DELIVERY_STATUSES, UID, type ChannelId, type DeliveryStatus, type Urgency } from '../constants';
import { tableName } from '../database/names';
import { toDate } from '../utils/time';

export interface DeliveryRow {
  id: number;
  announcementDocumentId: string;
  subscriberId: number;
  channel: ChannelId;
  status: DeliveryStatus;
  attempts: number;
  /** Waits under an error's hold limit so far (Meta's marketing cap). */
  limitedHolds?: number;
  lastErrorCode: string | null;
  urgency?: Urgency | null;
  /** Sent with a template of the citizen's language (`templates.byLanguage`), not the main one. */
  languageTemplate?: boolean;
}

export const OPEN_STATUSES: readonly string[] = OPEN_DELIVERY_STATUSES;

/**
 * `lastErrorClass` of a delivery whose send may have gone out (timeout after the request left).
 * Whoever re-enqueues it (resume, the reconciler after Redis lost its jobs) must keep the wait.
 */
export const AMBIGUOUS_CLASS = 'ambiguous';

/** A delivery and its recipient, read together right before sending. */
export interface RecipientRow {
  id: number;
  subscriber_id: number;
  status: DeliveryStatus;
  attempts: number | null;
  limited_holds: number | null;
  last_error_class?: string | null;
  status_at?: unknown;
  hold_until?: unknown;
  subscriber_status: string | null;
  address: string | null;
  locale: string | null;
  marketing_stopped_at: unknown;
  undeliverable_at: unknown;
}

const RECIPIENT_COLUMNS = [
  'd.id',
  'd.subscriber_id',
  'd.status',
  'd.attempts',
  'd.limited_holds',
  'd.last_error_class',
  'd.status_at',
  'd.hold_until',
  's.status as subscriber_status',
  's.address',
  's.locale',
  's.marketing_stopped_at',
  's.undeliverable_at',
];

/** The delivery part of a recipient row, as the send and its verdicts use it. */
export const deliveryOf = (row: RecipientRow, announcementDocumentId: string, channel: ChannelId, urgency: Urgency | null = null): DeliveryRow => ({
  id: row.id,
  announcementDocumentId,
  subscriberId: Number(row.subscriber_id),
  channel,
  status: row.status,
  attempts: Number(row.attempts ?? 0),
  limitedHolds: Number(row.limited_holds ?? 0),
  lastErrorCode: null,
  urgency,
});

/** Someone the news cannot reach any more: left, no address, or known unreachable on this channel. */
export const unreachable = (row: Pick<RecipientRow, 'subscriber_status' | 'address' | 'marketing_stopped_at' | 'undeliverable_at'>) =>
  row.subscriber_status !== 'active' || !row.address || knownUnreachable(row);

/** A hold still this far away is not due: the job that meets it early leaves it to the job of its hold. */
const HOLD_TOLERANCE_MS = 1000;
export const heldUntil = (row: { hold_until?: unknown }, nowMs: number) => {
  const until = toDate(row.hold_until);
  return until && until.getTime() > nowMs + HOLD_TOLERANCE_MS ? until : null;
};

/** Reads of a delivery with its recipient, in one round trip, right before sending. */
export const recipientReads = (strapi: Core.Strapi) => {
  const joined = () => strapi.db.connection(`${tableName(strapi, UID.delivery)} as d`).leftJoin(`${tableName(strapi, UID.subscriber)} as s`, 's.id', 'd.subscriber_id');
  return {
    async one(announcementDocumentId: string, subscriberId: number, channel: ChannelId): Promise<RecipientRow | undefined> {
      return (await joined()
        .where({ 'd.announcement_document_id': announcementDocumentId, 'd.subscriber_id': subscriberId, 'd.channel': channel })
        .first(...RECIPIENT_COLUMNS)) as RecipientRow | undefined;
    },
    /** The open deliveries of a batch. */
    async openOf(announcementDocumentId: string, channel: ChannelId, subscriberIds: number[]): Promise<RecipientRow[]> {
      return (await joined()
        .where({ 'd.announcement_document_id': announcementDocumentId, 'd.channel': channel })
        .whereIn('d.subscriber_id', subscriberIds)
        .whereIn('d.status', OPEN_STATUSES)
        .select(...RECIPIENT_COLUMNS)) as RecipientRow[];
    },
  };
};
