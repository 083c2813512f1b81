import { z } from 'zod';
import { strict } from '../../config/strict';
import { hashtagsSchema } from '../hashtags.config';

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
