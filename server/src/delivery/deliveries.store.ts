import { randomBytes } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { OPEN_DELIVERY_STATUSES, RECEIVED_DELIVERY_STATUSES, UID, type ChannelId, type DeliveryStatus } from '../constants';
import { tableName } from '../database/names';
import { dbTimestamp } from '../utils/time';
import { retryTransient } from '../utils/transient-db';
import { OPEN_STATUSES } from './recipients';
import { changedCount, maybeRowOf, rowsOf } from '../database/row';
import { claimFromRow, deliveryChannelOf, heldDeliveryFromRow, lastSentFromRow, openDeliveryFromRow, providerMessageIdOf, type StoredStamp } from './delivery.rows';
import { groupedWrites, type ClaimStamp, type SentRecord } from './deliveries.store.groups';
import { receiptWrites } from './deliveries.store.receipts';
import { retentionWrites } from './deliveries.store.retention';

export type { ReceiptRow } from './deliveries.store.receipts';

/**
 * The delivery table's one writer (docs/architecture.md, "Who writes which table"). Fan-out's
 * insert, claims, send outcomes, status receipts, pricing, erasure and retention all write
 * delivery rows through the functions here; tests/unit/delivery-table-owner.test.ts fails if any
 * other file does. Raw knex on the hot path: the query engine's update reads the row back, which
 * doubled the cost of every message. Columns are the content type's attributes in snake_case.
 * Status receipts and pricing are in ./deliveries.store.receipts.ts, erasure and retention in
 * ./deliveries.store.retention.ts, the grouped claims and sent outcomes of the send path in
 * ./deliveries.store.groups.ts: parts of this store, composed below.
 */

export interface DeliveryUpdate {
  status?: DeliveryStatus;
  providerMessageId?: string;
  attempts?: number;
  limitedHolds?: number;
  lastErrorCode?: string | null;
  lastErrorClass?: string | null;
  sentAt?: Date;
  statusAt?: Date;
  /** Until when a waiting delivery is held; every requeue honours it. */
  holdUntil?: Date | null;
}

/** `open`: only while the delivery is still open; `open-unclaimed`: and no send elsewhere holds its claim. */
export type UpdateGuard = 'any' | 'open' | 'open-unclaimed';

export type { ClaimStamp, SentRecord } from './deliveries.store.groups';

/** One new delivery row as fan-out creates it. */
export interface NewDelivery {
  announcementDocumentId: string;
  subscriberId: number;
  channel: ChannelId;
  status: 'pending' | 'skipped';
}

/** A claim older than this is no send in flight any more (HTTP timeouts are seconds): a cancel may skip its row. */
const IN_FLIGHT_MAX_MS = 5 * 60_000;
/** SQLite turns a multi-row insert into one compound SELECT, capped at 500 terms. */
const INSERT_CHUNK = 200;

