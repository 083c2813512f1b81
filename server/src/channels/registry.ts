import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import type { PluginConfig } from '../config/schema';
import { PLUGIN_ID, UID, type ChannelId } from '../constants';
import type { Channel, ChannelLinks, ChannelLogger, OutboundMessage, SandboxRecorder } from './channel';
import type { Pace } from './pacing';
import { CHANNEL_CREDENTIALS, type CredentialKey } from './credentials';
import { publicLinks } from '../http/public-links';
import { entryOrNull } from '../database/row';
import { createEmailChannel, type MailOptions } from './email';
import { createTelegramChannel } from './telegram';
import { createWhatsappChannel } from './whatsapp';
import { createWebpushChannel, parsePushSubscription } from './webpush';
import { createActivitypubChannel } from './activitypub';
import type { Limits } from '../queue/limits';
import type { Federation } from '../activitypub/federation';
import { createMastodonChannel } from './mastodon';
import { createBlueskyChannel } from './bluesky';
import { accountAddress } from '../subscribers/account-subscribers';

export interface ChannelRegistry {
  get(id: ChannelId): Channel;
  find(id: string): Channel | undefined;
  enabled(): Channel[];
  close(): Promise<void>;
}

/**
 * Builds the enabled channel adapters from config. A channel with no credentials runs in
 * sandbox mode, which production refuses unless it was asked for explicitly: a forgotten
 * token must never look like a working broadcast.
 */
