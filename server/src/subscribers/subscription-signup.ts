import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { rateLimitError } from '../http/errors';
import { PLUGIN_ID, type ChannelId } from '../constants';
import { maskAddress } from '../utils/log';
import { DAY_MS, HOUR_MS } from '../utils/time';
import { assertPushEndpoint } from './push-endpoint';
import { parsePushSubscription, pushAddressOf, type PushSubscription } from '../channels/webpush/webpush.subscription';
import { encodeVillages } from '../villages/villages';
import { newConfirmCode, newConfirmationToken, sha256 } from './tokens';
import { fieldError, CONFIRM_METHOD, type SubscriberRow, type RequestMeta, type SignupInput, type SignupAnswer, type SignupPlan, type SubscriptionContext } from './subscription-context';
import type identityModule from './subscription-identity';
import type confirmationModule from './subscription-confirmation';
import type preferencesModule from './subscription-preferences';
import type manageModule from './subscription-manage';
import { texts } from '../messages/texts';
import { MANAGE_URL_PLACEHOLDER } from '../messages/manage-link';
import { citizenLanguage } from '../languages/languages';
import { idFromRow } from '../database/row';
import { subscriberFromRow } from './subscriber.rows';

/** Sign-up → subscriber and consent ledger. Every answer to the public is the same whether the number was unknown, pending or already active, so nobody can learn who is subscribed. */
export default ({ strapi }: { strapi: Core.Strapi }, context: SubscriptionContext, identity: ReturnType<typeof identityModule>, confirmation: ReturnType<typeof confirmationModule>, preferences: ReturnType<typeof preferencesModule>,
  manage: ReturnType<typeof manageModule>
) => {
  const { subscribers, reads, runtime, ledger, recordRequest, recordVillages, enqueueMessage, whatsappLink, addressKey, admit, telegramLink } = context;
  return {
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
      let address: string | null = null;
      if (input.channel === 'webpush') {
        const parsed = parsePushSubscription(input.subscription);
        if (!parsed) throw fieldError([...field, 'subscription'], 'A push subscription from the browser (endpoint and keys) is required for this channel');
        await assertPushEndpoint(strapi, parsed.endpoint, [...field, 'subscription']);
        pushSubscription = parsed;
        address = pushAddressOf(parsed.endpoint);
      }
      // Opened from the citizen's own "change topics" link: the token names the subscription; on
      // its channel the address may be left out (the page does not show it).
      const managed = input.manage ? await identity.subscriberOfManageToken(input.manage) : null;
      if (input.manage && !managed) throw fieldError('manage', 'This link is invalid');
      const managedHere =
        managed && managed.channel === input.channel && input.channel !== 'webpush' && (!input.address || identity.normaliseAddress(input.channel, input.address, [...field, 'address']) === managed.address)
          ? managed
          : null;
      if (input.channel !== 'webpush') address = managedHere ? managedHere.address : identity.normaliseAddress(input.channel, input.address, [...field, 'address']);
      let slugs = input.topics;
      let villageSlugs = input.villages ?? [];
      if (input.topicsFrom) {
        const carried = await identity.topicsOfManageToken(input.topicsFrom);
        if (!carried) throw fieldError('topicsFrom', 'This link is invalid');
        if (!slugs.length) slugs = carried;
        if (!villageSlugs.length) villageSlugs = (await identity.villagesOfManageToken(input.topicsFrom)) ?? [];
      }
      const villages = preferences.resolveVillages(villageSlugs);
      const topicIds = await preferences.resolveTopics(slugs);
      const now = new Date();
      if (address) {
        // Counted per address whatever its state (unknown, pending, active, withdrawn), so the
        // 4th attempt within the hour answers 429 for everyone alike and tells nothing.
        const admitted = await admit(`signup-address:${addressKey(input.channel, address)}`, config.rateLimit.signupsPerAddressPerHour, now);
        // A fixed "an hour": the exact time left would tell when someone else last tried this address.
        if (!admitted.admitted) throw rateLimitError('Too many sign-ups for this address; please try again later', { retryAfterSeconds: 3600 });
      }
      const existing = managedHere ?? (address ? await reads.findOne({ where: { channel: input.channel, address } }) : null);
      return { input, address, topicIds, villages, existing, now, ...(pushSubscription ? { pushSubscription } : {}), ...(managedHere ? { managed: true } : {}) };
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
        if (plan.managed) return manage.applyManagedChange({ ...plan, existing }, meta);
        // Never silence for the owner, never a change by a stranger: the mailbox gets one message
        // an hour with its manage link, where the owner makes the change (and sees it take effect).
        if (input.channel === 'email' && address && (await admit(`change-request:${addressKey(input.channel, address)}`, 1, now)).admitted) {
          const town = config.town.name;
          enqueueMessage(input.channel, { message: 'text', subscriberId: existing.id, text: texts.changeRequest[citizenLanguage(existing.locale, config)](town, MANAGE_URL_PLACEHOLDER), kind: 'other' });
          strapi.log.info(`[${PLUGIN_ID}] sign-up for an already active ${input.channel} subscriber ${maskAddress(address)}: the manage link sent`);
        }
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
        const created = idFromRow(await subscribers().create({ data: { ...pendingData, channel: input.channel, address } }));
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
        row = subscriberFromRow(await subscribers().create({ data: { ...data, channel: 'webpush', address, status: 'pending' } }));
      }
      await recordRequest(row.id, 'webpush', input.consent.version, locale, meta, now);
      if (existing?.locale && existing.locale !== locale) {
        // The same browser signing up again from the page in another language: a change of language, in the ledger as such.
        await ledger().record({ subscriberId: row.id, channel: 'webpush', type: 'language-changed', method: 'signup-page', language: locale, ip: meta.ip, userAgent: meta.userAgent, at: now });
      }
      await recordVillages(row.id, 'webpush', plan.villages, 'web-form', meta, now);
      await confirmation.activate(row, CONFIRM_METHOD.webpush);
      return { status: 'active', channel: 'webpush', expiresAt: now.toISOString() };
    },
  };
};
