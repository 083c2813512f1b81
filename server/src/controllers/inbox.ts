import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import type { Sendable } from '../http/contract';
import type { InboxResponse } from '../../../shared/contracts/admin-api';

import { parseOrThrow } from '../validation/parse';
import { inboxListQuerySchema, inboxReplyBodySchema, idParamsSchema } from '../validation/admin';

const adminIdOf = (ctx: Context): number | null => (ctx.state as { user?: { id?: number } }).user?.id ?? null;

/** The town's inbox: list, mark handled, answer inside the 24-hour window. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const inbox = () => getService(strapi, 'inbox');
  const id = (ctx: Context) => parseOrThrow(idParamsSchema, ctx.params).id;

  return {
    async list(ctx: Context) {
      ctx.body = (await inbox().list(parseOrThrow(inboxListQuerySchema, ctx.query))) satisfies Sendable<InboxResponse>;
    },
    async handled(ctx: Context) {
      ctx.body = { data: await inbox().markHandled(id(ctx), adminIdOf(ctx)) };
    },
    async reply(ctx: Context) {
      const { text } = parseOrThrow(inboxReplyBodySchema, ctx.request.body);
      ctx.body = { data: await inbox().reply(id(ctx), text, adminIdOf(ctx)) };
    },
  };
};
