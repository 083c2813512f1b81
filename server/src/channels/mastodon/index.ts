import { createProviderClient } from '../http-client';
import type { MastodonConfig } from './mastodon.config';
import type { Channel, OutboundMessage, SandboxRecorder, SendResult } from '../channel';
import { AccountPayloadError } from '../account-post';
import { classifyAccountError } from '../account-errors';
import { classifyMastodonError, toMastodonSendError } from './mastodon.errors';
import { DEFAULT_MASTODON_LIMITS, buildStatus, type MastodonLimits } from './mastodon.status';

export { classifyMastodonError } from './mastodon.errors';
export { buildStatus, mastodonLength, DEFAULT_MASTODON_LIMITS } from './mastodon.status';

export interface MastodonChannelOptions {
  config: MastodonConfig;
  sandboxRecorder: SandboxRecorder;
  sandbox: boolean;
  /** The account's address, as the system subscriber row carries it. */
  account: string;
}

/** How long the server's limits are trusted before `/api/v2/instance` is asked again. */
const LIMITS_TTL_MS = 60 * 60 * 1000;

/**
 * The town's Mastodon account: one status per broadcast (`POST /api/v1/statuses`). The
 * `Idempotency-Key` is our delivery's own key, so a retry after a timeout or a crash gets the
 * status Mastodon already made instead of a second one (Mastodon keeps keys for an hour; the
 * pipeline's wait after a crash is seconds). Follow-ups answer the thread with `in_reply_to_id`.
 */
export function createMastodonChannel({ config, sandboxRecorder, sandbox, account }: MastodonChannelOptions): Channel {
  const secrets = [config.accessToken].filter(Boolean);
  const classifyError = classifyAccountError((error) => classifyMastodonError(error, secrets));
  const common = { id: 'mastodon' as const, messagesPerSecond: config.messagesPerSecond, dailyRecipientLimit: null, classifyError };
  const statusOf = (message: OutboundMessage, limits: MastodonLimits) => {
    if (message.kind !== 'announcement') throw new AccountPayloadError('Mastodon posts news only; nobody signs up for this channel here');
    return buildStatus(message, { limits, visibility: config.visibility, hashtags: config.hashtags });
  };

  if (sandbox) {
    return {
      ...common,
      mode: 'sandbox',
      async send(message) {
        return { providerMessageId: await sandboxRecorder({ channel: 'mastodon', to: account, body: statusOf(message, DEFAULT_MASTODON_LIMITS) }) };
      },
    };
  }

  const provider = createProviderClient({ baseUrl: config.baseUrl.replace(/\/$/, ''), timeoutMs: config.requestTimeoutMs, headers: { Authorization: `Bearer ${config.accessToken}` } });
  let limits: { value: MastodonLimits; until: number } | null = null;

  /** The server's own status length and link weight; Mastodon's defaults when it does not answer. */
  const currentLimits = async (): Promise<MastodonLimits> => {
    if (limits && limits.until > Date.now()) return limits.value;
    try {
      const { data } = await provider.client.get<{ configuration?: { statuses?: { max_characters?: unknown; characters_reserved_per_url?: unknown } } }>('/api/v2/instance');
      const statuses = data?.configuration?.statuses;
      const value = {
        maxCharacters: typeof statuses?.max_characters === 'number' && statuses.max_characters > 0 ? statuses.max_characters : DEFAULT_MASTODON_LIMITS.maxCharacters,
        charactersReservedPerUrl: typeof statuses?.characters_reserved_per_url === 'number' ? statuses.characters_reserved_per_url : DEFAULT_MASTODON_LIMITS.charactersReservedPerUrl,
      };
      limits = { value, until: Date.now() + LIMITS_TTL_MS };
      return value;
    } catch {
      // Posting must not depend on this read: the default limit is the smallest common one. Kept like an answer, so
      // a server without v2 instance (or a slow one) is not asked again before every post.
      limits = { value: DEFAULT_MASTODON_LIMITS, until: Date.now() + LIMITS_TTL_MS };
      return DEFAULT_MASTODON_LIMITS;
    }
  };

  return {
    ...common,
    mode: 'live',
    async send(message: OutboundMessage): Promise<SendResult> {
      const params = statusOf(message, await currentLimits());
      const key = message.kind === 'announcement' ? message.idempotencyKey : undefined;
      const response = await provider.client
        .post<{ id?: unknown }>('/api/v1/statuses', params, { headers: key ? { 'Idempotency-Key': key } : {} })
        .catch((error: unknown) => {
          throw toMastodonSendError(error, secrets);
        });
      const id = response.data?.id;
      if (typeof id !== 'string' && typeof id !== 'number') throw new Error('Mastodon answered without a status id');
      return { providerMessageId: String(id) };
    },
    async close() {
      provider.close();
    },
  };
}
