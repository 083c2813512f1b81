import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, UID, type ChannelId } from '../constants';
import { fanOutJobSchema } from '../queue/jobs';
import type { RunningJob } from '../queue/job-queue';
import { getService } from '../utils/get-service';
import { deliveriesStore, type NewDelivery } from '../delivery/deliveries.store';
import { decodeVillages, villageWhere } from '../villages/villages';
import { followUpRecipients, type SubscriberPage } from './follow-up-recipients';

/**
 * Announcement → one delivery row per matching subscriber and channel → deliver jobs of a batch
 * of them each (`broadcast.deliveryBatchSize`).
 * Subscribers are paged by id cursor, so memory stays flat however many there are, and every
 * step is idempotent (unique delivery rows, deterministic job ids): a fan-out that dies half
 * way is simply run again.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;
  const meta = (uid: string) => strapi.db.metadata.get(uid);

  const topicLink = () => {
    const attribute = meta(UID.subscriber).attributes.topics as unknown as {
      joinTable: { name: string; joinColumn: { name: string }; inverseJoinColumn: { name: string } };
    };
    return {
      table: attribute.joinTable.name,
      subscriberColumn: attribute.joinTable.joinColumn.name,
      topicColumn: attribute.joinTable.inverseJoinColumn.name,
    };
  };

  /**
   * One page of active subscribers of `channel` who want at least one of `topicIds` (or
   * everything) and live in one of `villageSlugs` (or chose the whole town; no villages: all).
   */
  const nextSubscribers = async (channel: ChannelId, topicIds: number[], afterId: number, limit: number, villageSlugs: string[] = []) => {
    const subscribers = meta(UID.subscriber).tableName;
    const link = topicLink();
    const query = knex()(`${subscribers} as s`)
      .select('s.id', 's.marketing_stopped_at', 's.undeliverable_at')
      .where('s.status', 'active')
      .where('s.channel', channel)
      .where('s.id', '>', afterId)
      .orderBy('s.id', 'asc')
      .limit(limit);
    if (topicIds.length) {
      // A subscriber with no topics chose "all news".
      query.where((where) =>
        where
          .whereNotExists(knex()(link.table).select(knex().raw('1')).whereRaw(`${link.subscriberColumn} = s.id`))
          .orWhereExists(
            knex()(link.table)
              .select(knex().raw('1'))
              .whereRaw(`${link.subscriberColumn} = s.id`)
              .whereIn(link.topicColumn, topicIds)
          )
      );
    }
    const inVillages = villageWhere('s.villages', villageSlugs);
    if (inVillages) query.where(inVillages);
    return (await query) as Array<{ id: number; marketing_stopped_at: unknown; undeliverable_at: unknown }>;
  };

  return {
    async process(job: RunningJob) {
      const { announcementDocumentId } = fanOutJobSchema.parse(job.data);
      const announcements = getService(strapi, 'announcements');
      const dispatch = getService(strapi, 'dispatch');
      const runtime = getService(strapi, 'runtime');
      const config = runtime.config();
      // Dispatch decides whether this round runs (and re-enqueues it when it has to wait).
      const plan = await dispatch.beginFanOut(announcementDocumentId);
      if (!plan) return;
      const announcement = await announcements.findPublished(announcementDocumentId);
      if (!announcement) return;

      const topicIds = (announcement.topics ?? []).map((topic) => topic.id);
      const villageSlugs = decodeVillages(announcement.villages);
      const batchSize = config.broadcast.fanOutBatchSize;
      const byTopic: SubscriberPage = (channel, afterId, limit) => nextSubscribers(channel, topicIds, afterId, limit, villageSlugs);
      // A follow-up goes to whoever received its thread (./follow-up-recipients.ts), not by topic.
      const pageOf: SubscriberPage = announcement.updateOf
        ? followUpRecipients(strapi, {
            documentIds: await announcements.threadDocumentIds(announcement),
            includeNew: Boolean(announcement.followUpIncludeNew),
            newSubscribers: byTopic,
          })
        : byTopic;
      for (const channel of plan.rows) {
        if (!runtime.channels().find(channel)) continue;
        let cursor = 0;
        for (;;) {
          const page = await pageOf(channel, cursor, batchSize);
          if (!page.length) break;
          cursor = page[page.length - 1].id;
          const rows: NewDelivery[] = page.map((subscriber) => ({
            announcementDocumentId,
            subscriberId: subscriber.id,
            channel,
            // Known-unreachable recipients are recorded, not sent to, so the numbers add up.
            status: subscriber.marketing_stopped_at || subscriber.undeliverable_at ? 'skipped' : 'pending',
          }));
          await deliveriesStore(strapi).insertMany(rows);
          // A paused run gets its rows now and its jobs when it is resumed.
          if (plan.jobs.includes(channel)) {
            await getService(strapi, 'delivery').enqueueDeliveries(
              announcementDocumentId,
              channel,
              rows.filter((row) => row.status === 'pending').map((row) => row.subscriberId)
            );
          }
          if (page.length < batchSize) break;
        }
      }

      const counters = await announcements.refreshCounters(announcementDocumentId);
      strapi.log.info(`[${PLUGIN_ID}] announcement ${announcementDocumentId}: ${counters.recipientsCount} recipients queued`);
      await dispatch.fanOutDone(announcementDocumentId);
    },
  };
};
