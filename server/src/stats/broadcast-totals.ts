import type { Core } from '@strapi/strapi';
import { UID, type ChannelId, type DeliveryStatus } from '../constants';
import { columnName, tableName, toCount } from '../database/names';
import { dbTimestamp } from '../utils/time';

/** How many deliveries of one announcement are in one status on one channel. */
export interface StatusCount {
  channel: ChannelId;
  status: DeliveryStatus;
  count: number;
}

/**
 * A broadcast's numbers: its delivery rows counted by channel and status, plus the rows retention
 * deleted, which were tallied before they went. Reads only: a GET may call it as often as it likes.
 */
export async function deliveryCounts(strapi: Core.Strapi, documentId: string): Promise<StatusCount[]> {
  const knex = strapi.db.connection;
  const d = (attribute: string) => columnName(strapi, UID.delivery, attribute);
  const t = (attribute: string) => columnName(strapi, UID.deliveryTally, attribute);
  const [live, retired] = await Promise.all([
    knex(tableName(strapi, UID.delivery))
      .select({ channel: d('channel'), status: d('status') })
      .count({ n: '*' })
      .where(d('announcementDocumentId'), documentId)
      .groupBy(d('channel'), d('status')) as Promise<Array<{ channel: ChannelId; status: DeliveryStatus; n: number | string }>>,
    knex(tableName(strapi, UID.deliveryTally))
      .select({ channel: t('channel'), status: t('status'), n: t('count') })
      .where(t('announcementDocumentId'), documentId) as Promise<Array<{ channel: ChannelId; status: DeliveryStatus; n: number | string }>>,
  ]);
  const byKey = new Map<string, StatusCount>();
  for (const row of [...live, ...retired]) {
    const key = `${row.channel}|${row.status}`;
    const entry = byKey.get(key) ?? { channel: row.channel, status: row.status, count: 0 };
    entry.count += toCount(row.n);
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

/**
 * Retention's delete of withdrawn citizens' delivery records. Each (announcement, channel,
 * status) group is deleted and the number of rows that delete removed is added to that group's
 * tally, in one transaction: a second worker running retention at the same moment deletes
 * nothing more and adds nothing, so no broadcast's totals move. Answers the rows deleted.
 */
export async function retireDeliveries(strapi: Core.Strapi, subscriberIds: number[]): Promise<number> {
  if (!subscriberIds.length) return 0;
  const deliveries = tableName(strapi, UID.delivery);
  const tallies = tableName(strapi, UID.deliveryTally);
  const d = (attribute: string) => columnName(strapi, UID.delivery, attribute);
  const t = (attribute: string) => columnName(strapi, UID.deliveryTally, attribute);
  return strapi.db.transaction(async ({ trx }) => {
    const groups = (await trx(deliveries)
      .select({ announcement: d('announcementDocumentId'), channel: d('channel'), status: d('status') })
      .whereIn(d('subscriberId'), subscriberIds)
      .groupBy(d('announcementDocumentId'), d('channel'), d('status'))) as Array<{ announcement: string; channel: string; status: string }>;
    let removed = 0;
    for (const group of groups) {
      const count = Number(
        await trx(deliveries)
          .whereIn(d('subscriberId'), subscriberIds)
          .where({ [d('announcementDocumentId')]: group.announcement, [d('channel')]: group.channel, [d('status')]: group.status })
          .del()
      );
      if (!count) continue;
      const stamp = dbTimestamp(strapi);
      await trx(tallies)
        .insert({ [t('announcementDocumentId')]: group.announcement, [t('channel')]: group.channel, [t('status')]: group.status, [t('count')]: count, created_at: stamp, updated_at: stamp })
        .onConflict([t('announcementDocumentId'), t('channel'), t('status')])
        .merge({ [t('count')]: trx.raw('??.?? + ?', [tallies, t('count'), count]), updated_at: stamp });
      removed += count;
    }
    return removed;
  });
}
