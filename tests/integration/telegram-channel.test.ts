import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import { startFakeTelegramBotApi, TELEGRAM_ERRORS, telegramMessageUpdate, type FakeTelegramBotApi } from '../support/fake-telegram-bot-api';
import { announcementFor, deliveriesOf, publishArticle, seedSubscriber, seedTopics } from '../support/seed';

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const LEDGER = 'plugin::town-crier.consent-event';
const BOT = { botToken: '7000000001:AAtest-bot-token-for-the-fake-api_xyz', botUsername: 'MusterstadtBot', webhookSecret: 'test-webhook-secret_42' };

/** The Telegram channel against a fake Bot API, with webhooks posted through the real route. */
describe('Telegram channel', () => {
  let test: TestStrapi;
  let fake: FakeTelegramBotApi;
  let consentVersion: string;
  let topics: Record<string, number>;

  const postUpdate = (update: unknown, secret: string | null = BOT.webhookSecret) => {
    const request = test.request.post('/api/town-crier/webhooks/telegram').set('Content-Type', 'application/json');
    if (secret !== null) request.set('X-Telegram-Bot-Api-Secret-Token', secret);
    return request.send(JSON.stringify(update));
  };
  const subscriberByChat = (chatId: number) => test.strapi.db.query(SUBSCRIBER).findOne({ where: { channel: 'telegram', address: String(chatId) }, populate: ['topics'] });
  const ledgerOf = (subscriberId: number) =>
    test.strapi.db.query(LEDGER).findMany({ where: { subscriber: subscriberId }, orderBy: { id: 'asc' } }) as Promise<Array<{ type: string; method: string; channel: string }>>;
  const textsTo = (chatId: number) => fake.sentTo(chatId).map((request) => String(request.body.text));
  const finished = (articleId: string) =>
    eventually(async () => {
      const announcement = await announcementFor(test, articleId);
      return announcement && ['sent', 'failed', 'paused'].includes(announcement.broadcastStatus) && announcement;
    });
  const signup = (extra: Record<string, unknown> = {}) =>
    test.request.post('/api/town-crier/subscriptions').send({ channel: 'telegram', topics: ['verkehr'], locale: 'de', consent: { accepted: true, version: consentVersion }, ...extra });

  beforeAll(async () => {
    fake = await startFakeTelegramBotApi({ botToken: BOT.botToken });
    test = await bootStrapi({
      pluginConfig: { channels: { whatsapp: { enabled: false }, telegram: { enabled: true, ...BOT, baseUrl: fake.baseUrl } } },
    });
    topics = await seedTopics(test, [
      ['Verkehr', 'verkehr'],
      ['Kultur', 'kultur'],
    ]);
    consentVersion = (await test.request.get('/api/town-crier/consent')).body.data.version;
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  it('opts in by deep link: /start <token> links the chat to the pending sign-up and confirms it', async () => {
    const response = await signup();
    expect(response.status).toBe(202);
    expect(response.body.data).toMatchObject({ status: 'pending', channel: 'telegram' });
    const link = new URL(response.body.data.telegramLink);
    expect(`${link.origin}${link.pathname}`).toBe('https://t.me/MusterstadtBot');
    const token = link.searchParams.get('start') as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    // Nothing is sent before the citizen writes: the bot cannot know the chat yet.
    expect(fake.requests).toHaveLength(0);

    expect((await postUpdate(telegramMessageUpdate(4242001, `/start ${token}`))).status).toBe(200);
    const subscriber = await eventually(async () => {
      const row = await subscriberByChat(4242001);
      return row?.status === 'active' && row;
    });
    expect(subscriber.topics.map((topic: { slug: string }) => topic.slug)).toEqual(['verkehr']);
    expect((await ledgerOf(subscriber.id)).map((event) => `${event.type}:${event.method}:${event.channel}`)).toEqual([
      'requested:web-form:telegram',
      'confirmed:telegram-deep-link:telegram',
    ]);
    await eventually(async () => textsTo(4242001).length === 1);
    expect(textsTo(4242001)[0]).toMatch(/^Willkommen/);

    // The token was for one use: a second /start with it from another chat confirms nothing.
    await postUpdate(telegramMessageUpdate(4242999, `/start ${token}`));
    await eventually(async () => textsTo(4242999).length === 1);
    expect(await subscriberByChat(4242999)).toBeNull();
  });

  it('answers /themen and /hilfe, and /stop unsubscribes with a ledger entry', async () => {
    const id = await seedSubscriber(test, '4242002', { channel: 'telegram', topics: [topics.kultur] });
    await postUpdate(telegramMessageUpdate(4242002, '/themen'));
    await eventually(async () => textsTo(4242002).length === 1);
    expect(textsTo(4242002)[0]).toMatch(/Ihre Themen: Kultur/);
    await postUpdate(telegramMessageUpdate(4242002, '/hilfe@MusterstadtBot'));
    await eventually(async () => textsTo(4242002).length === 2);
    expect(textsTo(4242002)[1]).toMatch(/Datenschutz: https?:\/\//);

    await postUpdate(telegramMessageUpdate(4242002, '/stop'));
    await eventually(async () => textsTo(4242002).length === 3);
    expect(textsTo(4242002)[2]).toMatch(/abgemeldet/);
    expect((await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id } })).status).toBe('unsubscribed');
    expect((await ledgerOf(id)).map((event) => `${event.type}:${event.method}`)).toEqual(['withdrawn:telegram-keyword']);
  });

  it('a chat that left and signs up again keeps one row: the new topics and ledger entries move onto it', async () => {
    const id = await seedSubscriber(test, '4242010', { channel: 'telegram', topics: [topics.kultur], status: 'unsubscribed' });
    const response = await signup({ topics: ['verkehr'] });
    const token = new URL(response.body.data.telegramLink).searchParams.get('start') as string;
    await postUpdate(telegramMessageUpdate(4242010, `/start ${token}`));
    const row = await eventually(async () => {
      const found = await subscriberByChat(4242010);
      return found?.status === 'active' && found;
    });
    expect(row.id).toBe(id);
    expect(row.topics.map((topic: { slug: string }) => topic.slug)).toEqual(['verkehr']);
    expect(await test.strapi.db.query(SUBSCRIBER).count({ where: { channel: 'telegram', address: null, status: 'pending' } })).toBe(0);
    expect((await ledgerOf(id)).map((event) => `${event.type}:${event.method}`)).toEqual(['requested:web-form', 'confirmed:telegram-deep-link']);
  });

  it('broadcasts an announcement with HTML parse mode, escaped', async () => {
    await seedSubscriber(test, '4242003', { channel: 'telegram', topics: [topics.verkehr] });
    const articleId = await publishArticle(test, { title: 'Straße <B7> & Brücke gesperrt', topic: 'verkehr', summary: 'Umleitung über "Am Markt".' });
    const announcement = await finished(articleId);
    expect(announcement.broadcastStatus).toBe('sent');
    const [message] = fake.sentTo(4242003);
    expect(message.body).toEqual({
      chat_id: '4242003',
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      text: expect.stringContaining('<b>Straße &lt;B7&gt; &amp; Brücke gesperrt</b>\n\nUmleitung über &quot;Am Markt&quot;.\n\n<a href="https://musterstadt.de/news/artikel-'),
    });
    const delivery = (await deliveriesOf(test, announcement.documentId)).find((row) => row.channel === 'telegram' && row.providerMessageId?.toString().startsWith('tg:4242003:'));
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('unsubscribes a citizen who blocked the bot (403) and does not retry', async () => {
    const id = await seedSubscriber(test, '4242004', { channel: 'telegram' });
    fake.failNext(4242004, TELEGRAM_ERRORS.blocked, 5);
    const articleId = await publishArticle(test, { title: 'Stadtfest' });
    const announcement = await finished(articleId);
    const delivery = (await deliveriesOf(test, announcement.documentId)).find((row) => row.subscriberId === id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastErrorCode: '403', lastErrorClass: 'permanent-recipient' });
    expect(fake.requests.filter((request) => request.body?.chat_id === '4242004')).toHaveLength(1);
    expect((await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id } })).status).toBe('unsubscribed');
    expect((await ledgerOf(id)).map((event) => `${event.type}:${event.method}`)).toEqual(['withdrawn:telegram-blocked']);
  });

  it('waits retry_after on 429, then sends', async () => {
    const id = await seedSubscriber(test, '4242005', { channel: 'telegram' });
    fake.failNext(4242005, TELEGRAM_ERRORS.tooManyRequests(1), 1);
    const articleId = await publishArticle(test, { title: 'Wochenmarkt' });
    const announcement = await finished(articleId);
    const delivery = (await deliveriesOf(test, announcement.documentId)).find((row) => row.subscriberId === id);
    expect(delivery).toMatchObject({ status: 'sent', attempts: 2 });
    const attempts = fake.requests.filter((request) => request.body?.chat_id === '4242005');
    expect(attempts.map((request) => request.response.status)).toEqual([429, 200]);
    // retry_after is 1 s: the second attempt came no sooner.
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(1000);
  });

  it('answers 401 and processes nothing when the secret header is missing or wrong', async () => {
    const id = await seedSubscriber(test, '4242006', { channel: 'telegram' });
    for (const secret of [null, 'wrong-secret', `${BOT.webhookSecret}x`]) {
      const response = await postUpdate(telegramMessageUpdate(4242006, '/stop'), secret);
      expect(response.status).toBe(401);
    }
    // A correctly signed update after them proves the queue ran past anything they might have queued.
    await postUpdate(telegramMessageUpdate(4242006, '/themen'));
    await eventually(async () => textsTo(4242006).length === 1);
    expect(textsTo(4242006)).toHaveLength(1);
    expect((await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id } })).status).toBe('active');
  });
});
