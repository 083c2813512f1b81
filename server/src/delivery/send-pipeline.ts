import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, type ChannelId } from '../constants';
import { deliverBatchJobSchema, deliverJobSchema, freshRound } from '../queue/jobs';
import type { RunningJob } from '../queue/job-queue';
import { getService } from '../utils/get-service';
import { maskedMessage } from '../utils/log';
import { ambiguousWaitMs, quietHold } from '../dispatch/policy';
import { deliveriesStore } from './deliveries.store';
import { AMBIGUOUS_CLASS, OPEN_STATUSES, deliveryOf, heldUntil, recipientReads, unreachable, type DeliveryRecipientRow } from './recipients';
import { deliveryScheduler } from './scheduler';
import { sendOutcome, type Attempt } from './send-outcome';
import { SendSlots } from './send-slots';
import { isAccountChannel } from '../../../shared/contracts/channels';

/** Channels whose follow-ups answer the thread's earlier messages: e-mail's References, the account channels' replies. */
const THREADED_CHANNELS = new Set<ChannelId>(['email', 'mastodon', 'bluesky']);

/**
 * The send pipeline of one delivery or one batch: read with the recipient → the run's word →
 * claim → admit (quiet hours, daily reach) → send → record. Run state and admission are
 * dispatch's answers; waits, verdicts and quiet hours are the pure policy's.
 */
