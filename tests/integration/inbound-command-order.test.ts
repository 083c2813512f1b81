import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import { inboundTextWebhook, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { startFakeTelegramBotApi, telegramMessageUpdate, type FakeTelegramBotApi } from '../support/fake-telegram-bot-api';
import { fakeWhatsapp, postWebhook, sentTo } from '../support/whatsapp';
import { seedSubscriber, seedTopics } from '../support/seed';
import { drained } from '../support/drained';

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const WEBHOOK = 'plugin::town-crier.inbound-webhook';
const TELEGRAM = { botToken: '7000000002:AAtest-bot-token-for-the-fake-api_abc', botUsername: 'MusterstadtBot', webhookSecret: 'test-webhook-secret_43' };

/**
 * A STOP stays a STOP: Meta redelivers webhooks (it does when we answer slowly) and delivers
 * them out of order, and a webhook job may run again after a failure. A command acts once, and
 * a START written before the citizen's last withdrawal does nothing.
 */
describe('inbound commands: once, and in the order the citizen wrote them', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let telegram: FakeTelegramBotApi;
  let consentVersion: string;
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  const statusOf = async (id: number) => ((await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id } })) as { status: string }).status;
  const textsTo = (address: string) =>
    sentTo(fake, address)
      .map((request) => (request.body as { text?: { body: string } }).text?.body)
      .filter((text): text is string => Boolean(text));
  const postTelegram = (update: unknown) =>
    test.request.post('/api/town-crier/webhooks/telegram').set('Content-Type', 'application/json').set('X-Telegram-Bot-Api-Secret-Token', TELEGRAM.webhookSecret).send(JSON.stringify(update));

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    telegram = await startFakeTelegramBotApi({ botToken: TELEGRAM.botToken });
    const channels = { ...(whatsapp.config.channels as Record<string, unknown>), telegram: { enabled: true, ...TELEGRAM, baseUrl: telegram.baseUrl } };
    test = await bootStrapi({ pluginConfig: { channels, rateLimit: { signupsPerIpPerHour: 40 } } });
    await seedTopics(test, [['Verkehr', 'verkehr']]);
    consentVersion = (await test.request.get('/api/town-crier/consent')).body.data.version;
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
    await telegram?.close();
  });
  beforeEach(() => {
    fake.reset();
    telegram.reset();
  });

  it('a replayed START after STOP leaves the citizen unsubscribed, and is not answered again', async () => {
    const response = await test.request
      .post('/api/town-crier/subscriptions')
      .send({ channel: 'whatsapp', address: '0151 70700001', topics: ['verkehr'], consent: { accepted: true, version: consentVersion } });
    expect(response.status).toBe(202);
    const code = decodeURIComponent(response.body.data.whatsappLink.split('text=')[1]).split(' ')[1];
    const start = inboundTextWebhook('4915170700001', `START ${code}`, { timestamp: nowSeconds() - 30 });
    await postWebhook(test, start);
    const row = await eventually(async () => {
      const found = (await test.strapi.db.query(SUBSCRIBER).findOne({ where: { address: '+4915170700001' } })) as { id: number; status: string } | null;
      return found?.status === 'active' && found;
    });
    await postWebhook(test, inboundTextWebhook('4915170700001', 'STOP', { timestamp: nowSeconds() - 10 }));
    await eventually(async () => (await statusOf(row.id)) === 'unsubscribed');
    await drained(test, { delayedWithinMs: 10_000 });
    const answered = textsTo('+4915170700001').length;

    // Meta delivers the START again (same message id, same timestamp).
    await postWebhook(test, start);
    await drained(test, { delayedWithinMs: 10_000 });
    expect(await statusOf(row.id)).toBe('unsubscribed');
    expect(textsTo('+4915170700001')).toHaveLength(answered);
  });

  it('a START written before the STOP but processed after it does nothing', async () => {
    const id = await seedSubscriber(test, '+4915170700002');
    await postWebhook(test, inboundTextWebhook('4915170700002', 'STOP', { timestamp: nowSeconds() - 5 }));
    await eventually(async () => (await statusOf(id)) === 'unsubscribed');
    await drained(test, { delayedWithinMs: 10_000 });
    fake.reset();

    // Written a minute before the STOP, delivered (or processed by the second control job) after it.
    await postWebhook(test, inboundTextWebhook('4915170700002', 'START', { timestamp: nowSeconds() - 65 }));
    await drained(test, { delayedWithinMs: 10_000 });
    expect(await statusOf(id)).toBe('unsubscribed');
    expect(textsTo('+4915170700002')).toEqual([]);

    // A START written after the STOP brings the citizen back, as always.
    await postWebhook(test, inboundTextWebhook('4915170700002', 'START', { timestamp: nowSeconds() }));
    await eventually(async () => (await statusOf(id)) === 'active');
  });

  it('a Telegram /start sent before /stop but delivered after it leaves the chat unsubscribed', async () => {
    const response = await test.request
      .post('/api/town-crier/subscriptions')
      .send({ channel: 'telegram', topics: ['verkehr'], consent: { accepted: true, version: consentVersion } });
    const token = new URL(response.body.data.telegramLink).searchParams.get('start') as string;
    await postTelegram(telegramMessageUpdate(5150001, `/start ${token}`));
    const row = await eventually(async () => {
      const found = (await test.strapi.db.query(SUBSCRIBER).findOne({ where: { channel: 'telegram', address: '5150001' } })) as { id: number; status: string } | null;
      return found?.status === 'active' && found;
    });
    // The citizen taps the deep link of a second sign-up (new topics), then writes /stop; the
    // /start reaches us last.
    const again = await test.request
      .post('/api/town-crier/subscriptions')
      .send({ channel: 'telegram', topics: ['verkehr'], consent: { accepted: true, version: consentVersion } });
    const secondToken = new URL(again.body.data.telegramLink).searchParams.get('start') as string;
    const lateStart = telegramMessageUpdate(5150001, `/start ${secondToken}`);
    lateStart.message.date -= 60;
    await postTelegram(telegramMessageUpdate(5150001, '/stop'));
    await eventually(async () => (await statusOf(row.id)) === 'unsubscribed');
    await postTelegram(lateStart);
    await drained(test, { delayedWithinMs: 10_000 });
    expect(await statusOf(row.id)).toBe('unsubscribed');
    // And a replayed bare /start (no token) after /stop does not bring it back either.
    const bareStart = telegramMessageUpdate(5150001, '/start');
    bareStart.message.date -= 30;
    await postTelegram(bareStart);
    await drained(test, { delayedWithinMs: 10_000 });
    expect(await statusOf(row.id)).toBe('unsubscribed');
  });

  it('answers a command once when its webhook job is retried', async () => {
    await seedSubscriber(test, '+4915170700003');
    // The job's last step (dropping the stored webhook) fails once, as on a dropped database
    // connection: bull runs the job again, and it meets the HILFE it already answered.
    const db = test.strapi.db as unknown as { query(uid: string): Record<string, unknown> };
    const query = db.query.bind(db);
    let failures = 1;
    db.query = (uid: string) => {
      const repository = query(uid);
      if (uid !== WEBHOOK || failures === 0) return repository;
      const remove = repository.delete as (params: unknown) => Promise<unknown>;
      return {
        ...repository,
        delete: async (params: unknown) => {
          if (failures > 0) {
            failures -= 1;
            throw new Error('Connection terminated unexpectedly');
          }
          return remove(params);
        },
      };
    };
    try {
      await postWebhook(test, inboundTextWebhook('4915170700003', 'HILFE'));
      await eventually(async () => failures === 0 && (await test.strapi.db.query(WEBHOOK).count({})) === 0);
      await drained(test, { delayedWithinMs: 10_000 });
    } finally {
      db.query = query;
    }
    expect(textsTo('+4915170700003')).toHaveLength(1);
  });
});
