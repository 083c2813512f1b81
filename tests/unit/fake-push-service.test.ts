import { createECDH, randomBytes } from 'node:crypto';
import webpush from 'web-push';
import { describe, expect, it } from 'vitest';
import { checkVapid, decryptAes128gcm } from '../support/fake-push-service';

/** The fake push service must be able to refuse: otherwise its passing tests would prove nothing. */
describe('the fake push service’s checks', () => {
  const keys = webpush.generateVAPIDKeys();
  const origin = 'https://127.0.0.1:4443';
  const header = (audience: string, privateKey = keys.privateKey) =>
    webpush.getVapidHeaders(audience, 'mailto:rathaus@musterstadt.de', keys.publicKey, privateKey, 'aes128gcm').Authorization as string;

  it('accepts a JWT signed by k for this origin', () => {
    expect(checkVapid(header(origin), origin).claims.aud).toBe(origin);
  });

  it('refuses another audience, a signature by another key, and a missing header', () => {
    expect(() => checkVapid(header('https://fcm.googleapis.com'), origin)).toThrow(/aud/);
    expect(() => checkVapid(header(origin, webpush.generateVAPIDKeys().privateKey), origin)).toThrow(/signature/);
    expect(() => checkVapid(undefined, origin)).toThrow(/no vapid/);
  });

  it('decrypts what web-push encrypted for the receiver, and nothing with another auth secret', () => {
    const receiver = createECDH('prime256v1');
    const publicKey = receiver.generateKeys();
    const auth = randomBytes(16);
    const sealed = webpush.encrypt(publicKey.toString('base64url'), auth.toString('base64url'), '{"title":"Sperrung"}', 'aes128gcm');
    expect(decryptAes128gcm(sealed.cipherText, { privateKey: receiver.getPrivateKey(), publicKey, auth }).toString('utf8')).toBe('{"title":"Sperrung"}');
    expect(() => decryptAes128gcm(sealed.cipherText, { privateKey: receiver.getPrivateKey(), publicKey, auth: randomBytes(16) })).toThrow();
  });
});
