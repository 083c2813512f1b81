import type { Core } from '@strapi/strapi';
import { UID } from '../constants';
import { columnName, tableName } from '../database/names';
import { dbTimestamp } from '../utils/time';
import { rowsOf } from '../database/row';
import { retentionGroupFromRow } from './delivery.rows';

/** The deliveries store's writes for erasure and retention (docs/privacy.md); see ./deliveries.store.ts. */
export const retentionWrites = (strapi: Core.Strapi) => {
  const table = () => tableName(strapi, UID.delivery);
  return {
    /** Erasure: the provider's ids embed the address; the rows keep their status and cost for the counts. */
    async forgetProviderMessageIds(subscriberId: number) {
      await strapi.db.query(UID.delivery).updateMany({ where: { subscriberId, providerMessageId: { $notNull: true } }, data: { providerMessageId: null } });
    },

    /**
     * Retention's delete of withdrawn citizens' delivery records. Each (announcement, channel,
     * status) group is deleted and the number of rows that delete removed is added to that group's
     * tally, in one transaction: a second worker running retention at the same moment deletes
     * nothing more and adds nothing, so no broadcast's totals move. Answers the rows deleted.
     */
    async retire(subscriberIds: number[]): Promise<number> {
      if (!subscriberIds.length) return 0;
      const deliveries = table();
      const tallies = tableName(strapi, UID.deliveryTally);
      const d = (attribute: string) => columnName(strapi, UID.delivery, attribute);
      const t = (attribute: string) => columnName(strapi, UID.deliveryTally, attribute);
      return strapi.db.transaction(async ({ trx }) => {
        const groups = rowsOf(
          await trx(deliveries)
            .select({ announcement: d('announcementDocumentId'), channel: d('channel'), status: d('status') })
            .whereIn(d('subscriberId'), subscriberIds)
            .groupBy(d('announcementDocumentId'), d('channel'), d('status')),
          retentionGroupFromRow
        );
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
    },
  };
};
