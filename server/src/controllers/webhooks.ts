import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils/get-service';

const UNPARSED = Symbol.for('unparsedBody');

/** Provider webhooks: the handshake, and signed POSTs acknowledged as soon as they are queued. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async handshake(ctx: Context) {
    ctx.type = 'text/plain';
    ctx.body = getService(strapi, 'webhook-events').handshake(ctx.params.channel, ctx.query as Record<string, unknown>);
  },

  async receive(ctx: Context) {
    const body = ctx.request.body as Record<symbol, string | undefined> | undefined;
    await getService(strapi, 'webhook-events').accept(ctx.params.channel, body?.[UNPARSED], ctx.request.headers, ctx.request.body);
    ctx.status = 200;
    ctx.body = { data: { received: true } };
  },
});
