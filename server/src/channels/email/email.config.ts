import { z } from 'zod';
import { strict } from '../../config/strict';

/**
 * E-mail goes through Strapi's own email plugin, so the SMTP server or API provider is whatever
 * the host configured under `plugins.email`; this block only says what the plugin puts in the mail.
 */
export const emailConfigSchema = strict.object({
  enabled: z.boolean().default(false),
  /**
   * Sender, e.g. `Stadt Musterstadt <nachrichten@musterstadt.de>`. Empty means sandbox, unless
   * `sandbox: false` says to send with the email plugin's `defaultFrom`.
   */
  from: z.string().default(''),
  replyTo: z.string().optional(),
  /** Adds a `mailto:` entry to `List-Unsubscribe` beside the one-click https URL. */
  unsubscribeMailto: z.email().optional(),
  messagesPerSecond: z.number().int().positive().max(1000).default(10),
  /** With no `from` the adapter records the mails it would send instead of sending them. */
  sandbox: z.boolean().optional(),
});
export type EmailConfig = z.infer<typeof emailConfigSchema>;
