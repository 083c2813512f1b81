import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import type { Sendable } from '../http/contract';
import type { DataResponse, OutboxResponse, SandboxActResult } from '../../../shared/contracts/admin-api';

import { parseOrThrow } from '../validation/parse';
import { outboxQuerySchema, sandboxActBodySchema } from '../validation/admin';

/** The sandbox phone: what would have been sent, and acting as the citizen. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async outbox(ctx: Context) {
    ctx.body = (await getService(strapi, 'sandbox-phone').outbox(parseOrThrow(outboxQuerySchema, ctx.query))) satisfies Sendable<OutboxResponse>;
  },
  async act(ctx: Context) {
    ctx.body = { data: await getService(strapi, 'sandbox-phone').act(parseOrThrow(sandboxActBodySchema, ctx.request.body)) } satisfies DataResponse<SandboxActResult>;
  },
});
