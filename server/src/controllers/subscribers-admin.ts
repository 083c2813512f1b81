import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { parseOrThrow } from '../validation/parse';
import { subscriberIdParamsSchema } from '../validation/admin';

/** Citizens' rights, for admins with the personal-data permission: export, erase, retention. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async export(ctx: Context) {
    const { id } = parseOrThrow(subscriberIdParamsSchema, ctx.params);
    ctx.body = { data: await getService(strapi, 'privacy').exportSubscriber(id) };
  },
  async erase(ctx: Context) {
    const { id } = parseOrThrow(subscriberIdParamsSchema, ctx.params);
    await getService(strapi, 'privacy').erase(id);
    ctx.body = { data: { erased: true } };
  },
  async purge(ctx: Context) {
    ctx.body = { data: await getService(strapi, 'privacy').purgeWithdrawn() };
  },
});
