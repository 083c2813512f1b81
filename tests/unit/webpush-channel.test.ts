import webpush from 'web-push';
import { describe, expect, it } from 'vitest';
import config from '../../server/src/config';
import { classifyWebpushError, retryAfterMs, topicOf, announcementPayload } from '../../server/src/channels/webpush';
import { toWebpushSendError, WebpushSendError, WebpushUnsupportedMessageError, WebpushVapidError } from '../../server/src/channels/webpush/webpush.errors';

const keys = webpush.generateVAPIDKeys();
const other = webpush.generateVAPIDKeys();
const withVapid = (vapid: Record<string, string>) => ({ channels: { webpush: { enabled: true, vapid: { subject: 'mailto:rathaus@musterstadt.de', ...vapid } } } });

describe('Web Push config', () => {
  it('accepts a pair made by `npx web-push generate-vapid-keys`', () => {
    expect(() => config.validator(withVapid({ publicKey: keys.publicKey, privateKey: keys.privateKey }))).not.toThrow();
  });

  it.each([
    ['a truncated public key', { publicKey: keys.publicKey.slice(0, 40), privateKey: keys.privateKey }, /publicKey must be an uncompressed P-256 public key/],
    ['a private key in standard base64 with padding', { publicKey: keys.publicKey, privateKey: `${Buffer.from(keys.privateKey, 'base64url').toString('base64')}=` }, /privateKey must be a P-256 private key/],
    ['keys of two different pairs', { publicKey: keys.publicKey, privateKey: other.privateKey }, /not one pair/],
    ['public and private swapped', { publicKey: keys.privateKey, privateKey: keys.publicKey }, /publicKey must be/],
  ])('refuses to start with %s, naming the key', (_, vapid, message) => {
    expect(() => config.validator(withVapid(vapid))).toThrow(/channels\.webpush\.vapid\.publicKey/);
    expect(() => config.validator(withVapid(vapid))).toThrow(message);
  });

  it('refuses a subject that is neither mailto: nor https:', () => {
    expect(() => config.validator(withVapid({ publicKey: keys.publicKey, privateKey: keys.privateKey, subject: 'rathaus@musterstadt.de' }))).toThrow(/channels\.webpush\.vapid\.subject/);
  });
});

describe('Web Push errors', () => {
  const fromLibrary = (statusCode: number, headers: Record<string, string> = {}) =>
    // The shape of web-push's WebPushError, endpoint included, as the library throws it.
    toWebpushSendError(Object.assign(new Error('Received unexpected response code'), { statusCode, headers, body: '', endpoint: 'https://fcm.googleapis.com/fcm/send/secret-endpoint' }));

  it('drops the endpoint from the error', () => {
    const error = fromLibrary(410);
    expect(error).toBeInstanceOf(WebpushSendError);
    expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain('secret-endpoint');
  });

  it.each([
    [410, 'permanent-recipient', 'withdrawn'],
    [404, 'permanent-recipient', 'withdrawn'],
    [500, 'retry', undefined],
    [503, 'retry', undefined],
    // A 401/403 concerns the subscription it came for (made for another VAPID key), never the channel.
    [401, 'permanent-recipient', 'undeliverable'],
    [403, 'permanent-recipient', 'undeliverable'],
    [400, 'permanent-recipient', 'undeliverable'],
  ])('classifies %i as %s', (status, errorClass, effect) => {
    const classified = classifyWebpushError(fromLibrary(status));
    expect(classified.errorClass).toBe(errorClass);
    expect(classified.recipientEffect).toBe(effect);
    expect(classified.code).toBe(String(status));
  });

  it('waits as long as Retry-After says on 429, in seconds or as a date', () => {
    expect(classifyWebpushError(fromLibrary(429, { 'retry-after': '120' }))).toMatchObject({ errorClass: 'retry-later', retryAfterMs: 120_000 });
    expect(retryAfterMs(new Date(Date.UTC(2026, 0, 1, 12, 0, 30)).toUTCString(), Date.UTC(2026, 0, 1, 12, 0, 0))).toBe(30_000);
    expect(retryAfterMs(undefined)).toBe(60_000);
  });

  it('marks nothing on the subscriber for a message kind Web Push does not carry', () => {
    expect(classifyWebpushError(new WebpushUnsupportedMessageError('text'))).toEqual({ errorClass: 'permanent-recipient', code: 'unsupported-message', message: 'Web Push sends no text messages' });
  });

  it('stops the channel only for a VAPID problem that is the town’s own', () => {
    // Keys that cannot sign: nothing any push service says matters.
    expect(classifyWebpushError(new WebpushVapidError('Vapid private key should be 32 bytes long when decoded.'))).toMatchObject({ errorClass: 'fatal-channel', code: 'vapid-keys' });
    // A 403 whose Date shows this server's clock 13 hours off: every token it signs is expired.
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const skewed = toWebpushSendError(Object.assign(new Error('Received unexpected response code'), { statusCode: 403, headers: { date: new Date(now - 13 * 3600_000).toUTCString() }, body: '' }), now);
    expect(classifyWebpushError(skewed)).toMatchObject({ errorClass: 'fatal-channel', code: '403-clock' });
    // The same 403 with clocks that agree concerns that one subscription.
    const inTime = toWebpushSendError(Object.assign(new Error('Received unexpected response code'), { statusCode: 403, headers: { date: new Date(now - 5_000).toUTCString() }, body: '' }), now);
    expect(classifyWebpushError(inTime)).toMatchObject({ errorClass: 'permanent-recipient', recipientEffect: 'undeliverable' });
  });

  it('retries network failures', () => {
    const error = toWebpushSendError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(classifyWebpushError(error)).toMatchObject({ errorClass: 'retry', code: 'ECONNREFUSED' });
  });
});

describe('Web Push payload', () => {
  const content = { title: 'Sperrung', text: 'x'.repeat(1000), url: 'https://musterstadt.de/news/sperrung', urgency: 'info' as const, topicNames: [], townName: 'Musterstadt' };
  it('keeps the text short and gives the Topic header a stable, valid value per article link', () => {
    const payload = announcementPayload(content, { icon: null, unsubscribeUrl: null, unsubscribeToken: null, locale: 'de' });
    expect(payload.body.length).toBeLessThanOrEqual(280);
    expect(payload.tag).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(topicOf(content)).toBe(payload.tag);
    expect(topicOf({ ...content, url: 'https://musterstadt.de/news/anders' })).not.toBe(payload.tag);
  });

  it('names the news a follow-up continues in the notification title', () => {
    const followUp = { kind: 'update' as const, originalTitle: 'Sperrung', originalUrl: null };
    expect(announcementPayload({ ...content, title: 'Umleitung geändert', followUp }, { icon: null, unsubscribeUrl: null, unsubscribeToken: null, locale: 'de' }).title).toBe('Update zu: Sperrung – Umleitung geändert');
    expect(announcementPayload({ ...content, followUp: { ...followUp, kind: 'all-clear' } }, { icon: null, unsubscribeUrl: null, unsubscribeToken: null, locale: 'en' }).title).toBe('All-clear: Sperrung');
  });
});
