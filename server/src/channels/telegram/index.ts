import { createProviderClient } from '../http-client';
import type { TelegramConfig } from './telegram.config';
import type { Channel, ClassifiedError, OutboundMessage, SandboxRecorder, SendResult } from '../channel';
import { classifyTelegramError, toTelegramSendError } from './telegram.errors';
import { buildSendMessage } from './telegram.payloads';
import { createTelegramWebhook } from './telegram.webhook';

export { classifyTelegramError } from './telegram.errors';
export { announcementHtml, escapeTelegramHtml } from './telegram.payloads';

export interface TelegramChannelOptions {
  config: TelegramConfig;
  sandboxRecorder: SandboxRecorder;
  sandbox: boolean;
}

interface SendMessageResponse {
  ok?: boolean;
  result?: { message_id?: unknown };
}

/**
 * The Telegram Bot API channel: `sendMessage` over keep-alive connections. Pacing is the
 * channel queue's job (`messagesPerSecond`, below Telegram's 30/s to different chats); a 429
 * still comes back as retry-later with Telegram's own `retry_after`.
 */
export function createTelegramChannel({ config, sandboxRecorder, sandbox }: TelegramChannelOptions): Channel {
  const secrets = [config.botToken, config.webhookSecret].filter(Boolean);
  const classifyError = (error: unknown): ClassifiedError => classifyTelegramError(error, secrets);
  const common = {
    id: 'telegram' as const,
    messagesPerSecond: config.messagesPerSecond,
    dailyRecipientLimit: null,
    classifyError,
    webhook: createTelegramWebhook(config),
  };

  if (sandbox) {
    return {
      ...common,
      mode: 'sandbox',
      async send(message: OutboundMessage): Promise<SendResult> {
        const body = buildSendMessage(message);
        return { providerMessageId: await sandboxRecorder({ channel: 'telegram', to: message.to, body }) };
      },
    };
  }

  const provider = createProviderClient({ baseUrl: config.baseUrl, timeoutMs: config.requestTimeoutMs });
  const client = provider.client;
  // The token is part of the path (Bot API convention); errors are stripped of it before they travel.
  const path = `/bot${config.botToken}/sendMessage`;

  return {
    ...common,
    mode: 'live',
    async send(message: OutboundMessage): Promise<SendResult> {
      const body = buildSendMessage(message);
      const response = await client.post<SendMessageResponse>(path, body).catch((error: unknown) => {
        throw toTelegramSendError(error, secrets);
      });
      const messageId = response.data?.result?.message_id;
      // Message ids are per chat, so the chat id makes them unique.
      return { providerMessageId: `tg:${message.to}:${typeof messageId === 'number' || typeof messageId === 'string' ? messageId : 'unknown'}` };
    },
    async close() {
      provider.close();
    },
  };
}
