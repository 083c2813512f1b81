/** The channels and what the channel status page can report about them, for the server and the admin. */
export const CHANNEL_IDS = ['whatsapp', 'email', 'telegram', 'webpush', 'activitypub', 'mastodon', 'bluesky'] as const;
export type ChannelId = (typeof CHANNEL_IDS)[number];
/** Channels a citizen signs up for on the sign-up page; Fediverse followers come by a `Follow` to the town's actor instead. */
export const SIGNUP_CHANNEL_IDS = ['whatsapp', 'email', 'telegram', 'webpush'] as const satisfies readonly ChannelId[];

/**
 * Account channels post once per broadcast to the town's own account (citizens follow the
 * account in their app; nobody signs up for them here). The pipeline sends to one system
 * subscriber row per channel (docs/architecture.md, "Account channels").
 */
export const ACCOUNT_CHANNEL_IDS = ['mastodon', 'bluesky'] as const satisfies readonly ChannelId[];
export type AccountChannelId = (typeof ACCOUNT_CHANNEL_IDS)[number];
export const isAccountChannel = (channel: string): channel is AccountChannelId => (ACCOUNT_CHANNEL_IDS as readonly string[]).includes(channel);
/** The channels a citizen signs up for with an address (and the admin's test send uses): neither account channels nor Fediverse followers. */
export const SUBSCRIBABLE_CHANNEL_IDS = SIGNUP_CHANNEL_IDS;

/**
 * What the channel status page can report about a channel, with the English wording the API
 * sends in `problems` (for logs and scripts). The admin shows each code in the admin's language
 * (admin/src/hooks/useProblemLabel.ts); a unit test fails when a code has no words there.
 */
export const CHANNEL_PROBLEMS = {
  'sandbox-switched-on': 'sandbox mode switched on: nothing is sent',
  'sandbox-no-credential': 'no {credential}: sandbox mode',
  'no-phone-number-id': 'no phone number id',
  'no-app-secret': 'no app secret: webhook signatures cannot be checked, every webhook is refused',
  'no-verify-token': 'no verify token: Meta cannot subscribe the webhook',
  'no-bot-username': 'no bot username: the sign-up cannot offer a t.me link',
  'no-webhook-secret': 'no webhook secret: every webhook is refused',
  'channel-paused': 'channel paused: {detail}',
  'no-verified-webhook': 'no verified webhook in 24 h',
  'webhook-signature-failed': 'the last webhook failed the signature check: is the app secret right?',
  'daily-limit-used-up': 'daily reach limit used up: broadcasts wait until slots free up',
  'redis-unreachable': 'Redis unreachable: nothing is queued or sent',
  'account-credential-rejected': 'the account refused the {credential} ({detail}): create a new one, enter it, then resume',
  'proxy-without-max-ips': 'server.proxy.koa is on without maxIpsCount: clients choose their own address (per-IP limits, consent ledger); set maxIpsCount: 1',
} as const;
export type ChannelProblemCode = keyof typeof CHANNEL_PROBLEMS;
export const CHANNEL_PROBLEM_CODES = Object.keys(CHANNEL_PROBLEMS) as ChannelProblemCode[];
export interface ChannelProblem {
  code: ChannelProblemCode;
  /** Placeholders of the wording: `credential` is a settings key (accessToken, botToken, from), `detail` an error code. */
  values?: Record<string, string>;
}
