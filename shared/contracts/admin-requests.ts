/**
 * What each admin route accepts: zod schemas the server's controllers parse with
 * (server/src/validation/admin.ts re-exports them) and whose input types the admin's client
 * sends (`z.input<typeof …>`, imported as types only, so zod stays out of the admin bundle).
 */
import { z } from 'zod';
import { FOLLOW_UP_KINDS, URGENCIES } from './broadcasts';
import { CHANNEL_IDS, SUBSCRIBABLE_CHANNEL_IDS } from './channels';
import { AUDIT_ACTIONS, AUDIT_ACTOR_KINDS } from './audit';

export const documentIdParamsSchema = z.object({ documentId: z.string().min(1).max(64) });
export const subscriberIdParamsSchema = z.object({ id: z.coerce.number().int().positive() });
/** A numeric row id in the path (subscribers, inbox messages). */
export const idParamsSchema = subscriberIdParamsSchema;
export const listQuerySchema = z.object({
  page: z.coerce.number().int().positive().default(1),
  pageSize: z.coerce.number().int().positive().max(100).default(20),
});
/** "Send update": a follow-up in the thread; `kind` and `includeNew` as the side panel's mark has them. */
export const sendUpdateBodySchema = z
  .object({
    title: z.string().min(1).max(255).optional(),
    text: z.string().min(1).max(4000).optional(),
    kind: z.enum(FOLLOW_UP_KINDS).default('update'),
    includeNew: z.boolean().default(false),
  })
  .strict();
const contentTypeUid = z.string().regex(/^[\w-]+::[\w-]+\.[\w-]+$/, 'must be a content-type UID such as api::article.article');
/** The side panel's follow-up state of one entry; without documentId (an entry not saved yet) only the candidates. */
export const followUpQuerySchema = z.object({ uid: contentTypeUid, documentId: z.string().min(1).max(64).optional() });
export const followUpMarkBodySchema = z
  .object({
    uid: contentTypeUid,
    documentId: z.string().min(1).max(64),
    originalDocumentId: z.string().min(1).max(64),
    kind: z.enum(FOLLOW_UP_KINDS),
    includeNew: z.boolean().default(false),
  })
  .strict();
export const followUpUnmarkBodySchema = z.object({ uid: contentTypeUid, documentId: z.string().min(1).max(64) }).strict();
/** One-click submission of the plugin's WhatsApp templates; without a list, both. */
export const submitTemplatesBodySchema = z.object({ templates: z.array(z.enum(['announcement', 'confirmation'])).min(1).max(2).optional() }).strict();
export const sendTestBodySchema = z.object({ address: z.string().min(3).max(254), channel: z.enum(SUBSCRIBABLE_CHANNEL_IDS).default('whatsapp') }).strict();

/** Statistics: how many calendar days of history (two years at most). */
export const statsDaysQuerySchema = z.object({ days: z.coerce.number().int().min(1).max(730).default(90) });

export const previewQuerySchema = z.object({
  uid: z.string().regex(/^[\w-]+::[\w-]+\.[\w-]+$/, 'must be a content-type UID such as api::article.article'),
  documentId: z.string().min(1).max(64).optional(),
  locale: z.string().min(1).max(20).optional(),
  /** The topic currently chosen in the editor's form, which may not be saved yet; empty = the form has none. */
  topic: z.string().max(200).optional(),
  /** The villages currently in the editor's form (comma-separated names or slugs); empty = the whole town. */
  villages: z.string().max(2000).optional(),
  /** The urgency currently in the editor's form: whether an emergency would wait for approval or go at once. */
  urgency: z.enum(URGENCIES).optional(),
});

export const inboxListQuerySchema = listQuerySchema.extend({ status: z.enum(['open', 'handled', 'all']).default('open') });
export const inboxReplyBodySchema = z.object({ text: z.string().trim().min(1).max(4096) }).strict();

export const outboxQuerySchema = z.object({
  to: z.string().min(3).max(40).optional(),
  page: z.coerce.number().int().positive().default(1),
  pageSize: z.coerce.number().int().positive().max(100).default(20),
});

export const sandboxActBodySchema = z
  .object({
    channel: z.string().min(1).max(30),
    from: z.string().min(3).max(40),
    action: z.enum(['tap', 'text', 'status']),
    payload: z.string().min(1).max(500).optional(),
    text: z.string().min(1).max(4096).optional(),
    /** `status`: the sandbox message (its providerMessageId) the phone received or read. */
    messageId: z.string().min(1).max(100).optional(),
    status: z.enum(['delivered', 'read']).optional(),
  })
  .strict()
  .refine((body) => (body.action === 'tap' ? Boolean(body.payload) : body.action === 'text' ? Boolean(body.text) : Boolean(body.messageId && body.status)), {
    message: 'a tap needs a payload, a text needs text, a status needs messageId and status',
    path: ['payload'],
  });

