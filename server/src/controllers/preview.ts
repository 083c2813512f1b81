import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import type { Sendable } from '../http/contract';
import type { DataResponse, PublishPreview } from '../../../shared/contracts/admin-api';

import { parseOrThrow } from '../validation/parse';
import { previewQuerySchema } from '../validation/admin';
import { requestAdminId } from '../admins/request-admin';

/** The content manager's side panel: what Publish will do, and afterwards how the broadcast goes. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async preview(ctx: Context) {
    const viewerId = requestAdminId(ctx.state);
    ctx.body = { data: await getService(strapi, 'preview').preview(parseOrThrow(previewQuerySchema, ctx.query), viewerId) } satisfies Sendable<DataResponse<PublishPreview>>;
  },
});
