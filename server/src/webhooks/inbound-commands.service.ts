import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, UID, type ChannelId } from '../constants';
import type { ChannelEvent } from '../channels/channel';
import { getService } from '../utils/get-service';
import { keyedHash } from '../utils/secret';
import { HOUR_MS, toDate } from '../utils/time';
import { idFromRow } from '../database/row';
import { inboundMessageReads } from '../inbox/inbound-message.rows';
import { topicReads } from '../subscribers/topic.rows';
import { LANGUAGE_KEYWORDS, texts } from '../messages/texts';
import { citizenLanguage, languageOfKeyword } from '../languages/languages';
import { confirmMethodOf } from '../subscribers/subscriptions.service';
import { MANAGE_URL_PLACEHOLDER } from '../messages/manage-link';
import { publicLinks } from '../http/public-links';
import { findVillage, resolveVillages, WHOLE_TOWN_WORDS, type Village } from '../villages/villages';

type InboundMessage = Extract<ChannelEvent, { type: 'message' }>;

/** Keywords citizens write; matched case- and accent-insensitively on the first word. */
const COMMANDS: Record<string, 'stop' | 'start' | 'help' | 'topics' | 'language'> = {
  STOP: 'stop',
  STOPP: 'stop',
  ABMELDEN: 'stop',
  UNSUBSCRIBE: 'stop',
  START: 'start',
  ANMELDEN: 'start',
  HILFE: 'help',
  HELP: 'help',
  THEMEN: 'topics',
  TOPICS: 'topics',
  ORTSTEIL: 'topics',
  ORTSTEILE: 'topics',
  VILLAGE: 'topics',
  VILLAGES: 'topics',
  SPRACHE: 'language',
  LANGUAGE: 'language',
};

/**
 * What follows the keyword in `THEMEN Dakendorf, Groß Parin`: the village names, split at
 * commas, "und"/"and" or, for a part that names no village as a whole, at spaces. A whole-town
 * word (ALLE) alone means all villages. Answers null when nothing follows the keyword.
 */
export function villageWords(text: string | undefined, villages: readonly Village[]): { slugs: string[]; unknown: string[] } | null {
  const rest = (text ?? '').trim().replace(/^\S+\s*/, '').trim();
  if (!rest) return null;
  const parts = rest.split(/\s*(?:[,;]|\s+und\s+|\s+and\s+|\s+&\s+)\s*/i).filter(Boolean);
  if (parts.length === 1 && WHOLE_TOWN_WORDS.includes(parts[0].normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toUpperCase())) return { slugs: [], unknown: [] };
  const values = parts.flatMap((part) => (findVillage(villages, part) ? [part] : part.split(/\s+/)));
  const { known, unknown } = resolveVillages(villages, values);
  return { slugs: known.map((village) => village.slug), unknown };
}

