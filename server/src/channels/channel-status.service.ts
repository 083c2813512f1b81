import type { Core } from '@strapi/strapi';
import { reachWindowKey, reachWindowMs } from '../delivery/reach';
import { UID, type ChannelId } from '../constants';
import { getService } from '../utils/get-service';
import { DAY_MS } from '../utils/time';
import type { Channel } from './channel';
import { CHANNEL_CREDENTIALS } from './credentials';

/** What each channel's config must hold to send and to verify webhooks, and the template names it uses. */
interface ChannelSettings {
  enabled?: boolean;
  sandbox?: boolean;
  accessToken?: string;
  botToken?: string;
  botUsername?: string;
  webhookSecret?: string;
  from?: string;
  phoneNumberId?: string;
  appSecret?: string;
  verifyToken?: string;
  messagesPerSecond?: number;
  dailyRecipientLimit?: number | null;
  templates?: Record<string, { name?: string } | undefined>;
}

function missingSettings(id: string, settings: ChannelSettings): string[] {
  const problems: string[] = [];
  if (id === 'whatsapp') {
    if (!settings.phoneNumberId) problems.push('no phone number id');
    if (!settings.appSecret) problems.push('no app secret: webhook signatures cannot be checked, every webhook is refused');
    if (!settings.verifyToken) problems.push('no verify token: Meta cannot subscribe the webhook');
  }
  if (id === 'telegram') {
    if (!settings.botUsername) problems.push('no bot username: the sign-up cannot offer a t.me link');
    if (!settings.webhookSecret) problems.push('no webhook secret: every webhook is refused');
  }
  return problems;
}

/**
 * The channel status page: is each channel configured, when did its last webhook arrive (and
 * pass the signature check), how much of the daily reach limit the last 24 hours used, and
 * what is wrong, in words. Never a token or secret: only whether one is set.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');

  const pausedReason = async (channelId: string): Promise<string | null> => {
    const row = (await strapi.db.query(UID.announcement).findOne({
      where: { statusReason: { $startsWith: `channel-error:${channelId}:` }, publishedAt: { $notNull: true } },
      orderBy: { updatedAt: 'desc' },
      select: ['statusReason'],
    })) as { statusReason: string } | null;
    return row ? `error ${row.statusReason.split(':').slice(2).join(':')}` : null;
  };

  const statusOf = async (id: string, settings: ChannelSettings, channel: Channel | undefined, now: number) => {
    const queue = runtime().queue();
    const webhookEvents = getService(strapi, 'webhook-events');
    const enabled = Boolean(channel);
    const credential = CHANNEL_CREDENTIALS[id as ChannelId] ?? CHANNEL_CREDENTIALS.whatsapp;
    const hasCredential = Boolean(settings[credential.key]);
    const mode: 'live' | 'sandbox' = channel?.mode ?? (settings.sandbox || !hasCredential ? 'sandbox' : 'live');
    const missing = missingSettings(id, settings);
    const configured = hasCredential && missing.length === 0;
    // E-mail has no provider webhooks: "no webhook yet" is no problem there.
    const hasWebhooks = channel ? Boolean(channel.webhook) : id !== 'email';
    const limit = channel ? channel.dailyRecipientLimit : (settings.dailyRecipientLimit ?? null);
    const [usedLast24h, lastWebhookAt, lastVerifiedWebhookAt, paused] = await Promise.all([
      channel && limit ? queue.windowSize(reachWindowKey(id), reachWindowMs(runtime().config()), now).catch(() => 0) : Promise.resolve(0),
      webhookEvents.lastWebhookAt(id, 'received'),
      webhookEvents.lastWebhookAt(id, 'verified'),
      channel ? queue.isPaused(id).catch(() => false) : Promise.resolve(false),
    ]);

    const problems: string[] = [];
    // A channel the town chose not to use is listed (enabled: false) but is nothing to fix.
    if (enabled && mode === 'sandbox') problems.push(hasCredential ? 'sandbox mode switched on: nothing is sent' : `no ${credential.label}: sandbox mode`);
    // In sandbox mode nothing is sent or received, so missing credentials are expected, not a fault.
    if (enabled && mode === 'live') problems.push(...missing);
    if (paused) problems.push(`channel paused: ${(await pausedReason(id)) ?? 'stopped by an error'}`);
    if (enabled && hasWebhooks && mode === 'live' && (!lastVerifiedWebhookAt || now - lastVerifiedWebhookAt.getTime() > DAY_MS)) problems.push('no verified webhook in 24 h');
    // A good webhook is stamped "verified" just after "received"; a later "received" was refused.
    if (lastWebhookAt && (!lastVerifiedWebhookAt || lastVerifiedWebhookAt.getTime() < lastWebhookAt.getTime())) {
      problems.push('the last webhook failed the signature check: is the app secret right?');
    }
    if (limit && usedLast24h >= limit) problems.push('daily reach limit used up: broadcasts wait until slots free up');

    const templates = Object.fromEntries(
      Object.entries(settings.templates ?? {})
        .filter(([, template]) => template?.name)
        .map(([kind, template]) => [kind, template!.name as string])
    );
    return {
      id,
      enabled,
      mode,
      configured,
      templates,
      messagesPerSecond: channel?.messagesPerSecond ?? settings.messagesPerSecond ?? null,
      dailyRecipientLimit: limit ?? null,
      usedLast24h,
      lastWebhookAt: lastWebhookAt?.toISOString() ?? null,
      lastVerifiedWebhookAt: lastVerifiedWebhookAt?.toISOString() ?? null,
      problems,
    };
  };

  return {
    async list(now = Date.now()) {
      const configured = runtime().config().channels as Record<string, ChannelSettings>;
      const registry = runtime().channels();
      const ids = [...new Set([...Object.keys(configured), ...registry.enabled().map((channel) => channel.id as string)])];
      const redisUp = await runtime().queue().ping();
      const rows = [];
      for (const id of ids) {
        const row = await statusOf(id, configured[id] ?? {}, registry.find(id), now);
        if (!redisUp) row.problems.push('Redis unreachable: nothing is queued or sent');
        rows.push(row);
      }
      return rows;
    },
  };
};
