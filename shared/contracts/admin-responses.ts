/**
 * The admin API's answers as strict zod schemas: each one has exactly the keys of its type in
 * ./admin-api.ts, no more, and the compiler checks that (ContractChecks below), so a field renamed,
 * added or dropped in a type fails `npm run typecheck` until its schema says the same.
 *
 * Neither the server nor the admin parses its own answers at run time (the controllers' mappers
 * and `satisfies Sendable<…>` hold them to the types at compile time); the integration tests parse
 * every answer they read with these schemas, so a database column that leaks into an answer (an
 * internal `id`, `createdAt`, `sourceKey`, a stored counter beside its contract name) fails a test.
 */
import { z } from 'zod';
import { APPROVAL_HOLD_REASONS, APPROVAL_STATES } from './approval';
import { BROADCAST_STATUSES, FOLLOW_UP_KINDS, RUN_STATES, WAITING_REASONS } from './broadcasts';
import { CHANNEL_PROBLEM_CODES } from './channels';
import { MESSAGE_KINDS } from './costs';
import { WARNING_DRAFT_KINDS, WARNING_SEVERITIES, WARNING_SOURCES, WARNING_STATES } from './warnings';
import type * as Api from './admin-api';
import type { CategoryCost, CostSummary } from '../costs';
import { AUDIT_ACTIONS, AUDIT_ACTOR_KINDS, type AuditActor, type AuditEvent } from './audit';
import type { OfficialWarningsOverview } from './warnings';
import { PERMISSION_UIDS, type PermissionName } from '../permissions';

const text = z.string();
const optionalText = z.string().nullable();
const count = z.number();
const enumOf = <const Values extends readonly [string, ...string[]]>(values: Values) => z.enum(values);

export const paginationSchema = z.strictObject({ page: count, pageSize: count, total: count, pageCount: count.optional() });

// ---- costs ----------------------------------------------------------------------------------

export const categoryCostSchema = z.strictObject({ category: text, messages: count, ratePerMessage: count.nullable(), cost: count.nullable() });
export const costSummarySchema = z.strictObject({
  currency: text,
  billableMessages: count,
  cost: count,
  byCategory: z.array(categoryCostSchema),
  unpricedMessages: count,
  ratesAsOf: text,
  ratesSource: text,
});
export const kindCostSchema = z.strictObject({ kind: enumOf(MESSAGE_KINDS), messages: count, billableMessages: count, cost: count });
export const budgetStatusSchema = z.strictObject({
  currency: text,
  month: text,
  spent: count,
  forecast: count,
  amount: count.nullable(),
  remaining: count.nullable(),
  percentUsed: count.nullable(),
  thresholds: z.array(count),
  mailedThresholds: z.array(count),
  byKind: z.array(kindCostSchema),
});
export const budgetVerdictSchema = z.strictObject({ wouldExceed: z.boolean(), estimate: count, remaining: count.nullable(), currency: text });
export const monthCostSchema = costSummarySchema.extend({ month: text, byKind: z.array(kindCostSchema) });

// ---- broadcasts -----------------------------------------------------------------------------

export const runSummarySchema = z.strictObject({
  channel: text,
  state: enumOf(RUN_STATES),
  reason: optionalText,
  resumesAt: optionalText,
  finishedAt: optionalText.optional(),
});

export const broadcastRunSchema = runSummarySchema.extend({
  recipients: count,
  failed: count,
  waiting: count,
  today: count,
  later: count,
  becameUnreachable: count.optional(),
  unreachableHintSent: count.optional(),
  unreachableHintNotPossible: count.optional(),
});

export const broadcastApprovalSchema = z.strictObject({
  state: enumOf(APPROVAL_STATES),
  reasons: z.array(enumOf(APPROVAL_HOLD_REASONS)),
  heldChannels: z.array(text),
  publishedBy: optionalText,
  decidedBy: optionalText,
  note: optionalText,
  decidedAt: optionalText,
  ownBroadcast: z.boolean(),
});

/** What every broadcast answer has (the list adds runs and follow-ups, the detail more). */
const broadcastFields = {
  documentId: text,
  title: text,
  broadcastStatus: enumOf(BROADCAST_STATUSES).nullable(),
  statusReason: optionalText,
  resumesAt: optionalText,
  publishedAt: optionalText,
  recipients: count,
  sent: count,
  delivered: count,
  read: count,
  failed: count,
  skipped: count,
  updateOf: optionalText.optional(),
  followUpKind: enumOf(FOLLOW_UP_KINDS).nullable().optional(),
  followUpIncludeNew: z.boolean().nullable().optional(),
  urgency: optionalText.optional(),
  runs: z.array(runSummarySchema).optional(),
  approval: broadcastApprovalSchema.nullable().optional(),
};