export function createChannelRegistry({
  strapi,
  config,
  pace,
  limits,
  federation,
}: {
  strapi: Core.Strapi;
  config: PluginConfig;
  pace?: Pace;
  /** Shared-inbox claims of the ActivityPub channel. */
  limits?: () => Limits;
  federation?: () => Federation;
}): ChannelRegistry {
  const channels = new Map<ChannelId, Channel>();
  /**
   * Every live send waits for its turn under the channel's messages per second, whoever sends
   * (a broadcast, a confirmation, a reply, an editor's test). Sandboxed sends leave nothing to pace.
   */
  const register = (channel: Channel) => {
    const paced: Channel =
      pace && channel.mode === 'live'
        ? // The adapter stays the prototype, so its live getters (WhatsApp's daily limit) keep working.
          Object.assign<Channel, Pick<Channel, 'send'>>(Object.create(channel), {
            async send(message: OutboundMessage) {
              await pace(channel.id, channel.messagesPerSecond);
              return channel.send(message);
            },
          })
        : channel;
    channels.set(channel.id, paced);
  };
  const log: ChannelLogger = {
    info: (message) => strapi.log.info(`[${PLUGIN_ID}] ${message}`),
    warn: (message) => strapi.log.warn(`[${PLUGIN_ID}] ${message}`),
    error: (message) => strapi.log.error(`[${PLUGIN_ID}] ${message}`),
  };
  const sandboxRecorder: SandboxRecorder = async ({ channel, to, body }) => {
    const providerMessageId = `sandbox.${randomUUID()}`;
    await strapi.db.query(UID.outboxMessage).create({ data: { channel, toAddress: to, providerMessageId, body } });
    return providerMessageId;
  };

  /**
   * One rule for every channel: missing credentials mean sandbox, which production refuses
   * unless `sandbox: true` says it is meant.
   */
  const sandboxMode = (label: string, id: ChannelId, settings: { sandbox?: boolean } & Partial<Record<CredentialKey, unknown>>) => {
    const credential = CHANNEL_CREDENTIALS[id].key;
    const explicit = settings.sandbox;
    const sandbox = explicit ?? !settings[credential];
    if (sandbox && explicit !== true && process.env.NODE_ENV === 'production') {
      throw new Error(
        `${PLUGIN_ID}: ${label} has no ${credential} and NODE_ENV is production. Set channels.${id}.${credential}, or set channels.${id}.sandbox: true to run without sending anything.`
      );
    }
    if (sandbox) strapi.log.warn(`[${PLUGIN_ID}] ${label} runs in SANDBOX mode: nothing is sent; messages are recorded in the sandbox outbox.`);
    return sandbox;
  };

  const links: ChannelLinks = publicLinks(strapi, config);

  const whatsapp = config.channels.whatsapp;
  if (whatsapp.enabled) {
    const sandbox = sandboxMode('WhatsApp', 'whatsapp', whatsapp);
    register(createWhatsappChannel({ config: whatsapp, log, sandboxRecorder, sandbox }));
  }

  const email = config.channels.email;
  if (email.enabled) {
    const sandbox = sandboxMode('E-mail', 'email', email);
    if (!sandbox && !strapi.plugin('email')) {
      throw new Error(`${PLUGIN_ID}: channels.email is enabled but Strapi's email plugin is not loaded.`);
    }
    const sendMail = (options: MailOptions) => (strapi.plugin('email').service('email') as { send(options: MailOptions): Promise<unknown> }).send(options);
    register(createEmailChannel({ config: email, townName: config.town.name, links, sandboxRecorder, sandbox, sendMail }));
  }

  const telegram = config.channels.telegram;
  if (telegram.enabled) {
    const sandbox = sandboxMode('Telegram', 'telegram', telegram);
    if (!telegram.botUsername) strapi.log.warn(`[${PLUGIN_ID}] channels.telegram.botUsername is empty: sign-ups get no t.me link.`);
    if (!sandbox && !telegram.webhookSecret) {
      strapi.log.error(`[${PLUGIN_ID}] channels.telegram.webhookSecret is empty: every Telegram webhook is rejected (401), so nobody can confirm.`);
    }
    register(createTelegramChannel({ config: telegram, sandboxRecorder, sandbox }));
  }

  const push = config.channels.webpush;
  if (push.enabled) {
    const sandbox = sandboxMode('Web Push', 'webpush', push);
    const subscriptionOf = async (address: string) => {
      const row = entryOrNull(await strapi.db.query(UID.subscriber).findOne({ where: { channel: 'webpush', address }, select: ['pushSubscription'] }));
      // Parsed by the adapter's own reader (webpush.subscription.ts), whatever the JSON column holds.
      return parsePushSubscription(row?.pushSubscription);
    };
    register(createWebpushChannel({ config: push, links, sandboxRecorder, sandbox, subscriptionOf }));
  }

  const activitypub = config.channels.activitypub;
  if (activitypub.enabled) {
    if (!limits || !federation) throw new Error(`${PLUGIN_ID}: channels.activitypub needs the runtime's limits and federation`);
    const sandbox = sandboxMode('ActivityPub', 'activitypub', activitypub);
    register(
      createActivitypubChannel({
        config: activitypub,
        urls: federation().identity().urls,
        client: federation().client(),
        limits,
        followerOf: (actorUri) => federation().endpointsOf(actorUri),
        sandboxRecorder,
        sandbox,
      })
    );
  }

  const mastodon = config.channels.mastodon;
  if (mastodon.enabled) {
    const sandbox = sandboxMode('Mastodon', 'mastodon', mastodon);
    register(createMastodonChannel({ config: mastodon, sandboxRecorder, sandbox, account: accountAddress('mastodon', config) }));
  }

  const bluesky = config.channels.bluesky;
  if (bluesky.enabled) {
    const sandbox = sandboxMode('Bluesky', 'bluesky', bluesky);
    if (!sandbox && !bluesky.identifier) throw new Error(`${PLUGIN_ID}: channels.bluesky.identifier is empty: set the account's handle (e.g. musterstadt.bsky.social).`);
    register(createBlueskyChannel({ config: bluesky, sandboxRecorder, sandbox }));
  }

  return {
    get(id) {
      const channel = channels.get(id);
      if (!channel) throw new Error(`${PLUGIN_ID}: channel ${id} is not enabled`);
      return channel;
    },
    find(id) {
      return channels.get(id as ChannelId);
    },
    enabled() {
      return [...channels.values()];
    },
    async close() {
      for (const channel of channels.values()) await channel.close?.();
      channels.clear();
    },
  };
}
