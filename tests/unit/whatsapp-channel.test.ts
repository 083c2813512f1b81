import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AnnouncementContent, Channel, ChannelLogger, ClassifiedError, OutboundMessage } from '../../server/src/channels/channel';
import { createWhatsappChannel } from '../../server/src/channels/whatsapp';
import type { TemplateMessageRequest, TextMessageRequest, WhatsappMessageRequest } from '../../server/src/channels/whatsapp/whatsapp.payloads';
import { whatsappConfigSchema, type WhatsappConfig } from '../../server/src/config/schema';
import { startFakeWhatsappCloudApi, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';

const accessToken = 'EAAGfaketokenForUnitTests0123456789abcdef';
const phoneNumberId = '106540352242922';
const citizen = '+4915123456789';
const citizenDigits = '4915123456789';

const content: AnnouncementContent = {
  title: 'Stadtfest am Samstag',
  text: 'Ab 14 Uhr auf dem Marktplatz.\nMit Musik.',
  url: 'https://musterstadt.de/news/stadtfest',
  urgency: 'info',
  topicNames: ['Kultur'],
  townName: 'Musterstadt',
};
const announcement: OutboundMessage = { kind: 'announcement', to: citizen, deliveryRef: 'd:7', content };

const silentLog = (): ChannelLogger & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, info: (line) => lines.push(line), warn: (line) => lines.push(line), error: (line) => lines.push(line) };
};

let fake: FakeCloudApi;
const channels: Channel[] = [];

function configFor(overrides: Record<string, unknown> = {}): WhatsappConfig {
  return whatsappConfigSchema.parse({ accessToken, phoneNumberId, baseUrl: fake.baseUrl, apiVersion: 'v24.0', requestTimeoutMs: 2000, ...overrides });
}

function liveChannel(overrides: Record<string, unknown> = {}, log = silentLog()): Channel {
  const channel = createWhatsappChannel({
    config: configFor(overrides),
    log,
    sandbox: false,
    sandboxRecorder: () => Promise.reject(new Error('live mode must not record')),
  });
  channels.push(channel);
  return channel;
}

/** Sends and returns the classified error; fails the test if the send succeeds. */
async function sendExpectingError(channel: Channel, message: OutboundMessage = announcement): Promise<{ error: unknown; classified: ClassifiedError }> {
  const error = await channel.send(message).then(
    () => {
      throw new Error('expected the send to fail');
    },
    (caught: unknown) => caught
  );
  return { error, classified: channel.classifyError(error) };
}

/** The body the fake received last, typed as what the adapter is expected to have sent. */
const lastBody = <Body extends WhatsappMessageRequest = TemplateMessageRequest>() => fake.requests[fake.requests.length - 1].body as Body;

beforeAll(async () => {
  fake = await startFakeWhatsappCloudApi({ accessToken, phoneNumberId });
});

afterEach(async () => {
  fake.reset();
  await Promise.all(channels.splice(0).map((channel) => channel.close?.()));
});

afterAll(async () => {
  await fake.close();
});

