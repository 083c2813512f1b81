import type { Core } from '@strapi/strapi';
import { PLUGIN_ID } from '../constants';
import { fanOutJobSchema } from '../queue/jobs';
import type { RunningJob } from '../queue/job-queue';
import { getService } from '../utils/get-service';
import { deliveriesStore, type NewDelivery } from '../delivery/deliveries.store';
import { decodeVillages } from '../villages/villages';
import { knownUnreachable, recipientRule, type NewsAudience } from '../subscribers/recipient-rule';
import { followUpRecipients, type SubscriberPage } from './follow-up-recipients';

/**
 * Announcement → one delivery row per matching subscriber and channel → deliver jobs of a batch
 * of them each (`broadcast.deliveryBatchSize`).
 * Subscribers are paged by id cursor, so memory stays flat however many there are, and every
 * step is idempotent (unique delivery rows, deterministic job ids): a fan-out that dies half
 * way is simply run again.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const rule = recipientRule(strapi);
  /** One page of the news' recipients on `channel` (subscribers/recipient-rule.ts). */
  const nextSubscribers = (audience: NewsAudience, afterId: number, limit: number) => rule.page(rule.news(audience), afterId, limit);

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
      const byTopic: SubscriberPage = (channel, afterId, limit) => nextSubscribers({ channel, topicIds, villageSlugs }, afterId, limit);
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
            status: knownUnreachable(subscriber) ? 'skipped' : 'pending',
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
