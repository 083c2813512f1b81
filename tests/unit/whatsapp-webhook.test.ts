import { describe, expect, it } from 'vitest';
import type { ChannelEvent } from '../../server/src/channels/channel';
import { createWhatsappWebhook } from '../../server/src/channels/whatsapp/whatsapp.webhook';
import {
  accountErrorWebhook,
  buttonReplyWebhook,
  inboundTextWebhook,
  interactiveReplyWebhook,
  signedWebhookRequest,
  signWebhook,
  statusWebhook,
  toMetaJson,
  userIdUpdateWebhook,
  userPreferenceWebhook,
} from '../support/fake-whatsapp-cloud-api';

const appSecret = 'app-secret-for-tests';
const verifyToken = 'verify-me-please';
const fixedNow = new Date('2026-03-14T10:00:00Z');
const webhook = createWhatsappWebhook({ appSecret, verifyToken }, () => fixedNow);

const ofType = <T extends ChannelEvent['type']>(events: ChannelEvent[], type: T) => events.filter((event): event is Extract<ChannelEvent, { type: T }> => event.type === type);

describe('handshake', () => {
  const query = (overrides: Record<string, unknown> = {}) => ({ 'hub.mode': 'subscribe', 'hub.verify_token': verifyToken, 'hub.challenge': '1158201444', ...overrides });

  it('echoes the challenge for the right token', () => {
    expect(webhook.handshake(query())).toBe('1158201444');
  });

  it('refuses a wrong token, a wrong mode or a missing challenge', () => {
    expect(webhook.handshake(query({ 'hub.verify_token': 'verify-me-pleasE' }))).toBeNull();
    expect(webhook.handshake(query({ 'hub.verify_token': 'short' }))).toBeNull();
    expect(webhook.handshake(query({ 'hub.verify_token': undefined }))).toBeNull();
    expect(webhook.handshake(query({ 'hub.mode': 'unsubscribe' }))).toBeNull();
    expect(webhook.handshake(query({ 'hub.challenge': '' }))).toBeNull();
  });

  it('refuses everything when no verify token is configured', () => {
    const open = createWhatsappWebhook({ appSecret, verifyToken: '' });
    expect(open.handshake(query({ 'hub.verify_token': '' }))).toBeNull();
  });

  it('understands repeated and dot-nested query parameters', () => {
    expect(webhook.handshake(query({ 'hub.challenge': ['42', '43'] }))).toBe('42');
    expect(webhook.handshake({ hub: { mode: 'subscribe', verify_token: verifyToken, challenge: '7' } })).toBe('7');
  });
});

