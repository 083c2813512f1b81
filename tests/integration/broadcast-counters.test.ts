import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import type { FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp } from '../support/whatsapp';
import { startFakeTelegramBotApi, TELEGRAM_ERRORS, type FakeTelegramBotApi } from '../support/fake-telegram-bot-api';
import { deliveriesOf, seedSubscriber } from '../support/seed';

const BOT = { botToken: '7000000003:AAtest-bot-token-for-the-counters-t', botUsername: 'MusterstadtBot', webhookSecret: 'test-webhook-secret_44' };
const ANNOUNCEMENT = 'plugin::town-crier.announcement';
const RUN = 'plugin::town-crier.broadcast-run';
const DAY_MS = 86_400_000;

interface Detail {
  broadcastStatus: string;
  statusReason: string | null;
  recipients: number;
  sent: number;
  failed: number;
  skipped: number;
  runs: Array<{ channel: string; state: string; reason: string | null }>;
}

/**
 * Broadcast counters and the reasons the admin reads: a read never writes, retention never
 * makes an old broadcast's totals shrink, and a channel's status names its own run's error.
 */
describe('broadcast counters and reasons', () => {
  let test: TestStrapi;
  let whatsapp: FakeCloudApi;
  let telegram: FakeTelegramBotApi;
  let auth: { Authorization: string };

  const queue = () =>
    (test.strapi.plugin('town-crier').service('runtime') as { queue(): { counts(q: string): Promise<{ waiting: number; active: number; delayed: number }> } }).queue();
  const drained = (name: string) =>
    eventually(async () => {
      const counts = await queue().counts(name);
      return counts.waiting + counts.active + counts.delayed === 0;
    });
  const detail = async (documentId: string) => {
    const response = await test.request.get(`/town-crier/broadcasts/${documentId}`).set(auth);
    expect(response.status).toBe(200);
    return response.body.data as Detail;
  };
  const publish = async (title: string, channels: string[]) =>
    (
      (await test.strapi.documents(ANNOUNCEMENT).create({ data: { title, text: title, urgency: 'emergency', channels }, status: 'published' } as never)) as {
        documentId: string;
      }
    ).documentId;
  const stored = (documentId: string) =>
    test.strapi.db.query(ANNOUNCEMENT).findOne({ where: { documentId, publishedAt: { $notNull: true } } }) as Promise<Record<string, unknown> & { broadcastStatus: string }>;

  beforeAll(async () => {
    const fake = await fakeWhatsapp();
    whatsapp = fake.fake;
    telegram = await startFakeTelegramBotApi({ botToken: BOT.botToken });
    test = await bootStrapi({
      pluginConfig: {
        channels: {
          whatsapp: { ...(fake.config.channels as { whatsapp: object }).whatsapp },
          telegram: { enabled: true, ...BOT, baseUrl: telegram.baseUrl },
        },
        broadcast: { graceSeconds: 1 },
      },
    });
    auth = { Authorization: `Bearer ${await createSuperAdmin(test)}` };
  });
  afterAll(async () => {
    await test?.close();
    await whatsapp?.close();
    await telegram?.close();
  });

  it('answers the broadcast detail without writing anything, and still shows the current numbers', async () => {
    for (const phone of ['+4915180000001', '+4915180000002', '+4915180000003']) await seedSubscriber(test, phone);
    const documentId = await publish('Gelesen, nicht geschrieben', ['whatsapp']);
    // Paused before its fan-out: the rows are written, no job follows, so nothing else writes meanwhile.
    expect((await test.request.post(`/town-crier/broadcasts/${documentId}/pause`).set(auth)).status).toBe(200);
    await eventually(async () => Boolean((await stored(documentId)).fanOutDoneAt));
    await drained('control');

    // The broadcast's own tables: the worker's timers (retention, sign-up expiry) may write elsewhere meanwhile.
    const tables = [ANNOUNCEMENT, RUN, 'plugin::town-crier.delivery'].map((uid) => test.strapi.db.metadata.get(uid).tableName);
    const writes: string[] = [];
    const listener = (query: { sql: string }) => {
      if (/^\s*(insert|update|delete)\b/i.test(query.sql) && tables.some((table) => query.sql.includes(table))) writes.push(query.sql);
    };
    const before = { announcement: await stored(documentId), runs: await test.strapi.db.query(RUN).findMany({ where: { announcementDocumentId: documentId } }) };
    test.strapi.db.connection.on('query', listener);
    try {
      for (let poll = 0; poll < 3; poll += 1) {
        const shown = await detail(documentId);
        expect(shown).toMatchObject({ broadcastStatus: 'paused', recipients: 3, sent: 0 });
      }
    } finally {
      test.strapi.db.connection.off('query', listener);
    }
    expect(writes).toEqual([]);
    expect((await stored(documentId)).updatedAt).toEqual(before.announcement.updatedAt);
    expect(await test.strapi.db.query(RUN).findMany({ where: { announcementDocumentId: documentId } })).toEqual(before.runs);

    expect((await test.request.post(`/town-crier/broadcasts/${documentId}/resume`).set(auth)).status).toBe(200);
    await eventually(async () => (await stored(documentId)).broadcastStatus === 'sent', { timeoutMs: 20_000 });
    expect(await detail(documentId)).toMatchObject({ recipients: 3, sent: 3 });
  });

  it('keeps an old broadcast’s totals after retention deletes a withdrawn citizen’s delivery records', async () => {
    const ids = [];
    for (const phone of ['+4915180000011', '+4915180000012']) ids.push(await seedSubscriber(test, phone));
    const documentId = await publish('Alte Meldung', ['whatsapp']);
    await eventually(async () => (await stored(documentId)).broadcastStatus === 'sent', { timeoutMs: 20_000 });
    const totals = await detail(documentId);
    // Everyone seeded so far: the five of this file's earlier test and this one.
    expect(totals).toMatchObject({ recipients: 5, sent: 5, failed: 0 });

    const subscriptions = test.strapi.plugin('town-crier').service('subscriptions') as {
      withdraw(id: number, method: string): Promise<unknown>;
      purgeWithdrawn(now?: Date): Promise<{ subscribers: number }>;
    };
    await subscriptions.withdraw(ids[0], 'admin');
    const purged = await subscriptions.purgeWithdrawn(new Date(Date.now() + 400 * DAY_MS));
    expect(purged.subscribers).toBe(1);
    expect(await deliveriesOf(test, documentId)).toHaveLength(4);

    // The admin's view, and a recount by the owner (a late status, "retry failed"), both keep the totals.
    expect(await detail(documentId)).toMatchObject({ recipients: 5, sent: 5, failed: 0 });
    await (test.strapi.plugin('town-crier').service('announcements') as { refreshCounters(id: string): Promise<unknown> }).refreshCounters(documentId);
    expect(await stored(documentId)).toMatchObject({ recipientsCount: 5, sentCount: 5 });
  });

  it('names the WhatsApp error on the channel status even when another run’s reason is the broadcast’s', async () => {
    await seedSubscriber(test, '5550101', { channel: 'telegram' });
    telegram.failNext(5550101, TELEGRAM_ERRORS.unauthorized, 1);
    whatsapp.failNext(() => true, { status: 401, code: 190, message: 'Access token has expired' }, 1);
    // Telegram's run comes first: the broadcast's own reason is Telegram's.
    const documentId = await publish('Zwei Kanäle gestoppt', ['telegram', 'whatsapp']);
    await eventually(async () => (await detail(documentId)).runs.every((run) => run.state === 'paused'), { timeoutMs: 20_000 });
    expect((await detail(documentId)).runs.find((run) => run.channel === 'whatsapp')?.reason).toBe('channel-error:whatsapp:190');

    const response = await test.request.get('/town-crier/channels').set(auth);
    const channels = response.body.data as Array<{ id: string; issues: unknown[] }>;
    expect(channels.find((channel) => channel.id === 'whatsapp')?.issues).toContainEqual({ code: 'channel-paused', values: { detail: 'error 190', errorCode: '190' } });
    expect(channels.find((channel) => channel.id === 'telegram')?.issues).toContainEqual({ code: 'channel-paused', values: { detail: 'error 401', errorCode: '401' } });
  });
});
