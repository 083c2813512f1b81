import type { Core } from '@strapi/strapi';
import { DELIVERY_STATUS_RANK, JOB_NAMES, OPEN_DELIVERY_STATUSES, PLUGIN_ID, RECEIVED_DELIVERY_STATUSES, UID, type ChannelId, type DeliveryStatus, type Urgency } from '../constants';
import type { Channel, ChannelEvent, ClassifiedError } from '../channels/channel';
import { deliverBatchJobSchema, deliverJobSchema, freshRound, jobIds, type DeliverJob } from '../queue/jobs';
import type { RunningJob } from '../queue/job-queue';
import { getService } from '../utils/get-service';
import { reachMember, reachWindowKey, reachWindowMs } from './reach';
import { dbTimestamp, toDate } from '../utils/time';
import { afterWhatsappUnreachable } from '../subscribers/unreachable-hint';
import { isQuiet, quietHoursEnd } from '../utils/quiet-hours';
import { GroupCommit } from '../utils/group-commit';
import { SendSlots } from './send-slots';
import { isTransientDatabaseError, retryTransient } from '../utils/transient-db';
import { maskPersonalData, maskedMessage } from '../utils/log';
import { deliveryCounts } from '../stats/broadcast-totals';

export interface DeliveryRow {
  id: number;
  announcementDocumentId: string;
  subscriberId: number;
  channel: ChannelId;
  status: DeliveryStatus;
  attempts: number;
  /** Waits under an error's hold limit so far (Meta's marketing cap). */
  limitedHolds?: number;
  lastErrorCode: string | null;
  urgency?: Urgency | null;
  /** Sent with a template of the citizen's language (`templates.byLanguage`), not the main one. */
  languageTemplate?: boolean;
}

const OPEN_STATUSES: readonly string[] = OPEN_DELIVERY_STATUSES;

export interface DeliveryUpdate {
  status?: DeliveryStatus;
  providerMessageId?: string;
  attempts?: number;
  limitedHolds?: number;
  lastErrorCode?: string | null;
  lastErrorClass?: string | null;
  sentAt?: Date;
  statusAt?: Date;
  /** Until when a waiting delivery is held; every requeue honours it. */
  holdUntil?: Date | null;
}

/** A claim's stamp as written to `claimed_at` (what the send's outcome write matches). */
type ClaimStamp = Date | number;

/**
 * `lastErrorClass` of a delivery whose send may have gone out (timeout after the request left).
 * Whoever re-enqueues it (resume, the reconciler after Redis lost its jobs) must keep the wait.
 */
const AMBIGUOUS_CLASS = 'ambiguous';

/** How one send is counted against `broadcast.maxAttempts`, and who retries it. */
interface Attempt {
  /** Failed sends of this delivery before this one (in this job and the jobs before it). */
  attemptsMade: number;
  maxAttempts: number;
  /** A batch cannot ask the queue to rerun one delivery: it hands a retry to a job of its own. */
  batched: boolean;
}

/** A delivery and its recipient, read together right before sending. */
interface RecipientRow {
  id: number;
  subscriber_id: number;
  status: DeliveryStatus;
  attempts: number | null;
  limited_holds: number | null;
  last_error_class?: string | null;
  status_at?: unknown;
  hold_until?: unknown;
  subscriber_status: string | null;
  address: string | null;
  locale: string | null;
  marketing_stopped_at: unknown;
  undeliverable_at: unknown;
}

const RECIPIENT_COLUMNS = [
  'd.id',
  'd.subscriber_id',
  'd.status',
  'd.attempts',
  'd.limited_holds',
  'd.last_error_class',
  'd.status_at',
  'd.hold_until',
  's.status as subscriber_status',
  's.address',
  's.locale',
  's.marketing_stopped_at',
  's.undeliverable_at',
];

/** The delivery part of a recipient row, as the send and its verdicts use it. */
const deliveryOf = (row: RecipientRow, announcementDocumentId: string, channel: ChannelId, urgency: Urgency | null = null): DeliveryRow => ({
  id: row.id,
  announcementDocumentId,
  subscriberId: Number(row.subscriber_id),
  channel,
  status: row.status,
  attempts: Number(row.attempts ?? 0),
  limitedHolds: Number(row.limited_holds ?? 0),
  lastErrorCode: null,
  urgency,
});

/** Someone the news cannot reach any more: left, no address, or known unreachable on this channel. */
const unreachable = (row: Pick<RecipientRow, 'subscriber_status' | 'address' | 'marketing_stopped_at' | 'undeliverable_at'>) => row.subscriber_status !== 'active' || !row.address || Boolean(row.marketing_stopped_at) || Boolean(row.undeliverable_at);

interface SentRecord {
  id: number;
  providerMessageId: string;
  attempts: number;
  /** The send's own claim: a row whose claim is gone (a failed status came first, a hold) keeps what it has. */
  claimedAt: ClaimStamp;
}

/** A hold still this far away is not due: the job that meets it early leaves it to the job of its hold. */
const HOLD_TOLERANCE_MS = 1000;
const heldUntil = (row: { hold_until?: unknown }, nowMs: number) => {
  const until = toDate(row.hold_until);
  return until && until.getTime() > nowMs + HOLD_TOLERANCE_MS ? until : null;
};
/** A claim older than this is no send in flight any more (HTTP timeouts are seconds): a cancel may skip its row. */
const IN_FLIGHT_MAX_MS = 5 * 60_000;