describe('live sending', () => {
  it('POSTs the template to /{version}/{phoneNumberId}/messages with the bearer token and returns the wamid', async () => {
    const channel = liveChannel();
    expect(channel.mode).toBe('live');
    const result = await channel.send(announcement);
    expect(result.providerMessageId).toMatch(/^wamid\./);
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/v24.0/${phoneNumberId}/messages`);
    expect(request.headers['content-type']).toContain('application/json');
    expect(request.response?.status).toBe(200);
    expect(request.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: citizenDigits,
      biz_opaque_callback_data: 'd:7',
      type: 'template',
      template: {
        name: 'town_news',
        language: { code: 'de' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Stadtfest am Samstag' },
              { type: 'text', text: 'Ab 14 Uhr auf dem Marktplatz. Mit Musik.' },
            ],
          },
        ],
      },
    });
  });

  it('reuses one keep-alive connection for consecutive sends', async () => {
    const channel = liveChannel();
    await channel.send(announcement);
    await channel.send(announcement);
    expect(fake.requests.map((request) => request.headers.connection)).toEqual(['keep-alive', 'keep-alive']);
    expect(fake.requests[1].connectionId).toBe(fake.requests[0].connectionId);
  });

  it('sends named parameters and the URL button suffix', async () => {
    const channel = liveChannel({
      templates: {
        announcement: {
          name: 'stadt_info_meldung',
          header: [{ name: 'titel', source: 'title' }],
          body: [
            { name: 'stadt', source: 'town' },
            { name: 'text', source: 'text' },
          ],
          urlButtonIndex: 0,
          urlButtonPrefix: 'https://musterstadt.de/',
        },
      },
    });
    await channel.send(announcement);
    const { components } = lastBody().template;
    expect(components).toEqual([
      { type: 'header', parameters: [{ type: 'text', parameter_name: 'titel', text: 'Stadtfest am Samstag' }] },
      {
        type: 'body',
        parameters: [
          { type: 'text', parameter_name: 'stadt', text: 'Musterstadt' },
          { type: 'text', parameter_name: 'text', text: 'Ab 14 Uhr auf dem Marktplatz. Mit Musik.' },
        ],
      },
      { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'news/stadtfest' }] },
    ]);
  });

  it('sends the confirmation with CONFIRM:<token> as quick-reply payload', async () => {
    const channel = liveChannel({ templates: { confirmation: { name: 'town_news_optin', quickReplyIndex: 1, body: [{ source: 'town' }] } } });
    await channel.send({ kind: 'confirmation', to: citizen, token: 'k7Qx9', townName: 'Musterstadt' });
    const body = lastBody();
    expect(body.to).toBe(citizenDigits);
    expect(body.template.name).toBe('town_news_optin');
    expect(body.template.components).toContainEqual({ type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'CONFIRM:k7Qx9' }] });
  });

  it('sends free text with link preview, cut to what Meta accepts', async () => {
    const channel = liveChannel();
    await channel.send({ kind: 'text', to: citizen, text: `Hallo ${'x'.repeat(5000)}` });
    const body = lastBody<TextMessageRequest>();
    expect(body.type).toBe('text');
    expect(body.text.preview_url).toBe(true);
    expect(body.text.body).toHaveLength(4096);
    expect(fake.requests[0].response?.status).toBe(200);
  });

  it('close() releases the kept-alive connections', async () => {
    await vi.waitFor(() => expect(fake.openConnections()).toBe(0), { timeout: 2000 });
    const channel = liveChannel();
    await channel.send(announcement);
    expect(fake.openConnections()).toBe(1);
    await channel.close?.();
    await vi.waitFor(() => expect(fake.openConnections()).toBe(0), { timeout: 2000 });
  });
});

describe('errors end to end', () => {
  it('131056 pair rate limit → retry-later after 6 s', async () => {
    fake.failNext(citizen, {
      status: 400,
      code: 131056,
      message: '(Business Account, Consumer Account) pair rate limit hit',
      details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
      subcode: 2494071,
    });
    const { classified } = await sendExpectingError(liveChannel());
    expect(classified).toMatchObject({ errorClass: 'retry-later', code: '131056', retryAfterMs: 6000 });
    expect(classified.message).toContain('pair rate limit hit');
  });

  it('scripted failures only hit the matching recipient and run out', async () => {
    const channel = liveChannel();
    fake.failNext('+491711234567', { status: 400, code: 131026, message: 'Message undeliverable' });
    await expect(channel.send(announcement)).resolves.toBeDefined();
    const { classified } = await sendExpectingError(channel, { ...announcement, to: '+491711234567' });
    expect(classified).toMatchObject({ errorClass: 'permanent-recipient', code: '131026', recipientEffect: 'undeliverable' });
    await expect(channel.send({ ...announcement, to: '+491711234567' })).resolves.toBeDefined();
  });

  it('a wrong access token → 190 → fatal-channel', async () => {
    const { classified } = await sendExpectingError(liveChannel({ accessToken: 'EAAGwrongtoken000000000000000000000000' }));
    expect(fake.requests[0].response?.status).toBe(401);
    expect(classified).toMatchObject({ errorClass: 'fatal-channel', code: '190' });
  });

  it('a wrong phone-number id → fatal-channel, not a per-recipient failure', async () => {
    const { classified } = await sendExpectingError(liveChannel({ phoneNumberId: '999999999999999' }));
    expect(classified).toMatchObject({ errorClass: 'fatal-channel', code: '100' });
  });

  it('132001 template missing → permanent-announcement', async () => {
    fake.failNext(() => true, { status: 404, code: 132001, message: 'Template name does not exist in the translation', details: 'template name (town_news) does not exist in de' });
    const { classified } = await sendExpectingError(liveChannel());
    expect(classified).toMatchObject({ errorClass: 'permanent-announcement', code: '132001' });
  });

  it('131026 undeliverable → permanent-recipient, recipient marked undeliverable', async () => {
    fake.failNext(citizenDigits, { status: 400, code: 131026, message: 'Message undeliverable', details: `Message Undeliverable to ${citizenDigits}.` });
    const { classified } = await sendExpectingError(liveChannel());
    expect(classified).toMatchObject({ errorClass: 'permanent-recipient', code: '131026', recipientEffect: 'undeliverable' });
  });

  it('the code decides, not the HTTP status: 131000 on a 400 is still retried', async () => {
    fake.failNext(citizen, { status: 400, code: 131000, message: 'Something went wrong' });
    expect((await sendExpectingError(liveChannel())).classified.errorClass).toBe('retry');
  });

  it('a timeout after the request was sent is ambiguous and not retried right away', async () => {
    fake.hangNext(citizen);
    const { classified } = await sendExpectingError(liveChannel({ requestTimeoutMs: 200 }));
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0].body).toMatchObject({ to: citizenDigits });
    expect(classified).toMatchObject({ errorClass: 'retry-later', code: 'timeout', ambiguous: true });
    expect(classified.retryAfterMs).toBeGreaterThanOrEqual(15 * 60_000);
  });

  it('a connection reset after the request was sent is ambiguous too', async () => {
    fake.dropNext(citizen);
    const { classified } = await sendExpectingError(liveChannel());
    expect(classified).toMatchObject({ errorClass: 'retry-later', ambiguous: true });
  });

  it('a refused connection is retried: nothing was sent', async () => {
    const { classified } = await sendExpectingError(liveChannel({ baseUrl: 'http://127.0.0.1:1' }));
    expect(classified).toMatchObject({ errorClass: 'retry', code: 'ECONNREFUSED' });
    expect(classified.ambiguous).toBeUndefined();
  });

  it('a URL that does not fit the template fails the announcement before any request', async () => {
    const channel = liveChannel({ templates: { announcement: { name: 'town_news', urlButtonIndex: 0, urlButtonPrefix: 'https://other.example/' } } });
    const { classified } = await sendExpectingError(channel);
    expect(classified.errorClass).toBe('permanent-announcement');
    expect(fake.requests).toHaveLength(0);
  });

  it('no token or full phone number appears in any classified message or thrown error', async () => {
    const failures: Array<() => void> = [
      () => fake.failNext(citizen, { status: 400, code: 131026, message: `Message undeliverable to +${citizenDigits}`, details: `Recipient ${citizenDigits} (token ${accessToken}) unknown` }),
      () => fake.failNext(citizen, { status: 400, code: 131056, message: 'pair rate limit hit', details: `Too many messages to ${citizenDigits}` }),
      () => fake.failNext(citizen, { status: 400, code: 131047, message: `Re-engagement message for +49 151 23456789`, details: 'More than 24 hours have passed' }),
      () => fake.failNext(citizen, { status: 500, code: 1, message: `API Unknown, Bearer ${accessToken}` }),
      () => fake.hangNext(citizen),
    ];
    const channel = liveChannel({ requestTimeoutMs: 200 });
    const wrongToken = liveChannel({ accessToken: `${accessToken}x` });
    for (const script of failures) {
      script();
      const { error, classified } = await sendExpectingError(channel);
      for (const text of [classified.message, JSON.stringify(error), String(error), (error as Error).stack ?? '']) {
        expect(text).not.toContain(accessToken);
        expect(text).not.toContain(citizenDigits);
        expect(text).not.toContain('23456789');
      }
    }
    const { error, classified } = await sendExpectingError(wrongToken);
    expect(classified.message).not.toContain(accessToken);
    expect(JSON.stringify(error)).not.toContain(accessToken);
  });
});

describe('sandbox mode', () => {
  it('records the exact request body, returns the recorder id and makes no request', async () => {
    const recorded: Array<{ channel: string; to: string; body: unknown }> = [];
    const config = configFor({ templates: { announcement: { name: 'town_news', urlButtonIndex: 0, urlButtonPrefix: 'https://musterstadt.de/' } } });
    const sandbox = createWhatsappChannel({
      config,
      log: silentLog(),
      sandbox: true,
      sandboxRecorder: async (entry) => {
        recorded.push(entry);
        return `sandbox.${recorded.length}`;
      },
    });
    expect(sandbox.mode).toBe('sandbox');
    await expect(sandbox.send(announcement)).resolves.toEqual({ providerMessageId: 'sandbox.1' });
    await expect(sandbox.send({ kind: 'confirmation', to: citizen, token: 'abc', townName: 'Musterstadt' })).resolves.toEqual({ providerMessageId: 'sandbox.2' });
    await sandbox.close?.();
    expect(fake.requests).toHaveLength(0);
    expect(recorded[0]).toMatchObject({ channel: 'whatsapp', to: citizen });
    expect((recorded[1].body as { template: { components: unknown[] } }).template.components).toContainEqual({
      type: 'button',
      sub_type: 'quick_reply',
      index: '0',
      parameters: [{ type: 'payload', payload: 'CONFIRM:abc' }],
    });

    // The same message in live mode produces byte-for-byte the body the sandbox recorded.
    await liveChannel({ templates: config.templates }).send(announcement);
    expect(fake.requests[0].body).toEqual(recorded[0].body);
  });

  it('exposes the configured limits and a webhook in both modes', () => {
    const sandbox = createWhatsappChannel({ config: configFor({ messagesPerSecond: 20, dailyRecipientLimit: 2000 }), log: silentLog(), sandbox: true, sandboxRecorder: async () => 'x' });
    expect(sandbox).toMatchObject({ id: 'whatsapp', messagesPerSecond: 20, dailyRecipientLimit: 2000 });
    expect(sandbox.webhook).toBeDefined();
    expect(liveChannel().webhook).toBeDefined();
  });
});

describe('the fake validates like Meta', () => {
  const post = (path: string, body: unknown, token: string | null = accessToken) =>
    fetch(`${fake.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as { error?: { code: number; message: string; error_data?: { details: string } } } }));
  const path = `/v24.0/${phoneNumberId}/messages`;
  const valid = { messaging_product: 'whatsapp', to: citizenDigits, type: 'text', text: { body: 'Hallo' } };

  it('answers Meta’s success shape with a unique wamid', async () => {
    const first = await post(path, valid);
    const second = await post(path, valid);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ messaging_product: 'whatsapp', contacts: [{ input: citizenDigits, wa_id: citizenDigits }], messages: [{ id: expect.stringMatching(/^wamid\./) }] });
    expect(JSON.stringify(first.body)).not.toBe(JSON.stringify(second.body));
  });

  it('401 + code 190 for a missing or wrong token', async () => {
    expect(await post(path, valid, null)).toMatchObject({ status: 401, body: { error: { code: 190 } } });
    expect(await post(path, valid, 'nope')).toMatchObject({ status: 401, body: { error: { code: 190 } } });
  });

  it('400 + code 100 for a wrong path, version or phone-number id', async () => {
    for (const wrong of [`/v23.0/${phoneNumberId}/messages`, `/v24.0/123/messages`, `/v24.0/${phoneNumberId}/message`]) {
      expect(await post(wrong, valid)).toMatchObject({ status: 400, body: { error: { code: 100 } } });
    }
  });

  it('400 + code 100 for missing envelope fields or an over-long text', async () => {
    for (const field of ['messaging_product', 'to', 'type'] as const) {
      const { [field]: _omitted, ...rest } = valid;
      expect(await post(path, rest)).toMatchObject({ status: 400, body: { error: { code: 100 } } });
    }
    expect(await post(path, { ...valid, text: { body: 'x'.repeat(4097) } })).toMatchObject({ status: 400, body: { error: { code: 100 } } });
    expect(await post(path, 'not json')).toMatchObject({ status: 400, body: { error: { code: 100 } } });
  });

  it('400 + code 131008 for a template without name or language', async () => {
    const template = { ...valid, type: 'template', text: undefined };
    expect(await post(path, { ...template, template: { language: { code: 'de' } } })).toMatchObject({ status: 400, body: { error: { code: 131008 } } });
    expect(await post(path, { ...template, template: { name: 'town_news' } })).toMatchObject({ status: 400, body: { error: { code: 131008 } } });
  });

  it('scripted errors have Meta’s §1.6 shape', async () => {
    fake.failNext(citizenDigits, { status: 400, code: 131056, message: 'pair rate limit hit', details: 'too many', subcode: 2494071 }, 2);
    const first = await post(path, valid);
    const second = await post(path, valid);
    const third = await post(path, valid);
    expect(first).toEqual({
      status: 400,
      body: {
        error: {
          message: '(#131056) pair rate limit hit',
          type: 'OAuthException',
          code: 131056,
          error_data: { messaging_product: 'whatsapp', details: 'too many' },
          error_subcode: 2494071,
          fbtrace_id: expect.any(String),
        },
      },
    });
    expect(second.status).toBe(400);
    expect(third.status).toBe(200);
    expect(fake.requests.every((request) => request.headers.authorization === undefined)).toBe(true);
  });
});

