import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import type { Sendable } from '../http/contract';
import type { DataResponse, GrowthStats, OverviewStats } from '../../../shared/contracts/admin-api';

import { parseOrThrow } from '../validation/parse';
import { statsDaysQuerySchema } from '../validation/admin';

/** Aggregate statistics for the overview page and its CSV export. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const stats = () => getService(strapi, 'stats');

  return {
    async overview(ctx: Context) {
      ctx.body = { data: await stats().overview() } satisfies Sendable<DataResponse<OverviewStats>>;
    },
    async growth(ctx: Context) {
      const { days } = parseOrThrow(statsDaysQuerySchema, ctx.query);
      ctx.body = { data: await stats().growth(days) } satisfies Sendable<DataResponse<GrowthStats>>;
    },
    async exportCsv(ctx: Context) {
      const { days } = parseOrThrow(statsDaysQuerySchema, ctx.query);
      const csv = await stats().exportCsv(days);
      const stamp = new Date().toISOString().slice(0, 10);
      ctx.set('Content-Disposition', `attachment; filename="town-crier-statistics-${stamp}.csv"`);
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'text/csv; charset=utf-8';
      // The BOM makes Excel read umlauts in topic names as UTF-8.
      ctx.body = `\uFEFF${csv}`;
    },
  };
};
