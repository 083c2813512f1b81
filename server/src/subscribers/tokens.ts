import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

export const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/** A one-time confirmation token; only its hash is stored. */
export const newConfirmationToken = () => randomBytes(24).toString('base64url');

// No 0/O or 1/I: citizens type this code on a phone.
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const newConfirmCode = () => Array.from({ length: 6 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');

/**
 * Subscriber tokens are signed, not stored: every message can carry a working link without
 * keeping a secret per citizen. Format `<subscriberId>.<hmac>`; the purpose is part of the MAC,
 * so a token for one purpose (`unsubscribe`) never works for another (`manage`: read the topics
 * to carry them to another channel).
 */
type TokenPurpose = 'unsubscribe' | 'manage';

function signSubscriberToken(secret: string, purpose: TokenPurpose, subscriberId: number): string {
  const mac = createHmac('sha256', secret).update(`${purpose}:${subscriberId}`).digest('base64url').slice(0, 32);
  return `${subscriberId}.${mac}`;
}

function verifySubscriberToken(secret: string, purpose: TokenPurpose, token: string): number | null {
  const [idText, mac] = token.split('.');
  const id = Number(idText);
  if (!Number.isInteger(id) || id <= 0 || !mac) return null;
  const expected = signSubscriberToken(secret, purpose, id).split('.')[1];
  const a = Buffer.from(mac);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b) ? id : null;
}

export const signUnsubscribeToken = (secret: string, subscriberId: number) => signSubscriberToken(secret, 'unsubscribe', subscriberId);
export const verifyUnsubscribeToken = (secret: string, token: string) => verifySubscriberToken(secret, 'unsubscribe', token);
export const signManageToken = (secret: string, subscriberId: number) => signSubscriberToken(secret, 'manage', subscriberId);
export const verifyManageToken = (secret: string, token: string) => verifySubscriberToken(secret, 'manage', token);
