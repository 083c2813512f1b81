import { createECDH } from 'node:crypto';
import { SIGNUP_CHANNEL_IDS } from '../../../shared/contracts/channels';
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { renderSignupPage } from '../signup/page';
import { SIGNUP_SCRIPT } from '../signup/browser-assets.generated';
import { SERVICE_WORKER_SCRIPT, webAppManifest } from '../signup/service-worker';
import { ofTown } from '../signup/municipality';
import { LANGUAGE_NAMES, languageOfCode, type Language } from '../languages/languages';
import type { PluginConfig } from '../config/schema';

const CHANNEL_LABELS: Record<string, string> = { whatsapp: 'WhatsApp', email: 'E-Mail', telegram: 'Telegram' };
/** Web Push is no brand a citizen knows: the option says what it does. */
const WEBPUSH_LABEL = { de: 'Mitteilungen in diesem Browser', en: 'Notifications in this browser', 'de-x-ls': 'Mitteilungen in diesem Browser' } as const satisfies Record<Language, string>;
const MANIFEST_NAME: Record<Language, (ofTownPhrase: string) => string> = {
  de: (phrase) => `Nachrichten ${phrase}`,
  en: (phrase) => `News of ${phrase}`,
  'de-x-ls': (phrase) => `Nachrichten ${phrase}`,
};

/** The page's language: `?lang=` when the town offers it, else the town's default (a page link never answers 400). */
export const pageLanguage = (config: Pick<PluginConfig, 'languages' | 'defaultLocale'>, lang: unknown): Language => {
  const asked = languageOfCode(lang);
  return asked && config.languages.includes(asked) ? asked : config.defaultLocale;
};

/**
 * In sandbox mode (no VAPID keys) browsers still need some P-256 key to subscribe with: one made
 * for this process, whose private half is dropped at once, so nothing can ever be pushed with it.
 */
let sandboxPublicKey: string | null = null;
const sandboxKey = () => (sandboxPublicKey ??= createECDH('prime256v1').generateKeys().toString('base64url'));

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async page(ctx: Context) {
    const config = getService(strapi, 'runtime').config();
    const locale = pageLanguage(config, ctx.query.lang);
    const consent = getService(strapi, 'consent-ledger').consentText(config.consent.current, locale);
    const topics = await getService(strapi, 'subscriptions').activeTopics();
    // Opened from a "change channel or topics" link: the citizen's topics come ticked.
    const keep = typeof ctx.query.keep === 'string' && ctx.query.keep.length <= 200 ? ctx.query.keep : null;
    const kept = keep ? await getService(strapi, 'subscriptions').topicsOfManageToken(keep) : null;
    const keptVillages = keep ? await getService(strapi, 'subscriptions').villagesOfManageToken(keep) : null;
    // The citizen's own subscription (not a browser's push subscription, which has its own button):
    // the page submits the token with the change, which then takes effect at once.
    const managed = keep ? await getService(strapi, 'subscriptions').subscriberOfManageToken(keep) : null;
    const manage = keep && managed && managed.channel !== 'webpush' && getService(strapi, 'runtime').channels().find(managed.channel) ? { token: keep, channel: managed.channel } : null;
    const prefix = `${strapi.config.get('api.rest.prefix', '/api')}/town-crier`;
    const webpush = getService(strapi, 'runtime').channels().find('webpush') ? config.channels.webpush : null;
    ctx.type = 'text/html; charset=utf-8';
    if (keep) {
      // The page now shows one citizen's topics: not for shared caches, and the token must not leak onward.
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Referrer-Policy', 'no-referrer');
    }
    // Towns embed this page in an iframe on their own site; the default SAMEORIGIN would block that.
    ctx.remove('X-Frame-Options');
    ctx.set('Content-Security-Policy', `default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors ${config.signup.frameAncestors}`);
    const here = (code: Language) => `${prefix}/signup?lang=${code}${keep ? `&keep=${encodeURIComponent(keep)}` : ''}`;
    ctx.body = renderSignupPage({
      locale,
      languages: config.languages.map((code) => ({ code, name: LANGUAGE_NAMES[code].own, href: here(code) })),
      ...(keep && kept ? { languageLink: `${prefix}/subscriptions/language?token=${encodeURIComponent(keep)}&lang=${locale}` } : {}),
      ...(manage ? { manage } : {}),
      town: { name: config.town.name, kind: config.town.kind },
      intro: config.signup.intro[locale],
      topics: topics.map((topic) => ({ ...topic, checked: kept?.includes(topic.slug) ?? false })),
      villages: config.town.villages.map((village) => ({ ...village, checked: keptVillages?.includes(village.slug) ?? false })),
      consent: { version: config.consent.current, text: consent?.text ?? '', privacyPolicyUrl: consent?.privacyPolicyUrl ?? '' },
      channels: getService(strapi, 'runtime')
        .channels()
        .enabled()
        // Only channels signed up for with this form: the town's Mastodon and Bluesky accounts and its own
        // Fediverse address are followed in the citizen's app instead.
        .filter((channel) => (SIGNUP_CHANNEL_IDS as readonly string[]).includes(channel.id))
        .map((channel) => ({ id: channel.id, label: channel.id === 'webpush' ? WEBPUSH_LABEL[locale] : (CHANNEL_LABELS[channel.id] ?? channel.id) })),
      scriptUrl: `${prefix}/signup.js`,
      apiUrl: `${prefix}/subscriptions`,
      ...(webpush
        ? {
            webpush: {
              // Sandbox mode without keys: the page still works, the browser gets a placeholder key it never uses for real sends.
              publicKey: webpush.vapid?.publicKey ?? sandboxKey(),
              serviceWorkerUrl: `${prefix}/signup/sw.js`,
              scope: `${prefix}/`,
              manifestUrl: `${prefix}/signup/manifest.webmanifest${locale === config.defaultLocale ? '' : `?lang=${locale}`}`,
              unsubscribeUrl: `${prefix}/webpush/unsubscribe`,
            },
          }
        : {}),
    });
  },

  /** The Web Push service worker; allowed to control the whole plugin path, the sign-up page included. */
  async serviceWorker(ctx: Context) {
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('Service-Worker-Allowed', `${strapi.config.get('api.rest.prefix', '/api')}/town-crier/`);
    ctx.body = SERVICE_WORKER_SCRIPT;
  },

  async manifest(ctx: Context) {
    const config = getService(strapi, 'runtime').config();
    const locale = pageLanguage(config, ctx.query.lang);
    const prefix = `${strapi.config.get('api.rest.prefix', '/api')}/town-crier`;
    ctx.type = 'application/manifest+json; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = webAppManifest({
      name: MANIFEST_NAME[locale](ofTown(config.town, locale)),
      shortName: config.town.name,
      startUrl: `${prefix}/signup${locale === config.defaultLocale ? '' : `?lang=${locale}`}`,
      scope: `${prefix}/`,
      icon: config.channels.webpush.icon ?? null,
      locale,
    });
  },

  async script(ctx: Context) {
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = SIGNUP_SCRIPT;
  },
});
