import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import type { Sendable } from '../http/contract';
import type { AuditActor, AuditListResponse, DataResponse } from '../../../shared/contracts/admin-api';
import { parseOrThrow } from '../validation/parse';
import { auditFilterSchema, auditListQuerySchema } from '../validation/admin';

/** The audit trail page ("Protokoll"): the list with its filters, who appears in it, and the CSV. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const audit = () => getService(strapi, 'audit');

  return {
    async list(ctx: Context) {
      const { page, pageSize, ...filter } = parseOrThrow(auditListQuerySchema, ctx.query);
      const { results, pagination } = await audit().list(filter, { page, pageSize });
      ctx.body = { data: results, meta: { pagination } } satisfies Sendable<AuditListResponse>;
    },
    async actors(ctx: Context) {
      ctx.body = { data: await audit().actors() } satisfies Sendable<DataResponse<AuditActor[]>>;
    },
    async exportCsv(ctx: Context) {
      const filter = parseOrThrow(auditFilterSchema, ctx.query);
      const csv = await audit().csv(filter);
      const stamp = new Date().toISOString().slice(0, 10);
      ctx.set('Content-Disposition', `attachment; filename="town-crier-audit-log-${stamp}.csv"`);
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'text/csv; charset=utf-8';
      // The BOM makes Excel read umlauts in titles and names as UTF-8.
      ctx.body = `\uFEFF${csv}`;
    },
  };
};
