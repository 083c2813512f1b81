import { createProviderClient } from '../http-client';
import type { WhatsappConfig } from './whatsapp.config';
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
  const policy = { marketingCapRetries: config.marketingCapRetries, marketingCapWaitMs: config.marketingCapWaitSeconds * 1000 };
  const classifyError = (error: unknown): ClassifiedError => classifyWhatsappError(error, secrets, policy);
  const webhook = createWhatsappWebhook(config, undefined, policy);
  const common = {
    id: 'whatsapp' as const,
    messagesPerSecond: config.messagesPerSecond,
    classifyError,
    webhook,
  };

  if (sandbox) {
    return withDailyLimit(config, {
      ...common,
      mode: 'sandbox',
      async send(message: OutboundMessage): Promise<SendResult> {
        const body = buildMessageRequest(message, config.templates);
        return { providerMessageId: await sandboxRecorder({ channel: 'whatsapp', to: message.to, body }) };
      },
    });
  }

  const provider = createProviderClient({ baseUrl: config.baseUrl, timeoutMs: config.requestTimeoutMs, headers: { Authorization: `Bearer ${config.accessToken}` } });
  const client = provider.client;
  const base = `/${config.apiVersion}/${encodeURIComponent(config.phoneNumberId)}`;
  // News is a marketing template; Meta wants those on the Marketing Messages API when the town
  // opted in. Same body, same answers, same errors; opt-in confirmations and replies stay on /messages.
  const pathFor = (message: OutboundMessage) => `${base}/${message.kind === 'announcement' && config.marketingEndpoint === 'marketing_messages' ? 'marketing_messages' : 'messages'}`;

  return withDailyLimit(config, {
    ...common,
    mode: 'live',
    async send(message: OutboundMessage): Promise<SendResult> {
      const body = buildMessageRequest(message, config.templates);
      const response = await client.post<SendResponseBody>(pathFor(message), body).catch((error: unknown) => {
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
  });
}

/**
 * The daily reach limit as a getter: the configured number until Meta's tier is known, then the
 * tier (null = unlimited), never above the town's pinned ceiling. Read at every send, so a tier
 * change applies to the next delivery without a restart.
 */
function withDailyLimit(config: Pick<WhatsappConfig, 'dailyRecipientLimit' | 'pinDailyRecipientLimit'>, channel: Omit<Channel, 'dailyRecipientLimit'>): Channel {
  let providerLimit: number | null | undefined;
  return Object.defineProperties(channel, {
    dailyRecipientLimit: {
      enumerable: true,
      get: () => effectiveDailyLimit(config, providerLimit),
    },
    setProviderDailyLimit: {
      enumerable: false,
      value: (limit: number | null) => {
        providerLimit = limit;
      },
    },
  }) as Channel;
}

export function effectiveDailyLimit(config: Pick<WhatsappConfig, 'dailyRecipientLimit' | 'pinDailyRecipientLimit'>, providerLimit: number | null | undefined): number | null {
  const pin = config.pinDailyRecipientLimit ?? null;
  const base = providerLimit === undefined ? config.dailyRecipientLimit : providerLimit;
  if (base === null) return pin;
  return pin === null ? base : Math.min(base, pin);
}
