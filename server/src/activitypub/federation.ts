import type { Core } from '@strapi/strapi';
import type { PluginConfig } from '../config/schema';
import { PLUGIN_ID, UID } from '../constants';
import { getService } from '../utils/get-service';
import {
  actorDocument,
  createActivity,
  noteDocument,
  nodeinfoDocument,
  orderedCollection,
  tombstoneDocument,
  type NoteInput,
  webfingerDocument,
  webfingerMatches,
} from '../channels/activitypub/documents';
import { createFederationClient, FederationHttpError, type FederationClient } from '../channels/activitypub/federation-client';
import { verifySignedRequest, type IncomingRequest } from '../channels/activitypub/signatures';
import { activitypubFollowers } from '../subscribers/activitypub-followers';
import { actorIdentity } from './context';
import { actorKeys } from './keys';
import { languageOfLocale } from '../languages/languages';
import { activitypubActivities } from './activities';
import { onTheFediverse } from './on-the-fediverse';
import { createExpiringCache } from './key-cache';

export const NODEINFO_VERSION = '0.1.0';
/** How many posts the public outbox lists (its count is all of them). */
const OUTBOX_PAGE = 20;

/** How many senders' keys are kept, and for how long (a replaced key is fetched again at once when it fails). */
const SIGNER_KEY_CACHE_ENTRIES = 1000;
const SIGNER_KEY_CACHE_MS = 6 * 60 * 60 * 1000;

type Json = Record<string, unknown>;
/** A sender's key as its server publishes it, with the owner and the owner's actor document. */
interface SignerKey {
  pem: string;
  owner: string;
  document: Json;
}
export type InboxAnswer = { status: 202 } | { status: 400 | 401 | 403; message: string };

const idOf = (value: unknown): string | null => {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as Json).id === 'string') return (value as Json).id as string;
  return null;
};

/** The PEM of `keyId` from a fetched document: the actor with its `publicKey` (one or a list), or a key document. */
export function publicKeyFrom(document: Json, keyId: string): { pem: string; owner: string } | null {
  const candidates = [document, ...(Array.isArray(document.publicKey) ? document.publicKey : [document.publicKey])].filter((entry): entry is Json => Boolean(entry) && typeof entry === 'object');
  for (const candidate of candidates) {
    if (candidate.id === keyId && typeof candidate.publicKeyPem === 'string') {
      const owner = typeof candidate.owner === 'string' ? candidate.owner : typeof document.id === 'string' ? document.id : null;
      if (owner) return { pem: candidate.publicKeyPem, owner };
    }
  }
  return null;
}

/**
 * What the town's actor answers: WebFinger, NodeInfo, the actor document, its collections and
 * notes, and the inbox. The inbox believes nothing it was not able to verify: each activity's
 * HTTP signature is checked with the key its sender's own server publishes, and the key must
 * belong to the activity's actor.
 */
