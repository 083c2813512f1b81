import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import type { PluginConfig } from '../config/schema';
import { PLUGIN_ID, UID, type ChannelId } from '../constants';
import type { Channel, ChannelLogger, SandboxRecorder } from './channel';
import { createWhatsappChannel } from './whatsapp';

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
export function createChannelRegistry({ strapi, config }: { strapi: Core.Strapi; config: PluginConfig }): ChannelRegistry {
  const channels = new Map<ChannelId, Channel>();
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

  const whatsapp = config.channels.whatsapp;
  if (whatsapp.enabled) {
    const sandbox = whatsapp.sandbox ?? !whatsapp.accessToken;
    if (sandbox && whatsapp.sandbox !== true && process.env.NODE_ENV === 'production') {
      throw new Error(
        `${PLUGIN_ID}: WhatsApp has no access token and NODE_ENV is production. Set channels.whatsapp.accessToken, or set channels.whatsapp.sandbox: true to run without sending anything.`
      );
    }
    if (sandbox) {
      strapi.log.warn(`[${PLUGIN_ID}] WhatsApp runs in SANDBOX mode: nothing is sent; messages are recorded in the admin's sandbox phone.`);
    }
    channels.set('whatsapp', createWhatsappChannel({ config: whatsapp, log, sandboxRecorder, sandbox }));
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
