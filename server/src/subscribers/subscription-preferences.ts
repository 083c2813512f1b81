import type { Core } from '@strapi/strapi';
import type { ChannelId } from '../constants';
import { topicReads } from './topic.rows';
import { assertPushEndpoint } from './push-endpoint';
import { parsePushSubscription, pushAddressOf } from '../channels/webpush/webpush.subscription';
import type { Language } from '../../../shared/languages';
import { decodeVillages, encodeVillages } from '../villages/villages';
import { verifyManageToken, verifyUnsubscribeToken } from './tokens';
import { fieldError, type SubscriberRow, type RequestMeta, type SubscriptionContext } from './subscription-context';
import type identityModule from './subscription-identity';

/** What a citizen changes about their subscription: topics, villages, language, and withdrawal. */
export default ({ strapi }: { strapi: Core.Strapi }, context: SubscriptionContext, identity: ReturnType<typeof identityModule>) => {
  const { subscribers, reads, runtime, ledger, recordVillages, tokenSecret } = context;
  return {
    /** Checks village slugs against `town.villages`; an unknown one is a 400 naming the field. */
    resolveVillages(slugs: readonly string[]): string[] {
      const known = new Set(runtime().config().town.villages.map((village) => village.slug));
      const unique = [...new Set(slugs)];
      const unknown = unique.filter((slug) => !known.has(slug));
      if (unknown.length) throw fieldError('villages', `Unknown village: ${unknown.join(', ')}`);
      return unique;
    },

    /** The topics a citizen may pick (the sign-up page and form), by name. */
    async activeTopics() {
      return topicReads(strapi).pickMany(['name', 'slug', 'description'], { where: { active: true }, orderBy: { name: 'asc' } });
    },

    async resolveTopics(slugs: string[]): Promise<number[]> {
      if (!slugs.length) return [];
      const unique = [...new Set(slugs)];
      const found = await topicReads(strapi).pickMany(['id', 'slug'], { where: { slug: { $in: unique }, active: true } });
      const unknown = unique.filter((slug) => !found.some((topic) => topic.slug === slug));
      if (unknown.length) throw fieldError('topics', `Unknown topic: ${unknown.join(', ')}`);
      return found.map((topic) => topic.id);
    },

    /**
     * A citizen's new language (keyword `SPRACHE EN`, or the language link): stored, and recorded
     * in the ledger like any change of what the citizen told the town. The same language again
     * changes nothing. A language the town does not offer is a 400 naming `field`.
     */
    async changeLanguage(subscriberId: number, language: string, method: string, meta: RequestMeta = {}, field = 'language'): Promise<Language> {
      const config = runtime().config();
      const wanted = config.languages.find((code) => code === language);
      if (!wanted) throw fieldError(field, `The town offers the languages ${config.languages.join(', ')}; ${language} is not one of them`);
      const subscriber = await reads.findOne({ where: { id: subscriberId } });
      if (!subscriber?.address) throw fieldError('token', 'This link is invalid');
      if (subscriber.locale === wanted) return wanted;
      await strapi.db.transaction(async () => {
        await subscribers().update({ where: { id: subscriberId }, data: { locale: wanted } });
        await ledger().record({ subscriberId, channel: subscriber.channel, type: 'language-changed', method, language: wanted, ip: meta.ip, userAgent: meta.userAgent });
      });
      return wanted;
    },

    /** The language link (`/subscriptions/language?token=…`): the manage token names the subscription. */
    async changeLanguageByToken(token: string, language: string, meta: RequestMeta) {
      const id = verifyManageToken(tokenSecret(), token);
      if (!id) throw fieldError('token', 'This link is invalid');
      return this.changeLanguage(id, language, 'language-link', meta);
    },

    /** The village slugs a subscriber chose (empty: the whole town). */
    async villagesOf(subscriberId: number): Promise<string[]> {
      const row = await reads.pickOne(['villages'], { where: { id: subscriberId } });
      return decodeVillages(row?.villages);
    },

    /** A citizen's new choice of villages (THEMEN over WhatsApp): stored, and recorded in the ledger. */
    async setVillages(subscriber: Pick<SubscriberRow, 'id' | 'channel'>, slugs: string[], method: string, meta: RequestMeta = {}) {
      const villages = this.resolveVillages(slugs);
      await subscribers().update({ where: { id: subscriber.id }, data: { villages: encodeVillages(villages) } });
      await recordVillages(subscriber.id, subscriber.channel, villages, method, meta, new Date());
      return villages;
    },

    /** Withdrawal: the subscriber stops receiving anything, and the ledger says when and how. */
    async withdraw(subscriberId: number, method: string, meta: RequestMeta = {}, at = new Date()) {
      const subscriber = await reads.findOne({ where: { id: subscriberId } });
      if (!subscriber || subscriber.status === 'unsubscribed') return false;
      // When the citizen withdrew: for a STOP the provider's time of the message, so a START
      // written before it and delivered after it can be told apart (inbound-commands.service.ts).
      const now = at;
      // As in activate: one `withdrawn` entry however many STOPs arrive at once, written with the status.
      return strapi.db.transaction(async () => {
        const { count } = await subscribers().updateMany({
          where: { id: subscriberId, status: { $ne: 'unsubscribed' } },
          data: { status: 'unsubscribed', unsubscribedAt: now, tokenHash: null, confirmCode: null },
        });
        if (!count) return false;
        await ledger().record({ subscriberId, channel: subscriber.channel, type: 'withdrawn', method, ip: meta.ip, userAgent: meta.userAgent, at: now });
        return true;
      });
    },

    async unsubscribeByToken(token: string, meta: RequestMeta, method = 'unsubscribe-link') {
      const id = verifyUnsubscribeToken(tokenSecret(), token);
      const subscriber = id ? (await reads.findOne({ where: { id } })) : null;
      if (!subscriber) throw fieldError('token', 'This unsubscribe link is invalid');
      await this.withdraw(subscriber.id, method, meta);
    },

    /** WhatsApp's in-app "stop marketing messages" and a blocked Telegram bot are withdrawals like STOP. */
    async handlePreference(channel: ChannelId, address: string, value: 'stop' | 'resume', userId?: string) {
      const subscriber = await identity.findByAddress(channel, address, userId);
      if (!subscriber) return;
      if (value === 'stop') {
        await subscribers().update({ where: { id: subscriber.id }, data: { marketingStoppedAt: new Date() } });
        await this.withdraw(subscriber.id, `${channel}-preference`);
      } else {
        await subscribers().update({ where: { id: subscriber.id }, data: { marketingStoppedAt: null } });
      }
    },

    /** The page's "Mitteilungen abbestellen": the browser proves the subscription by knowing its endpoint. */
    async unsubscribePush(endpoint: string, meta: RequestMeta) {
      const subscriber = await reads.findOne({ where: { channel: 'webpush', address: pushAddressOf(endpoint) } });
      if (subscriber) await this.withdraw(subscriber.id, 'webpush-page', meta);
    },

    /**
     * `pushsubscriptionchange`: the browser replaced its subscription. The row follows the new
     * endpoint and keys; the old endpoint, which only that browser knew, is the proof.
     */
    async renewPushSubscription(oldEndpoint: string, next: unknown): Promise<boolean> {
      const parsed = parsePushSubscription(next);
      if (!parsed) throw fieldError('subscription', 'A push subscription from the browser (endpoint and keys) is required');
      await assertPushEndpoint(strapi, parsed.endpoint, ['subscription']);
      const subscriber = await reads.findOne({ where: { channel: 'webpush', address: pushAddressOf(oldEndpoint) } });
      if (!subscriber || subscriber.status !== 'active') return false;
      const address = pushAddressOf(parsed.endpoint);
      const taken = address !== subscriber.address && (await subscribers().findOne({ where: { channel: 'webpush', address } }));
      if (taken) return false;
      await subscribers().update({ where: { id: subscriber.id }, data: { address, pushSubscription: parsed, undeliverableAt: null } });
      return true;
    },
  };
};
