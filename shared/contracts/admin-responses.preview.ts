/** The admin API's answers as strict zod schemas (./admin-responses.ts): the side panel's preview of a publish. */
import { z } from 'zod';
import { broadcastCountFields, budgetVerdictSchema } from './admin-responses.broadcasts';
import { type Holds, type Same, count, enumOf, optionalText, text } from './admin-responses.fields';
import { APPROVAL_HOLD_REASONS } from './approval';
import { BROADCAST_STATUSES } from './broadcasts';
import { WARNING_DRAFT_KINDS, WARNING_SEVERITIES, WARNING_SOURCES, WARNING_STATES } from './warnings';
import type * as Api from './admin-api';

export const renderedWhatsappPreviewSchema = z.strictObject({
  header: optionalText.optional(),
  text,
  footer: optionalText.optional(),
  buttons: z.array(z.strictObject({ title: text, payload: text })),
  template: z
    .strictObject({ name: text, language: optionalText, source: z.enum(['meta', 'plugin', 'unknown']), status: optionalText, category: optionalText })
    .nullable()
    .optional(),
});

export const officialWarningOriginSchema = z.strictObject({
  source: enumOf(WARNING_SOURCES),
  kind: enumOf(WARNING_DRAFT_KINDS),
  severity: enumOf(WARNING_SEVERITIES),
  event: optionalText,
  areaName: optionalText,
  sourceChangedAt: optionalText,
  link: optionalText,
  state: enumOf(WARNING_STATES),
});

export const accountPostPreviewSchema = z.strictObject({
  channel: z.enum(['mastodon', 'bluesky', 'activitypub']),
  account: text,
  name: text.optional(),
  text,
  link: optionalText,
  replyTo: optionalText.optional(),
  length: count,
  limit: count.nullable(),
});

export const publishApprovalPreviewSchema = z.strictObject({
  mode: z.enum(['hold', 'send-then-approve']).nullable(),
  reasons: z.array(enumOf(APPROVAL_HOLD_REASONS)),
  heldChannels: z.array(text),
  approvers: z.array(text),
  villageRights: z.array(text).nullable(),
});

export const publishPreviewSchema = z.strictObject({
  broadcasts: z.boolean(),
  reason: z.enum(['not-mapped', 'already-broadcast', 'skip-flag']).nullable(),
  fields: z.strictObject({ topics: optionalText, urgency: optionalText, villages: optionalText.optional() }).optional(),
  topic: z.strictObject({ slug: text, name: text }).nullable(),
  recipients: z.strictObject({ total: count, byChannel: z.record(z.string(), count) }),
  recipientsByLanguage: z.record(z.string(), count).optional(),
  dailyLimit: z.record(z.string(), z.strictObject({ limit: count.nullable(), usedLast24h: count, sendableNow: count, later: count })),
  whatsappCost: z
    .strictObject({ currency: text, category: text, messages: count, ratePerMessage: count.nullable(), cost: count.nullable(), ratesAsOf: text, ratesSource: text })
    .nullable()
    .optional(),
  whatsappBudget: budgetVerdictSchema.nullable().optional(),
  whatsappMessage: renderedWhatsappPreviewSchema.nullable().optional(),
  startsAt: z.strictObject({ at: optionalText, reason: z.enum(['grace-period', 'quiet-hours']).nullable() }).optional(),
  announcement: z
    .strictObject({
      documentId: text,
      broadcastStatus: enumOf(BROADCAST_STATUSES).nullable(),
      statusReason: optionalText,
      resumesAt: optionalText.optional(),
      waiting: count.optional(),
      ...broadcastCountFields,
    })
    .nullable(),
  unmatchedTopics: z.array(text).optional(),
  missingLinkFields: z.array(text).optional(),
  villages: z
    .strictObject({ selected: z.array(z.strictObject({ slug: text, name: text, recipients: count })), wholeTown: count, unmatched: z.array(text) })
    .nullable()
    .optional(),
  officialWarning: officialWarningOriginSchema.nullable().optional(),
  accountPosts: z.array(accountPostPreviewSchema).optional(),
  whatsappChannelText: optionalText.optional(),
  approval: publishApprovalPreviewSchema.optional(),
});

/** Each schema above is its type, exactly (./admin-responses.fields.ts `Same`). */
export type PreviewContractChecks = [
  Holds<Same<typeof renderedWhatsappPreviewSchema, Api.RenderedWhatsappPreview>>,
  Holds<Same<typeof officialWarningOriginSchema, Api.OfficialWarningOrigin>>,
  Holds<Same<typeof accountPostPreviewSchema, Api.AccountPostPreview>>,
  Holds<Same<typeof publishApprovalPreviewSchema, Api.PublishApprovalPreview>>,
  Holds<Same<typeof publishPreviewSchema, Api.PublishPreview>>,
];
