import { describe, expect, it } from 'vitest';
import { cutToFit, graphemeCount, graphemesOf, hashtagsFor, utf8Length } from '../../server/src/channels/account-post';
import { buildStatus, mastodonLength } from '../../server/src/channels/mastodon/mastodon.status';
import { classifyMastodonError } from '../../server/src/channels/mastodon/mastodon.errors';
import { buildPost, byteRange, deterministicTid, fitsBluesky, linkLabel, TID_PATTERN } from '../../server/src/channels/bluesky/bluesky.post';
import { classifyBlueskyError, XrpcError } from '../../server/src/channels/bluesky/bluesky.errors';
import type { AnnouncementContent, OutboundMessage } from '../../server/src/channels/channel';

const content = (over: Partial<AnnouncementContent> = {}): AnnouncementContent => ({
  title: 'Straßensperrung Hauptstraße',
  text: 'Die Hauptstraße ist ab Montag gesperrt.',
  url: 'https://musterstadt.de/news/strassensperrung-hauptstrasse-ab-montag-bis-freitag',
  urgency: 'info',
  topicNames: ['Verkehr'],
  topicSlugs: ['verkehr'],
  villageSlugs: [],
  townName: 'Musterstadt',
  ...over,
});
const message = (over: Partial<AnnouncementContent> = {}, extra: Partial<Extract<OutboundMessage, { kind: 'announcement' }>> = {}): Extract<OutboundMessage, { kind: 'announcement' }> => ({
  kind: 'announcement',
  to: '@stadt@social.example',
  deliveryRef: 'd:1',
  content: content(over),
  locale: 'de',
  ...extra,
});
const noTags = { always: [], byTopic: {}, byVillage: {} };

describe('grapheme-aware cutting', () => {
  it('never splits an emoji with skin tone, a family, a flag or a combining accent', () => {
    const text = 'A👍🏽B👨‍👩‍👧‍👦C🇩🇪De\u0301F'.repeat(20);
    for (let max = 1; max < 60; max++) {
      const cut = cutToFit(text, (candidate) => graphemeCount(candidate) <= max);
      expect(graphemeCount(cut)).toBeLessThanOrEqual(max);
      // Every grapheme of the cut (but the ellipsis) is a whole grapheme of the original.
      const kept = graphemesOf(cut).filter((g) => g !== '…');
      expect(graphemesOf(text).slice(0, kept.length)).toEqual(kept);
    }
  });

  it('prefers the end of a word and marks the cut', () => {
    expect(cutToFit('Die Hauptstraße ist gesperrt', (c) => graphemeCount(c) <= 20)).toBe('Die Hauptstraße ist…');
    expect(cutToFit('kurz', () => true)).toBe('kurz');
  });

  it('counts graphemes and UTF-8 bytes as Bluesky does', () => {
    expect(graphemeCount('👨‍👩‍👧‍👦')).toBe(1);
    expect(utf8Length('👨‍👩‍👧‍👦')).toBe(25);
    expect(utf8Length('ß')).toBe(2);
  });
});

describe('Mastodon', () => {
  it('counts every link as 23 characters, and graphemes for the rest', () => {
    expect(mastodonLength('abc https://example.org/a/very/long/path/that/is/far/longer/than/23')).toBe(4 + 23);
    expect(mastodonLength('👍🏽')).toBe(1);
  });

  it('cuts the text to the server limit, keeps the link and hashtags whole, sets language and the reply', () => {
    const long = 'Wort '.repeat(300);
    const params = buildStatus(message({ text: long }, { threadMessageIds: ['111', '222'], locale: 'en' }), {
      limits: { maxCharacters: 500, charactersReservedPerUrl: 23 },
      visibility: 'public',
      hashtags: { always: ['Musterstadt'], byTopic: { verkehr: ['Verkehr'] }, byVillage: {} },
    });
    expect(mastodonLength(params.status)).toBeLessThanOrEqual(500);
    expect(mastodonLength(params.status)).toBeGreaterThan(450);
    expect(params.status).toContain('https://musterstadt.de/news/strassensperrung-hauptstrasse-ab-montag-bis-freitag');
    expect(params.status.endsWith('#Musterstadt #Verkehr')).toBe(true);
    expect(params.status).toContain('…');
    expect(params.language).toBe('en');
    expect(params.in_reply_to_id).toBe('222');
  });

  it('classifies 429 with its reset, 401 as a stopped channel in German, 422 with the server’s words', () => {
    const now = Date.parse('2026-01-01T10:00:00Z');
    const limited = classifyMastodonError({ response: { status: 429, data: { error: 'Too many requests' }, headers: { 'x-ratelimit-reset': '2026-01-01T10:05:00Z' } } }, [], now);
    expect(limited).toMatchObject({ errorClass: 'retry-later', retryAfterMs: 300_000 });
    const denied = classifyMastodonError({ response: { status: 401, data: { error: 'The access token is invalid secret-token' }, headers: {} } }, ['secret-token']);
    expect(denied.errorClass).toBe('fatal-channel');
    expect(denied.message).toContain('Zugangsschlüssel');
    expect(denied.message).not.toContain('secret-token');
    const refused = classifyMastodonError({ response: { status: 422, data: { error: 'Validation failed: Text character limit of 500 exceeded' }, headers: {} } });
    expect(refused).toMatchObject({ errorClass: 'permanent-announcement' });
    expect(refused.code).toContain('Text character limit of 500 exceeded');
  });
});