describe('verify', () => {
  const payload = inboundTextWebhook('4915123456789', 'Grüße aus der Königstraße – siehe https://musterstadt.de/news', { profileName: 'Jürgen Müßig' });
  const { rawBody, headers } = signedWebhookRequest(payload, appSecret);

  it('the fake serialises like Meta: \\uXXXX lowercase and \\/', () => {
    expect(rawBody).toContain('Gr\\u00fc\\u00dfe');
    expect(rawBody).toContain('\\u2013');
    expect(rawBody).toContain('https:\\/\\/musterstadt.de\\/news');
    expect(JSON.parse(rawBody)).toEqual(payload);
    expect(rawBody).not.toBe(JSON.stringify(payload));
  });

  it('accepts the signature over the raw body, as string or Buffer', () => {
    expect(webhook.verify(rawBody, headers)).toBe(true);
    expect(webhook.verify(Buffer.from(rawBody, 'utf8'), headers)).toBe(true);
    expect(webhook.verify(rawBody, { 'X-Hub-Signature-256': headers['x-hub-signature-256'] })).toBe(true);
  });

  it('rejects a re-serialised body (the umlaut and slash bug)', () => {
    expect(webhook.verify(JSON.stringify(JSON.parse(rawBody)), headers)).toBe(false);
  });

  it('rejects a tampered body or a different secret', () => {
    expect(webhook.verify(rawBody.replace('Gr', 'gr'), headers)).toBe(false);
    expect(webhook.verify(rawBody, { 'x-hub-signature-256': signWebhook(rawBody, 'other-secret') })).toBe(false);
  });

  it('rejects missing, malformed or wrong-length signatures', () => {
    const good = headers['x-hub-signature-256'];
    expect(webhook.verify(rawBody, {})).toBe(false);
    expect(webhook.verify(rawBody, { 'x-hub-signature-256': undefined })).toBe(false);
    expect(webhook.verify(rawBody, { 'x-hub-signature-256': good.replace('sha256=', 'sha1=') })).toBe(false);
    expect(webhook.verify(rawBody, { 'x-hub-signature-256': good.slice(0, -2) })).toBe(false);
    expect(webhook.verify(rawBody, { 'x-hub-signature-256': `${good}00` })).toBe(false);
    expect(webhook.verify(rawBody, { 'x-hub-signature-256': `sha256=${'z'.repeat(64)}` })).toBe(false);
    expect(webhook.verify(rawBody, { 'x-hub-signature-256': 'sha256=' })).toBe(false);
  });

  it('rejects everything when no app secret is configured', () => {
    const unsigned = createWhatsappWebhook({ appSecret: '', verifyToken });
    expect(unsigned.verify(rawBody, { 'x-hub-signature-256': signWebhook(rawBody, '') })).toBe(false);
  });
});

