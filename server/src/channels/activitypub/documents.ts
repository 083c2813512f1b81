import type { AnnouncementContent } from '../channel';

/**
 * The JSON-LD documents of the town's actor, pure: no Strapi, no network. Shapes follow what
 * Mastodon, Misskey and GoToSocial read (ActivityStreams 2.0 plus the security vocabulary for the key).
 */
export const AS_CONTEXT = 'https://www.w3.org/ns/activitystreams';
export const SECURITY_CONTEXT = 'https://w3id.org/security/v1';
export const PUBLIC_AUDIENCE = 'https://www.w3.org/ns/activitystreams#Public';
export const ACTIVITY_JSON = 'application/activity+json';
export const LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

/** Every URL of the actor, made from one base (`<publicUrl><api prefix>/town-crier/activitypub`). */
export interface ActorUrls {
  base: string;
  actor: string;
  keyId: string;
  inbox: string;
  outbox: string;
  followers: string;
  note(documentId: string): string;
  activity(documentId: string, verb: 'create' | 'update' | 'delete', version?: string): string;
}

export function actorUrls(base: string): ActorUrls {
  const trimmed = base.replace(/\/$/, '');
  const actor = `${trimmed}/actor`;
  return {
    base: trimmed,
    actor,
    keyId: `${actor}#main-key`,
    inbox: `${trimmed}/inbox`,
    outbox: `${trimmed}/outbox`,
    followers: `${trimmed}/followers`,
    note: (documentId) => `${trimmed}/notes/${encodeURIComponent(documentId)}`,
    // Update and Delete carry a version (when it happened), so a second correction is a new activity, not a duplicate.
    activity: (documentId, verb, version) => `${trimmed}/notes/${encodeURIComponent(documentId)}/${verb}${version ? `/${encodeURIComponent(version)}` : ''}`,
  };
}

export interface ActorProfile {
  username: string;
  domain: string;
  name: string;
  summary: string;
  /** The town's website, shown as the profile's link. */
  url: string;
  publicKeyPem: string;
}

export function actorDocument(urls: ActorUrls, profile: ActorProfile) {
  return {
    '@context': [AS_CONTEXT, SECURITY_CONTEXT],
    id: urls.actor,
    // Service: an automated account (Mastodon shows it as a bot), which is what the town's news feed is.
    type: 'Service',
    preferredUsername: profile.username,
    name: profile.name,
    summary: profile.summary,
    url: profile.url,
    inbox: urls.inbox,
    outbox: urls.outbox,
    followers: urls.followers,
    manuallyApprovesFollowers: false,
    discoverable: true,
    endpoints: { sharedInbox: urls.inbox },
    publicKey: { id: urls.keyId, owner: urls.actor, publicKeyPem: profile.publicKeyPem },
  };
}

/** RFC 7033 answer for `acct:<username>@<domain>`. */
export function webfingerDocument(urls: ActorUrls, profile: Pick<ActorProfile, 'username' | 'domain' | 'url'>) {
  return {
    subject: `acct:${profile.username}@${profile.domain}`,
    aliases: [urls.actor],
    links: [
      { rel: 'self', type: ACTIVITY_JSON, href: urls.actor },
      { rel: 'http://webfinger.net/rel/profile-page', type: 'text/html', href: profile.url },
    ],
  };
}

/** Which `resource` values name our actor: the acct URI (any letter case of the domain) or the actor URL. */
export function webfingerMatches(resource: string, urls: ActorUrls, profile: Pick<ActorProfile, 'username' | 'domain'>): boolean {
  if (resource === urls.actor) return true;
  const acct = resource.replace(/^acct:/i, '').replace(/^@/, '');
  const at = acct.lastIndexOf('@');
  if (at < 0) return false;
  return acct.slice(0, at).toLowerCase() === profile.username.toLowerCase() && acct.slice(at + 1).toLowerCase() === profile.domain.toLowerCase();
}

export function nodeinfoLinks(nodeinfoUrl: string) {
  return { links: [{ rel: 'http://nodeinfo.diaspora.software/ns/schema/2.1', href: nodeinfoUrl }] };
}