describe('Bluesky', () => {
  it('puts the link in a facet whose byte range (UTF-8) covers exactly its label', () => {
    const record = buildPost(message({ title: 'Grüße aus Öhringen 👋🏽', text: 'Straße – gesperrt' }), { hashtags: { always: ['Müllabfuhr'], byTopic: {}, byVillage: {} } });
    const bytes = Buffer.from(record.text, 'utf8');
    const [link, tag] = record.facets ?? [];
    expect(bytes.subarray(link.index.byteStart, link.index.byteEnd).toString('utf8')).toBe(linkLabel(content().url as string));
    expect(link.features[0]).toEqual({ $type: 'app.bsky.richtext.facet#link', uri: content().url });
    expect(bytes.subarray(tag.index.byteStart, tag.index.byteEnd).toString('utf8')).toBe('#Müllabfuhr');
    expect(record.langs).toEqual(['de']);
  });

  it('stays within 300 graphemes and 3000 bytes, whatever the text', () => {
    for (const unit of ['a ', '👨‍👩‍👧‍👦 ', 'e\u0301\u0301\u0301\u0301 ', '漢字 ']) {
      const record = buildPost(message({ text: unit.repeat(2000) }), { hashtags: noTags });
      expect(fitsBluesky(record.text)).toBe(true);
      const range = record.facets?.[0].index;
      expect(range && range.byteEnd).toBeLessThanOrEqual(utf8Length(record.text));
    }
  });

  it('a follow-up replies with the story’s first post as root and the latest as parent', () => {
    const record = buildPost(message({}, { threadMessageIds: ['at://did:plc:x/app.bsky.feed.post/aaa cidA', 'at://did:plc:x/app.bsky.feed.post/bbb cidB'] }), { hashtags: noTags });
    expect(record.reply).toEqual({ root: { uri: 'at://did:plc:x/app.bsky.feed.post/aaa', cid: 'cidA' }, parent: { uri: 'at://did:plc:x/app.bsky.feed.post/bbb', cid: 'cidB' } });
  });

  it('derives one valid TID per delivery, the same on every try', () => {
    const at = new Date('2026-03-01T08:00:00Z');
    const a = deterministicTid(at, 'tc-doc-1');
    expect(a).toMatch(TID_PATTERN);
    expect(deterministicTid(at, 'tc-doc-1')).toBe(a);
    expect(deterministicTid(at, 'tc-doc-2')).not.toBe(a);
  });

  it('byte ranges count multi-byte characters before the part', () => {
    expect(byteRange('ä x', 2, 'x')).toEqual({ byteStart: 3, byteEnd: 4 });
  });

  it('classifies rate limits, refused logins and invalid records', () => {
    const now = 1_700_000_000_000;
    expect(classifyBlueskyError(new XrpcError(429, 'RateLimitExceeded', '', { 'ratelimit-reset': String(now / 1000 + 30) }), now)).toMatchObject({ errorClass: 'retry-later', retryAfterMs: 30_000 });
    expect(classifyBlueskyError(new XrpcError(401, 'AuthenticationRequired', 'Invalid identifier or password')).errorClass).toBe('fatal-channel');
    expect(classifyBlueskyError(new XrpcError(400, 'InvalidRecord', 'too long')).errorClass).toBe('permanent-announcement');
  });
});

describe('hashtags', () => {
  it('always, per topic, per village, each once', () => {
    expect(hashtagsFor({ always: ['Musterstadt'], byTopic: { verkehr: ['Verkehr', 'musterstadt'] }, byVillage: { nord: ['Nord'] } }, { topicSlugs: ['verkehr'], villageSlugs: ['nord'] })).toEqual(['Musterstadt', 'Verkehr', 'Nord']);
  });
});
