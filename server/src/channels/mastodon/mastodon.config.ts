import { z } from 'zod';
import { strict } from '../../config/strict';
import { hashtagsSchema } from '../hashtags.config';

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
