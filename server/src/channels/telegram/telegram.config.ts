import { z } from 'zod';
import { strict } from '../../config/strict';

/** The Telegram bot's configuration (Bot API token, webhook secret, pacing). */
export const telegramConfigSchema = strict.object({
  enabled: z.boolean().default(false),
  botToken: z.string().default(''),
  /** The bot's username without `@`, for `t.me/<bot>?start=<token>` deep links. */
  botUsername: z.string().regex(/^[A-Za-z0-9_]*$/, 'letters, digits and _ only, without @').default(''),
  /** The `secret_token` given to setWebhook; Telegram echoes it in `X-Telegram-Bot-Api-Secret-Token`. */
  webhookSecret: z.string().regex(/^[A-Za-z0-9_-]*$/, 'Telegram allows A-Z, a-z, 0-9, _ and - only').max(256).default(''),
  baseUrl: z.string().url().default('https://api.telegram.org'),
  /** Telegram allows about 30 messages per second to different chats; staying below leaves room for replies. */
  messagesPerSecond: z.number().int().positive().max(29, 'must stay below Telegram’s 30 messages per second').default(25),
  requestTimeoutMs: z.number().int().positive().default(10_000),
  sandbox: z.boolean().optional(),
});
export type TelegramConfig = z.infer<typeof telegramConfigSchema>;
