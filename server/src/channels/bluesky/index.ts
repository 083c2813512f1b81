import { createProviderClient } from '../http-client';
import type { BlueskyConfig } from './bluesky.config';
import type { Channel, OutboundMessage, SandboxRecorder, SendResult } from '../channel';
import { AccountPayloadError } from '../account-post';
import { classifyAccountError } from '../account-errors';
import { classifyBlueskyError, toXrpcError, XrpcError } from './bluesky.errors';
import { buildPost, deterministicTid, postRef, type PostRecord } from './bluesky.post';

export { classifyBlueskyError } from './bluesky.errors';
export { buildPost, deterministicTid } from './bluesky.post';

export interface BlueskyChannelOptions {
  config: BlueskyConfig;
  sandboxRecorder: SandboxRecorder;
  sandbox: boolean;
}

interface Session {
  accessJwt: string;
  refreshJwt: string;
  did: string;
}

const COLLECTION = 'app.bsky.feed.post';

/**
 * The town's Bluesky account: one `app.bsky.feed.post` per broadcast through
 * `com.atproto.repo.createRecord`, logged in with an app password (`createSession`; an expired
 * access token is renewed with `refreshSession`, a refused refresh logs in again).
 *
 * atproto has no idempotency key, so the record key is ours: a TID derived from the delivery
 * (`deterministicTid`). A retry after a timeout or a crash asks for the same key; a repository
 * holds one record per key, so the second create is refused, and we read the record under that
 * key (`getRecord`) and answer with it: one post, however often the send was tried.
 */
export function createBlueskyChannel({ config, sandboxRecorder, sandbox }: BlueskyChannelOptions): Channel {
  const secrets = [config.appPassword].filter(Boolean);
  const classifyError = classifyAccountError((error) => classifyBlueskyError(error));
  const common = { id: 'bluesky' as const, messagesPerSecond: config.messagesPerSecond, dailyRecipientLimit: null, classifyError };
  const recordOf = (message: OutboundMessage): { record: PostRecord; rkey: string | undefined } => {
    if (message.kind !== 'announcement') throw new AccountPayloadError('Bluesky posts news only; nobody signs up for this channel here');
    const record = buildPost(message, { hashtags: config.hashtags });
    return { record, rkey: message.idempotencyKey ? deterministicTid(message.announcedAt ?? new Date(0), message.idempotencyKey) : undefined };
  };

  if (sandbox) {
    return {
      ...common,
      mode: 'sandbox',
      async send(message) {
        const { record, rkey } = recordOf(message);
        return { providerMessageId: await sandboxRecorder({ channel: 'bluesky', to: config.identifier || 'bluesky', body: { collection: COLLECTION, rkey, record } }) };
      },
    };
  }

  const provider = createProviderClient({ baseUrl: config.service.replace(/\/$/, ''), timeoutMs: config.requestTimeoutMs });
  const client = provider.client;
  const call = async <T>(run: () => Promise<{ data: T }>): Promise<T> => {
    try {
      return (await run()).data;
    } catch (error) {
      throw toXrpcError(error, secrets);
    }
  };
  let session: Session | null = null;

  const login = async (): Promise<Session> => {
    const data = await call(() => client.post<Session>('/xrpc/com.atproto.server.createSession', { identifier: config.identifier, password: config.appPassword }));
    session = { accessJwt: data.accessJwt, refreshJwt: data.refreshJwt, did: data.did };
    return session;
  };
  const refresh = async (current: Session): Promise<Session> => {
    try {
      const data = await call(() => client.post<Session>('/xrpc/com.atproto.server.refreshSession', undefined, { headers: { Authorization: `Bearer ${current.refreshJwt}` } }));
      session = { accessJwt: data.accessJwt, refreshJwt: data.refreshJwt, did: data.did ?? current.did };
      return session;
    } catch (error) {
      // The refresh token expired too (or was revoked): log in again with the app password.
      if (error instanceof XrpcError && (error.error === 'ExpiredToken' || error.error === 'InvalidToken' || error.status === 401)) return login();
      throw error;
    }
  };
  /** Runs an authenticated call; an expired access token is refreshed once and the call repeated. */
  const authed = async <T>(run: (current: Session) => Promise<{ data: T }>): Promise<T> => {
    const current = session ?? (await login());
    try {
      return await call(() => run(current));
    } catch (error) {
      if (!(error instanceof XrpcError && error.error === 'ExpiredToken')) throw error;
      const renewed = await refresh(current);
      return call(() => run(renewed));
    }
  };
  const bearer = (current: Session) => ({ headers: { Authorization: `Bearer ${current.accessJwt}` } });

  /** The record already under our key, when an earlier try made it. */
  const existing = async (rkey: string) => {
    try {
      const found = await authed((current) => client.get<{ uri: string; cid?: string }>('/xrpc/com.atproto.repo.getRecord', { params: { repo: current.did, collection: COLLECTION, rkey }, ...bearer(current) }));
      return found.cid ? { uri: found.uri, cid: found.cid } : null;
    } catch (error) {
      if (error instanceof XrpcError && error.status === 400 && error.error === 'RecordNotFound') return null;
      throw error;
    }
  };

  return {
    ...common,
    mode: 'live',
    async send(message: OutboundMessage): Promise<SendResult> {
      const { record, rkey } = recordOf(message);
      try {
        const created = await authed((current) =>
          client.post<{ uri: string; cid: string }>('/xrpc/com.atproto.repo.createRecord', { repo: current.did, collection: COLLECTION, ...(rkey ? { rkey } : {}), record }, bearer(current))
        );
        return { providerMessageId: postRef(created) };
      } catch (error) {
        // Refused, but maybe because an earlier try of this very delivery made the post: then that is our post.
        if (rkey && error instanceof XrpcError && error.status >= 400 && error.status < 500 && error.status !== 429 && error.status !== 401) {
          const found = await existing(rkey);
          if (found) return { providerMessageId: postRef(found) };
        }
        throw error;
      }
    },
    async close() {
      provider.close();
    },
  };
}
