import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import type { Sendable } from '../http/contract';
import type { ChannelStatus, DataResponse, SubmitTemplatesResult } from '../../../shared/contracts/admin-api';

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
    const names = result.submitted.map((entry) => entry.name).filter(Boolean);
    if (names.length) await getService(strapi, 'audit').record({ action: 'templates-submitted', actorId: actorOfRequest(ctx), details: { templates: names } });
    ctx.body = {
      data: {
        submitted: result.submitted.map(({ kind, name, id, status, category }) => ({ kind, name, id, status, category })),
        skipped: result.skipped.map(({ kind, reason }) => ({ kind, reason })),
      },
    } satisfies DataResponse<SubmitTemplatesResult>;
  },
});