/**
 * A moment of the audit filter: an ISO date-time with its offset, or a date alone (that day in UTC;
 * as `to`, the whole day is included). The admin page sends date-times of the town's local midnight.
 */
const auditMoment = (edge: 'from' | 'to') =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/, 'must be a date (YYYY-MM-DD) or an ISO date-time with offset')
    .transform((value, ctx) => {
      const dateOnly = value.length === 10;
      const moment = new Date(dateOnly ? `${value}T00:00:00Z` : value);
      if (Number.isNaN(moment.getTime())) {
        ctx.addIssue({ code: 'custom', message: 'is not a real date' });
        return z.NEVER;
      }
      return dateOnly && edge === 'to' ? new Date(moment.getTime() + 86_400_000) : moment;
    });
/** The audit trail's filters (the list and its CSV): every one optional, combined with "and". */
const auditFilterShape = {
  action: z.enum(AUDIT_ACTIONS).optional(),
  actorKind: z.enum(AUDIT_ACTOR_KINDS).optional(),
  actorId: z.coerce.number().int().positive().optional(),
  broadcastId: z.string().min(1).max(64).optional(),
  subscriberId: z.coerce.number().int().positive().optional(),
  /** From this moment on (inclusive). */
  from: auditMoment('from').optional(),
  /** Before this moment (exclusive; a date alone includes its day). */
  to: auditMoment('to').optional(),
};
const fromBeforeTo = (filter: { from?: Date; to?: Date }) => !filter.from || !filter.to || filter.from < filter.to;
/** Unknown parameters are refused: a misspelt filter must not silently show everything. */
export const auditFilterSchema = z.object(auditFilterShape).strict().refine(fromBeforeTo, { message: 'must be after from', path: ['to'] });
export const auditListQuerySchema = z
  .object({
    ...auditFilterShape,
    page: z.coerce.number().int().positive().default(1),
    pageSize: z.coerce.number().int().positive().max(100).default(25),
  })
  .strict()
  .refine(fromBeforeTo, { message: 'must be after from', path: ['to'] });
/** Four-eyes approval: approving may carry a note; a rejection must say why (the list shows it). */
export const approveBodySchema = z.object({ note: z.string().trim().max(1000).optional() }).strict();
export const rejectBodySchema = z.object({ note: z.string().trim().min(1, 'a rejection needs a note saying why').max(1000) }).strict();

/** Actions on one broadcast that need no body (POST /broadcasts/:documentId/<action>). */
export const BROADCAST_ACTIONS = ['pause', 'resume', 'cancel', 'retry-failed'] as const;
export type BroadcastAction = (typeof BROADCAST_ACTIONS)[number];

/** A query's parameters as the admin sends them: a coerced number (`z.coerce`) is a number, not `unknown`. */
type QueryOf<S extends z.ZodType, I = z.input<S>, O = z.output<S>> = { [K in keyof I]: unknown extends I[K] ? (K extends keyof O ? O[K] : never) : I[K] };

export type SendUpdateBody = z.input<typeof sendUpdateBodySchema>;
/** The WhatsApp Channel hand-off: ticked (posted by hand) or the tick taken back. */
export const whatsappChannelMarkBodySchema = z.object({ posted: z.boolean() }).strict();
export type WhatsappChannelMarkBody = z.input<typeof whatsappChannelMarkBodySchema>;
export type SendTestBody = z.input<typeof sendTestBodySchema>;
export type ApproveBody = z.input<typeof approveBodySchema>;
export type RejectBody = z.input<typeof rejectBodySchema>;
export type FollowUpQuery = z.input<typeof followUpQuerySchema>;
export type FollowUpMarkBody = z.input<typeof followUpMarkBodySchema>;
export type FollowUpUnmarkBody = z.input<typeof followUpUnmarkBodySchema>;
export type SubmitTemplatesBody = z.input<typeof submitTemplatesBodySchema>;
export type PreviewQuery = z.input<typeof previewQuerySchema>;
export type ListQuery = QueryOf<typeof listQuerySchema>;
export type InboxListQuery = QueryOf<typeof inboxListQuerySchema>;
export type InboxReplyBody = z.input<typeof inboxReplyBodySchema>;
export type OutboxQuery = QueryOf<typeof outboxQuerySchema>;
export type SandboxActBody = z.input<typeof sandboxActBodySchema>;
export type AuditFilterQuery = QueryOf<typeof auditFilterSchema>;
export type AuditListQuery = QueryOf<typeof auditListQuerySchema>;
export type StatsDaysQuery = QueryOf<typeof statsDaysQuerySchema>;
