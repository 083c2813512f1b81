import type { Core } from '@strapi/strapi';
import { reachWindowKey, reachWindowMs } from '../delivery/reach';
import { CHANNEL_PROBLEMS, UID, type ChannelId, type ChannelProblem, type ChannelProblemCode } from '../constants';
import { getService } from '../utils/get-service';
import { DAY_MS } from '../utils/time';
import { maybeRowOf } from '../database/row';
import { runReasonOf } from '../dispatch/run.rows';
import type { Channel } from './channel';
import { CHANNEL_CREDENTIALS } from './credentials';
import { proxyTrustsClientAddress } from '../http/proxy-check';
import { isAccountChannel } from '../../../shared/contracts/channels';

/** What each channel's config must hold to send and to verify webhooks, and the template names it uses. */
interface ChannelSettings {
  enabled?: boolean;
  sandbox?: boolean;
  accessToken?: string;
  botToken?: string;
  botUsername?: string;
  webhookSecret?: string;
  from?: string;
  vapid?: unknown;
  appPassword?: string;
  phoneNumberId?: string;
  appSecret?: string;
  verifyToken?: string;
  messagesPerSecond?: number;
  dailyRecipientLimit?: number | null;
  templates?: Record<string, { name?: string } | undefined>;
}

function missingSettings(id: string, settings: ChannelSettings): ChannelProblem[] {
  const problems: ChannelProblem[] = [];
  if (id === 'whatsapp') {
    if (!settings.phoneNumberId) problems.push({ code: 'no-phone-number-id' });
    if (!settings.appSecret) problems.push({ code: 'no-app-secret' });
    if (!settings.verifyToken) problems.push({ code: 'no-verify-token' });
  }
  if (id === 'telegram') {
    if (!settings.botUsername) problems.push({ code: 'no-bot-username' });
    if (!settings.webhookSecret) problems.push({ code: 'no-webhook-secret' });
  }
  return problems;
}

const problem = (code: ChannelProblemCode, values?: Record<string, string>): ChannelProblem => (values ? { code, values } : { code });

/** The English sentence for a problem, as `problems` has always carried it. */
export function problemText({ code, values }: ChannelProblem): string {
  const credentialWords: Record<string, string> = Object.fromEntries(Object.values(CHANNEL_CREDENTIALS).map(({ key, label }) => [key, label]));
  return CHANNEL_PROBLEMS[code].replace(/\{(\w+)\}/g, (_, name: string) => (name === 'credential' ? (credentialWords[values?.[name] ?? ''] ?? '') : (values?.[name] ?? '')));
}

/**
 * The channel status page: is each channel configured, when did its last webhook arrive (and
 * pass the signature check), how much of the daily reach limit the last 24 hours used, and
 * what is wrong, in words. Never a token or secret: only whether one is set.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');

  /**
   * The error that stopped the channel, from its own runs: the announcement's derived reason may
   * be another channel's (the first run's reason wins there), which would hide this one.
   */
  const pausedReason = async (channelId: string): Promise<string | null> => {
    const prefix = `channel-error:${channelId}:`;
    const row = maybeRowOf(
      await strapi.db.query(UID.run).findOne({
        where: { channel: channelId, state: 'paused', reason: { $startsWith: prefix } },
        orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
        select: ['announcementDocumentId', 'reason'],
      }),
      runReasonOf
    );
    return row?.reason ? row.reason.slice(prefix.length) : null;
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
      channel && limit ? runtime().limits().windowSize(reachWindowKey(id), reachWindowMs(runtime().config()), now).catch(() => 0) : Promise.resolve(0),
      webhookEvents.lastWebhookAt(id, 'received'),
      webhookEvents.lastWebhookAt(id, 'verified'),
      channel ? queue.isPaused(id).catch(() => false) : Promise.resolve(false),
    ]);

    const issues: ChannelProblem[] = [];
    // A channel the town chose not to use is listed (enabled: false) but is nothing to fix.
    if (enabled && mode === 'sandbox') issues.push(hasCredential ? problem('sandbox-switched-on') : problem('sandbox-no-credential', { credential: credential.key }));
    // In sandbox mode nothing is sent or received, so missing credentials are expected, not a fault.
    if (enabled && mode === 'live') issues.push(...missing);
    if (paused) {
      const code = await pausedReason(id);
      issues.push(problem('channel-paused', { detail: code ? `error ${code}` : 'stopped by an error', ...(code ? { errorCode: code } : {}) }));
      // Mastodon and Bluesky: a refused token or app password is the town's to renew; say which, in words.
      if (code && isAccountChannel(id) && ['401', '403'].includes(code)) issues.push(problem('account-credential-rejected', { credential: credential.key, detail: code }));
    }
    if (enabled && hasWebhooks && mode === 'live' && (!lastVerifiedWebhookAt || now - lastVerifiedWebhookAt.getTime() > DAY_MS)) issues.push(problem('no-verified-webhook'));
    // A good webhook is stamped "verified" just after "received"; a later "received" was refused.
    if (lastWebhookAt && (!lastVerifiedWebhookAt || lastVerifiedWebhookAt.getTime() < lastWebhookAt.getTime())) {
      issues.push(problem('webhook-signature-failed'));
    }
    if (limit && usedLast24h >= limit) issues.push(problem('daily-limit-used-up'));

    const templates = Object.fromEntries(
      Object.entries(settings.templates ?? {})
        .filter(([, template]) => template?.name)
        .map(([kind, template]) => [kind, template!.name as string])
    );
    // WhatsApp: templates, tier and API version as Meta has them, with problems in German and English.
    const meta = id === 'whatsapp' && enabled ? await getService(strapi, 'whatsapp-account').status(now) : null;
    // Reading the account from Meta is optional: its absence is a hint in `whatsapp.problems`, not a fault.
    // The account's problems carry their own German and English words (shown in the WhatsApp panel);
    // here they join the English sentences for logs.
    const accountProblems = meta && mode === 'live' ? meta.problems.filter((problem) => problem.code !== 'no-business-account').map((problem) => problem.message.en) : [];
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
      // `issues` are the same problems as codes, for the admin to word in its language.
      issues,
      problems: [...issues.map(problemText), ...accountProblems],
      ...(meta ? { whatsapp: meta } : {}),
    };
  };

  return {
    async list(now = Date.now()) {
      const configured = runtime().config().channels as Record<string, ChannelSettings>;
      const registry = runtime().channels();
      const ids = [...new Set([...Object.keys(configured), ...registry.enabled().map((channel) => channel.id as string)])];
      const redisUp = await runtime().queue().ping();
      // Site-wide problems, shown on every channel: each one affects them all.
      const siteWide = [...(redisUp ? [] : [problem('redis-unreachable')]), ...(proxyTrustsClientAddress(strapi) ? [problem('proxy-without-max-ips')] : [])];
      const rows = [];
      for (const id of ids) {
        const row = await statusOf(id, configured[id] ?? {}, registry.find(id), now);
        for (const issue of siteWide) {
          row.issues.push(issue);
          row.problems.push(problemText(issue));
        }
        rows.push(row);
      }
      return rows;
    },
  };
};
