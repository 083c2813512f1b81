import type { AnnouncementContent, OutboundMessage } from '../channel';
import { TelegramPayloadError } from './telegram.errors';
import { followUpTexts, titleWithFollowUp } from '../../messages/texts';
import { shorten } from '../../utils/shorten';

/** Telegram's limit is 4096 characters after entity parsing; the rest of the message needs some of them. */
const TEXT_BUDGET = 3500;

/** Telegram's HTML parse mode needs exactly these escaped, in text and in attribute values. */
export const escapeTelegramHtml = (value: string) => value.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

const label = {
  de: { emergency: 'Eilmeldung', important: 'Wichtig', readMore: 'Weiterlesen' },
  en: { emergency: 'Emergency', important: 'Important', readMore: 'Read more' },
  'de-x-ls': { emergency: 'Gefahr', important: 'Wichtig', readMore: 'Mehr lesen' },
} as const;

export function announcementHtml(content: AnnouncementContent, locale: keyof typeof label = 'de'): string {
  const t = label[locale];
  // An all-clear names itself ("Entwarnung: …") instead of repeating the warning's urgency.
  const allClear = content.followUp?.kind === 'all-clear';
  const prefix = allClear ? '✅ ' : content.urgency === 'emergency' ? `🚨 ${t.emergency}: ` : content.urgency === 'important' ? `${t.important}: ` : '';
  const parts = [`<b>${escapeTelegramHtml(`${prefix}${titleWithFollowUp(content, locale)}`)}</b>`];
  const text = content.text.trim();
  if (text) parts.push(escapeTelegramHtml(shorten(text, TEXT_BUDGET)));
  if (content.url) parts.push(`<a href="${escapeTelegramHtml(content.url)}">${t.readMore}</a>`);
  const original = content.followUp?.originalUrl;
  if (original && original !== content.url) parts.push(`<a href="${escapeTelegramHtml(original)}">${followUpTexts.original[locale]}</a>`);
  parts.push(`<i>${escapeTelegramHtml(content.townName)}</i>`);
  return parts.join('\n\n');
}

export interface SendMessageBody {
  chat_id: string;
  text: string;
  parse_mode?: 'HTML';
  link_preview_options?: { is_disabled: boolean };
}

/** The `sendMessage` body for a message; throws for what Telegram cannot carry. */
export function buildSendMessage(message: OutboundMessage): SendMessageBody {
  if (message.kind === 'announcement') {
    return { chat_id: message.to, text: announcementHtml(message.content, message.locale), parse_mode: 'HTML', link_preview_options: { is_disabled: true } };
  }
  if (message.kind === 'text') return { chat_id: message.to, text: shorten(message.text, 4096) };
  // Telegram opt-in is the deep link itself: the bot may not write first, so there is nothing to send.
  throw new TelegramPayloadError('Telegram confirms through the t.me deep link; no confirmation message is sent');
}
