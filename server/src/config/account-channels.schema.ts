import { z } from 'zod';
import { strict } from './strict';

/** Hashtags without `#`: letters (umlauts too), digits and `_`, as Mastodon and Bluesky link them. */
const hashtag = z.string().regex(/^[\p{L}\p{N}_]+$/u, 'letters, digits and _ only, without #').max(60);
const hashtagsSchema = strict
  .object({
    /** Always added, e.g. `['Musterstadt']`. */
    always: z.array(hashtag).max(10).default([]),
    /** Per topic slug, e.g. `{ verkehr: ['Verkehr', 'Baustelle'] }`. */
    byTopic: z.record(z.string(), z.array(hashtag).max(5)).default({}),
    /** Per village slug, e.g. `{ 'gross-parin': ['GroßParin'] }`. */
    byVillage: z.record(z.string(), z.array(hashtag).max(5)).default({}),
  })
  .prefault({});
export type HashtagConfig = z.infer<typeof hashtagsSchema>;

/**
 * The town's existing Mastodon account (or any server speaking Mastodon's API: GoToSocial,
 * Akkoma, …). One status per broadcast; the token needs the `write:statuses` scope only
 * (`read:accounts` too, for the channel status page's account check).
 */
export const mastodonConfigSchema = strict.object({
  enabled: z.boolean().default(false),
  /** The server, e.g. `https://social.bund.de`. */
  baseUrl: z.string().url().default('https://mastodon.social'),
  /** The application's access token (Einstellungen → Entwicklung). Secret: never logged. Empty means sandbox. */
  accessToken: z.string().default(''),
  /** The account's handle, only for the status page and previews, e.g. `@musterstadt@social.bund.de`. */
  account: z.string().max(200).default(''),
  visibility: z.enum(['public', 'unlisted', 'private']).default('public'),
  hashtags: hashtagsSchema,
  /** A public account posts a few times a day; this only spaces a burst (a day of follow-ups). */
  messagesPerSecond: z.number().int().positive().max(5).default(1),
  requestTimeoutMs: z.number().int().positive().default(15_000),
  sandbox: z.boolean().optional(),
});
export type MastodonConfig = z.infer<typeof mastodonConfigSchema>;

/** The town's Bluesky account, with an app password (Einstellungen → Datenschutz und Sicherheit → App-Passwörter). */
export const blueskyConfigSchema = strict.object({
  enabled: z.boolean().default(false),
  /** The account's PDS; bsky.social for accounts made on the Bluesky app. */
  service: z.string().url().default('https://bsky.social'),
  /** The handle (`musterstadt.bsky.social`, or the town's own domain) or the DID. */
  identifier: z.string().max(253).default(''),
  /** An app password, never the account password. Secret: never logged. Empty means sandbox. */
  appPassword: z.string().default(''),
  hashtags: hashtagsSchema,
  messagesPerSecond: z.number().int().positive().max(5).default(1),
  requestTimeoutMs: z.number().int().positive().default(15_000),
  sandbox: z.boolean().optional(),
});
export type BlueskyConfig = z.infer<typeof blueskyConfigSchema>;

/**
 * The town's WhatsApp Channel (Kanal), which Meta offers no API for: editors post by hand, helped
 * by a ready text and a "posted" tick on the broadcast.
 */
export const whatsappChannelConfigSchema = strict
  .object({
    enabled: z.boolean().default(false),
    /** The Channel's invite link (`https://whatsapp.com/channel/…`), shown beside the copy button. */
    url: z.string().url().optional(),
  })
  .prefault({});
