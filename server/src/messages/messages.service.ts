import type { Core } from '@strapi/strapi';
import { BOOKING_GRACE_MS, reachMember, reachWindowKey, reachWindowMs } from '../delivery/reach';
import { PLUGIN_ID, UID, type ChannelId } from '../constants';
import { messageJob, messageJobSchema, type MessageJob, type OutgoingMessage } from '../queue/jobs';
import type { RunningJob } from '../queue/job-queue';
import { RetryLater } from '../queue/job-queue';
import { getService } from '../utils/get-service';
import { withManageUrl } from './manage-link';
import { publicLinks } from '../http/public-links';
import { citizenLanguage, type Language } from '../languages/languages';
import { maskPersonalData } from '../utils/log';
import { messageKindRef } from '../../../shared/contracts/costs';
import { idFromRow } from '../database/row';
import { inboundMessageReads } from '../inbox/inbound-message.rows';
import { subscriberReads } from '../subscribers/subscriber.rows';
import { outgoingMessageRows } from './outgoing-message.rows';

const textOfRow = outgoingMessageRows.pick(['text']);

/**
 * One-to-one messages (confirmation, welcome, replies) on the channel's own queue, so they
 * share its rate limit with broadcasts. Like deliveries, retries follow the adapter's
 * classification of the error.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');
  const outgoing = () => strapi.db.query(UID.outgoingMessage);

  return {
    /**
     * Queues a one-to-one message on the channel's queue. A text (a command's answer with the
     * citizen's villages or words, a staff reply) waits in the database; the job names its row,
     * so Redis holds ids only, also in the completed and failed jobs bull keeps.
     */
    async enqueue(channel: ChannelId, message: OutgoingMessage) {
      let data: MessageJob = message;
      if (message.message !== 'confirmation') {
        const row = idFromRow(
          await outgoing().create({
            data: {
              channel,
              text: message.text,
              ...(message.message === 'text' ? { subscriberId: message.subscriberId } : { inboundMessageId: message.inboundMessageId }),
            },
          })
        );
        data =
          message.message === 'text'
            ? { message: 'text', subscriberId: message.subscriberId, textId: row.id, kind: message.kind }
            : { message: 'reply', inboundMessageId: message.inboundMessageId, textId: row.id, kind: message.kind };
      }
      try {
        await runtime().queue().add(channel, messageJob(data));
      } catch (error) {
        if (data.message !== 'confirmation' && data.textId) await outgoing().delete({ where: { id: data.textId } });
        throw error;
      }
    },

    async process(job: RunningJob) {
      const data = messageJobSchema.parse(job.data);
      // The text of a `text` or `reply` job; gone when it was sent already, or erased meanwhile.
      let stored: string | undefined;
      if (data.message !== 'confirmation') {
        const row: unknown = data.textId ? await outgoing().findOne({ where: { id: data.textId }, select: ['text'] }) : null;
        stored = data.textId ? (row ? textOfRow(row).text : undefined) : data.text;
        if (!stored) return;
      }
      // Sent or given up: the text has done its work.
      const done = async () => {
        if (data.message !== 'confirmation' && data.textId) await outgoing().deleteMany({ where: { id: data.textId } });
      };
      let to: string | null = null;
      let locale: Language = runtime().config().defaultLocale;
      let channelId: ChannelId = 'whatsapp';
      if (data.message === 'reply') {
        const inbound = await inboundMessageReads(strapi).pickOne(['channel', 'fromAddress'], { where: { id: data.inboundMessageId } });
        to = inbound?.fromAddress ?? null;
        channelId = inbound?.channel ?? channelId;
      } else {
        const subscriber = await subscriberReads(strapi).pickOne(['id', 'channel', 'address', 'status', 'locale'], { where: { id: data.subscriberId } });
        if (!subscriber?.address) return done();
        // A confirmation only makes sense while the sign-up is pending; after STOP nothing but the STOP receipt goes out.
        if (data.message === 'confirmation' && subscriber.status !== 'pending') return;
        to = subscriber.address;
        channelId = subscriber.channel;
        locale = citizenLanguage(subscriber.locale, runtime().config());
      }
      if (!to) return done();
      const channel = runtime().channels().get(channelId);

      if (data.message === 'confirmation' && channel.dailyRecipientLimit) {
        // A template to someone who has not written is business-initiated and uses up reach.
        // Booked like a broadcast's recipient, so it queues behind those already waiting for the window.
        const admission = await runtime().limits().admitOrBook(reachWindowKey(channel.id), reachMember(data.subscriberId), channel.dailyRecipientLimit, reachWindowMs(runtime().config()), Date.now(), BOOKING_GRACE_MS);
        if (!admission.admitted) throw new RetryLater(admission.retryAtMs - Date.now(), 'daily reach limit');
      }

      // The kind travels to the provider and back (WhatsApp's status webhooks echo it), so Meta's
      // pricing of this message is counted under it. Jobs of older versions: by what they are.
      const deliveryRef = messageKindRef(data.kind ?? (data.message === 'confirmation' ? 'confirmation' : 'other'));
      try {
        if (data.message === 'confirmation') {
          const token = await getService(strapi, 'subscriptions').issueConfirmationToken(data.subscriberId);
          await channel.send({ kind: 'confirmation', to, token, townName: runtime().config().town.name, locale, deliveryRef });
        } else {
          const text =
            data.message === 'text'
              ? withManageUrl(stored as string, () => publicLinks(strapi, runtime().config()).manage(getService(strapi, 'subscriptions').manageToken(data.subscriberId), locale))
              : (stored as string);
          await channel.send({ kind: 'text', to, text, locale, deliveryRef });
        }
      } catch (error) {
        const classified = channel.classifyError(error);
        strapi.log.warn(`[${PLUGIN_ID}] ${data.message} message on ${channel.id}: ${classified.errorClass} ${classified.code} ${maskPersonalData(classified.message)}`);
        if (classified.errorClass === 'retry' && job.attemptsMade + 1 < job.maxAttempts) throw error;
        if (classified.errorClass === 'retry-later' && !classified.ambiguous) throw new RetryLater(classified.retryAfterMs ?? 60_000, classified.code);
        if (classified.errorClass === 'fatal-channel') await getService(strapi, 'dispatch').channelStopped(channel.id, classified);
        if (classified.recipientEffect === 'withdrawn' && data.message !== 'reply') {
          await getService(strapi, 'subscriptions').withdraw(data.subscriberId, `${channel.id}-blocked`);
        }
      }
      await done();
    },
  };
};
