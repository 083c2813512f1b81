import type { Core } from '@strapi/strapi';
import { roundMoney } from './budget-math';
import { inCurrentTransaction } from '../utils/current-transaction';
import { rowsOf } from '../database/row';
import { UID, type ChannelId } from '../constants';
import type { ChannelEvent, ProviderPricing } from '../channels/channel';
import { getService } from '../utils/get-service';
import { deliveriesStore } from '../delivery/deliveries.store';
import type { CategoryCost, CostSummary } from '../../../shared/costs';
import { dayOf, startOfDay } from '../utils/calendar-days';
import { dbTimestamp, HOUR_MS } from '../utils/time';
import { kindOfRef, type KindCost } from '../../../shared/contracts/costs';
import { pricingLedger, type PricedMessage } from './pricing-ledger';
import { costByKind, monthOf, type PricedCount } from './budget-math';
import { pricedGroupFromRow, type PricedGroup } from './budget.rows';

type StatusEvent = Extract<ChannelEvent, { type: 'status' }>;

export type { CategoryCost, CostSummary } from '../../../shared/costs';

/** Money in the rate table's unit, to a hundredth of a cent; sums of many small rates stay exact enough to show. */

/**
 * What WhatsApp costs. Meta bills per delivered template and says so in status webhooks
 * (`pricing`: billable, category); each delivery keeps what Meta said, and the town's rate table
 * turns counts into money. Meta's invoice stays the authority: the rates are the town's copy.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');
  const table = () => strapi.db.metadata.get(UID.delivery).tableName;

  const summarise = (rows: readonly PricedGroup[]): CostSummary => {
    const { currency, ratePerMessage, ratesAsOf, ratesSource } = runtime().config().channels.whatsapp.costs;
    const counts = new Map<string, number>();
    for (const row of rows) {
      if (!row.billable) continue;
      const category = row.category ?? 'unknown';
      counts.set(category, (counts.get(category) ?? 0) + row.count);
    }
    const byCategory = [...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([category, messages]) => {
        const rate = Object.hasOwn(ratePerMessage, category) ? ratePerMessage[category] : null;
        return { category, messages, ratePerMessage: rate, cost: rate === null ? null : roundMoney(messages * rate) };
      });
    return {
      currency,
      billableMessages: byCategory.reduce((sum, entry) => sum + entry.messages, 0),
      cost: roundMoney(byCategory.reduce((sum, entry) => sum + (entry.cost ?? 0), 0)),
      byCategory,
      unpricedMessages: byCategory.filter((entry) => entry.cost === null).reduce((sum, entry) => sum + entry.messages, 0),
      ratesAsOf,
      ratesSource,
    };
  };

  /** Counts of past months, so the overview (polled every minute) does not recount a year of deliveries. */
  const pastMonths = new Map<string, { at: number; counts: PricedCount[] }>();
  /** Billable counts grouped by category, for one broadcast or one period of sending. */
  const grouped = async (filter: { announcementDocumentId?: string; sentFrom?: Date; sentTo?: Date }): Promise<PricedGroup[]> => {
    let query = strapi.db.connection(table()).select('pricing_category as category', 'billable').count({ count: '*' }).where('channel', 'whatsapp').whereNotNull('billable');
    if (filter.announcementDocumentId) query = query.where('announcement_document_id', filter.announcementDocumentId);
    if (filter.sentFrom) query = query.where('sent_at', '>=', dbTimestamp(strapi, filter.sentFrom));
    if (filter.sentTo) query = query.where('sent_at', '<', dbTimestamp(strapi, filter.sentTo));
    // The budget's verdict is asked at Publish, inside the content manager's transaction.
    return rowsOf(await inCurrentTransaction(strapi, query.groupBy('pricing_category', 'billable')), pricedGroupFromRow);
  };

  return {
    /**
     * Keeps Meta's `pricing`: a news message's on its delivery (found by message id, or by our
     * echoed `d:` reference), a one-to-one message's in the pricing ledger under the kind its
     * `m:` reference names. A status without our reference (a message of an older version) that
     * names no delivery is counted in the ledger as `other`. `deliveryMessageIds`: the provider
     * message ids of the batch that name one of our deliveries, as the status receipts found them
     * (`delivery.applyStatuses` answers them), so the deliveries are not read a second time.
     */
    async recordPricing(channelId: ChannelId, events: StatusEvent[], deliveryMessageIds: ReadonlySet<string>) {
      const groups = new Map<string, { pricing: ProviderPricing; providerIds: string[]; deliveryIds: number[] }>();
      const oneToOne: PricedMessage[] = [];
      const unreferenced: StatusEvent[] = [];
      for (const event of events) {
        if (!event.pricing) continue;
        if (event.deliveryRef?.startsWith('m:')) {
          oneToOne.push({ providerMessageId: event.providerMessageId, kind: kindOfRef(event.deliveryRef), pricing: event.pricing, at: event.at });
          continue;
        }
        if (!event.deliveryRef) unreferenced.push(event);
        const key = `${event.pricing.billable}|${event.pricing.category ?? ''}|${event.pricing.model ?? ''}`;
        const group = groups.get(key) ?? { pricing: event.pricing, providerIds: [], deliveryIds: [] };
        group.providerIds.push(event.providerMessageId);
        const ref = event.deliveryRef?.startsWith('d:') ? Number(event.deliveryRef.slice(2)) : NaN;
        if (Number.isInteger(ref)) group.deliveryIds.push(ref);
        groups.set(key, group);
      }
      for (const { pricing, providerIds, deliveryIds } of groups.values()) {
        await deliveriesStore(strapi).recordPricing(channelId, pricing, providerIds, deliveryIds);
      }
      for (const event of unreferenced) {
        if (!deliveryMessageIds.has(event.providerMessageId)) oneToOne.push({ providerMessageId: event.providerMessageId, kind: 'other', pricing: event.pricing!, at: event.at });
      }
      await pricingLedger(strapi).record(channelId, oneToOne);
    },

    /**
     * Before Publish: what `messages` WhatsApp templates of `category` would cost at the town's rate
     * (Meta bills the delivered ones, so this is an upper bound); null when the table has no rate.
     */
    estimate(messages: number, category: string) {
      const { currency, ratePerMessage, ratesAsOf, ratesSource } = runtime().config().channels.whatsapp.costs;
      const rate = Object.hasOwn(ratePerMessage, category) ? ratePerMessage[category] : null;
      return { currency, category, messages, ratePerMessage: rate, cost: rate === null ? null : roundMoney(messages * rate), ratesAsOf, ratesSource };
    },

    async forBroadcast(announcementDocumentId: string): Promise<CostSummary> {
      return summarise(await grouped({ announcementDocumentId }));
    },

    /**
     * Every WhatsApp message Meta priced in [from, to), by kind: news from the delivery rows (by
     * their send time), one-to-one messages from the pricing ledger (by Meta's time).
     */
    async pricedCounts(from: Date, to: Date): Promise<PricedCount[]> {
      const news = await grouped({ sentFrom: from, sentTo: to });
      return [
        ...news.map((row) => ({ kind: 'news' as const, ...row })),
        ...(await pricingLedger(strapi).counts('whatsapp', from, to)),
      ];
    },

    /** The month's boundaries in the town's time zone, `offset` months from the one `now` is in. */
    monthRange(now: Date, offset = 0) {
      const zone = runtime().config().stats.timeZone;
      const month = monthOf(dayOf(now, zone), offset);
      return { month, from: startOfDay(`${month}-01`, zone), to: startOfDay(`${monthOf(`${month}-01`, 1)}-01`, zone) };
    },

    /** Cost per kind at the town's rates, for counts from `pricedCounts`. */
    byKind(counts: PricedCount[]): { byKind: KindCost[]; spent: number } {
      return costByKind(counts, runtime().config().channels.whatsapp.costs.ratePerMessage);
    },

    /** Cost per calendar month (the town's time zone) of messages sent in it, the current month last. */
    async perMonth(months = 12, now = new Date()): Promise<Array<{ month: string; byKind: KindCost[] } & CostSummary>> {
      const result = [];
      for (let offset = -(months - 1); offset <= 0; offset += 1) {
        const { month, from, to } = this.monthRange(now, offset);
        // A past month's rows only gain pricing from late webhooks (Meta redelivers up to 7 days),
        // so its counts are kept for an hour; the current month is counted at every call.
        const cached = offset < 0 ? pastMonths.get(month) : undefined;
        const counts = cached && Date.now() - cached.at < HOUR_MS ? cached.counts : await this.pricedCounts(from, to);
        if (offset < 0 && counts !== cached?.counts) pastMonths.set(month, { at: Date.now(), counts });
        result.push({ month, ...summarise(counts), byKind: this.byKind(counts).byKind });
      }
      return result;
    },
  };
};
