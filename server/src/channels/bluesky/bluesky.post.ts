import { createHash } from 'node:crypto';
import type { HashtagConfig } from '../hashtags.config';
import { localeOf } from '../../messages/texts';
import type { OutboundMessage } from '../channel';
import { composePost, graphemeCount, hashtagsFor, postParts, utf8Length } from '../account-post';

/** app.bsky.feed.post's `text`: at most 300 graphemes and 3000 bytes (the lexicon's maxGraphemes and maxLength). */
export const BLUESKY_MAX_GRAPHEMES = 300;
export const BLUESKY_MAX_BYTES = 3000;
export const fitsBluesky = (text: string) => graphemeCount(text) <= BLUESKY_MAX_GRAPHEMES && utf8Length(text) <= BLUESKY_MAX_BYTES;

export interface StrongRef {
  uri: string;
  cid: string;
}
export interface Facet {
  index: { byteStart: number; byteEnd: number };
  features: Array<{ $type: 'app.bsky.richtext.facet#link'; uri: string } | { $type: 'app.bsky.richtext.facet#tag'; tag: string }>;
}
export interface PostRecord {
  $type: 'app.bsky.feed.post';
  text: string;
  createdAt: string;
  langs?: string[];
  facets?: Facet[];
  reply?: { root: StrongRef; parent: StrongRef };
}

/** Our provider message id for a post: its at-uri and cid, which a reply needs both of. */
export const postRef = (ref: StrongRef) => `${ref.uri} ${ref.cid}`;
export function parsePostRef(value: string): StrongRef | null {
  const [uri, cid] = value.split(' ');
  return uri?.startsWith('at://') && cid ? { uri, cid } : null;
}

/**
 * The link as Bluesky's app shows it: without the scheme, cut after 27 characters. The facet
 * carries the full address, so the short text costs few of the 300 graphemes.
 */
export function linkLabel(url: string): string {
  const bare = url.replace(/^https?:\/\//, '').replace(/\/$/, '');
  return bare.length > 30 ? `${bare.slice(0, 27)}…` : bare;
}

/** Byte range (UTF-8, as facets count) of `part` found at UTF-16 index `start` of `text`. */
export function byteRange(text: string, start: number, part: string): { byteStart: number; byteEnd: number } {
  const byteStart = utf8Length(text.slice(0, start));
  return { byteStart, byteEnd: byteStart + utf8Length(part) };
}

const TID_ALPHABET = '234567abcdefghijklmnopqrstuvwxyz';

/**
 * A record key (TID: 53 bits of microseconds, 10 bits of clock id, base32-sortable) that is the
 * same for every try of one delivery: the publish time in microseconds plus a few taken from the
 * hash of our key, and the clock id from it too. A retry after a crash asks for the same key, and
 * the repository cannot hold two records under one key: the second create fails and we find the
 * first post instead of making another.
 */
export function deterministicTid(announcedAt: Date, key: string): string {
  const hash = createHash('sha256').update(key).digest();
  const jitterMicros = BigInt(hash.readUInt16BE(0) % 1000);
  const clockId = BigInt(hash.readUInt16BE(2) % 1024);
  const micros = BigInt(Math.max(0, announcedAt.getTime())) * 1000n + jitterMicros;
  let value = ((micros & ((1n << 53n) - 1n)) << 10n) | clockId;
  let out = '';
  for (let i = 0; i < 13; i++) {
    out = TID_ALPHABET[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}
export const TID_PATTERN = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;

export function buildPost(message: Extract<OutboundMessage, { kind: 'announcement' }>, options: { hashtags: HashtagConfig; now?: Date }): PostRecord {
  const locale = localeOf(message.locale);
  const parts = postParts(message.content, locale, hashtagsFor(options.hashtags, message.content));
  const label = parts.url ? linkLabel(parts.url) : null;
  const { text, linkStart } = composePost({ ...parts, url: label }, fitsBluesky);
  const facets: Facet[] = [];
  if (parts.url && label && linkStart !== null) facets.push({ index: byteRange(text, linkStart, label), features: [{ $type: 'app.bsky.richtext.facet#link', uri: parts.url }] });
  // Hashtags are linked too (a facet each), searching the tag on Bluesky; they sit at the end.
  let from = linkStart ?? 0;
  for (const tag of parts.hashtags) {
    const at = text.indexOf(`#${tag}`, from);
    if (at < 0) continue;
    facets.push({ index: byteRange(text, at, `#${tag}`), features: [{ $type: 'app.bsky.richtext.facet#tag', tag }] });
    from = at + tag.length + 1;
  }
  const thread = (message.threadMessageIds ?? []).map(parsePostRef).filter((ref): ref is StrongRef => ref !== null);
  return {
    $type: 'app.bsky.feed.post',
    text,
    createdAt: (options.now ?? new Date()).toISOString(),
    langs: [message.locale ? message.locale.slice(0, 2) : 'de'],
    ...(facets.length ? { facets } : {}),
    // A follow-up: root is the story's first post, parent the latest one before it.
    ...(thread.length ? { reply: { root: thread[0], parent: thread[thread.length - 1] } } : {}),
  };
}
