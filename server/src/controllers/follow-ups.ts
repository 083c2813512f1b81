import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { UID } from '../constants';
import { applicationError } from '../http/errors';
import { getService } from '../utils/get-service';
import { parseOrThrow } from '../validation/parse';
import { countFollowUpRecipients } from '../fan-out/follow-up-recipients';
import { followUpMarkBodySchema, followUpQuerySchema, followUpUnmarkBodySchema } from '../validation/admin';
import type { Sendable } from '../http/contract';
import type { DataResponse, FollowUpKind, FollowUpMark, FollowUpState } from '../../../shared/contracts/admin-api';

/** The columns of a broadcast the follow-up action reads. */
interface StoredFollowUp {
  documentId: string;
  title: string;
  updateOf: string | null;
  followUpKind: FollowUpKind | null;
  followUpIncludeNew: boolean | null;
}

/**
 * The content manager's follow-up action: mark a news entry as an update or all-clear of an
 * earlier broadcast (applied at its first publish), and read the mark back with the broadcasts
 * it may follow up.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const followUps = () => getService(strapi, 'follow-ups');
  /** Only types the plugin broadcasts can be marked: the town's mapped news types and its own announcements. */
  const requireBroadcastType = (uid: string) => {
    if (uid !== UID.announcement && !getService(strapi, 'runtime').config().contentTypes[uid]) {
      throw applicationError('This content type is not broadcast by Town Crier', { uid });
    }
  };

  return {
    async state(ctx: Context) {
      const query = parseOrThrow(followUpQuerySchema, ctx.query);
      requireBroadcastType(query.uid);
      const ownAnnouncement = query.documentId
        ? query.uid === UID.announcement
          ? query.documentId
          : ((await strapi.db.query(UID.announcement).findOne({
              where: { sourceUid: query.uid, sourceDocumentId: query.documentId, publishedAt: { $notNull: true } },
              select: ['documentId', 'updateOf', 'followUpKind', 'followUpIncludeNew'],
            })) as { documentId: string } | null)?.documentId ?? null
        : null;
      const broadcast = ownAnnouncement
        ? ((await strapi.db.query(UID.announcement).findOne({
            where: { documentId: ownAnnouncement, publishedAt: { $notNull: true } },
            select: ['documentId', 'title', 'updateOf', 'followUpKind', 'followUpIncludeNew'],
          })) as StoredFollowUp | null)
        : null;
      const original = broadcast?.updateOf
        ? ((await strapi.db.query(UID.announcement).findOne({ where: { documentId: broadcast.updateOf, publishedAt: { $notNull: true } }, select: ['documentId', 'title'] })) as { documentId: string; title: string } | null)
        : null;
      const mark = query.documentId ? await followUps().markOf(query.uid, query.documentId) : null;
      // Before publishing: whom the marked follow-up reaches (the thread's recipients still subscribed), per channel.
      let reach: { total: number; byChannel: Record<string, number> } | null = null;
      if (mark && !broadcast) {
        const root = await followUps().rootOf(mark.originalDocumentId).catch(() => null);
        if (root) {
          const thread = await followUps().thread(root);
          const byChannel = await countFollowUpRecipients(strapi, thread.map((member) => member.documentId));
          reach = { total: Object.values(byChannel).reduce((sum, n) => sum + n, 0), byChannel };
        }
      }
      ctx.body = {
        data: {
          mark,
          reach,
          broadcast: broadcast
            ? {
                documentId: broadcast.documentId,
                title: broadcast.title,
                updateOf: broadcast.updateOf ?? null,
                followUpKind: broadcast.followUpKind ?? null,
                followUpIncludeNew: broadcast.followUpIncludeNew ?? null,
                original: original ? { documentId: original.documentId, title: original.title } : null,
              }
            : null,
          candidates: broadcast ? [] : await followUps().candidates(ownAnnouncement),
        },
      } satisfies Sendable<DataResponse<FollowUpState>>;
    },
    async mark(ctx: Context) {
      const body = parseOrThrow(followUpMarkBodySchema, ctx.request.body);
      requireBroadcastType(body.uid);
      const mark = await followUps().setMark(body.uid, body.documentId, { originalDocumentId: body.originalDocumentId, kind: body.kind, includeNew: body.includeNew });
      ctx.body = { data: { originalDocumentId: mark.originalDocumentId, kind: mark.kind, includeNew: mark.includeNew } } satisfies DataResponse<FollowUpMark>;
    },
    async unmark(ctx: Context) {
      const body = parseOrThrow(followUpUnmarkBodySchema, ctx.request.body);
      requireBroadcastType(body.uid);
      await followUps().clearMark(body.uid, body.documentId);
      ctx.body = { data: null } satisfies DataResponse<null>;
    },
  };
};