/** A follow-up in the list, under its original (follow-ups have no follow-ups of their own). */
export const followUpBroadcastSchema = z.strictObject(broadcastFields);
const broadcastBodyFields = { ...broadcastFields, followUps: z.array(followUpBroadcastSchema).optional() };
export const broadcastSchema = z.strictObject(broadcastBodyFields);

export const threadMemberSchema = z.strictObject({ ...broadcastBodyFields, current: z.boolean() });

export const failureGroupSchema = z.strictObject({
  channel: text,
  code: text,
  errorClass: text,
  count,
  explanations: z.strictObject({ de: text, en: text }),
});

export const broadcastDetailSchema = z.strictObject({
  ...broadcastBodyFields,
  runs: z.array(broadcastRunSchema),
  text: optionalText,
  url: optionalText,
  topics: z.array(z.strictObject({ name: text, slug: text })).optional(),
  failuresByCode: z.array(failureGroupSchema),
  waiting: z.strictObject({ reason: enumOf(WAITING_REASONS as [Api.WaitingReason, ...Api.WaitingReason[]]), until: optionalText }).nullable(),
  estimatedFinishAt: optionalText,
  cost: costSummarySchema.nullable(),
  thread: z.array(threadMemberSchema),
});

export const broadcastListResponseSchema = z.strictObject({ data: z.array(broadcastSchema), meta: z.strictObject({ pagination: paginationSchema }) });
export const retryFailedResultSchema = z.strictObject({ ...broadcastBodyFields, reopened: count });

export const whatsappChannelHandoffSchema = z.strictObject({
  enabled: z.boolean(),
  channelUrl: optionalText,
  text,
  posted: z.strictObject({ at: text, by: optionalText }).nullable(),
});

export const followUpStateSchema = z.strictObject({
  mark: z.strictObject({ originalDocumentId: text, kind: enumOf(FOLLOW_UP_KINDS), includeNew: z.boolean() }).nullable(),
  reach: z.strictObject({ total: count, byChannel: z.record(z.string(), count) }).nullable(),
  broadcast: z
    .strictObject({
      documentId: text,
      title: text,
      updateOf: optionalText,
      followUpKind: enumOf(FOLLOW_UP_KINDS).nullable(),
      followUpIncludeNew: z.boolean().nullable(),
      original: z.strictObject({ documentId: text, title: text }).nullable(),
    })
    .nullable(),
  candidates: z.array(z.strictObject({ documentId: text, title: text, urgency: optionalText, createdAt: text, updateOf: optionalText })),
});

// ---- statistics -----------------------------------------------------------------------------

const countCell = z.union([count, z.literal('<5'), z.literal('*')]);
export const overviewStatsSchema = z.strictObject({
  subscribers: z.strictObject({ active: count, pending: count, unsubscribed: count }),
  netChange: z.strictObject({ days7: count, days30: count }),
  target: z.strictObject({ value: count, reached: count, percent: count }),
  byChannel: z.array(z.strictObject({ key: text, count: countCell })),
  byTopic: z.array(z.strictObject({ key: text, label: text, count: countCell })),
  bySource: z.array(z.strictObject({ key: text, count: countCell })),
  byVillage: z.array(z.strictObject({ key: text, label: text, count: countCell })),
  deliveries: z.strictObject({ last30Days: z.strictObject({ sent: count, delivered: count, read: count, failed: count }) }),
  costPerMonth: z.array(monthCostSchema),
  whatsappBudget: budgetStatusSchema,
  timeZone: text,
  generatedAt: text,
});
export const growthStatsSchema = z.strictObject({
  timeZone: text,
  target: count,
  days: z.array(z.strictObject({ day: text, signups: count, withdrawals: count, active: count })),
});

// ---- the side panel -------------------------------------------------------------------------

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
      recipients: count,
      sent: count,
      delivered: count,
      read: count,
      failed: count,
      skipped: count,
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

// ---- channels, inbox, sandbox ---------------------------------------------------------------

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

// ---- audit trail, official warnings ----------------------------------------------------------

export const auditEventSchema = z.strictObject({
  id: count,
  occurredAt: text,
  action: enumOf(AUDIT_ACTIONS),
  actorKind: enumOf(AUDIT_ACTOR_KINDS),
  actorId: count.nullable(),
  actorName: optionalText,
  broadcastId: optionalText,
  broadcastTitle: optionalText,
  subscriberId: count.nullable(),
  details: z.record(z.string(), z.unknown()),
});
export const auditActorSchema = z.strictObject({ actorKind: enumOf(AUDIT_ACTOR_KINDS), actorId: count.nullable(), actorName: optionalText });
export const auditListResponseSchema = z.strictObject({ data: z.array(auditEventSchema), meta: z.strictObject({ pagination: paginationSchema }) });