export function parseCommand(text: string | undefined) {
  const normalised = (text ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .toUpperCase();
  const [word = '', argument = ''] = normalised.split(/\s+/, 2);
  const command = COMMANDS[word.replace(/[^A-Z]/g, '')];
  return command ? { command, argument: argument.replace(/[^A-Z0-9]/g, '') || null } : null;
}

/**
 * Whether a message was written no later than the subscriber's last withdrawal (the provider's
 * time of a STOP, or the server's time of an unsubscribe link). On a tie the withdrawal wins:
 * providers give seconds, and staying unsubscribed is the safe side.
 */
function writtenBeforeWithdrawal(subscriber: { status: string; unsubscribedAt?: unknown } | null, writtenAt: Date) {
  const withdrawnAt = subscriber?.status === 'active' ? null : toDate(subscriber?.unsubscribedAt);
  return Boolean(withdrawnAt && writtenAt.getTime() <= withdrawnAt.getTime());
}

/** What citizens write: commands act, anything else goes to the town's inbox. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');
  const subscriptions = () => getService(strapi, 'subscriptions');

  /** The answer to a keyword (a STOP's receipt is counted apart: it is the one answer a town cannot avoid). */
  const reply = async (channel: ChannelId, event: InboundMessage, text: string, kind: 'keyword-answer' | 'stop-receipt' = 'keyword-answer') => {
    const subscriber = await subscriptions().findByAddress(channel, event.from, event.userId);
    if (subscriber) {
      subscriptions().enqueueMessage(channel, { message: 'text', subscriberId: subscriber.id, text, kind });
      return;
    }
    // Someone who is not a subscriber: answer the message itself, which holds their number.
    const inbound = await storeInbound(channel, event, null, false);
    if (inbound) subscriptions().enqueueMessage(channel, { message: 'reply', inboundMessageId: inbound.id, text, kind });
  };

  const storeInbound = async (channel: ChannelId, event: InboundMessage, subscriberId: number | null, forInbox: boolean) => {
    const existing = await inboundMessageReads(strapi).pickOne(['id'], { where: { providerMessageId: event.providerMessageId } });
    if (existing) return existing;
    return idFromRow(await strapi.db.query(UID.inboundMessage).create({
      data: {
        channel,
        subscriber: subscriberId,
        fromAddress: event.from,
        providerMessageId: event.providerMessageId,
        text: event.text ?? event.buttonPayload ?? '',
        receivedAt: event.at,
        // Command traffic is not for the inbox; mark it handled so staff never see it.
        handledAt: forInbox ? null : new Date(),
        handledBy: forInbox ? null : 'system',
      },
    }));
  };

  return {
    async handle(channel: ChannelId, event: InboundMessage) {
      const config = runtime().config();
      const town = config.town.name;
      let subscriber = await subscriptions().findByAddress(channel, event.from, event.userId);
      const locale = citizenLanguage(subscriber?.locale, config);
      if (subscriber) {
        // The citizen's message opens the provider's 24-hour window for free-text answers.
        await strapi.db.query(UID.subscriber).update({ where: { id: subscriber.id }, data: { lastInboundAt: event.at } });
        await subscriptions().rememberWhatsappUserId(subscriber, event.userId);
      }

      const parsed = parseCommand(event.buttonPayload?.startsWith('UNSUB') ? 'STOP' : event.text);
      const confirms = Boolean(event.buttonPayload?.startsWith('CONFIRM:')) || parsed?.command === 'start';
      if (confirms && writtenBeforeWithdrawal(subscriber, event.at)) {
        // Meta delivers webhooks out of order: a START (or a tap, or Telegram's /start) written
        // before the citizen's STOP must not undo it. Nothing happens and nothing is answered.
        strapi.log.info(`[${PLUGIN_ID}] ${channel} confirmation written before the citizen's withdrawal arrived late: ignored`);
        return;
      }

      if (event.buttonPayload?.startsWith('CONFIRM:')) {
        try {
          const confirmed = await subscriptions().confirmByToken(event.buttonPayload.slice('CONFIRM:'.length), confirmMethodOf(channel), {
            channel,
            address: event.from,
            ...(event.userId ? { userId: event.userId } : {}),
          });
          // A Telegram chat is only known from here on; the welcome goes out in the language chosen at sign-up.
          return reply(channel, event, texts.welcome[citizenLanguage(confirmed.locale ?? subscriber?.locale, config)](town));
        } catch {
          return reply(channel, event, texts.wrongCode[locale]());
        }
      }

      if (parsed?.command === 'stop') {
        if (subscriber) await subscriptions().withdraw(subscriber.id, `${channel}-keyword`, {}, event.at);
        return reply(channel, event, texts.unsubscribed[locale](town), 'stop-receipt');
      }
      if (parsed?.command === 'start') {
        const result = await subscriptions().confirmByCode(channel, event.from, parsed.argument, `${channel}-keyword`, event.userId);
        if (result.outcome === 'unknown') return reply(channel, event, texts.notSubscribed[locale](publicLinks(strapi, config).signup()));
        if (result.outcome === 'wrong-code') return reply(channel, event, texts.wrongCode[locale]());
        return reply(channel, event, texts.welcome[locale](town));
      }
      if (parsed?.command === 'help') {
        const privacy = getService(strapi, 'consent-ledger').consentText(config.consent.current, locale)?.privacyPolicyUrl ?? '';
        return reply(channel, event, texts.help[locale](town, privacy));
      }
      if (parsed?.command === 'language') {
        // `SPRACHE EN`, `LANGUAGE DE`, `SPRACHE LS` (Leichte Sprache); alone or unknown: the choices.
        if (!subscriber?.address || subscriber.status === 'unsubscribed') return reply(channel, event, texts.notSubscribed[locale](publicLinks(strapi, config).signup()));
        const wanted = languageOfKeyword(parsed.argument);
        if (!wanted || !config.languages.includes(wanted)) {
          return reply(channel, event, texts.languageChoices[locale](config.languages.map((language) => LANGUAGE_KEYWORDS[language]).join(', ')));
        }
        const chosen = await subscriptions().changeLanguage(subscriber.id, wanted, `${channel}-keyword`);
        return reply(channel, event, texts.languageChanged[chosen]());
      }
      if (parsed?.command === 'topics') {
        const villages = config.town.villages;
        const villageNames = (slugs: string[]) => villages.filter((village) => slugs.includes(village.slug)).map((village) => village.name);
        // `THEMEN Dakendorf, Gnissau` (or ORTSTEIL …) changes the villages; `THEMEN ALLE` chooses all of them.
        const wanted = villages.length ? villageWords(event.text, villages) : null;
        if (wanted && subscriber && subscriber.status !== 'unsubscribed') {
          if (wanted.unknown.length) return reply(channel, event, texts.unknownVillage[locale](wanted.unknown, villages.map((village) => village.name)));
          const chosen = await subscriptions().setVillages(subscriber, wanted.slugs, `${channel}-keyword`);
          return reply(channel, event, texts.villagesChanged[locale](villageNames(chosen)));
        }
        const all = await topicReads(strapi).pickMany(['name'], { where: { active: true }, orderBy: { name: 'asc' } });
        subscriber = await subscriptions().findByAddress(channel, event.from, event.userId);
        const topicList = texts.topics[locale]((subscriber?.topics ?? []).map((t) => t.name), all.map((t) => t.name));
        const list =
          villages.length && subscriber
            ? `${topicList} ${texts.villages[locale](villageNames(await subscriptions().villagesOf(subscriber.id)), villages.map((village) => village.name))}`
            : topicList;
        if (subscriber?.status !== 'active') return reply(channel, event, list);
        // The link carries the topics to the sign-up page, so a citizen can switch channel without
        // losing them. Its token is signed in only when the message is sent: job payloads in Redis
        // carry no token (docs/privacy.md).
        return reply(channel, event, `${list} ${texts.changeTopics[locale](MANAGE_URL_PLACEHOLDER)}`);
      }
      return this.toInbox(channel, event, subscriber?.id ?? null);
    },

    /** Stores the message for staff and sends the interim reply at most once per sender per period. */
    async toInbox(channel: ChannelId, event: InboundMessage, subscriberId: number | null) {
      const config = runtime().config();
      const since = new Date(event.at.getTime() - config.inbox.replyEveryHours * HOUR_MS);
      const recentReply = await strapi.db.query(UID.inboundMessage).count({
        where: { channel, fromAddress: event.from, autoRepliedAt: { $gte: since } },
      });
      const inbound = await storeInbound(channel, event, subscriberId, config.inbox.enabled);
      if (recentReply > 0) return;
      // The database check above misses a message processed at the same moment in another job;
      // the Redis claim settles which of them answers.
      // Keyed: an unkeyed hash of `channel:+49…` could be found by hashing every number.
      const senderKey = keyedHash(strapi, `${channel}:${event.from}`);
      if (!(await runtime().limits().claimOnce(`inbox-reply:${senderKey}`, config.inbox.replyEveryHours * HOUR_MS))) return;
      const text = config.inbox.enabled ? config.inbox.interimReply : config.inbox.notMonitoredReply;
      await strapi.db.query(UID.inboundMessage).update({ where: { id: inbound.id }, data: { autoRepliedAt: new Date() } });
      getService(strapi, 'subscriptions').enqueueMessage(channel, { message: 'reply', inboundMessageId: inbound.id, text, kind: 'interim-reply' });
      strapi.log.debug?.(`[${PLUGIN_ID}] inbox message stored on ${channel}`);
    },
  };
};
