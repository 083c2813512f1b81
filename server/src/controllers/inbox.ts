import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import type { Sendable } from '../http/contract';
import type { DataResponse, InboxMessage, InboxResponse } from '../../../shared/contracts/admin-api';

import { parseOrThrow } from '../validation/parse';
import { inboxListQuerySchema, inboxReplyBodySchema, idParamsSchema } from '../validation/admin';
import { actorOfRequest } from '../audit/actor';
import { requestAdminId } from '../admins/request-admin';

const adminIdOf = (ctx: Context): number | null => requestAdminId(ctx.state);

/** The town's inbox: list, mark handled, answer inside the 24-hour window. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const inbox = () => getService(strapi, 'inbox');
  const id = (ctx: Context) => parseOrThrow(idParamsSchema, ctx.params).id;

  return {
    async list(ctx: Context) {
      ctx.body = (await inbox().list(parseOrThrow(inboxListQuerySchema, ctx.query))) satisfies Sendable<InboxResponse>;
    },
    async handled(ctx: Context) {
      ctx.body = { data: await inbox().markHandled(id(ctx), adminIdOf(ctx)) } satisfies Sendable<DataResponse<InboxMessage>>;
    },
    async reply(ctx: Context) {
      const { text } = parseOrThrow(inboxReplyBodySchema, ctx.request.body);
      const replied = await inbox().reply(id(ctx), text, adminIdOf(ctx), actorOfRequest(ctx));
      ctx.body = { data: replied } satisfies Sendable<DataResponse<InboxMessage>>;
    },
  };
};
