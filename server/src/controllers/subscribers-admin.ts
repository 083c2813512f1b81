import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { parseOrThrow } from '../validation/parse';
import { subscriberIdParamsSchema } from '../validation/admin';
import { actorOfRequest } from '../audit/actor';
import { recordPurge } from '../audit/purge';
import type { DataResponse, EraseResult, PurgeResult } from '../../../shared/contracts/admin-api';

/**
 * Citizens' rights, for admins with the personal-data permission: export, erase, retention. Each
 * is recorded in the audit trail with the citizen's subscriber id only.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const audit = () => getService(strapi, 'audit');
  return {
    /**
     * The citizen's own data, all of it (GDPR Art. 15/20): the one answer that is the stored
     * record by design, so it has no contract shape of its own. Every export is its own event:
     * each one hands a citizen's data to someone.
     */
    async export(ctx: Context) {
      const { id } = parseOrThrow(subscriberIdParamsSchema, ctx.params);
      const data = await getService(strapi, 'privacy').exportSubscriber(id);
      await audit().record({ action: 'subscriber-exported', actorId: actorOfRequest(ctx), subscriberId: id });
      ctx.body = { data };
    },
    /** Once per citizen: erasing an erased row again changes nothing. */
    async erase(ctx: Context) {
      const { id } = parseOrThrow(subscriberIdParamsSchema, ctx.params);
      await getService(strapi, 'privacy').erase(id);
      await audit().record({ action: 'subscriber-erased', actorId: actorOfRequest(ctx), subscriberId: id, onceKey: `subscriber-erased:${id}` });
      ctx.body = { data: { erased: true } } satisfies DataResponse<EraseResult>;
    },
    async purge(ctx: Context) {
      const purged = await getService(strapi, 'privacy').purgeWithdrawn();
      await recordPurge(strapi, actorOfRequest(ctx), purged);
      ctx.body = { data: { subscribers: purged.subscribers, messages: purged.messages, outbox: purged.outbox } } satisfies DataResponse<PurgeResult>;
    },
  };
};
