import type { ChannelId } from '../constants';

export type CredentialKey = 'accessToken' | 'botToken' | 'from' | 'vapid' | 'appPassword' | 'enabled';

/**
 * The one setting without which each channel cannot reach anybody: missing, the channel runs in
 * sandbox mode. The registry decides the mode by it; the channel status page names it.
 */
export const CHANNEL_CREDENTIALS: Record<ChannelId, { key: CredentialKey; label: string }> = {
  whatsapp: { key: 'accessToken', label: 'access token' },
  telegram: { key: 'botToken', label: 'bot token' },
  email: { key: 'from', label: 'sender address (from)' },
  webpush: { key: 'vapid', label: 'VAPID keys' },
  // The town's own actor needs nobody's credential: its key pair is made at first start.
  activitypub: { key: 'enabled', label: 'enabled' },
  mastodon: { key: 'accessToken', label: 'access token' },
  bluesky: { key: 'appPassword', label: 'app password' },
};