describe('Marketing Messages API and the daily limit', () => {
  it('sends announcements to /marketing_messages when configured, with the same errors; other messages stay on /messages', async () => {
    const channel = liveChannel({ marketingEndpoint: 'marketing_messages' });
    await channel.send(announcement);
    expect(fake.requests[0].path).toBe(`/v24.0/${phoneNumberId}/marketing_messages`);
    await channel.send({ kind: 'text', to: citizen, text: 'Hallo' });
    expect(fake.requests[1].path).toBe(`/v24.0/${phoneNumberId}/messages`);
    fake.failNext((_body, request) => request.path.endsWith('/marketing_messages'), { status: 400, code: 131049, message: 'This message was not delivered to maintain healthy ecosystem engagement.' });
    const { classified } = await sendExpectingError(channel);
    expect(classified).toMatchObject({ errorClass: 'retry-later', code: '131049' });
  });

  it('sends to a BSUID with `recipient`, and the fake answers with user_id', async () => {
    const channel = liveChannel();
    await channel.send({ ...announcement, to: 'DE.13491208655302741918' });
    expect(fake.requests[0].body).toMatchObject({ recipient: 'DE.13491208655302741918' });
    expect(fake.requests[0].response).toMatchObject({ status: 200, body: { contacts: [{ input: 'DE.13491208655302741918', user_id: 'DE.13491208655302741918' }] } });
  });

  it("follows Meta's tier once known, never above the town's pinned ceiling", () => {
    const free = liveChannel({ dailyRecipientLimit: 250 });
    expect(free.dailyRecipientLimit).toBe(250);
    free.setProviderDailyLimit?.(2000);
    expect(free.dailyRecipientLimit).toBe(2000);
    free.setProviderDailyLimit?.(null);
    expect(free.dailyRecipientLimit).toBeNull();

    const pinned = liveChannel({ pinDailyRecipientLimit: 1000 });
    expect(pinned.dailyRecipientLimit).toBe(250);
    pinned.setProviderDailyLimit?.(10_000);
    expect(pinned.dailyRecipientLimit).toBe(1000);
    pinned.setProviderDailyLimit?.(null);
    expect(pinned.dailyRecipientLimit).toBe(1000);
  });
});
