import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import type { Sendable } from '../http/contract';
import type { ChannelStatus, DataResponse } from '../../../shared/contracts/admin-api';

import { parseOrThrow } from '../validation/parse';
import { submitTemplatesBodySchema } from '../validation/admin';

/** The channel status page. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async list(ctx: Context) {
    ctx.body = { data: await getService(strapi, 'channel-status').list() } satisfies Sendable<DataResponse<ChannelStatus[]>>;
  },
  /** Submits the plugin's WhatsApp templates to Meta for review; the status page then follows their approval. */
  async submitTemplates(ctx: Context) {
    const body = parseOrThrow(submitTemplatesBodySchema, ctx.request.body ?? {});
    ctx.body = { data: await getService(strapi, 'whatsapp-account').submitTemplates(body.templates) };
  },
});
