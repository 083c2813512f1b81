import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, UID } from '../constants';
import { ACCOUNT_CHANNEL_IDS, type AccountChannelId } from '../../../shared/contracts/channels';
import type { PluginConfig } from '../config/schema';
import { subscriberReads } from './subscriber.rows';

/** `source` of the one subscriber row per account channel: the town's own account, not a citizen. */
export const ACCOUNT_SOURCE = 'account-channel';

/** The address an account channel's row carries: the account, for the admin and the sandbox phone. */
export function accountAddress(channel: AccountChannelId, config: PluginConfig): string {
  if (channel === 'mastodon') {
    const mastodon = config.channels.mastodon;
    return mastodon.account || `@${config.town.name.toLowerCase().replace(/[^a-z0-9]+/g, '')}@${new URL(mastodon.baseUrl).host}`;
  }
  return config.channels.bluesky.identifier || 'bluesky';
}

/**
 * Account channels (Mastodon, Bluesky) post once per broadcast, to the town's account. They go
 * through the same pipeline as everyone else's news: one delivery row per broadcast, whose
 * recipient is this one system subscriber row (active, all topics, the whole town). The row is
 * what makes the post exactly-once: the delivery is unique per (announcement, subscriber,
 * channel), claimed before the request, and recovered after a crash like any other. Created at
 * startup for each enabled account channel; the address follows the config. No confirmation
 * date (the growth statistics count confirmations), left out of the subscriber statistics, and
 * never offered on the sign-up page.
 */
export async function ensureAccountSubscribers(strapi: Core.Strapi, config: PluginConfig): Promise<void> {
  const query = strapi.db.query(UID.subscriber);
  for (const channel of ACCOUNT_CHANNEL_IDS) {
    if (!config.channels[channel].enabled) continue;
    const address = accountAddress(channel, config);
    const found = await subscriberReads(strapi).pickOne(['id', 'address', 'status'], { where: { channel, source: ACCOUNT_SOURCE } });
    if (!found) {
      await query.create({ data: { channel, address, status: 'active', source: ACCOUNT_SOURCE, locale: config.defaultLocale } });
      strapi.log.info(`[${PLUGIN_ID}] ${channel}: posts go to the town's account ${address}`);
    } else if (found.address !== address || found.status !== 'active') {
      await query.update({ where: { id: found.id }, data: { address, status: 'active' } });
    }
  }
}