const createStore = (strapi: Core.Strapi) => {
  const table = () => tableName(strapi, UID.delivery);
  const knex = () => strapi.db.connection;

  const { reachableOf, claims, sentRecords } = groupedWrites(strapi);

  const update = async (id: number, data: DeliveryUpdate, guard: UpdateGuard = 'any') => {
    const row: Record<string, unknown> = {};
    if (data.status !== undefined) row.status = data.status;
    if (data.providerMessageId !== undefined) row.provider_message_id = data.providerMessageId;
    if (data.attempts !== undefined) row.attempts = data.attempts;
    if (data.limitedHolds !== undefined) row.limited_holds = data.limitedHolds;
    if (data.lastErrorCode !== undefined) row.last_error_code = data.lastErrorCode;
    if (data.lastErrorClass !== undefined) row.last_error_class = data.lastErrorClass;
    if (data.sentAt) row.sent_at = dbTimestamp(strapi, data.sentAt);
    if (data.statusAt) row.status_at = dbTimestamp(strapi, data.statusAt);
    if (data.holdUntil !== undefined) row.hold_until = data.holdUntil ? dbTimestamp(strapi, data.holdUntil) : null;
    // Every outcome (sent, failed, waiting, skipped) ends the send in flight.
    if (data.status !== undefined) row.claimed_at = null;
    const query = knex()(table()).where('id', id);
    if (guard !== 'any') query.whereIn('status', OPEN_STATUSES);
    // A row claimed by a send in flight elsewhere is that send's to settle.
    if (guard === 'open-unclaimed') query.whereNull('claimed_at');
    return query.update(row);
  };

  return {
    reachableOf,

    // ——— Fan-out ———

    /** New delivery rows; a row that is already there (fan-out run twice) is left as it is. */
    async insertMany(rows: NewDelivery[]) {
      const stamp = dbTimestamp(strapi);
      const values = rows.map((row) => ({
        document_id: randomBytes(12).toString('hex'),
        announcement_document_id: row.announcementDocumentId,
        subscriber_id: row.subscriberId,
        channel: row.channel,
        status: row.status,
        attempts: 0,
        limited_holds: 0,
        created_at: stamp,
        updated_at: stamp,
        published_at: stamp,
      }));
      for (let start = 0; start < values.length; start += INSERT_CHUNK) {
        await knex()(table())
          .insert(values.slice(start, start + INSERT_CHUNK))
          .onConflict(['announcement_document_id', 'subscriber_id', 'channel'])
          .ignore();
      }
    },

    // ——— The send: claims and outcomes ———

    /** Claims the row for one send if it is open, unclaimed and its recipient reachable; answers the claim's stamp. */
    claim: (id: number, subscriberId: number) => claims.submit({ id, subscriberId }),

    /** The row's claim as it is now. */
    async claimOf(id: number) {
      return maybeRowOf(await knex()(table()).where('id', id).first('status', 'claimed_at', 'subscriber_id'), claimFromRow);
    },

    /** Takes over the claim `claimedAt` (a send whose wait for its status is over); null if someone else moved first. */
    async takeOverClaim(id: number, claimedAt: StoredStamp): Promise<ClaimStamp | null> {
      const takeOver = dbTimestamp(strapi, new Date());
      const taken = await knex()(table()).where('id', id).whereIn('status', OPEN_STATUSES).where('claimed_at', claimedAt).update({ claimed_at: takeOver, hold_until: null });
      return taken ? takeOver : null;
    },

    /** The provider took the message (grouped with the other sends in flight). */
    recordSent: (sent: SentRecord) => sentRecords.submit(sent),

    update,
    /** An outcome write: a transient database error is tried again, not taken for the send's failure. */
    record: (id: number, data: DeliveryUpdate, guard: UpdateGuard = 'any') => retryTransient(() => update(id, data, guard)),

    /**
     * Parks or skips rows of a batch with one write. A row claimed by a send in flight elsewhere
     * keeps its claim (and with it the wait for that send's status); the claim protocol settles it later.
     */
    settle: (ids: number[], status: DeliveryStatus) => knex()(table()).whereIn('id', ids).whereIn('status', OPEN_STATUSES).whereNull('claimed_at').update({ status }),

    // ——— Commands: cancel, retry, requeue ———

    /**
     * Skips every open delivery (of one channel, or all), so the rows add up. A send in flight
     * keeps its row: its own outcome says whether the message went out. Answers the rows that
     * were waiting (their reach-window bookings are given back by the caller).
     */
    async skipOpen(announcementDocumentId: string, channel?: ChannelId) {
      const inFlightSince = dbTimestamp(strapi, new Date(Date.now() - IN_FLIGHT_MAX_MS));
      const open = () => {
        const query = knex()(table())
          .where('announcement_document_id', announcementDocumentId)
          .whereIn('status', OPEN_DELIVERY_STATUSES)
          .where((unclaimed) => unclaimed.whereNull('claimed_at').orWhere('claimed_at', '<', inFlightSince as never));
        return channel ? query.where('channel', channel) : query;
      };
      const held = rowsOf(await open().clone().select('subscriber_id', 'channel').where('status', 'waiting'), heldDeliveryFromRow);
      await open().update({ status: 'skipped', claimed_at: null, hold_until: null });
      return held;
    },

    /** Failed deliveries whose recipient is still reachable go back to `pending`. */
    async reopenFailed(announcementDocumentId: string): Promise<{ count: number; channels: ChannelId[] }> {
      const where = { announcementDocumentId, status: 'failed', lastErrorClass: { $ne: 'permanent-recipient' } };
      const rows = strapi.db.query(UID.delivery);
      const channels = [...new Set(rowsOf(await rows.findMany({ where, select: ['channel'] }), deliveryChannelOf))];
      const count = changedCount(await rows.updateMany({ where, data: { status: 'pending', lastErrorCode: null, lastErrorClass: null } })) ?? 0;
      return { count, channels };
    },

    /** A page of an announcement's open deliveries (after id `cursor`), for requeueing. */
    async openPage(announcementDocumentId: string, channels: ChannelId[] | undefined, cursor: number, limit: number) {
      const query = knex()(table())
        .select('id', 'subscriber_id', 'channel', 'last_error_class', 'status_at', 'hold_until')
        .where('announcement_document_id', announcementDocumentId)
        .whereIn('status', OPEN_DELIVERY_STATUSES)
        .where('id', '>', cursor)
        .orderBy('id')
        .limit(limit);
      if (channels) query.whereIn('channel', channels);
      return rowsOf(await query, openDeliveryFromRow);
    },

    /** The Message-IDs of earlier mails of `documentIds` this subscriber received, oldest first. */
    async receivedMessageIds(documentIds: string[], subscriberId: number): Promise<string[]> {
      const rows = await knex()(table())
        .select('provider_message_id')
        .whereIn('announcement_document_id', documentIds)
        // A subscriber row is one channel's: the e-mail Message-IDs of a citizen, the posts of an account channel's account.
        .where({ subscriber_id: subscriberId })
        .whereIn('status', [...RECEIVED_DELIVERY_STATUSES])
        .whereNotNull('provider_message_id')
        .orderBy('sent_at', 'asc')
        .orderBy('id', 'asc');
      return rowsOf(rows, providerMessageIdOf);
    },

    /** Who was sent to on `channel` since `since`, with their latest send. */
    async lastSentSince(channel: ChannelId, since: Date) {
      return rowsOf(
        await knex()(table())
          .select('subscriber_id')
          .max({ sent_at: 'sent_at' })
          .where('channel', channel)
          .where('sent_at', '>=', dbTimestamp(strapi, since))
          .groupBy('subscriber_id'),
        lastSentFromRow
      );
    },

    ...receiptWrites(strapi),
    ...retentionWrites(strapi),
  };
};

export type DeliveriesStore = ReturnType<typeof createStore>;

const stores = new WeakMap<Core.Strapi, DeliveriesStore>();

/** The store of this Strapi instance (one, so its group commits gather every send in flight). */
export function deliveriesStore(strapi: Core.Strapi): DeliveriesStore {
  let store = stores.get(strapi);
  if (!store) stores.set(strapi, (store = createStore(strapi)));
  return store;
}

