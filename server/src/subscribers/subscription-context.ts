import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { validationError } from '../http/errors';
import { PLUGIN_ID, UID, type ChannelId } from '../constants';
import { maskedMessage } from '../utils/log';
import { keyedHash, tokenSecret as serverSecret } from '../utils/secret';
import type { OutgoingMessage } from '../queue/jobs';
import { getService } from '../utils/get-service';
import { HOUR_MS, within } from '../utils/time';
import type { Language } from '../../../shared/languages';
import type { PushSubscription } from '../channels/webpush/webpush.subscription';
import { subscriberReads, type SubscriberRow } from './subscriber.rows';

/** Types and helpers shared by the subscription modules (sign-up, confirmation, preferences, identity). */
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
  /**
   * The manage token of the link the sign-up page was opened with: the subscription it names
   * (same channel; its address may be left out) takes the change at once (subscription-manage.ts).
   */
  manage?: string;
}

export interface RequestMeta {
  ip?: string | null;
  userAgent?: string | null;
}

export type { SubscriberRow } from './subscriber.rows';

/** Who wrote on WhatsApp: `address` is the number (E.164) or, without one, the BSUID. */
export interface WhatsappSender {
  channel: ChannelId;
  address: string;
  userId?: string;
}

export const fieldError = (field: string | Array<string | number>, message: string) =>
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
  /** A change made with the manage token: what changed (topic and village names, the language); empty: nothing. */
  changed?: { topics?: string[]; villages?: string[]; language?: Language };
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
  /** The manage token named this very row: the change applies at once when it is active. */
  managed?: boolean;
}

/** Channels whose address the citizen types; Telegram's chat id only arrives with the deep link. */
export const TYPED_ADDRESS: Record<ChannelId, boolean> = { whatsapp: true, email: true, telegram: false, webpush: false, activitypub: false, mastodon: false, bluesky: false };

/** How a provider-side confirmation is recorded in the ledger, per channel. */
/**
 * Web Push needs no second step: the browser's permission prompt, after the citizen's own click,
 * is the act, and the address (a push subscription) can only come from the citizen's own browser.
 */
export const CONFIRM_METHOD: Record<ChannelId, string> = { whatsapp: 'whatsapp-button', email: 'confirmation-link', telegram: 'telegram-deep-link', webpush: 'browser-permission', activitypub: 'activitypub-follow', mastodon: 'account-channel', bluesky: 'account-channel' };
export const confirmMethodOf = (channel: ChannelId) => CONFIRM_METHOD[channel];


/** What every subscription module works with; built once per service instance. */
export const subscriptionContext = (strapi: Core.Strapi) => {
  const subscribers = () => strapi.db.query(UID.subscriber);
  /** Reads of the subscriber table, parsed (subscriber.rows.ts); writes go through `subscribers()`. */
  const reads = subscriberReads(strapi);
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
  const opaqueKey = (value: string) => keyedHash(strapi, value);
  const addressKey = (channel: ChannelId, address: string) => opaqueKey(`${channel}:${address}`);

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

  return { subscribers, reads, runtime, ledger, recordRequest, recordVillages, tokenSecret, opaqueKey, enqueueMessage, whatsappLink, addressKey, admit, telegramLink };
};

export type SubscriptionContext = ReturnType<typeof subscriptionContext>;
