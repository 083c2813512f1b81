import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import type { Sendable } from '../http/contract';
import type { DataResponse, OfficialWarningsOverview } from '../../../shared/contracts/admin-api';

/** Official warnings: the sources' status (channel status page) and the drafts nobody has published yet (banner). */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async overview(ctx: Context) {
    ctx.body = { data: await getService(strapi, 'official-warnings').overview() } satisfies Sendable<DataResponse<OfficialWarningsOverview>>;
  },
});
