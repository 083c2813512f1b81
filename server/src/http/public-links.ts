import type { Core } from '@strapi/strapi';
import type { ChannelLinks } from '../channels/channel';
import { PLUGIN_ID } from '../constants';

/**
 * The one place a public link of the plugin is made: `publicUrl`, then Strapi's REST prefix
 * (`api.rest.prefix`, `/api` unless the site moved it), then the plugin's route. Read when a
 * link is made, not at startup: the prefix is the host's config like any other.
 */
export function pluginApiUrl(strapi: Core.Strapi, publicUrl: string, path: string): string {
  return `${publicUrl.replace(/\/$/, '')}${strapi.config.get('api.rest.prefix', '/api')}/${PLUGIN_ID}/${path.replace(/^\//, '')}`;
}

/** Absolute links of the citizen pages, for messages and the feed. */
export function publicLinks(strapi: Core.Strapi, config: { publicUrl: string; languages: readonly string[] }): ChannelLinks {
  const url = (path: string) => pluginApiUrl(strapi, config.publicUrl, path);
  const lang = (locale: string | undefined, first: '?' | '&') => (locale ? `${first}lang=${locale}` : '');
  return {
    confirm: (token, locale) => `${url('subscriptions/confirm')}?token=${encodeURIComponent(token)}${lang(locale, '&')}`,
    unsubscribe: (token, locale) => `${url('subscriptions/unsubscribe')}?token=${encodeURIComponent(token)}${lang(locale, '&')}`,
    signup: (locale) => `${url('signup')}${lang(locale, '?')}`,
    manage: (token, locale) => `${url('signup')}?keep=${encodeURIComponent(token)}${lang(locale, '&')}`,
    language: (token, locale) => (config.languages.length > 1 ? `${url('subscriptions/language')}?token=${encodeURIComponent(token)}${lang(locale, '&')}` : null),
  };
}
