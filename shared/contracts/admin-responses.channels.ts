/** The admin API's answers as strict zod schemas (./admin-responses.ts): channels, the inbox, the sandbox, and the subscriber actions' results. */
import { z } from 'zod';
import { followUpStateSchema } from './admin-responses.broadcasts';
import { type Holds, type Same, count, enumOf, optionalText, paginationSchema, text } from './admin-responses.fields';
import { renderedWhatsappPreviewSchema } from './admin-responses.preview';
import { CHANNEL_PROBLEM_CODES } from './channels';
import type * as Api from './admin-api';

export const whatsappAccountStatusSchema = z.strictObject({
  businessAccountConfigured: z.boolean(),
  fetchedAt: optionalText,
  messagingLimit: z.strictObject({ tier: optionalText, dailyLimit: count.nullable(), throughputLevel: optionalText }).nullable(),
  templates: z.array(z.strictObject({ name: text, language: text, status: text, category: optionalText })),
  templateEvents: z.array(
    z.strictObject({
      templateName: text,
      language: optionalText,
      change: z.enum(['status', 'category']),
      status: optionalText,
      reason: optionalText,
      previousCategory: optionalText,
      newCategory: optionalText,
      occurredAt: text,
    }),
  ),
  apiVersion: z.strictObject({ configured: text, retiresOn: optionalText, newest: text }),
  marketingEndpoint: z.enum(['messages', 'marketing_messages']),
  problems: z.array(z.strictObject({ code: text, kind: text.optional(), template: text.optional(), message: z.strictObject({ de: text, en: text }) })),
});

export const channelStatusSchema = z.strictObject({
  id: text,
  enabled: z.boolean(),
  mode: z.enum(['live', 'sandbox']),
  configured: z.boolean(),
  templates: z.strictObject({ announcement: text.optional(), confirmation: text.optional() }),
  messagesPerSecond: count.nullable(),
  dailyRecipientLimit: count.nullable(),
  usedLast24h: count,
  lastWebhookAt: optionalText,
  lastVerifiedWebhookAt: optionalText,
  problems: z.array(text),
  whatsapp: whatsappAccountStatusSchema.optional(),
  issues: z.array(z.strictObject({ code: enumOf(CHANNEL_PROBLEM_CODES as [Api.ChannelProblem['code'], ...Api.ChannelProblem['code'][]]), values: z.record(z.string(), text).optional() })),
});

export const inboxMessageSchema = z.strictObject({
  id: count,
  channel: text,
  from: text,
  name: optionalText,
  text,
  receivedAt: optionalText,
  handledAt: optionalText,
  replyText: optionalText,
  repliedAt: optionalText,
  windowOpen: z.boolean(),
});

export const inboxResponseSchema = z.strictObject({
  data: z.array(inboxMessageSchema),
  meta: z.strictObject({
    pagination: paginationSchema,
    enabled: z.boolean(),
    cannedReplies: z.array(z.strictObject({ id: z.union([text, count]), label: text, text })),
  }),
});

export const outboxMessageSchema = z.strictObject({
  id: count,
  channel: text,
  to: optionalText,
  providerMessageId: optionalText.optional(),
  createdAt: optionalText,
  body: z.unknown(),
  preview: renderedWhatsappPreviewSchema,
});

export const outboxResponseSchema = z.strictObject({ data: z.array(outboxMessageSchema), meta: z.strictObject({ pagination: paginationSchema, channels: z.array(text) }) });

export const sendTestResultSchema = z.strictObject({ sent: z.literal(true), providerMessageId: text, mode: z.enum(['live', 'sandbox']) });

export const followUpMarkSchema = followUpStateSchema.shape.mark.unwrap();

export const submitTemplatesResultSchema = z.strictObject({
  submitted: z.array(z.strictObject({ kind: text, name: text, id: text, status: text, category: optionalText })),
  skipped: z.array(z.strictObject({ kind: text, reason: text })),
});

export const sandboxActResultSchema = z.strictObject({ accepted: z.boolean() });

export const eraseResultSchema = z.strictObject({ erased: z.literal(true) });

export const purgeResultSchema = z.strictObject({ subscribers: count, messages: count, outbox: count });

/** Each schema above is its type, exactly (./admin-responses.fields.ts `Same`). */
export type ChannelContractChecks = [
  Holds<Same<typeof whatsappAccountStatusSchema, Api.WhatsappAccountStatus>>,
  Holds<Same<typeof channelStatusSchema, Api.ChannelStatus>>,
  Holds<Same<typeof inboxMessageSchema, Api.InboxMessage>>,
  Holds<Same<typeof inboxResponseSchema, Api.InboxResponse>>,
  Holds<Same<typeof outboxMessageSchema, Api.OutboxMessage>>,
  Holds<Same<typeof outboxResponseSchema, Api.OutboxResponse>>,
  Holds<Same<typeof sendTestResultSchema, Api.SendTestResult>>,
  Holds<Same<typeof followUpMarkSchema, Api.FollowUpMark>>,
  Holds<Same<typeof submitTemplatesResultSchema, Api.SubmitTemplatesResult>>,
  Holds<Same<typeof sandboxActResultSchema, Api.SandboxActResult>>,
  Holds<Same<typeof eraseResultSchema, Api.EraseResult>>,
  Holds<Same<typeof purgeResultSchema, Api.PurgeResult>>,
];
