import { describe, expect, it } from 'vitest';
import type { ClassifiedError, ErrorClass } from '../../server/src/channels/channel';
import createDispatch from '../../server/src/dispatch/dispatch.service';
import { explainFailure } from '../../server/src/announcements/failure-explanations';
import {
  classifyWhatsappError,
  MARKETING_CAP_REACHED,
  sanitizeErrorMessage,
  toWhatsappSendError,
  WhatsappResponseError,
  WhatsappSendError,
} from '../../server/src/channels/whatsapp/whatsapp.errors';
import { WhatsappPayloadError } from '../../server/src/channels/whatsapp/whatsapp.payloads';

/** Meta's synchronous error body (§1.6). */
const graphBody = (code: number, message = 'Something', details = 'Some details', extra: Record<string, unknown> = {}) => ({
  error: { message: `(#${code}) ${message}`, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details }, fbtrace_id: 'A4O5a8RAgePwbcGSu', ...extra },
});

/** Shaped like an AxiosError with a response. */
const httpError = (status: number, data: unknown) =>
  Object.assign(new Error(`Request failed with status code ${status}`), { isAxiosError: true, code: status >= 500 ? 'ERR_BAD_RESPONSE' : 'ERR_BAD_REQUEST', response: { status, data } });

/** Shaped like an AxiosError without a response. */
const networkError = (code: string, writableFinished?: boolean) =>
  Object.assign(new Error(`network ${code}`), { isAxiosError: true, code, ...(writableFinished === undefined ? {} : { request: { writableFinished } }) });

