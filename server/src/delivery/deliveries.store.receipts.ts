import type { Core } from '@strapi/strapi';
import { UID, type ChannelId, type DeliveryStatus } from '../constants';
import type { ProviderPricing } from '../channels/channel';
import { tableName } from '../database/names';
import { dbTimestamp } from '../utils/time';

import { rowsOf } from '../database/row';
import { receiptFromRow, receiptStateFromRow, type ReceiptRow } from './delivery.rows';

export type { ReceiptRow } from './delivery.rows';

/** The deliveries store's writes for status receipts and pricing (webhooks); see ./deliveries.store.ts. */
export const receiptWrites = (strapi: Core.Strapi) => {
  const table = () => tableName(strapi, UID.delivery);
  const knex = () => strapi.db.connection;
  return {
    /** The rows a batch of receipts names, by the provider's message id. */
    async byProviderIds(channel: ChannelId, providerIds: string[]): Promise<ReceiptRow[]> {
      return rowsOf(await knex()(table()).select('id', 'provider_message_id', 'announcement_document_id', 'subscriber_id').where('channel', channel).whereIn('provider_message_id', providerIds), receiptFromRow);
    },
    /** The rows a batch of receipts names by our echoed reference (a send that timed out has no provider id yet). */
    async byIds(channel: ChannelId, ids: number[]): Promise<ReceiptRow[]> {
      return rowsOf(await knex()(table()).select('id', 'provider_message_id', 'announcement_document_id', 'subscriber_id').where('channel', channel).whereIn('id', ids), receiptFromRow);
    },

    /** A receipt's status, only over a lower one (idempotent and monotonic). Answers the rows changed. */
    async applyReceipt(id: number, lowerStatuses: string[], receipt: { status: DeliveryStatus; at: Date; providerMessageId?: string; error?: { code: string; errorClass: string } }) {
      const data: Record<string, unknown> = { status: receipt.status, status_at: dbTimestamp(strapi, receipt.at) };
      if (receipt.providerMessageId) data.provider_message_id = receipt.providerMessageId;
      if (receipt.error) {
        data.last_error_code = receipt.error.code;
        data.last_error_class = receipt.error.errorClass;
      }
      return knex()(table()).where('id', id).whereIn('status', lowerStatuses).update(data);
    },

    /** What a failed receipt with a wait reads before deciding. */
    async receiptState(id: number) {
      const row = await knex()(table()).where('id', id).first('status', 'limited_holds', 'provider_message_id');
      return row === undefined ? undefined : receiptStateFromRow(row);
    },

    /**
     * A failed receipt's outcome, only if the row is still as `current` was read (status and
     * limited holds), so a resent webhook or a report of an older send changes nothing.
     */
    async settleReceipt(
      id: number,
      current: { status: DeliveryStatus; limited_holds: number | null },
      outcome: { status: 'waiting' | 'failed'; code: string; errorClass: string; at: Date; providerMessageId?: string; limitedHolds?: number; holdUntil?: Date }
    ) {
      const data: Record<string, unknown> = { status: outcome.status, last_error_code: outcome.code, last_error_class: outcome.errorClass, status_at: dbTimestamp(strapi, outcome.at), claimed_at: null };
      if (outcome.providerMessageId) data.provider_message_id = outcome.providerMessageId;
      if (outcome.limitedHolds !== undefined) data.limited_holds = outcome.limitedHolds;
      if (outcome.holdUntil) data.hold_until = dbTimestamp(strapi, outcome.holdUntil);
      const query = knex()(table()).where('id', id).where('status', current.status);
      return (current.limited_holds === null ? query.whereNull('limited_holds') : query.where('limited_holds', current.limited_holds)).update(data);
    },

    /** Meta's `pricing` on the deliveries it belongs to (found by message id, or by our echoed reference). */
    async recordPricing(channel: ChannelId, pricing: ProviderPricing, providerIds: string[], deliveryIds: number[]) {
      await strapi.db.query(UID.delivery).updateMany({
        where: { channel, $or: [{ providerMessageId: { $in: providerIds } }, { id: { $in: deliveryIds } }] },
        data: { billable: pricing.billable, pricingCategory: pricing.category ?? null, pricingModel: pricing.model ?? null },
      });
    },

  };
};
