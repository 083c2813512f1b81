import { describe, expect, it } from 'vitest';
import { classifyTelegramError } from '../../server/src/channels/telegram';
import { announcementHtml, buildSendMessage } from '../../server/src/channels/telegram/telegram.payloads';
import { TelegramSendError, toTelegramSendError } from '../../server/src/channels/telegram/telegram.errors';
import { createTelegramWebhook } from '../../server/src/channels/telegram/telegram.webhook';

const botApiError = (error_code: number, description: string, parameters?: Record<string, unknown>) =>
  Object.assign(new Error(`Request failed with status code ${error_code}`), { response: { status: error_code, data: { ok: false, error_code, description, ...(parameters ? { parameters } : {}) } } });

const content = { title: 'A <b> & "c"', text: 'Text', url: 'https://musterstadt.de/news/1?a=1&b=2', urgency: 'info' as const, topicNames: [], townName: 'Musterstadt' };

describe('Telegram error classification', () => {
  it.each([
    ['blocked by the user', botApiError(403, 'Forbidden: bot was blocked by the user'), 'permanent-recipient', 'withdrawn'],
    ['a deactivated user', botApiError(403, 'Forbidden: user is deactivated'), 'permanent-recipient', 'undeliverable'],
    ['chat not found', botApiError(400, 'Bad Request: chat not found'), 'permanent-recipient', 'undeliverable'],
    ['unparsable entities', botApiError(400, "Bad Request: can't parse entities: Unsupported start tag"), 'permanent-announcement', undefined],
    ['a bad token', botApiError(401, 'Unauthorized'), 'fatal-channel', undefined],
    ['a server error', botApiError(502, 'Bad Gateway'), 'retry', undefined],
    ['a network error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'retry', undefined],
  ])('classifies %s', (_label, error, errorClass, recipientEffect) => {
    const classified = classifyTelegramError(error);
    expect(classified.errorClass).toBe(errorClass);
    expect(classified.recipientEffect).toBe(recipientEffect);
  });

  it('waits exactly retry_after on 429', () => {
    expect(classifyTelegramError(botApiError(429, 'Too Many Requests: retry after 17', { retry_after: 17 }))).toMatchObject({ errorClass: 'retry-later', code: '429', retryAfterMs: 17_000 });
  });

  it('drops the bot token from errors before they travel', () => {
    const token = '7000000001:AAtest-bot-token-for-the-fake-api_xyz';
    const raw = Object.assign(new Error(`connect ECONNREFUSED for https://api.telegram.org/bot${token}/sendMessage`), {
      code: 'ECONNREFUSED',
      config: { url: `/bot${token}/sendMessage` },
    });
    const safe = toTelegramSendError(raw, [token]);
    expect(safe).toBeInstanceOf(TelegramSendError);
    expect(JSON.stringify(safe)).not.toContain(token);
    expect((safe as Error).message).not.toContain(token);
  });
});

describe('Telegram messages', () => {
  it('escapes title, text and link for HTML parse mode', () => {
    expect(announcementHtml(content)).toBe('<b>A &lt;b&gt; &amp; &quot;c&quot;</b>\n\nText\n\n<a href="https://musterstadt.de/news/1?a=1&amp;b=2">Weiterlesen</a>\n\n<i>Musterstadt</i>');
    // A follow-up names the news it continues and links it; an all-clear does not repeat the warning's 🚨.
    const allClear = announcementHtml({ ...content, title: 'Sturm vorüber', urgency: 'emergency', followUp: { kind: 'all-clear', originalTitle: 'Sturmwarnung', originalUrl: 'https://musterstadt.de/news/0' } });
    expect(allClear.startsWith('<b>✅ Entwarnung: Sturmwarnung – Sturm vorüber</b>')).toBe(true);
    expect(allClear).toContain('<a href="https://musterstadt.de/news/0">Die ursprüngliche Meldung</a>');
  });

  it('keeps a long announcement under Telegram’s 4096 characters', () => {
    const body = buildSendMessage({ kind: 'announcement', to: '1', deliveryRef: 'd:1', content: { ...content, text: '<'.repeat(10_000) } });
    // Escaping makes the text longer, but the limit applies after entity parsing.
    expect(body.text.replace(/&lt;/g, '<').replace(/<\/?[bia][^>]*>/g, '').length).toBeLessThan(4096);
  });

  it('sends no confirmation message: Telegram confirms through the deep link', () => {
    expect(() => buildSendMessage({ kind: 'confirmation', to: '1', token: 't', townName: 'x' })).toThrow(/deep link/);
  });
});

describe('Telegram webhook', () => {
  const webhook = createTelegramWebhook({ webhookSecret: 'secret_1' });
  const update = (text: string, chatType = 'private') => ({
    update_id: 1,
    message: { message_id: 5, date: 1_700_000_000, chat: { id: 4242, type: chatType }, from: { id: 4242, first_name: 'Anna' }, text },
  });

  it('accepts only the exact secret token header', () => {
    expect(webhook.verify('{}', { 'x-telegram-bot-api-secret-token': 'secret_1' })).toBe(true);
    expect(webhook.verify('{}', { 'X-Telegram-Bot-Api-Secret-Token': 'secret_1' })).toBe(true);
    expect(webhook.verify('{}', { 'x-telegram-bot-api-secret-token': 'secret_2' })).toBe(false);
    expect(webhook.verify('{}', {})).toBe(false);
    expect(createTelegramWebhook({ webhookSecret: '' }).verify('{}', { 'x-telegram-bot-api-secret-token': '' })).toBe(false);
  });

  it('turns /start <token> into a confirmation and commands into text', () => {
    expect(webhook.parse(update('/start abcdefgh12345678_-'))).toEqual([
      { type: 'message', providerMessageId: 'tg:4242:5', from: '4242', at: new Date(1_700_000_000_000), buttonPayload: 'CONFIRM:abcdefgh12345678_-', profileName: 'Anna' },
    ]);
    expect(webhook.parse(update('/stop@MusterstadtBot'))).toMatchObject([{ text: '/stop' }]);
    expect(webhook.parse(update('/start'))).toMatchObject([{ text: '/start' }]);
  });

  it('ignores groups and maps a blocked bot to a stop preference', () => {
    expect(webhook.parse(update('/stop', 'group'))).toEqual([]);
    expect(webhook.parse({ update_id: 2, my_chat_member: { date: 1_700_000_000, chat: { id: 4242, type: 'private' }, new_chat_member: { status: 'kicked' } } })).toEqual([
      { type: 'preference', from: '4242', value: 'stop', at: new Date(1_700_000_000_000) },
    ]);
    expect(webhook.parse({ nonsense: true })).toEqual([]);
  });
});

describe('Telegram text limits', () => {
  const isWellFormed = (text: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

  it('never cuts an emoji in half at the 4,096-character limit', () => {
    // The 4,095th code unit is the first half of an emoji: a plain slice would leave it alone.
    const text = `${'a'.repeat(4094)}${'🚧'.repeat(10)}`;
    const body = buildSendMessage({ kind: 'text', to: '123', text });
    expect(body.text.length).toBeLessThanOrEqual(4096);
    expect(isWellFormed(body.text)).toBe(true);
    expect(body.text.endsWith('…')).toBe(true);
  });

  it('never cuts an emoji in half in an announcement’s text', () => {
    for (let pad = 3490; pad < 3500; pad += 1) {
      const html = announcementHtml({ title: 'Baustelle', text: `${'a'.repeat(pad)}${'🚧'.repeat(20)}`, url: null, urgency: 'info', topicNames: [], townName: 'Musterstadt' });
      expect(isWellFormed(html), `pad ${pad}`).toBe(true);
    }
  });
});
