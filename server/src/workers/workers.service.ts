import type { Core } from '@strapi/strapi';
import { CONTROL_QUEUE, JOB_NAMES, PLUGIN_ID, UID } from '../constants';
import type { RunningJob } from '../queue/job-queue';
import { getService } from '../utils/get-service';
import { toDate } from '../utils/time';
import { scheduleRetention } from './retention-schedule';

/**
 * Wires queues to processors and runs the reconciler. Only instances with `worker: true`
 * start this; any number of them may share one Redis.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');

  const controlProcessor = async (job: RunningJob) => {
    if (job.name === JOB_NAMES.fanOut) return getService(strapi, 'fan-out').process(job);
    if (job.name === JOB_NAMES.webhook) return getService(strapi, 'webhook-events').process(job);
    strapi.log.warn(`[${PLUGIN_ID}] unknown control job ${job.name}`);
  };

  const channelProcessor = async (job: RunningJob) => {
    if (job.name === JOB_NAMES.deliver) return getService(strapi, 'delivery').process(job);
    if (job.name === JOB_NAMES.message) return getService(strapi, 'messages').process(job);
    strapi.log.warn(`[${PLUGIN_ID}] unknown channel job ${job.name}`);
  };

  return {
    start() {
      const queue = runtime().queue();
      const config = runtime().config();
      queue.process(CONTROL_QUEUE, controlProcessor, { concurrency: 2 });
      for (const channel of runtime().channels().enabled()) {
        // The pace (messages per second) is kept by the channel's send itself: see channels/pacing.ts.
        queue.process(channel.id, channelProcessor, { concurrency: config.broadcast.deliveryConcurrency });
      }
      runtime().every('reconciler', config.broadcast.reconcileEverySeconds * 1000, () => this.reconcile());
      scheduleRetention(strapi);
      runtime().onStop(async () => getService(strapi, 'delivery').stop());
      // At startup too: work may have been lost while no process was running.
      setImmediate(() => {
        this.reconcile().catch((error: Error) => strapi.log.warn(`[${PLUGIN_ID}] reconciler: ${error.message}`));
      });
    },

    /**
     * The outbox guarantee: the announcement row is the truth, Redis only carries work. Every
     * announcement that should be moving but whose work is missing (Redis was down at publish,
     * a process died, jobs were lost) is enqueued again. Everything it enqueues is idempotent.
     */
    async reconcile() {
      const queue = runtime().queue();
      if (!(await queue.ping())) return;
      await getService(strapi, 'delivery').rebuildReachWindows();
      const announcements = getService(strapi, 'announcements');
      const open = (await strapi.db.query(UID.announcement).findMany({
        where: { broadcastStatus: { $in: ['scheduled', 'queued', 'sending'] }, publishedAt: { $notNull: true } },
        select: ['documentId', 'broadcastStatus', 'resumesAt', 'fanOutDoneAt', 'channels'],
      })) as Array<{ documentId: string; broadcastStatus: string; resumesAt: unknown; fanOutDoneAt: unknown; channels: string[] | null }>;

      for (const announcement of open) {
        if (!announcement.fanOutDoneAt) {
          const resumesAt = toDate(announcement.resumesAt);
          announcements.enqueueFanOut(announcement.documentId, resumesAt ? Math.max(0, resumesAt.getTime() - Date.now()) : 0);
          continue;
        }
        const counters = await announcements.refreshCounters(announcement.documentId);
        if (counters.open === 0) {
          await announcements.finishIfDone(announcement.documentId);
          continue;
        }
        const queues = await Promise.all(
          runtime()
            .channels()
            .enabled()
            .map(async (channel) => {
              const counts = await queue.counts(channel.id);
              const paused = counts.paused > 0 || (await queue.isPaused(channel.id));
              return { id: channel.id, paused, idle: counts.waiting + counts.active + counts.delayed + counts.paused === 0 };
            })
        );
        // A channel stopped by a fatal error stays stopped until an admin resumes a broadcast;
        // work published meanwhile waits in its queue, and says why.
        const stopped = queues.find((channel) => channel.paused && (announcement.channels ?? []).includes(channel.id));
        if (stopped) await announcements.setState(announcement.documentId, { statusReason: `channel-paused:${stopped.id}` });
        if (queues.some((channel) => channel.paused)) continue;
        if (queues.every((channel) => channel.idle)) await getService(strapi, 'delivery').requeueOpen(announcement.documentId);
      }
      await getService(strapi, 'subscriptions').expirePending();
    },
  };
};