export function createFederation(strapi: Core.Strapi, readConfig: () => PluginConfig) {
  const followers = activitypubFollowers(strapi);
  const settings = () => readConfig().channels.activitypub;
  const identity = () => actorIdentity(strapi, readConfig());
  const keys = () => actorKeys(strapi, settings());
  let client: FederationClient | null = null;
  const signerKeys = createExpiringCache<SignerKey>({ maxEntries: SIGNER_KEY_CACHE_ENTRIES, ttlMs: SIGNER_KEY_CACHE_MS });
  const federation = () =>
    (client ??= createFederationClient({
      identity: async () => ({ keyId: identity().urls.keyId, privateKeyPem: (await keys()).privateKeyPem }),
      timeoutMs: settings().requestTimeoutMs,
      allowPrivateAddresses: settings().allowPrivateAddresses,
      userAgent: `town-crier/${NODEINFO_VERSION} (+${readConfig().publicUrl})`,
    }));

  /** The news the actor shows: only what went out to followers (on-the-fediverse.ts), never what waits or was held back. */
  const broadcastDocumentIds = () => onTheFediverse(strapi).documentIds();

  /** What the Note of a published news entry is made of, as its followers got it; null when it is not (or no longer) published. */
  const noteInputOf = async (documentId: string): Promise<NoteInput | null> => {
    const announcement = await getService(strapi, 'announcements').findPublished(documentId);
    if (!announcement) return null;
    const followUp = await getService(strapi, 'follow-ups').contextOf(announcement);
    const config = readConfig();
    const announcements = getService(strapi, 'announcements');
    const { content } = announcements.contentFor(announcement, config.defaultLocale, followUp);
    // The broadcast keeps the text of its first publish; the Fediverse's copy shows the article as it is now, so a correction reaches it by Update.
    const source = await announcements.sourceEntry(announcement);
    // Unpublishing the article leaves its announcement (the broadcast pauses), but the news is withdrawn.
    if (announcement.sourceUid && config.contentTypes[announcement.sourceUid] && !source) return null;
    const sourceLanguage = announcement.sourceLocale ? languageOfLocale(announcement.sourceLocale) : config.defaultLocale;
    const attributes = source ? (strapi.contentTypes[announcement.sourceUid as keyof typeof strapi.contentTypes]?.attributes as Record<string, { type?: string }> | undefined) : undefined;
    const current = source && sourceLanguage === config.defaultLocale ? announcements.versionsOf(source.mapping, source.entry, attributes, config.defaultLocale)[config.defaultLocale] : undefined;
    return {
      documentId,
      content: current ? { ...content, title: current.title || content.title, text: current.text || content.text, url: current.url ?? content.url } : content,
      language: config.defaultLocale,
      published: new Date(announcement.publishedAt ?? announcement.createdAt).toISOString(),
      inReplyTo: followUp?.originalDocumentId ?? null,
    };
  };
  const noteOf = async (documentId: string) => {
    const input = await noteInputOf(documentId);
    return input ? noteDocument(identity().urls, input) : null;
  };

  /** Fetches the signer's key and its owner's actor document (for a Follow, the follower's inbox is in it). */
  const fetchKey = async (keyId: string): Promise<SignerKey | 'gone' | null> => {
    try {
      const document = await federation().fetchJson(keyId);
      const found = publicKeyFrom(document, keyId);
      if (!found) return null;
      // A key document names its owner; the actor document is then the owner's.
      return { pem: found.pem, owner: found.owner, document: found.owner === document.id ? document : await federation().fetchJson(found.owner) };
    } catch (error) {
      return error instanceof FederationHttpError && error.status === 410 ? 'gone' : null;
    }
  };

  /**
   * Verifies an inbox request with the signer's key, from the cache when it has it. A cached key
   * that does not verify is fetched once more and tried again: its owner may have replaced it.
   */
  const verifyInboxRequest = async (request: IncomingRequest) => {
    const signer: { key?: SignerKey; cached?: boolean; gone?: boolean } = {};
    const keyFor = (useCache: boolean) => async (keyId: string) => {
      const cached = useCache ? signerKeys.get(keyId) : undefined;
      signer.cached = Boolean(cached);
      if (cached) {
        signer.key = cached;
        return cached.pem;
      }
      const fetched = await fetchKey(keyId);
      if (fetched === 'gone') signer.gone = true;
      if (fetched === 'gone' || !fetched) {
        signerKeys.delete(keyId);
        signer.key = undefined;
        return null;
      }
      signerKeys.set(keyId, fetched);
      signer.key = fetched;
      return fetched.pem;
    };
    let verified = await verifySignedRequest(request, keyFor(true));
    if (!verified.ok && signer.cached && verified.reason === 'bad-signature') verified = await verifySignedRequest(request, keyFor(false));
    return { verified, signer };
  };

  return {
    identity,
    keys,

    async actor() {
      const who = identity();
      return actorDocument(who.urls, { username: who.username, domain: who.domain, name: who.name, summary: who.summary, url: who.websiteUrl, publicKeyPem: (await keys()).publicKeyPem });
    },

    webfinger(resource: string) {
      const who = identity();
      return webfingerMatches(resource, who.urls, who) ? webfingerDocument(who.urls, { username: who.username, domain: who.domain, url: who.websiteUrl }) : null;
    },

    async nodeinfo() {
      return nodeinfoDocument({ version: NODEINFO_VERSION, followers: await followers.count(), posts: (await broadcastDocumentIds()).length, name: identity().name });
    },

    async followersCollection() {
      // Like Mastodon's: the count is public, who follows is not.
      return orderedCollection(identity().urls.followers, await followers.count());
    },

    async outbox() {
      const ids = await broadcastDocumentIds();
      const items: unknown[] = [];
      for (const documentId of ids.slice(0, OUTBOX_PAGE)) {
        const note = await noteOf(documentId);
        if (note) items.push(createActivity(identity().urls, note, documentId));
      }
      return orderedCollection(identity().urls.outbox, ids.length, items);
    },

    /** The Note, or its Tombstone (410) once the news was withdrawn; null for anything never broadcast here. */
    async note(documentId: string): Promise<{ status: 200 | 410; body: unknown } | null> {
      // Asked first: published news that never went out here (held, scheduled, another channel's only) has no Note.
      if (!(await onTheFediverse(strapi).isOut(documentId))) return null;
      const note = await noteOf(documentId);
      if (note) return { status: 200, body: { '@context': 'https://www.w3.org/ns/activitystreams', ...note } };
      return { status: 410, body: { '@context': 'https://www.w3.org/ns/activitystreams', ...tombstoneDocument(identity().urls, documentId, new Date().toISOString()) } };
    },

    async inbox(request: IncomingRequest): Promise<InboxAnswer> {
      let activity: Json;
      try {
        activity = JSON.parse((request.rawBody ?? Buffer.alloc(0)).toString('utf8')) as Json;
      } catch {
        return { status: 400, message: 'The body is not JSON' };
      }
      if (!activity || typeof activity !== 'object' || typeof activity.type !== 'string') return { status: 400, message: 'Not an activity' };
      const actor = idOf(activity.actor);
      if (!actor) return { status: 400, message: 'The activity names no actor' };

      const { verified, signer } = await verifyInboxRequest(request);
      if (!verified.ok) {
        // A deleted account's Delete cannot be verified (its key is gone with it): Mastodon's rule, the key's 410 says so.
        if (activity.type === 'Delete' && idOf(activity.object) === actor && signer.gone) {
          await followers.unfollow(actor, 'activitypub-delete');
          return { status: 202 };
        }
        return { status: 401, message: `HTTP signature not verified (${verified.reason})` };
      }
      if (signer.key?.owner !== actor) return { status: 401, message: 'The signing key does not belong to the activity’s actor' };

      const ours = identity().urls.actor;
      if (activity.type === 'Follow') {
        if (idOf(activity.object) !== ours) return { status: 202 };
        const followId = idOf(activity);
        const document = signer.key?.document ?? {};
        const inbox = typeof document.inbox === 'string' ? document.inbox : null;
        if (!followId || !inbox) return { status: 400, message: 'A Follow needs an id, and the follower an inbox' };
        const endpoints = document.endpoints as Json | undefined;
        const sharedInbox = typeof endpoints?.sharedInbox === 'string' ? endpoints.sharedInbox : null;
        const { subscriberId } = await followers.follow(actor, { inbox, sharedInbox, followId }, readConfig().defaultLocale);
        // Also for a repeated Follow: its server sends one again when our Accept did not arrive.
        await activitypubActivities(strapi).accept(subscriberId);
        return { status: 202 };
      }
      if (activity.type === 'Undo') {
        const object = activity.object as Json | string | undefined;
        const undone = typeof object === 'object' && object ? object : null;
        // Mastodon sends the whole Follow; others only its id, which we know from the follower's row.
        if ((undone?.type === 'Follow' && idOf(undone.object) === ours) || (await followers.endpointsOf(actor))?.followId === idOf(object)) {
          await followers.unfollow(actor, 'activitypub-undo');
        }
        return { status: 202 };
      }
      if (activity.type === 'Delete' && idOf(activity.object) === actor) {
        await followers.unfollow(actor, 'activitypub-delete');
        return { status: 202 };
      }
      // Likes, boosts, replies and the rest: taken and left alone; the town reads its replies on its own Fediverse account if it has one.
      return { status: 202 };
    },

    /** Where the channel adapter posts to. */
    client: () => federation(),
    noteInputOf,
    endpointsOf: (actorUri: string) => followers.endpointsOf(actorUri),
  };
}

export type Federation = ReturnType<typeof createFederation>;
