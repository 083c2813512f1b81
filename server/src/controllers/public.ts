import type { Core } from '@strapi/strapi';
import { isHttpError, validationError } from '../http/errors';
import { isStandRequest } from '../middlewares/rate-limit';
import type { Context } from 'koa';
import type { ChannelId } from '../constants';
import { renderLanguagePage, renderLanguageResult, renderLinkPage, renderLinkResult, type LinkPageKind } from '../signup/link-pages';
import { pageLanguage } from './signup-page';
import { LANGUAGE_NAMES, citizenLanguage } from '../languages/languages';
import type { SignupAnswer } from '../subscribers/subscriptions.service';
import { getService } from '../utils/get-service';
import { languageBodySchema, oneClickBodySchema, pushRenewBodySchema, pushUnsubscribeBodySchema, signupBodySchema, tokenBodySchema, tokenQuerySchema } from '../validation/public';
import { parseOrThrow } from '../validation/parse';
import { HOUR_MS } from '../utils/time';

const requestMeta = (ctx: Context) => ({ ip: ctx.request.ip, userAgent: ctx.request.get('user-agent') || null });

/** A browser form (the link pages' button, or a mail client's one-click POST) rather than the JSON API. */
const isForm = (ctx: Context) => Boolean(ctx.is('application/x-www-form-urlencoded', 'multipart/form-data'));

