import type { Core } from '@strapi/strapi';
import { UID, type ChannelId } from '../constants';
import type { ChannelEvent, ProviderPricing } from '../channels/channel';
import { getService } from '../utils/get-service';
import { deliveriesStore } from '../delivery/deliveries.store';
import type { CategoryCost, CostSummary } from '../../../shared/costs';
import { dayOf, startOfDay } from '../utils/calendar-days';
import { dbTimestamp, HOUR_MS } from '../utils/time';

type StatusEvent = Extract<ChannelEvent, { type: 'status' }>;

export type { CategoryCost, CostSummary } from '../../../shared/costs';

/** Money in the rate table's unit, to a hundredth of a cent; sums of many small rates stay exact enough to show. */
const round = (value: number) => Math.round(value * 10_000) / 10_000;

/**
 * What WhatsApp costs. Meta bills per delivered template and says so in status webhooks
 * (`pricing`: billable, category); each delivery keeps what Meta said, and the town's rate table
 * turns counts into money. Meta's invoice stays the authority: the rates are the town's copy.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');
  const table = () => strapi.db.metadata.get(UID.delivery).tableName;

  const summarise = (rows: Array<{ category: string | null; billable: unknown; count: unknown }>): CostSummary => {
    const { currency, ratePerMessage, ratesAsOf, ratesSource } = runtime().config().channels.whatsapp.costs;
    const counts = new Map<string, number>();
    for (const row of rows) {
      // SQLite answers booleans as 0/1, PostgreSQL as true/false.
      if (!row.billable || row.billable === '0') continue;
      const category = row.category ?? 'unknown';
      counts.set(category, (counts.get(category) ?? 0) + Number(row.count));
    }
    const byCategory = [...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([category, messages]) => {
        const rate = Object.hasOwn(ratePerMessage, category) ? ratePerMessage[category] : null;
        return { category, messages, ratePerMessage: rate, cost: rate === null ? null : round(messages * rate) };
      });
    return {
      currency,
      billableMessages: byCategory.reduce((sum, entry) => sum + entry.messages, 0),
      cost: round(byCategory.reduce((sum, entry) => sum + (entry.cost ?? 0), 0)),
      byCategory,
      unpricedMessages: byCategory.filter((entry) => entry.cost === null).reduce((sum, entry) => sum + entry.messages, 0),
      ratesAsOf,
      ratesSource,
    };
  };

  type GroupedRow = { category: string | null; billable: unknown; count: unknown };
  /** Counts of past months, so the overview (polled every minute) does not recount a year of deliveries. */
  const pastMonths = new Map<string, { at: number; rows: GroupedRow[] }>();
  /** Billable counts grouped by category, for one broadcast or one period of sending. */
  const grouped = (filter: { announcementDocumentId?: string; sentFrom?: Date; sentTo?: Date }): Promise<GroupedRow[]> => {
    let query = strapi.db.connection(table()).select('pricing_category as category', 'billable').count({ count: '*' }).where('channel', 'whatsapp').whereNotNull('billable');
    if (filter.announcementDocumentId) query = query.where('announcement_document_id', filter.announcementDocumentId);
    if (filter.sentFrom) query = query.where('sent_at', '>=', dbTimestamp(strapi, filter.sentFrom));
    if (filter.sentTo) query = query.where('sent_at', '<', dbTimestamp(strapi, filter.sentTo));
    return query.groupBy('pricing_category', 'billable') as unknown as Promise<GroupedRow[]>;
  };

  return {
    /** Keeps Meta's `pricing` on the delivery it belongs to (found by message id, or by our echoed reference). */
    async recordPricing(channelId: ChannelId, events: StatusEvent[]) {
      const groups = new Map<string, { pricing: ProviderPricing; providerIds: string[]; deliveryIds: number[] }>();
      for (const event of events) {
        if (!event.pricing) continue;
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
    },

    /**
     * Before Publish: what `messages` WhatsApp templates of `category` would cost at the town's rate
     * (Meta bills the delivered ones, so this is an upper bound); null when the table has no rate.
     */
    estimate(messages: number, category: string) {
      const { currency, ratePerMessage, ratesAsOf, ratesSource } = runtime().config().channels.whatsapp.costs;
      const rate = Object.hasOwn(ratePerMessage, category) ? ratePerMessage[category] : null;
      return { currency, category, messages, ratePerMessage: rate, cost: rate === null ? null : round(messages * rate), ratesAsOf, ratesSource };
    },

    async forBroadcast(announcementDocumentId: string): Promise<CostSummary> {
      return summarise(await grouped({ announcementDocumentId }));
    },

    /** Cost per calendar month (the town's time zone) of messages sent in it, the current month last. */
    async perMonth(months = 12, now = new Date()): Promise<Array<{ month: string } & CostSummary>> {
      const zone = runtime().config().stats.timeZone;
      const [year, month] = dayOf(now, zone).split('-').map(Number);
      const monthAt = (offset: number) => {
        const index = year * 12 + (month - 1) + offset;
        return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
      };
      const result = [];
      for (let offset = -(months - 1); offset <= 0; offset += 1) {
        const month = monthAt(offset);
        // A past month's rows only gain pricing from late webhooks (Meta redelivers up to 7 days),
        // so its counts are kept for an hour; the current month is counted at every call.
        const cached = offset < 0 ? pastMonths.get(month) : undefined;
        if (cached && Date.now() - cached.at < HOUR_MS) {
          result.push({ month, ...summarise(cached.rows) });
          continue;
        }
        const rows = await grouped({ sentFrom: startOfDay(`${month}-01`, zone), sentTo: startOfDay(`${monthAt(offset + 1)}-01`, zone) });
        if (offset < 0) pastMonths.set(month, { at: Date.now(), rows });
        result.push({ month, ...summarise(rows) });
      }
      return result;
    },
  };
};
