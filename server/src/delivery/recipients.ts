import type { Core } from '@strapi/strapi';
import { OPEN_DELIVERY_STATUSES, UID, type ChannelId, type DeliveryStatus, type Urgency } from '../constants';
import { tableName } from '../database/names';
import { maybeRowOf, rowsOf } from '../database/row';
import { deliveryRecipientFromRow, type DeliveryRecipientRow } from './delivery.rows';
import { reachableRule } from './reachable-recipient';

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

export type { DeliveryRecipientRow } from './delivery.rows';
export { unreachable } from './reachable-recipient';

/** The delivery's columns a send reads; the recipient's are the reachable rule's and the language. */
const DELIVERY_COLUMNS = ['d.id', 'd.subscriber_id', 'd.status', 'd.attempts', 'd.limited_holds', 'd.last_error_class', 'd.status_at', 'd.hold_until'];

/** The delivery part of a recipient row, as the send and its verdicts use it. */
export const deliveryOf = (row: DeliveryRecipientRow, announcementDocumentId: string, channel: ChannelId, urgency: Urgency | null = null): DeliveryRow => ({
  id: row.id,
  announcementDocumentId,
  subscriberId: row.subscriber_id,
  channel,
  status: row.status,
  attempts: row.attempts,
  limitedHolds: row.limited_holds,
  lastErrorCode: null,
  urgency,
});

/** A hold still this far away is not due: the job that meets it early leaves it to the job of its hold. */
const HOLD_TOLERANCE_MS = 1000;
export const heldUntil = (row: { hold_until: Date | null }, nowMs: number) => {
  const until = row.hold_until;
  return until && until.getTime() > nowMs + HOLD_TOLERANCE_MS ? until : null;
};

/** Reads of a delivery with its recipient, in one round trip, right before sending. */
export const recipientReads = (strapi: Core.Strapi) => {
  const joined = () => strapi.db.connection(`${tableName(strapi, UID.delivery)} as d`).leftJoin(`${tableName(strapi, UID.subscriber)} as s`, 's.id', 'd.subscriber_id');
  const columns = [...DELIVERY_COLUMNS, ...reachableRule(strapi).columns('s'), 's.locale'];
  return {
    async one(announcementDocumentId: string, subscriberId: number, channel: ChannelId): Promise<DeliveryRecipientRow | null> {
      return maybeRowOf(await joined().where({ 'd.announcement_document_id': announcementDocumentId, 'd.subscriber_id': subscriberId, 'd.channel': channel }).first(...columns), deliveryRecipientFromRow);
    },
    /** The open deliveries of a batch. */
    async openOf(announcementDocumentId: string, channel: ChannelId, subscriberIds: number[]): Promise<DeliveryRecipientRow[]> {
      return rowsOf(
        await joined()
          .where({ 'd.announcement_document_id': announcementDocumentId, 'd.channel': channel })
          .whereIn('d.subscriber_id', subscriberIds)
          .whereIn('d.status', OPEN_STATUSES)
          .select(...columns),
        deliveryRecipientFromRow
      );
    },
  };
};