const webhookEntry = (code: number, title = 'Title') => ({ code, title, message: title, error_data: { details: `${title}.` }, href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/' });

const table: Array<[number, ErrorClass]> = [
  [130429, 'retry'],
  [131000, 'retry'],
  [131016, 'retry'],
  [131057, 'retry'],
  [1, 'retry'],
  [2, 'retry'],
  [131056, 'retry-later'],
  [4, 'retry-later'],
  [80007, 'retry-later'],
  [131049, 'retry-later'],
  [132015, 'retry-later'],
  [131026, 'permanent-recipient'],
  [131050, 'permanent-recipient'],
  [131047, 'permanent-recipient'],
  [131009, 'permanent-recipient'],
  [131008, 'permanent-recipient'],
  [100, 'permanent-recipient'],
  [131021, 'permanent-recipient'],
  [131030, 'permanent-recipient'],
  [132000, 'permanent-announcement'],
  [132001, 'permanent-announcement'],
  [132005, 'permanent-announcement'],
  [132007, 'permanent-announcement'],
  [132012, 'permanent-announcement'],
  [132016, 'permanent-announcement'],
  [131053, 'permanent-announcement'],
  [0, 'fatal-channel'],
  [3, 'fatal-channel'],
  [10, 'fatal-channel'],
  [190, 'fatal-channel'],
  [200, 'fatal-channel'],
  [250, 'fatal-channel'],
  [299, 'fatal-channel'],
  [368, 'fatal-channel'],
  [131031, 'fatal-channel'],
  [131042, 'fatal-channel'],
  [131045, 'fatal-channel'],
  [133010, 'fatal-channel'],
  [131048, 'fatal-channel'],
];

describe('classifyWhatsappError: Meta codes', () => {
  it.each(table)('code %i → %s, from an HTTP error response', (code, errorClass) => {
    // A status that contradicts the class on purpose: the code decides, not the status.
    const classified = classifyWhatsappError(httpError(errorClass === 'retry' ? 400 : 500, graphBody(code)));
    expect(classified.errorClass).toBe(errorClass);
    expect(classified.code).toBe(String(code));
    expect(classified.ambiguous).toBeUndefined();
  });

  it.each(table)('code %i → %s, from a webhook errors[] entry', (code, errorClass) => {
    expect(classifyWhatsappError(webhookEntry(code)).errorClass).toBe(errorClass);
  });

  it('reads a bare Graph error body too', () => {
    expect(classifyWhatsappError(graphBody(131026))).toMatchObject({ errorClass: 'permanent-recipient', code: '131026' });
  });

  it('accepts codes sent as strings', () => {
    expect(classifyWhatsappError({ code: '131056', title: 'pair rate limit hit' }).errorClass).toBe('retry-later');
  });

  it('gives the delays Meta asks for', () => {
    expect(classifyWhatsappError(webhookEntry(131056)).retryAfterMs).toBe(6000);
    expect(classifyWhatsappError(webhookEntry(131049)).retryAfterMs).toBe(24 * 3600_000);
    expect(classifyWhatsappError(webhookEntry(132015)).retryAfterMs).toBe(3 * 3600_000);
    expect(classifyWhatsappError(webhookEntry(4)).retryAfterMs).toBe(15 * 60_000);
    expect(classifyWhatsappError(webhookEntry(80007)).retryAfterMs).toBe(15 * 60_000);
  });

  it('says what the error means for the recipient', () => {
    expect(classifyWhatsappError(webhookEntry(131026)).recipientEffect).toBe('undeliverable');
    expect(classifyWhatsappError(webhookEntry(131050)).recipientEffect).toBe('marketing-stopped');
    expect(classifyWhatsappError(webhookEntry(131049)).recipientEffect).toBeUndefined();
    expect(classifyWhatsappError(webhookEntry(131047)).recipientEffect).toBeUndefined();
  });

  it('stops the channel when code 100 says the phone-number object does not exist', () => {
    const body = { error: { message: 'Unsupported post request. Object with ID \'106540352242922\' does not exist', type: 'GraphMethodException', code: 100, error_subcode: 33 } };
    const classified = classifyWhatsappError(httpError(400, body));
    expect(classified.errorClass).toBe('fatal-channel');
    expect(classified.message).not.toContain('106540352242922');
  });

  it('retries an unknown code (bounded by the queue) rather than dropping the message', () => {
    expect(classifyWhatsappError(httpError(400, graphBody(987654)))).toMatchObject({ errorClass: 'retry', code: '987654' });
    expect(classifyWhatsappError(webhookEntry(135000))).toMatchObject({ errorClass: 'retry', code: '135000' });
  });
});

describe('classifyWhatsappError: transport failures', () => {
  it('retries a 5xx without a Graph error code', () => {
    expect(classifyWhatsappError(httpError(502, '<html>Bad Gateway</html>'))).toMatchObject({ errorClass: 'retry', code: 'http-502' });
  });

  it('stops the channel on a non-Graph 4xx (proxy or wrong base URL) instead of failing every recipient', () => {
    expect(classifyWhatsappError(httpError(404, 'Not Found'))).toMatchObject({ errorClass: 'fatal-channel', code: 'http-404' });
  });

  it('retries when the connection was refused: nothing was sent', () => {
    expect(classifyWhatsappError(networkError('ECONNREFUSED', false))).toMatchObject({ errorClass: 'retry', code: 'ECONNREFUSED' });
    expect(classifyWhatsappError(networkError('ENOTFOUND'))).toMatchObject({ errorClass: 'retry', code: 'ENOTFOUND' });
  });

  it('retries a reset that happened before the body was sent', () => {
    const classified = classifyWhatsappError(networkError('ECONNRESET', false));
    expect(classified).toMatchObject({ errorClass: 'retry', code: 'ECONNRESET' });
    expect(classified.ambiguous).toBeUndefined();
  });

  it('treats a reset after the body was sent as ambiguous', () => {
    expect(classifyWhatsappError(networkError('ECONNRESET', true))).toMatchObject({ errorClass: 'retry-later', ambiguous: true });
  });

  it('treats a timeout after sending as ambiguous, waiting for the status webhook', () => {
    for (const code of ['ECONNABORTED', 'ETIMEDOUT']) {
      const classified = classifyWhatsappError(networkError(code, true));
      expect(classified).toMatchObject({ errorClass: 'retry-later', code: 'timeout', ambiguous: true });
      expect(classified.retryAfterMs).toBeGreaterThanOrEqual(15 * 60_000);
    }
  });

  it('treats a timeout as ambiguous when it is unknown whether the body left', () => {
    expect(classifyWhatsappError(networkError('ECONNABORTED'))).toMatchObject({ code: 'timeout', ambiguous: true });
  });

  it('retries a connect timeout: the body never left', () => {
    expect(classifyWhatsappError(networkError('ETIMEDOUT', false))).toMatchObject({ errorClass: 'retry', code: 'ETIMEDOUT' });
  });

  it('treats a 2xx without a message id as ambiguous', () => {
    expect(classifyWhatsappError(new WhatsappResponseError())).toMatchObject({ errorClass: 'retry-later', ambiguous: true, code: 'no-message-id' });
  });

  it('fails the announcement when its URL does not fit the template', () => {
    const classified = classifyWhatsappError(new WhatsappPayloadError('url-prefix-mismatch', 'The announcement URL does not start with the URL button prefix.'));
    expect(classified).toMatchObject({ errorClass: 'permanent-announcement', code: 'payload:url-prefix-mismatch' });
  });

  it('retries our own unexpected errors (bounded), with code unknown', () => {
    expect(classifyWhatsappError(new TypeError('x is undefined'))).toMatchObject({ errorClass: 'retry', code: 'unknown' });
    expect(classifyWhatsappError('weird')).toMatchObject({ errorClass: 'retry', code: 'unknown' });
  });
});

describe('toWhatsappSendError', () => {
  it('drops the axios config (with the bearer token) and keeps what classification needs', () => {
    const axiosLike = Object.assign(httpError(400, graphBody(131056)), { config: { headers: { Authorization: 'Bearer EAAGsecretsecretsecret' } } });
    const stripped = toWhatsappSendError(axiosLike, ['EAAGsecretsecretsecret']);
    expect(stripped).toBeInstanceOf(WhatsappSendError);
    expect(JSON.stringify(stripped)).not.toContain('EAAG');
    expect(classifyWhatsappError(stripped)).toMatchObject({ errorClass: 'retry-later', code: '131056' });
    const timeout = toWhatsappSendError(networkError('ECONNABORTED', true));
    expect(classifyWhatsappError(timeout)).toMatchObject({ ambiguous: true, code: 'timeout' });
  });

  it('passes other errors through unchanged', () => {
    const error = new WhatsappPayloadError('url-missing', 'no url');
    expect(toWhatsappSendError(error)).toBe(error);
  });
});

describe('classified messages are safe to show', () => {
  it('uses Meta title and details', () => {
    const classified = classifyWhatsappError(httpError(400, graphBody(131056, '(Business Account, Consumer Account) pair rate limit hit', 'Too many messages to the same phone number.')));
    expect(classified.message).toContain('pair rate limit hit');
    expect(classified.message).toContain('Too many messages');
  });

  it('removes phone numbers, in any notation', () => {
    const details = 'Recipient 4915123456789 / +49 151 23456789 / (0151) 234-5678 is not on WhatsApp';
    const classified = classifyWhatsappError(webhookEntry(131026, details));
    expect(classified.message).not.toMatch(/\d{7,}/);
    expect(classified.message).not.toContain('23456789');
    expect(classified.message).not.toContain('234-5678');
    expect(classified.message).toContain('is not on WhatsApp');
  });

  it('removes tokens and configured secrets', () => {
    const token = 'EAAGm0PX4ZCpsBAKZAnotarealtokenZBZCZAZDZD';
    const body = graphBody(190, `Error validating access token ${token}`, `Bearer ${token} expired; app secret s3cr3t-app`);
    const classified = classifyWhatsappError(httpError(401, body), ['s3cr3t-app']);
    expect(classified.message).not.toContain(token);
    expect(classified.message).not.toContain('EAAG');
    expect(classified.message).not.toContain('s3cr3t-app');
  });

  it('keeps short numbers such as error codes readable', () => {
    expect(sanitizeErrorMessage('(#131056) retry after 6 s')).toBe('(#131056) retry after 6 s');
  });

  it('bounds the message length', () => {
    expect(sanitizeErrorMessage('word '.repeat(500)).length).toBeLessThanOrEqual(300);
  });
});

/** Issue #14: Meta's 2026 rules for marketing templates, code by code (reference §12). */
describe('WhatsApp error policy for marketing templates', () => {
  const policy = { marketingCapRetries: 3, marketingCapWaitMs: 5_000 };
  const verdictOf = (error: ClassifiedError, limitedHolds: number) => createDispatch({ strapi: {} as never }).verdict(error, 0, 6, 60_000, limitedHolds);

  it('131049 (per-user marketing cap) waits 24 hours, at most twice by default, then gives up as marketing-cap-reached', () => {
    const capped = classifyWhatsappError(graphBody(131049, 'This message was not delivered to maintain healthy ecosystem engagement.'));
    expect(capped).toMatchObject({ errorClass: 'retry-later', retryAfterMs: 24 * 3600_000, holdLimit: { max: 2, exhaustedCode: MARKETING_CAP_REACHED } });
    expect(verdictOf(capped, 0)).toMatchObject({ kind: 'hold', limited: true });
    expect(verdictOf(capped, 1)).toMatchObject({ kind: 'hold', limited: true });
    expect(verdictOf(capped, 2)).toEqual({ kind: 'failed', recipientEffect: undefined, code: 'marketing-cap-reached', errorClass: 'permanent-recipient' });
  });

  it('131049 follows the town’s marketingCapRetries and wait', () => {
    const capped = classifyWhatsappError(webhookEntry(131049), [], policy);
    expect(capped).toMatchObject({ retryAfterMs: 5_000, holdLimit: { max: 3 } });
    expect(verdictOf(capped, 2).kind).toBe('hold');
    expect(verdictOf(capped, 3).kind).toBe('failed');
    expect(verdictOf(classifyWhatsappError(webhookEntry(131049), [], { ...policy, marketingCapRetries: 0 }), 0).kind).toBe('failed');
  });

  it('other waits stay unlimited: the pair limit and a paused template never use up the cap counter', () => {
    for (const code of [131056, 132015, 4]) {
      const error = classifyWhatsappError(webhookEntry(code), [], policy);
      expect(error.holdLimit).toBeUndefined();
      const verdict = verdictOf(error, 99);
      expect(verdict.kind).toBe('hold');
      expect(verdict).not.toHaveProperty('limited');
    }
  });

  it('130472 (Meta’s marketing experiment) and 131026 (no working WhatsApp) end the delivery and mark the number unreachable', () => {
    for (const code of [130472, 131026]) {
      const error = classifyWhatsappError(webhookEntry(code));
      expect(error).toMatchObject({ errorClass: 'permanent-recipient', recipientEffect: 'undeliverable' });
      expect(verdictOf(error, 0)).toEqual({ kind: 'failed', recipientEffect: 'undeliverable' });
    }
  });

  it('131050 (the citizen stopped marketing from the town) ends the delivery and marks marketing stopped, never retried', () => {
    const error = classifyWhatsappError(webhookEntry(131050));
    expect(error).toMatchObject({ errorClass: 'permanent-recipient', recipientEffect: 'marketing-stopped' });
    expect(verdictOf(error, 0)).toEqual({ kind: 'failed', recipientEffect: 'marketing-stopped' });
  });

  it('explains marketing-cap-reached in German and English', () => {
    expect(explainFailure('whatsapp', MARKETING_CAP_REACHED, 'permanent-recipient', 'de')).toMatch(/Obergrenze von Meta/);
    expect(explainFailure('whatsapp', MARKETING_CAP_REACHED, 'permanent-recipient', 'en')).toMatch(/marketing limit/);
  });
});
