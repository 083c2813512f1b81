import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { UID } from '../constants';
import { getService } from '../utils/get-service';
import { renderSignupPage, SIGNUP_SCRIPT } from '../signup/page';

const CHANNEL_LABELS: Record<string, string> = { whatsapp: 'WhatsApp', email: 'E-Mail', telegram: 'Telegram' };

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async page(ctx: Context) {
    const config = getService(strapi, 'runtime').config();
    const locale = ctx.query.lang === 'en' ? 'en' : ctx.query.lang === 'de' ? 'de' : config.defaultLocale;
    const consent = getService(strapi, 'consent-ledger').consentText(config.consent.current, locale);
    const topics = (await strapi.db.query(UID.topic).findMany({
      where: { active: true },
      select: ['slug', 'name', 'description'],
      orderBy: { name: 'asc' },
    })) as Array<{ slug: string; name: string; description: string | null }>;
    // Opened from a "change channel or topics" link: the citizen's topics come ticked.
    const keep = typeof ctx.query.keep === 'string' && ctx.query.keep.length <= 200 ? ctx.query.keep : null;
    const kept = keep ? await getService(strapi, 'subscriptions').topicsOfManageToken(keep) : null;
    const prefix = `${strapi.config.get('api.rest.prefix', '/api')}/town-crier`;
    ctx.type = 'text/html; charset=utf-8';
    if (keep) {
      // The page now shows one citizen's topics: not for shared caches, and the token must not leak onward.
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Referrer-Policy', 'no-referrer');
    }
    // Towns embed this page in an iframe on their own site; the default SAMEORIGIN would block that.
    ctx.remove('X-Frame-Options');
    ctx.set('Content-Security-Policy', `default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors ${config.signup.frameAncestors}`);
    ctx.body = renderSignupPage({
      locale,
      town: { name: config.town.name, kind: config.town.kind },
      intro: config.signup.intro[locale],
      topics: topics.map((topic) => ({ ...topic, checked: kept?.includes(topic.slug) ?? false })),
      consent: { version: config.consent.current, text: consent?.text ?? '', privacyPolicyUrl: consent?.privacyPolicyUrl ?? '' },
      channels: getService(strapi, 'runtime')
        .channels()
        .enabled()
        .map((channel) => ({ id: channel.id, label: CHANNEL_LABELS[channel.id] ?? channel.id })),
      scriptUrl: `${prefix}/signup.js`,
      apiUrl: `${prefix}/subscriptions`,
    });
  },

  async script(ctx: Context) {
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = SIGNUP_SCRIPT;
  },
});
