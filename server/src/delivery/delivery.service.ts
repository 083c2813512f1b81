import type { Core } from '@strapi/strapi';
import { PLUGIN_ID } from '../constants';
import { getService } from '../utils/get-service';
import { countsByChannel } from '../stats/broadcast-totals';
import { deliveriesStore } from './deliveries.store';
import { reachMember, reachWindowKey, reachWindowMs } from './reach';
import { deliveryScheduler } from './scheduler';
import { sendPipeline } from './send-pipeline';
import { sendOutcome } from './send-outcome';
import { statusReceipts } from './status-receipts';

export type { DeliveryRow } from './recipients';
export type { DeliveryUpdate } from './deliveries.store';

/**
 * The delivery service: the per-recipient step, composed of its parts (docs/architecture.md,
 * "Module map"): the send pipeline (./send-pipeline.ts, claim → admit → send → record in
 * ./send-outcome.ts), the scheduler (./scheduler.ts: jobs, delays, holds with their until-time),
 * status receipts (./status-receipts.ts), and the deliveries store (./deliveries.store.ts), the
 * only writer of delivery rows. It asks dispatch about runs and reports outcomes to it; dispatch
 * never calls this service (tests/unit/module-boundaries.test.ts).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');
  const pipeline = sendPipeline(strapi);
  const outcome = sendOutcome(strapi);
  const scheduler = deliveryScheduler(strapi);
  const receipts = statusReceipts(strapi);

  return {
    // The send pipeline.
    process: pipeline.process,
    processBatch: pipeline.processBatch,
    sendTo: pipeline.sendTo,
    threadMessageIds: pipeline.threadMessageIds,
    claim: outcome.claim,
    send: outcome.send,
    recordSent: outcome.recordSent,
    failedSend: outcome.failedSend,

    // The scheduler.
    retryAt: scheduler.retryAt,
    queueAlone: scheduler.queueAlone,
    retryAlone: scheduler.retryAlone,
    hold: scheduler.hold,
    requeueOpen: scheduler.requeueOpen,
    requeueOrphans: scheduler.requeueOrphans,
    enqueueOpen: scheduler.enqueueOpen,
    enqueueDeliveries: scheduler.enqueueDeliveries,
    skipOpen: scheduler.skipOpen,

    // Status receipts.
    applyStatuses: receipts.applyStatuses,
    holdAfterFailedStatus: receipts.holdAfterFailedStatus,

    /** Counters are dispatch's (it finishes the runs they decide); kept here for callers of the old name. */
    scheduleCounterRefresh: (documentId: string) => getService(strapi, 'dispatch').scheduleCounterRefresh(documentId),

    /** Open, failed and all deliveries per channel: whether a run is finished. */
    countByChannel: (announcementDocumentId: string) => countsByChannel(strapi, announcementDocumentId),

    /** Failed deliveries whose recipient is still reachable get another attempt. */
    reopenFailed: (announcementDocumentId: string) => deliveriesStore(strapi).reopenFailed(announcementDocumentId),

    /**
     * After Redis lost its data the reach window would start empty and let a channel reach its
     * daily limit a second time. The delivery rows know who was sent to in the last 24 hours, so
     * the window is rebuilt from them once per Redis lifetime (the reconciler asks at startup and
     * every minute). Confirmation templates leave no delivery row and are not rebuilt.
     */
    async rebuildReachWindows() {
      for (const channel of runtime().channels().enabled()) {
        if (!channel.dailyRecipientLimit) continue;
        const windowMs = reachWindowMs(runtime().config());
        const seeded = await runtime()
          .limits()
          .seedWindowOnce(reachWindowKey(channel.id), windowMs, async () => {
            const rows = await deliveriesStore(strapi).lastSentSince(channel.id, new Date(Date.now() - windowMs));
            return rows.flatMap((row) => {
              return row.sent_at ? [{ member: reachMember(row.subscriber_id), atMs: row.sent_at.getTime() }] : [];
            });
          });
        if (seeded) strapi.log.info(`[${PLUGIN_ID}] ${channel.id}: daily reach window rebuilt from ${seeded} deliveries of the last 24 hours`);
      }
    },

    stop() {
      getService(strapi, 'dispatch').stop();
    },
  };
};
