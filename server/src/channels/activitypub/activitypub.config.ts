import { z } from 'zod';
import { strict } from '../../config/strict';

/**
 * The town's site as its own ActivityPub actor (`@news@<domain>`). No credential from anyone:
 * the actor's key pair is generated once and kept in Strapi's store, unless the town gives one here.
 */
export const activitypubConfigSchema = strict.object({
  enabled: z.boolean().default(false),
  /** The handle's local part: `@news@stadt.example`. */
  username: z.string().regex(/^[A-Za-z0-9_]{1,30}$/, 'letters, digits and _ only, at most 30').default('news'),
  /** The handle's domain; empty: the host of `publicUrl`. WebFinger must answer on it. */
  domain: z.string().regex(/^[A-Za-z0-9.-]*(:\d+)?$/, 'a host name, like stadt.example').default(''),
  /** Shown as the account's name; empty: the town's name. */
  displayName: z.string().max(100).default(''),
  summary: z.string().max(500).default(''),
  /** PEM key pair; empty: generated at first start and stored in the database (the private key never leaves it). */
  publicKeyPem: z.string().default(''),
  privateKeyPem: z.string().default(''),
  /** Distinct follower servers posted to per second (each POST carries the news for all its followers). */
  messagesPerSecond: z.number().int().positive().max(100).default(5),
  requestTimeoutMs: z.number().int().positive().default(10_000),
  /** Inbox POSTs per client address and minute: each one may make us fetch a stranger's key. A big server's traffic for one account stays far below. */
  inboxRequestsPerMinute: z.number().int().positive().max(100_000).default(600),
  /**
   * Fetching a follower's actor document and posting to its inbox on a private or loopback
   * address. Off in production: a `Follow` must not make the town's server call into its own network.
   */
  allowPrivateAddresses: z.boolean().default(false),
  sandbox: z.boolean().optional(),
});
export type ActivitypubConfig = z.infer<typeof activitypubConfigSchema>;
