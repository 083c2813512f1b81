import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, UID, type ChannelId } from '../constants';
import type { Channel, ClassifiedError } from '../channels/channel';
import { getService } from '../utils/get-service';
import { afterWhatsappUnreachable } from '../subscribers/unreachable-hint';
import { isTransientDatabaseError, retryTransient } from '../utils/transient-db';
import { maskPersonalData, maskedMessage } from '../utils/log';
import { ambiguousWaitMs, verdict } from '../dispatch/policy';
import { deliveriesStore, type ClaimStamp, type SentRecord } from './deliveries.store';
import { AMBIGUOUS_CLASS, OPEN_STATUSES, type DeliveryRow } from './recipients';
import { deliveryScheduler } from './scheduler';

/** How one send is counted against `broadcast.maxAttempts`, and who retries it. */
export interface Attempt {
  /** Failed sends of this delivery before this one (in this job and the jobs before it). */
  attemptsMade: number;
  maxAttempts: number;
  /** A batch cannot ask the queue to rerun one delivery: it hands a retry to a job of its own. */
  batched: boolean;
}

/** What a failed send or a failed receipt means for the citizen: a STOP, a marketing stop, an unreachable number. */
export const markRecipient = async (strapi: Core.Strapi, subscriberId: number, effect: ClassifiedError['recipientEffect'], channel: ChannelId) => {
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

/**
 * The claim before a send and the outcome after it: the send pipeline's record step. Only the
 * provider call goes through the channel's error classifier; what follows a failure is the pure
 * policy's verdict; a run-level consequence (a template error, a stopped channel) is reported
 * to dispatch through its narrow outcome functions.
 */
export const sendOutcome = (strapi: Core.Strapi) => {
  const runtime = () => getService(strapi, 'runtime');
  const store = () => deliveriesStore(strapi);
  const scheduler = deliveryScheduler(strapi);
  const waitOf = (channel: ChannelId, delivery: DeliveryRow) => ambiguousWaitMs(runtime().config().broadcast, channel, delivery.urgency ?? null);

  /**
   * The provider took the message: the row must say so. A transient database error is tried
   * again with the claim kept. If the row still cannot be written, the claim stays on it, and
   * the claim is what every later job reads as "a send that may have gone out": it waits the
   * ambiguous wait for the status webhook before anything is sent again. Never "send now".
   */
  const recordSent = async (channel: Channel, delivery: DeliveryRow, sent: SentRecord) => {
    try {
      await retryTransient(() => store().recordSent(sent));
    } catch (error) {
      const waitMs = waitOf(channel.id, delivery);
      strapi.log.error(
        `[${PLUGIN_ID}] delivery ${delivery.id} on ${channel.id}: sent, but the outcome could not be written (${isTransientDatabaseError(error) ? 'database busy' : maskedMessage(error)}); it waits ${Math.round(waitMs / 1000)} s for its status before any new send`
      );
      await scheduler.retryAt(delivery, Date.now() + waitMs).catch(() => undefined);
    }
  };

  /** The provider refused or did not answer: the channel's classification decides what follows. */
  const failedSend = async (channel: Channel, delivery: DeliveryRow, attempt: Attempt, attempts: number, error: unknown): Promise<false> => {
    const classified = channel.classifyError(error);
    const outcome = { attempts, lastErrorCode: classified.code, lastErrorClass: classified.errorClass };
    strapi.log.warn(`[${PLUGIN_ID}] delivery ${delivery.id} on ${channel.id}: ${classified.errorClass} ${classified.code} ${maskPersonalData(classified.message)}`);
    const limitedHolds = delivery.limitedHolds ?? 0;
    const decided = verdict(classified, attempt.attemptsMade, attempt.maxAttempts, waitOf(channel.id, delivery), limitedHolds);
    switch (decided.kind) {
      case 'retry':
        await store().record(delivery.id, { ...outcome, status: 'waiting' });
        if (!attempt.batched) throw error;
        await scheduler.retryAlone(delivery, attempt.attemptsMade + 1);
        return false;
      case 'hold':
        if (decided.ambiguous) await scheduler.hold(delivery, decided.untilMs, { ...outcome, lastErrorClass: AMBIGUOUS_CLASS, statusAt: new Date() });
        else await scheduler.hold(delivery, decided.untilMs, decided.limited ? { ...outcome, limitedHolds: limitedHolds + 1 } : outcome);
        return false;
      case 'failed':
        await store().record(delivery.id, {
          ...outcome,
          ...(decided.code ? { lastErrorCode: decided.code } : {}),
          ...(decided.errorClass ? { lastErrorClass: decided.errorClass } : {}),
          status: 'failed',
          statusAt: new Date(),
        });
        await markRecipient(strapi, delivery.subscriberId, decided.recipientEffect, channel.id);
        return false;
      case 'failed-announcement':
        if (delivery.languageTemplate) {
          // Only this language's template was refused (not approved yet): its citizens wait for
          // "Retry failed" after the fix; everyone else's template works and the run goes on.
          await store().record(delivery.id, { ...outcome, status: 'failed', statusAt: new Date() });
          return false;
        }
        // The message itself was refused (a template error): nobody is given up on. The
        // delivery waits with the run, which pauses with the reason until the town fixes it.
        await store().record(delivery.id, { ...outcome, status: 'waiting', statusAt: new Date() });
        await getService(strapi, 'dispatch').runRejected(delivery.announcementDocumentId, channel.id, classified.code);
        return false;
      case 'stop-channel':
        await store().record(delivery.id, { ...outcome, status: 'waiting' });
        await getService(strapi, 'dispatch').channelStopped(channel.id, classified);
        return false;
    }
  };

  return {
    recordSent,
    failedSend,

    /**
     * Claims the row for one send. A claim that is already there belongs to a send in flight
     * (another job) or to one cut off by a crash: either may have reached the provider, so it
     * waits `waitMs` from the claim for the status webhook (which settles the row) before the
     * claim is taken over and the message sent again.
     */
    async claim(id: number, subscriberId: number, waitMs: number): Promise<{ claimed: true; stamp: ClaimStamp } | { claimed: false; retryAtMs?: number; unreachable?: boolean }> {
      const stamp = await store().claim(id, subscriberId);
      if (stamp !== null) return { claimed: true, stamp };
      const now = new Date();
      const row = await store().claimOf(id);
      if (!row || !OPEN_STATUSES.includes(row.status)) return { claimed: false };
      if (!(await store().reachableOf([row.subscriber_id])).size) return { claimed: false, unreachable: true };
      const since = row.claimedSince;
      if (!since || row.claimed_at === null) return { claimed: false, retryAtMs: now.getTime() + 1000 };
      if (since.getTime() + waitMs > now.getTime()) return { claimed: false, retryAtMs: since.getTime() + waitMs };
      const taken = await store().takeOverClaim(id, row.claimed_at);
      if (taken !== null) strapi.log.info(`[${PLUGIN_ID}] delivery ${id}: no status for a send in flight since ${since.toISOString()}; sending again`);
      return taken !== null ? { claimed: true, stamp: taken } : { claimed: false, retryAtMs: now.getTime() + 1000 };
    },

    /**
     * Sends once and records the outcome; answers whether the message went out. A single job
     * throws only to ask the queue for a retry; a batch hands the retry to a job of its own.
     */
    async send(channel: Channel, delivery: DeliveryRow, attempt: Attempt, claimedAt: ClaimStamp, sendOnce: () => Promise<{ providerMessageId: string }>): Promise<boolean> {
      const attempts = delivery.attempts + 1;
      let providerMessageId: string;
      try {
        ({ providerMessageId } = await sendOnce());
      } catch (error) {
        return failedSend(channel, delivery, attempt, attempts, error);
      }
      await recordSent(channel, delivery, { id: delivery.id, providerMessageId, attempts, claimedAt });
      return true;
    },
  };
};