/**
 * The per-recipient step: re-check, pace, send through the channel adapter, and act on the
 * adapter's classification of any error. Retry decisions come from that classification only.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const deliveries = () => strapi.db.query(UID.delivery);
  const runtime = () => getService(strapi, 'runtime');
  const announcements = () => getService(strapi, 'announcements');

  // Counters are recomputed at most once a second per announcement instead of on every message.
  const pendingRefresh = new Map<string, NodeJS.Timeout>();
  const scheduleCounterRefresh = (documentId: string) => {
    if (pendingRefresh.has(documentId)) return;
    const timer = setTimeout(() => {
      pendingRefresh.delete(documentId);
      getService(strapi, 'dispatch')
        .finishIfDone(documentId)
        .then(() => announcements().refreshCounters(documentId))
        .catch((error: Error) => strapi.log.warn(`[${PLUGIN_ID}] counters for ${documentId}: ${maskedMessage(error)}`));
    }, 1000);
    timer.unref();
    pendingRefresh.set(documentId, timer);
  };

  const deliveryTable = () => strapi.db.metadata.get(UID.delivery).tableName;
  const subscriberTable = () => strapi.db.metadata.get(UID.subscriber).tableName;

  const slotsByChannel = new Map<ChannelId, SendSlots>();
  const slots = (channel: ChannelId) => {
    let found = slotsByChannel.get(channel);
    if (!found) slotsByChannel.set(channel, (found = new SendSlots(runtime().config().broadcast.deliveryConcurrency)));
    return found;
  };

  /**
   * The subscribers of `subscriberIds` the news may still go to, read by primary key alone (with
   * their status in the WHERE, PostgreSQL's planner reached for the status index and read the
   * town; inside the claim's UPDATE as an EXISTS it cost 0.6 ms a message). Asked right before
   * a claim: someone who wrote STOP while their delivery waited for a send slot is not claimed,
   * however long ago their batch read them.
   */
  const reachableOf = async (subscriberIds: number[]): Promise<Set<number>> => {
    const rows = (await strapi.db
      .connection(subscriberTable())
      .select('id', 'status as subscriber_status', 'address', 'marketing_stopped_at', 'undeliverable_at')
      .whereIn('id', [...new Set(subscriberIds)])) as Array<Parameters<typeof unreachable>[0] & { id: number | string }>;
    return new Set(rows.filter((row) => !unreachable(row)).map((row) => Number(row.id)));
  };

  /**
   * Grouped writes touch many rows in one statement; on PostgreSQL two of them (a claim group and
   * a cancel's skip) can lock the same rows in different orders, and the database aborts one
   * (40P01, deadlock detected). The aborted one changed nothing and is simply run again.
   */
  const onceMoreOnDeadlock = async <T>(write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (error) {
      if ((error as { code?: string }).code !== '40P01') throw error;
      return write();
    }
  };

  /**
   * Claims of many sends in one statement (group commit). A delivery asked for twice in one
   * group is claimed for the first ask only: the second is a second job for the same row.
   */
  const claims = new GroupCommit<{ id: number; subscriberId: number }, ClaimStamp | null>(async (asks) => {
    const knex = strapi.db.connection;
    const stamp = dbTimestamp(strapi, new Date());
    const reachable = await reachableOf(asks.map((ask) => ask.subscriberId));
    const ids = asks.filter((ask) => reachable.has(ask.subscriberId)).map((ask) => ask.id);
    const fresh = () => knex(deliveryTable()).whereIn('status', OPEN_STATUSES).whereNull('claimed_at');
    let claimed: Set<number>;
    if (strapi.db.dialect.useReturning()) {
      const rows = ids.length ? ((await onceMoreOnDeadlock(() => fresh().whereIn('id', [...new Set(ids)]).update({ claimed_at: stamp, hold_until: null }, ['id']))) as Array<{ id: number | string } | number>) : [];
      claimed = new Set(rows.map((row) => Number(typeof row === 'object' ? row.id : row)));
    } else {
      // Without RETURNING (MySQL) a group cannot tell which rows it took: one statement each.
      claimed = new Set();
      for (const id of new Set(ids)) if (await fresh().where('id', id).update({ claimed_at: stamp, hold_until: null })) claimed.add(id);
    }
    return asks.map((ask) => (claimed.delete(ask.id) ? stamp : null));
  });

  /**
   * Sent outcomes of many sends in one statement (group commit): the provider's message ids go
   * in through one CASE. A fast provider's `delivered` webhook can land before this write; such
   * a row keeps its newer status and only gets the send's facts.
   */
  const sentRecords = new GroupCommit<SentRecord, void>(async (records) => {
    const knex = strapi.db.connection;
    const stamp = dbTimestamp(strapi, new Date());
    // One statement per (attempts, claim): the claims of one claim group share their stamp.
    const groups = new Map<string, SentRecord[]>();
    for (const record of records) {
      const key = `${record.attempts}:${+record.claimedAt}`;
      groups.set(key, [...(groups.get(key) ?? []), record]);
    }
    for (const group of groups.values()) {
      const { attempts, claimedAt } = group[0];
      const ids = group.map((record) => record.id);
      const messageIds = () => knex.raw(`CASE id ${group.map(() => 'WHEN ? THEN ?').join(' ')} END`, group.flatMap((record) => [record.id, record.providerMessageId]));
      const marked = await onceMoreOnDeadlock(() =>
        knex(deliveryTable())
          .whereIn('id', ids)
          .whereIn('status', OPEN_STATUSES)
          .where('claimed_at', claimedAt as never)
          .update({ status: 'sent', provider_message_id: messageIds(), attempts, sent_at: stamp, status_at: stamp, last_error_code: null, last_error_class: null, claimed_at: null, hold_until: null })
      );
      if (marked < ids.length) {
        // A status that came first (delivered, read, failed) wins; the row gets the send's facts only.
        await onceMoreOnDeadlock(() =>
          knex(deliveryTable()).whereIn('id', ids).whereNotIn('status', OPEN_STATUSES).where('claimed_at', claimedAt as never).update({ provider_message_id: messageIds(), attempts, sent_at: stamp, claimed_at: null })
        );
      }
    }
    return records.map(() => undefined);
  });

  /**
   * Raw knex on the hot path: the query engine's update reads the row back, which doubled the
   * cost of every message. Columns are the content type's attributes in snake_case.
   */
  const update = async (id: number, data: DeliveryUpdate, guard: 'any' | 'open' | 'open-unclaimed' = 'any') => {
    const row: Record<string, unknown> = {};
    if (data.status !== undefined) row.status = data.status;
    if (data.providerMessageId !== undefined) row.provider_message_id = data.providerMessageId;
    if (data.attempts !== undefined) row.attempts = data.attempts;
    if (data.limitedHolds !== undefined) row.limited_holds = data.limitedHolds;
    if (data.lastErrorCode !== undefined) row.last_error_code = data.lastErrorCode;
    if (data.lastErrorClass !== undefined) row.last_error_class = data.lastErrorClass;
    if (data.sentAt) row.sent_at = dbTimestamp(strapi, data.sentAt);
    if (data.statusAt) row.status_at = dbTimestamp(strapi, data.statusAt);
    if (data.holdUntil !== undefined) row.hold_until = data.holdUntil ? dbTimestamp(strapi, data.holdUntil) : null;
    // Every outcome (sent, failed, waiting, skipped) ends the send in flight.
    if (data.status !== undefined) row.claimed_at = null;
    const query = strapi.db.connection(deliveryTable()).where('id', id);
    if (guard !== 'any') query.whereIn('status', OPEN_STATUSES);
    // A row claimed by a send in flight elsewhere is that send's to settle.
    if (guard === 'open-unclaimed') query.whereNull('claimed_at');
    return query.update(row);
  };
  /** An outcome write: a transient database error is tried again, not taken for the send's failure. */
  const record = (id: number, data: DeliveryUpdate, guard: 'any' | 'open' | 'open-unclaimed' = 'any') => retryTransient(() => update(id, data, guard));

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

  const markRecipient = async (subscriberId: number, effect: ClassifiedError['recipientEffect'], channel: ChannelId) => {
    if (effect === 'withdrawn') {
      // The citizen closed the channel themselves (blocked the bot): recorded like a STOP.
      await getService(strapi, 'subscriptions').withdraw(subscriberId, `${channel}-blocked`);
    } else if (effect === 'marketing-stopped') {
      // 131050: the citizen stopped this business's marketing messages in WhatsApp. Town news is a
      // marketing template, so this is their withdrawal, in the consent ledger like the in-app stop
      // that arrives as a `user_preferences` webhook.
      await strapi.db.query(UID.subscriber).update({ where: { id: subscriberId }, data: { marketingStoppedAt: new Date() } });
      await getService(strapi, 'subscriptions').withdraw(subscriberId, `${channel}-marketing-stop`);
    } else if (effect === 'undeliverable') {
      await strapi.db.query(UID.subscriber).update({ where: { id: subscriberId }, data: { undeliverableAt: new Date() } });
      if (channel === 'whatsapp') await afterWhatsappUnreachable(strapi, subscriberId);
    }
  };

  return {
    scheduleCounterRefresh,

    async process(job: RunningJob) {
      const data = deliverJobSchema.parse(job.data);
      // One round trip for the delivery and its recipient, re-checked right before sending:
      // someone who wrote STOP a second ago gets nothing.
      const found = (await strapi.db
        .connection(`${deliveryTable()} as d`)
        .leftJoin(`${subscriberTable()} as s`, 's.id', 'd.subscriber_id')
        .where({ 'd.announcement_document_id': data.announcementDocumentId, 'd.subscriber_id': data.subscriberId, 'd.channel': data.channel })
        .first(...RECIPIENT_COLUMNS)) as RecipientRow | undefined;
      // Bull may run a job twice after a stall; a delivery that left `pending`/`waiting` is done.
      if (!found || !OPEN_STATUSES.includes(found.status)) return;
      // A hold not yet due (a job of an older round met it early): the job queued with the hold sends it.
      if (heldUntil(found, Date.now())) return;

      const byRun = await getService(strapi, 'dispatch').runAdmits(data.announcementDocumentId, data.channel);
      if (byRun.kind === 'skip') {
        await update(found.id, { status: 'skipped' }, 'open-unclaimed');
        return scheduleCounterRefresh(data.announcementDocumentId);
      }
      // A paused run (or news being unpublished) keeps its deliveries open without a job; resume or a re-publish enqueues them again.
      const announcement = byRun.kind === 'send' ? await findAnnouncement(data.announcementDocumentId) : null;
      if (!announcement) {
        await update(found.id, { status: 'waiting' }, 'open-unclaimed');
        return;
      }
      if (unreachable(found)) {
        await update(found.id, { status: 'skipped' }, 'open-unclaimed');
        return scheduleCounterRefresh(data.announcementDocumentId);
      }
      const attempt: Attempt = { attemptsMade: job.attemptsMade + (data.attemptsBefore ?? 0), maxAttempts: job.maxAttempts, batched: false };
      const sent = await slots(data.channel).with(() => this.sendTo(found, announcement, data.channel, attempt));
      if (sent) await getService(strapi, 'dispatch').sent(data.announcementDocumentId, data.channel);
      scheduleCounterRefresh(data.announcementDocumentId);
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
      const dispatch = getService(strapi, 'dispatch');
      const rows = (await strapi.db
        .connection(`${deliveryTable()} as d`)
        .leftJoin(`${subscriberTable()} as s`, 's.id', 'd.subscriber_id')
        .where({ 'd.announcement_document_id': documentId, 'd.channel': channelId })
        .whereIn('d.subscriber_id', data.subscriberIds)
        .whereIn('d.status', OPEN_STATUSES)
        .select(...RECIPIENT_COLUMNS)) as RecipientRow[];
      if (!rows.length) return;
      // A row claimed by a send in flight elsewhere keeps its claim (and with it the wait for that
      // send's status) when the batch is parked or held; the claim protocol settles it later.
      const settle = (chosen: RecipientRow[], status: DeliveryStatus) =>
        strapi.db.connection(deliveryTable()).whereIn('id', chosen.map((row) => row.id)).whereIn('status', OPEN_STATUSES).whereNull('claimed_at').update({ status });

      const byRun = await dispatch.runAdmits(documentId, channelId);
      if (byRun.kind === 'skip') {
        await settle(rows, 'skipped');
        return scheduleCounterRefresh(documentId);
      }
      const announcement = byRun.kind === 'send' ? await findAnnouncement(documentId) : null;
      if (!announcement) {
        await settle(rows, 'waiting');
        return;
      }
      const gone = rows.filter(unreachable);
      if (gone.length) await settle(gone, 'skipped');
      const now = Date.now();
      const ambiguousWait = dispatch.ambiguousWaitMs(channelId, announcement.urgency);
      // A send that may have gone out has a delayed job of its own for when its wait is over;
      // a batch run again after a crash must not send it sooner.
      // So must a delivery held until later (131049's 24 hours): its hold's own job sends it.
      const sendable = rows.filter(
        (row) => !unreachable(row) && !heldUntil(row, now) && !(row.last_error_class === AMBIGUOUS_CLASS && (toDate(row.status_at)?.getTime() ?? 0) + ambiguousWait > now)
      );
      if (!sendable.length) return scheduleCounterRefresh(documentId);

      // Quiet hours hold the whole batch with one write and one delayed job, not a job per delivery.
      const quiet = runtime().config().broadcast.quietHours;
      if (announcement.urgency !== 'emergency' && isQuiet(quiet, new Date(now))) {
        const until = quietHoursEnd(quiet, new Date(now));
        await settle(sendable, 'waiting');
        await dispatch.noteHold(documentId, channelId, 'quiet-hours', until);
        await this.enqueueDeliveries(documentId, channelId, sendable.map((row) => Number(row.subscriber_id)), { round: `q${freshRound()}`, delayMs: until.getTime() - now });
        return;
      }

      const maxAttempts = runtime().config().broadcast.maxAttempts;
      let sentAny = false;
      let firstError: unknown;
      await Promise.all(
        sendable.map((row) =>
          slots(channelId).with(async () => {
            try {
              if (await this.sendTo(row, announcement, channelId, { attemptsMade: 0, maxAttempts, batched: true })) sentAny = true;
            } catch (error) {
              // An unexpected error (the database or Redis away for a moment): the others still go,
              // and this delivery gets a job of its own, where a claim it left makes it wait. The
              // batch is not run again: its other rows may already have jobs of their own (a
              // retry, a hold), which a rerun would overtake.
              strapi.log.warn(`[${PLUGIN_ID}] delivery ${row.id} on ${channelId}: ${maskedMessage(error)}; trying it again on its own`);
              await this.retryAt(deliveryOf(row, documentId, channelId), Date.now() + runtime().config().broadcast.retryBaseDelayMs).catch(() => {
                // Without Redis the reconciler finds the open row later; the batch fails so bull tries too.
                firstError ??= error;
              });
            }
          })
        )
      );
      if (sentAny) await dispatch.sent(documentId, channelId);
      scheduleCounterRefresh(documentId);
      if (firstError) throw firstError;
    },

    /**
     * One delivery, holding a send slot: the run's word, the claim, quiet hours and the reach
     * window, then the send and its outcome. Answers whether the message went out.
     */
    async sendTo(
      found: RecipientRow,
      announcement: NonNullable<Awaited<ReturnType<typeof findAnnouncement>>>,
      channelId: ChannelId,
      attempt: Attempt
    ): Promise<boolean> {
      const dispatch = getService(strapi, 'dispatch');
      const documentId = announcement.documentId;
      const subscriberId = Number(found.subscriber_id);
      // The run may have been paused, cancelled or stopped while this delivery waited for its slot.
      const byRun = await dispatch.runAdmits(documentId, channelId);
      if (byRun.kind !== 'send') {
        await update(found.id, { status: byRun.kind === 'skip' ? 'skipped' : 'waiting' }, 'open-unclaimed');
        return false;
      }
      const delivery = deliveryOf(found, documentId, channelId, announcement.urgency);
      const subscriber = { id: subscriberId, address: found.address as string, locale: found.locale };

      // The row is claimed before the request: a claim found later (a crash, a second job) is a send that may have gone out.
      const claim = await this.claim(delivery.id, subscriberId, dispatch.ambiguousWaitMs(channelId, announcement.urgency));
      if (!claim.claimed) {
        // STOP (or a bounce) since the row was read: nothing is sent, and the numbers add up.
        if (claim.unreachable) await update(delivery.id, { status: 'skipped' }, 'open-unclaimed');
        else if (claim.retryAtMs) await this.retryAt(delivery, claim.retryAtMs);
        return false;
      }

      const admission = await dispatch.admit(documentId, channelId, subscriber.id, announcement.urgency);
      if (admission.kind === 'hold') {
        // Quiet hours and the reach window are asked again at every send (and follow a config
        // change), so their hold needs no until-time on the row.
        await this.hold(delivery, admission.untilMs, {}, false);
        return false;
      }
      const channel = runtime().channels().get(channelId);
      // A follow-up names the news it continues; its e-mail threads under this citizen's earlier mails.
      const followUp = await getService(strapi, 'follow-ups').contextOf(announcement);
      const threadMessageIds = followUp && channelId === 'email' ? await this.threadMessageIds(announcement, subscriber.id) : undefined;
      // Languages: the citizen's version of the news (server/src/languages/), and their language for the channel's own words.
      const { content, language } = announcements().contentFor(announcement, subscriber.locale, followUp);
      delivery.languageTemplate = channelId === 'whatsapp' && Boolean(language && runtime().config().channels.whatsapp.templates.byLanguage[language]?.announcement);

      return this.send(channel, delivery, attempt, claim.stamp, () =>
        channel.send({
          kind: 'announcement',
          to: subscriber.address,
          deliveryRef: `d:${delivery.id}`,
          content,
          ...(threadMessageIds?.length ? { threadMessageIds } : {}),
          unsubscribeToken: getService(strapi, 'subscriptions').unsubscribeToken(subscriber.id),
          manageToken: getService(strapi, 'subscriptions').manageToken(subscriber.id),
          locale: language,
        })
      );
    },

    /** The Message-IDs of the thread's earlier mails this subscriber received, oldest first. */
    async threadMessageIds(announcement: { documentId: string; updateOf?: string | null }, subscriberId: number): Promise<string[]> {
      const documentIds = await announcements().threadDocumentIds(announcement);
      const rows = (await strapi.db.connection(deliveryTable())
        .select('provider_message_id')
        .whereIn('announcement_document_id', documentIds)
        .where({ subscriber_id: subscriberId, channel: 'email' })
        .whereIn('status', [...RECEIVED_DELIVERY_STATUSES])
        .whereNotNull('provider_message_id')
        .orderBy('sent_at', 'asc')
        .orderBy('id', 'asc')) as Array<{ provider_message_id: string }>;
      return rows.map((row) => row.provider_message_id);
    },

    /**
     * Claims the row for one send. A claim that is already there belongs to a send in flight
     * (another job) or to one cut off by a crash: either may have reached the provider, so it
     * waits `waitMs` from the claim for the status webhook (which settles the row) before the
     * claim is taken over and the message sent again.
     */
    async claim(id: number, subscriberId: number, waitMs: number): Promise<{ claimed: true; stamp: ClaimStamp } | { claimed: false; retryAtMs?: number; unreachable?: boolean }> {
      const knex = strapi.db.connection;
      const stamp = await claims.submit({ id, subscriberId });
      if (stamp !== null) return { claimed: true, stamp };
      const now = new Date();
      const row = (await knex(deliveryTable()).where('id', id).first('status', 'claimed_at', 'subscriber_id')) as { status: string; claimed_at: unknown; subscriber_id: number } | undefined;
      if (!row || !OPEN_STATUSES.includes(row.status)) return { claimed: false };
      if (!(await reachableOf([Number(row.subscriber_id)])).size) return { claimed: false, unreachable: true };
      const since = toDate(row.claimed_at);
      if (!since) return { claimed: false, retryAtMs: now.getTime() + 1000 };
      if (since.getTime() + waitMs > now.getTime()) return { claimed: false, retryAtMs: since.getTime() + waitMs };
      const takeOver = dbTimestamp(strapi, now);
      const taken = await knex(deliveryTable()).where('id', id).whereIn('status', OPEN_STATUSES).where('claimed_at', row.claimed_at as never).update({ claimed_at: takeOver, hold_until: null });
      if (taken) strapi.log.info(`[${PLUGIN_ID}] delivery ${id}: no status for a send in flight since ${since.toISOString()}; sending again`);
      return taken ? { claimed: true, stamp: takeOver } : { claimed: false, retryAtMs: now.getTime() + 1000 };
    },

    /** Runs this delivery again at `untilMs` without touching its row (someone else's send is in flight). */
    async retryAt(delivery: DeliveryRow, untilMs: number) {
      await this.queueAlone(delivery, 'c', untilMs - Date.now());
    },

    /** A job of its own for one delivery, in a fresh round (`c` a claim's wait, `h` a hold, `r` a retry). */
    async queueAlone(delivery: DeliveryRow, roundKind: 'c' | 'h' | 'r', delayMs: number, attemptsBefore?: number) {
      const data: DeliverJob = {
        announcementDocumentId: delivery.announcementDocumentId,
        subscriberId: delivery.subscriberId,
        channel: delivery.channel,
        ...(attemptsBefore ? { attemptsBefore } : {}),
      };
      await runtime()
        .queue()
        .add(delivery.channel, { name: JOB_NAMES.deliver, id: jobIds.deliver(data, `${roundKind}${freshRound()}`), data, delayMs: Math.max(0, Math.round(delayMs)) });
    },

    /**
     * A temporary error in a batch: the delivery gets a delayed job of its own, which goes on
     * counting its attempts, with the backoff the queue would have used (`retryBaseDelayMs`,
     * doubling, with jitter).
     */
    async retryAlone(delivery: DeliveryRow, attemptsBefore: number) {
      const exponential = runtime().config().broadcast.retryBaseDelayMs * 2 ** Math.max(0, attemptsBefore - 1);
      await this.queueAlone(delivery, 'r', exponential / 2 + Math.random() * (exponential / 2), attemptsBefore);
    },

    /**
     * Waiting is not failing: the delivery goes back to `waiting` and a fresh job, delayed until
     * `untilMs`, takes over; this job completes, so no attempt is used up.
     */
    async hold(delivery: DeliveryRow, untilMs: number, outcome: DeliveryUpdate = {}, keepUntil = true) {
      await record(delivery.id, { ...outcome, status: 'waiting', ...(keepUntil ? { holdUntil: new Date(untilMs) } : {}) });
      await this.queueAlone(delivery, 'h', untilMs - Date.now());
    },

    /**
     * Sends once and records the outcome; answers whether the message went out. Only the
     * provider call goes through the channel's error classifier: the outcome write after it is
     * the database's business (see `recordSent`). A single job throws only to ask the queue for
     * a retry; a batch hands the retry to a job of its own.
     */
    async send(channel: Channel, delivery: DeliveryRow, attempt: Attempt, claimedAt: ClaimStamp, sendOnce: () => Promise<{ providerMessageId: string }>): Promise<boolean> {
      const attempts = delivery.attempts + 1;
      let providerMessageId: string;
      try {
        ({ providerMessageId } = await sendOnce());
      } catch (error) {
        return this.failedSend(channel, delivery, attempt, attempts, error);
      }
      await this.recordSent(channel, delivery, { id: delivery.id, providerMessageId, attempts, claimedAt });
      return true;
    },

    /**
     * The provider took the message: the row must say so. A transient database error is tried
     * again with the claim kept. If the row still cannot be written, the claim stays on it, and
     * the claim is what every later job reads as "a send that may have gone out": it waits the
     * ambiguous wait for the status webhook before anything is sent again. Never "send now".
     */
    async recordSent(channel: Channel, delivery: DeliveryRow, sent: SentRecord) {
      try {
        await retryTransient(() => sentRecords.submit(sent));
      } catch (error) {
        const waitMs = getService(strapi, 'dispatch').ambiguousWaitMs(channel.id, delivery.urgency ?? null);
        strapi.log.error(
          `[${PLUGIN_ID}] delivery ${delivery.id} on ${channel.id}: sent, but the outcome could not be written (${isTransientDatabaseError(error) ? 'database busy' : maskedMessage(error)}); it waits ${Math.round(waitMs / 1000)} s for its status before any new send`
        );
        await this.retryAt(delivery, Date.now() + waitMs).catch(() => undefined);
      }
    },

    /** The provider refused or did not answer: the channel's classification decides what follows. */
    async failedSend(channel: Channel, delivery: DeliveryRow, attempt: Attempt, attempts: number, error: unknown): Promise<false> {
      const classified = channel.classifyError(error);
      const outcome = { attempts, lastErrorCode: classified.code, lastErrorClass: classified.errorClass };
      strapi.log.warn(`[${PLUGIN_ID}] delivery ${delivery.id} on ${channel.id}: ${classified.errorClass} ${classified.code} ${maskPersonalData(classified.message)}`);
      const dispatch = getService(strapi, 'dispatch');
      const limitedHolds = delivery.limitedHolds ?? 0;
      const verdict = dispatch.verdict(classified, attempt.attemptsMade, attempt.maxAttempts, dispatch.ambiguousWaitMs(channel.id, delivery.urgency ?? null), limitedHolds);
      switch (verdict.kind) {
        case 'retry':
          await record(delivery.id, { ...outcome, status: 'waiting' });
          if (!attempt.batched) throw error;
          await this.retryAlone(delivery, attempt.attemptsMade + 1);
          return false;
        case 'hold':
          if (verdict.ambiguous) await this.hold(delivery, verdict.untilMs, { ...outcome, lastErrorClass: AMBIGUOUS_CLASS, statusAt: new Date() });
          else await this.hold(delivery, verdict.untilMs, verdict.limited ? { ...outcome, limitedHolds: limitedHolds + 1 } : outcome);
          return false;
        case 'failed':
          await record(delivery.id, {
            ...outcome,
            ...(verdict.code ? { lastErrorCode: verdict.code } : {}),
            ...(verdict.errorClass ? { lastErrorClass: verdict.errorClass } : {}),
            status: 'failed',
            statusAt: new Date(),
          });
          await markRecipient(delivery.subscriberId, verdict.recipientEffect, channel.id);
          return false;
        case 'failed-announcement':
          if (delivery.languageTemplate) {
            // Only this language's template was refused (not approved yet): its citizens wait for
            // "Retry failed" after the fix; everyone else's template works and the run goes on.
            await record(delivery.id, { ...outcome, status: 'failed', statusAt: new Date() });
            return false;
          }
          // The message itself was refused (a template error): nobody is given up on. The
          // delivery waits with the run, which pauses with the reason until the town fixes it.
          await record(delivery.id, { ...outcome, status: 'waiting', statusAt: new Date() });
          await dispatch.runRejected(delivery.announcementDocumentId, channel.id, classified.code);
          return false;
        case 'stop-channel':
          await record(delivery.id, { ...outcome, status: 'waiting' });
          await dispatch.channelStopped(channel.id, classified);
          return false;
      }
    },

    /**
     * Enqueues the open deliveries of an announcement (on `channels`, or all) in a fresh round:
     * resume, retry and config changes. A send that may have gone out keeps waiting for its
     * status webhook: re-enqueuing is no reason to send it a second time sooner.
     */
    async requeueOpen(announcementDocumentId: string, { channels, delayMs = 0 }: { channels?: ChannelId[]; delayMs?: number } = {}) {
      await this.enqueueOpen(announcementDocumentId, channels, delayMs, () => true);
    },

    /** The reconciler's part: open deliveries of a moving run whose job is gone (no round of it is live) get a fresh one. */
    async requeueOrphans(announcementDocumentId: string, channel: ChannelId, isLive: (job: DeliverJob) => boolean) {
      await this.enqueueOpen(announcementDocumentId, [channel], 0, (data) => !isLive(data));
    },

    async enqueueOpen(announcementDocumentId: string, channels: ChannelId[] | undefined, givenDelayMs: number, wanted: (data: DeliverJob) => boolean) {
      // A hold whose time has passed is no delay (and its deliveries still travel in batches).
      const delayMs = Math.max(0, givenDelayMs);
      const round = freshRound();
      const urgency = (await announcements().findPublished(announcementDocumentId))?.urgency ?? null;
      let cursor = 0;
      for (;;) {
        const query = strapi.db
          .connection(deliveryTable())
          .select('id', 'subscriber_id', 'channel', 'last_error_class', 'status_at', 'hold_until')
          .where('announcement_document_id', announcementDocumentId)
          .whereIn('status', OPEN_DELIVERY_STATUSES)
          .where('id', '>', cursor)
          .orderBy('id')
          .limit(1000);
        if (channels) query.whereIn('channel', channels);
        const rows: Array<{ id: number; subscriber_id: number; channel: ChannelId; last_error_class: string | null; status_at: unknown; hold_until: unknown }> = await query;
        if (!rows.length) break;
        cursor = rows[rows.length - 1].id;
        // Deliveries that may go at `delayMs` travel in batches; a send that may have gone out,
        // and a delivery held until later (a provider's wait, quiet hours, the reach window),
        // waits out its own time in a job of its own.
        const together = new Map<ChannelId, number[]>();
        const alone = new Map<ChannelId, Array<{ data: DeliverJob; delayMs: number }>>();
        const now = Date.now();
        for (const row of rows) {
          const data: DeliverJob = { announcementDocumentId, subscriberId: Number(row.subscriber_id), channel: row.channel };
          if (!wanted(data)) continue;
          const ambiguousSince = row.last_error_class === AMBIGUOUS_CLASS ? toDate(row.status_at) : null;
          const ambiguousWait = getService(strapi, 'dispatch').ambiguousWaitMs(row.channel, urgency);
          const holdUntil = toDate(row.hold_until);
          const wait = Math.max(delayMs, ambiguousSince ? ambiguousSince.getTime() + ambiguousWait - now : 0, holdUntil ? holdUntil.getTime() - now : 0);
          if (wait === delayMs) together.set(row.channel, [...(together.get(row.channel) ?? []), data.subscriberId]);
          else alone.set(row.channel, [...(alone.get(row.channel) ?? []), { data, delayMs: wait }]);
        }
        for (const [channel, subscriberIds] of together) await this.enqueueDeliveries(announcementDocumentId, channel, subscriberIds, { round, delayMs });
        for (const [channel, jobs] of alone) {
          await runtime()
            .queue()
            .addBulk(channel, jobs.map(({ data, delayMs: wait }) => ({ name: JOB_NAMES.deliver, id: jobIds.deliver(data, round), data, delayMs: wait })));
        }
      }
    },

    /**
     * Queues the deliveries of `subscriberIds` on one channel: in jobs of `deliveryBatchSize`
     * (one job for a single delivery when the size is 1). Without a round the ids are
     * deterministic, so fan-out adding the same page twice queues it once.
     */
    async enqueueDeliveries(announcementDocumentId: string, channel: ChannelId, subscriberIds: number[], { round, delayMs = 0 }: { round?: string; delayMs?: number } = {}) {
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
    },

    /**
     * Skips every open delivery (of one channel, or all), so the rows add up; jobs that are
     * still queued find their delivery skipped and do nothing.
     */
    async skipOpen(announcementDocumentId: string, channel?: ChannelId) {
      // A send in flight keeps its row: its own outcome says whether the message went out (a job
      // after a failed send finds the run over and skips it then). A claim this old is no send in flight.
      const inFlightSince = dbTimestamp(strapi, new Date(Date.now() - IN_FLIGHT_MAX_MS));
      const query = () => {
        const open = strapi.db
          .connection(deliveryTable())
          .where('announcement_document_id', announcementDocumentId)
          .whereIn('status', OPEN_DELIVERY_STATUSES)
          .where((unclaimed) => unclaimed.whereNull('claimed_at').orWhere('claimed_at', '<', inFlightSince as never));
        return channel ? open.where('channel', channel) : open;
      };
      // Slots booked in the reach window for these recipients are given back, so later news is not held behind them.
      const held = (await query().clone().select('subscriber_id', 'channel').where('status', 'waiting')) as Array<{ subscriber_id: number; channel: ChannelId }>;
      await query().update({ status: 'skipped', claimed_at: null, hold_until: null });
      for (const limited of runtime().channels().enabled().filter((adapter) => adapter.dailyRecipientLimit)) {
        const members = held.filter((row) => row.channel === limited.id).map((row) => reachMember(Number(row.subscriber_id)));
        if (members.length) await runtime().limits().releaseBookings(reachWindowKey(limited.id), members).catch(() => undefined);
      }
    },

    /** Open, failed and all deliveries per channel: whether a run is finished. */
    async countByChannel(announcementDocumentId: string): Promise<Map<ChannelId, { open: number; failed: number; total: number }>> {
      // With retention's tallies of deleted rows: a run's numbers stay true after its records go.
      const rows = await deliveryCounts(strapi, announcementDocumentId);
      const counts = new Map<ChannelId, { open: number; failed: number; total: number }>();
      for (const row of rows) {
        const entry = counts.get(row.channel) ?? { open: 0, failed: 0, total: 0 };
        const n = row.count;
        entry.total += n;
        if (OPEN_STATUSES.includes(row.status)) entry.open += n;
        if (row.status === 'failed') entry.failed += n;
        counts.set(row.channel, entry);
      }
      return counts;
    },

    /** Failed deliveries whose recipient is still reachable get another attempt. */
    async reopenFailed(announcementDocumentId: string): Promise<{ count: number; channels: ChannelId[] }> {
      const where = { announcementDocumentId, status: 'failed', lastErrorClass: { $ne: 'permanent-recipient' } };
      const channels = [...new Set(((await deliveries().findMany({ where, select: ['channel'] })) as Array<{ channel: ChannelId }>).map((row) => row.channel))];
      const result = (await deliveries().updateMany({ where, data: { status: 'pending', lastErrorCode: null, lastErrorClass: null } })) as { count: number };
      return { count: result.count, channels };
    },

    /**
     * Applies a batch of provider status webhooks with a handful of set-based queries, so a
     * 1,000-status webhook does not hold the event loop. Idempotent and monotonic: each UPDATE
     * only matches rows whose stored status ranks below the new one, so duplicates and late
     * arrivals are no-ops.
     */
    async applyStatuses(channelId: ChannelId, events: Array<Extract<ChannelEvent, { type: 'status' }>>) {
      if (!events.length) return;
      const table = strapi.db.metadata.get(UID.delivery).tableName;
      const knex = strapi.db.connection;
      type Row = { id: number; provider_message_id: string | null; announcement_document_id: string; subscriber_id: number };
      const byProviderId = new Map<string, Row>();
      const byId = new Map<number, Row>();
      const providerIds = [...new Set(events.map((event) => event.providerMessageId))];
      for (let i = 0; i < providerIds.length; i += 500) {
        const rows: Row[] = await knex(table)
          .select('id', 'provider_message_id', 'announcement_document_id', 'subscriber_id')
          .where('channel', channelId)
          .whereIn('provider_message_id', providerIds.slice(i, i + 500));
        for (const row of rows) if (row.provider_message_id) byProviderId.set(row.provider_message_id, row);
      }
      // A send that timed out has no provider id yet; the echoed delivery reference finds it.
      const refIds = events
        .filter((event) => !byProviderId.has(event.providerMessageId) && event.deliveryRef?.startsWith('d:'))
        .map((event) => Number(event.deliveryRef!.slice(2)))
        .filter(Number.isInteger);
      if (refIds.length) {
        const rows: Row[] = await knex(table).select('id', 'provider_message_id', 'announcement_document_id', 'subscriber_id').where('channel', channelId).whereIn('id', refIds);
        for (const row of rows) byId.set(row.id, row);
      }

      const touched = new Set<string>();
      // Oldest first, so a batch holding `sent` and `read` for one message ends on `read`.
      for (const event of [...events].sort((a, b) => a.at.getTime() - b.at.getTime())) {
        const row = byProviderId.get(event.providerMessageId) ?? (event.deliveryRef ? byId.get(Number(event.deliveryRef.slice(2))) : undefined);
        if (!row) continue;
        if (event.status === 'failed' && event.error?.holdLimit) {
          if (await this.holdAfterFailedStatus(channelId, row, event.providerMessageId, event.error, event.at)) touched.add(row.announcement_document_id);
          continue;
        }
        const lower = (Object.keys(DELIVERY_STATUS_RANK) as Array<keyof typeof DELIVERY_STATUS_RANK>).filter(
          (status) => DELIVERY_STATUS_RANK[status] < DELIVERY_STATUS_RANK[event.status]
        );
        const data: Record<string, unknown> = { status: event.status, status_at: dbTimestamp(strapi, event.at) };
        if (!row.provider_message_id) data.provider_message_id = event.providerMessageId;
        if (event.error) {
          data.last_error_code = event.error.code;
          data.last_error_class = event.error.errorClass;
        }
        const changed = await knex(table).where('id', row.id).whereIn('status', lower).update(data);
        if (changed) {
          touched.add(row.announcement_document_id);
          if (event.status === 'failed' && event.error) await markRecipient(row.subscriber_id, event.error.recipientEffect, channelId);
        }
      }
      for (const documentId of touched) scheduleCounterRefresh(documentId);
    },

    /**
     * A failure with a limited wait (Meta's marketing cap, 131049) that the provider reported in a
     * status webhook after accepting the send: the same verdict as in the send's answer. The
     * delivery waits and a fresh delayed job sends it again, counted on `limitedHolds`; once the
     * waits are used up it ends with the limit's code. Only the report of the send on record
     * counts (the row is `sent`, or `pending` with the send still unanswered), so Meta resending
     * the webhook, or an old report arriving after the next send, changes nothing.
     */
    async holdAfterFailedStatus(channelId: ChannelId, row: { id: number; announcement_document_id: string; subscriber_id: number }, providerMessageId: string, error: ClassifiedError, at: Date) {
      const knex = strapi.db.connection;
      const current = (await knex(deliveryTable()).where('id', row.id).first('status', 'limited_holds', 'provider_message_id')) as
        | { status: DeliveryStatus; limited_holds: number | null; provider_message_id: string | null }
        | undefined;
      if (!current || !['pending', 'sent'].includes(current.status)) return false;
      if (current.provider_message_id && current.provider_message_id !== providerMessageId) return false;
      const dispatch = getService(strapi, 'dispatch');
      const limitedHolds = Number(current.limited_holds ?? 0);
      const verdict = dispatch.verdict(error, 0, 1, 0, limitedHolds);
      const data: Record<string, unknown> = { last_error_code: error.code, last_error_class: error.errorClass, status_at: dbTimestamp(strapi, at), claimed_at: null };
      if (!current.provider_message_id) data.provider_message_id = providerMessageId;
      const guarded = () => {
        const query = knex(deliveryTable()).where('id', row.id).where('status', current.status);
        return current.limited_holds === null ? query.whereNull('limited_holds') : query.where('limited_holds', current.limited_holds);
      };
      if (verdict.kind === 'hold') {
        if (!(await guarded().update({ ...data, status: 'waiting', limited_holds: limitedHolds + 1, hold_until: dbTimestamp(strapi, new Date(verdict.untilMs)) }))) return false;
        const delivery: DeliveryRow = { id: row.id, announcementDocumentId: row.announcement_document_id, subscriberId: row.subscriber_id, channel: channelId, status: 'waiting', attempts: 0, lastErrorCode: error.code };
        await dispatch.reopenedForWait(row.announcement_document_id, channelId, new Date(verdict.untilMs));
        await this.retryAt(delivery, verdict.untilMs);
        strapi.log.info(`[${PLUGIN_ID}] delivery ${row.id} on ${channelId}: ${error.code} reported later; waiting until ${new Date(verdict.untilMs).toISOString()}`);
        return true;
      }
      const failed = verdict.kind === 'failed' ? verdict : undefined;
      const changed = await guarded().update({
        ...data,
        ...(failed?.code ? { last_error_code: failed.code } : {}),
        ...(failed?.errorClass ? { last_error_class: failed.errorClass } : {}),
        status: 'failed',
      });
      if (changed && failed) await markRecipient(row.subscriber_id, failed.recipientEffect, channelId);
      return Boolean(changed);
    },

    /**
     * After Redis lost its data the reach window would start empty and let a channel reach its
     * daily limit a second time. The delivery rows know who was sent to in the last 24 hours, so
     * the window is rebuilt from them once per Redis lifetime (the reconciler asks at startup and
     * every minute). Confirmation templates leave no delivery row and are not rebuilt.
     */
    async rebuildReachWindows() {
      for (const channel of runtime().channels().enabled()) {
        if (!channel.dailyRecipientLimit) continue;
        const seeded = await runtime()
          .limits()
          .seedWindowOnce(reachWindowKey(channel.id), reachWindowMs(runtime().config()), async () => {
            const rows = (await strapi.db
              .connection(deliveryTable())
              .select('subscriber_id')
              .max({ sent_at: 'sent_at' })
              .where('channel', channel.id)
              .where('sent_at', '>=', dbTimestamp(strapi, new Date(Date.now() - reachWindowMs(runtime().config()))))
              .groupBy('subscriber_id')) as Array<{ subscriber_id: number; sent_at: unknown }>;
            return rows.flatMap((row) => {
              const at = toDate(row.sent_at);
              return at ? [{ member: reachMember(Number(row.subscriber_id)), atMs: at.getTime() }] : [];
            });
          });
        if (seeded) strapi.log.info(`[${PLUGIN_ID}] ${channel.id}: daily reach window rebuilt from ${seeded} deliveries of the last 24 hours`);
      }
    },

    stop() {
      for (const timer of pendingRefresh.values()) clearTimeout(timer);
      pendingRefresh.clear();
    },
  };
};