describe('parse', () => {
  it('maps a batched status webhook, ignoring statuses that say nothing about delivery', () => {
    const events = webhook.parse(
      statusWebhook([
        { id: 'wamid.A', status: 'sent', recipientDigits: '4915123456789', timestamp: 1773482401, deliveryRef: 'd:1' },
        { id: 'wamid.B', status: 'read', recipientDigits: '491711234567', timestamp: 1773482405 },
        { id: 'wamid.C', status: 'played', recipientDigits: '491711234567', timestamp: 1773482406 },
        { id: 'wamid.D', status: 'delivered', recipientDigits: '491711234567', timestamp: 1773482407, deliveryRef: 'd:3' },
      ])
    );
    expect(events).toEqual([
      { type: 'status', providerMessageId: 'wamid.A', status: 'sent', at: new Date(1773482401 * 1000), deliveryRef: 'd:1', pricing: { billable: true, model: 'PMP', category: 'utility' } },
      { type: 'status', providerMessageId: 'wamid.B', status: 'read', at: new Date(1773482405 * 1000) },
      { type: 'status', providerMessageId: 'wamid.D', status: 'delivered', at: new Date(1773482407 * 1000), deliveryRef: 'd:3' },
    ]);
  });

  it('classifies the error of a failed status', () => {
    const [stopped, capped] = ofType(
      webhook.parse(
        statusWebhook([
          { id: 'wamid.F', status: 'failed', recipientDigits: '491601234567', deliveryRef: 'd:4', errors: [{ code: 131050, title: 'This recipient has chosen to stop receiving marketing messages' }] },
          { id: 'wamid.G', status: 'failed', recipientDigits: '491601234568', errors: [{ code: 131049, title: 'healthy ecosystem engagement' }] },
        ])
      ),
      'status'
    );
    expect(stopped).toMatchObject({ status: 'failed', deliveryRef: 'd:4', error: { errorClass: 'permanent-recipient', code: '131050', recipientEffect: 'marketing-stopped' } });
    expect(capped.error).toMatchObject({ errorClass: 'retry-later', code: '131049' });
  });

  it('gives a failed status without errors a retryable unknown error', () => {
    const [event] = ofType(webhook.parse(statusWebhook([{ id: 'wamid.H', status: 'failed', recipientDigits: '4915123456789' }])), 'status');
    expect(event.error).toMatchObject({ errorClass: 'retry', code: 'unknown' });
  });

  it('reads pricing: `type` decides what is charged, `billable` only when `type` is missing', () => {
    const events = ofType(
      webhook.parse(
        statusWebhook([
          { id: 'wamid.P1', status: 'sent', recipientDigits: '4915123456789', pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'MARKETING' } },
          { id: 'wamid.P2', status: 'delivered', recipientDigits: '4915123456789', pricing: { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' } },
          { id: 'wamid.P3', status: 'sent', recipientDigits: '4915123456789', pricing: { billable: true, pricing_model: 'PMP', category: 'utility' } },
          { id: 'wamid.P4', status: 'read', recipientDigits: '4915123456789', pricing: null },
        ])
      ),
      'status'
    );
    expect(events.map((event) => event.pricing)).toEqual([
      { billable: true, model: 'PMP', category: 'marketing' },
      { billable: false, model: 'PMP', category: 'service' },
      { billable: true, model: 'PMP', category: 'utility' },
      undefined,
    ]);
  });

  it('maps a v25+ message from a citizen with a username and no number to their BSUID', () => {
    const events = webhook.parse(inboundTextWebhook('', 'STOP', { id: 'wamid.U', timestamp: 1773482400, userId: 'DE.13491208655302741918', username: 'erika.m' }));
    expect(events).toEqual([
      { type: 'message', providerMessageId: 'wamid.U', from: 'DE.13491208655302741918', userId: 'DE.13491208655302741918', at: new Date(1773482400 * 1000), text: 'STOP', profileName: 'Erika Mustermann' },
    ]);
  });

  it('keeps the number as the address when a v25+ message carries both, and the BSUID beside it', () => {
    const [event] = ofType(webhook.parse(inboundTextWebhook('4915123456789', 'HILFE', { userId: 'DE.4242' })), 'message');
    expect(event).toMatchObject({ from: '+4915123456789', userId: 'DE.4242' });
  });

  it("reads `wa_id: \"\"` (Meta's empty string for a hidden number) as no number", () => {
    const payload = inboundTextWebhook('', 'START ABC234', { userId: 'US.9988' }) as { entry: Array<{ changes: Array<{ value: { contacts: Array<Record<string, unknown>>; messages: Array<Record<string, unknown>> } }> }> };
    payload.entry[0].changes[0].value.contacts[0].wa_id = '';
    payload.entry[0].changes[0].value.messages[0].from = '';
    const [event] = ofType(webhook.parse(payload), 'message');
    expect(event).toMatchObject({ from: 'US.9988', userId: 'US.9988', text: 'START ABC234' });
  });

  it('drops a message that names nobody (neither number nor BSUID)', () => {
    expect(webhook.parse(inboundTextWebhook('', 'STOP'))).toEqual([]);
  });

  it('maps user_id_update and a username-only marketing stop', () => {
    expect(webhook.parse(userIdUpdateWebhook('DE.111', 'DE.222', { timestamp: 1773482400 }))).toEqual([
      { type: 'user-id-update', previous: 'DE.111', current: 'DE.222', at: new Date(1773482400 * 1000) },
    ]);
    expect(webhook.parse(userIdUpdateWebhook('DE.111', 'not a bsuid'))).toEqual([]);
    const [preference] = ofType(webhook.parse(userPreferenceWebhook('', 'stop', { userId: 'DE.333' })), 'preference');
    expect(preference).toMatchObject({ from: 'DE.333', userId: 'DE.333', value: 'stop' });
  });

  it('maps an inbound text with the sender in E.164 and the profile name', () => {
    const events = webhook.parse(inboundTextWebhook('4915123456789', 'STOPP', { id: 'wamid.IN', timestamp: 1773482400, profileName: 'Erika Mustermann' }));
    expect(events).toEqual([{ type: 'message', providerMessageId: 'wamid.IN', from: '+4915123456789', at: new Date(1773482400 * 1000), text: 'STOPP', profileName: 'Erika Mustermann' }]);
  });

  it('maps a quick-reply tap to its payload, not its label', () => {
    const [event] = ofType(webhook.parse(buttonReplyWebhook('4915123456789', 'CONFIRM:tok_abc', { label: 'Ja, anmelden' })), 'message');
    expect(event.buttonPayload).toBe('CONFIRM:tok_abc');
    expect(event.text).toBeUndefined();
    expect(event.from).toBe('+4915123456789');
  });

  it('maps an interactive reply to the button id', () => {
    const [event] = ofType(webhook.parse(interactiveReplyWebhook('4915123456789', 'confirm-optin', 'Ja, anmelden')), 'message');
    expect(event.buttonPayload).toBe('confirm-optin');
  });

  it('still reports a message of a type we do not read (so it can be answered)', () => {
    const payload = inboundTextWebhook('4915123456789', 'x');
    const message = payload.entry[0].changes[0].value.messages[0] as Record<string, unknown>;
    delete message.text;
    message.type = 'image';
    message.image = { id: 'media-1', mime_type: 'image/jpeg' };
    const [event] = ofType(webhook.parse(payload), 'message');
    expect(event).toMatchObject({ from: '+4915123456789' });
    expect(event.text).toBeUndefined();
  });

  it('maps marketing stop and resume preferences', () => {
    expect(webhook.parse(userPreferenceWebhook('4915123456789', 'stop', { timestamp: 1773482500 }))).toEqual([
      { type: 'preference', from: '+4915123456789', value: 'stop', at: new Date(1773482500 * 1000) },
    ]);
    expect(ofType(webhook.parse(userPreferenceWebhook('4915123456789', 'resume')), 'preference')[0].value).toBe('resume');
  });

  it('maps account-level errors', () => {
    expect(webhook.parse(accountErrorWebhook([{ code: 130429, title: 'Rate limit hit' }]))).toEqual([
      { type: 'account-error', at: fixedNow, error: expect.objectContaining({ errorClass: 'retry', code: '130429' }) },
    ]);
  });

  it('skips a malformed item without losing the rest of the batch', () => {
    const payload = statusWebhook([
      { id: 'wamid.OK1', status: 'delivered', recipientDigits: '4915123456789', timestamp: 1773482401 },
      { id: 'wamid.BAD', status: 'delivered', recipientDigits: '4915123456789', timestamp: 1773482402 },
      { id: 'wamid.OK2', status: 'read', recipientDigits: '4915123456789', timestamp: 1773482403 },
    ]);
    const value = payload.entry[0].changes[0].value as { statuses: Array<Record<string, unknown>> };
    value.statuses[1].timestamp = 'yesterday';
    const second = inboundTextWebhook('4915123456789', 'Hallo');
    const brokenEntry = { id: 'x', changes: 'not-an-array' };
    const brokenChange = { field: 'messages' };
    const batch = { ...payload, entry: [...payload.entry, brokenEntry, { id: 'y', changes: [brokenChange, ...second.entry[0].changes] }] };
    const events = webhook.parse(JSON.parse(toMetaJson(batch)));
    expect(ofType(events, 'status').map((event) => event.providerMessageId)).toEqual(['wamid.OK1', 'wamid.OK2']);
    expect(ofType(events, 'message')).toHaveLength(1);
  });

  it('skips a message without a phone number (username-only sender)', () => {
    const payload = inboundTextWebhook('4915123456789', 'Hallo');
    (payload.entry[0].changes[0].value.messages[0] as Record<string, unknown>).from = '';
    expect(webhook.parse(payload)).toEqual([]);
  });

  it('returns nothing for other objects or garbage', () => {
    expect(webhook.parse({ ...statusWebhook([{ id: 'wamid.A', status: 'sent', recipientDigits: '4915123456789' }]), object: 'page' })).toEqual([]);
    expect(webhook.parse(null)).toEqual([]);
    expect(webhook.parse('{"entry":[]}')).toEqual([]);
    expect(webhook.parse({ entry: [] })).toEqual([]);
  });
});
