import type { Core } from '@strapi/strapi';
import type { ChannelId } from '../constants';
import { recipientRule, type RecipientRow } from '../subscribers/recipient-rule';
import { inCurrentTransaction } from '../utils/current-transaction';
import { rowOf, rowsOf } from '../database/row';

export type { RecipientRow };

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
  const rule = recipientRule(strapi);
  const received: SubscriberPage = (channel, afterId, limit) => rule.page(rule.threadReceivers(thread.documentIds, channel), afterId, limit);

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
 * channel: the side panel's "goes to the 212 citizens who received it". The follow-up rule of subscribers/recipient-rule.ts.
 */
export async function countFollowUpRecipients(strapi: Core.Strapi, documentIds: string[]): Promise<Record<string, number>> {
  const rule = recipientRule(strapi);
  // Asked at publish by four-eyes approval, inside the content manager's transaction.
  const rows = await inCurrentTransaction(
    strapi,
    rule
      .threadReceivers(documentIds)
      .select(`${rule.column('channel')} as channel`)
      .count({ n: 's.id' })
      .groupBy(rule.column('channel'))
  );
  return Object.fromEntries(
    rowsOf(rows, (raw) => {
      const row = rowOf(raw, 'subscriber');
      return [row.text('channel'), row.count('n')] as const;
    })
  );
}
