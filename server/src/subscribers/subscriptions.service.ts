import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { rateLimitError, validationError } from '../http/errors';
import { CONTROL_QUEUE, PLUGIN_ID, UID, type ChannelId } from '../constants';
import { getService } from '../utils/get-service';
import { maskAddress, maskedMessage } from '../utils/log';
import { keyedHash, tokenSecret as serverSecret } from '../utils/secret';
import type { OutgoingMessage } from '../queue/jobs';
import { DAY_MS, HOUR_MS, toDate, within } from '../utils/time';
import { isBusinessScopedUserId } from '../channels/whatsapp/whatsapp.identity';
import { parsePushSubscription, pushAddressOf, type PushSubscription } from '../channels/webpush/webpush.subscription';
import { assertPushEndpoint } from './push-endpoint';
import { normaliseEmailAddress } from './email-address';
import { normalisePhoneNumber } from './phone';
import type { Language } from '../../../shared/languages';
import { decodeVillages, encodeVillages } from '../villages/villages';
import { newConfirmCode, newConfirmationToken, sha256, signManageToken, signUnsubscribeToken, verifyManageToken, verifyUnsubscribeToken } from './tokens';

export interface SignupInput {
  channel: ChannelId;
  /** Required for WhatsApp (a number) and e-mail; Telegram learns the chat id from the deep link. */
  address?: string;
  name?: string;
  topics: string[];
  /** Slugs of `town.villages`; empty: the whole town. */
  villages?: string[];
  /** The citizen's language; one the town offers (config `languages`), else 400. */
  locale?: Language;
  consent: { accepted: true; version: string };
  source?: string;
  /** Web Push: the browser's subscription, which is the address (endpoint and keys). */
  subscription?: unknown;
  /**
   * A manage token of an existing subscription (from the "change channel or topics" link): with
   * no topics chosen, the new sign-up takes that subscription's topics.
   */
  topicsFrom?: string;
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
  whatsappUserId?: string | null;
}

/** Who wrote on WhatsApp: `address` is the number (E.164) or, without one, the BSUID. */
export interface WhatsappSender {
  channel: ChannelId;
  address: string;
  userId?: string;
}

const fieldError = (field: string | Array<string | number>, message: string) =>
  validationError(message, { errors: [{ path: (Array.isArray(field) ? field : [field]).map(String), message, name: 'ValidationError' }] });

/** The ledger's wording of a choice of villages: `villages: dakendorf, gnissau`, or `villages: all` for the whole town. */
export const villagesDetail = (slugs: readonly string[]) => `villages: ${slugs.length ? [...slugs].sort().join(', ') : 'all'}`;

/** What one sign-up answers for one channel: the same whether the address was new, pending or active. */
export interface SignupAnswer {
  /** `active` only for Web Push, whose browser permission is the confirmation itself. */
  status: 'pending' | 'active';
  channel: ChannelId;
  expiresAt: string;
  whatsappLink?: string | null;
  telegramLink?: string | null;
}

export interface SignupPlan {
  input: SignupInput;
  address: string | null;
  topicIds: number[];
  /** The village slugs chosen (checked against `town.villages`); empty: the whole town. */
  villages: string[];
  existing: SubscriberRow | null;
  now: Date;
  /** Web Push only. */
  pushSubscription?: PushSubscription;
  /** Shared by the rows one form signs up together (`signupMany` with several channels); see unreachable-hint.ts. */
  signupLinkId?: string | null;
}

/** Channels whose address the citizen types; Telegram's chat id only arrives with the deep link. */
const TYPED_ADDRESS: Record<ChannelId, boolean> = { whatsapp: true, email: true, telegram: false, webpush: false };

/** How a provider-side confirmation is recorded in the ledger, per channel. */
/**
 * Web Push needs no second step: the browser's permission prompt, after the citizen's own click,
 * is the act, and the address (a push subscription) can only come from the citizen's own browser.
 */
const CONFIRM_METHOD: Record<ChannelId, string> = { whatsapp: 'whatsapp-button', email: 'confirmation-link', telegram: 'telegram-deep-link', webpush: 'browser-permission' };
export const confirmMethodOf = (channel: ChannelId) => CONFIRM_METHOD[channel];

