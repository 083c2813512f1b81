import type { Core } from '@strapi/strapi';
import { CONTROL_QUEUE, JOB_NAMES, PLUGIN_ID } from '../constants';
import type { RunningJob } from '../queue/job-queue';
import { getService } from '../utils/get-service';
import { scheduleWarnings } from './warnings-schedule';
import { runRetention, scheduleRetention } from './retention-schedule';
import { maskedMessage } from '../utils/log';
import { activitypubActivities } from '../activitypub/activities';

/** How long the startup reconcile waits for each ping, and then before the next (about a minute in all). */
const STARTUP_PING_TIMEOUTS_MS = [1000, 2000, 4000, 8000, 15_000];

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
    if (job.name === JOB_NAMES.deliverBatch) return getService(strapi, 'delivery').processBatch(job);
    if (job.name === JOB_NAMES.message) return getService(strapi, 'messages').process(job);
    if (job.name === JOB_NAMES.activitypub) return activitypubActivities(strapi).process(job);
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
      scheduleWarnings(strapi);
      runtime().onStop(async () => getService(strapi, 'delivery').stop());
      // At startup too: work may have been lost while no process was running.
      setImmediate(() => {
        this.reconcileAtStartup().catch((error: Error) => strapi.log.warn(`[${PLUGIN_ID}] reconciler: ${maskedMessage(error)}`));
      });
    },

    /** One retention run (the timer's), at `now`: tests pass a later clock instead of waiting days. */
    async retention(now = new Date()) {
      await runRetention(strapi, now);
    },

    /**
     * The startup round waits for Redis: on a busy machine (a deploy starting every process at
     * once) the first ping can take more than its second, and skipping the round left lost work
     * for a whole `reconcileEverySeconds` more. It asks again with longer waits, after boot (never
     * holding it up), and leaves it to the periodic round after about a minute.
     */
    async reconcileAtStartup() {
      for (const timeoutMs of STARTUP_PING_TIMEOUTS_MS) {
        if (await runtime().queue().ping(timeoutMs)) return this.reconcile({ pinged: true });
        await new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
      }
      strapi.log.warn(`[${PLUGIN_ID}] reconciler: Redis did not answer at startup; the next round runs in ${runtime().config().broadcast.reconcileEverySeconds} s`);
    },

    /**
     * The outbox guarantee: the runs are the truth, Redis only carries work. Every run that
     * should be moving but whose work is missing (Redis was down at publish, a process died,
     * jobs were lost) is enqueued again by dispatch, in a fresh round.
     */
    async reconcile(options: { pinged?: boolean } = {}) {
      const queue = runtime().queue();
      if (!options.pinged && !(await queue.ping())) return;
      await getService(strapi, 'delivery').rebuildReachWindows();
      // Publishes a crash or an error left half done become their broadcast first (dispatch/publish-outbox).
      await getService(strapi, 'publish-outbox').adopt();
      await getService(strapi, 'dispatch').reconcile();
      await getService(strapi, 'subscriptions').expirePending();
    },
  };
};
