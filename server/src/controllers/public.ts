import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { UID } from '../constants';
import { getService } from '../utils/get-service';
import { signupBodySchema, tokenBodySchema } from '../validation/public';
import { parseOrThrow } from '../validation/parse';
import { HOUR_MS } from '../utils/time';

const requestMeta = (ctx: Context) => ({ ip: ctx.request.ip, userAgent: ctx.request.get('user-agent') || null });

/** The public content API: topics, consent text, sign-up and link-based confirm/unsubscribe. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async topics(ctx: Context) {
    const topics = await strapi.db.query(UID.topic).findMany({
      where: { active: true },
      select: ['name', 'slug', 'description'],
      orderBy: { name: 'asc' },
    });
    ctx.body = { data: topics };
  },

  async consent(ctx: Context) {
    const config = getService(strapi, 'runtime').config();
    const locale = ctx.query.locale === 'en' ? 'en' : config.defaultLocale;
    const shown = getService(strapi, 'consent-ledger').consentText(config.consent.current, locale);
    ctx.body = { data: shown && { version: shown.version, locale: shown.locale, text: shown.text, sha256: shown.sha256, privacyPolicyUrl: shown.privacyPolicyUrl } };
  },

  async subscribe(ctx: Context) {
    const body = parseOrThrow(signupBodySchema, ctx.request.body);
    ctx.status = 202;
    if (body.website) {
      // A bot filled the honeypot: it gets the normal answer and nothing is stored.
      const expiresAt = new Date(Date.now() + getService(strapi, 'runtime').config().confirmationTtlHours * HOUR_MS).toISOString();
      ctx.body = { data: { status: 'pending', channel: body.channel, expiresAt, whatsappLink: null } };
      return;
    }
    ctx.body = { data: await getService(strapi, 'subscriptions').signup(body, requestMeta(ctx)) };
  },

  async confirm(ctx: Context) {
    const { token } = parseOrThrow(tokenBodySchema, ctx.request.body);
    await getService(strapi, 'subscriptions').confirmByToken(token, 'confirmation-link');
    ctx.body = { data: { status: 'active' } };
  },

  async unsubscribe(ctx: Context) {
    const { token } = parseOrThrow(tokenBodySchema, ctx.request.body);
    await getService(strapi, 'subscriptions').unsubscribeByToken(token, requestMeta(ctx));
    ctx.body = { data: { status: 'unsubscribed' } };
  },
});
