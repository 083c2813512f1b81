import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ActivitypubConfig } from './activitypub.config';
import type { Limits } from '../../queue/limits';
import type { Channel, ClassifiedError, OutboundMessage, SandboxRecorder, SendResult } from '../channel';
import { createActivity, noteDocument, type ActorUrls } from './documents';
import { FederationHttpError, FederationTransportError, type FederationClient } from './federation-client';

/** Where a follower's server takes our activities; kept on the follower's subscriber row. */
export interface FollowerEndpoints {
  inbox: string;
  sharedInbox: string | null;
  followId: string;
}

const followerEndpointsSchema = z.object({ inbox: z.string().min(1), sharedInbox: z.string().min(1).nullable().default(null), followId: z.string().min(1) });

/** A row's `activitypubFollower` JSON as endpoints; null when it holds none (erased) or not in this shape. */
export function followerEndpointsFromRow(value: unknown): FollowerEndpoints | null {
  const parsed = followerEndpointsSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export interface ActivitypubChannelOptions {
  config: ActivitypubConfig;
  urls: ActorUrls;
  client: FederationClient;
  limits: () => Limits;
  followerOf(actorUri: string): Promise<FollowerEndpoints | null>;
  sandboxRecorder: SandboxRecorder;
  sandbox: boolean;
}

/** A follower whose server is taking the same activity for another follower right now. */
class SharedInboxBusy extends Error {
  constructor() {
    super('the news is being posted to this follower’s server for another follower');
    this.name = 'SharedInboxBusy';
  }
}

/**
 * The limits key that says a server has an activity. Hashed: an inbox without a shared inbox is
 * the follower's own (`…/users/name/inbox`), and Redis holds no handles.
 */
export const inboxHasKey = (activityId: string, inbox: string) => `ap:${createHash('sha256').update(`${activityId}\n${inbox}`).digest('base64url')}`;

/** How long "this server has the activity" is remembered: far longer than any broadcast lasts. */
const SHARED_INBOX_MEMORY_MS = 14 * 86_400_000;
const SHARED_INBOX_WAIT_MS = 3_000;

export function classifyActivitypubError(error: unknown): ClassifiedError {
  if (error instanceof SharedInboxBusy) {
    // Waits for the follower who is posting for the whole server; if that one keeps failing, this one fails too.
    return { errorClass: 'retry-later', code: 'shared-inbox-busy', message: error.message, retryAfterMs: SHARED_INBOX_WAIT_MS, holdLimit: { max: 400, exhaustedCode: 'shared-inbox-failed' } };
  }
  if (error instanceof FederationHttpError) {
    const { status } = error;
    if (status === 429) return { errorClass: 'retry-later', code: '429', message: error.message, retryAfterMs: error.retryAfterMs ?? 60_000 };
    if (status >= 500 || status === 408) return { errorClass: 'retry', code: String(status), message: error.message };
    // 404 or 410: the account is gone; the follow ends with it.
    if (status === 404 || status === 410) return { errorClass: 'permanent-recipient', code: String(status), message: error.message, recipientEffect: 'withdrawn' };
    // 401/403 (that server blocks us, or checks signatures we cannot satisfy), 400, 422: this server only.
    return { errorClass: 'permanent-recipient', code: String(status), message: error.message };
  }
  if (error instanceof FederationTransportError) {
    if (error.code === 'timeout' || error.code === 'network' || error.code === 'dns') return { errorClass: 'retry', code: error.code, message: error.message };
    return { errorClass: 'permanent-recipient', code: error.code, message: error.message };
  }
  return { errorClass: 'retry', code: 'unknown', message: error instanceof Error ? error.name : 'unknown error' };
}

/** The Create(Note) every follower of a publish receives: the same bytes for all, so one POST serves a whole server. */
export function createActivityFor(urls: ActorUrls, message: Extract<OutboundMessage, { kind: 'announcement' }>) {
  const meta = message.activitypub;
  if (!meta) throw new Error('activitypub: announcement without its document id');
  const note = noteDocument(urls, { documentId: meta.documentId, content: message.content, language: meta.language, published: meta.published, inReplyTo: meta.inReplyTo });
  return createActivity(urls, note, meta.documentId);
}

/**
 * The town's actor as a channel. Each follower is a subscriber with a delivery row of its own, so
 * a broadcast is paced, retried, paused and counted like any other; but followers on one server
 * share its inbox, and the activity is posted there once: the first follower's delivery posts
 * (a claim per activity and inbox, held by that delivery, taken again by it after a crash), the
 * others see the server has it and are done, or wait while the post is under way. A repeated
 * POST after a crash carries the same activity id, which receiving servers take only once.
 */
export function createActivitypubChannel(options: ActivitypubChannelOptions): Channel {
  const { config, urls, client } = options;
  const common = {
    id: 'activitypub' as const,
    messagesPerSecond: config.messagesPerSecond,
    dailyRecipientLimit: null,
    classifyError: classifyActivitypubError,
  };

  const activityOf = (message: OutboundMessage) => {
    if (message.kind !== 'announcement') {
      // Followers are welcomed by an Accept from the inbox, and staff replies have no place in a news feed.
      throw new FederationHttpError(422, undefined, `activitypub: a ${message.kind} message has no ActivityPub form`);
    }
    // A test to one address has no Note of its own: a post on the Fediverse is public, for every follower at once.
    if (!message.activitypub) throw new FederationHttpError(422, undefined, 'activitypub: a post goes to all followers at once; there is no test post to one address');
    return createActivityFor(urls, message);
  };

  if (options.sandbox) {
    return {
      ...common,
      mode: 'sandbox',
      async send(message) {
        return { providerMessageId: await options.sandboxRecorder({ channel: 'activitypub', to: message.to, body: activityOf(message) }) };
      },
    };
  }

  return {
    ...common,
    mode: 'live',
    async send(message): Promise<SendResult> {
      const activity = activityOf(message);
      const follower = await options.followerOf(message.to);
      // Unfollowed (or erased) since the delivery was read: nothing to send to.
      if (!follower) throw new FederationHttpError(410, undefined, 'activitypub: no longer a follower');
      const inbox = follower.sharedInbox ?? follower.inbox;
      const key = inboxHasKey(activity.id, inbox);
      const limits = options.limits();
      const owner = message.kind === 'announcement' ? message.deliveryRef : message.to;
      // The server has it already (through another follower's delivery, or this one's before a crash).
      if (await limits.getStamp(`${key}:done`)) return { providerMessageId: `activitypub:shared:${activity.id}` };
      if (!(await limits.claimFor(key, owner, SHARED_INBOX_MEMORY_MS))) throw new SharedInboxBusy();
      await client.post(inbox, activity);
      await limits.setStamp(`${key}:done`, Date.now());
      await limits.settleClaim(key, SHARED_INBOX_MEMORY_MS);
      return { providerMessageId: `activitypub:${activity.id}` };
    },
  };
}
