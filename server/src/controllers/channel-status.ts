import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import type { Sendable } from '../http/contract';
import type { ChannelStatus, DataResponse } from '../../../shared/contracts/admin-api';

import { parseOrThrow } from '../validation/parse';
import { submitTemplatesBodySchema } from '../validation/admin';
import { actorOfRequest } from '../audit/actor';

/** The channel status page. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async list(ctx: Context) {
    ctx.body = { data: await getService(strapi, 'channel-status').list() } satisfies Sendable<DataResponse<ChannelStatus[]>>;
  },
  /** Submits the plugin's WhatsApp templates to Meta for review; the status page then follows their approval. */
  async submitTemplates(ctx: Context) {
    const body = parseOrThrow(submitTemplatesBodySchema, ctx.request.body ?? {});
    const result = await getService(strapi, 'whatsapp-account').submitTemplates(body.templates);
    // Recorded when Meta took at least one template; a click that found them all there submitted nothing.
    const names = (result.submitted as Array<{ name?: string }>).map((entry) => entry.name).filter((name): name is string => Boolean(name));
    if (names.length) await getService(strapi, 'audit').record({ action: 'templates-submitted', actorId: actorOfRequest(ctx), details: { templates: names } });
    ctx.body = { data: result };
  },
});
