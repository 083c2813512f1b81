import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, UID, type ChannelId } from '../constants';
import type { OutgoingMessage } from '../queue/jobs';
import { localeOf, texts } from '../messages/texts';
import { getService } from '../utils/get-service';
import { maskedMessage } from '../utils/log';
import { subscriberReads } from './subscriber.rows';

/**
 * Channels a hint can go to, in this order of preference. Web Push carries only announcements
 * (no free text), so a citizen whose only other channel is Web Push gets no hint.
 */
export const HINT_CHANNELS: readonly ChannelId[] = ['email', 'telegram'];

export type UnreachableHintOutcome = 'sent' | 'already-sent' | 'not-possible' | 'disabled';

/**
 * WhatsApp said a citizen's number cannot receive our messages (130472, 131026), and the row is
 * now marked unreachable. If the town enabled it (`channels.whatsapp.unreachableHint`), the
 * citizen gets one plain-text hint on another confirmed channel they signed up for in the same
 * form (rows sharing `signupLinkId`), once per WhatsApp row ever. The job carries the target row's
 * id and the id of the fixed text's row, like every `text` message job.
 */
export async function afterWhatsappUnreachable(strapi: Core.Strapi, whatsappSubscriberId: number): Promise<UnreachableHintOutcome> {
  // The delivery outcome is recorded already; a hint that cannot be worked out must not undo it.
  return hint(strapi, whatsappSubscriberId).catch((error: Error) => {
    strapi.log.warn(`[${PLUGIN_ID}] unreachable hint for subscriber ${whatsappSubscriberId}: ${maskedMessage(error)}`);
    return 'not-possible' as const;
  });
}

async function hint(strapi: Core.Strapi, whatsappSubscriberId: number): Promise<UnreachableHintOutcome> {
  const runtime = getService(strapi, 'runtime');
  const config = runtime.config();
  if (!config.channels.whatsapp.unreachableHint.enabled) return 'disabled';
  const subscribers = strapi.db.query(UID.subscriber);
  const reads = subscriberReads(strapi);
  const whatsapp = await reads.pickOne(['id', 'channel', 'signupLinkId', 'unreachableHintAt'], { where: { id: whatsappSubscriberId } });
  if (!whatsapp || whatsapp.channel !== 'whatsapp') return 'not-possible';
  if (whatsapp.unreachableHintAt) return 'already-sent';
  if (!whatsapp.signupLinkId) return 'not-possible';
  const linked = await reads.pickMany(['id', 'channel', 'status', 'address', 'locale', 'undeliverableAt'], {
    where: { signupLinkId: whatsapp.signupLinkId, id: { $ne: whatsapp.id }, status: 'active', channel: { $in: [...HINT_CHANNELS] } },
  });
  const target = HINT_CHANNELS.map((channel) =>
    linked.find((row) => row.channel === channel && row.address && !row.undeliverableAt && runtime.channels().find(channel))
  ).find(Boolean);
  if (!target) return 'not-possible';
  // Claimed before the job is added: two failures arriving at once send one hint.
  const claimed = await subscribers.updateMany({ where: { id: whatsapp.id, unreachableHintAt: null }, data: { unreachableHintAt: new Date() } });
  if (!claimed.count) return 'already-sent';
  const message: OutgoingMessage = { message: 'text', subscriberId: target.id, text: texts.whatsappUnreachableHint[localeOf(target.locale)](config.town.name), kind: 'other' };
  try {
    await getService(strapi, 'messages').enqueue(target.channel, message);
  } catch (error) {
    // Not queued: the next failure may try again.
    await subscribers.update({ where: { id: whatsapp.id }, data: { unreachableHintAt: null } });
    strapi.log.warn(`[${PLUGIN_ID}] unreachable hint for subscriber ${whatsapp.id} not queued: ${maskedMessage(error)}`);
    return 'not-possible';
  }
  strapi.log.info(`[${PLUGIN_ID}] WhatsApp subscriber ${whatsapp.id} unreachable: hint queued on ${target.channel}`);
  return 'sent';
}
