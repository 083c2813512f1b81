import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { CONTROL_QUEUE, JOB_NAMES, PLUGIN_ID, UID, type ChannelId } from '../constants';
import { getService } from '../utils/get-service';
import { maskAddress } from '../utils/log';
import { DAY_MS, HOUR_MS, toDate } from '../utils/time';
import { normalisePhoneNumber } from './phone';
import { newConfirmCode, newConfirmationToken, sha256, signUnsubscribeToken, verifyUnsubscribeToken } from './tokens';

export interface SignupInput {
  channel: ChannelId;
  address: string;
  name?: string;
  topics: string[];
  locale?: 'de' | 'en';
  consent: { accepted: true; version: string };
  source?: string;
}

export interface RequestMeta {
  ip?: string | null;
  userAgent?: string | null;
}

export interface SubscriberRow {
  id: number;
  channel: ChannelId;
  address: string | null;
  name: string | null;
  status: 'pending' | 'active' | 'unsubscribed';
  locale: string | null;
  expiresAt: unknown;
  confirmCode: string | null;
  tokenHash: string | null;
  consentVersion: string | null;
  lastInboundAt: unknown;
}

const fieldError = (field: string, message: string) =>
  new errors.ValidationError(message, { errors: [{ path: [field], message, name: 'ValidationError' }] });

