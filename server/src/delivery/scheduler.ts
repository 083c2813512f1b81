import type { Core } from '@strapi/strapi';
import { JOB_NAMES, type ChannelId } from '../constants';
import { deliverBatchJobSchema, freshRound, jobIds, type DeliverJob } from '../queue/jobs';
import { getService } from '../utils/get-service';
import { ambiguousWaitMs, backoffMs } from '../dispatch/policy';
import { deliveriesStore, type DeliveryUpdate } from './deliveries.store';
import { AMBIGUOUS_CLASS, type DeliveryRow } from './recipients';
import { reachMember, reachWindowKey } from './reach';

/**
 * The scheduler of deliveries: which job sends a delivery, and when. Jobs of batches, jobs of
 * one delivery (a claim's wait, a hold with its until-time, a retry with backoff), and the
 * requeue of open deliveries (resume, retry, the reconciler after Redis lost its jobs) that
 * honours every wait on the row. It asks the store and the pure policy; never dispatch, so
 * dispatch's commands may use it without a cycle.
 */
export const deliveryScheduler = (strapi: Core.Strapi) => {
  const runtime = () => getService(strapi, 'runtime');
  const store = () => deliveriesStore(strapi);

  /** A job of its own for one delivery, in a fresh round (`c` a claim's wait, `h` a hold, `r` a retry). */
  const queueAlone = async (delivery: DeliveryRow, roundKind: 'c' | 'h' | 'r', delayMs: number, attemptsBefore?: number) => {
    const data: DeliverJob = {
      announcementDocumentId: delivery.announcementDocumentId,
      subscriberId: delivery.subscriberId,
      channel: delivery.channel,
      ...(attemptsBefore ? { attemptsBefore } : {}),
    };
    await runtime()
      .queue()
      .add(delivery.channel, { name: JOB_NAMES.deliver, id: jobIds.deliver(data, `${roundKind}${freshRound()}`), data, delayMs: Math.max(0, Math.round(delayMs)) });
  };

  /**
   * Queues the deliveries of `subscriberIds` on one channel: in jobs of `deliveryBatchSize`
   * (one job for a single delivery when the size is 1). Without a round the ids are
   * deterministic, so fan-out adding the same page twice queues it once.
   */
  const enqueueDeliveries = async (announcementDocumentId: string, channel: ChannelId, subscriberIds: number[], { round, delayMs = 0 }: { round?: string; delayMs?: number } = {}) => {
    if (!subscriberIds.length) return;
    const size = runtime().config().broadcast.deliveryBatchSize;
    const delay = Math.max(0, delayMs);
    if (size === 1) {
      const jobs = subscriberIds.map((subscriberId) => ({ announcementDocumentId, subscriberId, channel }));
      await runtime()
        .queue()
        .addBulk(channel, jobs.map((data) => ({ name: JOB_NAMES.deliver, id: jobIds.deliver(data, round), data, delayMs: delay })));
      return;
    }
    const batches = [];
    for (let start = 0; start < subscriberIds.length; start += size) {
      const data = deliverBatchJobSchema.parse({ announcementDocumentId, channel, subscriberIds: subscriberIds.slice(start, start + size) });
      batches.push({ name: JOB_NAMES.deliverBatch, id: jobIds.deliverBatch(data, round), data, delayMs: delay });
    }
    await runtime().queue().addBulk(channel, batches);
  };

  const enqueueOpen = async (announcementDocumentId: string, channels: ChannelId[] | undefined, givenDelayMs: number, wanted: (data: DeliverJob) => boolean) => {
    // A hold whose time has passed is no delay (and its deliveries still travel in batches).
    const delayMs = Math.max(0, givenDelayMs);
    const round = freshRound();
    const urgency = (await getService(strapi, 'announcements').findPublished(announcementDocumentId))?.urgency ?? null;
    let cursor = 0;
    for (;;) {
      const rows = await store().openPage(announcementDocumentId, channels, cursor, 1000);
      if (!rows.length) break;
      cursor = rows[rows.length - 1].id;
      // Deliveries that may go at `delayMs` travel in batches; a send that may have gone out,
      // and a delivery held until later (a provider's wait, quiet hours, the reach window),
      // waits out its own time in a job of its own.
      const together = new Map<ChannelId, number[]>();
      const alone = new Map<ChannelId, Array<{ data: DeliverJob; delayMs: number }>>();
      const now = Date.now();
      for (const row of rows) {
        const data: DeliverJob = { announcementDocumentId, subscriberId: row.subscriber_id, channel: row.channel };
        if (!wanted(data)) continue;
        const ambiguousSince = row.last_error_class === AMBIGUOUS_CLASS ? row.status_at : null;
        const ambiguousWait = ambiguousWaitMs(runtime().config().broadcast, row.channel, urgency);
        const holdUntil = row.hold_until;
        const wait = Math.max(delayMs, ambiguousSince ? ambiguousSince.getTime() + ambiguousWait - now : 0, holdUntil ? holdUntil.getTime() - now : 0);
        if (wait === delayMs) together.set(row.channel, [...(together.get(row.channel) ?? []), data.subscriberId]);
        else alone.set(row.channel, [...(alone.get(row.channel) ?? []), { data, delayMs: wait }]);
      }
      for (const [channel, subscriberIds] of together) await enqueueDeliveries(announcementDocumentId, channel, subscriberIds, { round, delayMs });
      for (const [channel, jobs] of alone) {
        await runtime()
          .queue()
          .addBulk(channel, jobs.map(({ data, delayMs: wait }) => ({ name: JOB_NAMES.deliver, id: jobIds.deliver(data, round), data, delayMs: wait })));
      }
    }
  };

  return {
    queueAlone,
    enqueueDeliveries,
    enqueueOpen,

    /** Runs this delivery again at `untilMs` without touching its row (someone else's send is in flight). */
    retryAt: (delivery: DeliveryRow, untilMs: number) => queueAlone(delivery, 'c', untilMs - Date.now()),

    /**
     * A temporary error in a batch: the delivery gets a delayed job of its own, which goes on
     * counting its attempts, with the backoff the queue would have used (`retryBaseDelayMs`,
     * doubling, with jitter).
     */
    retryAlone: (delivery: DeliveryRow, attemptsBefore: number) => queueAlone(delivery, 'r', backoffMs(runtime().config().broadcast.retryBaseDelayMs, attemptsBefore), attemptsBefore),

    /**
     * Waiting is not failing: the delivery goes back to `waiting` and a fresh job, delayed until
     * `untilMs`, takes over; this job completes, so no attempt is used up.
     */
    async hold(delivery: DeliveryRow, untilMs: number, outcome: DeliveryUpdate = {}, keepUntil = true) {
      await store().record(delivery.id, { ...outcome, status: 'waiting', ...(keepUntil ? { holdUntil: new Date(untilMs) } : {}) });
      await queueAlone(delivery, 'h', untilMs - Date.now());
    },

    /**
     * Enqueues the open deliveries of an announcement (on `channels`, or all) in a fresh round:
     * resume, retry and config changes. A send that may have gone out keeps waiting for its
     * status webhook: re-enqueuing is no reason to send it a second time sooner.
     */
    requeueOpen: (announcementDocumentId: string, { channels, delayMs = 0 }: { channels?: ChannelId[]; delayMs?: number } = {}) => enqueueOpen(announcementDocumentId, channels, delayMs, () => true),

    /** The reconciler's part: open deliveries of a moving run whose job is gone (no round of it is live) get a fresh one. */
    requeueOrphans: (announcementDocumentId: string, channel: ChannelId, isLive: (job: DeliverJob) => boolean) => enqueueOpen(announcementDocumentId, [channel], 0, (data) => !isLive(data)),

    /**
     * Skips every open delivery (of one channel, or all), so the rows add up; jobs that are still
     * queued find their delivery skipped and do nothing. Slots booked in the reach window for
     * these recipients are given back, so later news is not held behind them.
     */
    async skipOpen(announcementDocumentId: string, channel?: ChannelId) {
      const held = await store().skipOpen(announcementDocumentId, channel);
      for (const limited of runtime().channels().enabled().filter((adapter) => adapter.dailyRecipientLimit)) {
        const members = held.filter((row) => row.channel === limited.id).map((row) => reachMember(row.subscriber_id));
        if (members.length) await runtime().limits().releaseBookings(reachWindowKey(limited.id), members).catch(() => undefined);
      }
    },
  };
};

export type DeliveryScheduler = ReturnType<typeof deliveryScheduler>;