/** The public content API: topics, consent text, sign-up and link-based confirm/unsubscribe. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = () => getService(strapi, 'runtime').config();

  /** The links carry a token, so the pages must not leak it onward or be cached or indexed. */
  const servePage = (ctx: Context, html: string, status = 200) => {
    ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Robots-Tag', 'noindex');
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
    ctx.body = html;
  };

  const localeOf = (ctx: Context, lang?: string) => pageLanguage(config(), lang ?? ctx.query.lang);

  /** A form POST from a link page: do it, and answer with a page instead of JSON. */
  const handleForm = async (ctx: Context, kind: LinkPageKind, act: (token: string) => Promise<void>) => {
    const { token, lang } = parseOrThrow(tokenQuerySchema, ctx.request.body);
    const locale = localeOf(ctx, lang);
    try {
      await act(token);
    } catch (error) {
      if (!isHttpError(error, 'ValidationError')) throw error;
      return servePage(ctx, renderLinkResult(kind, { locale, townName: config().town.name, ok: false }), 400);
    }
    servePage(ctx, renderLinkResult(kind, { locale, townName: config().town.name, ok: true }));
  };

  /** What a bot that filled the honeypot gets: the normal answer, and nothing is stored. */
  const decoyAnswer = (channel: ChannelId): SignupAnswer => {
    const answer: SignupAnswer = { status: 'pending', channel, expiresAt: new Date(Date.now() + config().confirmationTtlHours * HOUR_MS).toISOString() };
    if (channel === 'whatsapp') answer.whatsappLink = null;
    if (channel === 'telegram') answer.telegramLink = null;
    if (channel === 'webpush') answer.status = 'active';
    return answer;
  };

  const subscribeNow = async (ctx: Context) => {
    const { channel, address, channels, website, ...shared } = parseOrThrow(signupBodySchema, ctx.request.body);
    // "Signed up at the town hall's stand" is the stand's word alone: it carries the stand's token.
    if (shared.source?.toLowerCase() === 'stand' && !isStandRequest(ctx, config().rateLimit.signupStand)) {
      const message = 'The source "stand" is only for the town’s sign-up stand (its token)';
      throw validationError(message, { errors: [{ path: ['source'], message, name: 'ValidationError' }] });
    }
    ctx.status = 202;
    const subscriptions = getService(strapi, 'subscriptions');
    if (channels) {
      const answers = website ? channels.map((entry) => decoyAnswer(entry.channel)) : await subscriptions.signupMany(shared, channels, requestMeta(ctx));
      ctx.body = { data: { status: 'pending', expiresAt: answers[0].expiresAt, channels: answers } };
      return;
    }
    // The schema guarantees `channel` when there is no `channels` list.
    const single = channel as ChannelId;
    ctx.body = { data: website ? decoyAnswer(single) : await subscriptions.signup({ ...shared, channel: single, address }, requestMeta(ctx)) };
  };

  return {
    async topics(ctx: Context) {
      ctx.body = { data: await getService(strapi, 'subscriptions').activeTopics() };
    },

    /** The town's villages (Ortsteile) for a sign-up form; from the config, public anyway. */
    async villages(ctx: Context) {
      ctx.body = { data: config().town.villages.map(({ name, slug, postcode }) => ({ name, slug, postcode: postcode ?? null })) };
    },

    async consent(ctx: Context) {
      const locale = pageLanguage(config(), ctx.query.locale);
      const shown = getService(strapi, 'consent-ledger').consentText(config().consent.current, locale);
      ctx.body = { data: shown && { version: shown.version, locale: shown.locale, text: shown.text, sha256: shown.sha256, privacyPolicyUrl: shown.privacyPolicyUrl } };
    },

    /**
     * Every answer, 202 or 4xx, leaves no earlier than `rateLimit.signupAnswerMinMs` after the
     * request came in: an active number returns early, a new one writes rows, and without the
     * floor the difference could be timed to learn who is subscribed.
     */
    async subscribe(ctx: Context) {
      const started = Date.now();
      try {
        await subscribeNow(ctx);
      } finally {
        const wait = config().rateLimit.signupAnswerMinMs - (Date.now() - started);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    },

    /** Web Push: the page's "Mitteilungen abbestellen" and the notification's action. Same answer whether the endpoint was known. */
    async pushUnsubscribe(ctx: Context) {
      const { endpoint } = parseOrThrow(pushUnsubscribeBodySchema, ctx.request.body);
      await getService(strapi, 'subscriptions').unsubscribePush(endpoint, requestMeta(ctx));
      ctx.body = { data: { status: 'unsubscribed' } };
    },

    /** Web Push: the service worker's `pushsubscriptionchange`. */
    async pushRenew(ctx: Context) {
      const { oldEndpoint, subscription } = parseOrThrow(pushRenewBodySchema, ctx.request.body);
      const renewed = await getService(strapi, 'subscriptions').renewPushSubscription(oldEndpoint, subscription);
      ctx.body = { data: { renewed } };
    },

    /** GET behind the link in a confirmation e-mail: shows the button, confirms nothing. */
    async confirmPage(ctx: Context) {
      const { token } = parseOrThrow(tokenQuerySchema, ctx.query);
      servePage(ctx, renderLinkPage('confirm', { locale: localeOf(ctx), townName: config().town.name, action: ctx.path, token }));
    },

    async confirm(ctx: Context) {
      const subscriptions = getService(strapi, 'subscriptions');
      if (isForm(ctx)) {
        return handleForm(ctx, 'confirm', async (token) => {
          await subscriptions.confirmByToken(token, 'confirmation-link');
        });
      }
      const { token } = parseOrThrow(tokenBodySchema, ctx.request.body);
      await subscriptions.confirmByToken(token, 'confirmation-link');
      ctx.body = { data: { status: 'active' } };
    },

    /** GET behind the unsubscribe link (and a `List-Unsubscribe` URL opened in a browser). */
    async unsubscribePage(ctx: Context) {
      const { token } = parseOrThrow(tokenQuerySchema, ctx.query);
      servePage(ctx, renderLinkPage('unsubscribe', { locale: localeOf(ctx), townName: config().town.name, action: ctx.path, token }));
    },

    /** GET behind the language link: one button per language the town offers; changes nothing. */
    async languagePage(ctx: Context) {
      const { token } = parseOrThrow(tokenQuerySchema, ctx.query);
      const subscriber = await getService(strapi, 'subscriptions').subscriberOfManageToken(token);
      const current = subscriber ? citizenLanguage(subscriber.locale, config()) : null;
      servePage(
        ctx,
        renderLanguagePage({
          locale: localeOf(ctx, current ?? undefined),
          townName: config().town.name,
          action: ctx.path,
          token,
          languages: config().languages.map((code) => ({ code, name: LANGUAGE_NAMES[code].own })),
          current,
        })
      );
    },

    /** The language page's buttons (a form) or JSON `{ token, language }`: 400 for a language the town does not offer. */
    async changeLanguage(ctx: Context) {
      const { token, language } = parseOrThrow(languageBodySchema, ctx.request.body);
      const subscriptions = getService(strapi, 'subscriptions');
      if (isForm(ctx)) {
        try {
          const chosen = await subscriptions.changeLanguageByToken(token, language, requestMeta(ctx));
          return servePage(ctx, renderLanguageResult({ locale: chosen, ok: true }));
        } catch (error) {
          if (!isHttpError(error, 'ValidationError')) throw error;
          return servePage(ctx, renderLanguageResult({ locale: localeOf(ctx), ok: false }), 400);
        }
      }
      const chosen = await subscriptions.changeLanguageByToken(token, language, requestMeta(ctx));
      ctx.body = { data: { language: chosen } };
    },

    async unsubscribe(ctx: Context) {
      const subscriptions = getService(strapi, 'subscriptions');
      const meta = requestMeta(ctx);
      if (isForm(ctx) && oneClickBodySchema.safeParse(ctx.request.body).success) {
        // RFC 8058 one-click: the mail client POSTs `List-Unsubscribe=One-Click` to the header's URL.
        const { token } = parseOrThrow(tokenQuerySchema, ctx.query);
        await subscriptions.unsubscribeByToken(token, meta, 'one-click');
        ctx.body = { data: { status: 'unsubscribed' } };
        return;
      }
      if (isForm(ctx)) return handleForm(ctx, 'unsubscribe', (token) => subscriptions.unsubscribeByToken(token, meta));
      const { token } = parseOrThrow(tokenBodySchema, ctx.request.body);
      await subscriptions.unsubscribeByToken(token, meta);
      ctx.body = { data: { status: 'unsubscribed' } };
    },
  };
};
