import { z } from 'zod';

const emailSchema = z.email();

/**
 * The canonical form of an e-mail address, or null when it is not one. The domain is
 * case-insensitive by definition and lower-cased; the local part is kept as written, since
 * RFC 5321 lets a server treat `Anna@` and `anna@` as different mailboxes (almost none do,
 * so a second sign-up differing only there is the rare price of never mis-delivering).
 */
export function normaliseEmailAddress(raw: string): string | null {
  const trimmed = raw.trim();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0) return null;
  const address = `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
  if (address.length > 254 || !emailSchema.safeParse(address).success) return null;
  return address;
}