/**
 * Signup → subscriber and consent ledger. Every answer to the public is the same whether the
 * number was unknown, pending or already active, so nobody can learn who is subscribed.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const subscribers = () => strapi.db.query(UID.subscriber);
  const runtime = () => getService(strapi, 'runtime');
  const ledger = () => getService(strapi, 'consent-ledger');

  const tokenSecret = () => {
    const configured = runtime().config().tokenSecret;
    if (configured) return configured;
    const keys = strapi.config.get('server.app.keys') as string[] | undefined;
    if (!keys?.length) throw new Error(`${PLUGIN_ID}: set tokenSecret or server.app.keys`);
    return keys[0];
  };

  const enqueueMessage = (channel: ChannelId, data: Record<string, unknown>) => {
    runtime()
      .queue()
      .add(channel, { name: JOB_NAMES.message, data })
      .catch((error: Error) => strapi.log.warn(`[${PLUGIN_ID}] could not enqueue a ${String(data.message)} message: ${error.message}`));
  };

  const whatsappLink = (code: string) => {
    const number = runtime().config().channels.whatsapp.businessNumber.replace(/\D/g, '');
    return number ? `https://wa.me/${number}?text=${encodeURIComponent(`START ${code}`)}` : null;
  };

  return {
    normaliseAddress(channel: ChannelId, raw: string): string {
      if (channel === 'whatsapp') {
        const e164 = normalisePhoneNumber(raw, runtime().config().defaultCountry);
        if (!e164) throw fieldError('address', 'This is not a valid mobile phone number');
        return e164;
      }
      throw fieldError('channel', `Channel ${channel} is not available`);
    },

    async resolveTopics(slugs: string[]): Promise<number[]> {
      if (!slugs.length) return [];
      const unique = [...new Set(slugs)];
      const found = (await strapi.db.query(UID.topic).findMany({ where: { slug: { $in: unique }, active: true }, select: ['id', 'slug'] })) as Array<{
        id: number;
        slug: string;
      }>;
      const unknown = unique.filter((slug) => !found.some((topic) => topic.slug === slug));
      if (unknown.length) throw fieldError('topics', `Unknown topic: ${unknown.join(', ')}`);
      return found.map((topic) => topic.id);
    },

    async signup(input: SignupInput, meta: RequestMeta) {
      const config = runtime().config();
      if (!runtime().channels().find(input.channel)) throw fieldError('channel', `Channel ${input.channel} is not available`);
      if (!config.consent.versions[input.consent.version]) {
        throw fieldError('consent.version', 'Unknown consent version; load the current one from GET /api/town-crier/consent');
      }
      const address = this.normaliseAddress(input.channel, input.address);
      const topicIds = await this.resolveTopics(input.topics);
      const locale = input.locale ?? config.defaultLocale;
      const now = new Date();
      const expiresAt = new Date(now.getTime() + config.confirmationTtlHours * HOUR_MS);
      const code = newConfirmCode();
      const existing = (await subscribers().findOne({ where: { channel: input.channel, address } })) as SubscriberRow | null;

      if (existing) {
        const recent = await ledger().countSince(existing.id, 'requested', new Date(now.getTime() - HOUR_MS));
        if (recent >= config.rateLimit.signupsPerAddressPerHour) {
          throw new errors.RateLimitError('Too many sign-ups for this address; please try again later', { retryAfterSeconds: 3600 });
        }
      }

      // Same answer for every case; what differs is only what happens behind it.
      const answer = { status: 'pending' as const, channel: input.channel, expiresAt: expiresAt.toISOString(), whatsappLink: whatsappLink(code) };

      if (existing?.status === 'active') {
        strapi.log.info(`[${PLUGIN_ID}] sign-up for an already active ${input.channel} subscriber ${maskAddress(address)}: nothing sent`);
        return { ...answer, whatsappLink: whatsappLink(newConfirmCode()) };
      }

      let subscriberId: number;
      const pendingData = {
        name: input.name ?? null,
        topics: topicIds,
        locale,
        status: 'pending',
        source: input.source ?? 'web',
        expiresAt,
        confirmCode: sha256(code),
        consentVersion: input.consent.version,
      };
      if (existing) {
        subscriberId = existing.id;
        await subscribers().update({ where: { id: existing.id }, data: pendingData });
      } else {
        const created = (await subscribers().create({ data: { ...pendingData, channel: input.channel, address } })) as { id: number };
        subscriberId = created.id;
      }

      const sentToday = await ledger().countSince(subscriberId, 'requested', new Date(now.getTime() - DAY_MS));
      await ledger().record({
        subscriberId,
        channel: input.channel,
        type: 'requested',
        method: 'web-form',
        consentVersion: input.consent.version,
        locale,
        ip: meta.ip,
        userAgent: meta.userAgent,
        at: now,
      });
      if (sentToday < config.rateLimit.confirmationsPerAddressPerDay && config.channels.whatsapp.confirmBy !== 'link') {
        enqueueMessage(input.channel, { message: 'confirmation', subscriberId });
      }
      return answer;
    },

    /** Confirms the pending subscriber holding this one-time token. */
    async confirmByToken(token: string, method: string, expectedAddress?: string) {
      const subscriber = (await subscribers().findOne({ where: { tokenHash: sha256(token) } })) as SubscriberRow | null;
      if (!subscriber || (expectedAddress && subscriber.address !== expectedAddress)) {
        throw fieldError('token', 'This confirmation link is invalid or has expired');
      }
      return this.activate(subscriber, method);
    },

    /** `START <code>` from the citizen's own number: the number proves itself by writing. */
    async confirmByCode(channel: ChannelId, address: string, code: string | null, method: string) {
      const subscriber = (await subscribers().findOne({ where: { channel, address } })) as SubscriberRow | null;
      if (!subscriber) return { outcome: 'unknown' as const };
      if (subscriber.status === 'active') return { outcome: 'already-active' as const, subscriber };
      if (subscriber.status === 'pending' && code && subscriber.confirmCode !== sha256(code.toUpperCase())) {
        return { outcome: 'wrong-code' as const, subscriber };
      }
      return { outcome: 'confirmed' as const, subscriber: await this.activate(subscriber, method) };
    },

    async activate(subscriber: SubscriberRow, method: string) {
      const expiresAt = toDate(subscriber.expiresAt);
      if (subscriber.status === 'pending' && expiresAt && expiresAt.getTime() < Date.now()) {
        throw fieldError('token', 'This confirmation link is invalid or has expired');
      }
      if (subscriber.status === 'active') return subscriber;
      const now = new Date();
      await subscribers().update({
        where: { id: subscriber.id },
        data: { status: 'active', confirmedAt: now, unsubscribedAt: null, expiresAt: null, tokenHash: null, confirmCode: null, marketingStoppedAt: null },
      });
      await ledger().record({
        subscriberId: subscriber.id,
        channel: subscriber.channel,
        type: 'confirmed',
        method,
        consentVersion: subscriber.consentVersion,
        locale: subscriber.locale ?? undefined,
        at: now,
      });
      return { ...subscriber, status: 'active' as const };
    },

    async unsubscribeByToken(token: string, meta: RequestMeta) {
      const id = verifyUnsubscribeToken(tokenSecret(), token);
      const subscriber = id ? ((await subscribers().findOne({ where: { id } })) as SubscriberRow | null) : null;
      if (!subscriber) throw fieldError('token', 'This unsubscribe link is invalid');
      await this.withdraw(subscriber.id, 'unsubscribe-link', meta);
    },

    unsubscribeToken(subscriberId: number) {
      return signUnsubscribeToken(tokenSecret(), subscriberId);
    },

    /** Withdrawal: the subscriber stops receiving anything, and the ledger says when and how. */
    async withdraw(subscriberId: number, method: string, meta: RequestMeta = {}) {
      const subscriber = (await subscribers().findOne({ where: { id: subscriberId } })) as SubscriberRow | null;
      if (!subscriber || subscriber.status === 'unsubscribed') return false;
      const now = new Date();
      await subscribers().update({ where: { id: subscriberId }, data: { status: 'unsubscribed', unsubscribedAt: now, tokenHash: null, confirmCode: null } });
      await ledger().record({ subscriberId, channel: subscriber.channel, type: 'withdrawn', method, ip: meta.ip, userAgent: meta.userAgent, at: now });
      return true;
    },

    async findByAddress(channel: ChannelId, address: string) {
      return (await subscribers().findOne({ where: { channel, address }, populate: ['topics'] })) as (SubscriberRow & { topics: Array<{ name: string }> }) | null;
    },

    async issueConfirmationToken(subscriberId: number): Promise<string> {
      const token = newConfirmationToken();
      await subscribers().update({ where: { id: subscriberId }, data: { tokenHash: sha256(token) } });
      return token;
    },

    /** Unconfirmed sign-ups past their deadline: personal data and their ledger entries go. */
    async expirePending() {
      const expired = (await subscribers().findMany({
        where: { status: 'pending', expiresAt: { $lt: new Date() } },
        select: ['id'],
        limit: 1000,
      })) as Array<{ id: number }>;
      if (!expired.length) return 0;
      const ids = expired.map((row) => row.id);
      await ledger().deleteForSubscribers(ids);
      await subscribers().deleteMany({ where: { id: { $in: ids } } });
      return ids.length;
    },

    /** Everything stored about one subscriber (GDPR Art. 15). */
    async exportSubscriber(id: number) {
      const subscriber = await subscribers().findOne({ where: { id }, populate: ['topics'] });
      if (!subscriber) throw new errors.NotFoundError('No such subscriber');
      const [consentEvents, deliveries, inbox] = await Promise.all([
        ledger().forSubscriber(id),
        strapi.db.query(UID.delivery).findMany({ where: { subscriberId: id }, orderBy: { id: 'asc' } }),
        strapi.db.query(UID.inboundMessage).findMany({ where: { subscriber: id }, orderBy: { id: 'asc' } }),
      ]);
      return { subscriber, consentEvents, deliveries, inboundMessages: inbox };
    },

    /**
     * Erasure (GDPR Art. 17): personal data is gone; the row stays without it so anonymous
     * counts (sign-ups per month, per topic) still add up, and the ledger says it was erased.
     */
    async erase(id: number) {
      const subscriber = (await subscribers().findOne({ where: { id } })) as SubscriberRow | null;
      if (!subscriber) throw new errors.NotFoundError('No such subscriber');
      const now = new Date();
      await subscribers().update({
        where: { id },
        data: { address: null, name: null, tokenHash: null, confirmCode: null, status: 'unsubscribed', unsubscribedAt: subscriber.status === 'unsubscribed' ? undefined : now, erasedAt: now },
      });
      const inbox = (await strapi.db.query(UID.inboundMessage).findMany({ where: { subscriber: id }, select: ['id'] })) as Array<{ id: number }>;
      await strapi.db.query(UID.inboundMessage).deleteMany({ where: { id: { $in: inbox.map((row) => row.id) } } });
      // updateMany cannot filter through a relation, so the ledger rows are found first.
      const events = (await ledger().forSubscriber(id)) as Array<{ id: number }>;
      await strapi.db.query(UID.consentEvent).updateMany({ where: { id: { $in: events.map((event) => event.id) } }, data: { ipTruncated: null, userAgent: null } });
      await ledger().record({ subscriberId: id, channel: subscriber.channel, type: 'erased', method: 'admin', at: now });
    },

    /** Deletes ledger and delivery records of subscribers withdrawn longer than the retention period. */
    async purgeWithdrawn(now = new Date()) {
      const cutoff = new Date(now.getTime() - runtime().config().retentionDays * DAY_MS);
      const stale = (await subscribers().findMany({ where: { status: 'unsubscribed', unsubscribedAt: { $lt: cutoff } }, select: ['id'] })) as Array<{ id: number }>;
      const ids = stale.map((row) => row.id);
      if (!ids.length) return { subscribers: 0 };
      await strapi.db.query(UID.delivery).deleteMany({ where: { subscriberId: { $in: ids } } });
      await ledger().deleteForSubscribers(ids);
      const inbox = (await strapi.db.query(UID.inboundMessage).findMany({ where: { subscriber: { id: { $in: ids } } }, select: ['id'] })) as Array<{ id: number }>;
      await strapi.db.query(UID.inboundMessage).deleteMany({ where: { id: { $in: inbox.map((row) => row.id) } } });
      await subscribers().updateMany({ where: { id: { $in: ids } }, data: { address: null, name: null, erasedAt: now } });
      return { subscribers: ids.length };
    },

    /** WhatsApp's in-app "stop marketing messages" is a withdrawal like STOP. */
    async handlePreference(channel: ChannelId, address: string, value: 'stop' | 'resume') {
      const subscriber = await this.findByAddress(channel, address);
      if (!subscriber) return;
      if (value === 'stop') {
        await subscribers().update({ where: { id: subscriber.id }, data: { marketingStoppedAt: new Date() } });
        await this.withdraw(subscriber.id, 'whatsapp-preference');
      } else {
        await subscribers().update({ where: { id: subscriber.id }, data: { marketingStoppedAt: null } });
      }
    },

    enqueueMessage,
  };
};
