/**
 * WhatsApp identities since usernames (2026): a citizen is known by a phone number, by a
 * business-scoped user id (BSUID, `DE.13491208655302741918`; a parent BSUID has `ENT` in the
 * middle), or by both. Citizens who set a username may reach us without a number at all, so a
 * subscriber's `address` holds the number when we know it and the BSUID otherwise.
 */

/** ISO country code, a dot, up to 128 letters/digits (Meta); parent BSUIDs add `ENT.`. */
const BSUID_PATTERN = /^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$/;

export function isBusinessScopedUserId(value: string | null | undefined): boolean {
  return typeof value === 'string' && BSUID_PATTERN.test(value);
}

/**
 * The recipient part of a `/messages` request. Meta: `to` takes a phone number, `recipient`
 * takes a BSUID; when both are present `to` wins, so a BSUID goes alone.
 */
export function recipientFields(address: string): { to: string } | { recipient: string } {
  return isBusinessScopedUserId(address) ? { recipient: address } : { to: address.replace(/\D/g, '') };
}
