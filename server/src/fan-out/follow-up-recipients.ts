import type { Core } from '@strapi/strapi';
import { inCurrentTransaction } from '../utils/current-transaction';
import { RECEIVED_DELIVERY_STATUSES, UID, type ChannelId } from '../constants';

/** One fan-out page row, as `nextSubscribers` answers it. */
export interface RecipientRow {
  id: number;
  marketing_stopped_at: unknown;
  undeliverable_at: unknown;
}

export type SubscriberPage = (channel: ChannelId, afterId: number, limit: number) => Promise<RecipientRow[]>;

/**
 * Who gets a follow-up (an update or all-clear) on one channel: exactly the subscriber rows
 * that received the thread so far (its original, and earlier follow-ups of it) on that channel,
 * still active and not erased. A subscriber row is one citizen on one channel, so "the same
 * channel each" is the row itself: a citizen who left WhatsApp and signed up by e-mail since is
 * a withdrawn row (skipped) and a new row (only with `includeNew`); one who added a channel gets
 * the follow-up once, where they got the original. Paged by subscriber id like the ordinary
 * selection, so fan-out treats both alike.
 */
export function followUpRecipients(
  strapi: Core.Strapi,
  thread: { documentIds: string[]; includeNew: boolean; newSubscribers: SubscriberPage }
): SubscriberPage {
  const knex = () => strapi.db.connection;
  const meta = (uid: string) => strapi.db.metadata.get(uid);

  const received: SubscriberPage = async (channel, afterId, limit) => {
    const subscribers = meta(UID.subscriber).tableName;
    const deliveries = meta(UID.delivery).tableName;
    return (await knex()(`${subscribers} as s`)
      .select('s.id', 's.marketing_stopped_at', 's.undeliverable_at')
      .where('s.status', 'active')
      .whereNull('s.erased_at')
      .where('s.channel', channel)
      .where('s.id', '>', afterId)
      .whereExists(
        knex()(`${deliveries} as d`)
          .select(knex().raw('1'))
          .whereRaw('d.subscriber_id = s.id')
          .whereIn('d.announcement_document_id', thread.documentIds)
          .where('d.channel', channel)
          .whereIn('d.status', [...RECEIVED_DELIVERY_STATUSES])
      )
      .orderBy('s.id', 'asc')
      .limit(limit)) as RecipientRow[];
  };

  if (!thread.includeNew) return received;

  // Both sources are ordered by id: the first `limit` ids of their union are among the first
  // `limit` of each, so merging two pages keeps the cursor exact.
  return async (channel, afterId, limit) => {
    const [original, fresh] = await Promise.all([received(channel, afterId, limit), thread.newSubscribers(channel, afterId, limit)]);
    const byId = new Map<number, RecipientRow>();
    for (const row of [...original, ...fresh]) byId.set(row.id, row);
    return [...byId.values()].sort((a, b) => a.id - b.id).slice(0, limit);
  };
}

/**
 * How many subscriber rows a follow-up of this thread reaches without new subscribers, per
 * channel: the side panel's "goes to the 212 citizens who received it". Same filter as above.
 */
export async function countFollowUpRecipients(strapi: Core.Strapi, documentIds: string[]): Promise<Record<string, number>> {
  const knex = strapi.db.connection;
  const subscribers = strapi.db.metadata.get(UID.subscriber).tableName;
  const deliveries = strapi.db.metadata.get(UID.delivery).tableName;
  // Asked at publish by four-eyes approval, inside the content manager's transaction.
  const rows = (await inCurrentTransaction(strapi, knex(`${subscribers} as s`)
    .select('s.channel')
    .count({ n: 's.id' })
    .where('s.status', 'active')
    .whereNull('s.erased_at')
    .whereExists(
      knex(`${deliveries} as d`)
        .select(knex.raw('1'))
        .whereRaw('d.subscriber_id = s.id')
        .whereRaw('d.channel = s.channel')
        .whereIn('d.announcement_document_id', documentIds)
        .whereIn('d.status', [...RECEIVED_DELIVERY_STATUSES])
    )
    .groupBy('s.channel'))) as Array<{ channel: string; n: unknown }>;
  return Object.fromEntries(rows.map((row) => [row.channel, Number(row.n) || 0]));
}