export const officialWarningsOverviewSchema = z.strictObject({
  sources: z.array(
    z.strictObject({ source: enumOf(WARNING_SOURCES), lastSuccessAt: optionalText, failingSince: optionalText, lastError: optionalText, activeWarnings: count }),
  ),
  drafts: z.array(
    z.strictObject({
      source: enumOf(WARNING_SOURCES),
      kind: enumOf(WARNING_DRAFT_KINDS),
      headline: text,
      severity: enumOf(WARNING_SEVERITIES),
      contentType: text,
      documentId: text,
      createdAt: text,
      autoPublished: z.boolean(),
    }),
  ),
});

/** GET /me/permissions: one flag per plugin permission, named as in shared/permissions.ts. */
export const pluginPermissionsSchema = z.strictObject(
  Object.fromEntries(Object.keys(PERMISSION_UIDS).map((name) => [name, z.boolean()])) as Record<PermissionName, z.ZodBoolean>,
);

/** `{ data }`, Strapi's envelope of most admin answers. */
export const dataResponseSchema = <Schema extends z.ZodType>(schema: Schema) => z.strictObject({ data: schema });

// ---- the compiler's side: each schema is its type, exactly -------------------------------------

/** True only when A and B are the same type (every key, optional or not, and every nested type). */
type Exact<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
type Same<Schema extends z.ZodType, Type> = Exact<z.output<Schema>, Type>;
type Holds<Check extends true> = Check;

/** Fails to compile when a schema above and its type in admin-api.ts say different things. */
export type ContractChecks = [
  Holds<Same<typeof paginationSchema, Api.Pagination>>,
  Holds<Same<typeof categoryCostSchema, CategoryCost>>,
  Holds<Same<typeof costSummarySchema, CostSummary>>,
  Holds<Same<typeof kindCostSchema, Api.KindCost>>,
  Holds<Same<typeof budgetStatusSchema, Api.BudgetStatus>>,
  Holds<Same<typeof budgetVerdictSchema, Api.BudgetVerdict>>,
  Holds<Same<typeof monthCostSchema, Api.MonthCost>>,
  Holds<Same<typeof runSummarySchema, Api.RunSummary>>,
  Holds<Same<typeof broadcastRunSchema, Api.BroadcastRun>>,
  Holds<Same<typeof broadcastApprovalSchema, Api.BroadcastApproval>>,
  Holds<Same<typeof followUpBroadcastSchema, Api.FollowUpBroadcast>>,
  Holds<Same<typeof broadcastSchema, Api.Broadcast>>,
  Holds<Same<typeof threadMemberSchema, Api.ThreadMember>>,
  Holds<Same<typeof failureGroupSchema, Api.FailureGroup>>,
  Holds<Same<typeof broadcastDetailSchema, Api.BroadcastDetail>>,
  Holds<Same<typeof broadcastListResponseSchema, Api.BroadcastListResponse>>,
  Holds<Same<typeof retryFailedResultSchema, Api.RetryFailedResult>>,
  Holds<Same<typeof whatsappChannelHandoffSchema, Api.WhatsappChannelHandoff>>,
  Holds<Same<typeof followUpStateSchema, Api.FollowUpState>>,
  Holds<Same<typeof overviewStatsSchema, Api.OverviewStats>>,
  Holds<Same<typeof growthStatsSchema, Api.GrowthStats>>,
  Holds<Same<typeof renderedWhatsappPreviewSchema, Api.RenderedWhatsappPreview>>,
  Holds<Same<typeof officialWarningOriginSchema, Api.OfficialWarningOrigin>>,
  Holds<Same<typeof accountPostPreviewSchema, Api.AccountPostPreview>>,
  Holds<Same<typeof publishApprovalPreviewSchema, Api.PublishApprovalPreview>>,
  Holds<Same<typeof publishPreviewSchema, Api.PublishPreview>>,
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
  Holds<Same<typeof auditEventSchema, AuditEvent>>,
  Holds<Same<typeof auditActorSchema, AuditActor>>,
  Holds<Same<typeof auditListResponseSchema, Api.AuditListResponse>>,
  Holds<Same<typeof officialWarningsOverviewSchema, OfficialWarningsOverview>>,
  Holds<Same<typeof pluginPermissionsSchema, Api.PluginPermissions>>,
];
