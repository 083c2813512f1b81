import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { UID } from '../constants';
import { applicationError } from '../http/errors';
import { getService } from '../utils/get-service';
import { parseOrThrow } from '../validation/parse';
import { followUpMarkBodySchema, followUpQuerySchema, followUpUnmarkBodySchema } from '../validation/admin';
import type { Sendable } from '../http/contract';
import type { DataResponse, FollowUpMark, FollowUpState } from '../../../shared/contracts/admin-api';

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
      ctx.body = { data: await followUps().state(query.uid, query.documentId ?? null) } satisfies Sendable<DataResponse<FollowUpState>>;
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
