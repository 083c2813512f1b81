import type { Core } from '@strapi/strapi';
import { CHANNEL_IDS, DELIVERY_STATUSES, OPEN_DELIVERY_STATUSES, UID, type ChannelId, type DeliveryStatus } from '../constants';
import { columnName, tableName } from '../database/names';
import { fieldOf, toCount } from '../database/row';

/** How many deliveries of one announcement are in one status on one channel. */
export interface StatusCount {
  channel: ChannelId;
  status: DeliveryStatus;
  count: number;
}

/**
 * A broadcast's numbers: its delivery rows counted by channel and status, plus the rows retention
 * deleted, which were tallied before they went (by the deliveries store's `retire`). Reads only: a GET may call it as often as it likes.
 */
export async function deliveryCounts(strapi: Core.Strapi, documentId: string): Promise<StatusCount[]> {
  const knex = strapi.db.connection;
  const d = (attribute: string) => columnName(strapi, UID.delivery, attribute);
  const t = (attribute: string) => columnName(strapi, UID.deliveryTally, attribute);
  const [live, retired]: unknown[][] = await Promise.all([
    knex(tableName(strapi, UID.delivery))
      .select({ channel: d('channel'), status: d('status') })
      .count({ n: '*' })
      .where(d('announcementDocumentId'), documentId)
      .groupBy(d('channel'), d('status')),
    knex(tableName(strapi, UID.deliveryTally))
      .select({ channel: t('channel'), status: t('status'), n: t('count') })
      .where(t('announcementDocumentId'), documentId),
  ]);
  const byKey = new Map<string, StatusCount>();
  for (const row of [...live, ...retired].map(statusCountFromRow)) {
    if (!row) continue;
    const key = `${row.channel}|${row.status}`;
    const entry = byKey.get(key) ?? { ...row, count: 0 };
    entry.count += row.count;
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

const isChannel = (value: unknown): value is ChannelId => CHANNEL_IDS.some((channel) => channel === value);
const isDeliveryStatus = (value: unknown): value is DeliveryStatus => DELIVERY_STATUSES.some((status) => status === value);

/** A row of either table; null for a channel or status this version does not know (it has no place in the numbers). */
function statusCountFromRow(row: unknown): StatusCount | null {
  const channel = fieldOf(row, 'channel');
  const status = fieldOf(row, 'status');
  if (!isChannel(channel) || !isDeliveryStatus(status)) return null;
  return { channel, status, count: toCount(fieldOf(row, 'n')) };
}

/** Open, failed and all deliveries of one announcement per channel: whether a run is finished. */
export async function countsByChannel(strapi: Core.Strapi, documentId: string): Promise<Map<ChannelId, { open: number; failed: number; total: number }>> {
  // With retention's tallies of deleted rows: a run's numbers stay true after its records go.
  const counts = new Map<ChannelId, { open: number; failed: number; total: number }>();
  for (const row of await deliveryCounts(strapi, documentId)) {
    const entry = counts.get(row.channel) ?? { open: 0, failed: 0, total: 0 };
    entry.total += row.count;
    if (OPEN_DELIVERY_STATUSES.some((open) => open === row.status)) entry.open += row.count;
    if (row.status === 'failed') entry.failed += row.count;
    counts.set(row.channel, entry);
  }
  return counts;
}
