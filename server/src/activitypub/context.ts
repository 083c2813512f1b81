import type { Core } from '@strapi/strapi';
import type { PluginConfig } from '../config/schema';
import { actorUrls, type ActorUrls } from '../channels/activitypub/documents';
import { pluginApiUrl } from '../http/public-links';

export interface ActorIdentity {
  urls: ActorUrls;
  username: string;
  /** The handle's domain: `@news@<domain>`. */
  domain: string;
  name: string;
  summary: string;
  websiteUrl: string;
}

/** The actor's name as followers see it: `@<username>@<domain>` and the display name. */
export function actorHandle(config: PluginConfig): Pick<ActorIdentity, 'username' | 'domain' | 'name'> {
  const settings = config.channels.activitypub;
  return { username: settings.username, domain: settings.domain || new URL(config.publicUrl).host, name: settings.displayName || config.town.name };
}

/** The actor's names and URLs, from the plugin's config and the host's REST prefix. */
export function actorIdentity(strapi: Core.Strapi, config: PluginConfig): ActorIdentity {
  return {
    urls: actorUrls(pluginApiUrl(strapi, config.publicUrl, 'activitypub')),
    ...actorHandle(config),
    summary: config.channels.activitypub.summary,
    websiteUrl: config.publicUrl,
  };
}
