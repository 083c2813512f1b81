import type { Core } from '@strapi/strapi';
import { UID, type ChannelId } from '../constants';
import { isBusinessScopedUserId } from '../channels/whatsapp/whatsapp.identity';
import { normaliseEmailAddress } from './email-address';
import { normalisePhoneNumber } from './phone';
import { decodeVillages } from '../villages/villages';
import { newConfirmationToken, sha256, signManageToken, signUnsubscribeToken, verifyManageToken } from './tokens';
import { fieldError, TYPED_ADDRESS, type SubscriberRow, type SubscriptionContext } from './subscription-context';

/** Who a subscription is: its address in canonical form, the row behind an address or BSUID, and the signed tokens that name it. */
export default ({ strapi }: { strapi: Core.Strapi }, context: SubscriptionContext) => {
  const { subscribers, reads, runtime, tokenSecret, opaqueKey } = context;
  return {
    /**
     * A Redis key part for a provider message id: an HMAC, since ids can embed the address
     * (Telegram's `tg:<chat id>:…`, a WhatsApp wamid decodes to the number).
     */
    inboundMessageKey(channel: ChannelId, providerMessageId: string) {
      return opaqueKey(`inbound:${channel}:${providerMessageId}`);
    },

    /** The address in the channel's canonical form; null for Telegram, whose chat id comes later. */
    normaliseAddress(channel: ChannelId, raw: string | undefined, field: Array<string | number> = ['address']): string | null {
      if (!TYPED_ADDRESS[channel]) return null;
      // A WhatsApp citizen may sign up without a number and confirm with `START <code>` from
      // WhatsApp: the message proves who they are (number or, with a username, BSUID).
      if (!raw && channel === 'whatsapp' && runtime().config().channels.whatsapp.confirmBy !== 'template') return null;
      if (!raw) throw fieldError(field, 'An address is required for this channel');
      if (channel === 'whatsapp') {
        const e164 = normalisePhoneNumber(raw, runtime().config().defaultCountry);
        if (!e164) throw fieldError(field, 'This is not a valid mobile phone number');
        return e164;
      }
      const email = normaliseEmailAddress(raw);
      if (!email) throw fieldError(field, 'This is not a valid e-mail address');
      return email;
    },

    /**
     * The subscriber behind an address. On WhatsApp also by BSUID, whichever of number and BSUID
     * the webhook carried: the row with this very address first, then the one that knows the BSUID.
     */
    async findByAddress(channel: ChannelId, address: string, userId?: string) {
      const ids = [...new Set([address, userId].filter((value): value is string => Boolean(value)))];
      if (channel !== 'whatsapp' || !ids.some((id) => isBusinessScopedUserId(id))) {
        return reads.findOneWithTopics({ where: { channel, address } });
      }
      const rows = await reads.findManyWithTopics({ where: { channel, $or: [{ address: { $in: ids } }, { whatsappUserId: { $in: ids } }] }, orderBy: { id: 'desc' } });
      return rows.find((row) => row.address === address) ?? rows.find((row) => row.address !== null) ?? rows[0] ?? null;
    },

    /** Keeps the BSUID of a WhatsApp subscriber current, so the next webhook without a number still finds them. */
    async rememberWhatsappUserId(subscriber: Pick<SubscriberRow, 'id' | 'channel'> & { whatsappUserId?: string | null }, userId: string | undefined) {
      if (subscriber.channel !== 'whatsapp' || !userId || subscriber.whatsappUserId === userId) return;
      await subscribers().update({ where: { id: subscriber.id }, data: { whatsappUserId: userId } });
    },

    /**
     * `user_id_update`: WhatsApp gave a citizen a new BSUID. Rows that knew the old one follow,
     * and so do inbox messages, so staff can still answer.
     */
    async updateWhatsappUserId(previous: string, current: string) {
      const rows = await reads.pickMany(['id', 'address'], { where: { channel: 'whatsapp', $or: [{ whatsappUserId: previous }, { address: previous }] } });
      for (const row of rows) {
        await subscribers().update({ where: { id: row.id }, data: { whatsappUserId: current, ...(row.address === previous ? { address: current } : {}) } });
      }
      await strapi.db.query(UID.inboundMessage).updateMany({ where: { channel: 'whatsapp', fromAddress: previous }, data: { fromAddress: current } });
      return rows.length;
    },

    unsubscribeToken(subscriberId: number) {
      return signUnsubscribeToken(tokenSecret(), subscriberId);
    },

    manageToken(subscriberId: number) {
      return signManageToken(tokenSecret(), subscriberId);
    },

    /** The (not erased) subscription a manage token names, or null. */
    async subscriberOfManageToken(token: string): Promise<SubscriberRow | null> {
      const id = verifyManageToken(tokenSecret(), token);
      const subscriber = id ? (await reads.findOne({ where: { id } })) : null;
      return subscriber?.address ? subscriber : null;
    },

    /** The active topic slugs of the subscription a manage token names; null when the token is not valid. */
    async topicsOfManageToken(token: string): Promise<string[] | null> {
      const id = verifyManageToken(tokenSecret(), token);
      const subscriber = id ? await reads.findOneWithTopics({ where: { id } }) : null;
      // Erased subscriptions have nothing left to carry over.
      if (!subscriber?.address) return null;
      return subscriber.topics.filter((topic) => topic.active).map((topic) => topic.slug);
    },

    /** The village slugs of the subscription a manage token names; null when the token is not valid. */
    async villagesOfManageToken(token: string): Promise<string[] | null> {
      const id = verifyManageToken(tokenSecret(), token);
      const subscriber = id ? await reads.pickOne(['address', 'villages'], { where: { id } }) : null;
      if (!subscriber?.address) return null;
      const known = new Set(runtime().config().town.villages.map((village) => village.slug));
      return decodeVillages(subscriber.villages).filter((slug) => known.has(slug));
    },

    async issueConfirmationToken(subscriberId: number): Promise<string> {
      const token = newConfirmationToken();
      await subscribers().update({ where: { id: subscriberId }, data: { tokenHash: sha256(token) } });
      return token;
    },
  };
};
