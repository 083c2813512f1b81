import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { TelegramConfig } from './telegram.config';
import type { ChannelEvent, ChannelWebhook, HeaderBag } from '../channel';

/**
 * The Bot API webhook. Telegram signs nothing; it echoes the `secret_token` given to
 * setWebhook in `X-Telegram-Bot-Api-Secret-Token`, which is compared in constant time.
 * One Update per POST: a private message, or a change of the bot's membership in a private
 * chat (`kicked` = the citizen blocked the bot).
 */

const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
/** `/start <payload>`: Telegram allows A-Z, a-z, 0-9, _ and - and at most 64 characters. */
const START_PAYLOAD = /^\/start(?:@\w+)?\s+([A-Za-z0-9_-]{8,64})\s*$/i;

const chatSchema = z.object({ id: z.union([z.number().int(), z.string().regex(/^-?\d+$/)]), type: z.string() });
const messageSchema = z.object({
  message_id: z.number().int(),
  date: z.number().int().nonnegative(),
  chat: chatSchema,
  from: z.object({ first_name: z.string().optional() }).optional(),
  text: z.string().optional(),
});
const memberSchema = z.object({
  date: z.number().int().nonnegative(),
  chat: chatSchema,
  new_chat_member: z.object({ status: z.string() }),
});
const updateSchema = z.object({
  update_id: z.number().int(),
  message: z.unknown().optional(),
  my_chat_member: z.unknown().optional(),
});

const headerValue = (headers: HeaderBag, name: string) => {
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
};

/** Hashing both sides first makes the comparison constant-time without leaking the length. */
function sameSecret(candidate: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(candidate), digest(expected));
}

function messageEvents(raw: unknown): ChannelEvent[] {
  const parsed = messageSchema.safeParse(raw);
  // Groups and channels are not citizens' subscriptions.
  if (!parsed.success || parsed.data.chat.type !== 'private') return [];
  const { chat, message_id: messageId, date, text, from } = parsed.data;
  const chatId = String(chat.id);
  const base = { type: 'message' as const, providerMessageId: `tg:${chatId}:${messageId}`, from: chatId, at: new Date(date * 1000) };
  const profileName = from?.first_name ? { profileName: from.first_name } : {};
  const start = text ? START_PAYLOAD.exec(text.trim()) : null;
  // The deep link's token arrives as `/start <token>`: the same one-time token a WhatsApp button carries.
  if (start) return [{ ...base, buttonPayload: `CONFIRM:${start[1]}`, ...profileName }];
  // `/stop@TownBot` in a client that appends the bot's name.
  const normalised = text?.replace(/^(\/\w+)@\w+/, '$1');
  return [{ ...base, ...(normalised !== undefined ? { text: normalised } : {}), ...profileName }];
}

function memberEvents(raw: unknown): ChannelEvent[] {
  const parsed = memberSchema.safeParse(raw);
  if (!parsed.success || parsed.data.chat.type !== 'private') return [];
  const status = parsed.data.new_chat_member.status;
  const value = status === 'kicked' ? 'stop' : status === 'member' ? 'resume' : null;
  return value ? [{ type: 'preference', from: String(parsed.data.chat.id), value, at: new Date(parsed.data.date * 1000) }] : [];
}

export function createTelegramWebhook(config: Pick<TelegramConfig, 'webhookSecret'>): ChannelWebhook {
  return {
    // Telegram has no subscription handshake; setWebhook is called by the town (docs/channels.md).
    handshake: () => null,
    verify(_rawBody, headers) {
      if (!config.webhookSecret) return false;
      const provided = headerValue(headers, SECRET_HEADER);
      return typeof provided === 'string' && sameSecret(provided, config.webhookSecret);
    },
    parse(payload) {
      const update = updateSchema.safeParse(payload);
      if (!update.success) return [];
      return [...messageEvents(update.data.message), ...memberEvents(update.data.my_chat_member)];
    },
  };
}
