import type { Core } from '@strapi/strapi';
import { DELIVERY_STATUS_RANK, PLUGIN_ID, type ChannelId } from '../constants';
import type { ChannelEvent, ClassifiedError } from '../channels/channel';
import { getService } from '../utils/get-service';
import { verdict } from '../dispatch/policy';
import { deliveriesStore, type ReceiptRow } from './deliveries.store';
import type { DeliveryRow } from './recipients';
import { deliveryScheduler } from './scheduler';
import { markRecipient } from './send-outcome';

type StatusEvent = Extract<ChannelEvent, { type: 'status' }>;

/** Status receipts: the provider's webhooks saying a message was delivered, read or failed. */
export const statusReceipts = (strapi: Core.Strapi) => {
  const store = () => deliveriesStore(strapi);
  const dispatch = () => getService(strapi, 'dispatch');
  const scheduler = deliveryScheduler(strapi);

  /**
   * A failure with a limited wait (Meta's marketing cap, 131049) that the provider reported in a
   * status webhook after accepting the send: the same verdict as in the send's answer. The
   * delivery waits and a fresh delayed job sends it again, counted on `limitedHolds`; once the
   * waits are used up it ends with the limit's code. Only the report of the send on record
   * counts (the row is `sent`, or `pending` with the send still unanswered), so Meta resending
   * the webhook, or an old report arriving after the next send, changes nothing.
   */
  const holdAfterFailedStatus = async (channelId: ChannelId, row: Omit<ReceiptRow, 'provider_message_id'>, providerMessageId: string, error: ClassifiedError, at: Date) => {
    const current = await store().receiptState(row.id);
    if (!current || !['pending', 'sent'].includes(current.status)) return false;
    if (current.provider_message_id && current.provider_message_id !== providerMessageId) return false;
    const limitedHolds = Number(current.limited_holds ?? 0);
    const decided = verdict(error, 0, 1, 0, limitedHolds);
    const facts = { code: error.code, errorClass: error.errorClass, at, ...(current.provider_message_id ? {} : { providerMessageId }) };
    if (decided.kind === 'hold') {
      if (!(await store().settleReceipt(row.id, current, { ...facts, status: 'waiting', limitedHolds: limitedHolds + 1, holdUntil: new Date(decided.untilMs) }))) return false;
      const delivery: DeliveryRow = { id: row.id, announcementDocumentId: row.announcement_document_id, subscriberId: row.subscriber_id, channel: channelId, status: 'waiting', attempts: 0, lastErrorCode: error.code };
      await dispatch().reopenedForWait(row.announcement_document_id, channelId, new Date(decided.untilMs));
      await scheduler.retryAt(delivery, decided.untilMs);
      strapi.log.info(`[${PLUGIN_ID}] delivery ${row.id} on ${channelId}: ${error.code} reported later; waiting until ${new Date(decided.untilMs).toISOString()}`);
      return true;
    }
    const failed = decided.kind === 'failed' ? decided : undefined;
    const changed = await store().settleReceipt(row.id, current, {
      ...facts,
      ...(failed?.code ? { code: failed.code } : {}),
      ...(failed?.errorClass ? { errorClass: failed.errorClass } : {}),
      status: 'failed',
    });
    if (changed && failed) await markRecipient(strapi, row.subscriber_id, failed.recipientEffect, channelId);
    return Boolean(changed);
  };

  return {
    holdAfterFailedStatus,

    /**
     * Applies a batch of provider status webhooks with a handful of set-based queries, so a
     * 1,000-status webhook does not hold the event loop. Idempotent and monotonic: each UPDATE
     * only matches rows whose stored status ranks below the new one, so duplicates and late
     * arrivals are no-ops. Answers the provider message ids that named one of our deliveries (by
     * message id or by our echoed reference): costs' pricing needs them and need not read them again.
     */
    async applyStatuses(channelId: ChannelId, events: StatusEvent[]): Promise<Set<string>> {
      if (!events.length) return new Set();
      const byProviderId = new Map<string, ReceiptRow>();
      const byId = new Map<number, ReceiptRow>();
      const providerIds = [...new Set(events.map((event) => event.providerMessageId))];
      for (let i = 0; i < providerIds.length; i += 500) {
        for (const row of await store().byProviderIds(channelId, providerIds.slice(i, i + 500))) if (row.provider_message_id) byProviderId.set(row.provider_message_id, row);
      }
      // A send that timed out has no provider id yet; the echoed delivery reference finds it.
      const refIds = events
        .filter((event) => !byProviderId.has(event.providerMessageId) && event.deliveryRef?.startsWith('d:'))
        .map((event) => Number(event.deliveryRef!.slice(2)))
        .filter(Number.isInteger);
      if (refIds.length) for (const row of await store().byIds(channelId, refIds)) byId.set(row.id, row);

      const touched = new Set<string>();
      const ours = new Set<string>();
      // Oldest first, so a batch holding `sent` and `read` for one message ends on `read`.
      for (const event of [...events].sort((a, b) => a.at.getTime() - b.at.getTime())) {
        const row = byProviderId.get(event.providerMessageId) ?? (event.deliveryRef ? byId.get(Number(event.deliveryRef.slice(2))) : undefined);
        if (!row) continue;
        ours.add(event.providerMessageId);
        if (event.status === 'failed' && event.error?.holdLimit) {
          if (await holdAfterFailedStatus(channelId, row, event.providerMessageId, event.error, event.at)) touched.add(row.announcement_document_id);
          continue;
        }
        const lower = (Object.keys(DELIVERY_STATUS_RANK) as Array<keyof typeof DELIVERY_STATUS_RANK>).filter((status) => DELIVERY_STATUS_RANK[status] < DELIVERY_STATUS_RANK[event.status]);
        const changed = await store().applyReceipt(row.id, lower, {
          status: event.status,
          at: event.at,
          ...(row.provider_message_id ? {} : { providerMessageId: event.providerMessageId }),
          ...(event.error ? { error: event.error } : {}),
        });
        if (changed) {
          touched.add(row.announcement_document_id);
          if (event.status === 'failed' && event.error) await markRecipient(strapi, row.subscriber_id, event.error.recipientEffect, channelId);
        }
      }
      for (const documentId of touched) dispatch().scheduleCounterRefresh(documentId);
      return ours;
    },
  };
};
