/** The admin API's answers as strict zod schemas (./admin-responses.ts): costs and broadcasts: the list, the detail, their actions, follow-ups. */
import { z } from 'zod';
import type { CategoryCost, CostSummary } from '../costs';
import { type Holds, type Same, count, enumOf, optionalText, paginationSchema, text } from './admin-responses.fields';
import { APPROVAL_HOLD_REASONS, APPROVAL_STATES } from './approval';
import { BROADCAST_STATUSES, FOLLOW_UP_KINDS, RUN_STATES, WAITING_REASONS } from './broadcasts';
import { MESSAGE_KINDS } from './costs';
import type * as Api from './admin-api';

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

/** A broadcast's numbers (`BroadcastCounts`), in every answer that names them. */
export const broadcastCountFields = { recipients: count, sent: count, delivered: count, read: count, failed: count, skipped: count };

/** What every broadcast answer has (the list adds runs and follow-ups, the detail more). */
const broadcastFields = {
  documentId: text,
  title: text,
  broadcastStatus: enumOf(BROADCAST_STATUSES).nullable(),
  statusReason: optionalText,
  resumesAt: optionalText,
  publishedAt: optionalText,
  ...broadcastCountFields,
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

/** Each schema above is its type, exactly (./admin-responses.fields.ts `Same`). */
export type BroadcastContractChecks = [
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
];
