import { createHash, randomUUID } from 'node:crypto';
import type { Language } from '../../../../shared/languages';
import type { EmailConfig } from './email.config';
import type { Channel, ChannelLinks, ClassifiedError, OutboundMessage, SandboxRecorder, SendResult } from '../channel';
import { announcementMail, confirmationMail, textMail, type MailContent } from './email.content';
import { classifyEmailError } from './email.errors';

export { classifyEmailError } from './email.errors';
export { announcementMail, confirmationMail } from './email.content';

/** The options Strapi's email service passes to its provider (`strapi.plugin('email').service('email').send`). */
export interface MailOptions {
  /** Omitted when not configured: the email plugin then uses its own `defaultFrom`. */
  from?: string;
  to: string;
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  messageId: string;
}

export type SendMail = (options: MailOptions) => Promise<unknown>;

export interface EmailChannelOptions {
  config: EmailConfig;
  townName: string;
  links: ChannelLinks;
  sandboxRecorder: SandboxRecorder;
  sandbox: boolean;
  /** Strapi's email service; whatever provider the host configured does the sending. */
  sendMail: SendMail;
}

/** The domain of the sender address, for Message-IDs. */
function senderDomain(from: string): string {
  const match = /@([A-Za-z0-9.-]+)/.exec(from);
  return match ? match[1].toLowerCase() : 'town-crier.invalid';
}

/**
 * The e-mail channel. Every announcement carries an unsubscribe link in the body and the
 * RFC 2369 / RFC 8058 headers, so mail clients show their own one-click "unsubscribe" and the
 * big mailbox providers accept the mails as a legitimate list.
 */
export function createEmailChannel({ config, townName, links, sandboxRecorder, sandbox, sendMail }: EmailChannelOptions): Channel {
  const domain = senderDomain(config.from);

  const listHeaders = (unsubscribeToken: string | undefined, locale: Language | undefined): Record<string, string> => {
    if (!unsubscribeToken) return {};
    const targets = [`<${links.unsubscribe(unsubscribeToken, locale)}>`];
    if (config.unsubscribeMailto) targets.unshift(`<mailto:${config.unsubscribeMailto}?subject=unsubscribe>`);
    return { 'List-Unsubscribe': targets.join(', '), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
  };

  /**
   * An announcement's Message-ID is derived from its delivery (and the address), so a resend of
   * the same delivery carries the same id and the delivery row records it as `providerMessageId`:
   * a follow-up's `In-Reply-To` names it. Other mails get a random one.
   */
  const messageIdOf = (message: OutboundMessage) =>
    message.kind === 'announcement' && message.deliveryRef.startsWith('d:')
      ? `<town-crier.${message.deliveryRef.slice(2)}.${createHash('sha256').update(`${message.deliveryRef}|${message.to}|${domain}`).digest('hex').slice(0, 16)}@${domain}>`
      : `<${randomUUID()}@${domain}>`;

  const build = (message: OutboundMessage): MailOptions => {
    let content: MailContent;
    let headers: Record<string, string> = {};
    if (message.kind === 'announcement') {
      const unsubscribeUrl = message.unsubscribeToken ? links.unsubscribe(message.unsubscribeToken, message.locale) : null;
      const manageUrl = message.manageToken ? links.manage(message.manageToken, message.locale) : null;
      const languageUrl = message.manageToken ? (links.language?.(message.manageToken, message.locale) ?? null) : null;
      content = announcementMail(message.content, { unsubscribeUrl, manageUrl, languageUrl }, message.locale);
      headers = listHeaders(message.unsubscribeToken, message.locale);
      // A follow-up threads under the mails of its thread this citizen got (RFC 5322 3.6.4).
      const thread = (message.threadMessageIds ?? []).filter((id) => /^<[^<>\s]+@[^<>\s]+>$/.test(id));
      if (thread.length) {
        headers['In-Reply-To'] = thread[thread.length - 1];
        headers.References = thread.join(' ');
      }
    } else if (message.kind === 'confirmation') {
      content = confirmationMail(message.townName, links.confirm(message.token, message.locale), message.locale);
    } else {
      content = textMail(townName, message.text, message.locale);
    }
    // Auto-Submitted keeps vacation responders from answering a town's broadcast.
    headers['Auto-Submitted'] = 'auto-generated';
    return {
      ...(config.from ? { from: config.from } : {}),
      to: message.to,
      ...(config.replyTo ? { replyTo: config.replyTo } : {}),
      ...content,
      headers,
      messageId: messageIdOf(message),
    };
  };

  const classifyError = (error: unknown): ClassifiedError => classifyEmailError(error);

  return {
    id: 'email',
    mode: sandbox ? 'sandbox' : 'live',
    messagesPerSecond: config.messagesPerSecond,
    dailyRecipientLimit: null,
    classifyError,
    async send(message: OutboundMessage): Promise<SendResult> {
      const mail = build(message);
      if (sandbox) return { providerMessageId: await sandboxRecorder({ channel: 'email', to: message.to, body: mail }) };
      const info: unknown = await sendMail(mail);
      // The mail server's Message-ID when the transport names one (SMTP does), else the one we set.
      const given = typeof info === 'object' && info !== null && 'messageId' in info ? info.messageId : undefined;
      const providerMessageId = typeof given === 'string' && given ? given : mail.messageId;
      return { providerMessageId };
    },
  };
}