export const sendPipeline = (strapi: Core.Strapi) => {
  const runtime = () => getService(strapi, 'runtime');
  const announcements = () => getService(strapi, 'announcements');
  const dispatch = () => getService(strapi, 'dispatch');
  const store = () => deliveriesStore(strapi);
  const reads = recipientReads(strapi);
  const scheduler = deliveryScheduler(strapi);
  const outcome = sendOutcome(strapi);
  const counters = (documentId: string) => dispatch().scheduleCounterRefresh(documentId);

  const slotsByChannel = new Map<ChannelId, SendSlots>();
  const slots = (channel: ChannelId) => {
    let found = slotsByChannel.get(channel);
    if (!found) slotsByChannel.set(channel, (found = new SendSlots(runtime().config().broadcast.deliveryConcurrency)));
    return found;
  };

  // Announcements are read for every message; a short-lived copy spares thousands of identical
  // queries per broadcast. Cancel and pause are still seen within this time, and a cancel also
  // removes the queued jobs.
  const announcementCache = new Map<string, { row: Awaited<ReturnType<ReturnType<typeof announcements>['findPublished']>>; until: number }>();
  const ANNOUNCEMENT_CACHE_MS = 500;
  const findAnnouncement = async (documentId: string) => {
    const cached = announcementCache.get(documentId);
    if (cached && cached.until > Date.now()) return cached.row;
    const row = await announcements().findPublished(documentId);
    if (announcementCache.size > 100) announcementCache.clear();
    announcementCache.set(documentId, { row, until: Date.now() + ANNOUNCEMENT_CACHE_MS });
    return row;
  };
  type Announcement = NonNullable<Awaited<ReturnType<typeof findAnnouncement>>>;

  /** The Message-IDs of the thread's earlier mails this subscriber received, oldest first. */
  const threadMessageIds = async (announcement: { documentId: string; updateOf?: string | null }, subscriberId: number): Promise<string[]> =>
    store().receivedMessageIds(await announcements().threadDocumentIds(announcement), subscriberId);

  /**
   * One delivery, holding a send slot: the run's word, the claim, quiet hours and the reach
   * window, then the send and its outcome. Answers whether the message went out.
   */
  const sendTo = async (found: DeliveryRecipientRow, announcement: Announcement, channelId: ChannelId, attempt: Attempt): Promise<boolean> => {
    const documentId = announcement.documentId;
    const subscriberId = found.subscriber_id;
    // The run may have been paused, cancelled or stopped while this delivery waited for its slot.
    const byRun = await dispatch().runAdmits(documentId, channelId);
    if (byRun.kind !== 'send') {
      await store().update(found.id, { status: byRun.kind === 'skip' ? 'skipped' : 'waiting' }, 'open-unclaimed');
      return false;
    }
    const delivery = deliveryOf(found, documentId, channelId, announcement.urgency);
    const subscriber = { id: subscriberId, address: found.address ?? '', locale: found.locale };

    // The row is claimed before the request: a claim found later (a crash, a second job) is a send that may have gone out.
    const claim = await outcome.claim(delivery.id, subscriberId, ambiguousWaitMs(runtime().config().broadcast, channelId, announcement.urgency));
    if (!claim.claimed) {
      // STOP (or a bounce) since the row was read: nothing is sent, and the numbers add up.
      if (claim.unreachable) await store().update(delivery.id, { status: 'skipped' }, 'open-unclaimed');
      else if (claim.retryAtMs) await scheduler.retryAt(delivery, claim.retryAtMs);
      return false;
    }

    const admission = await dispatch().admit(documentId, channelId, subscriber.id, announcement.urgency);
    if (admission.kind === 'hold') {
      // Quiet hours and the reach window are asked again at every send (and follow a config
      // change), so their hold needs no until-time on the row.
      await scheduler.hold(delivery, admission.untilMs, {}, false);
      return false;
    }
    const channel = runtime().channels().get(channelId);
    // A follow-up names the news it continues; its e-mail threads under this citizen's earlier mails.
    const followUp = await getService(strapi, 'follow-ups').contextOf(announcement);
    // An account channel's reply goes under the thread's earlier posts (their status ids / record uris).
    const thread = followUp && THREADED_CHANNELS.has(channelId) ? await threadMessageIds(announcement, subscriber.id) : undefined;
    // Languages: the citizen's version of the news (server/src/languages/), and their language for the channel's own words.
    const { content, language } = announcements().contentFor(announcement, subscriber.locale, followUp);
    delivery.languageTemplate = channelId === 'whatsapp' && Boolean(language && runtime().config().channels.whatsapp.templates.byLanguage[language]?.announcement);

    return outcome.send(channel, delivery, attempt, claim.stamp, () =>
      channel.send({
        kind: 'announcement',
        to: subscriber.address,
        deliveryRef: `d:${delivery.id}`,
        content,
        ...(thread?.length ? { threadMessageIds: thread } : {}),
        ...(channelId === 'activitypub' ? { activitypub: activitypubNote(announcement, followUp?.originalDocumentId ?? null) } : {}),
        ...(isAccountChannel(channelId) ? { idempotencyKey: `tc-${documentId}-${delivery.id}`, announcedAt: announcement.publishedAt ?? new Date(0) } : {}),
        unsubscribeToken: getService(strapi, 'subscriptions').unsubscribeToken(subscriber.id),
        manageToken: getService(strapi, 'subscriptions').manageToken(subscriber.id),
        locale: language,
      })
    );
  };

  /** One Note for all followers: the town's language and the news' own publish time, as its public URL serves it. */
  const activitypubNote = (announcement: Announcement, inReplyTo: string | null) => ({
    documentId: announcement.documentId,
    published: new Date(announcement.publishedAt ?? announcement.createdAt).toISOString(),
    inReplyTo,
    language: runtime().config().defaultLocale,
  });

  return {
    sendTo,
    threadMessageIds,

    async process(job: RunningJob) {
      const data = deliverJobSchema.parse(job.data);
      // One round trip for the delivery and its recipient, re-checked right before sending:
      // someone who wrote STOP a second ago gets nothing.
      const found = await reads.one(data.announcementDocumentId, data.subscriberId, data.channel);
      // Bull may run a job twice after a stall; a delivery that left `pending`/`waiting` is done.
      if (!found || !OPEN_STATUSES.includes(found.status)) return;
      // A hold not yet due (a job of an older round met it early): the job queued with the hold sends it.
      if (heldUntil(found, Date.now())) return;

      const byRun = await dispatch().runAdmits(data.announcementDocumentId, data.channel);
      if (byRun.kind === 'skip') {
        await store().update(found.id, { status: 'skipped' }, 'open-unclaimed');
        return counters(data.announcementDocumentId);
      }
      // A paused run (or news being unpublished) keeps its deliveries open without a job; resume or a re-publish enqueues them again.
      const announcement = byRun.kind === 'send' ? await findAnnouncement(data.announcementDocumentId) : null;
      if (!announcement) {
        await store().update(found.id, { status: 'waiting' }, 'open-unclaimed');
        return;
      }
      if (unreachable(found)) {
        await store().update(found.id, { status: 'skipped' }, 'open-unclaimed');
        return counters(data.announcementDocumentId);
      }
      const attempt: Attempt = { attemptsMade: job.attemptsMade + (data.attemptsBefore ?? 0), maxAttempts: job.maxAttempts, batched: false };
      const sent = await slots(data.channel).with(() => sendTo(found, announcement, data.channel, attempt));
      if (sent) await dispatch().sent(data.announcementDocumentId, data.channel);
      counters(data.announcementDocumentId);
    },

    /**
     * A batch: the deliveries of one announcement on one channel for up to
     * `broadcast.deliveryBatchSize` subscribers. One job, one read, and claims and outcomes
     * written together with the other sends in flight; each delivery is still re-checked, paced,
     * admitted to the reach window and claimed right before its own send, holding one of the
     * channel's send slots, so every guarantee of a single delivery holds for each of them.
     */
    async processBatch(job: RunningJob) {
      const data = deliverBatchJobSchema.parse(job.data);
      const { announcementDocumentId: documentId, channel: channelId } = data;
      const rows = await reads.openOf(documentId, channelId, data.subscriberIds);
      if (!rows.length) return;
      // A row claimed by a send in flight elsewhere keeps its claim (and with it the wait for that
      // send's status) when the batch is parked or held; the claim protocol settles it later.
      const settle = (chosen: DeliveryRecipientRow[], status: 'skipped' | 'waiting') => store().settle(chosen.map((row) => row.id), status);

      const byRun = await dispatch().runAdmits(documentId, channelId);
      if (byRun.kind === 'skip') {
        await settle(rows, 'skipped');
        return counters(documentId);
      }
      const announcement = byRun.kind === 'send' ? await findAnnouncement(documentId) : null;
      if (!announcement) {
        await settle(rows, 'waiting');
        return;
      }
      const gone = rows.filter(unreachable);
      if (gone.length) await settle(gone, 'skipped');
      const now = Date.now();
      const ambiguousWait = ambiguousWaitMs(runtime().config().broadcast, channelId, announcement.urgency);
      // A send that may have gone out has a delayed job of its own for when its wait is over;
      // a batch run again after a crash must not send it sooner.
      // So must a delivery held until later (131049's 24 hours): its hold's own job sends it.
      const sendable = rows.filter(
        (row) => !unreachable(row) && !heldUntil(row, now) && !(row.last_error_class === AMBIGUOUS_CLASS && (row.status_at?.getTime() ?? 0) + ambiguousWait > now)
      );
      if (!sendable.length) return counters(documentId);

      // Quiet hours hold the whole batch with one write and one delayed job, not a job per delivery.
      const until = quietHold(runtime().config().broadcast.quietHours, announcement.urgency, new Date(now));
      if (until) {
        await settle(sendable, 'waiting');
        await dispatch().noteHold(documentId, channelId, 'quiet-hours', until);
        await scheduler.enqueueDeliveries(documentId, channelId, sendable.map((row) => Number(row.subscriber_id)), { round: `q${freshRound()}`, delayMs: until.getTime() - now });
        return;
      }

      const maxAttempts = runtime().config().broadcast.maxAttempts;
      let sentAny = false;
      let firstError: unknown;
      await Promise.all(
        sendable.map((row) =>
          slots(channelId).with(async () => {
            try {
              if (await sendTo(row, announcement, channelId, { attemptsMade: 0, maxAttempts, batched: true })) sentAny = true;
            } catch (error) {
              // An unexpected error (the database or Redis away for a moment): the others still go,
              // and this delivery gets a job of its own, where a claim it left makes it wait. The
              // batch is not run again: its other rows may already have jobs of their own (a
              // retry, a hold), which a rerun would overtake.
              strapi.log.warn(`[${PLUGIN_ID}] delivery ${row.id} on ${channelId}: ${maskedMessage(error)}; trying it again on its own`);
              await scheduler.retryAt(deliveryOf(row, documentId, channelId), Date.now() + runtime().config().broadcast.retryBaseDelayMs).catch(() => {
                // Without Redis the reconciler finds the open row later; the batch fails so bull tries too.
                firstError ??= error;
              });
            }
          })
        )
      );
      if (sentAny) await dispatch().sent(documentId, channelId);
      counters(documentId);
      if (firstError) throw firstError;
    },
  };
};