export function nodeinfoDocument(input: { version: string; followers: number; posts: number; name: string }) {
  return {
    version: '2.1',
    software: { name: 'town-crier', version: input.version, homepage: 'https://github.com/town-crier/strapi-plugin-town-crier' },
    protocols: ['activitypub'],
    services: { inbound: [], outbound: [] },
    openRegistrations: false,
    // One account: the town's. Its followers live on their own servers and are not users here.
    usage: { users: { total: 1, activeMonth: 1, activeHalfyear: 1 }, localPosts: input.posts },
    metadata: { nodeName: input.name },
  };
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The post's HTML: the title in bold, the text as paragraphs, the link. Mastodon keeps `<p>`, `<br>`, `<a>`, `<strong>`. */
export function noteHtml(content: Pick<AnnouncementContent, 'title' | 'text' | 'url'>): string {
  const paragraphs = content.text
    .split(/\n{2,}/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => `<p>${escapeHtml(part).replace(/\n/g, '<br>')}</p>`);
  const link = content.url ? [`<p><a href="${escapeHtml(content.url)}">${escapeHtml(content.url)}</a></p>`] : [];
  return [`<p><strong>${escapeHtml(content.title)}</strong></p>`, ...paragraphs, ...link].join('');
}

export interface NoteInput {
  documentId: string;
  content: Pick<AnnouncementContent, 'title' | 'text' | 'url'>;
  language: string;
  published: string;
  updated?: string;
  /** The original news' document id, for a follow-up: the post answers it, so the story reads as one thread. */
  inReplyTo?: string | null;
}

export function noteDocument(urls: ActorUrls, input: NoteInput) {
  return {
    id: urls.note(input.documentId),
    type: 'Note',
    attributedTo: urls.actor,
    to: [PUBLIC_AUDIENCE],
    cc: [urls.followers],
    published: input.published,
    ...(input.updated ? { updated: input.updated } : {}),
    ...(input.inReplyTo ? { inReplyTo: urls.note(input.inReplyTo) } : {}),
    ...(input.content.url ? { url: input.content.url } : {}),
    content: noteHtml(input.content),
    contentMap: { [input.language]: noteHtml(input.content) },
  };
}

export function tombstoneDocument(urls: ActorUrls, documentId: string, deleted: string) {
  return { id: urls.note(documentId), type: 'Tombstone', formerType: 'Note', deleted };
}

type Note = ReturnType<typeof noteDocument>;

export function createActivity(urls: ActorUrls, note: Note, documentId: string) {
  return { '@context': AS_CONTEXT, id: urls.activity(documentId, 'create'), type: 'Create', actor: urls.actor, published: note.published, to: note.to, cc: note.cc, object: note };
}

export function updateActivity(urls: ActorUrls, note: Note, documentId: string, version: string) {
  return { '@context': AS_CONTEXT, id: urls.activity(documentId, 'update', version), type: 'Update', actor: urls.actor, to: note.to, cc: note.cc, object: note };
}

export function deleteActivity(urls: ActorUrls, documentId: string, deleted: string) {
  return {
    '@context': AS_CONTEXT,
    id: urls.activity(documentId, 'delete', deleted),
    type: 'Delete',
    actor: urls.actor,
    to: [PUBLIC_AUDIENCE],
    cc: [urls.followers],
    object: tombstoneDocument(urls, documentId, deleted),
  };
}

export function acceptActivity(urls: ActorUrls, follow: { id: string; actor: string }) {
  return {
    '@context': AS_CONTEXT,
    id: `${urls.actor}#accepts/${encodeURIComponent(follow.id)}`,
    type: 'Accept',
    actor: urls.actor,
    object: { id: follow.id, type: 'Follow', actor: follow.actor, object: urls.actor },
  };
}

/** Outbox and followers are public like Mastodon's: the count, and for the outbox the latest posts. */
export function orderedCollection(id: string, totalItems: number, orderedItems?: unknown[]) {
  return { '@context': AS_CONTEXT, id, type: 'OrderedCollection', totalItems, ...(orderedItems ? { orderedItems } : {}) };
}

/** A Note's HTML as the plain text a reader sees: paragraphs apart, line breaks kept, entities read. */
export function noteText(html: string): string {
  return html
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/<\/p>/g, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();
}

/** What a Mastodon user sees of a post, as plain text: the sandbox phone's view of a recorded activity. */
export function activityPreview(body: unknown): { text: string; buttons: never[] } {
  const activity = (body ?? {}) as { type?: string; object?: { content?: string; inReplyTo?: string } };
  const text = noteText(activity.object?.content ?? '');
  // Shown to the town's staff in the admin, in German like the other channels' sandbox notes.
  const reply = activity.object?.inReplyTo ? '(Antwort im Thread der ersten Meldung)\n\n' : '';
  return { text: `${reply}${text}`, buttons: [] };
}
