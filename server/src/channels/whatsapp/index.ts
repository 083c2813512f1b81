import { createProviderClient } from '../http-client';
import type { WhatsappConfig } from '../../config/schema';
import type { Channel, ChannelLogger, ClassifiedError, OutboundMessage, SandboxRecorder, SendResult } from '../channel';
import { classifyWhatsappError, toWhatsappSendError, WhatsappResponseError } from './whatsapp.errors';
import { buildMessageRequest } from './whatsapp.payloads';
import { createWhatsappWebhook } from './whatsapp.webhook';

export { classifyWhatsappError } from './whatsapp.errors';
export { cleanTemplateParameter } from './whatsapp.payloads';

export interface WhatsappChannelOptions {
  config: WhatsappConfig;
  log: ChannelLogger;
  sandboxRecorder: SandboxRecorder;
  /** Records what would be sent instead of calling Meta. */
  sandbox: boolean;
}

/** Meta's success answer (§1.5); only the message id matters to us. */
interface SendResponseBody {
  messages?: Array<{ id?: unknown }>;
}

/**
 * The WhatsApp Cloud API channel. Live mode POSTs to `/{apiVersion}/{phoneNumberId}/messages`
 * over keep-alive connections (a broadcast is thousands of requests to one host); sandbox mode
 * records the identical request body and sends nothing.
 */
export function createWhatsappChannel({ config, log, sandboxRecorder, sandbox }: WhatsappChannelOptions): Channel {
  const secrets = [config.accessToken, config.appSecret, config.verifyToken].filter(Boolean);
  const classifyError = (error: unknown): ClassifiedError => classifyWhatsappError(error, secrets);
  const webhook = createWhatsappWebhook(config);
  const common = {
    id: 'whatsapp' as const,
    messagesPerSecond: config.messagesPerSecond,
    dailyRecipientLimit: config.dailyRecipientLimit,
    classifyError,
    webhook,
  };

  if (sandbox) {
    return {
      ...common,
      mode: 'sandbox',
      async send(message: OutboundMessage): Promise<SendResult> {
        const body = buildMessageRequest(message, config.templates);
        return { providerMessageId: await sandboxRecorder({ channel: 'whatsapp', to: message.to, body }) };
      },
    };
  }

  const provider = createProviderClient({ baseUrl: config.baseUrl, timeoutMs: config.requestTimeoutMs, headers: { Authorization: `Bearer ${config.accessToken}` } });
  const client = provider.client;
  const path = `/${config.apiVersion}/${encodeURIComponent(config.phoneNumberId)}/messages`;

  return {
    ...common,
    mode: 'live',
    async send(message: OutboundMessage): Promise<SendResult> {
      const body = buildMessageRequest(message, config.templates);
      const response = await client.post<SendResponseBody>(path, body).catch((error: unknown) => {
        throw toWhatsappSendError(error, secrets);
      });
      const providerMessageId = response.data?.messages?.[0]?.id;
      if (typeof providerMessageId !== 'string' || !providerMessageId) {
        log.warn('WhatsApp Cloud API answered without a message id; waiting for a status webhook instead of resending');
        throw new WhatsappResponseError();
      }
      return { providerMessageId };
    },
    async close() {
      provider.close();
    },
  };
}
