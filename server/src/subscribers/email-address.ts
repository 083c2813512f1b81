import { z } from 'zod';

const emailSchema = z.email();

/**
 * The canonical form of an e-mail address, or null when it is not one: trimmed and lower-cased
 * as a whole. RFC 5321 lets a server treat `Anna@` and `anna@` as different mailboxes, but no
 * mail service a citizen uses does, and keeping case variants apart let one mailbox be sent a
 * day's allowance of confirmation mails per variant (issue #17).
 */
export function normaliseEmailAddress(raw: string): string | null {
  const address = raw.trim().toLowerCase();
  const at = address.lastIndexOf('@');
  if (at <= 0) return null;
  if (address.length > 254 || !emailSchema.safeParse(address).success) return null;
  return address;
}