/**
 * Signup → subscriber and consent ledger. Every answer to the public is the same whether the
 * number was unknown, pending or already active, so nobody can learn who is subscribed.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const subscribers = () => strapi.db.query(UID.subscriber);
  const runtime = () => getService(strapi, 'runtime');
  const ledger = () => getService(strapi, 'consent-ledger');
  /** The ledger's `requested` entry for a sign-up on the town's form, whatever the channel. */
  // The chosen language is personal data like the topics: the ledger keeps it with the request.
  const recordRequest = (subscriberId: number, channel: ChannelId, consentVersion: string, locale: string, meta: RequestMeta, at: Date) =>
    ledger().record({ subscriberId, channel, type: 'requested', method: 'web-form', consentVersion, locale, language: locale, ip: meta.ip, userAgent: meta.userAgent, at });
  /**
   * Where a citizen lives is personal data: the ledger says when they chose their villages (at
   * sign-up, when the town has villages) and every change since, with what they chose.
   */
  const recordVillages = (subscriberId: number, channel: ChannelId, slugs: readonly string[], method: string, meta: RequestMeta, at: Date) =>
    runtime().config().town.villages.length
      ? ledger().record({ subscriberId, channel, type: 'changed', method, detail: villagesDetail(slugs), ip: meta.ip, userAgent: meta.userAgent, at })
      : Promise.resolve();

  const tokenSecret = () => serverSecret(strapi);

  /** Queues a one-to-one message; its text waits in the database, the job carries ids (messages.service). */
  const enqueueMessage = (channel: ChannelId, data: OutgoingMessage) => {
    getService(strapi, 'messages')
      .enqueue(channel, data)
      .catch((error: Error) => strapi.log.warn(`[${PLUGIN_ID}] could not enqueue a ${data.message} message: ${maskedMessage(error)}`));
  };

  const whatsappLink = (code: string) => {
    const number = runtime().config().channels.whatsapp.businessNumber.replace(/\D/g, '');
    return number ? `https://wa.me/${number}?text=${encodeURIComponent(`START ${code}`)}` : null;
  };

  /**
   * Redis key part for one address: an HMAC, so Redis never holds the number or e-mail address
   * itself, and one that cannot be reversed by trying every phone number without the secret.
   */
  const addressKey = (channel: ChannelId, address: string) => keyedHash(strapi, `${channel}:${address}`);

  /**
   * One attempt against a limit shared by every process (a window in Redis). While Redis is
   * unreachable the limit cannot be kept, and nothing can be sent either (messages go through
   * the same Redis), so the attempt is let through rather than refusing every citizen.
   */
  const admit = async (key: string, limit: number, now: Date) => {
    try {
      return await within(1000, runtime().limits().admitToWindow(key, randomUUID(), limit, HOUR_MS, now.getTime()));
    } catch (error) {
      strapi.log.warn(`[${PLUGIN_ID}] ${key.split(':')[0]} limit not checked, Redis did not answer: ${maskedMessage(error)}`);
      return { admitted: true as const };
    }
  };

  const telegramLink = (token: string) => {
    const bot = runtime().config().channels.telegram.botUsername;
    return bot ? `https://t.me/${bot}?start=${token}` : null;
  };

  return {
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

    /** Checks village slugs against `town.villages`; an unknown one is a 400 naming the field. */
    resolveVillages(slugs: readonly string[]): string[] {
      const known = new Set(runtime().config().town.villages.map((village) => village.slug));
      const unique = [...new Set(slugs)];
      const unknown = unique.filter((slug) => !known.has(slug));
      if (unknown.length) throw fieldError('villages', `Unknown village: ${unknown.join(', ')}`);
      return unique;
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

    /**
     * One sign-up per channel; several channels in one form are several calls (see
     * `signupMany`), each with its own subscriber row and its own ledger entry.
     */
    async signup(input: SignupInput, meta: RequestMeta, field: Array<string | number> = []): Promise<SignupAnswer> {
      const plan = await this.prepareSignup(input, field);
      return this.commitSignup(plan, meta);
    },

    /**
     * Several channels from one form. Every channel is validated (and rate-limited) before
     * anything is stored, so one bad address stores nothing at all.
     */
    async signupMany(shared: Omit<SignupInput, 'channel' | 'address'>, channels: Array<{ channel: ChannelId; address?: string }>, meta: RequestMeta) {
      const seen = new Set<string>();
      channels.forEach((entry, index) => {
        if (seen.has(entry.channel)) throw fieldError(['channels', index, 'channel'], `Channel ${entry.channel} is listed twice`);
        seen.add(entry.channel);
      });
      const plans = [];
      // The same person gave these addresses in one act: their rows share an opaque random id.
      const signupLinkId = channels.length > 1 ? randomUUID() : null;
      for (const [index, entry] of channels.entries()) {
        plans.push({ ...(await this.prepareSignup({ ...shared, ...entry }, ['channels', index])), signupLinkId });
      }
      const answers: SignupAnswer[] = [];
      for (const plan of plans) answers.push(await this.commitSignup(plan, meta));
      return answers;
    },

    /** Validates one channel's sign-up; throws a 400 naming the field, or a 429. Stores nothing. */
    async prepareSignup(input: SignupInput, field: Array<string | number> = []): Promise<SignupPlan> {
      const config = runtime().config();
      if (!runtime().channels().find(input.channel)) throw fieldError([...field, 'channel'], `Channel ${input.channel} is not available`);
      if (input.locale && !config.languages.includes(input.locale)) {
        throw fieldError('locale', `The town offers the languages ${config.languages.join(', ')}; ${input.locale} is not one of them`);
      }
      if (!config.consent.versions[input.consent.version]) {
        throw fieldError('consent.version', 'Unknown consent version; load the current one from GET /api/town-crier/consent');
      }
      let pushSubscription: PushSubscription | undefined;
      let address: string | null;
      if (input.channel === 'webpush') {
        const parsed = parsePushSubscription(input.subscription);
        if (!parsed) throw fieldError([...field, 'subscription'], 'A push subscription from the browser (endpoint and keys) is required for this channel');
        await assertPushEndpoint(strapi, parsed.endpoint, [...field, 'subscription']);
        pushSubscription = parsed;
        address = pushAddressOf(parsed.endpoint);
      } else {
        address = this.normaliseAddress(input.channel, input.address, [...field, 'address']);
      }
      let slugs = input.topics;
      let villageSlugs = input.villages ?? [];
      if (input.topicsFrom) {
        const carried = await this.topicsOfManageToken(input.topicsFrom);
        if (!carried) throw fieldError('topicsFrom', 'This link is invalid');
        if (!slugs.length) slugs = carried;
        if (!villageSlugs.length) villageSlugs = (await this.villagesOfManageToken(input.topicsFrom)) ?? [];
      }
      const villages = this.resolveVillages(villageSlugs);
      const topicIds = await this.resolveTopics(slugs);
      const now = new Date();
      if (address) {
        // Counted per address whatever its state (unknown, pending, active, withdrawn), so the
        // 4th attempt within the hour answers 429 for everyone alike and tells nothing.
        const admitted = await admit(`signup-address:${addressKey(input.channel, address)}`, config.rateLimit.signupsPerAddressPerHour, now);
        // A fixed "an hour": the exact time left would tell when someone else last tried this address.
        if (!admitted.admitted) throw rateLimitError('Too many sign-ups for this address; please try again later', { retryAfterSeconds: 3600 });
      }
      const existing = address ? ((await subscribers().findOne({ where: { channel: input.channel, address } })) as SubscriberRow | null) : null;
      return { input, address, topicIds, villages, existing, now, ...(pushSubscription ? { pushSubscription } : {}) };
    },

    async commitSignup(plan: SignupPlan, meta: RequestMeta): Promise<SignupAnswer> {
      const { input, address, topicIds, existing, now } = plan;
      if (plan.pushSubscription) return this.commitPushSignup(plan, meta);
      const config = runtime().config();
      const locale = input.locale ?? config.defaultLocale;
      const expiresAt = new Date(now.getTime() + config.confirmationTtlHours * HOUR_MS);
      const code = newConfirmCode();
      // Telegram's deep link carries the one-time token itself, so it exists before any message.
      const telegramToken = input.channel === 'telegram' ? newConfirmationToken() : null;

      // Same answer for every case; what differs is only what happens behind it.
      const answer: SignupAnswer = { status: 'pending', channel: input.channel, expiresAt: expiresAt.toISOString() };
      if (input.channel === 'whatsapp') answer.whatsappLink = whatsappLink(code);
      if (telegramToken) answer.telegramLink = telegramLink(telegramToken);

      if (existing?.status === 'active') {
        strapi.log.info(`[${PLUGIN_ID}] sign-up for an already active ${input.channel} subscriber ${maskAddress(address)}: nothing sent`);
        return input.channel === 'whatsapp' ? { ...answer, whatsappLink: whatsappLink(newConfirmCode()) } : answer;
      }

      let subscriberId: number;
      const pendingData = {
        name: input.name ?? null,
        topics: topicIds,
        villages: encodeVillages(plan.villages),
        locale,
        status: 'pending',
        source: input.source ?? 'web',
        expiresAt,
        confirmCode: sha256(code),
        consentVersion: input.consent.version,
        signupLinkId: plan.signupLinkId ?? null,
        ...(telegramToken ? { tokenHash: sha256(telegramToken) } : {}),
      };
      if (existing) {
        subscriberId = existing.id;
        await subscribers().update({ where: { id: existing.id }, data: pendingData });
      } else {
        const created = (await subscribers().create({ data: { ...pendingData, channel: input.channel, address } })) as { id: number };
        subscriberId = created.id;
      }

      const sentToday = await ledger().countSince(subscriberId, 'requested', new Date(now.getTime() - DAY_MS));
      await recordRequest(subscriberId, input.channel, input.consent.version, locale, meta, now);
      await recordVillages(subscriberId, input.channel, plan.villages, 'web-form', meta, now);
      const sendsConfirmation =
        input.channel === 'email' || (input.channel === 'whatsapp' && config.channels.whatsapp.confirmBy !== 'link');
      if (sendsConfirmation && sentToday < config.rateLimit.confirmationsPerAddressPerDay) {
        // Every WhatsApp template is a paid message: past the town-wide hourly budget (a flood of
        // sign-ups for foreign numbers) the citizen confirms with `START <code>` from the answer's
        // link instead, which costs nothing and proves the number by writing from it.
        const paid = input.channel === 'whatsapp';
        if (!paid || (await admit('confirmation-templates', config.rateLimit.confirmationTemplatesPerHour, now)).admitted) {
          enqueueMessage(input.channel, { message: 'confirmation', subscriberId });
        } else {
          strapi.log.info(`[${PLUGIN_ID}] hourly budget of WhatsApp confirmation templates reached: this sign-up confirms with START <code>`);
        }
      }
      return answer;
    },

    /**
     * Web Push: the subscription came from the citizen's own browser after their click and the
     * browser's permission prompt, so it is active at once. The ledger holds the request (with
     * the consent version and its text's hash) and the confirmation by browser permission. A
     * browser signing up again changes its topics and keys; its row stays the same.
     */
    async commitPushSignup(plan: SignupPlan, meta: RequestMeta): Promise<SignupAnswer> {
      const { input, address, topicIds, existing, now } = plan;
      const config = runtime().config();
      const locale = input.locale ?? config.defaultLocale;
      const data = {
        name: input.name ?? null,
        topics: topicIds,
        villages: encodeVillages(plan.villages),
        locale,
        source: input.source ?? 'web',
        consentVersion: input.consent.version,
        pushSubscription: plan.pushSubscription,
        // A browser subscribing anew (fresh keys) is reachable again, whatever its last push answered.
        undeliverableAt: null,
        expiresAt: null,
        signupLinkId: plan.signupLinkId ?? null,
      };
      let row: SubscriberRow;
      if (existing) {
        await subscribers().update({ where: { id: existing.id }, data });
        row = { ...existing, locale, consentVersion: input.consent.version, status: existing.status === 'active' ? 'active' : 'pending', expiresAt: null };
      } else {
        row = (await subscribers().create({ data: { ...data, channel: 'webpush', address, status: 'pending' } })) as SubscriberRow;
      }
      await recordRequest(row.id, 'webpush', input.consent.version, locale, meta, now);
      if (existing?.locale && existing.locale !== locale) {
        // The same browser signing up again from the page in another language: a change of language, in the ledger as such.
        await ledger().record({ subscriberId: row.id, channel: 'webpush', type: 'language-changed', method: 'signup-page', language: locale, ip: meta.ip, userAgent: meta.userAgent, at: now });
      }
      await recordVillages(row.id, 'webpush', plan.villages, 'web-form', meta, now);
      await this.activate(row, CONFIRM_METHOD.webpush);
      return { status: 'active', channel: 'webpush', expiresAt: now.toISOString() };
    },

    /** The page's "Mitteilungen abbestellen": the browser proves the subscription by knowing its endpoint. */
    async unsubscribePush(endpoint: string, meta: RequestMeta) {
      const subscriber = (await subscribers().findOne({ where: { channel: 'webpush', address: pushAddressOf(endpoint) } })) as SubscriberRow | null;
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
      const subscriber = (await subscribers().findOne({ where: { channel: 'webpush', address: pushAddressOf(oldEndpoint) } })) as SubscriberRow | null;
      if (!subscriber || subscriber.status !== 'active') return false;
      const address = pushAddressOf(parsed.endpoint);
      const taken = address !== subscriber.address && (await subscribers().findOne({ where: { channel: 'webpush', address } }));
      if (taken) return false;
      await subscribers().update({ where: { id: subscriber.id }, data: { address, pushSubscription: parsed, undeliverableAt: null } });
      return true;
    },

    /**
     * Confirms the pending subscriber holding this one-time token. `from` is the sender when the
     * token came back through a channel (a WhatsApp button, Telegram's `/start <token>`): it must
     * be that subscriber's address, or, for a channel whose address is learnt only now
     * (Telegram), it becomes the address.
     */
    async confirmByToken(token: string, method: string, from?: { channel: ChannelId; address: string; userId?: string }) {
      const subscriber = (await subscribers().findOne({ where: { tokenHash: sha256(token) } })) as SubscriberRow | null;
      const invalid = () => fieldError('token', 'This confirmation link is invalid or has expired');
      if (!subscriber) throw invalid();
      // A row without an address (Telegram before /start) has no chat to confirm from: only the
      // channel itself may link and confirm it, never the public confirm endpoint.
      if (!from) {
        if (subscriber.address === null) throw invalid();
        return this.activate(subscriber, method);
      }
      if (subscriber.channel !== from.channel) throw invalid();
      if (subscriber.address === null && subscriber.status === 'pending') return this.linkAddress(subscriber, from.address, method);
      // The token went only to this subscriber's WhatsApp; a tap from a username (BSUID, no number) is theirs.
      const sameWhatsappUser = from.channel === 'whatsapp' && (isBusinessScopedUserId(from.address) || (Boolean(from.userId) && from.userId === subscriber.whatsappUserId));
      if (subscriber.address !== from.address && !sameWhatsappUser) throw invalid();
      await this.rememberWhatsappUserId(subscriber, from.userId);
      return this.activate(subscriber, method);
    },

    /**
     * Gives a pending Telegram sign-up its chat id and confirms it. A chat that already has a row
     * (it left earlier, or signs up again to change topics) keeps that row: the new choice and
     * the new `requested` ledger entry move onto it, so there is still one row per chat.
     */
    async linkAddress(pending: SubscriberRow, address: string, method: string) {
      const expiresAt = toDate(pending.expiresAt);
      if (expiresAt && expiresAt.getTime() < Date.now()) throw fieldError('token', 'This confirmation link is invalid or has expired');
      const existing = (await subscribers().findOne({ where: { channel: pending.channel, address } })) as SubscriberRow | null;
      if (!existing) {
        await subscribers().update({ where: { id: pending.id }, data: { address } });
        return this.activate({ ...pending, address }, method);
      }
      return this.mergePendingInto(pending, existing, method);
    },

    /** Moves a pending sign-up's choice and ledger onto the citizen's existing row, and confirms that. */
    async mergePendingInto(pending: SubscriberRow, existing: SubscriberRow, method: string) {
      const full = (await subscribers().findOne({ where: { id: pending.id }, populate: ['topics'] })) as { topics?: Array<{ id: number }>; villages?: string | null; signupLinkId?: string | null } | null;
      const events = (await ledger().forSubscriber(pending.id)) as Array<{ id: number }>;
      for (const event of events) await strapi.db.query(UID.consentEvent).update({ where: { id: event.id }, data: { subscriber: existing.id } });
      await subscribers().delete({ where: { id: pending.id } });
      await subscribers().update({
        where: { id: existing.id },
        data: {
          topics: (full?.topics ?? []).map((topic) => topic.id),
          villages: full?.villages ?? null,
          locale: pending.locale,
          consentVersion: pending.consentVersion,
          signupLinkId: full?.signupLinkId ?? null,
          ...(pending.name ? { name: pending.name } : {}),
        },
      });
      const merged = { ...existing, locale: pending.locale, consentVersion: pending.consentVersion };
      return existing.status === 'active' ? merged : this.activate({ ...merged, status: 'pending', expiresAt: null }, method);
    },

    /**
     * `START <code>` from the citizen's own WhatsApp: the sender proves itself by writing. A code
     * of a pending sign-up also finds it when the sender is not known by that address: a sign-up
     * without a number, or a citizen with a username whose number Meta does not share. Then the
     * sender's own identity becomes the address, and a number typed on the website but never
     * proven is dropped, so nothing goes to a number whose owner did not write.
     */
    async confirmByCode(channel: ChannelId, address: string, code: string | null, method: string, userId?: string) {
      if (channel === 'whatsapp' && code) {
        const pending = (await subscribers().findOne({ where: { channel, status: 'pending', confirmCode: sha256(code.toUpperCase()) } })) as SubscriberRow | null;
        const senderHasNumber = !isBusinessScopedUserId(address);
        const expiresAt = toDate(pending?.expiresAt);
        const live = pending && !(expiresAt && expiresAt.getTime() < Date.now());
        if (pending && live && (pending.address === null || pending.address === address || !senderHasNumber)) {
          const existing = await this.findByAddress(channel, address, userId);
          if (existing && existing.id !== pending.id) {
            await this.rememberWhatsappUserId(existing, userId);
            return { outcome: 'confirmed' as const, subscriber: await this.mergePendingInto(pending, existing, method) };
          }
          const proven = { address, whatsappUserId: userId ?? (senderHasNumber ? pending.whatsappUserId : address) ?? null };
          await subscribers().update({ where: { id: pending.id }, data: proven });
          return { outcome: 'confirmed' as const, subscriber: await this.activate({ ...pending, ...proven }, method) };
        }
      }
      const subscriber = await this.findByAddress(channel, address, userId);
      if (!subscriber) return { outcome: 'unknown' as const };
      await this.rememberWhatsappUserId(subscriber, userId);
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
      // Status and ledger change together, and only once: a button tap and a START code arriving
      // at the same moment must not leave two `confirmed` entries, nor an active row without one.
      await strapi.db.transaction(async () => {
        const { count } = (await subscribers().updateMany({
          where: { id: subscriber.id, status: { $ne: 'active' } },
          data: { status: 'active', confirmedAt: now, unsubscribedAt: null, expiresAt: null, tokenHash: null, confirmCode: null, marketingStoppedAt: null },
        })) as { count: number };
        if (!count) return;
        await ledger().record({
          subscriberId: subscriber.id,
          channel: subscriber.channel,
          type: 'confirmed',
          method,
          consentVersion: subscriber.consentVersion,
          locale: subscriber.locale ?? undefined,
          at: now,
        });
      });
      return { ...subscriber, status: 'active' as const };
    },

    async unsubscribeByToken(token: string, meta: RequestMeta, method = 'unsubscribe-link') {
      const id = verifyUnsubscribeToken(tokenSecret(), token);
      const subscriber = id ? ((await subscribers().findOne({ where: { id } })) as SubscriberRow | null) : null;
      if (!subscriber) throw fieldError('token', 'This unsubscribe link is invalid');
      await this.withdraw(subscriber.id, method, meta);
    },

    unsubscribeToken(subscriberId: number) {
      return signUnsubscribeToken(tokenSecret(), subscriberId);
    },

    manageToken(subscriberId: number) {
      return signManageToken(tokenSecret(), subscriberId);
    },

    /** The active topic slugs of the subscription a manage token names; null when the token is not valid. */
    async topicsOfManageToken(token: string): Promise<string[] | null> {
      const id = verifyManageToken(tokenSecret(), token);
      const subscriber = id
        ? ((await subscribers().findOne({ where: { id }, populate: ['topics'] })) as { address: string | null; topics?: Array<{ slug: string; active: boolean }> } | null)
        : null;
      // Erased subscriptions have nothing left to carry over.
      if (!subscriber?.address) return null;
      return (subscriber.topics ?? []).filter((topic) => topic.active).map((topic) => topic.slug);
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
      const subscriber = (await subscribers().findOne({ where: { id: subscriberId } })) as SubscriberRow | null;
      if (!subscriber?.address) throw fieldError('token', 'This link is invalid');
      if (subscriber.locale === wanted) return wanted;
      await strapi.db.transaction(async () => {
        await subscribers().update({ where: { id: subscriberId }, data: { locale: wanted } });
        await ledger().record({ subscriberId, channel: subscriber.channel, type: 'language-changed', method, language: wanted, ip: meta.ip, userAgent: meta.userAgent });
      });
      return wanted;
    },

    /** The (not erased) subscription a manage token names, or null. */
    async subscriberOfManageToken(token: string): Promise<SubscriberRow | null> {
      const id = verifyManageToken(tokenSecret(), token);
      const subscriber = id ? ((await subscribers().findOne({ where: { id } })) as SubscriberRow | null) : null;
      return subscriber?.address ? subscriber : null;
    },

    /** The language link (`/subscriptions/language?token=…`): the manage token names the subscription. */
    async changeLanguageByToken(token: string, language: string, meta: RequestMeta) {
      const id = verifyManageToken(tokenSecret(), token);
      if (!id) throw fieldError('token', 'This link is invalid');
      return this.changeLanguage(id, language, 'language-link', meta);
    },

    /** The village slugs of the subscription a manage token names; null when the token is not valid. */
    async villagesOfManageToken(token: string): Promise<string[] | null> {
      const id = verifyManageToken(tokenSecret(), token);
      const subscriber = id ? ((await subscribers().findOne({ where: { id }, select: ['address', 'villages'] })) as { address: string | null; villages: string | null } | null) : null;
      if (!subscriber?.address) return null;
      const known = new Set(runtime().config().town.villages.map((village) => village.slug));
      return decodeVillages(subscriber.villages).filter((slug) => known.has(slug));
    },

    /** The village slugs a subscriber chose (empty: the whole town). */
    async villagesOf(subscriberId: number): Promise<string[]> {
      const row = (await subscribers().findOne({ where: { id: subscriberId }, select: ['villages'] })) as { villages: string | null } | null;
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
    async withdraw(subscriberId: number, method: string, meta: RequestMeta = {}) {
      const subscriber = (await subscribers().findOne({ where: { id: subscriberId } })) as SubscriberRow | null;
      if (!subscriber || subscriber.status === 'unsubscribed') return false;
      const now = new Date();
      // As in activate: one `withdrawn` entry however many STOPs arrive at once, written with the status.
      return strapi.db.transaction(async () => {
        const { count } = (await subscribers().updateMany({
          where: { id: subscriberId, status: { $ne: 'unsubscribed' } },
          data: { status: 'unsubscribed', unsubscribedAt: now, tokenHash: null, confirmCode: null },
        })) as { count: number };
        if (!count) return false;
        await ledger().record({ subscriberId, channel: subscriber.channel, type: 'withdrawn', method, ip: meta.ip, userAgent: meta.userAgent, at: now });
        return true;
      });
    },

    /**
     * The subscriber behind an address. On WhatsApp also by BSUID, whichever of number and BSUID
     * the webhook carried: the row with this very address first, then the one that knows the BSUID.
     */
    async findByAddress(channel: ChannelId, address: string, userId?: string) {
      type Found = SubscriberRow & { topics: Array<{ name: string }> };
      const ids = [...new Set([address, userId].filter((value): value is string => Boolean(value)))];
      if (channel !== 'whatsapp' || !ids.some((id) => isBusinessScopedUserId(id))) {
        return (await subscribers().findOne({ where: { channel, address }, populate: ['topics'] })) as Found | null;
      }
      const rows = (await subscribers().findMany({
        where: { channel, $or: [{ address: { $in: ids } }, { whatsappUserId: { $in: ids } }] },
        populate: ['topics'],
        orderBy: { id: 'desc' },
      })) as Found[];
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
      const rows = (await subscribers().findMany({
        where: { channel: 'whatsapp', $or: [{ whatsappUserId: previous }, { address: previous }] },
        select: ['id', 'address'],
      })) as Array<{ id: number; address: string | null }>;
      for (const row of rows) {
        await subscribers().update({ where: { id: row.id }, data: { whatsappUserId: current, ...(row.address === previous ? { address: current } : {}) } });
      }
      await strapi.db.query(UID.inboundMessage).updateMany({ where: { channel: 'whatsapp', fromAddress: previous }, data: { fromAddress: current } });
      return rows.length;
    },

    async issueConfirmationToken(subscriberId: number): Promise<string> {
      const token = newConfirmationToken();
      await subscribers().update({ where: { id: subscriberId }, data: { tokenHash: sha256(token) } });
      return token;
    },

    /**
     * Unconfirmed sign-ups past their deadline. A sign-up that never was confirmed goes with its
     * ledger entries. A returning citizen's row (confirmed and withdrawn before, then signed up
     * again) only goes back to `unsubscribed`: the earlier consent and withdrawal stay as proof,
     * the retention clock keeps running from the first withdrawal, and what the unconfirmed
     * request brought (name, its `requested` entries with IP and browser) goes. Otherwise anyone
     * could erase a citizen's history by signing the number up and not confirming.
     */
    async expirePending(now = new Date()) {
      const expired = (await subscribers().findMany({
        where: { status: 'pending', expiresAt: { $lt: now } },
        select: ['id', 'confirmedAt', 'unsubscribedAt'],
        limit: 1000,
      })) as Array<{ id: number; confirmedAt: unknown; unsubscribedAt: unknown }>;
      const returning = expired.filter((row) => row.confirmedAt || row.unsubscribedAt);
      const fresh = expired.filter((row) => !returning.includes(row)).map((row) => row.id);
      if (fresh.length) {
        await ledger().deleteForSubscribers(fresh);
        await subscribers().deleteMany({ where: { id: { $in: fresh } } });
      }
      for (const row of returning) {
        const since = toDate(row.unsubscribedAt) ?? toDate(row.confirmedAt);
        const events = (await ledger().forSubscriber(row.id)) as Array<{ id: number; type: string; occurredAt: unknown }>;
        const request = events.filter((event) => (event.type === 'requested' || event.type === 'changed') && since && (toDate(event.occurredAt)?.getTime() ?? 0) > since.getTime());
        if (request.length) await strapi.db.query(UID.consentEvent).deleteMany({ where: { id: { $in: request.map((event) => event.id) } } });
        await subscribers().updateMany({
          where: { id: row.id, status: 'pending' },
          data: { status: 'unsubscribed', name: null, expiresAt: null, confirmCode: null, tokenHash: null, signupLinkId: null },
        });
      }
      return { deleted: fresh.length, reverted: returning.length };
    },

    // Export, erasure and retention live in privacy.service.ts; these names stay for callers.
    exportSubscriber: (id: number) => getService(strapi, 'privacy').exportSubscriber(id),
    erase: (id: number) => getService(strapi, 'privacy').erase(id),
    purgeWithdrawn: (now?: Date) => getService(strapi, 'privacy').purgeWithdrawn(now),

    /** WhatsApp's in-app "stop marketing messages" and a blocked Telegram bot are withdrawals like STOP. */
    async handlePreference(channel: ChannelId, address: string, value: 'stop' | 'resume', userId?: string) {
      const subscriber = await this.findByAddress(channel, address, userId);
      if (!subscriber) return;
      if (value === 'stop') {
        await subscribers().update({ where: { id: subscriber.id }, data: { marketingStoppedAt: new Date() } });
        await this.withdraw(subscriber.id, `${channel}-preference`);
      } else {
        await subscribers().update({ where: { id: subscriber.id }, data: { marketingStoppedAt: null } });
      }
    },

    enqueueMessage,
  };
};
