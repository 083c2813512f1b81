import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { applicationError } from '../http/errors';
import { getService } from '../utils/get-service';
import type { Sendable } from '../http/contract';
import type { Broadcast, BroadcastDetail, BroadcastListResponse, DataResponse, RetryFailedResult, SendTestResult, WhatsappChannelHandoff } from '../../../shared/contracts/admin-api';

import { parseOrThrow } from '../validation/parse';
import { toBroadcast, toRunSummary } from '../announcements/broadcast-insights.service';
import { approveBodySchema, documentIdParamsSchema, listQuerySchema, rejectBodySchema, sendTestBodySchema, sendUpdateBodySchema, whatsappChannelMarkBodySchema } from '../validation/admin';
import { actorOfRequest, coveringPublishAudit } from '../audit/actor';
import { requestAdminId } from '../admins/request-admin';
import type { AuditRecordInput } from '../audit/audit.service';
import type { AuditAction } from '../../../shared/contracts/audit';

/** Admin routes for the broadcast monitor: list, detail and the editor's controls. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const announcements = () => getService(strapi, 'announcements');
  const dispatch = () => getService(strapi, 'dispatch');
  const approval = () => getService(strapi, 'approval');
  const documentId = (ctx: Context) => parseOrThrow(documentIdParamsSchema, ctx.params).documentId;
  /** After the action succeeded: a refused one (already paused, already finished) throws before and records nothing. */
  const audit = <Action extends AuditAction>(ctx: Context, input: Omit<AuditRecordInput<Action>, 'actorId'>) =>
    getService(strapi, 'audit').record({ ...input, actorId: actorOfRequest(ctx) } as AuditRecordInput<Action>);
  /** The logged-in admin (the route's policy has made sure there is one). */
  const adminId = (ctx: Context): number => Number(requestAdminId(ctx.state));

  return {
    /** The text for the town's WhatsApp Channel and whether someone posted it (Meta has no API for Channels). */
    async whatsappChannel(ctx: Context) {
      ctx.body = { data: await getService(strapi, 'whatsapp-channel').state(documentId(ctx)) } satisfies Sendable<DataResponse<WhatsappChannelHandoff>>;
    },
    async markWhatsappChannel(ctx: Context) {
      const { posted } = parseOrThrow(whatsappChannelMarkBodySchema, ctx.request.body ?? {});
      ctx.body = { data: await getService(strapi, 'whatsapp-channel').mark(documentId(ctx), posted, ctx.state.user) } satisfies Sendable<DataResponse<WhatsappChannelHandoff>>;
    },

    async list(ctx: Context) {
      // One row per story: an original with its updates and all-clear (`followUps`, oldest first).
      const { results, pagination } = await getService(strapi, 'follow-ups').listThreads(parseOrThrow(listQuerySchema, ctx.query));
      const ids = results.flatMap((thread) => [thread.head, ...thread.followUps].map((row) => row.documentId));
      const runs = await dispatch().runsOfMany(ids);
      const approvals = await approval().views(ids, adminId(ctx));
      const view = (row: (typeof results)[number]['head']) => ({ ...toBroadcast(row), runs: (runs.get(row.documentId) ?? []).map(toRunSummary), approval: approvals.get(row.documentId) ?? null });
      ctx.body = { data: results.map((thread) => ({ ...view(thread.head), followUps: thread.followUps.map(view) })), meta: { pagination } } satisfies Sendable<BroadcastListResponse>;
    },
    async detail(ctx: Context) {
      const id = documentId(ctx);
      // A read writes nothing: the counters are counted for this answer, not stored (their owners store them).
      const stored = await announcements().requirePublished(id);
      const { open: _open, ...counters } = await announcements().currentCounters(id);
      const row = { ...stored, ...counters };
      // The story this broadcast belongs to: the original and every follow-up, oldest first.
      const thread = await getService(strapi, 'follow-ups').thread(row.updateOf ?? row.documentId);
      ctx.body = {
        data: {
          ...(await getService(strapi, 'broadcast-insights').detail(row)),
          approval: (await approval().views([id], adminId(ctx))).get(id) ?? null,
          thread: thread.length > 1 ? thread.map((member) => ({ ...toBroadcast(member), current: member.documentId === row.documentId })) : [],
        },
      } satisfies Sendable<DataResponse<BroadcastDetail>>;
    },
    async pause(ctx: Context) {
      const id = documentId(ctx);
      const paused = await dispatch().pause(id);
      await audit(ctx, { action: 'paused', broadcastId: id });
      ctx.body = { data: toBroadcast(paused) } satisfies Sendable<DataResponse<Broadcast>>;
    },
    async resume(ctx: Context) {
      const id = documentId(ctx);
      const resumed = await dispatch().resume(id);
      await audit(ctx, { action: 'resumed', broadcastId: id });
      ctx.body = { data: toBroadcast(resumed) } satisfies Sendable<DataResponse<Broadcast>>;
    },
    async cancel(ctx: Context) {
      const id = documentId(ctx);
      const cancelled = await dispatch().cancel(id);
      // Once per broadcast: a cancel cannot be undone, and a second one is refused above anyway.
      await audit(ctx, { action: 'cancelled', broadcastId: id, onceKey: `cancelled:${id}` });
      ctx.body = { data: toBroadcast(cancelled) } satisfies Sendable<DataResponse<Broadcast>>;
    },
    async retryFailed(ctx: Context) {
      const id = documentId(ctx);
      const { reopened, continued } = await dispatch().retryFailed(id);
      // A repeated click that found nothing to retry changed nothing and is not recorded.
      if (reopened > 0 || continued > 0) await audit(ctx, { action: 'retried', broadcastId: id, details: { reopened } });
      ctx.body = { data: { ...toBroadcast(await announcements().requirePublished(id)), reopened } } satisfies Sendable<DataResponse<RetryFailedResult>>;
    },
    /** Four-eyes approval: a second person's yes; what waited goes out once. Never the publisher's own (403). */
    async approve(ctx: Context) {
      const body = parseOrThrow(approveBodySchema, ctx.request.body ?? {});
      const id = documentId(ctx);
      const approved = await approval().approve(id, { id: adminId(ctx) }, body.note || null);
      // A decision is written only once (the approval service refuses a second), so the event is once too.
      await audit(ctx, { action: 'approved', broadcastId: id, details: body.note ? { note: body.note.slice(0, 500) } : {}, onceKey: `approved:${id}` });
      ctx.body = { data: toBroadcast(approved) } satisfies Sendable<DataResponse<Broadcast>>;
    },
    /** A second person's no, with a note saying why: nothing that waited goes out. */
    async reject(ctx: Context) {
      const body = parseOrThrow(rejectBodySchema, ctx.request.body ?? {});
      const id = documentId(ctx);
      const rejected = await approval().reject(id, { id: adminId(ctx) }, body.note);
      await audit(ctx, { action: 'rejected', broadcastId: id, details: { note: body.note.slice(0, 500) }, onceKey: `rejected:${id}` });
      ctx.body = { data: toBroadcast(rejected) } satisfies Sendable<DataResponse<Broadcast>>;
    },
    async sendUpdate(ctx: Context) {
      const body = parseOrThrow(sendUpdateBodySchema, ctx.request.body);
      const id = documentId(ctx);
      // One click, one event: the follow-up's own publish is this "update-sent", not a second "published".
      const update = await coveringPublishAudit(() => announcements().sendUpdate(id, body));
      await audit(ctx, { action: 'update-sent', broadcastId: id, details: { followUpDocumentId: update.documentId, kind: body.kind, includeNew: body.includeNew } });
      ctx.body = { data: toBroadcast(update) } satisfies Sendable<DataResponse<Broadcast>>;
    },
    /** A test goes out at once to one number, so the editor sees the real message before everyone does. */
    async sendTest(ctx: Context) {
      const body = parseOrThrow(sendTestBodySchema, ctx.request.body);
      const announcement = await announcements().requirePublishedOrDraft(documentId(ctx));
      // Telegram has no typed address format: a test goes to a chat id (the editor's own chat with the bot).
      const to = getService(strapi, 'subscriptions').normaliseAddress(body.channel, body.address) ?? body.address.trim();
      const channel = getService(strapi, 'runtime').channels().get(body.channel);
      try {
        const result = await channel.send({
          kind: 'announcement',
          to,
          deliveryRef: `test:${announcement.documentId}`,
          content: announcements().contentOf(announcement),
        });
        // The channel, never the address the test went to.
        await audit(ctx, { action: 'test-sent', broadcastId: announcement.documentId, details: { channel: body.channel } });
        ctx.body = { data: { sent: true, providerMessageId: result.providerMessageId, mode: channel.mode } } satisfies Sendable<DataResponse<SendTestResult>>;
      } catch (error) {
        const classified = channel.classifyError(error);
        throw applicationError(`The test message was not sent: ${classified.message}`, { code: classified.code, errorClass: classified.errorClass });
      }
    },
  };
};
