import type { Core } from '@strapi/strapi';
import { BOOKING_GRACE_MS, reachMember, reachWindowKey, reachWindowMs } from '../delivery/reach';
import { PLUGIN_ID, UID, type ChannelId } from '../constants';
import { messageJobSchema } from '../queue/jobs';
import type { RunningJob } from '../queue/job-queue';
import { RetryLater } from '../queue/job-queue';
import { getService } from '../utils/get-service';
import { withManageUrl } from './manage-link';
import { citizenLanguage, type Language } from '../languages/languages';

/**
 * One-to-one messages (confirmation, welcome, replies) on the channel's own queue, so they
 * share its rate limit with broadcasts. Like deliveries, retries follow the adapter's
 * classification of the error.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');

  return {
    async process(job: RunningJob) {
      const data = messageJobSchema.parse(job.data);
      let to: string | null = null;
      let locale: Language = runtime().config().defaultLocale;
      let channelId: ChannelId = 'whatsapp';
      if (data.message === 'reply') {
        const inbound = (await strapi.db.query(UID.inboundMessage).findOne({ where: { id: data.inboundMessageId } })) as {
          channel: ChannelId;
          fromAddress: string | null;
        } | null;
        to = inbound?.fromAddress ?? null;
        channelId = inbound?.channel ?? channelId;
      } else {
        const subscriber = (await strapi.db.query(UID.subscriber).findOne({ where: { id: data.subscriberId } })) as {
          id: number;
          channel: ChannelId;
          address: string | null;
          status: string;
          locale: string | null;
        } | null;
        if (!subscriber?.address) return;
        // A confirmation only makes sense while the sign-up is pending; after STOP nothing but the STOP receipt goes out.
        if (data.message === 'confirmation' && subscriber.status !== 'pending') return;
        to = subscriber.address;
        channelId = subscriber.channel;
        locale = citizenLanguage(subscriber.locale, runtime().config());
      }
      if (!to) return;
      const channel = runtime().channels().get(channelId);

      if (data.message === 'confirmation' && channel.dailyRecipientLimit) {
        // A template to someone who has not written is business-initiated and uses up reach.
        // Booked like a broadcast's recipient, so it queues behind those already waiting for the window.
        const admission = await runtime().limits().admitOrBook(reachWindowKey(channel.id), reachMember(data.subscriberId), channel.dailyRecipientLimit, reachWindowMs(runtime().config()), Date.now(), BOOKING_GRACE_MS);
        if (!admission.admitted) throw new RetryLater(admission.retryAtMs - Date.now(), 'daily reach limit');
      }

      try {
        if (data.message === 'confirmation') {
          const token = await getService(strapi, 'subscriptions').issueConfirmationToken(data.subscriberId);
          await channel.send({ kind: 'confirmation', to, token, townName: runtime().config().town.name, locale });
        } else {
          const text =
            data.message === 'text'
              ? withManageUrl(data.text, () => `${runtime().config().publicUrl}/api/town-crier/signup?keep=${encodeURIComponent(getService(strapi, 'subscriptions').manageToken(data.subscriberId))}&lang=${locale}`)
              : data.text;
          await channel.send({ kind: 'text', to, text, locale });
        }
      } catch (error) {
        const classified = channel.classifyError(error);
        strapi.log.warn(`[${PLUGIN_ID}] ${data.message} message on ${channel.id}: ${classified.errorClass} ${classified.code} ${classified.message}`);
        if (classified.errorClass === 'retry' && job.attemptsMade + 1 < job.maxAttempts) throw error;
        if (classified.errorClass === 'retry-later' && !classified.ambiguous) throw new RetryLater(classified.retryAfterMs ?? 60_000, classified.code);
        if (classified.errorClass === 'fatal-channel') await getService(strapi, 'dispatch').channelStopped(channel.id, classified);
        if (classified.recipientEffect === 'withdrawn' && data.message !== 'reply') {
          await getService(strapi, 'subscriptions').withdraw(data.subscriberId, `${channel.id}-blocked`);
        }
      }
    },
  };
};
